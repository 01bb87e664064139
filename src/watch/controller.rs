//! The loop of `mailops watch`: read the source, converge the server through the engine, remember how the
//! server was left, wait (the interval, a push, or a backoff after failures), again.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::Duration;

use chrono::Utc;

use super::{DriftMode, Output};
use crate::backend::{Observation, ObservedAccount};
use crate::desired::DesiredState;
use crate::engine::{Connect, EngineError, ExecuteOptions, Observed, Recover, Summary};
use crate::plan::{Finding, PlanSource, render};
use crate::serve::{DriftStatus, ErrorStatus, PendingRemoval, PlanStatus, Telemetry};
use crate::source::remote::RemoteSource;
use crate::source::revision::{self, RevisionError, RevisionOptions};

/// What the controller follows and where it applies it.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The repository folder, or the folder inside the git repository.
    pub path: PathBuf,
    /// A remote repository (its URL, and which revisions may be applied), instead of a folder.
    pub git: Option<(String, RevisionOptions)>,
    /// The server URL.
    pub server: String,
    /// The state file, if not the default.
    pub state: Option<PathBuf>,
    /// The server's token file, if not `MAILOPS_TOKEN`.
    pub token_file: Option<PathBuf>,
    /// The credentials file, if not the default.
    pub credentials: Option<PathBuf>,
    /// The audit log, if not the default.
    pub audit_log: Option<PathBuf>,
    /// Changes carried out at the same time.
    pub concurrency: usize,
    /// How often to read the source and the server.
    pub interval: Duration,
    /// Changes made on the server by hand: reported or healed.
    pub drift: DriftMode,
    /// The longest wait between retries after failures.
    pub max_backoff: Duration,
    /// Where the rendered attachment policy is kept in force (nothing when empty).
    pub render: crate::render::Target,
}

/// What wakes the loop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wake {
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

