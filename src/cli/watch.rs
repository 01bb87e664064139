//! `mailops watch`: the GitOps controller. It follows a git reference (or a folder), applies every new good
//! revision, and at every interval re-reads the server to find changes made there by hand (drift).
//!
//! Each reconcile takes the same path as `mailops apply`: source → desired state → observation → plan →
//! executor, with the same safety rules. What watch adds:
//! - a revision that cannot be fetched, verified or validated is never applied: the last good one stays in
//!   force (its drift is still checked), and the error goes to `/status` and the metrics;
//! - drift is measured against the server as mailops last left it (re-read after every apply): `--drift
//!   report` holds back the changes that would undo a hand-made change (unless the revision itself changes
//!   that account), `--drift heal` applies them;
//! - failures are retried with exponential backoff (2 s, doubling, up to `--max-backoff`); successes wait for
//!   `--interval` or a webhook;
//! - SIGTERM or Ctrl-C stops it after the reconcile in flight.

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::Duration;

use chrono::Utc;
use clap::{Args, ValueEnum};

use super::Printer;
use super::apply::{Executed, RecordArgs, Settings, plan_for, run_plan};
use super::gitsrc::{self, Failure, GitArgs};
use super::plan::{Observed, desired_or_report};
use crate::backend::{Observation, ObservedAccount, Secret};
use crate::desired::DesiredState;
use crate::plan::{Finding, render};
use crate::serve::{self, DriftStatus, Endpoint, ErrorStatus, PendingRemoval, PlanStatus, Status, Telemetry};
use crate::source::remote::{RemoteSource, redact};

/// What to do with changes made on the server by hand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DriftMode {
    /// Report them (status, metrics, log) and leave them as they are.
    Report,
    /// Restore the desired state.
    Heal,
}

impl DriftMode {
    const fn label(self) -> &'static str {
        match self {
            DriftMode::Report => "report",
            DriftMode::Heal => "heal",
        }
    }
}

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
    /// How often to fetch the source and re-read the server (e.g. `30s`, `5m`).
    #[arg(long, value_name = "DURATION", default_value = "60s", value_parser = humantime::parse_duration)]
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
    /// The longest wait between retries after failures.
    #[arg(long, value_name = "DURATION", default_value = "5m", value_parser = humantime::parse_duration)]
    pub max_backoff: Duration,
}

/// What wakes the loop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Wake {
    /// A verified push.
    Push,
    /// SIGTERM or Ctrl-C.
    Stop,
}

/// The revision in force or about to be.
#[derive(Debug, Clone)]
struct Good {
    desired: DesiredState,
    /// The commit, or `None` for a folder.
    commit: Option<git2::Oid>,
}

impl Good {
    fn revision(&self) -> String {
        self.commit.map_or_else(|| "local".to_string(), |c| c.to_string())
    }
}

/// An error of one stage.
struct StageError {
    kind: &'static str,
    message: String,
}

struct Loop {
    /// The runtime of every observation and apply.
    runtime: Arc<tokio::runtime::Runtime>,
    args: WatchArgs,
    printer: Printer,
    telemetry: Arc<Telemetry>,
    remote: Option<RemoteSource>,
    /// The newest good revision (applied, or about to be).
    good: Option<Good>,
    /// The revision last applied without failures.
    applied: Option<Good>,
    /// The server's accounts as mailops last left them (by address).
    snapshot: Option<BTreeMap<String, ObservedAccount>>,
    /// Addresses drifting at the last reconcile.
    drifting: BTreeSet<String>,
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
                    &format!("the webhook secret file {} is empty", f.display()),
                    None,
                    None,
                );
                Err(())
            }
            Err(e) => {
                printer.error(&format!("cannot read {}", f.display()), Some(&e), None);
                Err(())
            }
        },
        None => Ok(std::env::var("MAILOPS_WEBHOOK_SECRET")
            .ok()
            .filter(|s| !s.trim().is_empty())
            .map(|s| Secret::new(s.trim().to_string()))),
    }
}

