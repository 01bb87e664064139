//! The state store: the inventory of accounts mailops manages, the last applied revision, and when each
//! removed mailbox was suspended.
//!
//! # Format (version 2)
//! A JSON file:
//! ```json
//! { "version": 1, "lastAppliedRevision": "3f2a…", "entries": {
//!     "Mailbox/vo-thi-thu-an": { "kind": "Mailbox", "name": "vo-thi-thu-an",
//!       "address": "anvtt@bdt.binhthuan.gov.vn", "backendId": "42", "origin": "created",
//!       "lastRevision": "3f2a…", "suspendedOn": null } } }
//! ```
//! Entries are keyed `Kind/name` (the stable identity). A file with a newer `version` is refused; a version 1
//! file (before the journal) is read as version 2 and written back as such.
//!
//! Version 2 adds `journalRun`, the last run whose journal is folded into the file (a journal of that run
//! found on start only needs removing), and `pendingCredentials`: passwords delivered for accounts whose
//! creation did not happen, by address, with where they are (never the password): the next creation of that
//! address reuses them.
//!
//! # Guarantees
//! - Writes are atomic: a temporary file in the same folder, fsync, rename, fsync of the folder.
//! - One run at a time: [`StateStore::open`] takes an exclusive lock on `<file>.lock` and holds it until the
//!   store is dropped; a second run fails within a second with [`StateError::Locked`].
//! - Losing the file is safe: with an empty inventory nothing is suspended or deleted (every account on the
//!   server is unmanaged), and [`adopt`] rebuilds the inventory from the desired state and the server.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::backend::{AccessLevel, Observation};
use crate::desired::{Address, DesiredState};
use crate::engine::CredentialRef;
use crate::manifest::{Kind, ResourceId};

/// Current format version.
pub const STATE_VERSION: u32 = 2;

/// How an account came under management.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum EntryOrigin {
    /// mailops created it.
    Created,
    /// It existed and was adopted.
    Adopted,
}

/// One managed account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InventoryEntry {
    /// `Mailbox` or `SharedMailbox`.
    pub kind: Kind,
    /// metadata.name: the stable identity.
    pub name: String,
    /// The address last applied.
    pub address: Address,
    /// The backend's own id, when it has one that survives renames.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backend_id: Option<String>,
    /// Created or adopted.
    pub origin: EntryOrigin,
    /// The revision that last changed it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_revision: Option<String>,
    /// When mailops suspended it as the first stage of removal.
    #[serde(default)]
    pub suspended_on: Option<NaiveDate>,
    /// Old addresses kept delivering as aliases after a rename: wanted aliases from then on.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub kept_aliases: BTreeSet<Address>,
    /// On a server that cannot share a mailbox: who was given its credentials, and as what. The plan
    /// compares the wanted access with this, and any change rotates the password for the new holders.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub holders: BTreeMap<Address, AccessLevel>,
}

impl InventoryEntry {
    /// Its identity, `Kind/name`.
    #[must_use]
    pub fn id(&self) -> ResourceId {
        ResourceId::new(self.kind, self.name.clone())
    }
}

/// The inventory and run state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Inventory {
    /// Format version.
    pub version: u32,
    /// The revision last applied in full.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_applied_revision: Option<String>,
    /// Managed accounts by `Kind/name`.
    #[serde(default)]
    pub entries: BTreeMap<ResourceId, InventoryEntry>,
    /// The last run whose journal is folded into this file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub journal_run: Option<String>,
    /// Passwords delivered for creations that did not happen: reused by the next creation of the address.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub pending_credentials: BTreeMap<Address, CredentialRef>,
}

impl Default for Inventory {
    fn default() -> Self {
        Self {
            version: STATE_VERSION,
            last_applied_revision: None,
            entries: BTreeMap::new(),
            journal_run: None,
            pending_credentials: BTreeMap::new(),
        }
    }
}

