//! The one orchestration every entry point calls (`apply`, `adopt`, `watch`, the operator): connect (backend,
//! state store, journal, audit log, credentials sink, with default paths decided here only), resolve an
//! interrupted run, observe, plan, execute, record.
//!
//! # The order of a change (DESIGN.md, "Crash safety")
//! 1. its new or rotated password is delivered durably (the 0600 credentials file, fsynced; or the Secret);
//! 2. the journal records it as intended, fsynced;
//! 3. the server call;
//! 4. the journal records it done or failed; the audit log gets its line.
//!
//! The state file is saved at the end of the run with the run's id, and the journal removed. A journal
//! found when connecting belongs to a run that died: [`Connection::open`] resolves it before anything else
//! ([`recover`]).

pub mod audit;
pub mod credentials;
pub mod execute;
pub mod guard;
pub mod journal;
pub mod recover;
pub mod server;
mod units;

use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use crate::backend::{BackendError, MailBackend, Observation, OpenOptions};
use crate::desired::DesiredState;
use crate::plan::{self, DiffInput, Plan, PlanSource};
use crate::state::{Inventory, StateError, StateStore};
pub use credentials::{CredentialRef, CredentialSink, FileSink, ShowSink};
pub use execute::{ApplyReport, ChangeOutcome, ExecuteOptions, Outcome, RecordError};
pub use guard::Guard;
pub use recover::Recovery;
pub use server::{Connect, Observed, Summary};

/// Where a connection keeps its files. Every default is decided here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paths {
    /// The state file (inventory).
    pub state: PathBuf,
    /// The credentials file of CLI mode.
    pub credentials: PathBuf,
    /// The audit log.
    pub audit: PathBuf,
}

impl Paths {
    /// The files of a server: the state file given, else beside a maildir's mail, else
    /// `./mailops-state.json`; the credentials file and the audit log beside the state file.
    #[must_use]
    pub fn for_server(url: &str, state: Option<&Path>) -> Self {
        let state = state.map_or_else(|| default_state_file(url), Path::to_path_buf);
        Self::beside(state)
    }

    /// The files of a server in CRD mode: the MailServer's `stateFile`, else beside a maildir's mail, else
    /// under `MAILOPS_STATE_DIR` (default `/var/lib/mailops`, the Deployment's volume), one folder per
    /// namespace and MailServer.
    #[must_use]
    pub fn for_operator(url: &str, state_file: Option<&str>, namespace: &str, server: &str) -> Self {
        let state = state_file.map_or_else(
            || {
                if url.starts_with("maildir:") {
                    default_state_file(url)
                } else {
                    std::env::var_os("MAILOPS_STATE_DIR")
                        .map_or_else(|| PathBuf::from("/var/lib/mailops"), PathBuf::from)
                        .join(namespace)
                        .join(server)
                        .join("mailops-state.json")
                }
            },
            PathBuf::from,
        );
        Self::beside(state)
    }

    fn beside(state: PathBuf) -> Self {
        let dir = crate::atomic::folder(&state).to_path_buf();
        Self {
            credentials: dir.join("mailops-credentials.txt"),
            audit: dir.join("mailops-audit.jsonl"),
            state,
        }
    }

    /// Another credentials file.
    #[must_use]
    pub fn with_credentials(mut self, path: Option<PathBuf>) -> Self {
        if let Some(p) = path {
            self.credentials = p;
        }
        self
    }

    /// Another audit log.
    #[must_use]
    pub fn with_audit(mut self, path: Option<PathBuf>) -> Self {
        if let Some(p) = path {
            self.audit = p;
        }
        self
    }

    /// The journal of a run in progress: beside the state file.
    #[must_use]
    pub fn journal(&self) -> PathBuf {
        let mut name = self
            .state
            .file_name()
            .map(std::ffi::OsStr::to_os_string)
            .unwrap_or_default();
        name.push(".journal");
        self.state.with_file_name(name)
    }
}

