//! `mailops apply [PATH] --server URL [--plan plan.json]`: carry out the plan on the server.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use clap::Args;

use super::Printer;
use super::plan::{Observed, desired_or_report, observe};
use crate::apply::{ApplyOptions, CredentialsSink, Outcome};
use crate::desired::{self, DesiredState};
use crate::plan::{self, DiffInput, Plan, PlanSource, render};

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
    /// A remote repository as the source.
    #[command(flatten)]
    pub git: super::gitsrc::GitArgs,
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
    /// Changes carried out at the same time.
    #[arg(long, default_value_t = 4)]
    pub concurrency: usize,
}

fn beside(state: &Path, name: &str) -> PathBuf {
    state
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .join(name)
}

fn load_plan(path: &Path, printer: &Printer) -> Option<Plan> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| printer.error(&format!("cannot read {}", path.display()), Some(&e), None))
        .ok()?;
    serde_json::from_str(&text)
        .map_err(|e| {
            printer.error(
                &format!("{} is not a mailops plan", path.display()),
                Some(&e),
                None,
            )
        })
        .ok()
}

/// Records an applied remote revision: later revisions must descend from it.
fn accept(from_git: Option<&super::gitsrc::GitDesired>, printer: &Printer) -> u8 {
    match from_git.map(|g| g.remote.accept(g.commit)) {
        Some(Err(e)) => {
            printer.error("cannot record the applied revision", Some(&e), None);
            1
        }
        _ => 0,
    }
}

