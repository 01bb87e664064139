//! The audit log: one JSON line per change, appended as the change completes (mode 0600, never a password).
//! Each line carries the run and the change's number in the run's journal, so that recovery writes the line
//! of a change finished by an interrupted run exactly once.

use std::collections::BTreeSet;
use std::io::{BufRead, Seek, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::execute::Outcome;
use crate::desired::Address;
use crate::plan::ActionKind;

/// One line of the audit log.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditLine<'a> {
    /// When the change completed (UTC, RFC 3339).
    pub time: String,
    /// The revision applied.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revision: Option<&'a str>,
    /// What was done.
    pub action: ActionKind,
    /// `Kind/name`, or the address of an unmanaged account.
    pub target: &'a str,
    /// The address.
    pub address: &'a Address,
    /// How it went.
    #[serde(flatten)]
    pub outcome: &'a Outcome,
    /// `<run>#<n>`: the change in its run's journal.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub change: Option<String>,
    /// Finished by the recovery of an interrupted run.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub recovered: bool,
}

/// The audit log file, open for appending.
#[derive(Debug)]
pub struct AuditLog {
    path: PathBuf,
    file: std::fs::File,
}

impl AuditLog {
    /// Opens (creating, mode 0600) the audit log; never through a symbolic link.
    ///
    /// # Errors
    /// When it cannot be opened.
    pub fn open(path: &Path) -> std::io::Result<Self> {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .mode(0o600)
            .custom_flags(libc::O_NOFOLLOW)
            .open(path)?;
        Ok(Self {
            path: path.to_path_buf(),
            file,
        })
    }

    /// The file.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Its length now (where the next line starts).
    #[must_use]
    pub fn end(&self) -> u64 {
        self.file.metadata().map_or(0, |m| m.len())
    }

    /// Appends one line, written through to the kernel (a kill cannot lose it).
    ///
    /// # Errors
    /// When it cannot be written.
    pub fn write(&mut self, line: &AuditLine<'_>) -> std::io::Result<()> {
        let mut buf = serde_json::to_vec(line)?;
        buf.push(b'\n');
        self.file.write_all(&buf)
    }

    /// Makes everything written durable.
    ///
    /// # Errors
    /// When it cannot be synced.
    pub fn sync(&mut self) -> std::io::Result<()> {
        self.file.sync_data()
    }
}

/// The changes (`<run>#<n>`) the audit log has lines for, from byte `offset` on.
#[must_use]
pub fn changes_since(path: &Path, offset: u64) -> BTreeSet<String> {
    #[derive(Deserialize)]
    struct Probe {
        change: Option<String>,
    }
    let Ok(mut file) = std::fs::File::open(path) else {
        return BTreeSet::new();
    };
    if file.seek(std::io::SeekFrom::Start(offset)).is_err() {
        return BTreeSet::new();
    }
    std::io::BufReader::new(file)
        .lines()
        .map_while(Result::ok)
        .filter_map(|l| serde_json::from_str::<Probe>(&l).ok()?.change)
        .collect()
}

/// The id of a change in the audit log.
#[must_use]
pub fn change_id(run: &str, seq: u64) -> String {
    format!("{run}#{seq}")
}
