//! One reconcile of a namespace: its Organization, Mailboxes, SharedMailboxes and MailServer become a desired
//! state (validated exactly as a git repository), the server is observed, and the same diff and executor as
//! git mode carry out the plan, with the same safety (deletion budget and protected addresses across the
//! namespace, staged removals, nothing removed on a partial read).
//!
//! Around that core:
//! - every Mailbox and SharedMailbox gets the finalizer before anything is done for it;
//! - a deleted resource follows its `deletionPolicy`: `Suspend` (default) suspends the account and stops
//!   managing it, `Delete` suspends it and leaves the deletion after `graceDays` to later reconciles (the
//!   inventory keeps it, as in git mode), `Orphan` stops managing it at once; the finalizer goes once that
//!   is done (a removal held back by the budget keeps it);
//! - a resource that does not validate (a naming-policy violation) gets `Synced=False` with the message, and
//!   no change is made for it: it is neither created nor removed;
//! - initial passwords go to a Secret owned by the resource; Events record every change;
//! - statuses are written by server-side apply only when they change.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::Arc;

use chrono::Utc;
use k8s_openapi::api::core::v1::Secret as KubeSecret;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{Condition, OwnerReference, Time};
use kube::api::{Api, ListParams, Patch, PatchParams};
use kube::runtime::events::{Event, EventType, Recorder};
use kube::{Resource, ResourceExt};
use serde::Serialize;
use serde_json::json;

mod account;
mod finalizers;
mod status;

use super::crd::{MailServerResource, MailServerStatus, MailboxStatus, OrganizationStatus};
use super::secrets::SecretSink;
use crate::backend::{OpenOptions, Secret};
use crate::desired::{self, DesiredState};
use crate::engine::{Connection, CredentialRef, EngineError, ExecuteOptions, Outcome, Paths, Recover};
use crate::manifest::{
    DeletionPolicy, MailboxResource, OrganizationResource, ResourceId, SharedMailboxResource,
};
use crate::plan::{self, ActionKind, Plan, PlanSource};
use account::*;
use status::*;

/// The finalizer on every Mailbox and SharedMailbox.
pub const FINALIZER: &str = "mailops.dev/account";
/// The finalizer on every Organization: it goes once the namespace has no Mailbox or SharedMailbox left, so
/// that their deletions are still carried out (they need the Organization's policy and safety limits).
pub const ORGANIZATION_FINALIZER: &str = "mailops.dev/organization";
/// The field manager of status writes.
pub const MANAGER: &str = "mailops-operator";

/// Why a reconcile failed (it is retried with backoff).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The Kubernetes API.
    #[error("Kubernetes API: {0}")]
    Kube(#[from] kube::Error),
    /// The namespace has no usable MailServer.
    #[error("{0}")]
    Config(String),
    /// The mail server could not be read or written.
    #[error("mail server: {0}")]
    Server(String),
    /// The state file.
    #[error("state: {0}")]
    State(String),
}

impl Error {
    /// A bounded label for metrics.
    #[must_use]
    pub const fn kind(&self) -> &'static str {
        match self {
            Error::Kube(_) => "kubernetes",
            Error::Config(_) => "config",
            Error::Server(_) => "observe",
            Error::State(_) => "state",
        }
    }
}

/// What the reconcile of a namespace did, for metrics.
#[derive(Debug, Default)]
pub struct Reconciled {
    /// Changes applied, by action.
    pub applied: BTreeMap<&'static str, u64>,
    /// Changes that failed or were blocked.
    pub failed: usize,
    /// Of those, the ones the safety rules blocked.
    pub blocked: usize,
    /// The revision planned (`k8s:NAMESPACE@RESOURCEVERSION`).
    pub revision: Option<String>,
    /// The counts of the plan carried out (none when nothing was planned, as for a departing
    /// Organization).
    pub summary: Option<crate::plan::Summary>,
    /// Removals waiting for their grace period.
    pub pending: Vec<crate::serve::PendingRemoval>,
}

