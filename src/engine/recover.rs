//! Recovery of an interrupted run: before anything else, every intent its journal announced is resolved.
//!
//! - An intent recorded done is folded into the inventory (the run may have died before saving it).
//! - A creation whose account is on the server is a finished creation (its password was delivered first),
//!   never an adoption; one whose account is not there keeps its delivered password for the next run.
//! - A rename is completed: the backend's rename finishes a half-made move (the journal gives the
//!   direction), so the next plan is clean.
//! - A password rotation is finished with the password already delivered (read back from the sink).
//! - Every other change (updates, suspensions, resumptions, grants, revocations, deletions) is idempotent
//!   and is made again.
//! - Each finished change gets its audit line once: lines the run already wrote are found by change id.

use std::collections::BTreeMap;

use super::audit::{AuditLog, change_id, changes_since};
use super::credentials::CredentialSink;
use super::execute::{ExecuteOptions, Outcome, outcome_of, record, remember_undelivered, write_audit};
use super::journal::{Intent, Unfinished};
use super::units::{is_access, run_change};
use crate::backend::{BackendError, MailBackend, Observation};
use crate::desired::Address;
use crate::plan::Action;
use crate::state::Inventory;

/// What recovery did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Recovery {
    /// The interrupted run.
    pub run: String,
    /// Changes found made, or finished now.
    pub finished: usize,
    /// Changes not made (the next plan makes them again).
    pub unfinished: usize,
    /// Passwords delivered for accounts not created, kept for reuse.
    pub pending_credentials: usize,
}

/// The accounts on the server, with their ids.
struct Present(BTreeMap<Address, Option<String>>);

impl Present {
    fn of(observation: &Observation) -> Self {
        Self(
            observation
                .accounts
                .iter()
                .map(|a| (a.address.clone(), a.id.clone()))
                .collect(),
        )
    }

    fn has(&self, address: &Address) -> bool {
        self.0.contains_key(address)
    }
}

/// Finishes one unfinished unit of work; returns per intent `Some(backend id)` when it is made.
async fn finish_unit(
    unit: &[&Intent],
    backend: &dyn MailBackend,
    sink: &dyn CredentialSink,
    present: &Present,
    shares: bool,
) -> Vec<Option<Option<String>>> {
    let first = &unit[0].change;
    let address = &first.target.address;
    // A rotation: with the password its holders already received.
    if (!shares && is_access(&first.action)) || matches!(first.action, Action::Handover { .. }) {
        let mut password = None;
        for d in &unit[0].credentials {
            password = sink.recall(&d.credential, address).await;
            if password.is_some() {
                break;
            }
        }
        let done = match (&password, shares) {
            (None, _) => false,
            (Some(p), false) => backend.set_password(address, p).await.is_ok(),
            (Some(p), true) => run_change(backend, first, Some(p)).await.is_ok(),
        };
        return unit.iter().map(|_| done.then_some(None)).collect();
    }
    let mut out = Vec::with_capacity(unit.len());
    for intent in unit {
        let c = &intent.change;
        let a = &c.target.address;
        let made = match &c.action {
            Action::Create { .. } => present.0.get(a).cloned(),
            Action::Rename {
                from,
                to,
                keep_old_as_alias,
                ..
            } => {
                let result = if present.has(to) && !present.has(from) {
                    Ok(())
                } else {
                    backend.rename(from, to, *keep_old_as_alias).await
                };
                result.is_ok().then_some(None)
            }
            Action::Delete { .. } => match backend.delete(a).await {
                Ok(()) | Err(BackendError::NotFound(_)) => Some(None),
                Err(_) => None,
            },
            _ => run_change(backend, c, None).await.is_ok().then_some(None),
        };
        out.push(made);
    }
    out
}

/// Resolves the journal of an interrupted run against the server; the inventory then records every change
/// that was made. The caller saves the inventory (with the run's id) and removes the journal.
///
/// # Errors
/// When the server cannot be read (nothing can be resolved, so nothing else may run), or the audit log
/// cannot be written.
pub async fn recover(
    journal: &Unfinished,
    backend: &dyn MailBackend,
    sink: &dyn CredentialSink,
    inventory: &mut Inventory,
    mut audit: Option<&mut AuditLog>,
) -> Result<Recovery, super::EngineError> {
    resolve(journal, backend, sink, inventory, audit.take(), false).await
}

/// What [`recover`] would record, without writing anything: creations and renames that are visible on the
/// server count as made, everything else as not made (`plan` shows what the next apply will do).
///
/// # Errors
/// When the server cannot be read.
pub async fn preview(
    journal: &Unfinished,
    backend: &dyn MailBackend,
    sink: &dyn CredentialSink,
    inventory: &mut Inventory,
) -> Result<Recovery, super::EngineError> {
    resolve(journal, backend, sink, inventory, None, true).await
}

