fn main() {
    // A panic has been reported by the hook (`messages::report_panics`)
    // and every thread has ended: exit 2 like any error.
    let code = std::panic::catch_unwind(trawl::run).unwrap_or(2);
    std::process::exit(code);
}
