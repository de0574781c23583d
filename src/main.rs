fn main() {
    std::process::exit(trawl::run());
}