/// Why one stage of a reconcile failed: typed, shown in `/status` and counted in the metrics.
#[derive(Debug, thiserror::Error)]
pub enum StageError {
    /// The source: a revision that may not be applied.
    #[error(transparent)]
    Revision(#[from] RevisionError),
    /// The engine: the server, the state file, the journal.
    #[error(transparent)]
    Engine(#[from] EngineError),
    /// Changes that failed.
    #[error("{} change(s) failed: {}", .0.len(), .0.join("; "))]
    Apply(Vec<String>),
    /// The applied revision cannot be recorded.
    #[error("cannot record the applied revision")]
    Accept(#[source] crate::source::remote::RemoteError),
    /// The attachment policy could not be installed.
    #[error("the attachment policy was not installed")]
    Render(#[source] crate::render::InstallError),
}

impl StageError {
    /// A bounded label.
    #[must_use]
    pub const fn kind(&self) -> &'static str {
        match self {
            StageError::Revision(e) => e.kind(),
            StageError::Engine(e) => e.kind(),
            StageError::Apply(_) => "apply",
            StageError::Accept(_) => "state",
            StageError::Render(_) => "render",
        }
    }

    /// The message of `/status`: the error with its causes (and an invalid revision's diagnostics).
    #[must_use]
    pub fn status_message(&self) -> String {
        match self {
            StageError::Revision(e) => e.status_message(),
            StageError::Apply(lines) => lines.join("; "),
            e => crate::engine::error_chain(e),
        }
    }

    /// The error diagnostics of an invalid revision.
    #[must_use]
    pub fn status_diagnostics(&self) -> Vec<crate::diagnostics::Diagnostic> {
        match self {
            StageError::Revision(e) => e.error_diagnostics(),
            _ => Vec::new(),
        }
    }

    /// Each problem on a line of its own, for the status page: an invalid revision's error diagnostics
    /// (with file, line and field), or the changes that failed.
    #[must_use]
    pub fn status_details(&self) -> Vec<String> {
        match self {
            StageError::Revision(e) => e.error_lines(),
            StageError::Apply(lines) => lines.clone(),
            _ => Vec::new(),
        }
    }
}

/// The controller's state between reconciles.
pub struct Controller {
    settings: Settings,
    /// The runtime every observation and apply runs on.
    runtime: tokio::runtime::Handle,
    out: Arc<dyn Output>,
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

/// The delay before retry number `failures` (1, 2, …): 2 s doubling, at most `max`.
#[must_use]
pub fn backoff(failures: u32, max: Duration) -> Duration {
    let secs = 2u64.saturating_pow(failures.min(20));
    Duration::from_secs(secs).min(max)
}

impl Controller {
    /// A controller that has applied nothing yet.
    #[must_use]
    pub fn new(
        settings: Settings,
        runtime: tokio::runtime::Handle,
        out: Arc<dyn Output>,
        telemetry: Arc<Telemetry>,
    ) -> Self {
        Self {
            settings,
            runtime,
            out,
            telemetry,
            remote: None,
            good: None,
            applied: None,
            snapshot: None,
            drifting: BTreeSet::new(),
        }
    }

    /// Reconciles until told to stop (or the sender is gone).
    pub fn run(&mut self, woken: &mpsc::Receiver<Wake>) {
        let mut failures = 0u32;
        loop {
            let ok = self.reconcile();
            failures = if ok { 0 } else { failures.saturating_add(1) };
            let delay = if ok {
                self.settings.interval
            } else {
                backoff(failures, self.settings.max_backoff)
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

    /// Reads the source: a new good revision replaces the one in force; a bad one is reported and ignored.
    fn refresh(&mut self) -> Result<(), RevisionError> {
        let Some((url, options)) = &self.settings.git else {
            let desired = revision::folder(&self.settings.path)?;
            self.good = Some(Good {
                desired,
                commit: None,
            });
            self.telemetry
                .update(|s| s.fetched_revision = Some("local".to_string()));
            return Ok(());
        };
        if self.remote.is_none() {
            self.remote = Some(revision::open_remote(options, url)?);
        }
        let remote = self.remote.as_ref().expect("opened above");
        let fetched = revision::fetch(remote, options)?;
        let revision = fetched.commit.to_string();
        self.telemetry
            .update(|s| s.fetched_revision = Some(revision.clone()));
        if self.good.as_ref().and_then(|g| g.commit) == Some(fetched.commit) {
            return Ok(());
        }
        let desired = revision::desired_of(remote, &fetched, options, &self.settings.path)?;
        tracing::info!(revision = %revision, "new revision");
        self.good = Some(Good {
            desired,
            commit: Some(fetched.commit),
        });
        Ok(())
    }

    /// One reconcile; `true` when everything succeeded.
    pub fn reconcile(&mut self) -> bool {
        let mut errors: Vec<StageError> = Vec::new();
        if let Err(e) = self.refresh() {
            let e = StageError::from(e);
            self.out.error(&e);
            errors.push(e);
        }
        // The last good revision stays in force: its drift is still checked and healed.
        if let Some(good) = self.good.clone() {
            let runtime = self.runtime.clone();
            if let Err(e) = runtime.block_on(self.converge(&good)) {
                self.out.error(&e);
                errors.push(e);
            }
            if let Err(e) = self.install(&good) {
                self.out.error(&e);
                errors.push(e);
            }
        }
        let now = Utc::now();
        let ok = errors.is_empty();
        for e in &errors {
            self.telemetry.metrics.error(e.kind());
        }
        self.telemetry.metrics.reconciled(ok, now);
        let fetched = self.telemetry.status().fetched_revision;
        self.telemetry.update(|s| {
            s.last_reconcile_at = Some(now);
            s.last_result = Some(if ok { "success" } else { "failure" }.to_string());
            s.last_error = errors.last().map(|e| ErrorStatus {
                kind: e.kind().to_string(),
                message: e.status_message(),
                at: now,
                revision: fetched,
                details: e.status_details(),
                diagnostics: e.status_diagnostics(),
            });
        });
        ok
    }

    /// Keeps the rendered attachment policy of the good revision in force.
    fn install(&self, good: &Good) -> Result<(), StageError> {
        if self.settings.render.is_empty() {
            return Ok(());
        }
        let policy = crate::render::attachments::Policy::of_or_none(&good.desired.organization);
        let done = crate::render::install(&self.settings.render, &policy).map_err(StageError::Render)?;
        for path in &done.changed {
            self.out
                .note(&format!("attachment policy: {} changed", path.display()));
            tracing::info!(file = %path.display(), revision = %good.revision(), "attachment policy file changed");
        }
        if done.reloaded {
            self.out.note(&crate::t!("watch-attachments-reloaded"));
        }
        Ok(())
    }

    /// Observes the server, plans the good revision, applies it (drift as asked), re-reads what changed.
    async fn converge(&mut self, good: &Good) -> Result<(), StageError> {
        let s = &self.settings;
        let connect = Connect {
            server: &s.server,
            state: s.state.as_deref(),
            token_file: s.token_file.as_deref(),
            credentials: s.credentials.as_deref(),
            audit_log: s.audit_log.as_deref(),
            show_credentials: false,
            recover: Recover::Resolve,
        };
        let mut o = connect.observe(&good.desired.organization.domains).await?;
        if let Some(r) = &o.conn.recovery {
            tracing::warn!(run = %r.run, finished = r.finished, unfinished = r.unfinished, "resolved the journal of an interrupted run");
        }
        if !o.observation.complete {
            tracing::warn!(problems = ?o.observation.problems, "partial observation: no removal is made");
        }
        let previous = self.applied.as_ref().map(|a| &a.desired);
        let today = crate::clock::today();
        let source = PlanSource {
            path: s.path.display().to_string(),
            revision: good.commit.map(|c| c.to_string()),
            base_revision: None,
        };
        let mut plan = o
            .conn
            .plan(&good.desired, previous, &o.observation, source, today);
        let drift = self.drift(&o.observation);
        let new_drift = drift.keys().filter(|a| !self.drifting.contains(*a)).count();
        let held = match s.drift {
            DriftMode::Heal => Vec::new(),
            DriftMode::Report => super::drift::hold_back(&mut plan, &drift, &good.desired, previous),
        };
        let handling = match s.drift {
            DriftMode::Heal => "healed",
            DriftMode::Report => "reported",
        };
        if new_drift > 0 {
            tracing::warn!(accounts = ?drift.keys().collect::<Vec<_>>(), handling, "drift: accounts changed on the server by hand");
        }
        self.telemetry.metrics.drift(new_drift as u64, drift.len());
        self.drifting = drift.keys().cloned().collect();
        if plan.has_changes() {
            self.out.out(&render::text(&plan, false));
        }
        let options = ExecuteOptions {
            concurrency: s.concurrency,
            revision: plan.source.revision.clone(),
            today,
            guard: Some(crate::engine::Guard::of(&good.desired)),
        };
        let report = o.conn.execute(&plan, &o.observation, &options, &|| {}).await?;
        let executed = report.summary();
        if plan.has_changes() {
            self.out.out(&executed.text());
        }
        for (action, n) in &executed.applied_by_action {
            self.telemetry.metrics.applied(action, *n);
        }
        self.record_pending(&o, &plan, good);
        let now = Utc::now();
        let drift_status: Vec<DriftStatus> = drift
            .iter()
            .map(|(address, fields)| DriftStatus {
                address: address.clone(),
                fields: fields.clone(),
                handling: handling.to_string(),
            })
            .collect();
        self.telemetry.update(|st| {
            st.drift = drift_status;
            st.last_plan = Some(PlanStatus {
                revision: plan.source.revision.clone(),
                at: now,
                summary: plan.summary,
                applied: executed.applied,
                blocked: executed.blocked,
                failed: executed.failed,
                held_back: held.len(),
            });
        });
        self.remember(&mut o, &executed, &drift).await;
        if executed.failed > 0 {
            return Err(StageError::Apply(executed.failures));
        }
        // A revision is in force once it is applied without failures (blocked changes wait for a person).
        if self.applied.as_ref().map(Good::revision) != Some(good.revision()) {
            if let (Some(remote), Some(commit)) = (&self.remote, good.commit) {
                remote.accept(commit).map_err(StageError::Accept)?;
            }
            tracing::info!(revision = %good.revision(), "revision in force");
            self.telemetry.metrics.revision_applied(&good.revision(), now);
            self.telemetry.update(|st| {
                st.revision = Some(good.revision());
                st.applied_at = Some(now);
            });
        }
        self.applied = Some(good.clone());
        self.telemetry.set_ready();
        Ok(())
    }

    /// Removals waiting for their grace period: those of the plan, and those suspended just now.
    fn record_pending(&self, o: &Observed, plan: &crate::plan::Plan, good: &Good) {
        let grace = chrono::Days::new(u64::from(good.desired.organization.safety.grace_days));
        let mut pending: Vec<PendingRemoval> = o
            .conn
            .inventory
            .entries
            .values()
            .filter_map(|e| {
                e.suspended_on.map(|on| PendingRemoval {
                    address: e.address.to_string(),
                    delete_after: on.checked_add_days(grace).unwrap_or(chrono::NaiveDate::MAX),
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
        self.telemetry.update(|st| st.pending_removals = pending);
    }

    /// Accounts that differ from how mailops left them: address → what differs.
    fn drift(&self, now: &Observation) -> BTreeMap<String, Vec<String>> {
        self.snapshot
            .as_ref()
            .map_or_else(BTreeMap::new, |s| super::drift::drift(s, now))
    }

    /// Updates the snapshot: re-reads the server after changes; drifting accounts that were left alone keep
    /// their old picture (so they stay reported).
    async fn remember(
        &mut self,
        o: &mut Observed,
        executed: &Summary,
        drift: &BTreeMap<String, Vec<String>>,
    ) {
        let observation = if executed.applied + executed.failed > 0 {
            match o.conn.backend.observe().await {
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
        let next = super::drift::next_snapshot(
            self.snapshot.as_ref(),
            &observation,
            drift,
            self.settings.drift == DriftMode::Report,
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