pub(super) fn run(args: &ApplyArgs, printer: &Printer) -> u8 {
    let today = args.date.unwrap_or_else(|| chrono::Local::now().date_naive());
    let mut from_git = None;
    let desired = match (&args.plan, &args.git.git) {
        (Some(_), _) => None,
        (None, Some(url)) => match super::gitsrc::load(&args.git, url, &args.target.path, printer) {
            Ok(g) => {
                let d = g.desired.clone();
                from_git = Some(g);
                Some(d)
            }
            Err(_) => return 1,
        },
        (None, None) => match desired_or_report(&args.target.path, printer) {
            Some(d) => Some(d),
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
    let domains = match (&saved, &desired) {
        (Some(plan), _) => plan.server_domains.clone(),
        (None, Some(d)) => d.organization.domains.clone(),
        (None, None) => Vec::new(),
    };
    let Some(mut o) = observe(args.target.connect(), &domains, printer) else {
        return 1;
    };
    let plan = match (saved, &desired) {
        (Some(plan), _) => {
            if plan.observed_fingerprint.as_deref() != Some(o.observation.fingerprint().as_str()) {
                printer.error(
                    "the server changed since this plan was made; nothing was applied",
                    None,
                    Some("make a new plan: mailops plan --server … --out plan.json"),
                );
                return 1;
            }
            plan
        }
        (None, Some(desired)) => plan_for(desired, None, &o, &args.target.path, revision, today),
        (None, None) => return 1,
    };
    printer.out(&render::text(&plan, printer.stdout_color()));
    let settings = Settings {
        credentials: args.record.credentials.clone(),
        show_credentials: args.show_credentials,
        audit_log: args.record.audit_log.clone(),
        concurrency: args.record.concurrency,
        today,
        progress: true,
    };
    let Ok(done) = execute(&plan, &mut o, &settings, printer) else {
        return 1;
    };
    if done.failed == 0 && accept(from_git.as_ref(), printer) != 0 {
        return 1;
    }
    if done.blocked + done.failed > 0 { 3 } else { 0 }
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
    let mut p = plan::diff(&DiffInput {
        desired: Some(desired),
        previous,
        observed: &o.observation,
        inventory: &o.inventory,
        capabilities: o.backend.capabilities(),
        today,
        source: PlanSource {
            path: path.display().to_string(),
            revision,
            base_revision: None,
        },
        keep_old_address_as_alias: desired.organization.keep_old_address_as_alias,
    });
    p.observed_fingerprint = Some(o.observation.fingerprint());
    p.server_domains.clone_from(&desired.organization.domains);
    p
}

/// How `execute` delivers passwords and records changes.
#[derive(Debug, Clone)]
pub(super) struct Settings {
    /// Where initial passwords are written (default: beside the state file).
    pub credentials: Option<PathBuf>,
    /// Print them instead.
    pub show_credentials: bool,
    /// The audit log (default: beside the state file).
    pub audit_log: Option<PathBuf>,
    /// Changes at the same time.
    pub concurrency: usize,
    /// The day.
    pub today: NaiveDate,
    /// A progress bar on a terminal.
    pub progress: bool,
}

/// What `execute` did.
#[derive(Debug, Default)]
pub(super) struct Executed {
    /// Changes applied, by action verb.
    pub applied_by_action: std::collections::BTreeMap<&'static str, u64>,
    /// Changes applied.
    pub applied: usize,
    /// Changes refused by the safety rules.
    pub blocked: usize,
    /// Changes that failed, with why.
    pub failed: usize,
    /// `failed: …` lines.
    pub failures: Vec<String>,
}

/// Carries out `plan` and saves the inventory (even when nothing changes: accounts created in a bulk import
/// last time get their server ids). `Err` when the state, the credentials or the audit log cannot be
/// written (printed).
pub(super) fn execute(
    plan: &Plan,
    o: &mut Observed,
    settings: &Settings,
    printer: &Printer,
) -> Result<Executed, ()> {
    let ids_filled = o.inventory.record_ids(&o.observation) > 0;
    let adopted_only = plan
        .changes
        .iter()
        .all(|c| matches!(c.action, plan::Action::Adopt { .. }));
    if !plan.has_changes() {
        if ids_filled && let Err(e) = o.store.save(&o.inventory) {
            printer.error("cannot write the state file", Some(&e), None);
            return Err(());
        }
        return Ok(Executed::default());
    }
    let state_path = o.store.path().to_path_buf();
    let credentials_file = settings
        .credentials
        .clone()
        .unwrap_or_else(|| beside(&state_path, "mailops-credentials.txt"));
    let options = ApplyOptions {
        concurrency: settings.concurrency,
        revision: plan.source.revision.clone(),
        today: settings.today,
        credentials: if settings.show_credentials {
            CredentialsSink::Show
        } else {
            CredentialsSink::File(credentials_file.clone())
        },
        audit_log: Some(
            settings
                .audit_log
                .clone()
                .unwrap_or_else(|| beside(&state_path, "mailops-audit.jsonl")),
        ),
    };
    let bar = (settings.progress && plan.changes.len() > 5 && std::io::stderr().is_terminal())
        .then(|| indicatif::ProgressBar::new(plan.changes.len() as u64));
    let tick = || {
        if let Some(b) = &bar {
            b.inc(1);
        }
    };
    let result = o.runtime.block_on(crate::apply::apply(
        plan,
        o.backend.as_ref(),
        &mut o.inventory,
        &options,
        &tick,
    ));
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    // The inventory is saved whatever happened: it must record every change that was made.
    if let Err(e) = o.store.save(&o.inventory) {
        printer.error(
            "cannot write the state file",
            Some(&e),
            Some("run `mailops adopt` to rebuild it"),
        );
        return Err(());
    }
    let report = match result {
        Ok(r) => r,
        Err(e) => {
            printer.error("cannot record the credentials or the audit log", Some(&e), None);
            return Err(());
        }
    };
    let mut done = Executed::default();
    (done.applied, done.blocked, done.failed) = report.counts();
    let mut out = String::new();
    for o in &report.outcomes {
        match &o.outcome {
            Outcome::Failed { message, .. } => {
                let line = format!(
                    "failed: {} {} ({}): {message}",
                    o.action.verb(),
                    o.address,
                    o.target
                );
                out.push_str(&line);
                out.push('\n');
                done.failures.push(line);
            }
            Outcome::Applied => *done.applied_by_action.entry(o.action.name()).or_default() += 1,
            Outcome::Blocked => {}
        }
    }
    for (mailbox, password, recipient) in &report.credentials {
        out.push_str(&format!(
            "password of {mailbox} (for {recipient}): {}\n",
            password.expose()
        ));
    }
    let created = plan.summary.create + plan.summary.access;
    if !settings.show_credentials && created > 0 && !adopted_only && credentials_file.exists() {
        out.push_str(&format!(
            "new passwords were written to {} (mode 0600)\n",
            credentials_file.display()
        ));
    }
    out.push_str(&format!(
        "Apply: {} applied, {} blocked, {} failed.\n",
        done.applied, done.blocked, done.failed
    ));
    printer.out(&out);
    Ok(done)
}