/// Changes visible on the server without making anything.
fn visible(unit: &[&Intent], present: &Present) -> Vec<Option<Option<String>>> {
    unit.iter()
        .map(|i| match &i.change.action {
            Action::Create { .. } => present.0.get(&i.change.target.address).cloned(),
            Action::Rename { from, to, .. } => (present.has(to) && !present.has(from)).then_some(None),
            _ => None,
        })
        .collect()
}

/// The server as the dead run left it. A server may still be finishing a request of the run that died (a
/// bulk import sent just before the kill): while creations the journal left open are missing, the server
/// is read again every 2 s until two reads agree (at most 5 times), so that a late creation is found made,
/// not adopted later.
async fn settled(
    journal: &Unfinished,
    backend: &dyn MailBackend,
    dry: bool,
) -> Result<Present, super::EngineError> {
    let read = || async { backend.observe().await.map_err(super::EngineError::Observe) };
    let mut seen = read().await?;
    let open_creations: Vec<&Address> = (journal.intents.iter())
        .filter(|i| !journal.done.contains_key(&i.seq) && !journal.failed.contains(&i.seq))
        .filter(|i| matches!(i.change.action, Action::Create { .. }))
        .map(|i| &i.change.target.address)
        .collect();
    let missing = |p: &Present| open_creations.iter().any(|a| !p.has(a));
    if !dry && missing(&Present::of(&seen)) {
        for _ in 0..5 {
            tokio::time::sleep(std::time::Duration::from_secs(2)).await;
            let again = read().await?;
            let stable = again.fingerprint() == seen.fingerprint();
            seen = again;
            if stable || !missing(&Present::of(&seen)) {
                break;
            }
        }
    }
    Ok(Present::of(&seen))
}

async fn resolve(
    journal: &Unfinished,
    backend: &dyn MailBackend,
    sink: &dyn CredentialSink,
    inventory: &mut Inventory,
    mut audit: Option<&mut AuditLog>,
    dry: bool,
) -> Result<Recovery, super::EngineError> {
    let mut report = Recovery {
        run: journal.run.clone(),
        ..Recovery::default()
    };
    let options = ExecuteOptions {
        concurrency: 1,
        revision: journal.revision.clone(),
        today: journal.today,
        // Nothing new is carried out here: what the journal says was made is recorded.
        guard: None,
    };
    let shares = backend.capabilities().delegation;
    let present = settled(journal, backend, dry).await?;
    let audited = audit
        .as_ref()
        .map(|a| changes_since(a.path(), journal.audit_offset))
        .unwrap_or_default();
    let mut units: BTreeMap<u64, Vec<&Intent>> = BTreeMap::new();
    for i in &journal.intents {
        units.entry(i.unit).or_default().push(i);
    }
    for unit in units.values() {
        let open: Vec<&Intent> = unit
            .iter()
            .copied()
            .filter(|i| !journal.done.contains_key(&i.seq) && !journal.failed.contains(&i.seq))
            .collect();
        let finished = if open.is_empty() {
            Vec::new()
        } else if dry {
            visible(&open, &present)
        } else {
            finish_unit(&open, backend, sink, &present, shares).await
        };
        let by_seq: BTreeMap<u64, Option<Option<String>>> =
            open.iter().map(|i| i.seq).zip(finished).collect();
        for intent in unit {
            let made = match journal.done.get(&intent.seq) {
                Some(id) => Some(id.clone()),
                None if journal.failed.contains(&intent.seq) => None,
                None => by_seq.get(&intent.seq).cloned().flatten(),
            };
            let c = &intent.change;
            match made {
                Some(id) => {
                    record(inventory, c, &options, shares, id);
                    report.finished += 1;
                    if let Some(log) = audit.as_deref_mut()
                        && !audited.contains(&change_id(&journal.run, intent.seq))
                    {
                        let o = outcome_of(c, Outcome::Applied, intent.credentials.clone());
                        write_audit(log, &options, &journal.run, &o, Some(intent.seq), true)
                            .map_err(super::EngineError::Record)?;
                    }
                }
                None => {
                    report.unfinished += 1;
                    remember_undelivered(inventory, c, &intent.credentials);
                }
            }
        }
    }
    // Passwords delivered just before the run died, before their intents were written.
    for (mailbox, credential) in sink.delivered_since(journal.credentials_offset) {
        if !present.has(&mailbox) {
            inventory.pending_credentials.entry(mailbox).or_insert(credential);
        }
    }
    inventory
        .pending_credentials
        .retain(|mailbox, _| !present.has(mailbox));
    report.pending_credentials = inventory.pending_credentials.len();
    if dry {
        return Ok(report);
    }
    tracing::info!(
        run = %report.run,
        finished = report.finished,
        unfinished = report.unfinished,
        "resolved the journal of an interrupted run"
    );
    Ok(report)
}