/// Everything the reconcile of a namespace needs.
pub struct Namespace<'a> {
    /// The client.
    pub client: &'a kube::Client,
    /// Events.
    pub recorder: &'a Recorder,
    /// The namespace.
    pub namespace: &'a str,
    /// The day (grace periods).
    pub today: chrono::NaiveDate,
    /// Changes carried out at the same time.
    pub concurrency: usize,
}

fn patch_params() -> PatchParams {
    PatchParams::apply(MANAGER).force()
}

impl Namespace<'_> {
    fn api<K>(&self) -> Api<K>
    where
        K: Resource<Scope = k8s_openapi::NamespaceResourceScope>,
        <K as Resource>::DynamicType: Default,
    {
        Api::namespaced(self.client.clone(), self.namespace)
    }

    async fn event(&self, account: &Account, warning: bool, reason: &str, note: String) {
        let event = Event {
            type_: if warning {
                EventType::Warning
            } else {
                EventType::Normal
            },
            reason: reason.to_string(),
            note: Some(note),
            action: reason.to_string(),
            secondary: None,
        };
        if let Err(e) = self.recorder.publish(&event, &account.object_ref()).await {
            tracing::warn!(error = %e, "cannot publish an event");
        }
    }

    /// Reconciles the namespace of `org`.
    ///
    /// # Errors
    /// The server cannot be read, the state cannot be written, or the API fails; statuses say so first.
    pub async fn reconcile(&self, org: &OrganizationResource) -> Result<Reconciled, Error> {
        let mailboxes = self.api::<MailboxResource>().list(&ListParams::default()).await?;
        let shared = self
            .api::<SharedMailboxResource>()
            .list(&ListParams::default())
            .await?;
        let mut accounts: Vec<Account> = mailboxes
            .items
            .into_iter()
            .map(|m| Account::Mailbox(Arc::new(m)))
            .chain(shared.items.into_iter().map(|m| Account::Shared(Arc::new(m))))
            .collect();
        // The finalizer first: nothing is done for a resource that could vanish unnoticed.
        for a in &mut accounts {
            if !a.deleting() && !a.has_finalizer() {
                *a = self.account_finalizer(a, true).await?;
            }
        }
        let adopted;
        let org = if org.meta().deletion_timestamp.is_none()
            && !org.finalizers().iter().any(|f| f == ORGANIZATION_FINALIZER)
        {
            adopted = self
                .set_finalizer::<OrganizationResource>(
                    &org.name_any(),
                    org.meta(),
                    ORGANIZATION_FINALIZER,
                    true,
                )
                .await?;
            &adopted
        } else {
            org
        };
        if org.meta().deletion_timestamp.is_some() && accounts.is_empty() {
            // Nothing left to remove: the Organization may go (its freshest copy, for the precondition).
            let fresh = self.api::<OrganizationResource>().get(&org.name_any()).await?;
            self.set_finalizer::<OrganizationResource>(
                &org.name_any(),
                fresh.meta(),
                ORGANIZATION_FINALIZER,
                false,
            )
            .await?;
            return Ok(Reconciled::default());
        }
        let result = self.converge(org, &accounts).await;
        if let Err(e) = &result {
            let message = e.to_string();
            self.write_org_status(org, |s| {
                s.conditions = vec![
                    condition(
                        &s.conditions,
                        "Ready",
                        false,
                        "Unavailable",
                        &message,
                        org.meta().generation,
                    ),
                    condition(
                        &s.conditions,
                        "Synced",
                        false,
                        "ReconcileError",
                        &message,
                        org.meta().generation,
                    ),
                ];
            })
            .await?;
            for a in accounts.iter().filter(|a| !a.deleting()) {
                let previous = a.status().cloned().unwrap_or_default();
                let mut status = previous.clone();
                let generation = a.meta().generation;
                // Whether the account is there is not known now: Ready stays as it was.
                let ready = previous
                    .conditions
                    .iter()
                    .find(|c| c.type_ == "Ready")
                    .cloned()
                    .unwrap_or_else(|| condition(&[], "Ready", false, "Unavailable", &message, generation));
                status.conditions = vec![
                    ready,
                    condition(
                        &previous.conditions,
                        "Synced",
                        false,
                        "ReconcileError",
                        &message,
                        generation,
                    ),
                ];
                self.write_status(a, &previous, &status).await?;
            }
        }
        result
    }

    /// The MailServer of the namespace (the only one, or the one the Organization's annotation
    /// `mailops.dev/mail-server` names) and its token.
    async fn server(
        &self,
        org: &OrganizationResource,
    ) -> Result<(MailServerResource, Option<Secret>), Error> {
        let servers = self
            .api::<MailServerResource>()
            .list(&ListParams::default())
            .await?
            .items;
        let wanted = org.annotations().get("mailops.dev/mail-server");
        let server = match wanted {
            Some(name) => servers
                .into_iter()
                .find(|s| &s.name_any() == name)
                .ok_or_else(|| {
                    Error::Config(format!(
                        "the MailServer `{name}` named by mailops.dev/mail-server does not exist"
                    ))
                })?,
            None => {
                let mut servers = servers;
                match servers.len() {
                    1 => servers.remove(0),
                    0 => {
                        return Err(Error::Config(format!(
                            "no MailServer in namespace {}",
                            self.namespace
                        )));
                    }
                    n => {
                        return Err(Error::Config(format!(
                            "{n} MailServers in namespace {}: name one with the annotation mailops.dev/mail-server",
                            self.namespace
                        )));
                    }
                }
            }
        };
        let token = match &server.spec.credentials_secret_ref {
            None => None,
            Some(r) => {
                let secret = self.api::<KubeSecret>().get(&r.name).await?;
                let key = r.key.clone().unwrap_or_else(|| "token".to_string());
                let bytes = secret
                    .data
                    .as_ref()
                    .and_then(|d| d.get(&key))
                    .map(|b| b.0.clone())
                    .ok_or_else(|| Error::Config(format!("the Secret {} has no key `{key}`", r.name)))?;
                let text = String::from_utf8(bytes).map_err(|_| {
                    Error::Config(format!("the key `{key}` of Secret {} is not text", r.name))
                })?;
                Some(Secret::new(text.trim().to_string()))
            }
        };
        Ok((server, token))
    }

    #[allow(clippy::too_many_lines)]
    async fn converge(&self, org: &OrganizationResource, accounts: &[Account]) -> Result<Reconciled, Error> {
        let (server, token) = self.server(org).await?;
        // The desired state: the Organization and every resource not being deleted, validated as a repository.
        let alive: Vec<&Account> = accounts.iter().filter(|a| !a.deleting()).collect();
        let repo = repository(self.namespace, org, &alive);
        let validated = desired::validate(&repo);
        // Each resource is validated under the "file" `Kind/name`: its diagnostics are keyed by its id.
        let mut invalid: BTreeMap<ResourceId, String> = BTreeMap::new();
        let mut org_errors = Vec::new();
        for d in validated.diagnostics.iter().filter(|d| d.is_error()) {
            let id = d
                .location
                .file
                .to_str()
                .and_then(|f| f.parse::<ResourceId>().ok());
            let field = d.field.as_deref().map(|f| format!(" ({f})")).unwrap_or_default();
            let message = format!("{}{field}", d.message);
            match id {
                Some(id) if id.kind != crate::manifest::Kind::Organization => {
                    invalid.entry(id).or_insert(message);
                }
                // The Organization's, and any that no single resource owns (a collision names several).
                _ => org_errors.push(message),
            }
        }
        let Some(state) = validated.state.filter(|_| org_errors.is_empty()) else {
            let message = if org_errors.is_empty() {
                "the Organization cannot be read".to_string()
            } else {
                org_errors.join("; ")
            };
            return Err(Error::Config(format!("the Organization is not valid: {message}")));
        };
        let state: DesiredState = state;

        // The server, the inventory and the credentials sink, through the engine (which resolves an
        // interrupted run first).
        let url = server.spec.url.clone();
        let backend = crate::backend::open(
            &url,
            &OpenOptions {
                domains: state.organization.domains.clone(),
                token,
            },
        )
        .map_err(|e| Error::Config(format!("MailServer {}: {e}", server.name_any())))?;
        let paths = Paths::for_operator(
            &url,
            server.spec.state_file.as_deref(),
            self.namespace,
            &server.name_any(),
        );
        let owners = alive
            .iter()
            .map(|a| (a.key(), (a.name(), a.owner_reference())))
            .collect();
        let sink = SecretSink::new(self.api::<KubeSecret>(), self.namespace, owners, MANAGER);
        let mut conn = match Connection::with_backend(backend, paths, Box::new(sink), Recover::Resolve).await
        {
            Ok(c) => c,
            Err(e @ (EngineError::Observe(_) | EngineError::Open(_))) => {
                let message = crate::engine::error_chain(&e);
                self.write_server_status(&server, false, &message, None).await?;
                return Err(Error::Server(message));
            }
            Err(e) => return Err(Error::State(crate::engine::error_chain(&e))),
        };
        let observation = match conn.observe().await {
            Ok(o) => o,
            Err(e) => {
                let message = crate::engine::error_chain(&e);
                self.write_server_status(&server, false, &message, None).await?;
                return Err(Error::Server(message));
            }
        };
        let inventory = &mut conn.inventory;
        let accounts_read = i32::try_from(observation.accounts.len()).unwrap_or(i32::MAX);
        self.write_server_status(&server, true, "", Some(accounts_read))
            .await?;

        // Orphaned resources leave the inventory before planning: never touched again.
        let mut released = Vec::new();
        for a in accounts.iter().filter(|a| a.deleting() && a.has_finalizer()) {
            if a.deletion_policy() == DeletionPolicy::Orphan {
                inventory.entries.remove(&a.key());
                released.push(a.clone());
            }
        }

        let source = PlanSource {
            path: format!("namespace/{}", self.namespace),
            revision: org
                .meta()
                .resource_version
                .clone()
                .map(|rv| format!("k8s:{}@{rv}", self.namespace)),
            base_revision: None,
        };
        let mut plan = conn.plan(&state, None, &observation, source, self.today);
        // No change for a resource that does not validate: not created, not removed.
        plan.changes
            .retain(|c| c.target.resource().is_none_or(|id| !invalid.contains_key(&id)));
        plan.summary = Plan::summarize(&plan.changes);

        let options = ExecuteOptions {
            concurrency: self.concurrency,
            revision: plan.source.revision.clone(),
            today: self.today,
            guard: Some(crate::engine::Guard::of(&state)),
        };
        let report = conn
            .execute(&plan, &observation, &options, &|| {})
            .await
            .map_err(|e| Error::State(crate::engine::error_chain(&e)))?;
        let inventory = &mut conn.inventory;

        // What happened, per resource, and where their passwords went.
        let mut outcomes: BTreeMap<ResourceId, Vec<(ActionKind, Outcome, String)>> = BTreeMap::new();
        let mut secrets: BTreeMap<ResourceId, String> = BTreeMap::new();
        let mut done = Reconciled::default();
        for o in &report.outcomes {
            match &o.outcome {
                Outcome::Applied => *done.applied.entry(o.action.name()).or_default() += 1,
                Outcome::Blocked => {
                    done.failed += 1;
                    done.blocked += 1;
                }
                _ => done.failed += 1,
            }
            // An account no resource describes has no status to write.
            let Some(id) = &o.resource else {
                continue;
            };
            if matches!(o.outcome, Outcome::Applied) {
                for d in &o.credentials {
                    if let CredentialRef::Secret { name, .. } = &d.credential {
                        secrets.insert(id.clone(), name.clone());
                    }
                }
            }
            outcomes.entry(id.clone()).or_default().push((
                o.action,
                o.outcome.clone(),
                o.address.to_string(),
            ));
        }
        // Deleted resources: done once their removal is not held back.
        for a in accounts.iter().filter(|a| a.deleting() && a.has_finalizer()) {
            let policy = a.deletion_policy();
            if policy == DeletionPolicy::Orphan {
                continue;
            }
            let held = outcomes
                .get(&a.key())
                .is_some_and(|v| v.iter().any(|(_, o, _)| !matches!(o, Outcome::Applied)));
            if held {
                continue;
            }
            if policy == DeletionPolicy::Suspend {
                inventory.entries.remove(&a.key());
            }
            released.push(a.clone());
        }
        conn.store
            .save(inventory)
            .map_err(|e| Error::State(e.to_string()))?;
        // Events for the removals of deleted resources (their statuses are gone with them).
        for a in accounts.iter().filter(|a| a.deleting()) {
            for (action, outcome, address) in outcomes.get(&a.key()).into_iter().flatten() {
                let applied = matches!(outcome, Outcome::Applied);
                let why = if applied { reason(*action) } else { "Blocked" };
                self.event(a, !applied, why, format!("{} {address}", action.verb()))
                    .await;
            }
        }
        for a in &released {
            let note = match a.deletion_policy() {
                DeletionPolicy::Orphan => "the account is left as it is and no longer managed".to_string(),
                DeletionPolicy::Suspend => {
                    "the account is suspended (mail kept) and no longer managed".to_string()
                }
                DeletionPolicy::Delete => format!(
                    "the account is suspended and will be deleted after {} days",
                    state.organization.safety.grace_days
                ),
            };
            self.event(a, false, &format!("{:?}", a.deletion_policy()), note)
                .await;
            self.account_finalizer(a, false).await?;
        }

        // Events and statuses.
        let now = Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let observed: BTreeSet<String> = observation
            .accounts
            .iter()
            .map(|a| a.address.to_string())
            .collect();
        for a in &alive {
            let key = a.key();
            let generation = a.meta().generation;
            let previous = a.status().cloned().unwrap_or_default();
            let mut status = previous.clone();
            status.address = address_of(&state, a).or(previous.address.clone());
            if let Some(s) = secrets.get(&key) {
                status.credentials_secret = Some(s.clone());
            }
            let mine = outcomes.get(&key).cloned().unwrap_or_default();
            let mut failure = None;
            for (action, outcome, address) in &mine {
                match outcome {
                    Outcome::Applied => {
                        status.last_sync_time = Some(now.clone());
                        self.event(a, false, reason(*action), format!("{} {address}", action.verb()))
                            .await;
                    }
                    Outcome::Blocked => {
                        let message = format!("{} {address} is blocked by the safety rules", action.verb());
                        // A change that stays blocked is reported once, not at every requeue.
                        if previous.conditions.iter().all(|c| c.message != message) {
                            self.event(a, true, "Blocked", message.clone()).await;
                        }
                        failure = Some(message);
                    }
                    Outcome::Failed { message, .. } => {
                        failure = Some(format!("{} {address} failed: {message}", action.verb()));
                        self.event(a, true, "Failed", failure.clone().unwrap_or_default())
                            .await;
                    }
                }
            }
            let (synced, sync_reason, sync_message) = if let Some(m) = invalid.get(&key) {
                (false, "InvalidSpec", m.clone())
            } else if let Some(f) = failure {
                (false, "ReconcileError", f)
            } else if !state_has(&state, a, self.today) {
                (true, "NotStarted", "outside its start and end dates".to_string())
            } else {
                (true, "ReconcileSuccess", String::new())
            };
            let exists = status.address.as_ref().is_some_and(|ad| observed.contains(ad))
                || mine.iter().any(|(k, o, _)| {
                    matches!(o, Outcome::Applied)
                        && matches!(k, ActionKind::Create | ActionKind::Rename | ActionKind::Adopt)
                });
            let ready = synced && exists && !invalid.contains_key(&key);
            let ready_reason = if ready {
                "Available"
            } else if invalid.contains_key(&key) {
                "InvalidSpec"
            } else {
                "Unavailable"
            };
            status.observed_generation = generation;
            status.conditions = vec![
                condition(&previous.conditions, "Ready", ready, ready_reason, "", generation),
                condition(
                    &previous.conditions,
                    "Synced",
                    synced,
                    sync_reason,
                    &sync_message,
                    generation,
                ),
            ];
            if let Some(m) = invalid.get(&key)
                && previous.conditions.iter().all(|c| c.message != *m)
            {
                self.event(a, true, "InvalidSpec", m.clone()).await;
            }
            self.write_status(a, &previous, &status).await?;
        }
        done.revision = plan.source.revision.clone();
        done.summary = Some(plan.summary);
        done.pending = plan
            .findings
            .iter()
            .filter_map(|f| match f {
                plan::Finding::PendingDeletion {
                    address,
                    delete_after,
                } => Some(crate::serve::PendingRemoval {
                    address: address.to_string(),
                    delete_after: *delete_after,
                }),
                _ => None,
            })
            .collect();
        let pending: Vec<String> = done
            .pending
            .iter()
            .map(|p| format!("{} until {}", p.address, p.delete_after))
            .collect();
        let failed = done.failed;
        let changed = report
            .outcomes
            .iter()
            .any(|o| matches!(o.outcome, Outcome::Applied));
        let managed = i32::try_from(inventory.entries.len()).unwrap_or(i32::MAX);
        let server_name = server.name_any();
        self.write_org_status(org, |s| {
            let generation = org.meta().generation;
            let message = if failed > 0 {
                format!("{failed} change(s) failed or blocked")
            } else {
                String::new()
            };
            s.conditions = vec![
                condition(
                    &s.conditions,
                    "Ready",
                    failed == 0,
                    if failed == 0 { "Available" } else { "Unavailable" },
                    &message,
                    generation,
                ),
                condition(
                    &s.conditions,
                    "Synced",
                    failed == 0,
                    if failed == 0 {
                        "ReconcileSuccess"
                    } else {
                        "ReconcileError"
                    },
                    &message,
                    generation,
                ),
            ];
            s.observed_generation = generation;
            s.server = Some(server_name.clone());
            s.managed_mailboxes = Some(managed);
            s.pending_removals = pending.clone();
            if changed {
                s.last_sync_time = Some(now.clone());
            }
        })
        .await?;
        Ok(done)
    }
}

fn address_of(state: &DesiredState, a: &Account) -> Option<String> {
    let name = a.name();
    match a {
        Account::Mailbox(_) => state.mailbox(&name).map(|m| m.address.to_string()),
        Account::Shared(_) => state
            .shared_mailboxes
            .iter()
            .find(|m| m.name == name)
            .map(|m| m.address.to_string()),
    }
}

fn state_has(state: &DesiredState, a: &Account, today: chrono::NaiveDate) -> bool {
    match a {
        Account::Mailbox(_) => state.mailbox(&a.name()).is_none_or(|m| m.is_current(today)),
        Account::Shared(_) => true,
    }
}

/// The Event reason of an applied change.
const fn reason(kind: ActionKind) -> &'static str {
    match kind {
        ActionKind::Create => "Created",
        ActionKind::Adopt => "Adopted",
        ActionKind::Rename => "Renamed",
        ActionKind::Update => "Updated",
        ActionKind::Resume => "Resumed",
        ActionKind::Handover => "HandedOver",
        ActionKind::Grant => "AccessGranted",
        ActionKind::Revoke => "AccessRevoked",
        ActionKind::Suspend => "Suspended",
        ActionKind::Delete => "Deleted",
        ActionKind::Blocked => "Blocked",
    }
}
