//! The executor: carries out a plan on a backend, in an order that never collides, and records what it did.
//!
//! # Guarantees
//! - The plan is executed as it is, never recomputed; blocked changes are not executed.
//! - Order: renames, revocations and deletions first (they free addresses and access), then creations, then
//!   updates, resumptions and adoptions, then grants and handovers, then suspensions last.
//! - Changes within a phase run concurrently, at most `concurrency` at a time; a failed change does not stop
//!   the others, and the report says which failed.
//! - The inventory is updated for every change that succeeded, and only for those.
//! - Initial and rotated passwords are random, delivered once through the credentials sink, never logged or
//!   written to the audit log.
//!
//! # Errors
//! Failures are outcomes in the [`ApplyReport`], not errors of the call: the next run converges.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::PathBuf;

use chrono::NaiveDate;
use futures::StreamExt;
use rand::Rng;
use serde::Serialize;

use crate::backend::{AccessLevel, AccountUpdate, BackendError, MailBackend, Secret};
use crate::desired::{Address, Quota};
use crate::plan::{Action, ActionKind, Change, FieldChange, Plan};
use crate::state::{EntryOrigin, Inventory, InventoryEntry};

/// Where new passwords go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CredentialsSink {
    /// Appended to this file, created with mode 0600.
    File(PathBuf),
    /// Returned in the report, for the caller to show once.
    Show,
}

/// How to apply.
#[derive(Debug, Clone)]
pub struct ApplyOptions {
    /// Changes run at the same time within a phase.
    pub concurrency: usize,
    /// The revision applied (recorded in the inventory and the audit log).
    pub revision: Option<String>,
    /// The day (suspension dates).
    pub today: NaiveDate,
    /// Where new passwords go.
    pub credentials: CredentialsSink,
    /// The append-only audit log (JSON lines), if any.
    pub audit_log: Option<PathBuf>,
}

/// What happened to one change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", tag = "outcome")]
pub enum Outcome {
    /// Done.
    Applied,
    /// Refused by the plan's safety rules; not attempted.
    Blocked,
    /// Attempted and failed.
    Failed {
        /// A bounded error kind.
        kind: String,
        /// The error.
        message: String,
    },
}

/// One change and its outcome.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ChangeOutcome {
    /// `Mailbox/name`.
    pub target: String,
    /// The address.
    pub address: Address,
    /// What was done.
    pub action: ActionKind,
    /// How it went.
    #[serde(flatten)]
    pub outcome: Outcome,
}

/// What an apply did.
#[derive(Debug, Default)]
pub struct ApplyReport {
    /// Every change of the plan, in execution order.
    pub outcomes: Vec<ChangeOutcome>,
    /// New passwords when the sink is [`CredentialsSink::Show`]: (mailbox, password, who receives it).
    pub credentials: Vec<(Address, Secret, Address)>,
}

impl ApplyReport {
    /// Counts (applied, blocked, failed).
    #[must_use]
    pub fn counts(&self) -> (usize, usize, usize) {
        let mut c = (0, 0, 0);
        for o in &self.outcomes {
            match o.outcome {
                Outcome::Applied => c.0 += 1,
                Outcome::Blocked => c.1 += 1,
                Outcome::Failed { .. } => c.2 += 1,
            }
        }
        c
    }
}

/// The phase a change runs in (see the module guarantees).
fn phase(action: &Action) -> u8 {
    match action {
        Action::Rename { .. } => 0,
        Action::Revoke { .. } => 1,
        Action::Delete { .. } => 2,
        Action::Create { .. } => 3,
        Action::Update { .. } | Action::Resume | Action::Adopt { .. } => 4,
        Action::Grant { .. } | Action::Handover { .. } => 5,
        Action::Suspend { .. } => 6,
        Action::Blocked { .. } => 7,
    }
}

fn random_password() -> Secret {
    const CHARS: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    let mut rng = rand::rngs::OsRng;
    // Servers' password rules (Modoboa uses Django's) want an upper-case letter, a lower-case letter and a
    // digit: draw again until all three are there (about one draw in ten is redrawn).
    loop {
        let s: String = (0..16)
            .map(|_| CHARS[rng.gen_range(0..CHARS.len())] as char)
            .collect();
        let has = |f: fn(&char) -> bool| s.chars().any(|c| f(&c));
        if has(char::is_ascii_uppercase) && has(char::is_ascii_lowercase) && has(char::is_ascii_digit) {
            return Secret::new(s);
        }
    }
}