pub(super) fn run(args: WatchArgs, printer: &Printer) -> u8 {
    let Ok(secret) = read_secret(&args, printer) else {
        return 1;
    };
    let printer = printer.clone().keeping_errors();
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
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            printer.error("cannot start the runtime", Some(&e), None);
            return 1;
        }
    };
    let listener = match runtime.block_on(serve::bind(args.listen)) {
        Ok(l) => l,
        Err(e) => {
            printer.error(&format!("cannot listen on {}", args.listen), Some(&e), None);
            return 1;
        }
    };
    printer.note(&format!(
        "mailops watch: {} → {} every {}, drift {}; listening on http://{}",
        telemetry.status().source,
        telemetry.status().server,
        humantime::format_duration(args.interval),
        args.drift.label(),
        listener.local_addr().unwrap_or(args.listen)
    ));
    let (wake, woken) = mpsc::channel::<Wake>();
    let followed = args.git.reference.clone();
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
        webhook_secret: secret.map(Arc::new),
        on_push,
    };
    // One runtime for every observation and apply of the loop (the endpoint has its own).
    let engine_runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(r) => Arc::new(r),
        Err(e) => {
            printer.error("cannot start the runtime", Some(&e), None);
            return 1;
        }
    };
    let mut controller = Loop {
        runtime: engine_runtime,
        args,
        printer: printer.clone(),
        telemetry: telemetry.clone(),
        remote: None,
        good: None,
        applied: None,
        snapshot: None,
        drifting: BTreeSet::new(),
    };
    let worker = std::thread::spawn(move || {
        controller.run(&woken);
        controller.telemetry.set_dead();
    });
    let (done_tx, done_rx) = tokio::sync::oneshot::channel::<()>();
    // When the loop ends by itself (it does not, but a panic would), the server stops too.
    let watcher = std::thread::spawn(move || {
        let joined = worker.join();
        let _ = done_tx.send(());
        joined.is_ok()
    });
    let stopping = printer.clone();
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
    if let Err(e) = served {
        printer.error("the HTTP endpoint failed", Some(&e), None);
        return 1;
    }
    if loop_ok {
        printer.note("mailops watch: stopped");
        0
    } else {
        1
    }
}

/// The delay before retry number `failures` (1, 2, …): 2 s doubling, at most `max`.
fn backoff(failures: u32, max: Duration) -> Duration {
    let secs = 2u64.saturating_pow(failures.min(20));
    Duration::from_secs(secs).min(max)
}

impl Loop {
    fn run(&mut self, woken: &mpsc::Receiver<Wake>) {
        let mut failures = 0u32;
        loop {
            let ok = self.reconcile();
            failures = if ok { 0 } else { failures.saturating_add(1) };
            let delay = if ok {
                self.args.interval
            } else {
                backoff(failures, self.args.max_backoff)
            };
            self.telemetry.update(|s| {
                s.consecutive_failures = failures;
                s.next_reconcile_at = chrono::Duration::from_std(delay).ok().map(|d| Utc::now() + d);
            });
            match woken.recv_timeout(delay) {
                Ok(Wake::Stop) | Err(RecvTimeoutError::Disconnected) => return,
                Ok(Wake::Push) => {
                    // Pushes that came together make one reconcile.
                    while let Ok(w) = woken.try_recv() {
                        if w == Wake::Stop {
                            return;
                        }
                    }
                }
                Err(RecvTimeoutError::Timeout) => {}
            }
        }
    }

    fn fail(&self, kind: &'static str) -> StageError {
        let errors = self.printer.take_errors();
        let message = if errors.is_empty() {
            kind.to_string()
        } else {
            errors.join("; ")
        };
        StageError { kind, message }
    }

