//! The `parsec` binary: parses the command line and hands over to `parsec::cli`.

fn main() -> std::process::ExitCode {
    parsec::cli::main()
}
