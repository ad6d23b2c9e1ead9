//! Prints the per-class scores of each argument scanned as a query value
//! (tuning aid): `cargo run -p rampart-waf --example explain -- "1' or 1=1--"`.

fn main() {
    for arg in std::env::args().skip(1) {
        println!(
            "{arg:?} => {:?}",
            rampart_waf::fuzzing::explain_value(arg.as_bytes())
        );
    }
}
