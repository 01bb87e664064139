//! The embedded backend: a Dovecot passwd-file, a Maildir tree and a Postfix virtual alias map in one folder
//! (what small offices running Postfix + Dovecot use). No server process is needed to manage it.
//!
//! # Layout of `maildir:ROOT`
//! ```text
//! ROOT/passwd                  Dovecot passwd-file: user:{SHA512-CRYPT}hash:uid:gid::home::extra fields
//! ROOT/virtual                 Postfix virtual alias map: "alias target", one per line
//! ROOT/mailops-accounts.json   what Dovecot does not keep: display, given and family names, access grants, ids
//! ROOT/mail/DOMAIN/LOCAL/Maildir/{cur,new,tmp}
//! ROOT/archive/DOMAIN/LOCAL-UNIXTIME-NANOS.tar.gz   a deleted mailbox's mail (never overwritten)
//! ROOT/archive/DOMAIN/.LOCAL.deleting   a deletion in progress: the archive it writes
//! ROOT/.mailops.lock           held while a change is written
//! ROOT/logins/last-login.dict  written by Dovecot's last_login plugin, read by `report usage`
//! ```
//!
//! # Guarantees
//! - Every file is replaced atomically (temporary file, fsync, rename) under an exclusive lock, so Dovecot and
//!   Postfix never read a half-written file and two mailops runs never interleave.
//! - Rename moves the mailbox folder with one `rename(2)` on the same file system: every message is kept.
//! - Suspend sets Dovecot's `nologin` (login refused, mail still delivered and kept).
//! - Delete takes the account out of the passwd-file, writes a compressed archive of the mailbox under a new
//!   name (temporary file, fsync, checked against the folder, linked into place without overwriting), and
//!   removes the folder only then; a deletion cut short is finished by the next change (see `deletion`).

use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use super::{
    AccessLevel, AccountChange, AccountUpdate, BackendError, Capabilities, MailBackend, NewAccount,
    Observation, ObservedAccount, Secret,
};
use crate::desired::Address;

const PASSWD: &str = "passwd";
const VIRTUAL: &str = "virtual";
const METADATA: &str = "mailops-accounts.json";
const LOCK: &str = ".mailops.lock";

/// What Dovecot does not keep.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Metadata {
    id: String,
    display_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    given_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    family_name: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    access: BTreeMap<Address, AccessLevel>,
}

#[derive(Debug, Default, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct MetadataFile {
    next_id: u64,
    accounts: BTreeMap<Address, Metadata>,
}

/// Everything in the folder, read under the lock.
#[derive(Debug, Default, Clone)]
struct Snapshot {
    passwd: BTreeMap<Address, PasswdEntry>,
    /// The passwd lines that are not accounts mailops reads, as they were.
    passwd_kept: Vec<(files::Pos, String)>,
    aliases: BTreeMap<Address, Address>,
    /// Where the aliases were in the virtual map.
    alias_lines: files::AliasLines,
    /// The virtual map's other lines, as they were.
    virtual_kept: Vec<(files::Pos, String)>,
    metadata: MetadataFile,
}

/// The embedded Maildir + Dovecot passwd-file backend.
#[derive(Debug, Clone)]
pub struct MaildirBackend {
    root: PathBuf,
    /// The uid and gid of new mailboxes: given, or the folder's (read once it exists).
    owner: std::sync::OnceLock<(u32, u32)>,
    rounds: usize,
    /// The folder as this process last wrote or read it, with the files' identities then: reused while the
    /// files are unchanged, so that a run of many changes does not parse every file for each one.
    cache: std::sync::Arc<std::sync::Mutex<Option<(Stamp, Snapshot)>>>,
}

fn io(context: impl Into<String>) -> impl FnOnce(std::io::Error) -> BackendError {
    let context = context.into();
    move |source| BackendError::Io { context, source }
}

