//! Prints the per-class scores of each argument scanned as a query value, or as
//! the field kind given before it with `--field=KIND` (`path`, `name`, `value`,
//! `url-header`, `user-agent`, `header`, `body`, `file-name`). Tuning aid:
//! `cargo run -p rampart-waf --example explain -- "1' or 1=1--" --field=user-agent "curl/8.0"`.

fn main() {
    let Ok(rules) = rampart_waf::fuzzing::Scanner::new() else {
        eprintln!("explain: the literal automaton did not build");
        std::process::exit(1);
    };
    let mut field = String::from("value");
    for arg in std::env::args().skip(1) {
        if let Some(f) = arg.strip_prefix("--field=") {
            f.clone_into(&mut field);
            continue;
        }
        println!(
            "{field} {arg:?} => {:?}",
            rampart_waf::fuzzing::scan_scores(&rules, &field, arg.as_bytes())
        );
    }
}
