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
    /// The file does not end with a line's end (a write cut short by a full disk or a kill): the next
    /// line starts on a line of its own, so that the torn one never swallows it.
    torn: bool,
}

impl AuditLog {
    /// Opens (creating, mode 0600) the audit log; never through a symbolic link.
    ///
    /// # Errors
    /// When it cannot be opened.
    pub fn open(path: &Path) -> std::io::Result<Self> {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .read(true)
            .append(true)
            .mode(0o600)
            .custom_flags(libc::O_NOFOLLOW)
            .open(path)?;
        let torn = !ends_a_line(&file)?;
        Ok(Self {
            path: path.to_path_buf(),
            file,
            torn,
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
        let mut buf = Vec::with_capacity(256);
        if self.torn {
            buf.push(b'\n');
        }
        serde_json::to_writer(&mut buf, line)?;
        buf.push(b'\n');
        // Whatever part of it reached the file, a failed write leaves it torn.
        self.torn = true;
        self.file.write_all(&buf)?;
        self.torn = false;
        Ok(())
    }

    /// Makes everything written durable.
    ///
    /// # Errors
    /// When it cannot be synced.
    pub fn sync(&mut self) -> std::io::Result<()> {
        self.file.sync_data()
    }
}

/// Whether the file is empty or its last byte ends a line.
fn ends_a_line(file: &std::fs::File) -> std::io::Result<bool> {
    use std::os::unix::fs::FileExt;
    let len = file.metadata()?.len();
    if len == 0 {
        return Ok(true);
    }
    let mut last = [0_u8];
    file.read_exact_at(&mut last, len - 1)?;
    Ok(last[0] == b'\n')
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

#[cfg(test)]
mod tests {
    use super::*;

    fn line(target: &str) -> Vec<u8> {
        let address: Address = "anvtt@bdt.binhthuan.gov.vn".parse().unwrap();
        let mut buf = Vec::new();
        let outcome = Outcome::Applied;
        let l = AuditLine {
            time: "2026-12-07T00:00:00Z".into(),
            revision: None,
            action: ActionKind::Create,
            target,
            address: &address,
            outcome: &outcome,
            change: None,
            recovered: false,
        };
        let mut log = AuditLog {
            path: PathBuf::new(),
            file: tempfile::tempfile().unwrap(),
            torn: false,
        };
        log.write(&l).unwrap();
        std::io::Seek::rewind(&mut log.file).unwrap();
        std::io::Read::read_to_end(&mut log.file, &mut buf).unwrap();
        buf
    }

    #[test]
    fn a_torn_last_line_is_ended_before_the_next_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.jsonl");
        let first = line("Mailbox/a");
        // A full disk cut the second line short.
        let mut torn = first.clone();
        torn.extend_from_slice(&line("Mailbox/b")[..20]);
        std::fs::write(&path, &torn).unwrap();
        let mut log = AuditLog::open(&path).unwrap();
        let address: Address = "anvtt@bdt.binhthuan.gov.vn".parse().unwrap();
        log.write(&AuditLine {
            time: "2026-12-07T00:00:01Z".into(),
            revision: None,
            action: ActionKind::Create,
            target: "Mailbox/c",
            address: &address,
            outcome: &Outcome::Applied,
            change: None,
            recovered: false,
        })
        .unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        let parsed: Vec<serde_json::Value> = text
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect();
        let targets: Vec<&str> = parsed.iter().filter_map(|v| v["target"].as_str()).collect();
        assert_eq!(targets, ["Mailbox/a", "Mailbox/c"], "{text}");
        assert!(text.ends_with("}\n"));
    }
}
