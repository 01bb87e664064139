//! The command line: one file per subcommand, a shared printer, and the mapping to exit codes.

mod address;
mod adopt;
mod apply;
mod crd;
mod directory;
pub mod docs;
mod gitsrc;
mod import;
mod operator;
mod output;
mod plan;
mod render;
mod report;
mod schema;
mod validate;
mod verify;
mod watch;

use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

pub use output::Printer;

/// Declarative GitOps reconciler for mailboxes.
///
/// mailops reads the staff of an agency from YAML manifests (an Organization, one Mailbox per person, the
/// agency's SharedMailbox), checks them against the naming policy, and keeps the mail server in step.
#[derive(Debug, Parser)]
#[command(name = "mailops", version, propagate_version = true, max_term_width = 100)]
pub struct Cli {
    /// Options for every subcommand.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Options shared by every subcommand.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// More log output on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides it.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    /// Print only errors and the requested output.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Format of log lines on stderr.
    #[arg(long, value_enum, default_value_t = LogFormat::Text, global = true)]
    pub log_format: LogFormat,
    /// When to use colours (NO_COLOR is respected with `auto`).
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true)]
    pub color: ColorChoice,
    /// The language: vi (Tiếng Việt) or en. Messages follow LC_ALL, LC_MESSAGES or LANG by default (vi_VN is
    /// Vietnamese); the directory and reports, the agency's documents, are Vietnamese unless asked. JSON
    /// output and exit codes are the same in both.
    #[arg(long, value_enum, global = true)]
    pub lang: Option<crate::i18n::Lang>,
}

/// Log line format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

/// Colour policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Colour when writing to a terminal and NO_COLOR is unset.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

/// A staff repository and the server it is applied to (`apply`, `adopt`).
#[derive(Debug, Args)]
pub struct ServerArgs {
    /// The staff repository folder.
    #[arg(default_value = ".")]
    pub path: std::path::PathBuf,
    /// The server: `maildir:PATH` (the embedded Maildir/Dovecot backend) or `modoboa+http(s)://HOST[:PORT]`
    /// (Modoboa's REST API; settings `?requests-per-second=N&page-size=N`).
    #[arg(long, value_name = "URL")]
    pub server: String,
    /// The state file (default: beside a maildir's mail, else ./mailops-state.json).
    #[arg(long, value_name = "FILE")]
    pub state: Option<std::path::PathBuf>,
    /// A file holding the server's API token (default: the MAILOPS_TOKEN environment variable).
    #[arg(long, value_name = "FILE")]
    pub token_file: Option<std::path::PathBuf>,
}

impl ServerArgs {
    /// How to reach the server.
    #[must_use]
    pub(crate) fn connect(&self) -> crate::engine::Connect<'_> {
        crate::engine::Connect {
            server: &self.server,
            state: self.state.as_deref(),
            token_file: self.token_file.as_deref(),
            credentials: None,
            audit_log: None,
            show_credentials: false,
            recover: crate::engine::Recover::Resolve,
        }
    }
}

/// Output format of reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum OutputFormat {
    /// For people.
    #[default]
    Text,
    /// For machines (versioned, documented in README).
    Json,
}

const PLAN_EXAMPLES: &str = "\
Examples:
  # What apply would change on the embedded Maildir/Dovecot folder (nothing is written):
  mailops plan examples/bdt-binhthuan --server maildir:/srv/mail
  # A pull request's changes as a review comment, with no server (in a clone):
  mailops plan staff --base origin/main --output markdown > plan.md
  # Save the plan; `mailops apply --plan plan.json` then applies exactly it:
  MAILOPS_TOKEN=… mailops plan staff --server modoboa+https://mail.example.gov.vn --out plan.json";

