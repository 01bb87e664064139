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
    let s: String = (0..16)
        .map(|_| CHARS[rng.gen_range(0..CHARS.len())] as char)
        .collect();
    Secret::new(s)
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

/// Runs one change; returns the new password to deliver, if any.
async fn run_change(backend: &dyn MailBackend, c: &Change) -> Result<Option<Secret>, BackendError> {
    let address = &c.target.address;
    match &c.action {
        Action::Create { account } => {
            let password = random_password();
            backend.create(account, &password).await?;
            Ok(Some(password))
        }
        Action::Adopt { .. } | Action::Blocked { .. } => Ok(None),
        Action::Rename {
            from,
            to,
            keep_old_as_alias,
            ..
        } => backend.rename(from, to, *keep_old_as_alias).await.map(|()| None),
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
            // The previous owner may know the password: rotate it and deliver it to the new owner only.
            let password = random_password();
            backend.set_password(address, &password).await?;
            Ok(Some(password))
        }
    }
}

/// Records a successful change in the inventory.
fn record(inventory: &mut Inventory, c: &Change, options: &ApplyOptions) {
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
    };
    match &c.action {
        Action::Create { .. } => inventory.insert(new_entry(EntryOrigin::Created)),
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
                    Action::Rename { to, .. } => e.address = to.clone(),
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
        let results: Vec<(usize, Result<Option<Secret>, BackendError>)> =
            futures::stream::iter(batch.iter().enumerate())
                .map(|(i, c)| async move {
                    let r = run_change(backend, c).await;
                    progress();
                    (i, r)
                })
                .buffer_unordered(options.concurrency.max(1))
                .collect()
                .await;
        let mut results = results;
        results.sort_by_key(|(i, _)| *i);
        for (i, result) in results {
            let c = batch[i];
            let outcome = match (&c.action, result) {
                (Action::Blocked { .. }, _) => Outcome::Blocked,
                (_, Ok(password)) => {
                    record(inventory, c, options);
                    if let Some(password) = password {
                        let recipient = match &c.action {
                            Action::Handover { to, .. } => to,
                            _ => &c.target.address,
                        };
                        deliver(options, &mut report, &c.target.address, password, recipient)?;
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