fn update_from(fields: &[FieldChange]) -> Result<(AccountUpdate, Option<bool>), BackendError> {
    let mut u = AccountUpdate::default();
    let mut enable = None;
    for f in fields {
        let after = f.after.clone();
        match f.field.as_str() {
            "fullName" | "displayName" => u.display_name = after,
            "givenName" => u.given_name = after,
            "familyName" => u.family_name = after,
            "quota" => {
                u.quota = after
                    .map(|q| q.parse::<Quota>())
                    .transpose()
                    .map_err(|e| BackendError::Server(e.to_string()))?;
            }
            "aliases" => {
                let list = after.unwrap_or_default();
                let parsed: Result<_, _> = list
                    .split(", ")
                    .filter(|a| !a.is_empty())
                    .map(str::parse::<Address>)
                    .collect();
                u.aliases = Some(parsed.map_err(|e| BackendError::Server(e.to_string()))?);
            }
            "state" => enable = Some(after.as_deref() == Some("active")),
            _ => {}
        }
    }
    Ok((u, enable))
}

/// What a successful change leaves to record.
#[derive(Default)]
struct Done {
    /// New passwords to hand out: (password, who receives it).
    deliveries: Vec<(Secret, Address)>,
    /// The backend's id of a created account.
    backend_id: Option<String>,
}

impl From<()> for Done {
    fn from((): ()) -> Self {
        Done::default()
    }
}

impl Done {
    fn deliver(password: Secret, to: Address) -> Self {
        Done {
            deliveries: vec![(password, to)],
            backend_id: None,
        }
    }
}

#[cfg(test)]
mod password_tests {
    #[test]
    fn random_passwords_have_every_class_of_character() {
        for _ in 0..500 {
            let p = super::random_password();
            let p = p.expose();
            assert_eq!(p.len(), 16);
            assert!(p.chars().any(|c| c.is_ascii_uppercase()));
            assert!(p.chars().any(|c| c.is_ascii_lowercase()));
            assert!(p.chars().any(|c| c.is_ascii_digit()));
        }
    }
}

/// Runs one change; returns the new passwords to deliver.
async fn run_change(backend: &dyn MailBackend, c: &Change) -> Result<Done, BackendError> {
    let address = &c.target.address;
    let none = Done::from;
    match &c.action {
        Action::Create { account } => {
            let password = random_password();
            let backend_id = backend.create(account, &password).await?;
            Ok(Done {
                backend_id,
                ..Done::deliver(password, address.clone())
            })
        }
        Action::Adopt { .. } | Action::Blocked { .. } => Ok(Done::default()),
        Action::Rename {
            from,
            to,
            keep_old_as_alias,
            ..
        } => backend.rename(from, to, *keep_old_as_alias).await.map(none),
        Action::Update { fields } => {
            let (update, enable) = update_from(fields)?;
            if update != AccountUpdate::default() {
                backend.update(address, &update).await?;
            }
            match enable {
                Some(true) => backend.resume(address).await?,
                Some(false) => backend.suspend(address).await?,
                None => {}
            }
            Ok(Done::default())
        }
        Action::Suspend { .. } => backend.suspend(address).await.map(none),
        Action::Resume => backend.resume(address).await.map(none),
        Action::Delete { .. } => backend.delete(address).await.map(none),
        Action::Grant { grantee, level, .. } => backend.grant(address, grantee, *level).await.map(none),
        Action::Revoke { grantee, .. } => backend.revoke(address, grantee).await.map(none),
        Action::Handover { from, to, .. } => {
            if let Some(from) = from {
                backend.revoke(address, from).await?;
            }
            backend.grant(address, to, AccessLevel::Owner).await?;
            // The previous owner may know the password: rotate it and deliver it to the new owner only.
            let password = random_password();
            backend.set_password(address, &password).await?;
            Ok(Done::deliver(password, to.clone()))
        }
    }
}

fn is_access(action: &Action) -> bool {
    matches!(
        action,
        Action::Grant { .. } | Action::Revoke { .. } | Action::Handover { .. }
    )
}