    /// Reads the source: a new good revision replaces the one in force; a bad one is reported and ignored.
    fn refresh(&mut self) -> Result<(), StageError> {
        let Some(url) = self.args.git.git.clone() else {
            return match desired_or_report(&self.args.target.path, &self.printer) {
                Some(desired) => {
                    self.good = Some(Good {
                        desired,
                        commit: None,
                    });
                    self.telemetry
                        .update(|s| s.fetched_revision = Some("local".to_string()));
                    Ok(())
                }
                None => Err(self.fail(Failure::Invalid.label())),
            };
        };
        if self.remote.is_none() {
            let remote =
                gitsrc::open_remote(&self.args.git, &url, &self.printer).map_err(|f| self.fail(f.label()))?;
            self.remote = Some(remote);
        }
        let remote = self.remote.as_ref().expect("opened above");
        let fetched =
            gitsrc::fetch(remote, &self.args.git, &self.printer).map_err(|f| self.fail(f.label()))?;
        let revision = fetched.commit.to_string();
        self.telemetry
            .update(|s| s.fetched_revision = Some(revision.clone()));
        if self.good.as_ref().and_then(|g| g.commit) == Some(fetched.commit) {
            return Ok(());
        }
        let desired = gitsrc::desired_of(
            remote,
            &fetched,
            &self.args.git,
            &self.args.target.path,
            &self.printer,
        )
        .map_err(|f| self.fail(f.label()))?;
        tracing::info!(revision = %revision, "new revision");
        self.good = Some(Good {
            desired,
            commit: Some(fetched.commit),
        });
        Ok(())
    }

    /// One reconcile; `true` when everything succeeded.
    fn reconcile(&mut self) -> bool {
        let mut errors = Vec::new();
        if let Err(e) = self.refresh() {
            errors.push(e);
        }
        // The last good revision stays in force: its drift is still checked and healed.
        if let Some(good) = self.good.clone()
            && let Err(e) = self.converge(&good)
        {
            errors.push(e);
        }
        let now = Utc::now();
        let ok = errors.is_empty();
        for e in &errors {
            self.telemetry.metrics.error(e.kind);
        }
        self.telemetry.metrics.reconciled(ok, now);
        let fetched = self.telemetry.status().fetched_revision;
        self.telemetry.update(|s| {
            s.last_reconcile_at = Some(now);
            s.last_result = Some(if ok { "success" } else { "failure" }.to_string());
            if let Some(e) = errors.last() {
                s.last_error = Some(ErrorStatus {
                    kind: e.kind.to_string(),
                    message: e.message.clone(),
                    at: now,
                    revision: fetched,
                });
            } else {
                s.last_error = None;
            }
        });
        ok
    }