impl Inventory {
    /// The entry of an identity.
    #[must_use]
    pub fn get(&self, id: &ResourceId) -> Option<&InventoryEntry> {
        self.entries.get(id)
    }

    /// Adds or replaces an entry.
    pub fn insert(&mut self, entry: InventoryEntry) {
        self.entries.insert(entry.id(), entry);
    }

    /// Fills in the server ids of managed accounts that have none yet (created in a bulk import, whose answer
    /// holds no ids), from an observation; returns how many were filled in.
    pub fn record_ids(&mut self, observed: &Observation) -> usize {
        let missing = self.entries.values().filter(|e| e.backend_id.is_none()).count();
        if missing == 0 {
            return 0;
        }
        let ids: std::collections::HashMap<&Address, &str> = observed
            .accounts
            .iter()
            .filter_map(|a| Some((&a.address, a.id.as_deref()?)))
            .collect();
        let mut filled = 0;
        for e in self.entries.values_mut() {
            if e.backend_id.is_none()
                && let Some(id) = ids.get(&e.address)
            {
                e.backend_id = Some((*id).to_string());
                filled += 1;
            }
        }
        filled
    }

    /// Number of managed accounts.
    #[must_use]
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether nothing is managed.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// Why the state store failed.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    /// Another run holds the lock.
    #[error("another mailops run is using {0}")]
    Locked(PathBuf),
    /// Reading or writing failed.
    #[error("cannot {action} {path}")]
    Io {
        /// What was being done.
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The file is not a state file.
    #[error("{path} is not a mailops state file")]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: serde_json::Error,
    },
    /// Written by a newer mailops.
    #[error("{path} has state format version {found}; this mailops reads up to {STATE_VERSION}")]
    TooNew {
        /// The file.
        path: PathBuf,
        /// Its version.
        found: u32,
    },
}

/// A state file, locked for this run.
#[derive(Debug)]
pub struct StateStore {
    path: PathBuf,
    // Holds an exclusive lock for the lifetime of the store; closing the file on drop releases it. `None`
    // empty only for a read-only store whose lock file did not exist (no run had used this state file): then
    // the first save takes it.
    lock: std::sync::OnceLock<File>,
}

impl StateStore {
    /// Opens (and locks) the state file at `path`; the file need not exist yet.
    ///
    /// # Errors
    /// [`StateError::Locked`] when another run holds it, [`StateError::Io`] when the lock file cannot be made.
    pub fn open(path: &Path) -> Result<Self, StateError> {
        Self::open_with(path, true)
    }

    /// Opens the state file for reading only (a plan): locked like [`StateStore::open`] when its lock file
    /// exists, else read as it is, making no file or folder (no run has used this state file yet).
    ///
    /// # Errors
    /// As [`StateStore::open`].
    pub fn open_read_only(path: &Path) -> Result<Self, StateError> {
        Self::open_with(path, false)
    }

    fn open_with(path: &Path, create: bool) -> Result<Self, StateError> {
        let store = Self {
            path: path.to_path_buf(),
            lock: std::sync::OnceLock::new(),
        };
        if let Some(file) = store.take_lock(create)? {
            let _ = store.lock.set(file);
        }
        Ok(store)
    }

    /// Locks `<file>.lock` (making it when `create`); `None` when it does not exist and is not to be made.
    fn take_lock(&self, create: bool) -> Result<Option<File>, StateError> {
        let path = &self.path;
        let lock_path = lock_path(path);
        let io = |action, source| StateError::Io {
            action,
            path: lock_path.clone(),
            source,
        };
        let file = match File::options()
            .create(create)
            .truncate(false)
            .write(true)
            .open(&lock_path)
        {
            Ok(file) => file,
            Err(e) if !create && e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io("create the lock file", e)),
        };
        // A lock released a moment ago can still be held by a child process forked in between (it shares
        // the open file until it execs): wait up to a second before calling the state file busy.
        let mut tries = 0;
        loop {
            match file.try_lock() {
                Ok(()) => break,
                Err(std::fs::TryLockError::WouldBlock) if tries < 50 => {
                    tries += 1;
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
                Err(std::fs::TryLockError::WouldBlock) => return Err(StateError::Locked(path.to_path_buf())),
                Err(std::fs::TryLockError::Error(e)) => return Err(io("lock", e)),
            }
        }
        // Temporary files of a run killed while saving.
        crate::atomic::sweep("state", crate::atomic::folder(path));
        Ok(Some(file))
    }