/// Applies an access change to the holders of a mailbox's credentials.
fn change_holders(holders: &mut BTreeMap<Address, AccessLevel>, action: &Action) {
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

/// On a server that cannot share a mailbox, access is the password: all access changes of one mailbox are
/// one rotation, and the new password goes to everyone who holds access afterwards (nobody else).
async fn reshare(
    backend: &dyn MailBackend,
    address: &Address,
    holders: BTreeMap<Address, AccessLevel>,
) -> Result<Done, BackendError> {
    let password = random_password();
    backend.set_password(address, &password).await?;
    Ok(Done {
        deliveries: holders.into_keys().map(|h| (password.clone(), h)).collect(),
        backend_id: None,
    })
}

/// The changes of one phase, as units of work: each change alone, except that on a server without
/// delegation the access changes of one mailbox form one unit (one rotation), and on a server with bulk
/// creation the creations go in batches of its size.
fn units<'c>(batch: &[&'c Change], shares: bool, batch_size: usize) -> Vec<Vec<usize>> {
    let mut units: Vec<Vec<usize>> = Vec::new();
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

/// Creates a batch of accounts in one bulk operation; if the server refuses the batch (nothing is then
/// created), one by one, so that the others are created and the refused one is named.
async fn create_batch(
    backend: &dyn MailBackend,
    batch: &[&Change],
    unit: &[usize],
) -> Vec<(usize, Result<Done, BackendError>)> {
    let accounts: Vec<&crate::backend::NewAccount> = unit
        .iter()
        .filter_map(|i| match &batch[*i].action {
            Action::Create { account } => Some(account),
            _ => None,
        })
        .collect();
    let passwords: Vec<Secret> = accounts.iter().map(|_| random_password()).collect();
    let pairs: Vec<_> = accounts.iter().copied().zip(passwords.iter()).collect();
    match backend.create_batch(&pairs).await {
        Ok(ids) if ids.len() == unit.len() => unit
            .iter()
            .zip(passwords)
            .zip(ids)
            .map(|((i, password), backend_id)| {
                let done = Done {
                    backend_id,
                    ..Done::deliver(password, batch[*i].target.address.clone())
                };
                (*i, Ok(done))
            })
            .collect(),
        result => {
            if let Err(e) = result {
                tracing::info!(error = %e, accounts = unit.len(), "bulk creation refused; creating one by one");
            }
            let mut out = Vec::new();
            for i in unit {
                out.push((*i, run_change(backend, batch[*i]).await));
            }
            out
        }
    }
}

/// Runs one unit of work; the first change of a unit carries its deliveries.
async fn run_unit(
    backend: &dyn MailBackend,
    batch: &[&Change],
    unit: &[usize],
    inventory: &Inventory,
    shares: bool,
) -> Vec<(usize, Result<Done, BackendError>)> {
    let first = batch[unit[0]];
    if unit.len() > 1 && matches!(first.action, Action::Create { .. }) {
        return create_batch(backend, batch, unit).await;
    }
    if shares || !is_access(&first.action) {
        return vec![(unit[0], run_change(backend, first).await)];
    }
    let key = first
        .target
        .name
        .as_ref()
        .map(|n| format!("{}/{n}", first.target.kind));
    let mut holders = key
        .and_then(|k| inventory.get(&k))
        .map(|e| e.holders.clone())
        .unwrap_or_default();
    for i in unit {
        change_holders(&mut holders, &batch[*i].action);
    }
    match reshare(backend, &first.target.address, holders).await {
        Ok(deliveries) => {
            let mut out = vec![(unit[0], Ok(deliveries))];
            out.extend(unit[1..].iter().map(|i| (*i, Ok(Done::default()))));
            out
        }
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

/// Records a successful change in the inventory.
fn record(
    inventory: &mut Inventory,
    c: &Change,
    options: &ApplyOptions,
    shares: bool,
    created_id: Option<String>,
) {
    let Some(name) = &c.target.name else {
        return;
    };
    let key = format!("{}/{name}", c.target.kind);
    let revision = options.revision.clone();
    let new_entry = |origin| InventoryEntry {
        kind: c.target.kind.clone(),
        name: name.clone(),
        address: c.target.address.clone(),
        backend_id: None,
        origin,
        last_revision: revision.clone(),
        suspended_on: None,
        kept_aliases: BTreeSet::new(),
        holders: BTreeMap::new(),
    };
    match &c.action {
        Action::Create { .. } => inventory.insert(InventoryEntry {
            backend_id: created_id,
            ..new_entry(EntryOrigin::Created)
        }),
        Action::Adopt { backend_id } => {
            let mut e = new_entry(EntryOrigin::Adopted);
            e.backend_id.clone_from(backend_id);
            inventory.insert(e);
        }
        Action::Delete { .. } => {
            inventory.entries.remove(&key);
        }
        action => {
            if let Some(e) = inventory.entries.get_mut(&key) {
                match action {
                    Action::Rename {
                        from,
                        to,
                        keep_old_as_alias,
                        ..
                    } => {
                        e.address = to.clone();
                        e.kept_aliases.remove(to);
                        if *keep_old_as_alias {
                            e.kept_aliases.insert(from.clone());
                        }
                    }
                    Action::Grant { .. } | Action::Revoke { .. } | Action::Handover { .. } if !shares => {
                        change_holders(&mut e.holders, action);
                    }
                    Action::Suspend { .. } => e.suspended_on = Some(options.today),
                    Action::Resume => e.suspended_on = None,
                    _ => {}
                }
                e.last_revision.clone_from(&revision);
            }
        }
    }
}

#[derive(Serialize)]
struct AuditLine<'a> {
    time: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    revision: Option<&'a str>,
    action: ActionKind,
    target: &'a str,
    address: &'a Address,
    #[serde(flatten)]
    outcome: &'a Outcome,
}

fn audit(options: &ApplyOptions, outcomes: &[ChangeOutcome]) -> std::io::Result<()> {
    let Some(path) = &options.audit_log else {
        return Ok(());
    };
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .open(path)?;
    let time = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let mut buf = Vec::new();
    for o in outcomes {
        let line = AuditLine {
            time: time.clone(),
            revision: options.revision.as_deref(),
            action: o.action,
            target: &o.target,
            address: &o.address,
            outcome: &o.outcome,
        };
        serde_json::to_writer(&mut buf, &line)?;
        buf.push(b'\n');
    }
    file.write_all(&buf)?;
    file.sync_all()
}

/// Hands a mailbox's new password to the person who receives it: the mailbox's owner for a new mailbox,
/// the new owner of an agency mailbox after a handover. File lines: `mailbox<TAB>password<TAB>recipient`.
fn deliver(
    options: &ApplyOptions,
    report: &mut ApplyReport,
    mailbox: &Address,
    password: Secret,
    recipient: &Address,
) -> std::io::Result<()> {
    match &options.credentials {
        CredentialsSink::Show => report
            .credentials
            .push((mailbox.clone(), password, recipient.clone())),
        CredentialsSink::File(path) => {
            let mut file = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .mode(0o600)
                .open(path)?;
            writeln!(file, "{mailbox}\t{}\t{recipient}", password.expose())?;
            file.sync_all()?;
        }
    }
    Ok(())
}

/// Executes `plan` on `backend`, updating `inventory` for what succeeded. `progress` is told of each change
/// done (a progress bar, or nothing).
///
/// # Errors
/// Only when the credentials sink or the audit log cannot be written (passwords must not be lost).
pub async fn apply(
    plan: &Plan,
    backend: &dyn MailBackend,
    inventory: &mut Inventory,
    options: &ApplyOptions,
    progress: &(dyn Fn() + Sync),
) -> std::io::Result<ApplyReport> {
    let shares = backend.capabilities().delegation;
    let mut order: Vec<&Change> = plan.changes.iter().collect();
    order.sort_by_key(|c| phase(&c.action));
    let mut report = ApplyReport::default();
    let mut start = 0;
    while start < order.len() {
        let p = phase(&order[start].action);
        let end = start
            + order[start..]
                .iter()
                .take_while(|c| phase(&c.action) == p)
                .count();
        let batch = &order[start..end];
        let units = units(batch, shares, backend.create_batch_size());
        let held: &Inventory = inventory;
        // Units are moved into their futures (owned), which keeps the whole apply future `Send` for callers
        // that spawn it (the operator).
        let results: Vec<Vec<(usize, Result<Done, BackendError>)>> = futures::stream::iter(units)
            .map(|unit| async move {
                let r = run_unit(backend, batch, &unit, held, shares).await;
                for _ in &unit {
                    progress();
                }
                r
            })
            .buffer_unordered(options.concurrency.max(1))
            .collect()
            .await;
        let mut results: Vec<_> = results.into_iter().flatten().collect();
        results.sort_by_key(|(i, _)| *i);
        for (i, result) in results {
            let c = batch[i];
            let outcome = match (&c.action, result) {
                (Action::Blocked { .. }, _) => Outcome::Blocked,
                (_, Ok(done)) => {
                    record(inventory, c, options, shares, done.backend_id);
                    for (password, recipient) in done.deliveries {
                        deliver(options, &mut report, &c.target.address, password, &recipient)?;
                    }
                    Outcome::Applied
                }
                (_, Err(e)) => {
                    tracing::warn!(target = %c.target.label(), error = %e, "change failed");
                    Outcome::Failed {
                        kind: e.kind().to_string(),
                        message: e.to_string(),
                    }
                }
            };
            let action = match &c.action {
                Action::Blocked { intended, .. } => intended.kind(),
                a => a.kind(),
            };
            report.outcomes.push(ChangeOutcome {
                target: c.target.label(),
                address: c.target.address.clone(),
                action,
                outcome,
            });
        }
        start = end;
    }
    if options.revision.is_some() && report.counts().2 == 0 {
        inventory.last_applied_revision.clone_from(&options.revision);
    }
    audit(options, &report.outcomes)?;
    Ok(report)
}
