//! The executor: carries out a plan on a backend, in an order that never collides, intent before effect.
//!
//! # Guarantees
//! - The plan is executed as it is, never recomputed; blocked changes are not executed.
//! - Order: renames, revocations and deletions first (they free addresses and access), then creations, then
//!   updates, resumptions and adoptions, then grants and handovers, then suspensions last.
//! - Each change, in this order only: (1) a new or rotated password is delivered durably through the
//!   credentials sink, and the change is recorded as intended in the journal (fsynced); (2) the server call;
//!   (3) the journal records it done or failed and the audit log gets its line. A change whose password
//!   cannot be delivered is not made: it fails, naming the file or Secret, and the next run tries again.
//! - A password already delivered for an account that was never created is reused, not replaced.
//! - Changes within a phase run concurrently, at most `concurrency` at a time; a failed change does not stop
//!   the others, and the report says which failed.
//! - The inventory is updated for every change that succeeded, and only for those.
//!
//! # Errors
//! Failures of changes are outcomes in the [`ApplyReport`]. The call fails only when the journal or the
//! audit log cannot be written: then nothing more is attempted.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use futures::StreamExt;
use rand::Rng;
use serde::Serialize;

use super::audit::{AuditLine, AuditLog, change_id};
use super::credentials::{CredentialSink, Delivery};
use super::journal::{DeliveredCredential, Journal, Record};
use super::units::{change_holders, recipients, run_unit, units};
use crate::backend::{MailBackend, Secret};
use crate::desired::Address;
use crate::manifest::ResourceId;
use crate::plan::{Action, ActionKind, Change, Plan};
use crate::state::{EntryOrigin, Inventory, InventoryEntry};

/// How to execute.
#[derive(Debug, Clone)]
pub struct ExecuteOptions {
    /// Changes run at the same time within a phase.
    pub concurrency: usize,
    /// The revision applied (recorded in the inventory and the audit log).
    pub revision: Option<String>,
    /// The day (suspension dates).
    pub today: NaiveDate,
    /// The safety rules enforced on every change, whatever the plan says; `None` only in tests of the
    /// executor itself.
    pub guard: Option<super::guard::Guard>,
}

/// What happened to one change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", tag = "outcome")]
pub enum Outcome {
    /// Done.
    Applied,
    /// Refused by the plan's safety rules; not attempted.
    Blocked,
    /// Attempted and failed, or not attempted because its password could not be delivered.
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
    /// `Mailbox/name`, or the address when no resource describes the account (for people).
    pub target: String,
    /// The resource the change is about, when one describes the account.
    #[serde(skip)]
    pub resource: Option<ResourceId>,
    /// The address.
    pub address: Address,
    /// What was done.
    pub action: ActionKind,
    /// How it went.
    #[serde(flatten)]
    pub outcome: Outcome,
    /// Where the passwords this change set were delivered.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub credentials: Vec<DeliveredCredential>,
}

