//! Units of work: how the changes of one phase are grouped (alone, one rotation per agency mailbox on a
//! server that cannot share one, bulk creations, batched changes of existing accounts) and how each unit is
//! carried out on the backend with the passwords already delivered for it.

use std::collections::BTreeMap;

use crate::backend::{AccessLevel, AccountChange, AccountUpdate, BackendError, MailBackend, Secret};
use crate::desired::Address;
use crate::plan::{Action, Change};
use crate::state::Inventory;

pub(super) fn no_password() -> BackendError {
    BackendError::Server("no delivered password for this change".into())
}

/// Runs one change with the password prepared (and already delivered) for it; returns a created account's id.
pub(super) async fn run_change(
    backend: &dyn MailBackend,
    c: &Change,
    password: Option<&Secret>,
) -> Result<Option<String>, BackendError> {
    let address = &c.target.address;
    match &c.action {
        Action::Create { account } => backend.create(account, password.ok_or_else(no_password)?).await,
        Action::Adopt { .. } | Action::Blocked { .. } => Ok(None),
        Action::Rename {
            from,
            to,
            keep_old_as_alias,
            ..
        } => backend.rename(from, to, *keep_old_as_alias).await.map(|()| None),
        Action::Update { set, enable, .. } => {
            if *set != AccountUpdate::default() {
                backend.update(address, set).await?;
            }
            match enable {
                Some(true) => backend.resume(address).await?,
                Some(false) => backend.suspend(address).await?,
                None => {}
            }
            Ok(None)
        }
        Action::Suspend { .. } => backend.suspend(address).await.map(|()| None),
        Action::Resume => backend.resume(address).await.map(|()| None),
        Action::Delete { .. } => backend.delete(address).await.map(|()| None),
        Action::Grant { grantee, level, .. } => backend.grant(address, grantee, *level).await.map(|()| None),
        Action::Revoke { grantee, .. } => backend.revoke(address, grantee).await.map(|()| None),
        Action::Handover { from, to, .. } => {
            if let Some(from) = from {
                backend.revoke(address, from).await?;
            }
            backend.grant(address, to, AccessLevel::Owner).await?;
            // The previous owner may know the password: rotate it; the new owner received it already.
            backend
                .set_password(address, password.ok_or_else(no_password)?)
                .await?;
            Ok(None)
        }
    }
}

pub(super) fn is_access(action: &Action) -> bool {
    matches!(
        action,
        Action::Grant { .. } | Action::Revoke { .. } | Action::Handover { .. }
    )
}

/// Applies an access change to the holders of a mailbox's credentials.
pub(super) fn change_holders(holders: &mut BTreeMap<Address, AccessLevel>, action: &Action) {
    match action {
        Action::Grant { grantee, level, .. } => {
            holders.insert(grantee.clone(), *level);
        }
        Action::Revoke { grantee, .. } => {
            holders.remove(grantee);
        }
        Action::Handover { from, to, .. } => {
            if let Some(from) = from {
                holders.remove(from);
            }
            holders.insert(to.clone(), AccessLevel::Owner);
        }
        _ => {}
    }
}

/// The changes of one phase, as units of work: each change alone, except that on a server without
/// delegation the access changes of one mailbox form one unit (one rotation), and on a server with bulk
/// creation the creations go in batches of its size.
pub(super) fn units<'c>(
    batch: &[&'c Change],
    shares: bool,
    batch_size: usize,
    change_batch: usize,
) -> Vec<Vec<usize>> {
    let mut units: Vec<Vec<usize>> = Vec::new();
    let batchable = batch.iter().filter(|c| account_change(c).is_some()).count();
    if shares && change_batch > 1 && batchable > 1 {
        let (together, rest): (Vec<usize>, Vec<usize>) =
            (0..batch.len()).partition(|i| account_change(batch[*i]).is_some());
        let n = together.len().div_ceil(change_batch);
        let size = together.len().div_ceil(n);
        units.extend(together.chunks(size).map(<[usize]>::to_vec));
        units.extend(rest.into_iter().map(|i| vec![i]));
        return units;
    }
    let mut by_mailbox: BTreeMap<&'c Address, usize> = BTreeMap::new();
    let creates = batch
        .iter()
        .filter(|c| matches!(c.action, Action::Create { .. }))
        .count();
    if batch_size > 1 && creates > 1 {
        let (create, rest): (Vec<usize>, Vec<usize>) =
            (0..batch.len()).partition(|i| matches!(batch[*i].action, Action::Create { .. }));
        // Even batches: 120 creations in batches of 50 are 40 + 40 + 40, not 50 + 50 + 20.
        let n = create.len().div_ceil(batch_size);
        let size = create.len().div_ceil(n);
        units.extend(create.chunks(size).map(<[usize]>::to_vec));
        units.extend(rest.into_iter().map(|i| vec![i]));
        return units;
    }
    for (i, c) in batch.iter().enumerate() {
        if !shares && is_access(&c.action) {
            if let Some(u) = by_mailbox.get(&c.target.address) {
                units[*u].push(i);
                continue;
            }
            by_mailbox.insert(&c.target.address, units.len());
        }
        units.push(vec![i]);
    }
    units
}

