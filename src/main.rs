//! `rampart` binary: parses the command line and hands over to [`rampart::cli`].

fn main() {
    let code = rampart::cli::main();
    std::process::exit(code);
}
