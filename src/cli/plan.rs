//! `mailops plan [PATH] --server URL`: what applying the repository would change on a server, and
//! `mailops plan --base REV [--head REV] [PATH]`: pull-request review with no server at all.

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::{Args, ValueEnum};

use super::Printer;
use crate::desired::{self, DesiredState};
use crate::engine::{Connect, Observed};
use crate::plan::{self, PlanSource, render};
use crate::source::review::ReviewError;

/// Plan output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PlanFormat {
    /// For a terminal.
    Text,
    /// For machines (see README: plan format version 1).
    Json,
    /// For a pull-request comment.
    Markdown,
}

/// Arguments of `plan`.
#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("against").required(true).args(["base", "server"]))]
pub struct PlanArgs {
    /// The staff repository folder (with --base: inside a git clone).
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// Compare against this revision, with no server (the pull request's target, e.g. `origin/main`).
    #[arg(long, value_name = "REV")]
    pub base: Option<String>,
    /// The revision with the change (with --base; default: HEAD).
    #[arg(long, value_name = "REV", default_value = "HEAD")]
    pub head: String,
    /// Plan against this server: `maildir:PATH` (the embedded Maildir/Dovecot backend) or
    /// `modoboa+http(s)://HOST[:PORT]` (Modoboa's REST API).
    #[arg(long, value_name = "URL", conflicts_with = "base")]
    pub server: Option<String>,
    /// The state file (inventory) for --server (default: beside a maildir's mail, else ./mailops-state.json).
    #[arg(long, value_name = "FILE", requires = "server")]
    pub state: Option<PathBuf>,
    /// A file holding the server's API token (default: the MAILOPS_TOKEN environment variable).
    #[arg(long, value_name = "FILE", requires = "server")]
    pub token_file: Option<PathBuf>,
    /// Also save the plan as JSON to this file.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Output format.
    #[arg(long, short, value_enum, default_value_t = PlanFormat::Text)]
    pub output: PlanFormat,
    /// The day to plan for: start and end dates, grace periods (YYYY-MM-DD; default today).
    #[arg(long, value_name = "DATE", value_parser = desired::values::parse_date)]
    pub date: Option<NaiveDate>,
}

pub(super) async fn run(args: &PlanArgs, printer: &Printer) -> u8 {
    let plan = match (&args.base, &args.server) {
        (Some(base), _) => review(args, base, printer),
        (None, Some(server)) => against_server(args, server, printer).await,
        (None, None) => None,
    };
    let Some(plan) = plan else {
        return 1;
    };
    if let Some(out) = &args.out
        && let Err(e) = super::write_atomically(out, render::json(&plan).as_bytes())
    {
        printer.error(
            &crate::t!("error-cannot-write", path = out.display().to_string()),
            Some(&e),
            None,
        );
        return 1;
    }
    let text = match args.output {
        PlanFormat::Text => render::text(&plan, printer.stdout_color()),
        PlanFormat::Json => render::json(&plan),
        PlanFormat::Markdown => render::markdown(&plan),
    };
    printer.out(&text);
    if plan.has_changes() { 2 } else { 0 }
}

/// The repository folder, validated; diagnostics printed when it is not valid.
pub(super) fn desired_or_report(path: &std::path::Path, printer: &Printer) -> Option<DesiredState> {
    crate::source::revision::folder(path)
        .map_err(|e| printer.revision_error(&e))
        .ok()
}

/// Connects to the server through the engine (resolving an interrupted run first) and reads the accounts
/// of `domains`; says what the recovery of an interrupted run did, or prints why it failed.
pub(super) async fn observe(connect: Connect<'_>, domains: &[String], printer: &Printer) -> Option<Observed> {
    let o = connect
        .observe(domains)
        .await
        .map_err(|e| printer.engine_error(&e))
        .ok()?;
    if let Some(r) = &o.conn.recovery {
        printer.note(&crate::t!(
            "note-journal-resolved",
            run = r.run.to_string(),
            finished = r.finished,
            unfinished = r.unfinished
        ));
    }
    if o.conn.interrupted {
        printer.note(&crate::t!("note-apply-interrupted"));
    }
    Some(o)
}

async fn against_server(args: &PlanArgs, server: &str, printer: &Printer) -> Option<plan::Plan> {
    let desired = desired_or_report(&args.path, printer)?;
    let connect = Connect::read_only(server, args.state.as_deref(), args.token_file.as_deref());
    let o = observe(connect, &desired.organization.domains, printer).await?;
    // A plan never makes the folder: one that is not there (a first run, or a mistyped path) is said so.
    if let Some(folder) = server.strip_prefix("maildir:")
        && !std::path::Path::new(folder).exists()
    {
        printer.note(&crate::t!("plan-folder-missing", folder = folder));
    }
    let source = PlanSource {
        path: args.path.display().to_string(),
        revision: None,
        base_revision: None,
    };
    let today = args.date.unwrap_or_else(crate::clock::today);
    Some(o.conn.plan(&desired, None, &o.observation, source, today))
}

fn review(args: &PlanArgs, base: &str, printer: &Printer) -> Option<plan::Plan> {
    let today = args.date.unwrap_or_else(crate::clock::today);
    match crate::source::review::review(&args.path, base, &args.head, today) {
        Ok(r) => {
            if r.base_errors > 0 {
                printer.note(&crate::t!("note-base-errors", count = r.base_errors));
            }
            Some(r.plan)
        }
        Err(e) => {
            if let ReviewError::InvalidHead {
                diagnostics, sources, ..
            } = &e
            {
                printer.diagnostics(diagnostics, sources);
            }
            printer.error(&e.message(), std::error::Error::source(&e), Some(&e.hint()));
            None
        }
    }
}
