//! Deleting a mailbox without losing a message, whatever instruction the process dies at:
//! 1. a record `archive/DOMAIN/.LOCAL.deleting` names the archive to write (intent, before any effect);
//! 2. the account leaves the passwd-file (the backend's write: no more logins, no more deliveries);
//! 3. the mail is archived: a temporary file, fsynced, read back and compared with the folder (every file and
//!    its size), then linked to the recorded name, never over an existing file;
//! 4. the mailbox folder is removed, then the record.
//!
//! A record whose account is still in the passwd-file is a deletion cut short before step 2: the next
//! deletion of that account reuses it. A record whose account has left is finished by the next change of
//! the folder ([`MaildirBackend::finish_deletions`]), before anything else: an archive is written at most
//! once, and a new account of the same address never finds the old mail in its folder.

use std::collections::BTreeMap;

use super::*;

/// A deletion in progress: the archive it writes.
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct Record {
    archive: String,
}

const SUFFIX: &str = ".deleting";

fn archive_dir(root: &Path, address: &Address) -> PathBuf {
    root.join("archive").join(address.domain())
}

impl Record {
    fn path(root: &Path, address: &Address) -> PathBuf {
        archive_dir(root, address).join(format!(".{}{SUFFIX}", address.local()))
    }

    fn read(path: &Path) -> Option<Self> {
        serde_json::from_slice(&std::fs::read(path).ok()?).ok()
    }

    /// Records the deletion of `address`, unless one is recorded already (a deletion cut short).
    pub(super) fn begin(root: &Path, address: &Address) -> Result<(), BackendError> {
        let path = Self::path(root, address);
        if Self::read(&path).is_some() {
            return Ok(());
        }
        let dir = archive_dir(root, address);
        std::fs::create_dir_all(&dir).map_err(io("cannot create the archive folder"))?;
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        let base = format!("{}-{}-{:09}", address.local(), now.as_secs(), now.subsec_nanos());
        let archive = (0..)
            .map(|n| match n {
                0 => format!("{base}.tar.gz"),
                n => format!("{base}-{n}.tar.gz"),
            })
            .find(|name| !dir.join(name).exists())
            .unwrap_or_default();
        let record = serde_json::to_vec(&Self { archive }).unwrap_or_default();
        crate::atomic::write("maildir", &path, &record, None).map_err(io("cannot record the deletion"))
    }
}

/// Every regular file below `dir` (relative path → size).
fn contents(dir: &Path) -> Result<BTreeMap<PathBuf, u64>, BackendError> {
    let mut out = BTreeMap::new();
    for entry in walkdir::WalkDir::new(dir) {
        let entry = entry.map_err(|e| BackendError::Io {
            context: "cannot read the mailbox".into(),
            source: e.into(),
        })?;
        if entry.file_type().is_file() {
            let size = entry.metadata().map_or(0, |m| m.len());
            let rel = entry.path().strip_prefix(dir).unwrap_or(entry.path());
            out.insert(rel.to_path_buf(), size);
        }
    }
    Ok(out)
}

/// Every regular file of an archive (relative to its top folder → size), each read whole (so that a torn
/// or corrupt archive fails here).
fn archived(path: &Path, top: &str) -> std::io::Result<BTreeMap<PathBuf, u64>> {
    let file = File::open(path)?;
    let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(file));
    let mut out = BTreeMap::new();
    for entry in tar.entries()? {
        let mut entry = entry?;
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let rel = entry
            .path()?
            .strip_prefix(top)
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let size = std::io::copy(&mut entry, &mut std::io::sink())?;
        out.insert(rel, size);
    }
    Ok(out)
}

/// Writes the archive of `home` to `target`, checked against the folder before it takes its name.
fn write_archive(target: &Path, address: &Address, home: &Path) -> Result<(), BackendError> {
    let dir = crate::atomic::folder(target);
    let tmp = tempfile::Builder::new()
        .prefix(&format!("{}maildir-", crate::atomic::TEMP_PREFIX))
        .tempfile_in(dir)
        .map_err(io("cannot create the archive"))?;
    let mut tar = tar::Builder::new(flate2::write::GzEncoder::new(
        tmp.as_file(),
        flate2::Compression::default(),
    ));
    tar.append_dir_all(address.local(), home)
        .map_err(io("cannot archive the mailbox"))?;
    let gz = tar.into_inner().map_err(io("cannot finish the archive"))?;
    gz.finish().map_err(io("cannot finish the archive"))?;
    tmp.as_file().sync_all().map_err(io("cannot sync the archive"))?;
    let wanted = contents(home)?;
    let got = archived(tmp.path(), address.local()).map_err(io("cannot read the archive back"))?;
    if got != wanted {
        return Err(BackendError::Server(format!(
            "the archive of {address} does not hold every file of its mailbox ({} of {}); the mailbox is kept",
            got.len(),
            wanted.len()
        )));
    }
    // A link, not a rename: it fails rather than replace an archive of the same name.
    std::fs::hard_link(tmp.path(), target)
        .map_err(io(format!("cannot name the archive {}", target.display())))?;
    crate::atomic::sync_dir(dir);
    Ok(())
}

impl MaildirBackend {
    /// Finishes the recorded deletion of `address`, whose account has left the passwd-file (under the lock).
    pub(super) fn finish_deletion(&self, address: &Address) -> Result<(), BackendError> {
        let path = Record::path(&self.root, address);
        let Some(record) = Record::read(&path) else {
            return Ok(());
        };
        let dir = archive_dir(&self.root, address);
        let home = self.home(address);
        if home.exists() {
            let archive = dir.join(&record.archive);
            if archive.exists() {
                // Written and checked by a run killed after it.
                tracing::info!(%address, archive = %archive.display(), "archive already written");
            } else {
                write_archive(&archive, address, &home)?;
                tracing::info!(%address, archive = %archive.display(), "mailbox archived before deletion");
            }
            std::fs::remove_dir_all(&home).map_err(io("cannot remove the archived mailbox"))?;
            crate::atomic::sync_dir(home.parent().unwrap_or(&self.root));
        }
        std::fs::remove_file(&path).map_err(io("cannot remove the deletion record"))?;
        crate::atomic::sync_dir(&dir);
        Ok(())
    }

    /// The deletions a killed run left after its account left the passwd-file, finished (under the lock),
    /// and the temporary archives it left removed. A deletion that cannot be finished now (a full disk) is
    /// logged and kept for the next change; its mailbox stays where it is.
    pub(super) fn finish_deletions(&self) {
        let Ok(domains) = std::fs::read_dir(self.root.join("archive")) else {
            return;
        };
        let mut pending = Vec::new();
        for domain in domains.flatten() {
            crate::atomic::sweep("maildir", &domain.path());
            let Ok(files) = std::fs::read_dir(domain.path()) else {
                continue;
            };
            for f in files.flatten() {
                let name = f.file_name().to_string_lossy().into_owned();
                let local = name.strip_prefix('.').and_then(|n| n.strip_suffix(SUFFIX));
                let address = local.and_then(|l| {
                    format!("{l}@{}", domain.file_name().to_string_lossy())
                        .parse::<Address>()
                        .ok()
                });
                pending.extend(address);
            }
        }
        if pending.is_empty() {
            return;
        }
        let Ok((at, snap)) = self.current() else {
            return;
        };
        for address in pending.iter().filter(|a| !snap.passwd.contains_key(*a)) {
            if let Err(e) = self.finish_deletion(address) {
                tracing::warn!(%address, error = %e, "cannot finish the deletion of a mailbox yet");
            }
        }
        self.keep(at, snap);
    }
}
