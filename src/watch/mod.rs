//! The GitOps controller (`mailops watch`). It follows a git reference (or a folder), applies every new good
//! revision, and at every interval re-reads the server to find changes made there by hand (drift).
//!
//! Each reconcile takes the same path as `mailops apply`: source ([`crate::source::revision`]) → desired
//! state → the engine's observation, plan and execution, with the same safety rules. What watch adds:
//! - a revision that cannot be fetched, verified or validated is never applied: the last good one stays in
//!   force (its drift is still checked), and the typed error goes to `/status` and the metrics;
//! - drift ([`drift`], pure) is measured against the server as mailops last left it (re-read after every
//!   apply): `report` holds back the changes that would undo a hand-made change (unless the revision itself
//!   changes that account), `heal` applies them;
//! - failures are retried with exponential backoff (2 s, doubling, up to the maximum); successes wait for the
//!   interval or a webhook;
//! - SIGTERM or Ctrl-C stops it after the reconcile in flight.
//!
//! [`controller`] is the loop; [`run`] serves the endpoint beside it on the command's one runtime.

pub mod controller;
pub mod drift;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::mpsc;

pub use controller::{Controller, Settings, StageError, Wake};

use crate::backend::Secret;
use crate::serve::{self, Endpoint, Telemetry};

/// What to do with changes made on the server by hand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DriftMode {
    /// Report them (status, metrics, log) and leave them as they are.
    Report,
    /// Restore the desired state.
    Heal,
}

impl DriftMode {
    /// `report` or `heal`.
    #[must_use]
    pub const fn label(self) -> &'static str {
        match self {
            DriftMode::Report => "report",
            DriftMode::Heal => "heal",
        }
    }
}

/// Where the controller's words go: the plans and results on stdout, notes and errors for people.
pub trait Output: Send + Sync {
    /// A plan, or what an apply did.
    fn out(&self, text: &str);
    /// A note (starting, stopping).
    fn note(&self, text: &str);
    /// A stage that failed (the reconcile goes on; `/status` has it too).
    fn error(&self, e: &StageError);
}

/// Why watch stopped other than by a signal.
#[derive(Debug, thiserror::Error)]
pub enum WatchError {
    /// The address cannot be listened on.
    #[error("cannot listen on {addr}")]
    Listen {
        /// The address.
        addr: SocketAddr,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The endpoint failed.
    #[error("the HTTP endpoint failed")]
    Serve(#[source] std::io::Error),
    /// The loop ended with a panic.
    #[error("the reconcile loop ended unexpectedly")]
    Loop,
}

/// Runs the controller and its endpoint on `runtime` until SIGTERM or Ctrl-C, then waits for the reconcile
/// in flight. `followed` is the git reference a push must name to wake the loop.
///
/// # Errors
/// See [`WatchError`].
pub fn run(
    settings: Settings,
    listen: SocketAddr,
    webhook_secret: Option<Secret>,
    telemetry: Arc<Telemetry>,
    runtime: &tokio::runtime::Runtime,
    out: Arc<dyn Output>,
) -> Result<(), WatchError> {
    let listener = runtime
        .block_on(serve::bind(listen))
        .map_err(|source| WatchError::Listen { addr: listen, source })?;
    out.note(&crate::t!(
        "watch-started",
        source = telemetry.status().source,
        server = telemetry.status().server,
        interval = humantime::format_duration(settings.interval).to_string(),
        drift = settings.drift.label(),
        address = listener.local_addr().unwrap_or(listen).to_string()
    ));
    let (wake, woken) = mpsc::channel::<Wake>();
    let followed = settings
        .git
        .as_ref()
        .map_or_else(|| "main".to_string(), |(_, o)| o.reference.clone());
    let push_wake = wake.clone();
    let on_push: serve::PushHandler = Arc::new(move |pushed: Option<&str>| {
        let matches = serve::hooks::ref_matches(pushed, &followed);
        if matches {
            let _ = push_wake.send(Wake::Push);
        }
        matches
    });
    let endpoint = Endpoint {
        telemetry: telemetry.clone(),
        webhook_secret: webhook_secret.map(Arc::new),
        on_push,
    };
    // The loop runs on a thread of its own and enters the same runtime for each reconcile.
    let mut controller = Controller::new(settings, runtime.handle().clone(), out.clone(), telemetry.clone());
    let worker = std::thread::spawn(move || {
        controller.run(&woken);
        telemetry.set_dead();
    });
    let (done_tx, done_rx) = tokio::sync::oneshot::channel::<()>();
    // When the loop ends by itself (it does not, but a panic would), the server stops too.
    let watcher = std::thread::spawn(move || {
        let joined = worker.join();
        let _ = done_tx.send(());
        joined.is_ok()
    });
    let stopping = out.clone();
    let shutdown = async move {
        tokio::select! {
            () = serve::stop_signal() => {
                stopping.note("mailops watch: stopping after the reconcile in flight");
                let _ = wake.send(Wake::Stop);
            }
            _ = done_rx => {}
        }
    };
    let served = runtime.block_on(serve::serve(listener, endpoint, shutdown));
    // Wait for the reconcile in flight.
    let loop_ok = watcher.join().unwrap_or(false);
    served.map_err(WatchError::Serve)?;
    if loop_ok { Ok(()) } else { Err(WatchError::Loop) }
}