const APPLY_EXAMPLES: &str = "\
Examples:
  # Show the plan, ask, then apply (on a terminal; --yes does not ask, nor does a script):
  mailops apply examples/bdt-binhthuan --server maildir:/srv/mail
  # Apply a plan saved by `plan --out`, refused if the server or the repository changed since:
  mailops apply staff --server maildir:/srv/mail --plan plan.json --yes
  # Print new passwords once instead of writing them to a 0600 file:
  mailops apply staff --server maildir:/srv/mail --show-credentials";

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check a staff repository: syntax, naming policy, references, addresses. Reports every problem at once.
    ///
    /// Exit status: 0 valid (warnings allowed), 1 invalid.
    Validate(validate::ValidateArgs),
    /// Derive the address of a person from the full name (rule II.2) and, with --repo, check it is free.
    ///
    /// The first line of output is the address alone, for scripts.
    Address(address::AddressArgs),
    /// Print the staff directory (rule II.3): grouped by unit, with account, full name, title, backup e-mail.
    Directory(directory::DirectoryArgs),
    /// Show what a change to the staff repository would do: who is created, renamed, updated, suspended,
    /// deleted, and who gains or loses access.
    ///
    /// With --server, compares the repository with the server and the inventory. With --base, compares two
    /// git revisions of a local clone, with no server (pull-request review).
    /// Exit status: 0 no changes, 2 changes, 1 error.
    #[command(after_help = PLAN_EXAMPLES)]
    Plan(plan::PlanArgs),
    /// Carry out the plan on the server: creations, renames (mail kept), updates, access changes, staged
    /// removals. Initial passwords go to a 0600 file; every change goes to the audit log.
    ///
    /// Exit status: 0 all applied, 3 some changes blocked or failed, 1 error.
    #[command(after_help = APPLY_EXAMPLES)]
    Apply(Box<apply::ApplyArgs>),
    /// Rebuild the inventory (what mailops manages) from the repository and the server: every account whose
    /// address a Mailbox or SharedMailbox asks for is adopted; others stay unmanaged and are never touched.
    Adopt(adopt::AdoptArgs),
    /// Write a repository from what a server holds and from the staff list (.csv, .xlsx, .xls, .ods): valid as
    /// written, planning to no changes, with a report of what to review against rule II.2. Never writes to
    /// the server; fills the state file as `adopt` does.
    ///
    /// Exit status: 0 written, 1 error (nothing written to the server in any case).
    Import(Box<import::ImportArgs>),
    /// Reports from the repository and the server: `report usage` (rules III.4 and V.1: who checked mail).
    /// Read-only.
    Report(Box<report::ReportArgs>),
    /// Render configuration for the mail server from the repository: `render attachments --for postfix|rspamd`
    /// (rule III.3). `apply` and `watch` keep such files in force with their --attachments-* flags.
    Render(render::RenderArgs),
    /// Write the Kubernetes CustomResourceDefinitions (Mailbox, SharedMailbox, Organization, MailServer),
    /// generated from the same spec types as the manifests: `mailops crd --out crds/`.
    Crd(crd::CrdArgs),
    /// Print what each backend can do (rename keeps mail, suspend, delegation, quotas, last login, bulk
    /// creation…), as the README's matrix; a change a backend cannot do shows as blocked in the plan.
    Capabilities,
    /// Print the JSON Schema of manifest files (for editors: `# yaml-language-server: $schema=…`).
    Schema(schema::SchemaArgs),
    /// Check that commits are signed by allowed signers (SSH signatures, git's allowed-signers format),
    /// each within the paths its signer may change.
    Verify(verify::VerifyArgs),
    /// The GitOps controller: apply every new good revision of a git reference (or a folder), check the
    /// server for changes made by hand at every interval, and serve health, metrics, status and webhooks.
    ///
    /// A revision that cannot be fetched, verified or validated is never applied; the last good one stays in
    /// force. Runs until SIGTERM or Ctrl-C, then finishes the reconcile in flight. Exit status: 0 stopped, 1
    /// could not start.
    Watch(Box<watch::WatchArgs>),
    /// Kubernetes CRD mode: reconcile the Mailbox, SharedMailbox and Organization resources of every
    /// namespace against the namespace's MailServer, with finalizers, Events, statuses and the same safety
    /// as git mode. Serves /healthz, /readyz and /metrics; `--leader-elect` for more than one replica.
    Operator(operator::OperatorArgs),
    /// Print the shell completion script: `mailops completions bash > /etc/bash_completion.d/mailops`
    /// (also zsh, fish, powershell, elvish).
    Completions(docs::CompletionsArgs),
    /// Write the manual pages (mailops.1 and one per subcommand): `mailops man --out /usr/local/share/man/man1`.
    Man(docs::ManArgs),
}

