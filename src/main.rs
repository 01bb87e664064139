//! The `mailops` binary: parse the command line, run, exit with the command's code.

use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = mailops::cli::Cli::parse();
    mailops::cli::init_logging(&cli.global);
    mailops::cli::run(cli)
}
