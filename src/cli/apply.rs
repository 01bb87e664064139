//! `mailops apply [PATH] --server URL [--plan plan.json]`: carry out the plan on the server.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use clap::Args;

use super::Printer;
use super::plan::{desired_or_report, observe};
use crate::apply::{ApplyOptions, CredentialsSink, Outcome};
use crate::desired;
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
    /// Where initial passwords are written, mode 0600 (default: beside the state file).
    #[arg(long, value_name = "FILE", conflicts_with = "show_credentials")]
    pub credentials: Option<PathBuf>,
    /// Print initial passwords once on stdout instead of writing them to a file.
    #[arg(long)]
    pub show_credentials: bool,
    /// The append-only audit log, JSON lines (default: beside the state file).
    #[arg(long, value_name = "FILE")]
    pub audit_log: Option<PathBuf>,
    /// Changes carried out at the same time.
    #[arg(long, default_value_t = 4)]
    pub concurrency: usize,
    /// The day to plan and apply for (YYYY-MM-DD; default today).
    #[arg(long, value_name = "DATE", value_parser = desired::values::parse_date)]
    pub date: Option<NaiveDate>,
    /// A remote repository as the source.
    #[command(flatten)]
    pub git: super::gitsrc::GitArgs,
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
            Some(g) => {
                let d = g.desired.clone();
                from_git = Some(g);
                Some(d)
            }
            None => return 1,
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
    // Accounts created in a bulk import last time get their server ids now (saved with this run's state).
    let ids_filled = o.inventory.record_ids(&o.observation) > 0;
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
        (None, Some(desired)) => {
            let mut p = plan::diff(&DiffInput {
                desired: Some(desired),
                previous: None,
                observed: &o.observation,
                inventory: &o.inventory,
                capabilities: o.backend.capabilities(),
                today,
                source: PlanSource {
                    path: args.target.path.display().to_string(),
                    revision: revision.clone(),
                    base_revision: None,
                },
                keep_old_address_as_alias: desired.organization.keep_old_address_as_alias,
            });
            p.observed_fingerprint = Some(o.observation.fingerprint());
            p.server_domains = domains;
            p
        }
        (None, None) => return 1,
    };
    printer.out(&render::text(&plan, printer.stdout_color()));
    let adopted_only = plan
        .changes
        .iter()
        .all(|c| matches!(c.action, plan::Action::Adopt { .. }));
    if !plan.has_changes() {
        if ids_filled && let Err(e) = o.store.save(&o.inventory) {
            printer.error("cannot write the state file", Some(&e), None);
            return 1;
        }
        return accept(from_git.as_ref(), printer);
    }
    let state_path = o.store.path().to_path_buf();
    let credentials_file = args
        .credentials
        .clone()
        .unwrap_or_else(|| beside(&state_path, "mailops-credentials.txt"));
    let options = ApplyOptions {
        concurrency: args.concurrency,
        revision: plan.source.revision.clone(),
        today,
        credentials: if args.show_credentials {
            CredentialsSink::Show
        } else {
            CredentialsSink::File(credentials_file.clone())
        },
        audit_log: Some(
            args.audit_log
                .clone()
                .unwrap_or_else(|| beside(&state_path, "mailops-audit.jsonl")),
        ),
    };
    let bar = (plan.changes.len() > 5 && std::io::stderr().is_terminal())
        .then(|| indicatif::ProgressBar::new(plan.changes.len() as u64));
    let tick = || {
        if let Some(b) = &bar {
            b.inc(1);
        }
    };
    let result = o.runtime.block_on(crate::apply::apply(
        &plan,
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
        return 1;
    }
    let report = match result {
        Ok(r) => r,
        Err(e) => {
            printer.error("cannot record the credentials or the audit log", Some(&e), None);
            return 1;
        }
    };
    let (applied, blocked, failed) = report.counts();
    let mut out = String::new();
    for o in &report.outcomes {
        if let Outcome::Failed { message, .. } = &o.outcome {
            out.push_str(&format!(
                "failed: {} {} ({}): {message}\n",
                o.action.verb(),
                o.address,
                o.target
            ));
        }
    }
    for (mailbox, password, recipient) in &report.credentials {
        out.push_str(&format!(
            "password of {mailbox} (for {recipient}): {}\n",
            password.expose()
        ));
    }
    let created = plan.summary.create + plan.summary.access;
    if !args.show_credentials && created > 0 && !adopted_only && credentials_file.exists() {
        out.push_str(&format!(
            "new passwords were written to {} (mode 0600)\n",
            credentials_file.display()
        ));
    }
    out.push_str(&format!(
        "Apply: {applied} applied, {blocked} blocked, {failed} failed.\n"
    ));
    printer.out(&out);
    if failed == 0 && accept(from_git.as_ref(), printer) != 0 {
        return 1;
    }
    if blocked + failed > 0 { 3 } else { 0 }
}
