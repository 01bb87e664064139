//! `mailops plan [PATH] --server URL`: what applying the repository would change on a server, and
//! `mailops plan --base REV [--head REV] [PATH]`: pull-request review with no server at all.

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::{Args, ValueEnum};

use super::Printer;
use crate::backend::{Capabilities, Observation, OpenOptions, Secret};
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
    let plan = match (&args.base, &args.server) {
        (Some(base), _) => review(args, base, printer),
        (None, Some(server)) => against_server(args, server, printer),
        (None, None) => None,
    };
    let Some(plan) = plan else {
        return 1;
    };
    if let Some(out) = &args.out
        && let Err(e) = super::write_atomically(out, render::json(&plan).as_bytes())
    {
        printer.error(&format!("cannot write {}", out.display()), Some(&e), None);
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
    let (validated, sources) =
        super::validate::load_and_validate(path, crate::manifest::loader::DEFAULT_MAX_FILE_SIZE);
    match validated.state {
        Some(s) if !validated.diagnostics.has_errors() => Some(s),
        _ => {
            printer.diagnostics(&validated.diagnostics, &sources);
            printer.error(
                &format!("{} is not valid; nothing was planned", path.display()),
                None,
                Some("fix the errors above (mailops validate shows them too)"),
            );
            None
        }
    }
}

/// A server read, with the locked state file and its inventory.
pub(super) struct Observed {
    /// The backend.
    pub backend: Box<dyn crate::backend::MailBackend>,
    /// What it holds.
    pub observation: Observation,
    /// The state file, locked for this run.
    pub store: crate::state::StateStore,
    /// The inventory read from it.
    pub inventory: Inventory,
    /// The runtime the backend was read with (a client's connections belong to it).
    pub runtime: tokio::runtime::Runtime,
}

/// How to reach a server: its URL, the state file, where its token is.
#[derive(Debug, Clone, Copy)]
pub struct Connect<'a> {
    /// The server URL.
    pub server: &'a str,
    /// The state file, if not the default.
    pub state: Option<&'a std::path::Path>,
    /// The token file, if not MAILOPS_TOKEN.
    pub token_file: Option<&'a std::path::Path>,
}

/// The API token: from the token file, else MAILOPS_TOKEN; `None` when neither is given.
fn token(token_file: Option<&std::path::Path>) -> Result<Option<Secret>, String> {
    if let Some(path) = token_file {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read the token file {}: {e}", path.display()))?;
        let token = text.trim();
        if token.is_empty() {
            return Err(format!("the token file {} is empty", path.display()));
        }
        return Ok(Some(Secret::new(token.to_string())));
    }
    Ok(std::env::var("MAILOPS_TOKEN")
        .ok()
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
        .map(Secret::new))
}

/// Opens the server and reads the accounts of `domains`, and the state file's inventory.
pub(super) fn observe(connect: Connect<'_>, domains: &[String], printer: &Printer) -> Option<Observed> {
    let token = token(connect.token_file)
        .map_err(|e| printer.error(&e, None, None))
        .ok()?;
    let options = OpenOptions {
        domains: domains.to_vec(),
        token,
    };
    let backend = crate::backend::open(connect.server, &options)
        .map_err(|e| printer.error("cannot open the server", Some(&e), None))
        .ok()?;
    let state_path = connect.state.map_or_else(
        || crate::backend::default_state_file(connect.server),
        std::path::Path::to_path_buf,
    );
    let store = crate::state::StateStore::open(&state_path)
        .map_err(|e| printer.error("cannot open the state file", Some(&e), None))
        .ok()?;
    let inventory = store
        .load()
        .map_err(|e| {
            printer.error(
                "cannot read the state file",
                Some(&e),
                Some("a lost state file is safe: `mailops adopt` rebuilds it"),
            )
        })
        .ok()?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| printer.error("cannot start the runtime", Some(&e), None))
        .ok()?;
    let observation = runtime
        .block_on(backend.observe())
        .map_err(|e| printer.error("cannot read the server", Some(&e), None))
        .ok()?;
    Some(Observed {
        backend,
        observation,
        store,
        inventory,
        runtime,
    })
}

fn against_server(args: &PlanArgs, server: &str, printer: &Printer) -> Option<plan::Plan> {
    let desired = desired_or_report(&args.path, printer)?;
    let connect = Connect {
        server,
        state: args.state.as_deref(),
        token_file: args.token_file.as_deref(),
    };
    let o = observe(connect, &desired.organization.domains, printer)?;
    let input = DiffInput {
        desired: Some(&desired),
        previous: None,
        observed: &o.observation,
        inventory: &o.inventory,
        capabilities: o.backend.capabilities(),
        today: args.date.unwrap_or_else(|| chrono::Local::now().date_naive()),
        source: PlanSource {
            path: args.path.display().to_string(),
            revision: None,
            base_revision: None,
        },
        keep_old_address_as_alias: desired.organization.keep_old_address_as_alias,
    };
    let mut plan = plan::diff(&input);
    plan.observed_fingerprint = Some(o.observation.fingerprint());
    plan.server_domains.clone_from(&desired.organization.domains);
    Some(plan)
}

fn review(args: &PlanArgs, base_rev: &str, printer: &Printer) -> Option<plan::Plan> {
    let source = GitSource::open(&args.path)
        .map_err(|e| {
            printer.error(
                "cannot open the git repository",
                Some(&e),
                Some("run inside a clone, or give the folder"),
            )
        })
        .ok()?;
    let options = LoadOptions::default();
    let (base, head) = match (source.load(base_rev, options), source.load(&args.head, options)) {
        (Ok(b), Ok(h)) => (b, h),
        (Err(e), _) | (_, Err(e)) => {
            printer.error(
                "cannot read the revisions to compare",
                Some(&e),
                Some("fetch the base branch first, e.g. `git fetch origin main`"),
            );
            return None;
        }
    };
    let base_state = desired_at(&base, printer, "base", false).ok()?;
    let head_state = desired_at(&head, printer, "head", true).ok()?;
    // Without a base state (the folder is new), the "server" is complete and empty.
    let (observed, inventory) = base_state.as_ref().map_or_else(
        || (Observation::complete(Vec::new()), Inventory::default()),
        plan::synthesize,
    );
    let input = DiffInput {
        desired: head_state.as_ref(),
        previous: base_state.as_ref(),
        observed: &observed,
        inventory: &inventory,
        capabilities: Capabilities::ALL,
        today: args.date.unwrap_or_else(|| chrono::Local::now().date_naive()),
        source: PlanSource {
            path: args.path.display().to_string(),
            revision: Some(head.commit.clone()),
            base_revision: Some(base.commit.clone()),
        },
        keep_old_address_as_alias: head_state
            .as_ref()
            .is_none_or(|s| s.organization.keep_old_address_as_alias),
    };
    let mut plan = plan::diff(&input);
    plan.policy_changes = policy_changes(
        base_state.as_ref().map(|s| &s.organization),
        head_state.as_ref().map(|s| &s.organization),
    );
    Some(plan)
}
