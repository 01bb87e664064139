//! The folder's three files read and written as one snapshot, under the lock, and never over a person's
//! edit: each file's identity is taken before it is read and checked again before it is replaced, and the
//! file in place is held open across the rename (see [`MaildirBackend::write_file`]).

use super::*;

/// The three files, in the order of a [`Stamp`].
pub(super) const FILES: [&str; 3] = [PASSWD, VIRTUAL, METADATA];
/// How many times a change is made again on a file a person changed meanwhile.
pub(super) const WRITE_TRIES: usize = 8;

/// What identifies the content of a file: device, inode, length, modification and change times.
pub(super) type FileStamp = (u64, u64, u64, i64, i64, i64, i64);
/// The identities of the three files, in the order of [`FILES`].
pub(super) type Stamp = [FileStamp; 3];

pub(super) fn file_stamp(m: &std::fs::Metadata) -> FileStamp {
    (
        m.dev(),
        m.ino(),
        m.len(),
        m.mtime(),
        m.mtime_nsec(),
        m.ctime(),
        m.ctime_nsec(),
    )
}

pub(super) fn one_stamp(root: &Path, name: &str) -> FileStamp {
    std::fs::metadata(root.join(name)).map_or((0, 0, 0, 0, 0, 0, 0), |m| file_stamp(&m))
}

pub(super) fn stamp(root: &Path) -> Stamp {
    FILES.map(|name| one_stamp(root, name))
}

/// Why the files were not written.
pub(super) enum Written {
    /// A file was changed by someone else since it was read (its name).
    ChangedMeanwhile(&'static str),
    Failed(BackendError),
}

impl MaildirBackend {
    /// Replaces file `which` (an index of [`FILES`]) only if it is still as it was read (`read_at`): a
    /// person editing it by hand does not take mailops's lock. The file in place is held open from the check
    /// to after the rename: a write a person made to it in between (an `echo >> passwd` that opened it
    /// before the rename) is noticed, and the file is put back as the person left it, for the change to be
    /// made again on it.
    pub(super) fn write_file(&self, which: usize, bytes: &[u8], read_at: &Stamp) -> Result<(), Written> {
        let name = FILES[which];
        let path = self.root.join(name);
        let failed = |e| Written::Failed(io(format!("cannot replace {name}"))(e));
        let held = File::open(&path).ok();
        let held_stamp = |f: &File| f.metadata().map(|m| file_stamp(&m)).ok();
        let before = held.as_ref().and_then(held_stamp);
        let unchanged = || {
            // The inode in place now is the one held, as it was read.
            one_stamp(&self.root, name) == read_at[which] && before.is_none_or(|b| b == read_at[which])
        };
        crate::atomic::write_if_unchanged("maildir", &self.root, &path, bytes, unchanged).map_err(|e| {
            if e.kind() == std::io::ErrorKind::WouldBlock {
                Written::ChangedMeanwhile(name)
            } else {
                failed(e)
            }
        })?;
        let Some(mut held) = held else {
            return Ok(());
        };
        // Its length and modification time: the rename changed its change time (one link fewer), a write
        // changes these.
        let content = |s: Option<FileStamp>| s.map(|(_, _, len, m, mn, _, _)| (len, m, mn));
        if content(held_stamp(&held)) == content(before) {
            return Ok(());
        }
        // Written to while it was being replaced: the person's version goes back in place.
        let mut theirs = Vec::new();
        std::io::Seek::rewind(&mut held)
            .and_then(|()| std::io::Read::read_to_end(&mut held, &mut theirs))
            .map_err(failed)?;
        crate::atomic::write_via("maildir", &self.root, &path, &theirs, None).map_err(failed)?;
        Err(Written::ChangedMeanwhile(name))
    }

    /// Writes the snapshot; returns the lengths written, in the order of [`FILES`].
    pub(super) fn write(
        &self,
        snap: &Snapshot,
        granted: &BTreeSet<Address>,
        read_at: &Stamp,
    ) -> Result<[u64; 3], Written> {
        // The grammar makes a bad address impossible; a backend still refuses what it cannot store safely.
        crate::backend::storable(
            snap.passwd
                .keys()
                .chain(snap.aliases.keys())
                .chain(snap.aliases.values()),
        )
        .map_err(Written::Failed)?;
        let passwd = files::render_passwd(snap.passwd.values(), &snap.passwd_kept);
        let virt = files::render_virtual(&snap.aliases, &snap.alias_lines, &snap.virtual_kept);
        let meta = serde_json::to_vec_pretty(&snap.metadata).unwrap_or_default();
        // Nothing is replaced while a file a person may edit has changed since it was read.
        if let Some(which) = (0..FILES.len()).find(|&i| one_stamp(&self.root, FILES[i]) != read_at[i]) {
            return Err(Written::ChangedMeanwhile(FILES[which]));
        }
        self.write_file(2, &meta, read_at)?;
        self.write_acls(snap, granted).map_err(Written::Failed)?;
        self.write_file(1, virt.as_bytes(), read_at)?;
        // The passwd-file last: it is what makes an account exist for Dovecot.
        self.write_file(0, passwd.as_bytes(), read_at)?;
        crate::atomic::sync_dir(&self.root);
        Ok([passwd.len(), virt.len(), meta.len()].map(|n| n as u64))
    }

    /// Reads, changes and writes back the folder under the lock; `change` returns whether it changed anything.
    /// A person may edit the passwd-file or the virtual map by hand at any time, without the lock: a file
    /// changed between its reading and its replacement is never written over; the folder is read again and
    /// the change made again on the new content (every change here can be made twice), a few times, before
    /// the change is refused.
    pub(super) fn modify(
        &self,
        mut change: impl FnMut(&mut Snapshot) -> Result<bool, BackendError>,
    ) -> Result<(), BackendError> {
        let _lock = self.lock()?;
        self.finish_deletions();
        let mut last = "";
        for _ in 0..WRITE_TRIES {
            let (read_at, mut snap) = self.current()?;
            let granted = with_access(&snap);
            // On an error the snapshot may be half-changed: it is not kept, and the next call reads the files.
            if !change(&mut snap)? {
                self.keep(read_at, snap);
                return Ok(());
            }
            match self.write(&snap, &granted, &read_at) {
                Ok(written) => {
                    // Kept for the next change only if the files are still what was written (a person's
                    // line appended since would otherwise be missing from the cached snapshot).
                    let at = stamp(&self.root);
                    if at.iter().zip(written).all(|(s, len)| s.2 == len) {
                        self.keep(at, snap);
                    }
                    return Ok(());
                }
                Err(Written::ChangedMeanwhile(name)) => {
                    tracing::info!(
                        file = name,
                        "changed by someone else while mailops wrote it; read again"
                    );
                    last = name;
                }
                Err(Written::Failed(e)) => return Err(e),
            }
        }
        Err(BackendError::Server(format!(
            "{last} kept changing while mailops wrote it ({WRITE_TRIES} tries); nothing was written over it, try again"
        )))
    }

    /// The folder's content (under the lock): the cached snapshot while the files are the ones it was made
    /// from, else read from disk.
    /// The files' identities are taken before they are read: a change made while they are read is noticed.
    pub(super) fn current(&self) -> Result<(Stamp, Snapshot), BackendError> {
        let now = stamp(&self.root);
        let cached = self
            .cache
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        match cached {
            Some((s, snap)) if s == now => Ok((now, snap)),
            _ => Ok((now, self.read()?)),
        }
    }

    pub(super) fn keep(&self, at: Stamp, snap: Snapshot) {
        *self
            .cache
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some((at, snap));
    }
}