/// Prints a report on stdout, or writes it atomically to `out` and says so; the exit code.
fn emit(text: &str, out: Option<&std::path::Path>, printer: &Printer) -> u8 {
    match out {
        None => printer.out(text),
        Some(file) => {
            if let Err(e) = write_atomically(file, text.as_bytes()) {
                printer.error(
                    &crate::t!("error-cannot-write", path = file.display().to_string()),
                    Some(&e),
                    None,
                );
                return 1;
            }
            printer.note(&format!("wrote {}", file.display()));
        }
    }
    0
}

/// Runs the parsed command line and returns the process exit code.
#[must_use]
pub fn run(cli: Cli) -> ExitCode {
    crate::i18n::set(cli.global.lang);
    let printer = Printer::new(&cli.global);
    let p = &printer;
    let code = match cli.command {
        Command::Validate(a) => validate::run(&a, p),
        Command::Address(a) => address::run(&a, p),
        Command::Directory(a) => directory::run(&a, p),
        Command::Schema(a) => schema::run(&a, p),
        Command::Render(a) => render::run(&a, p),
        Command::Capabilities => {
            p.out(&crate::backend::capability_matrix());
            0
        }
        Command::Crd(a) => crd::run(&a, p),
        Command::Verify(a) => verify::run(&a, p),
        Command::Completions(a) => docs::run_completions(&a, p),
        Command::Man(a) => docs::run_man(&a, p),
        // The commands that talk to a server or serve HTTP enter the runtime once, here.
        Command::Plan(a) => with_runtime(p, |rt| rt.block_on(plan::run(&a, p))),
        Command::Adopt(a) => with_runtime(p, |rt| rt.block_on(adopt::run(&a, p))),
        Command::Report(a) => with_runtime(p, |rt| rt.block_on(report::run(&a, p))),
        Command::Import(a) => with_runtime(p, |rt| rt.block_on(import::run(&a, p))),
        Command::Apply(a) => with_runtime(p, |rt| rt.block_on(apply::run(&a, p))),
        Command::Operator(a) => with_runtime(p, |rt| rt.block_on(operator::run(&a, p))),
        Command::Watch(a) => with_runtime(p, |rt| watch::run(*a, rt, p)),
    };
    ExitCode::from(code)
}

/// Runs `f` on the one runtime of the command (2 worker threads).
fn with_runtime(printer: &Printer, f: impl FnOnce(&tokio::runtime::Runtime) -> u8) -> u8 {
    match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => f(&rt),
        Err(e) => {
            printer.error(&crate::t!("error-runtime"), Some(&e), None);
            1
        }
    }
}

/// Sets up tracing on stderr from the global options.
pub fn init_logging(global: &GlobalArgs) {
    use tracing_subscriber::EnvFilter;
    let level = match (global.quiet, global.verbose) {
        (true, _) => "error",
        (false, 0) => "warn",
        (false, 1) => "info",
        (false, 2) => "debug",
        _ => "trace",
    };
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(format!("mailops={level}")));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false);
    let _ = match global.log_format {
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
        LogFormat::Text => builder.with_ansi(output::stderr_color(global.color)).try_init(),
    };
}

/// Writes through a temporary file in the same folder and renames it over the target.
pub(crate) fn write_atomically(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    crate::atomic::write("out", path, bytes, Some(0o644))
}