    /// Reads the inventory; a missing file is an empty inventory.
    ///
    /// # Errors
    /// Unreadable, corrupt or too new files.
    pub fn load(&self) -> Result<Inventory, StateError> {
        let text = match std::fs::read(&self.path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Inventory::default()),
            Err(source) => {
                return Err(StateError::Io {
                    action: "read",
                    path: self.path.clone(),
                    source,
                });
            }
        };
        #[derive(Deserialize)]
        struct Probe {
            version: u32,
        }
        let corrupt = |source| StateError::Corrupt {
            path: self.path.clone(),
            source,
        };
        let probe: Probe = serde_json::from_slice(&text).map_err(corrupt)?;
        if probe.version > STATE_VERSION {
            return Err(StateError::TooNew {
                path: self.path.clone(),
                found: probe.version,
            });
        }
        let mut inventory: Inventory = serde_json::from_slice(&text).map_err(corrupt)?;
        if inventory.version < STATE_VERSION {
            tracing::info!(path = %self.path.display(), from = inventory.version, to = STATE_VERSION, "state file migrated");
            inventory.version = STATE_VERSION;
        }
        Ok(inventory)
    }

    /// Writes the inventory atomically.
    ///
    /// # Errors
    /// When the temporary file cannot be written, synced or renamed.
    pub fn save(&self, inventory: &Inventory) -> Result<(), StateError> {
        let io = |action, source| StateError::Io {
            action,
            path: self.path.clone(),
            source,
        };
        if self.lock.get().is_none() {
            // Read without a lock because none existed: lock now, and refuse if another run wrote the file
            // in between (what was read is then out of date).
            let dir = crate::atomic::folder(&self.path);
            std::fs::create_dir_all(dir).map_err(|e| io("create the folder of", e))?;
            let file = self
                .take_lock(true)?
                .ok_or_else(|| StateError::Locked(self.path.clone()))?;
            if self.path.exists() {
                return Err(StateError::Locked(self.path.clone()));
            }
            let _ = self.lock.set(file);
        }
        let mut json = serde_json::to_vec_pretty(inventory).unwrap_or_default();
        json.push(b'\n');
        crate::atomic::write("state", &self.path, &json, None).map_err(|e| io("replace", e))?;
        Ok(())
    }

    /// The file.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }
}

fn lock_path(path: &Path) -> PathBuf {
    let mut name = path
        .file_name()
        .map(std::ffi::OsStr::to_os_string)
        .unwrap_or_default();
    name.push(".lock");
    path.with_file_name(name)
}

/// What [`adopt`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AdoptReport {
    /// Identities adopted, with their address.
    pub adopted: Vec<(ResourceId, Address)>,
    /// Desired identities with no account on the server (they will be created).
    pub missing: Vec<ResourceId>,
    /// Accounts on the server that nothing desired claims (left unmanaged).
    pub unmanaged: Vec<Address>,
}

