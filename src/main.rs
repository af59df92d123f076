fn main() -> std::process::ExitCode {
    pim::cli::main()
}
