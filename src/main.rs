fn main() -> std::process::ExitCode {
    kubelint::cli::main()
}