/// A change of an existing account as the backend's batch operation takes it (`None`: not batched).
pub(super) fn account_change(c: &Change) -> Option<Vec<AccountChange>> {
    let a = &c.target.address;
    Some(match &c.action {
        Action::Rename {
            from,
            to,
            keep_old_as_alias,
            ..
        } => vec![AccountChange::Rename {
            from: from.clone(),
            to: to.clone(),
            keep_old_as_alias: *keep_old_as_alias,
        }],
        Action::Update { set, enable, .. } => {
            let mut out = Vec::new();
            if *set != AccountUpdate::default() {
                out.push(AccountChange::Update {
                    address: a.clone(),
                    update: set.clone(),
                });
            }
            match enable {
                Some(true) => out.push(AccountChange::Resume(a.clone())),
                Some(false) => out.push(AccountChange::Suspend(a.clone())),
                None => {}
            }
            out
        }
        Action::Suspend { .. } => vec![AccountChange::Suspend(a.clone())],
        Action::Resume => vec![AccountChange::Resume(a.clone())],
        Action::Grant { grantee, level, .. } => vec![AccountChange::Grant {
            mailbox: a.clone(),
            grantee: grantee.clone(),
            level: *level,
        }],
        Action::Revoke { grantee, .. } => vec![AccountChange::Revoke {
            mailbox: a.clone(),
            grantee: grantee.clone(),
        }],
        _ => return None,
    })
}

/// Changes of existing accounts in one batch operation; if the server refuses it (nothing is then made),
/// one by one, so that the others are made and the failing one is named.
pub(super) async fn change_batch(
    backend: &dyn MailBackend,
    batch: &[&Change],
    unit: &[usize],
) -> Vec<(usize, Result<Option<String>, BackendError>)> {
    let changes: Vec<AccountChange> = unit
        .iter()
        .filter_map(|i| account_change(batch[*i]))
        .flatten()
        .collect();
    match backend.change_batch(&changes).await {
        Ok(()) => unit.iter().map(|i| (*i, Ok(None))).collect(),
        Err(e) => {
            tracing::info!(error = %e, changes = unit.len(), "batch refused; changing one by one");
            let mut out = Vec::new();
            for i in unit {
                out.push((*i, run_change(backend, batch[*i], None).await));
            }
            out
        }
    }
}

/// Who receives the password a unit sets (`None`: it sets none): the owner of a new mailbox, the new owner
/// after a handover, or everyone who holds an agency mailbox's credentials after its access changes on a
/// server that cannot share a mailbox.
pub(super) fn recipients(
    batch: &[&Change],
    unit: &[usize],
    shares: bool,
    inventory: &Inventory,
) -> Vec<(usize, Vec<Address>)> {
    let first = batch[unit[0]];
    if !shares && is_access(&first.action) {
        let mut holders = (first.target.resource().as_ref())
            .and_then(|id| inventory.get(id))
            .map(|e| e.holders.clone())
            .unwrap_or_default();
        for i in unit {
            change_holders(&mut holders, &batch[*i].action);
        }
        return vec![(unit[0], holders.into_keys().collect())];
    }
    unit.iter()
        .filter_map(|i| match &batch[*i].action {
            Action::Create { .. } => Some((*i, vec![batch[*i].target.address.clone()])),
            Action::Handover { to, .. } => Some((*i, vec![to.clone()])),
            _ => None,
        })
        .collect()
}

/// Runs one unit of work with its prepared passwords (by position in the unit).
pub(super) async fn run_unit(
    backend: &dyn MailBackend,
    batch: &[&Change],
    unit: &[usize],
    passwords: &[Option<Secret>],
    shares: bool,
) -> Vec<(usize, Result<Option<String>, BackendError>)> {
    let first = batch[unit[0]];
    if unit.len() > 1 && matches!(first.action, Action::Create { .. }) {
        return create_batch(backend, batch, unit, passwords).await;
    }
    if unit.len() > 1 && shares && account_change(first).is_some() {
        return change_batch(backend, batch, unit).await;
    }
    if shares || !is_access(&first.action) {
        return vec![(unit[0], run_change(backend, first, passwords[0].as_ref()).await)];
    }
    // One rotation for every access change of the mailbox.
    let result = match &passwords[0] {
        Some(p) => backend.set_password(&first.target.address, p).await,
        None => Err(no_password()),
    };
    match result {
        Ok(()) => unit.iter().map(|i| (*i, Ok(None))).collect(),
        Err(e) => {
            let message = e.to_string();
            let mut out: Vec<_> = unit[1..]
                .iter()
                .map(|i| (*i, Err(BackendError::Server(message.clone()))))
                .collect();
            out.insert(0, (unit[0], Err(e)));
            out
        }
    }
}

/// Creates a batch of accounts in one bulk operation; if the server refuses the batch (nothing is then
/// created), one by one with the same passwords, so that the others are created and the refused one is named.
pub(super) async fn create_batch(
    backend: &dyn MailBackend,
    batch: &[&Change],
    unit: &[usize],
    passwords: &[Option<Secret>],
) -> Vec<(usize, Result<Option<String>, BackendError>)> {
    let pairs: Option<Vec<_>> = unit
        .iter()
        .zip(passwords)
        .map(|(i, p)| match (&batch[*i].action, p) {
            (Action::Create { account }, Some(p)) => Some((account, p)),
            _ => None,
        })
        .collect();
    let result = match &pairs {
        Some(pairs) => backend.create_batch(pairs).await,
        None => Err(no_password()),
    };
    match result {
        Ok(ids) if ids.len() == unit.len() => unit.iter().copied().zip(ids.into_iter().map(Ok)).collect(),
        result => {
            if let Err(e) = result {
                tracing::info!(error = %e, accounts = unit.len(), "bulk creation refused; creating one by one");
            }
            let mut out = Vec::new();
            for (i, p) in unit.iter().zip(passwords) {
                out.push((*i, run_change(backend, batch[*i], p.as_ref()).await));
            }
            out
        }
    }
}
