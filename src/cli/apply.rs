//! `mailops apply [PATH] --server URL [--plan plan.json]`: carry out the plan on the server.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use clap::Args;

use super::Printer;
use super::plan::{desired_or_report, observe};
use crate::desired::{self, DesiredState};
use crate::engine::{ExecuteOptions, Guard, Observed, Summary};
use crate::plan::{Plan, PlanSource, SavedPlanError, render};
use crate::source::revision::{self, GitDesired};

/// Arguments of `apply`.
#[derive(Debug, Args)]
pub struct ApplyArgs {
    /// The repository and the server.
    #[command(flatten)]
    pub target: super::ServerArgs,
    /// Apply this saved plan (from `plan --out`) instead of planning now; refused if the server changed since.
    #[arg(long, value_name = "FILE")]
    pub plan: Option<PathBuf>,
    /// Where passwords and the audit log go.
    #[command(flatten)]
    pub record: RecordArgs,
    /// Print initial passwords once on stdout instead of writing them to a file.
    #[arg(long, conflicts_with = "credentials")]
    pub show_credentials: bool,
    /// The day to plan and apply for (YYYY-MM-DD; default today).
    #[arg(long, value_name = "DATE", value_parser = desired::values::parse_date)]
    pub date: Option<NaiveDate>,
    /// Apply without asking. On a terminal, apply shows the plan and asks first; without one (scripts, CI)
    /// it never asks.
    #[arg(long, short)]
    pub yes: bool,
    /// A remote repository as the source.
    #[command(flatten)]
    pub git: super::gitsrc::GitArgs,
    /// Where the rendered attachment policy is kept in force.
    #[command(flatten)]
    pub render: super::render::InstallArgs,
}

/// Where new passwords and the audit log are written, and how many changes run at once.
#[derive(Debug, Args)]
pub struct RecordArgs {
    /// Where initial passwords are written, mode 0600 (default: beside the state file).
    #[arg(long, value_name = "FILE")]
    pub credentials: Option<PathBuf>,
    /// The append-only audit log, JSON lines (default: beside the state file).
    #[arg(long, value_name = "FILE")]
    pub audit_log: Option<PathBuf>,
    /// Changes carried out at the same time (1 to 64).
    #[arg(long, default_value_t = 4, value_parser = crate::desired::values::bounds::concurrency)]
    pub concurrency: usize,
}

fn load_plan(path: &Path, printer: &Printer) -> Option<Plan> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| {
            printer.error(
                &crate::t!("error-cannot-read", path = path.display().to_string()),
                Some(&e),
                None,
            )
        })
        .ok()?;
    Plan::from_saved(&text)
        .map_err(|e| {
            let hint = matches!(e, SavedPlanError::Version { .. }).then(|| crate::t!("hint-plan-version"));
            printer.error(
                &crate::t!(
                    "error-saved-plan",
                    path = path.display().to_string(),
                    error = e.to_string()
                ),
                std::error::Error::source(&e),
                hint.as_deref(),
            );
        })
        .ok()
}

/// Records an applied remote revision: later revisions must descend from it.
fn accept(from_git: Option<&GitDesired>, printer: &Printer) -> u8 {
    match from_git.map(|g| g.remote.accept(g.commit)) {
        Some(Err(e)) => {
            printer.error(&crate::t!("error-record-revision"), Some(&e), None);
            1
        }
        _ => 0,
    }
}

pub(super) async fn run(args: &ApplyArgs, printer: &Printer) -> u8 {
    // The desired state is read even for a saved plan: the plan is checked against it.
    let mut from_git = None;
    let desired = match &args.git.git {
        Some(url) => match revision::load(&args.git.options(), url, &args.target.path) {
            Ok(g) => {
                let d = g.desired.clone();
                from_git = Some(g);
                d
            }
            Err(e) => {
                printer.revision_error(&e);
                return 1;
            }
        },
        None => match desired_or_report(&args.target.path, printer) {
            Some(d) => d,
            None => return 1,
        },
    };
    let revision = from_git.as_ref().map(|g| g.commit.to_string());
    let saved = match &args.plan {
        Some(file) => match load_plan(file, printer) {
            Some(plan) => Some(plan),
            None => return 1,
        },
        None => None,
    };
    let connect = crate::engine::Connect {
        credentials: args.record.credentials.as_deref(),
        audit_log: args.record.audit_log.as_deref(),
        show_credentials: args.show_credentials,
        ..args.target.connect()
    };
    let Some(mut o) = observe(connect, &desired.organization.domains, printer).await else {
        return 1;
    };
    // A saved plan is made for its own day; otherwise the day asked for, or today.
    let today = saved
        .as_ref()
        .map_or_else(|| args.date.unwrap_or_else(crate::clock::today), |p| p.as_of);
    let fresh = plan_for(&desired, None, &o, &args.target.path, revision, today);
    let plan = match saved {
        Some(mut plan) => {
            if plan.observed_fingerprint.as_deref() != Some(o.observation.fingerprint().as_str()) {
                printer.error(
                    &crate::t!("error-server-changed"),
                    None,
                    Some(&crate::t!("hint-make-new-plan")),
                );
                return 1;
            }
            if let Some(differences) = differences(&plan, &fresh) {
                printer.error(
                    &format!("{}\n{differences}", crate::t!("error-plan-differs")),
                    None,
                    Some(&crate::t!("hint-make-new-plan-repository")),
                );
                return 1;
            }
            // What is shown is counted from the changes, never taken from the file.
            plan.summary = Plan::summarize(&plan.changes);
            plan
        }
        None => fresh,
    };
    printer.out(&render::text(&plan, printer.stdout_color()));
    if !args.yes && !confirmed(&plan, printer) {
        return 1;
    }
    let settings = Settings {
        concurrency: args.record.concurrency,
        today,
        progress: true,
        guard: Guard::of(&desired),
    };
    let done = match execute(&plan, &mut o, &settings, printer).await {
        Ok(done) => done,
        Err(e) => {
            printer.engine_error(&e);
            return 1;
        }
    };
    if done.failed == 0 && accept(from_git.as_ref(), printer) != 0 {
        return 1;
    }
    let installed = super::render::install(&args.render.target(), &desired.organization, printer);
    if done.blocked + done.failed > 0 || !installed {
        3
    } else {
        0
    }
}