impl MaildirBackend {
    /// Opens the folder `root`, writing nothing: a folder that does not exist reads as an empty server and
    /// is made by the first change (so `plan` against a mistyped path leaves no folder behind). Mail belongs
    /// to the folder's owner (for a folder still to be made, this process's user).
    ///
    /// # Errors
    /// When `root` is not a folder, or cannot be read.
    pub fn open(root: &Path) -> Result<Self, BackendError> {
        // Made absolute once, here: every home mailops writes into the passwd-file is then absolute (Dovecot
        // refuses relative homes, and a later run from another folder must find the same mail).
        let root = &std::path::absolute(root).map_err(io(format!("cannot resolve {}", root.display())))?;
        match std::fs::metadata(root) {
            Ok(meta) if !meta.is_dir() => {
                return Err(BackendError::Server(format!(
                    "{} is not a folder",
                    root.display()
                )));
            }
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(io(format!("cannot read {}", root.display()))(e));
            }
            _ => {}
        }
        let backend = Self {
            root: root.to_path_buf(),
            owner: std::sync::OnceLock::new(),
            rounds: 5_000,
            cache: std::sync::Arc::default(),
        };
        // Temporary files of a run killed while writing (they may hold password hashes). Only a folder
        // mailops has written to has them, and it has the lock file.
        if let Some(_lock) = backend.lock_existing()? {
            crate::atomic::sweep("maildir", root);
        }
        Ok(backend)
    }

    /// Whether the folder exists yet (it is made by the first change).
    #[must_use]
    pub fn exists(&self) -> bool {
        self.root.is_dir()
    }

    /// Uses this uid and gid for new mailboxes (e.g. Dovecot's `vmail` user).
    #[must_use]
    pub fn with_owner(self, uid: u32, gid: u32) -> Self {
        let _ = self.owner.set((uid, gid));
        self
    }

    /// The uid and gid of new mailboxes. Called only under the lock of a change, once the folder exists.
    fn owner(&self) -> (u32, u32) {
        *self
            .owner
            .get_or_init(|| std::fs::metadata(&self.root).map_or((0, 0), |m| (m.uid(), m.gid())))
    }

    /// The folder.
    #[must_use]
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Where an address's mailbox lives.
    #[must_use]
    pub fn home(&self, address: &Address) -> PathBuf {
        self.root
            .join("mail")
            .join(address.domain())
            .join(address.local())
    }

    /// Refuses to move or delete a mailbox whose passwd line names a home of its own (under the root, but not
    /// where mailops keeps mailboxes): that folder is someone else's arrangement.
    fn check_home(&self, entry: &PasswdEntry) -> Result<(), BackendError> {
        let derived = self.home(&entry.address);
        if entry.home == derived {
            return Ok(());
        }
        Err(BackendError::Server(format!(
            "the passwd line of {} names the home {}, not {}; mailops does not move or delete that folder",
            entry.address,
            entry.home.display(),
            derived.display()
        )))
    }

    /// The lock for a change: the folder (and its `mail/`) is made first if it does not exist yet.
    fn lock(&self) -> Result<File, BackendError> {
        std::fs::create_dir_all(self.root.join("mail"))
            .map_err(io(format!("cannot create {}", self.root.display())))?;
        let file = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(self.root.join(LOCK))
            .map_err(io("cannot open the lock file"))?;
        file.lock().map_err(io("cannot lock the mail folder"))?;
        Ok(file)
    }

    /// The lock for reading: taken when the lock file exists (every change of mailops makes it first),
    /// without making it or the folder.
    fn lock_existing(&self) -> Result<Option<File>, BackendError> {
        match File::options().write(true).open(self.root.join(LOCK)) {
            Ok(file) => {
                file.lock().map_err(io("cannot lock the mail folder"))?;
                Ok(Some(file))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io("cannot open the lock file")(e)),
        }
    }

    fn read(&self) -> Result<Snapshot, BackendError> {
        let read = |name: &str| match std::fs::read_to_string(self.root.join(name)) {
            Ok(t) => Ok(t),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(String::new()),
            Err(e) => Err(io(format!("cannot read {name}"))(e)),
        };
        let mut snap = Snapshot::default();
        for (i, line) in files::file_lines(&read(PASSWD)?).enumerate() {
            let pos = i as files::Pos;
            let entry = PasswdEntry::parse(line, i + 1, pos, &self.root, |a| self.home(a))
                .map_err(|e| BackendError::Server(format!("{PASSWD}: {e}")))?;
            match entry {
                Some(e) if !snap.passwd.contains_key(&e.address) => {
                    snap.passwd.insert(e.address.clone(), e);
                }
                // Not an account mailops reads (or a second line for one): kept as it is.
                _ => snap.passwd_kept.push((pos, line.to_string())),
            }
        }
        (snap.aliases, snap.alias_lines, snap.virtual_kept) = files::parse_virtual(&read(VIRTUAL)?);
        let meta = read(METADATA)?;
        if !meta.is_empty() {
            snap.metadata = serde_json::from_str(&meta)
                // Where, never what: the file holds names, and the message reaches logs and `/status`.
                .map_err(|e| {
                    BackendError::Server(format!(
                        "{METADATA} is not valid (line {}, column {})",
                        e.line(),
                        e.column()
                    ))
                })?;
        }
        Ok(snap)
    }

    /// Dovecot ACL files (`Maildir/dovecot-acl`, read by the `acl` plugin with `vfile`): one line per grantee.
    /// Written only where they differ from what is on disk.
    /// Only accounts that had grants before the change (`granted`) or have some now are looked at: an ACL
    /// file mailops never wrote is left alone.
    fn write_acls(&self, snap: &Snapshot, granted: &BTreeSet<Address>) -> Result<(), BackendError> {
        let now = with_access(snap);
        for (address, entry) in granted
            .union(&now)
            .filter_map(|a| snap.passwd.get(a).map(|e| (a, e)))
        {
            let path = entry.home.join("Maildir").join("dovecot-acl");
            let access = snap.metadata.accounts.get(address).map(|m| &m.access);
            let wanted: String = access
                .into_iter()
                .flatten()
                .map(|(grantee, level)| {
                    let rights = match level {
                        AccessLevel::Owner => "lrwstipekxa",
                        AccessLevel::Delegate => "lrwstipe",
                    };
                    format!("user={grantee} {rights}\n")
                })
                .collect();
            let current = std::fs::read_to_string(&path).ok();
            match (wanted.is_empty(), current) {
                (true, None) => {}
                (true, Some(_)) => std::fs::remove_file(&path).map_err(io("cannot remove an ACL file"))?,
                (false, Some(c)) if c == wanted => {}
                (false, _) => {
                    // The temporary file in the root (same file system), where the next run sweeps it.
                    crate::atomic::write_via("maildir", &self.root, &path, wanted.as_bytes(), None)
                        .map_err(io("cannot replace an ACL file"))?;
                }
            }
        }
        Ok(())
    }

    fn hash(&self, password: &Secret) -> Result<String, BackendError> {
        Ok(format!(
            "{{SHA512-CRYPT}}{}",
            super::crypt::sha512(password, self.rounds)?
        ))
    }

    /// Refuses a new account whose address or an alias is in use.
    fn check_free(snap: &Snapshot, new: &NewAccount) -> Result<(), BackendError> {
        // Aliases already pointing at the new address are what a creation killed before its passwd
        // line was written left behind: not in use by anyone else.
        let taken = |a: &Address| {
            snap.passwd.contains_key(a) || snap.aliases.get(a).is_some_and(|t| t != &new.address)
        };
        if taken(&new.address) {
            return Err(BackendError::AlreadyExists(new.address.clone()));
        }
        if let Some(a) = new.aliases.iter().find(|a| taken(a)) {
            return Err(BackendError::AlreadyExists(a.clone()));
        }
        Ok(())
    }

    /// Adds a new account to the snapshot (its Maildir is made now unless `made`); returns its id.
    fn insert_account(
        &self,
        snap: &mut Snapshot,
        new: &NewAccount,
        hash: String,
        made: bool,
    ) -> Result<String, BackendError> {
        Self::check_free(snap, new)?;
        let home = self.home(&new.address);
        if !made {
            make_maildir(&home, self.owner())?;
        }
        snap.metadata.next_id += 1;
        let id = snap.metadata.next_id.to_string();
        snap.metadata.accounts.insert(
            new.address.clone(),
            Metadata {
                id: id.clone(),
                display_name: new.display_name.clone(),
                given_name: new.given_name.clone(),
                family_name: new.family_name.clone(),
                access: BTreeMap::new(),
            },
        );
        for a in &new.aliases {
            snap.aliases.insert(a.clone(), new.address.clone());
        }
        let mut entry = PasswdEntry::new(new.address.clone(), hash, self.owner(), home);
        entry.quota = new.quota;
        entry.nologin = !new.enabled;
        snap.passwd.insert(new.address.clone(), entry);
        Ok(id)
    }
}

