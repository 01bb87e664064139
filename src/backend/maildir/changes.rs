//! The changes of existing accounts, made on a snapshot of the folder (the backend writes the snapshot
//! back once per call or batch).

use super::*;

/// The changes of existing accounts, on a snapshot: each returns whether it changed anything.
impl MaildirBackend {
    pub(super) fn rename_in(
        &self,
        snap: &mut Snapshot,
        from: &Address,
        to: &Address,
        keep_old_as_alias: bool,
    ) -> Result<bool, BackendError> {
        if from == to {
            return Ok(false);
        }
        if !snap.passwd.contains_key(from) && snap.passwd.contains_key(to) {
            // Already renamed (a repeated call, or the recovery of a finished one).
            return Ok(false);
        }
        let current = snap
            .passwd
            .get(from)
            .ok_or_else(|| BackendError::NotFound(from.clone()))?;
        self.check_home(current)?;
        let mut entry = snap.passwd.remove(from).expect("looked up above");
        if snap.passwd.contains_key(to) {
            return Err(BackendError::AlreadyExists(to.clone()));
        }
        let new_home = self.home(to);
        if let Some(parent) = new_home.parent() {
            std::fs::create_dir_all(parent).map_err(io("cannot create the domain folder"))?;
        }
        let moved_already = new_home.exists() && !entry.home.exists();
        if new_home.exists() && !moved_already {
            return Err(BackendError::Server(format!(
                "{} already exists",
                new_home.display()
            )));
        }
        // One rename(2): the messages never exist in two places or none. A run killed after it and
        // before the passwd-file was written left the folder moved: the rename is finished from there.
        if !moved_already {
            std::fs::rename(&entry.home, &new_home).map_err(io("cannot move the mailbox"))?;
            crate::atomic::sync_dir(new_home.parent().unwrap_or(&self.root));
        }
        entry.address = to.clone();
        entry.home = new_home;
        snap.passwd.insert(to.clone(), entry);
        if let Some(meta) = snap.metadata.accounts.remove(from) {
            snap.metadata.accounts.insert(to.clone(), meta);
        }
        for meta in snap.metadata.accounts.values_mut() {
            if let Some(level) = meta.access.remove(from) {
                meta.access.insert(to.clone(), level);
            }
        }
        snap.aliases.remove(to);
        for target in snap.aliases.values_mut() {
            if target == from {
                *target = to.clone();
            }
        }
        if keep_old_as_alias {
            snap.aliases.insert(from.clone(), to.clone());
        }
        Ok(true)
    }

    pub(super) fn update_in(
        &self,
        snap: &mut Snapshot,
        address: &Address,
        u: &AccountUpdate,
    ) -> Result<bool, BackendError> {
        let entry = snap
            .passwd
            .get_mut(address)
            .ok_or_else(|| BackendError::NotFound(address.clone()))?;
        let mut changed = false;
        if let Some(q) = u.quota
            && entry.quota != Some(q)
        {
            entry.quota = Some(q);
            changed = true;
        }
        let meta = snap.metadata.accounts.entry(address.clone()).or_default();
        let before = meta.clone();
        if let Some(v) = &u.display_name {
            meta.display_name.clone_from(v);
        }
        if let Some(v) = &u.given_name {
            meta.given_name = Some(v.clone());
        }
        if let Some(v) = &u.family_name {
            meta.family_name = Some(v.clone());
        }
        changed |= *meta != before;
        if let Some(wanted) = &u.aliases {
            let current: BTreeSet<Address> = snap
                .aliases
                .iter()
                .filter(|(_, t)| *t == address)
                .map(|(a, _)| a.clone())
                .collect();
            if &current != wanted {
                if let Some(taken) = wanted.iter().find(|a| !current.contains(*a) && in_use(snap, a)) {
                    return Err(BackendError::AlreadyExists(taken.clone()));
                }
                snap.aliases.retain(|_, t| t != address);
                for a in wanted {
                    snap.aliases.insert(a.clone(), address.clone());
                }
                changed = true;
            }
        }
        Ok(changed)
    }

    pub(super) fn suspend_in(&self, snap: &mut Snapshot, address: &Address) -> Result<bool, BackendError> {
        let entry = snap
            .passwd
            .get_mut(address)
            .ok_or_else(|| BackendError::NotFound(address.clone()))?;
        let changed = !entry.nologin;
        entry.nologin = true;
        Ok(changed)
    }

    pub(super) fn resume_in(&self, snap: &mut Snapshot, address: &Address) -> Result<bool, BackendError> {
        let entry = snap
            .passwd
            .get_mut(address)
            .ok_or_else(|| BackendError::NotFound(address.clone()))?;
        let changed = entry.nologin;
        entry.nologin = false;
        Ok(changed)
    }

    pub(super) fn grant_in(
        &self,
        snap: &mut Snapshot,
        mailbox: &Address,
        grantee: &Address,
        level: AccessLevel,
    ) -> Result<bool, BackendError> {
        if !snap.passwd.contains_key(mailbox) {
            return Err(BackendError::NotFound(mailbox.clone()));
        }
        let meta = snap.metadata.accounts.entry(mailbox.clone()).or_default();
        Ok(meta.access.insert(grantee.clone(), level) != Some(level))
    }

    pub(super) fn revoke_in(
        &self,
        snap: &mut Snapshot,
        mailbox: &Address,
        grantee: &Address,
    ) -> Result<bool, BackendError> {
        if !snap.passwd.contains_key(mailbox) {
            return Err(BackendError::NotFound(mailbox.clone()));
        }
        let meta = snap.metadata.accounts.entry(mailbox.clone()).or_default();
        Ok(meta.access.remove(grantee).is_some())
    }

    pub(super) fn change_in(&self, snap: &mut Snapshot, c: &AccountChange) -> Result<bool, BackendError> {
        match c {
            AccountChange::Rename {
                from,
                to,
                keep_old_as_alias,
            } => self.rename_in(snap, from, to, *keep_old_as_alias),
            AccountChange::Update { address, update } => self.update_in(snap, address, update),
            AccountChange::Suspend(a) => self.suspend_in(snap, a),
            AccountChange::Resume(a) => self.resume_in(snap, a),
            AccountChange::Grant {
                mailbox,
                grantee,
                level,
            } => self.grant_in(snap, mailbox, grantee, *level),
            AccountChange::Revoke { mailbox, grantee } => self.revoke_in(snap, mailbox, grantee),
        }
    }
}
