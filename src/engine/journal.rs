//! The write-ahead journal of an apply: every change is recorded as intended before its server call, and as
//! done or failed after it. It lives beside the state file (`<state>.journal`, JSON lines, mode 0600) and
//! exists only while an apply runs: a journal found on start means a run was interrupted, and
//! [`super::recover`] resolves it before anything else.
//!
//! # Guarantees
//! - Intents are fsynced before the server calls they announce ([`Journal::intend`]).
//! - Done and failed records are written (to the kernel) as each change completes and fsynced at the end of
//!   each phase; a record lost in a power failure is resolved from the server like an unfinished intent.
//! - A line cut short by a kill is ignored when reading.
//! - The journal holds no password: only where each one was delivered.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::credentials::CredentialRef;
use crate::desired::Address;
use crate::plan::Change;

/// A delivered password a change depends on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeliveredCredential {
    /// Who received it.
    pub recipient: Address,
    /// Where it is.
    pub credential: CredentialRef,
}

/// One line of the journal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "record")]
pub enum Record {
    /// The start of a run.
    #[serde(rename_all = "camelCase")]
    Begin {
        /// The run's id (also in the state file once the run is recorded there, and in the audit log).
        run: String,
        /// The day the run applied for.
        today: NaiveDate,
        /// The revision applied.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        revision: Option<String>,
        /// The audit log's length when the run started.
        audit_offset: u64,
        /// The credentials file's length when the run started.
        credentials_offset: u64,
    },
    /// A change about to be made.
    #[serde(rename_all = "camelCase")]
    Intent {
        /// Its number in the run.
        seq: u64,
        /// The unit of work it belongs to (the access changes of one mailbox are one password rotation).
        unit: u64,
        /// The change, as planned.
        change: Box<Change>,
        /// The passwords it sets, already delivered.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        credentials: Vec<DeliveredCredential>,
    },
    /// A change made.
    #[serde(rename_all = "camelCase")]
    Done {
        /// The intent's number.
        seq: u64,
        /// The server's id of a created account.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        backend_id: Option<String>,
    },
    /// A change that failed: not made.
    #[serde(rename_all = "camelCase")]
    Failed {
        /// The intent's number.
        seq: u64,
    },
}

/// The journal of the run in progress.
#[derive(Debug)]
pub struct Journal {
    path: PathBuf,
    file: std::fs::File,
}

impl Journal {
    /// Starts the journal of a run at `path` (replacing a resolved one), with its `Begin` record, fsynced.
    ///
    /// # Errors
    /// When the file cannot be written or synced.
    pub fn begin(path: &Path, begin: &Record) -> std::io::Result<Self> {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .write(true)
            .truncate(true)
            .mode(0o600)
            .custom_flags(libc::O_NOFOLLOW)
            .open(path)?;
        let mut j = Self {
            path: path.to_path_buf(),
            file,
        };
        j.append(std::slice::from_ref(begin), true)?;
        crate::atomic::sync_dir(crate::atomic::folder(path));
        Ok(j)
    }

    /// Appends records; with `sync`, they are on disk when this returns.
    ///
    /// # Errors
    /// When the file cannot be written or synced.
    pub fn append(&mut self, records: &[Record], sync: bool) -> std::io::Result<()> {
        let mut buf = Vec::new();
        for r in records {
            serde_json::to_writer(&mut buf, r)?;
            buf.push(b'\n');
        }
        self.file.write_all(&buf)?;
        if sync {
            self.file.sync_data()?;
        }
        Ok(())
    }

    /// Records intents, fsynced: only then may their server calls be made.
    ///
    /// # Errors
    /// As [`Journal::append`].
    pub fn intend(&mut self, intents: &[Record]) -> std::io::Result<()> {
        self.append(intents, true)
    }

    /// Makes everything written so far durable.
    ///
    /// # Errors
    /// When the file cannot be synced.
    pub fn sync(&mut self) -> std::io::Result<()> {
        self.file.sync_data()
    }

    /// The run is recorded in the state file: the journal goes.
    ///
    /// # Errors
    /// When the file cannot be removed.
    pub fn finish(self) -> std::io::Result<()> {
        remove(&self.path)
    }
}

/// Removes a resolved journal.
///
/// # Errors
/// When the file exists and cannot be removed.
pub fn remove(path: &Path) -> std::io::Result<()> {
    match std::fs::remove_file(path) {
        Ok(()) => {
            crate::atomic::sync_dir(crate::atomic::folder(path));
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}

/// An intent of an interrupted run.
#[derive(Debug, Clone)]
pub struct Intent {
    /// Its number.
    pub seq: u64,
    /// Its unit of work.
    pub unit: u64,
    /// The change.
    pub change: Change,
    /// The passwords it depends on.
    pub credentials: Vec<DeliveredCredential>,
}

/// What a journal left by an interrupted run says.
#[derive(Debug, Clone)]
pub struct Unfinished {
    /// The run's id.
    pub run: String,
    /// Its day.
    pub today: NaiveDate,
    /// Its revision.
    pub revision: Option<String>,
    /// The audit log's length when it started.
    pub audit_offset: u64,
    /// The credentials file's length when it started.
    pub credentials_offset: u64,
    /// Its intents, in order.
    pub intents: Vec<Intent>,
    /// Intents done, with a created account's id.
    pub done: BTreeMap<u64, Option<String>>,
    /// Intents that failed.
    pub failed: BTreeSet<u64>,
}

/// Why a journal cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    /// Reading failed.
    #[error("cannot read the journal {path}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A complete line is not a journal record.
    #[error("line {line} of the journal {path} is not a mailops journal record")]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// The line number.
        line: usize,
        /// The cause.
        #[source]
        source: serde_json::Error,
    },
}

/// Reads the journal at `path`: `None` when there is none (or it holds no complete `Begin` record, i.e. the
/// run was killed before any change was announced).
///
/// # Errors
/// An unreadable file, or a complete line that is not a record.
pub fn read(path: &Path) -> Result<Option<Unfinished>, JournalError> {
    let text = match std::fs::read(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(JournalError::Io {
                path: path.to_path_buf(),
                source,
            });
        }
    };
    // Only complete lines count: the last one may have been cut by a kill.
    let complete = text
        .iter()
        .rposition(|b| *b == b'\n')
        .map_or(&[][..], |end| &text[..end]);
    let mut out: Option<Unfinished> = None;
    for (n, line) in complete.split(|b| *b == b'\n').enumerate() {
        if line.is_empty() {
            continue;
        }
        let record: Record = serde_json::from_slice(line).map_err(|source| JournalError::Corrupt {
            path: path.to_path_buf(),
            line: n + 1,
            source,
        })?;
        match (record, &mut out) {
            (
                Record::Begin {
                    run,
                    today,
                    revision,
                    audit_offset,
                    credentials_offset,
                },
                _,
            ) => {
                out = Some(Unfinished {
                    run,
                    today,
                    revision,
                    audit_offset,
                    credentials_offset,
                    intents: Vec::new(),
                    done: BTreeMap::new(),
                    failed: BTreeSet::new(),
                });
            }
            (_, None) => {}
            (
                Record::Intent {
                    seq,
                    unit,
                    change,
                    credentials,
                },
                Some(u),
            ) => u.intents.push(Intent {
                seq,
                unit,
                change: *change,
                credentials,
            }),
            (Record::Done { seq, backend_id }, Some(u)) => {
                u.done.insert(seq, backend_id);
            }
            (Record::Failed { seq }, Some(u)) => {
                u.failed.insert(seq);
            }
        }
    }
    Ok(out)
}