/// Accounts created with one rewrite of the files (the executor's bulk creation).
/// How many accounts one write of the files creates or changes.
pub const CREATE_BATCH: usize = 100;

/// The accounts that grant access to someone.
fn with_access(snap: &Snapshot) -> BTreeSet<Address> {
    snap.metadata
        .accounts
        .iter()
        .filter(|(_, m)| !m.access.is_empty())
        .map(|(a, _)| a.clone())
        .collect()
}

fn in_use(snap: &Snapshot, address: &Address) -> bool {
    snap.passwd.contains_key(address) || snap.aliases.contains_key(address)
}

fn make_maildir(home: &Path, (uid, gid): (u32, u32)) -> Result<(), BackendError> {
    // A home that exists already (a creation cut short, a folder left by hand) is walked whole below.
    let existed = home.exists();
    let maildir = home.join("Maildir");
    for sub in ["cur", "new", "tmp"] {
        std::fs::create_dir_all(maildir.join(sub)).map_err(io("cannot create the Maildir"))?;
    }
    // Ownership matters only when running as root for another user (Dovecot's vmail).
    if existed {
        for entry in walkdir::WalkDir::new(home).into_iter().flatten() {
            let _ = std::os::unix::fs::chown(entry.path(), Some(uid), Some(gid));
        }
    } else {
        let made = [home.to_path_buf(), maildir.clone()]
            .into_iter()
            .chain(["cur", "new", "tmp"].map(|s| maildir.join(s)));
        for dir in made {
            let _ = std::os::unix::fs::chown(&dir, Some(uid), Some(gid));
        }
    }
    Ok(())
}