    /// Observes the server, plans the good revision, applies it (drift as asked), re-reads what changed.
    fn converge(&mut self, good: &Good) -> Result<(), StageError> {
        let domains = good.desired.organization.domains.clone();
        let connect = super::plan::Connect {
            credentials: self.args.record.credentials.as_deref(),
            audit_log: self.args.record.audit_log.as_deref(),
            ..self.args.target.connect()
        };
        let mut o = super::plan::connect(connect, &domains, &self.runtime, &self.printer).map_err(|e| {
            StageError {
                kind: e.kind(),
                message: crate::engine::error_chain(&e),
            }
        })?;
        if !o.observation.complete {
            tracing::warn!(problems = ?o.observation.problems, "partial observation: no removal is made");
        }
        let previous = self.applied.as_ref().map(|a| &a.desired);
        let today = chrono::Local::now().date_naive();
        let revision = good.commit.map(|c| c.to_string());
        let mut plan = plan_for(
            &good.desired,
            previous,
            &o,
            &self.args.target.path,
            revision,
            today,
        );
        let drift = self.drift(&o.observation);
        let new_drift = drift.keys().filter(|a| !self.drifting.contains(*a)).count();
        let held = match self.args.drift {
            DriftMode::Heal => Vec::new(),
            DriftMode::Report => crate::watch::drift::hold_back(&mut plan, &drift, &good.desired, previous),
        };
        let handling = match self.args.drift {
            DriftMode::Heal => "healed",
            DriftMode::Report => "reported",
        };
        if new_drift > 0 {
            tracing::warn!(accounts = ?drift.keys().collect::<Vec<_>>(), handling, "drift: accounts changed on the server by hand");
        }
        self.telemetry.metrics.drift(new_drift as u64, drift.len());
        self.drifting = drift.keys().cloned().collect();
        if plan.has_changes() {
            self.printer.out(&render::text(&plan, false));
        }
        let settings = Settings {
            concurrency: self.args.record.concurrency,
            today,
            progress: false,
        };
        let executed = run_plan(&plan, &mut o, &settings, &self.printer).map_err(|e| StageError {
            kind: e.kind(),
            message: crate::engine::error_chain(&e),
        })?;
        for (action, n) in &executed.applied_by_action {
            self.telemetry.metrics.applied(action, *n);
        }
        // Removals waiting for their grace period: those of the plan, and those suspended just now.
        let grace = chrono::Days::new(u64::from(good.desired.organization.safety.grace_days));
        let mut pending: Vec<PendingRemoval> = o
            .conn
            .inventory
            .entries
            .values()
            .filter_map(|e| {
                e.suspended_on.map(|on| PendingRemoval {
                    address: e.address.to_string(),
                    delete_after: on.checked_add_days(grace).unwrap_or(on),
                })
            })
            .collect();
        for f in &plan.findings {
            if let Finding::PendingDeletion {
                address,
                delete_after,
            } = f
                && !pending.iter().any(|p| p.address == address.to_string())
            {
                pending.push(PendingRemoval {
                    address: address.to_string(),
                    delete_after: *delete_after,
                });
            }
        }
        pending.sort_by(|a, b| (a.delete_after, &a.address).cmp(&(b.delete_after, &b.address)));
        self.telemetry.metrics.pending_removals(pending.len());
        let now = Utc::now();
        let drift_status: Vec<DriftStatus> = drift
            .iter()
            .map(|(address, fields)| DriftStatus {
                address: address.clone(),
                fields: fields.clone(),
                handling: handling.to_string(),
            })
            .collect();
        self.telemetry.update(|s| {
            s.pending_removals = pending;
            s.drift = drift_status;
            s.last_plan = Some(PlanStatus {
                revision: plan.source.revision.clone(),
                at: now,
                summary: plan.summary,
                applied: executed.applied,
                blocked: executed.blocked,
                failed: executed.failed,
                held_back: held.len(),
            });
        });
        self.remember(&mut o, &executed, &drift);
        if executed.failed > 0 {
            return Err(StageError {
                kind: "apply",
                message: executed.failures.join("; "),
            });
        }
        // A revision is in force once it is applied without failures (blocked changes wait for a person).
        if self.applied.as_ref().map(Good::revision) != Some(good.revision()) {
            if let (Some(remote), Some(commit)) = (&self.remote, good.commit)
                && let Err(e) = remote.accept(commit)
            {
                self.printer
                    .error("cannot record the applied revision", Some(&e), None);
                return Err(self.fail("state"));
            }
            tracing::info!(revision = %good.revision(), "revision in force");
            self.telemetry.metrics.revision_applied(&good.revision(), now);
            self.telemetry.update(|s| {
                s.revision = Some(good.revision());
                s.applied_at = Some(now);
            });
        }
        self.applied = Some(good.clone());
        self.telemetry.set_ready();
        Ok(())
    }

    /// Accounts that differ from how mailops left them: address → what differs.
    fn drift(&self, now: &Observation) -> BTreeMap<String, Vec<String>> {
        self.snapshot
            .as_ref()
            .map_or_else(BTreeMap::new, |s| crate::watch::drift::drift(s, now))
    }

    /// Updates the snapshot: re-reads the server after changes; drifting accounts that were left alone keep
    /// their old picture (so they stay reported).
    fn remember(&mut self, o: &mut Observed, executed: &Executed, drift: &BTreeMap<String, Vec<String>>) {
        let observation = if executed.applied + executed.failed > 0 {
            match o.runtime.block_on(o.conn.backend.observe()) {
                Ok(obs) => obs,
                Err(e) => {
                    tracing::warn!(error = %e, "cannot re-read the server after applying; drift is measured from the next read");
                    self.snapshot = None;
                    return;
                }
            }
        } else {
            o.observation.clone()
        };
        if !observation.complete {
            return;
        }
        let next = crate::watch::drift::next_snapshot(
            self.snapshot.as_ref(),
            &observation,
            drift,
            self.args.drift == DriftMode::Report,
        );
        self.snapshot = Some(next);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_maximum() {
        let max = Duration::from_secs(300);
        assert_eq!(backoff(1, max), Duration::from_secs(2));
        assert_eq!(backoff(2, max), Duration::from_secs(4));
        assert_eq!(backoff(5, max), Duration::from_secs(32));
        assert_eq!(backoff(30, max), max);
    }
}
