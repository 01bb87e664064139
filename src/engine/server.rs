//! A server reached from the command line or `watch`: where its token is, where its files go, which sink gets
//! the passwords; and what an apply did, summed up for people and metrics.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use super::{
    ApplyReport, Connection, CredentialRef, CredentialSink, EngineError, FileSink, Outcome, Paths, Recover,
    ShowSink,
};
use crate::backend::{Observation, OpenOptions, Secret};

/// How to reach a server: its URL, the state file, where its token is, where passwords and the audit log go.
#[derive(Debug, Clone, Copy)]
pub struct Connect<'a> {
    /// The server URL.
    pub server: &'a str,
    /// The state file, if not the default.
    pub state: Option<&'a Path>,
    /// The token file, if not `MAILOPS_TOKEN`.
    pub token_file: Option<&'a Path>,
    /// The credentials file, if not the default.
    pub credentials: Option<&'a Path>,
    /// The audit log, if not the default.
    pub audit_log: Option<&'a Path>,
    /// Print new passwords instead of writing them to the credentials file.
    pub show_credentials: bool,
    /// Whether to resolve an interrupted run (everything but `plan`).
    pub recover: Recover,
}

/// A connection and what the server held when it was read.
#[derive(Debug)]
pub struct Observed {
    /// The backend, the locked state store, the inventory, the credentials sink.
    pub conn: Connection,
    /// What the server holds.
    pub observation: Observation,
}

/// The API token: from the token file, else `MAILOPS_TOKEN`; `None` when neither is given.
pub(crate) fn token(token_file: Option<&Path>) -> Result<Option<Secret>, EngineError> {
    if let Some(path) = token_file {
        let text = std::fs::read_to_string(path).map_err(|source| EngineError::Token {
            path: path.to_path_buf(),
            source,
        })?;
        let token = text.trim();
        if token.is_empty() {
            return Err(EngineError::TokenEmpty {
                path: path.to_path_buf(),
            });
        }
        return Ok(Some(Secret::new(token.to_string())));
    }
    Ok(std::env::var("MAILOPS_TOKEN")
        .ok()
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
        .map(Secret::new))
}

impl<'a> Connect<'a> {
    /// A connection that only reads: an interrupted run is left for the next apply (`plan`, `import`).
    #[must_use]
    pub fn read_only(server: &'a str, state: Option<&'a Path>, token_file: Option<&'a Path>) -> Self {
        Self {
            server,
            state,
            token_file,
            credentials: None,
            audit_log: None,
            show_credentials: false,
            recover: Recover::ReadOnly,
        }
    }

    /// Connects (resolving an interrupted run first) and reads the accounts of `domains`.
    ///
    /// # Errors
    /// The token file, and everything [`Connection::open`] and [`Connection::observe`] can fail with.
    pub async fn observe(&self, domains: &[String]) -> Result<Observed, EngineError> {
        let options = OpenOptions {
            domains: domains.to_vec(),
            token: token(self.token_file)?,
        };
        let paths = Paths::for_server(self.server, self.state)
            .with_credentials(self.credentials.map(Path::to_path_buf))
            .with_audit(self.audit_log.map(Path::to_path_buf));
        let sink: Box<dyn CredentialSink> = if self.show_credentials {
            Box::new(ShowSink)
        } else {
            Box::new(FileSink::new(paths.credentials.clone()))
        };
        let conn = Connection::open(self.server, &options, paths, sink, self.recover).await?;
        let observation = conn.observe().await?;
        Ok(Observed { conn, observation })
    }
}

/// What an apply did, counted.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Summary {
    /// Changes applied, by action name (metrics).
    pub applied_by_action: BTreeMap<&'static str, u64>,
    /// Changes applied.
    pub applied: usize,
    /// Changes refused by the safety rules.
    pub blocked: usize,
    /// Changes that failed.
    pub failed: usize,
    /// One `failed: <verb> <address> (<resource>): <why>` line per failure.
    pub failures: Vec<String>,
    /// The credentials files new passwords were written to.
    pub credential_files: BTreeSet<PathBuf>,
}

impl ApplyReport {
    /// The counts, the failures and where the passwords went.
    #[must_use]
    pub fn summary(&self) -> Summary {
        let mut s = Summary::default();
        (s.applied, s.blocked, s.failed) = self.counts();
        for o in &self.outcomes {
            match &o.outcome {
                Outcome::Failed { message, .. } => s.failures.push(format!(
                    "failed: {} {} ({}): {message}",
                    o.action.verb(),
                    o.address,
                    o.target
                )),
                Outcome::Applied => *s.applied_by_action.entry(o.action.name()).or_default() += 1,
                Outcome::Blocked => {}
            }
            for d in &o.credentials {
                if let CredentialRef::File { path, .. } = &d.credential {
                    s.credential_files.insert(path.clone());
                }
            }
        }
        s
    }
}

impl Summary {
    /// For people: each failure, where the new passwords went, and the counts.
    #[must_use]
    pub fn text(&self) -> String {
        let mut out = String::new();
        for line in &self.failures {
            out.push_str(line);
            out.push('\n');
        }
        for f in &self.credential_files {
            let file = f.display().to_string();
            out.push_str(&crate::t!("apply-passwords-written", file = file));
            out.push('\n');
        }
        let (applied, blocked, failed) = (self.applied, self.blocked, self.failed);
        out.push_str(&crate::t!(
            "apply-summary",
            applied = applied,
            blocked = blocked,
            failed = failed
        ));
        out.push('\n');
        out
    }
}
