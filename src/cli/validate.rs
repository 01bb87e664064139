//! `mailops validate [PATH]`.

use std::path::PathBuf;

use clap::Args;

use super::{OutputFormat, Printer};
use crate::desired::Validated;
use crate::diagnostics::{self, Diagnostic, Location, SourceMap};
use crate::manifest::LoadOptions;

/// Arguments of `validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// The staff repository: a folder with the Organization and the staff manifests.
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// Report format (json: a versioned report on stdout).
    #[arg(long, short, value_enum, default_value_t = OutputFormat::Text)]
    pub output: OutputFormat,
    /// Treat warnings as errors.
    #[arg(long)]
    pub deny_warnings: bool,
    /// Largest manifest file read, in bytes.
    #[arg(long, default_value_t = crate::manifest::loader::DEFAULT_MAX_FILE_SIZE, value_name = "BYTES")]
    pub max_file_size: u64,
}

/// Loads and validates a repository (shared by every subcommand that reads one).
pub(super) fn load_and_validate(path: &std::path::Path, max_file_size: u64) -> (Validated, SourceMap) {
    crate::source::revision::load_and_validate(path, LoadOptions { max_file_size })
}

pub(super) fn run(args: &ValidateArgs, printer: &Printer) -> u8 {
    let (mut validated, sources) = load_and_validate(&args.path, args.max_file_size);
    if args.deny_warnings && validated.diagnostics.warning_count() > 0 {
        validated.diagnostics.push(
            Diagnostic::error(
                "warnings-denied",
                Location::file(&args.path),
                crate::msg!("diag-warnings-denied"),
            )
            .hint(crate::msg!("hint-warnings-denied")),
        );
    }
    let valid = validated.is_valid();
    match args.output {
        OutputFormat::Json => printer.out(&format!("{}\n", diagnostics::render_json(&validated.diagnostics))),
        OutputFormat::Text => {
            if !validated.diagnostics.is_empty() {
                printer.diagnostics(&validated.diagnostics, &sources);
            }
            if valid {
                let state = validated.state.as_ref();
                let people = state.map_or(0, |s| s.mailboxes.len());
                let shared = state.map_or(0, |s| s.shared_mailboxes.len());
                let line = crate::t!(
                    "validate-valid",
                    path = args.path.display().to_string(),
                    people = people,
                    shared = shared
                );
                printer.out(&format!("{line}\n"));
            }
        }
    }
    u8::from(!valid)
}
