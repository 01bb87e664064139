//! `mailops report usage [PATH] --server URL [--on DATE] --format markdown|csv|html|json [--lang vi|en]`:
//! rule III.4 and V.1's report on e-mail use, read-only.

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::{Args, Subcommand};

use super::Printer;
use super::plan::{desired_or_report, observe};
use crate::desired::values::parse_date;
use crate::directory::Lang;
use crate::engine::Connect;
use crate::report::{Format, Sources, Usage, render};
use crate::source::remote::redact;

/// Arguments of `report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Which report.
    #[command(subcommand)]
    pub what: ReportWhat,
}

/// The reports.
#[derive(Debug, Subcommand)]
pub enum ReportWhat {
    /// Who checked mail (rule III.4), per unit and per person, from the server's last logins; for the
    /// periodic reports to the provincial department (rule V.1). Never writes to the server.
    Usage(UsageArgs),
}

/// Arguments of `report usage`.
#[derive(Debug, Args)]
pub struct UsageArgs {
    /// The repository and the server.
    #[command(flatten)]
    pub target: super::ServerArgs,
    /// The day reported on (YYYY-MM-DD; default today in the agency's time).
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub on: Option<NaiveDate>,
    /// Output format.
    #[arg(long, short, value_enum, default_value_t = Format::Markdown)]
    pub format: Format,
    /// Write to this file instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub out: Option<PathBuf>,
}

pub(super) async fn run(args: &ReportArgs, printer: &Printer) -> u8 {
    let ReportWhat::Usage(args) = &args.what;
    let Some(desired) = desired_or_report(&args.target.path, printer) else {
        return 1;
    };
    let now = chrono::Utc::now();
    let cal = &desired.organization.calendar;
    let today = cal.local(now).date_naive();
    let on = args.on.unwrap_or(today);
    if on > today {
        printer.error(
            &crate::t!("error-report-future", day = on.to_string()),
            None,
            None,
        );
        return 1;
    }
    let t = &args.target;
    let connect = Connect::read_only(&t.server, t.state.as_deref(), t.token_file.as_deref());
    let Some(o) = observe(connect, &desired.organization.domains, printer).await else {
        return 1;
    };
    if !o.observation.complete {
        printer.note(&crate::t!(
            "note-report-partial",
            problems = o.observation.problems.join("; ")
        ));
    }
    let logins = match o.conn.backend.logins(&o.observation).await {
        Ok(l) => l,
        Err(e) => {
            printer.error(&crate::t!("error-read-logins"), Some(&e), None);
            return 1;
        }
    };
    let server = redact(&t.server);
    let report = Usage::build(
        Sources {
            desired: &desired,
            observation: &o.observation,
            logins: &logins,
            inventory: Some(&o.conn.inventory),
            server: &server,
        },
        on,
        now,
    );
    super::emit(
        &render(&report, args.format, crate::i18n::chosen().unwrap_or(Lang::Vi)),
        args.out.as_deref(),
        printer,
    )
}
