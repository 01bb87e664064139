//! `mailops plan --base REV [--head REV] [PATH]`: pull-request review with no server at all.

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::{Args, ValueEnum};

use super::Printer;
use crate::backend::{Capabilities, Observation};
use crate::desired::{self, DesiredState};
use crate::manifest::LoadOptions;
use crate::plan::{self, DiffInput, PlanSource, policy::policy_changes, render};
use crate::source::git::{GitSource, RevisionManifests};
use crate::state::Inventory;

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
pub struct PlanArgs {
    /// The staff repository folder (inside a git clone).
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// The revision the change starts from (the pull request's target, e.g. `origin/main`).
    #[arg(long, value_name = "REV")]
    pub base: String,
    /// The revision with the change (default: HEAD).
    #[arg(long, value_name = "REV", default_value = "HEAD")]
    pub head: String,
    /// Output format.
    #[arg(long, short, value_enum, default_value_t = PlanFormat::Text)]
    pub output: PlanFormat,
    /// The day to plan for: start and end dates, grace periods (YYYY-MM-DD; default today).
    #[arg(long, value_name = "DATE", value_parser = desired::values::parse_date)]
    pub date: Option<NaiveDate>,
}

/// A revision's desired state: `Ok(None)` when the revision holds no manifests at all.
fn desired_at(
    rev: &RevisionManifests,
    printer: &Printer,
    label: &str,
    strict: bool,
) -> Result<Option<DesiredState>, ()> {
    let repo = &rev.repository;
    if !rev.path_exists || (repo.resources.is_empty() && repo.diagnostics.is_empty()) {
        return Ok(None);
    }
    let validated = desired::validate(repo);
    if validated.diagnostics.has_errors() {
        if strict {
            printer.diagnostics(&validated.diagnostics, &repo.sources);
            printer.error(
                &format!(
                    "the {label} revision {} is not valid; no plan was made",
                    &rev.commit[..12]
                ),
                None,
                Some("fix the errors above; `mailops validate` shows them on a checkout"),
            );
            return Err(());
        }
        printer.note(&format!(
            "note: the {label} revision has {} error(s); its valid part is used",
            validated.diagnostics.error_count()
        ));
    }
    Ok(validated
        .state
        .filter(|s| !s.mailboxes.is_empty() || !s.shared_mailboxes.is_empty()))
}

pub(super) fn run(args: &PlanArgs, printer: &Printer) -> u8 {
    let source = match GitSource::open(&args.path) {
        Ok(s) => s,
        Err(e) => {
            printer.error(
                "cannot open the git repository",
                Some(&e),
                Some("run inside a clone, or give the folder"),
            );
            return 1;
        }
    };
    let options = LoadOptions::default();
    let (base, head) = match (source.load(&args.base, options), source.load(&args.head, options)) {
        (Ok(b), Ok(h)) => (b, h),
        (Err(e), _) | (_, Err(e)) => {
            printer.error(
                "cannot read the revisions to compare",
                Some(&e),
                Some("fetch the base branch first, e.g. `git fetch origin main`"),
            );
            return 1;
        }
    };
    let Ok(base_state) = desired_at(&base, printer, "base", false) else {
        return 1;
    };
    let Ok(head_state) = desired_at(&head, printer, "head", true) else {
        return 1;
    };
    // Without a base state (the folder is new), the "server" is complete and empty.
    let (observed, inventory) = base_state.as_ref().map_or_else(
        || (Observation::complete(Vec::new()), Inventory::default()),
        plan::synthesize,
    );
    let today = args.date.unwrap_or_else(|| chrono::Local::now().date_naive());
    let input = DiffInput {
        desired: head_state.as_ref(),
        previous: base_state.as_ref(),
        observed: &observed,
        inventory: &inventory,
        capabilities: Capabilities::ALL,
        today,
        source: PlanSource {
            path: args.path.display().to_string(),
            revision: Some(head.commit.clone()),
            base_revision: Some(base.commit.clone()),
        },
        keep_old_address_as_alias: true,
    };
    let mut plan = plan::diff(&input);
    // Comparing revisions, the "server" is the base revision as applied: its fingerprint means nothing.
    plan.observed_fingerprint = None;
    plan.policy_changes = policy_changes(
        base_state.as_ref().map(|s| &s.organization),
        head_state.as_ref().map(|s| &s.organization),
    );
    let text = match args.output {
        PlanFormat::Text => render::text(&plan, printer.stdout_color()),
        PlanFormat::Json => render::json(&plan),
        PlanFormat::Markdown => render::markdown(&plan),
    };
    printer.out(&text);
    if plan.has_changes() { 2 } else { 0 }
}