/// What the maildir backend can do.
pub const CAPABILITIES: Capabilities = Capabilities {
    rename: true,
    archive_on_delete: true,
    delegation: true,
    must_change_password: false,
    // With Dovecot's last_login plugin (README, "Usage report").
    last_login: true,
    display_name: true,
    suspend: true,
    quotas: true,
    quota_unit: 1,
};

#[async_trait]
impl MailBackend for MaildirBackend {
    fn capabilities(&self) -> Capabilities {
        CAPABILITIES
    }

    async fn logins(&self, _observation: &Observation) -> Result<super::Logins, BackendError> {
        logins::read(&self.root)
    }

    async fn observe(&self) -> Result<Observation, BackendError> {
        let snap = {
            let mut lock = self.lock_existing()?;
            let (mut at, mut snap) = self.current()?;
            // A first change may have begun while the files were read without a lock: read again under it.
            if lock.is_none() && self.root.join(LOCK).exists() {
                lock = self.lock_existing()?;
                (at, snap) = self.current()?;
            }
            self.keep(at, snap.clone());
            drop(lock);
            snap
        };
        let mut aliases: BTreeMap<&Address, BTreeSet<Address>> = BTreeMap::new();
        for (alias, target) in &snap.aliases {
            aliases.entry(target).or_default().insert(alias.clone());
        }
        let accounts = snap
            .passwd
            .values()
            .map(|e| {
                let meta = snap
                    .metadata
                    .accounts
                    .get(&e.address)
                    .cloned()
                    .unwrap_or_default();
                // A hand-made account has no metadata: its name is the passwd comment field's, if any.
                let display_name = if meta.display_name.is_empty() {
                    // A comment with no letter (`--`) is no name.
                    e.comment()
                        .filter(|c| c.chars().any(char::is_alphabetic))
                        .map(crate::naming::display_name)
                        .unwrap_or_default()
                } else {
                    meta.display_name
                };
                ObservedAccount {
                    id: (!meta.id.is_empty()).then_some(meta.id),
                    address: e.address.clone(),
                    display_name,
                    given_name: meta.given_name,
                    family_name: meta.family_name,
                    enabled: !e.nologin,
                    quota: e.quota,
                    aliases: aliases.remove(&e.address).unwrap_or_default(),
                    access: meta.access,
                    last_login: None,
                }
            })
            .collect();
        Ok(Observation::complete(accounts))
    }

    async fn create(&self, new: &NewAccount, password: &Secret) -> Result<Option<String>, BackendError> {
        let hash = self.hash(password)?;
        let mut id = None;
        self.modify(|snap| {
            id = Some(self.insert_account(snap, new, hash.clone(), false)?);
            Ok(true)
        })?;
        Ok(id)
    }

    fn create_batch_size(&self) -> usize {
        CREATE_BATCH
    }