/// Where the state file lives when none is given: beside the mail of a maildir backend, else in the
/// current folder.
#[must_use]
fn default_state_file(url: &str) -> PathBuf {
    match url.strip_prefix("maildir:") {
        Some(path) if !path.is_empty() => Path::new(path).join("mailops-state.json"),
        _ => PathBuf::from("mailops-state.json"),
    }
}

/// Why the engine stopped.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// The token file cannot be read.
    #[error("cannot read the token file {path}")]
    Token {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The token file is empty.
    #[error("the token file {path} is empty")]
    TokenEmpty {
        /// The file.
        path: PathBuf,
    },
    /// The server cannot be opened.
    #[error("cannot open the server")]
    Open(#[source] BackendError),
    /// The state file cannot be used.
    #[error("the state file cannot be used")]
    State(#[source] StateError),
    /// The state file's folder cannot be created.
    #[error("cannot create the folder {path}")]
    StateDir {
        /// The folder.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The server cannot be read.
    #[error("cannot read the server")]
    Observe(#[source] BackendError),
    /// The journal of an interrupted run cannot be read.
    #[error("the journal of an interrupted run cannot be resolved")]
    Journal(#[source] journal::JournalError),
    /// The journal cannot be started.
    #[error("cannot start the journal {path}")]
    JournalStart {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The audit log cannot be opened.
    #[error("cannot open the audit log {path}")]
    Audit {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// Recording a change failed part-way: nothing more was attempted.
    #[error("recording the changes failed; nothing more was attempted")]
    Record(#[source] RecordError),
}

impl EngineError {
    /// A short, bounded label for metrics and statuses.
    #[must_use]
    pub const fn kind(&self) -> &'static str {
        match self {
            EngineError::Open(_) | EngineError::Token { .. } | EngineError::TokenEmpty { .. } => "open",
            EngineError::State(_) | EngineError::StateDir { .. } => "state",
            EngineError::Observe(_) => "observe",
            EngineError::Journal(_) | EngineError::JournalStart { .. } | EngineError::Record(_) => "journal",
            EngineError::Audit { .. } => "audit",
        }
    }

    /// The error in the reader's language (the `Display` text, in English, goes to logs and statuses).
    #[must_use]
    pub fn message(&self) -> String {
        let path = |p: &Path| p.display().to_string();
        match self {
            EngineError::Token { path: p, .. } => crate::t!("error-token-file", path = path(p)),
            EngineError::TokenEmpty { path: p } => crate::t!("error-token-empty", path = path(p)),
            EngineError::Open(_) => crate::t!("error-open-server"),
            EngineError::State(_) => crate::t!("error-state-file"),
            EngineError::StateDir { path: p, .. } => crate::t!("error-cannot-create", path = path(p)),
            EngineError::Observe(_) => crate::t!("error-read-server"),
            EngineError::Journal(_) => crate::t!("error-journal"),
            EngineError::JournalStart { path: p, .. } => crate::t!("error-journal-start", path = path(p)),
            EngineError::Audit { path: p, .. } => crate::t!("error-audit-log", path = path(p)),
            EngineError::Record(_) => crate::t!("error-record"),
        }
    }

    /// What the person can do about it, in the reader's language.
    #[must_use]
    pub fn hint(&self) -> Option<String> {
        Some(match self {
            EngineError::State(StateError::Corrupt { .. } | StateError::Io { .. }) => {
                crate::t!("hint-state-lost")
            }
            EngineError::State(StateError::Locked(_)) => crate::t!("hint-state-locked"),
            EngineError::Journal(_) => crate::t!("hint-journal"),
            _ => return None,
        })
    }
}

/// What to do with the journal of an interrupted run when connecting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recover {
    /// Resolve it (apply, adopt, watch, the operator).
    Resolve,
    /// Leave it for the next apply and say so (plan: it never writes to the server).
    ReadOnly,
}

/// A server, its locked state store and inventory, and where passwords go.
pub struct Connection {
    /// The backend.
    pub backend: Box<dyn MailBackend>,
    /// The state file, locked for this connection.
    pub store: StateStore,
    /// The inventory read from it (with an interrupted run's changes folded in).
    pub inventory: Inventory,
    /// Where new passwords go.
    pub sink: Box<dyn CredentialSink>,
    /// The files.
    pub paths: Paths,
    /// What the recovery of an interrupted run did, when there was one.
    pub recovery: Option<Recovery>,
    /// An interrupted run's journal was left unresolved ([`Recover::ReadOnly`]).
    pub interrupted: bool,
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection")
            .field("paths", &self.paths)
            .field("managed", &self.inventory.len())
            .finish_non_exhaustive()
    }
}

impl Connection {
    /// Opens the server a URL names and connects to it.
    ///
    /// # Errors
    /// See [`Connection::with_backend`]; and a server URL that names no backend or cannot be opened.
    pub async fn open(
        url: &str,
        options: &OpenOptions,
        paths: Paths,
        sink: Box<dyn CredentialSink>,
        recover: Recover,
    ) -> Result<Self, EngineError> {
        let backend = crate::backend::open(url, options).map_err(EngineError::Open)?;
        Self::with_backend(backend, paths, sink, recover).await
    }

    /// Connects to an opened backend: locks the state store, reads the inventory (migrating older formats),
    /// and resolves an interrupted run's journal.
    ///
    /// # Errors
    /// A state file that is locked, unreadable, corrupt or too new; an interrupted run that cannot be
    /// resolved (the server cannot be read, the journal is corrupt).
    pub async fn with_backend(
        backend: Box<dyn MailBackend>,
        paths: Paths,
        sink: Box<dyn CredentialSink>,
        recover: Recover,
    ) -> Result<Self, EngineError> {
        // A read-only connection (a plan) makes no file or folder.
        let store = if recover == Recover::ReadOnly {
            StateStore::open_read_only(&paths.state)
        } else {
            let dir = crate::atomic::folder(&paths.state);
            std::fs::create_dir_all(dir).map_err(|source| EngineError::StateDir {
                path: dir.to_path_buf(),
                source,
            })?;
            StateStore::open(&paths.state)
        };
        let store = store.map_err(EngineError::State)?;
        let inventory = store.load().map_err(EngineError::State)?;
        let mut conn = Self {
            backend,
            store,
            inventory,
            sink,
            paths,
            recovery: None,
            interrupted: false,
        };
        conn.resolve(recover).await?;
        conn.sink.set_pending(&conn.inventory.pending_credentials);
        Ok(conn)
    }

    async fn resolve(&mut self, recover: Recover) -> Result<(), EngineError> {
        let path = self.paths.journal();
        let Some(unfinished) = journal::read(&path).map_err(EngineError::Journal)? else {
            return Ok(());
        };
        if self.inventory.journal_run.as_deref() == Some(unfinished.run.as_str()) {
            // The run was recorded in the state file; only the journal's removal was missed.
            if recover == Recover::Resolve {
                journal::remove(&path).map_err(|source| EngineError::JournalStart { path, source })?;
            }
            return Ok(());
        }
        if recover == Recover::ReadOnly {
            // What the next apply will find made, in memory only: nothing is written.
            recover::preview(
                &unfinished,
                self.backend.as_ref(),
                self.sink.as_ref(),
                &mut self.inventory,
            )
            .await?;
            self.interrupted = true;
            return Ok(());
        }
        let mut audit = audit::AuditLog::open(&self.paths.audit).map_err(|source| EngineError::Audit {
            path: self.paths.audit.clone(),
            source,
        })?;
        let recovery = recover::recover(
            &unfinished,
            self.backend.as_ref(),
            self.sink.as_ref(),
            &mut self.inventory,
            Some(&mut audit),
        )
        .await?;
        let _ = audit.sync();
        self.inventory.journal_run = Some(unfinished.run.clone());
        self.store.save(&self.inventory).map_err(EngineError::State)?;
        journal::remove(&path).map_err(|source| EngineError::JournalStart { path, source })?;
        self.recovery = Some(recovery);
        Ok(())
    }

    /// Reads every account of the managed domains.
    ///
    /// # Errors
    /// When the server cannot be read.
    pub async fn observe(&self) -> Result<Observation, EngineError> {
        self.backend.observe().await.map_err(EngineError::Observe)
    }

    /// The plan of a desired state against an observation; `previous` is the desired state last applied (it
    /// tells drift from a change).
    #[must_use]
    pub fn plan(
        &self,
        desired: &DesiredState,
        previous: Option<&DesiredState>,
        observation: &Observation,
        source: PlanSource,
        today: NaiveDate,
    ) -> Plan {
        let mut p = plan::diff(&DiffInput {
            desired: Some(desired),
            previous: previous.map(plan::Previous::State),
            observed: observation,
            inventory: &self.inventory,
            capabilities: self.backend.capabilities(),
            today,
            source,
            keep_old_address_as_alias: desired.organization.keep_old_address_as_alias,
        });
        p.observed_fingerprint = Some(observation.fingerprint());
        p.server_domains.clone_from(&desired.organization.domains);
        p
    }

    /// Carries out `plan` (made against `observation`) and records it: the journal while it runs, the
    /// inventory in the state file at the end (even when nothing changes: accounts created in a bulk import
    /// last time get their server ids).
    ///
    /// # Errors
    /// The journal or the audit log cannot be written (the inventory is still saved with what was made), or
    /// the state file cannot be saved (the journal is kept: the next run resolves it).
    pub async fn execute(
        &mut self,
        plan: &Plan,
        observation: &Observation,
        options: &ExecuteOptions,
        progress: &(dyn Fn() + Sync),
    ) -> Result<ApplyReport, EngineError> {
        // The executor's own rules know what the server it works on could be read of.
        let partial = !observation.complete;
        let options = &ExecuteOptions {
            guard: options.guard.clone().map(|g| Guard { partial, ..g }),
            ..options.clone()
        };
        let ids_filled = self.inventory.record_ids(observation) > 0;
        if !plan.has_changes() {
            if ids_filled {
                self.store.save(&self.inventory).map_err(EngineError::State)?;
            }
            return Ok(ApplyReport::default());
        }
        let audit = audit::AuditLog::open(&self.paths.audit).map_err(|source| EngineError::Audit {
            path: self.paths.audit.clone(),
            source,
        })?;
        let run = run_id();
        let path = self.paths.journal();
        let begin = journal::Record::Begin {
            run: run.clone(),
            today: options.today,
            revision: options.revision.clone(),
            audit_offset: audit.end(),
            credentials_offset: self.sink.position(),
        };
        let journal = journal::Journal::begin(&path, &begin)
            .map_err(|source| EngineError::JournalStart { path, source })?;
        let mut recorder = execute::Recorder::new(run.clone(), journal, Some(audit));
        let result = execute::execute(
            plan,
            self.backend.as_ref(),
            self.sink.as_ref(),
            &mut self.inventory,
            &mut recorder,
            options,
            progress,
        )
        .await;
        // On an error the journal stays unresolved (some calls may have been made without their record):
        // the next connection resolves it against the server.
        if result.is_ok() {
            self.inventory.journal_run = Some(run);
        }
        self.store.save(&self.inventory).map_err(EngineError::State)?;
        let report = result.map_err(EngineError::Record)?;
        let _ = recorder.journal.finish();
        Ok(report)
    }
}

/// An error with its causes on one line (`/status`, statuses and Events show it; the CLI prints each cause
/// on its own line instead).
#[must_use]
pub fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// A run's id: the time and a random part.
fn run_id() -> String {
    use rand::Rng;
    format!(
        "{}-{:08x}",
        chrono::Utc::now().format("%Y%m%dT%H%M%SZ"),
        rand::rngs::OsRng.r#gen::<u32>()
    )
}