/// What an apply did.
#[derive(Debug, Default)]
pub struct ApplyReport {
    /// Every change of the plan, in execution order.
    pub outcomes: Vec<ChangeOutcome>,
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

/// The journal and audit log of the run in progress.
#[derive(Debug)]
pub struct Recorder {
    /// The run's id.
    pub run: String,
    /// Its journal.
    pub journal: Journal,
    /// Its audit log.
    pub audit: Option<AuditLog>,
    next_seq: u64,
    next_unit: u64,
}

/// Why an execution stopped.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    /// The journal cannot be written: no change may be made without it.
    #[error("cannot write the journal")]
    Journal(#[source] std::io::Error),
    /// The audit log cannot be written.
    #[error("cannot write the audit log")]
    Audit(#[source] std::io::Error),
}

impl Recorder {
    /// A recorder for a run whose journal has begun.
    #[must_use]
    pub fn new(run: String, journal: Journal, audit: Option<AuditLog>) -> Self {
        Self {
            run,
            journal,
            audit,
            next_seq: 1,
            next_unit: 1,
        }
    }

    fn audit(
        &mut self,
        options: &ExecuteOptions,
        o: &ChangeOutcome,
        seq: Option<u64>,
    ) -> Result<(), RecordError> {
        match &mut self.audit {
            Some(log) => write_audit(log, options, &self.run, o, seq, false),
            None => Ok(()),
        }
    }

    fn sync(&mut self) -> Result<(), RecordError> {
        self.journal.sync().map_err(RecordError::Journal)?;
        if let Some(a) = &mut self.audit {
            a.sync().map_err(RecordError::Audit)?;
        }
        Ok(())
    }
}

/// Appends the audit line of a change of run `run`.
pub(super) fn write_audit(
    log: &mut AuditLog,
    options: &ExecuteOptions,
    run: &str,
    o: &ChangeOutcome,
    seq: Option<u64>,
    recovered: bool,
) -> Result<(), RecordError> {
    log.write(&AuditLine {
        time: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        revision: options.revision.as_deref(),
        action: o.action,
        target: &o.target,
        address: &o.address,
        outcome: &o.outcome,
        change: seq.map(|s| change_id(run, s)),
        recovered,
    })
    .map_err(RecordError::Audit)
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

pub(super) fn random_password() -> Secret {
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

/// Records a successful change in the inventory.
pub(super) fn record(
    inventory: &mut Inventory,
    c: &Change,
    options: &ExecuteOptions,
    shares: bool,
    created_id: Option<String>,
) {
    if matches!(c.action, Action::Create { .. }) {
        inventory.pending_credentials.remove(&c.target.address);
    }
    let Some(key) = c.target.resource() else {
        return;
    };
    let revision = options.revision.clone();
    let new_entry = |origin| InventoryEntry {
        kind: key.kind,
        name: key.name.clone(),
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
                    Action::Suspend { .. } => e.suspended_on = Some(crate::clock::recorded(options.today)),
                    Action::Resume => e.suspended_on = None,
                    _ => {}
                }
                e.last_revision.clone_from(&revision);
            }
        }
    }
}

/// The action shown for a change (a blocked one shows what it would have done).
pub(super) fn shown_action(c: &Change) -> ActionKind {
    match &c.action {
        Action::Blocked { intended, .. } => intended.kind(),
        a => a.kind(),
    }
}

pub(super) fn outcome_of(
    c: &Change,
    outcome: Outcome,
    credentials: Vec<DeliveredCredential>,
) -> ChangeOutcome {
    ChangeOutcome {
        target: c.target.label(),
        resource: c.target.resource(),
        address: c.target.address.clone(),
        action: shown_action(c),
        outcome,
        credentials,
    }
}

fn failed(kind: &str, message: String) -> Outcome {
    Outcome::Failed {
        kind: kind.to_string(),
        message,
    }
}

/// Passwords and deliveries prepared for one phase, by the change's position in the phase.
struct Prepared {
    passwords: Vec<Option<Secret>>,
    credentials: Vec<Vec<DeliveredCredential>>,
    undelivered: BTreeMap<usize, (&'static str, String)>,
}

/// Step 1 of every change: its password, reused when one was already delivered for a creation that never
/// happened, otherwise new and delivered now.
async fn prepare(
    batch: &[&Change],
    units: &[Vec<usize>],
    shares: bool,
    inventory: &Inventory,
    sink: &dyn CredentialSink,
) -> Prepared {
    let mut p = Prepared {
        passwords: vec![None; batch.len()],
        credentials: vec![Vec::new(); batch.len()],
        undelivered: BTreeMap::new(),
    };
    let mut deliveries: Vec<(usize, Delivery)> = Vec::new();
    for unit in units {
        for (i, to) in recipients(batch, unit, shares, inventory) {
            let c = batch[i];
            let key = c.target.resource();
            if matches!(c.action, Action::Create { .. })
                && let Some((password, credential)) = sink.undelivered(&c.target.address, key.as_ref()).await
            {
                p.passwords[i] = Some(password);
                p.credentials[i].push(DeliveredCredential {
                    recipient: c.target.address.clone(),
                    credential,
                });
                continue;
            }
            let password = random_password();
            for recipient in to {
                deliveries.push((
                    i,
                    Delivery {
                        key: key.clone(),
                        mailbox: c.target.address.clone(),
                        recipient,
                        password: password.clone(),
                    },
                ));
            }
            p.passwords[i] = Some(password);
        }
    }
    let only: Vec<Delivery> = deliveries.iter().map(|(_, d)| d.clone()).collect();
    let results = sink.deliver_all(&only).await;
    for ((i, d), result) in deliveries.into_iter().zip(results) {
        match result {
            Ok(credential) => p.credentials[i].push(DeliveredCredential {
                recipient: d.recipient,
                credential,
            }),
            Err(e) => {
                p.undelivered.entry(i).or_insert((e.kind(), e.to_string()));
            }
        }
    }
    p
}

/// Executes `plan` on `backend`, updating `inventory` for what succeeded. `progress` is told of each change
/// done (a progress bar, or nothing).
///
/// # Errors
/// Only when the journal or the audit log cannot be written: passwords and intents must not be lost.
pub async fn execute(
    plan: &Plan,
    backend: &dyn MailBackend,
    sink: &dyn CredentialSink,
    inventory: &mut Inventory,
    recorder: &mut Recorder,
    options: &ExecuteOptions,
    progress: &(dyn Fn() + Sync),
) -> Result<ApplyReport, RecordError> {
    let shares = backend.capabilities().delegation;
    sink.set_pending(&inventory.pending_credentials);
    let mut report = ApplyReport::default();
    // Changes the safety rules refuse never reach the server.
    let refused = options
        .guard
        .as_ref()
        .map(|g| super::guard::refused(plan, inventory, g, options.today))
        .unwrap_or_default();
    for (i, why) in &refused {
        let c = &plan.changes[*i];
        tracing::error!(target = %c.target.label(), reason = %why, "change refused by the executor's safety rules");
        let o = outcome_of(c, failed("refused", format!("refused: {why}")), Vec::new());
        recorder.audit(options, &o, None)?;
        report.outcomes.push(o);
        progress();
    }
    let mut order: Vec<&Change> = (plan.changes.iter().enumerate())
        .filter(|(i, _)| !refused.contains_key(i))
        .map(|(_, c)| c)
        .collect();
    order.sort_by_key(|c| phase(&c.action));
    let mut start = 0;
    while start < order.len() {
        let p = phase(&order[start].action);
        let end = start
            + order[start..]
                .iter()
                .take_while(|c| phase(&c.action) == p)
                .count();
        let batch = &order[start..end];
        let mut outcomes = run_phase(
            batch, backend, sink, inventory, recorder, options, shares, progress,
        )
        .await?;
        outcomes.sort_by_key(|(i, _)| *i);
        report.outcomes.extend(outcomes.into_iter().map(|(_, o)| o));
        start = end;
    }
    if options.revision.is_some() && report.counts().2 == 0 {
        inventory.last_applied_revision.clone_from(&options.revision);
    }
    Ok(report)
}

#[allow(clippy::too_many_arguments)]
async fn run_phase(
    batch: &[&Change],
    backend: &dyn MailBackend,
    sink: &dyn CredentialSink,
    inventory: &mut Inventory,
    recorder: &mut Recorder,
    options: &ExecuteOptions,
    shares: bool,
    progress: &(dyn Fn() + Sync),
) -> Result<Vec<(usize, ChangeOutcome)>, RecordError> {
    let mut outcomes = Vec::with_capacity(batch.len());
    if batch.iter().all(|c| matches!(c.action, Action::Blocked { .. })) {
        for (i, c) in batch.iter().enumerate() {
            let o = outcome_of(c, Outcome::Blocked, Vec::new());
            recorder.audit(options, &o, None)?;
            outcomes.push((i, o));
            progress();
        }
        return Ok(outcomes);
    }
    let units = units(
        batch,
        shares,
        backend.create_batch_size(),
        backend.change_batch_size(),
    );
    let mut prepared = prepare(batch, &units, shares, inventory, sink).await;

    // Step 1b: the intents, fsynced, of every unit whose passwords were delivered.
    let mut seqs = vec![0_u64; batch.len()];
    let mut intents = Vec::new();
    let mut runnable = Vec::new();
    for unit in units {
        if let Some((kind, message)) = unit.iter().find_map(|i| prepared.undelivered.get(i)).cloned() {
            for i in unit {
                let c = batch[i];
                let creds = std::mem::take(&mut prepared.credentials[i]);
                remember_undelivered(inventory, c, &creds);
                let o = outcome_of(c, failed(kind, message.clone()), creds);
                tracing::warn!(target = %o.target, error = %message, "change not made: its password could not be delivered");
                recorder.audit(options, &o, None)?;
                outcomes.push((i, o));
                progress();
            }
            continue;
        }
        let unit_id = recorder.next_unit;
        recorder.next_unit += 1;
        for &i in &unit {
            seqs[i] = recorder.next_seq;
            recorder.next_seq += 1;
            intents.push(Record::Intent {
                seq: seqs[i],
                unit: unit_id,
                change: Box::new(batch[i].clone()),
                credentials: prepared.credentials[i].clone(),
            });
        }
        let passwords: Vec<Option<Secret>> = unit.iter().map(|i| prepared.passwords[*i].take()).collect();
        runnable.push((unit, passwords));
    }
    recorder.journal.intend(&intents).map_err(RecordError::Journal)?;

    // Step 2: the server calls; step 3 as each completes.
    let mut stream = futures::stream::iter(runnable)
        .map(|(unit, passwords)| async move {
            let r = run_unit(backend, batch, &unit, &passwords, shares).await;
            for _ in &unit {
                progress();
            }
            r
        })
        .buffer_unordered(options.concurrency.max(1));
    while let Some(results) = stream.next().await {
        for (i, result) in results {
            let c = batch[i];
            let creds = std::mem::take(&mut prepared.credentials[i]);
            let (record_, outcome) = match result {
                Ok(backend_id) => {
                    record(inventory, c, options, shares, backend_id.clone());
                    (
                        Record::Done {
                            seq: seqs[i],
                            backend_id,
                        },
                        Outcome::Applied,
                    )
                }
                Err(e) => {
                    tracing::warn!(target = %c.target.label(), error = %e, "change failed");
                    remember_undelivered(inventory, c, &creds);
                    (Record::Failed { seq: seqs[i] }, failed(e.kind(), e.to_string()))
                }
            };
            recorder
                .journal
                .append(std::slice::from_ref(&record_), false)
                .map_err(RecordError::Journal)?;
            let o = outcome_of(c, outcome, creds);
            recorder.audit(options, &o, Some(seqs[i]))?;
            outcomes.push((i, o));
        }
    }
    drop(stream);
    recorder.sync()?;
    Ok(outcomes)
}

/// A creation that did not happen keeps the password delivered for it, to be reused by the next run.
pub(super) fn remember_undelivered(inventory: &mut Inventory, c: &Change, creds: &[DeliveredCredential]) {
    if matches!(c.action, Action::Create { .. })
        && let Some(d) = creds.first()
    {
        inventory
            .pending_credentials
            .insert(c.target.address.clone(), d.credential.clone());
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
