//! `mailops directory [PATH] --format csv|markdown|html|vcard`.

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::Args;

use super::Printer;
use crate::desired::values::parse_date;
use crate::directory::{Directory, Format, Lang};

/// Arguments of `directory`.
#[derive(Debug, Args)]
pub struct DirectoryArgs {
    /// The staff repository.
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// Output format.
    #[arg(long, short, value_enum, default_value_t = Format::Markdown)]
    pub format: Format,
    /// List the people on staff on this day (YYYY-MM-DD; default today).
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub on: Option<NaiveDate>,
    /// The base DN of the LDIF entries (default: the naming domain as dc= components).
    #[arg(long, value_name = "DN", value_parser = crate::directory::ldif::check_base)]
    pub base_dn: Option<String>,
    /// Write to this file instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub out: Option<PathBuf>,
}

pub(super) fn run(args: &DirectoryArgs, printer: &Printer) -> u8 {
    let (validated, sources) =
        super::validate::load_and_validate(&args.path, crate::manifest::loader::DEFAULT_MAX_FILE_SIZE);
    let state = match validated.state {
        Some(s) if !validated.diagnostics.has_errors() => s,
        _ => {
            printer.diagnostics(&validated.diagnostics, &sources);
            printer.error(
                &crate::t!("error-invalid-directory", what = args.path.display().to_string()),
                None,
                Some(&crate::t!("hint-revision-invalid-planned")),
            );
            return 1;
        }
    };
    if validated.diagnostics.warning_count() > 0 {
        printer.note(&crate::t!(
            "note-directory-warnings",
            count = validated.diagnostics.warning_count(),
            path = args.path.display().to_string()
        ));
    }
    let as_of = args.on.unwrap_or_else(crate::clock::today);
    let directory = Directory::new(&state, as_of, crate::i18n::chosen().unwrap_or(Lang::Vi));
    let text = match args.format {
        Format::Ldif => directory.ldif(args.base_dn.as_deref()),
        other => directory.render(other),
    };
    super::emit(&text, args.out.as_deref(), printer)
}
