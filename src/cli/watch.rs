//! `mailops watch`: the options of the GitOps controller; the controller itself is [`crate::watch`].
//!
//! It follows a git reference (or a folder), applies every new good revision, and at every interval re-reads
//! the server to find changes made there by hand (drift).
//!
//! See [`crate::watch`] for what it adds to `apply` (the last good revision in force, drift, backoff).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use clap::Args;

use super::Printer;
use super::apply::RecordArgs;
use super::gitsrc::GitArgs;
use crate::backend::Secret;
use crate::serve::{Status, Telemetry};
use crate::source::remote::redact;
use crate::watch::{DriftMode, Output, Settings, StageError};

/// Arguments of `watch`.
#[derive(Debug, Args)]
pub struct WatchArgs {
    /// The repository (folder, or folder inside --git) and the server.
    #[command(flatten)]
    pub target: super::ServerArgs,
    /// A remote repository as the source.
    #[command(flatten)]
    pub git: GitArgs,
    /// Where passwords and the audit log go.
    #[command(flatten)]
    pub record: RecordArgs,
    /// How often to fetch the source and re-read the server (e.g. `30s`, `5m`; 1s to 24h).
    #[arg(long, value_name = "DURATION", default_value = "60s", value_parser = crate::desired::values::bounds::wait)]
    pub interval: Duration,
    /// Changes made on the server by hand: `report` them, or `heal` them back to the desired state.
    #[arg(long, value_enum, default_value_t = DriftMode::Report)]
    pub drift: DriftMode,
    /// The HTTP endpoint (health, readiness, metrics, status, webhooks).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:9187")]
    pub listen: SocketAddr,
    /// A file holding the webhook secret (default: MAILOPS_WEBHOOK_SECRET; without one, webhooks are refused).
    #[arg(long, value_name = "FILE")]
    pub webhook_secret_file: Option<PathBuf>,
    /// The longest wait between retries after failures (1s to 24h).
    #[arg(long, value_name = "DURATION", default_value = "5m", value_parser = crate::desired::values::bounds::wait)]
    pub max_backoff: Duration,
    /// Where the rendered attachment policy is kept in force.
    #[command(flatten)]
    pub render: super::render::InstallArgs,
}

fn backend_url(args: &WatchArgs) -> String {
    redact(&args.target.server)
}

fn read_secret(args: &WatchArgs, printer: &Printer) -> Result<Option<Secret>, ()> {
    match &args.webhook_secret_file {
        Some(f) => match std::fs::read_to_string(f) {
            Ok(t) if !t.trim().is_empty() => Ok(Some(Secret::new(t.trim().to_string()))),
            Ok(_) => {
                printer.error(
                    &crate::t!("error-webhook-secret-empty", path = f.display().to_string()),
                    None,
                    None,
                );
                Err(())
            }
            Err(e) => {
                printer.error(
                    &crate::t!("error-cannot-read", path = f.display().to_string()),
                    Some(&e),
                    None,
                );
                Err(())
            }
        },
        None => Ok(std::env::var("MAILOPS_WEBHOOK_SECRET")
            .ok()
            .filter(|s| !s.trim().is_empty())
            .map(|s| Secret::new(s.trim().to_string()))),
    }
}

pub(super) fn run(args: WatchArgs, runtime: &tokio::runtime::Runtime, printer: &Printer) -> u8 {
    let Ok(secret) = read_secret(&args, printer) else {
        return 1;
    };
    let telemetry = Arc::new(Telemetry::new(Status {
        source: args
            .git
            .git
            .as_deref()
            .map_or_else(|| args.target.path.display().to_string(), redact),
        reference: args.git.git.as_ref().map(|_| args.git.reference.clone()),
        server: backend_url(&args),
        drift_mode: args.drift.label().to_string(),
        ..Status::default()
    }));
    let settings = Settings {
        path: args.target.path.clone(),
        git: args.git.git.clone().map(|url| (url, args.git.options())),
        server: args.target.server.clone(),
        state: args.target.state.clone(),
        token_file: args.target.token_file.clone(),
        credentials: args.record.credentials.clone(),
        audit_log: args.record.audit_log.clone(),
        concurrency: args.record.concurrency,
        interval: args.interval,
        drift: args.drift,
        max_backoff: args.max_backoff,
        render: args.render.target(),
    };
    let out: Arc<dyn Output> = Arc::new(printer.clone());
    match crate::watch::run(settings, args.listen, secret, telemetry, runtime, out) {
        Ok(()) => {
            printer.note(&crate::t!("watch-stopped"));
            0
        }
        Err(e) => {
            printer.error(&e.to_string(), std::error::Error::source(&e), None);
            1
        }
    }
}

impl Output for Printer {
    fn out(&self, text: &str) {
        Printer::out(self, text);
    }

    fn note(&self, text: &str) {
        Printer::note(self, text);
    }

    fn error(&self, e: &StageError) {
        match e {
            StageError::Revision(e) => self.revision_error(e),
            StageError::Engine(e) => self.engine_error(e),
            e => Printer::error(self, &e.to_string(), std::error::Error::source(e), None),
        }
    }
}