/// On a terminal (standard input and error both), asks before a plan with changes is applied; elsewhere, or
/// with nothing to change, proceeds without asking.
fn confirmed(plan: &Plan, printer: &Printer) -> bool {
    let count = (plan.changes.iter())
        .filter(|c| !matches!(c.action, crate::plan::Action::Blocked { .. }))
        .count();
    if count == 0 || !std::io::stdin().is_terminal() || !std::io::stderr().is_terminal() {
        return true;
    }
    ask(count, &mut std::io::stdin().lock(), printer)
}

/// Asks `apply-confirm` on stderr and reads one answer: yes is `y`, `yes`, `c` or `có`, in any case.
fn ask(count: usize, input: &mut impl std::io::BufRead, printer: &Printer) -> bool {
    use std::io::Write;
    let mut err = std::io::stderr().lock();
    let _ = write!(err, "{}", crate::t!("apply-confirm", count = count));
    let _ = err.flush();
    drop(err);
    let mut answer = String::new();
    match input.read_line(&mut answer) {
        Ok(0) | Err(_) => {
            printer.error(
                &crate::t!("apply-no-answer"),
                None,
                Some(&crate::t!("apply-confirm-hint")),
            );
            false
        }
        Ok(_) => {
            let yes = matches!(answer.trim().to_lowercase().as_str(), "y" | "yes" | "c" | "có");
            if !yes {
                printer.note(&crate::t!("apply-cancelled"));
            }
            yes
        }
    }
}

/// How a saved plan differs from the plan made now, change by change (`None`: the same set of changes).
fn differences(saved: &Plan, fresh: &Plan) -> Option<String> {
    let key = |c: &crate::plan::Change| serde_json::to_string(c).unwrap_or_default();
    let mut count: std::collections::BTreeMap<String, i64> = std::collections::BTreeMap::new();
    for c in &saved.changes {
        *count.entry(key(c)).or_default() += 1;
    }
    for c in &fresh.changes {
        *count.entry(key(c)).or_default() -= 1;
    }
    if count.values().all(|n| *n == 0) {
        return None;
    }
    let line = |c: &crate::plan::Change| {
        format!(
            "{} ({}): {}",
            c.target.address,
            c.target.label(),
            crate::plan::render::describe(&c.action)
        )
    };
    let mut out = String::new();
    let mut shown = 0;
    for (sign, list, what) in [
        (1, &saved.changes, "only in the saved plan"),
        (-1, &fresh.changes, "missing from the saved plan"),
    ] {
        for c in list
            .iter()
            .filter(|c| count.get(&key(c)).is_some_and(|n| n.signum() == sign))
        {
            if shown < 20 {
                out.push_str(&format!("  {what}: {}\n", line(c)));
            }
            shown += 1;
        }
    }
    if shown > 20 {
        out.push_str(&format!("  … and {} more\n", shown - 20));
    }
    Some(out.trim_end().to_string())
}

/// The plan of a desired state against what was observed; `previous` is the desired state last applied (it
/// tells drift from a change).
pub(super) fn plan_for(
    desired: &DesiredState,
    previous: Option<&DesiredState>,
    o: &Observed,
    path: &Path,
    revision: Option<String>,
    today: NaiveDate,
) -> Plan {
    let source = PlanSource {
        path: path.display().to_string(),
        revision,
        base_revision: None,
    };
    o.conn.plan(desired, previous, &o.observation, source, today)
}

/// How `execute` runs.
#[derive(Debug, Clone)]
pub(super) struct Settings {
    /// Changes at the same time.
    pub concurrency: usize,
    /// The day.
    pub today: NaiveDate,
    /// A progress bar on a terminal.
    pub progress: bool,
    /// The safety rules the executor enforces on every change.
    pub guard: Guard,
}

/// Carries out `plan` through the engine (which saves the inventory) and prints what happened. `Err` when
/// the journal, the state file or the audit log cannot be written.
pub(super) async fn execute(
    plan: &Plan,
    o: &mut Observed,
    settings: &Settings,
    printer: &Printer,
) -> Result<Summary, crate::engine::EngineError> {
    let options = ExecuteOptions {
        concurrency: settings.concurrency,
        revision: plan.source.revision.clone(),
        today: settings.today,
        guard: Some(settings.guard.clone()),
    };
    let bar = (settings.progress && plan.changes.len() > 5 && std::io::stderr().is_terminal())
        .then(|| indicatif::ProgressBar::new(plan.changes.len() as u64));
    let tick = || {
        if let Some(b) = &bar {
            b.inc(1);
        }
    };
    let result = o.conn.execute(plan, &o.observation, &options, &tick).await;
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    let report = result?;
    if !plan.has_changes() {
        return Ok(Summary::default());
    }
    let done = report.summary();
    printer.out(&done.text());
    Ok(done)
}