    /// All or nothing, with one rewrite of the files for the whole batch.
    async fn create_batch(
        &self,
        accounts: &[(&NewAccount, &Secret)],
    ) -> Result<Vec<Option<String>>, BackendError> {
        // The hashes are most of a creation's time (5 000 rounds each): on every core.
        let hashes = {
            use rayon::prelude::*;
            accounts
                .par_iter()
                .map(|(_, p)| self.hash(p))
                .collect::<Result<Vec<_>, _>>()?
        };
        let mut ids = Vec::with_capacity(accounts.len());
        self.modify(|snap| {
            ids.clear();
            // The folders next, also on every core (the file system's inode allocation is most of the rest),
            // once no address of the batch is in use; the passwd-file that makes them accounts comes after.
            for (new, _) in accounts {
                Self::check_free(snap, new)?;
            }
            {
                use rayon::prelude::*;
                let owner = self.owner();
                accounts
                    .par_iter()
                    .try_for_each(|(new, _)| make_maildir(&self.home(&new.address), owner))?;
            }
            for ((new, _), hash) in accounts.iter().zip(&hashes) {
                ids.push(Some(self.insert_account(snap, new, hash.clone(), true)?));
            }
            Ok(true)
        })?;
        Ok(ids)
    }

    fn change_batch_size(&self) -> usize {
        CREATE_BATCH
    }

    /// All or nothing, with one rewrite of the files for the whole batch. A rename's folder move is made at
    /// once (one `rename(2)`); if a later change of the batch fails, nothing is written and the executor
    /// makes the changes one by one, each rename finishing from its moved folder.
    async fn change_batch(&self, changes: &[AccountChange]) -> Result<(), BackendError> {
        self.modify(|snap| {
            let mut changed = false;
            for c in changes {
                changed |= self.change_in(snap, c)?;
            }
            Ok(changed)
        })
    }

    async fn rename(
        &self,
        from: &Address,
        to: &Address,
        keep_old_as_alias: bool,
    ) -> Result<(), BackendError> {
        self.modify(|snap| self.rename_in(snap, from, to, keep_old_as_alias))
    }

    async fn update(&self, address: &Address, u: &AccountUpdate) -> Result<(), BackendError> {
        self.modify(|snap| self.update_in(snap, address, u))
    }

    async fn suspend(&self, address: &Address) -> Result<(), BackendError> {
        self.modify(|snap| self.suspend_in(snap, address))
    }

    async fn resume(&self, address: &Address) -> Result<(), BackendError> {
        self.modify(|snap| self.resume_in(snap, address))
    }

    /// The account leaves the passwd-file first (no more logins or deliveries), its mail is archived next,
    /// and its folder goes last; the deletion is recorded before the first step (see [`deletion`]), so that a
    /// run killed anywhere in between is finished by the next change, never archived twice.
    async fn delete(&self, address: &Address) -> Result<(), BackendError> {
        self.modify(|snap| {
            let entry = snap
                .passwd
                .get(address)
                .ok_or_else(|| BackendError::NotFound(address.clone()))?
                .clone();
            self.check_home(&entry)?;
            deletion::Record::begin(&self.root, address)?;
            snap.passwd.remove(address);
            snap.metadata.accounts.remove(address);
            snap.aliases.retain(|_, t| t != address);
            for meta in snap.metadata.accounts.values_mut() {
                meta.access.remove(address);
            }
            Ok(true)
        })?;
        let _lock = self.lock()?;
        self.finish_deletion(address)
    }

    async fn grant(
        &self,
        mailbox: &Address,
        grantee: &Address,
        level: AccessLevel,
    ) -> Result<(), BackendError> {
        self.modify(|snap| self.grant_in(snap, mailbox, grantee, level))
    }

    async fn revoke(&self, mailbox: &Address, grantee: &Address) -> Result<(), BackendError> {
        self.modify(|snap| self.revoke_in(snap, mailbox, grantee))
    }

    async fn set_password(&self, address: &Address, password: &Secret) -> Result<(), BackendError> {
        let hash = self.hash(password)?;
        self.modify(|snap| {
            let entry = snap
                .passwd
                .get_mut(address)
                .ok_or_else(|| BackendError::NotFound(address.clone()))?;
            entry.hash.clone_from(&hash);
            Ok(true)
        })
    }
}

mod changes;
mod deletion;
pub(crate) mod files;
pub mod logins;
mod store;
#[cfg(test)]
mod tests;

use files::PasswdEntry;
use store::Stamp;