/// Rebuilds the inventory from the desired state and the server: every desired mailbox whose address (or one
/// of its former addresses) exists on the server is adopted, keeping any entry already there. Accounts that
/// no desired mailbox claims stay unmanaged, so they are never suspended or deleted.
#[must_use]
pub fn adopt(
    desired: &DesiredState,
    observed: &Observation,
    inventory: &Inventory,
) -> (Inventory, AdoptReport) {
    let mut inv = inventory.clone();
    let mut report = AdoptReport::default();
    let on_server: BTreeMap<&Address, &crate::backend::ObservedAccount> =
        observed.accounts.iter().map(|a| (&a.address, a)).collect();
    let mut claimed = std::collections::BTreeSet::new();
    let candidates = desired
        .mailboxes
        .iter()
        .map(|m| (Kind::Mailbox, &m.name, &m.address, &m.former_addresses))
        .chain(
            desired
                .shared_mailboxes
                .iter()
                .map(|s| (Kind::SharedMailbox, &s.name, &s.address, &s.former_addresses)),
        );
    for (kind, name, address, former) in candidates {
        let key = ResourceId::new(kind, name.clone());
        let found = std::iter::once(address)
            .chain(former.iter())
            .find_map(|a| on_server.get(a));
        match found {
            Some(acc) => {
                claimed.insert(acc.address.clone());
                if inv.get(&key).is_none() {
                    inv.insert(InventoryEntry {
                        kind,
                        name: name.clone(),
                        address: acc.address.clone(),
                        backend_id: acc.id.clone(),
                        origin: EntryOrigin::Adopted,
                        last_revision: None,
                        suspended_on: None,
                        kept_aliases: BTreeSet::new(),
                        holders: BTreeMap::new(),
                    });
                    report.adopted.push((key, acc.address.clone()));
                }
            }
            None => report.missing.push(key),
        }
    }
    report.unmanaged = observed
        .accounts
        .iter()
        .map(|a| a.address.clone())
        .filter(|a| !claimed.contains(a))
        .collect();
    (inv, report)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(name: &str, address: &str) -> InventoryEntry {
        InventoryEntry {
            kind: Kind::Mailbox,
            name: name.into(),
            address: address.parse().unwrap(),
            backend_id: None,
            origin: EntryOrigin::Created,
            last_revision: Some("abc".into()),
            suspended_on: NaiveDate::from_ymd_opt(2026, 11, 1),
            kept_aliases: BTreeSet::new(),
            holders: BTreeMap::new(),
        }
    }

    #[test]
    fn saves_and_loads_atomically() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        let store = StateStore::open(&path).unwrap();
        assert_eq!(store.load().unwrap(), Inventory::default());
        let mut inv = Inventory::default();
        inv.insert(entry("vo-thi-thu-an", "anvtt@bdt.binhthuan.gov.vn"));
        store.save(&inv).unwrap();
        assert_eq!(store.load().unwrap(), inv);
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(
            names.len(),
            2,
            "the state file and its lock, no temporary left: {names:?}"
        );
    }

    #[test]
    fn a_second_run_is_locked_out_until_the_first_ends() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        let first = StateStore::open(&path).unwrap();
        assert!(matches!(StateStore::open(&path), Err(StateError::Locked(_))));
        drop(first);
        StateStore::open(&path).unwrap();
    }

    #[test]
    fn refuses_corrupt_and_newer_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        let store = StateStore::open(&path).unwrap();
        std::fs::write(&path, "not json").unwrap();
        assert!(matches!(store.load(), Err(StateError::Corrupt { .. })));
        std::fs::write(&path, r#"{"version": 9, "entries": {}}"#).unwrap();
        assert!(matches!(store.load(), Err(StateError::TooNew { found: 9, .. })));
    }

    #[test]
    fn a_version_1_file_is_migrated() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        let store = StateStore::open(&path).unwrap();
        std::fs::write(
            &path,
            r#"{"version": 1, "lastAppliedRevision": "abc", "entries": {"Mailbox/a": {"kind": "Mailbox",
                "name": "a", "address": "a@x.vn", "origin": "created", "suspendedOn": null}}}"#,
        )
        .unwrap();
        let inv = store.load().unwrap();
        assert_eq!(inv.version, 2);
        assert_eq!(inv.len(), 1);
        assert!(inv.pending_credentials.is_empty() && inv.journal_run.is_none());
        store.save(&inv).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("\"version\": 2"), "{text}");
        assert_eq!(store.load().unwrap(), inv);
    }
}
