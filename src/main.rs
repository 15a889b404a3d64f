//! The `gongkai` command: serve the API, migrate, and set up offices and staff. Each group of
//! subcommands lives in its own module under `cli/`.

mod cli;

fn main() -> std::process::ExitCode {
    let args = <cli::Cli as clap::Parser>::parse();
    match cli::run(args) {
        Ok(code) => code,
        Err(e) => {
            // One readable line with its causes, not a debug dump.
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
