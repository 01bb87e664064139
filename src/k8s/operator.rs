//! `mailops operator`: a kube-rs Controller on `Organization`, woken by changes to the namespace's
//! Mailboxes, SharedMailboxes and MailServers, each reconcile being [`super::reconcile::Namespace`].
//! Errors are retried with exponential backoff; a periodic requeue catches changes made on the server and
//! deletions whose grace period ends. With leader election, only the holder of the Lease reconciles.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::StreamExt;
use kube::api::{Api, ListParams};
use kube::runtime::controller::{Action, Controller};
use kube::runtime::events::{Recorder, Reporter};
use kube::runtime::reflector::ObjectRef;
use kube::runtime::watcher;
use kube::{Client, ResourceExt};

use super::crd::MailServerResource;
use super::reconcile::{Error, Namespace};
use crate::manifest::{MailboxResource, OrganizationResource, SharedMailboxResource};
use crate::serve::Telemetry;

/// How the operator runs.
#[derive(Debug, Clone)]
pub struct Options {
    /// Time between reconciles of a namespace that succeeded.
    pub requeue: Duration,
    /// The longest wait between retries after failures.
    pub max_backoff: Duration,
    /// Take a Lease before reconciling (for more than one replica).
    pub leader_election: Option<LeaderElection>,
    /// The Events' reporting instance (the pod name).
    pub instance: Option<String>,
    /// Changes carried out at the same time within a namespace.
    pub concurrency: usize,
}

/// Leader election settings.
#[derive(Debug, Clone)]
pub struct LeaderElection {
    /// The Lease's namespace.
    pub namespace: String,
    /// The Lease's name.
    pub lease: String,
    /// This replica's identity (the pod name).
    pub identity: String,
    /// Lease duration, seconds.
    pub duration: u64,
    /// Grace before renewal, seconds.
    pub grace: u64,
}

struct Context {
    client: Client,
    recorder: Recorder,
    telemetry: Arc<Telemetry>,
    options: Options,
    failures: Mutex<HashMap<String, u32>>,
    namespaces: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

fn backoff(failures: u32, max: Duration) -> Duration {
    Duration::from_secs(2u64.saturating_pow(failures.min(20))).min(max)
}

async fn reconcile(org: Arc<OrganizationResource>, ctx: Arc<Context>) -> Result<Action, Error> {
    let namespace = org.namespace().unwrap_or_else(|| "default".to_string());
    let lock = ctx
        .namespaces
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .entry(namespace.clone())
        .or_default()
        .clone();
    let _one_at_a_time = lock.lock().await;
    let orgs = Api::<OrganizationResource>::namespaced(ctx.client.clone(), &namespace)
        .list(&ListParams::default())
        .await?;
    if orgs.items.len() > 1 {
        return Err(Error::Config(format!(
            "{} Organizations in namespace {namespace}: one namespace holds one agency",
            orgs.items.len()
        )));
    }
    // The freshest copy (the one from the cache may predate our own status write).
    let Some(current) = orgs.items.into_iter().find(|o| o.name_any() == org.name_any()) else {
        return Ok(Action::await_change());
    };
    let ns = Namespace {
        client: &ctx.client,
        recorder: &ctx.recorder,
        namespace: &namespace,
        today: chrono::Local::now().date_naive(),
        concurrency: ctx.options.concurrency,
    };
    let started = chrono::Utc::now();
    let result = ns.reconcile(&current).await;
    let m = &ctx.telemetry.metrics;
    match &result {
        Ok(done) => {
            for (action, n) in &done.applied {
                m.applied(action, *n);
            }
            m.reconciled(done.failed == 0, chrono::Utc::now());
            ctx.failures
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .remove(&namespace);
            ctx.telemetry.set_ready();
            ctx.telemetry.update(|s| {
                s.last_reconcile_at = Some(started);
                s.last_result = Some("success".into());
                s.last_error = None;
            });
            tracing::info!(namespace, applied = ?done.applied, "reconciled");
        }
        Err(e) => {
            m.error(e.kind());
            m.reconciled(false, chrono::Utc::now());
            let message = e.to_string();
            ctx.telemetry.update(|s| {
                s.last_reconcile_at = Some(started);
                s.last_result = Some("failure".into());
                s.last_error = Some(crate::serve::ErrorStatus {
                    kind: e.kind().to_string(),
                    message,
                    at: started,
                    revision: Some(format!("namespace/{namespace}")),
                });
            });
        }
    }
    result.map(|_| Action::requeue(ctx.options.requeue))
}

fn error_policy(org: Arc<OrganizationResource>, error: &Error, ctx: Arc<Context>) -> Action {
    let namespace = org.namespace().unwrap_or_default();
    let mut failures = ctx
        .failures
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let n = failures.entry(namespace.clone()).or_default();
    *n = n.saturating_add(1);
    let delay = backoff(*n, ctx.options.max_backoff);
    tracing::warn!(namespace, error = %error, retry_in = ?delay, "reconcile failed");
    Action::requeue(delay)
}

/// Runs the controller until `shutdown` completes (or, with leader election, the lease is lost).
///
/// # Errors
/// Leader election could not start.
pub async fn run(
    client: Client,
    options: Options,
    telemetry: Arc<Telemetry>,
    shutdown: impl std::future::Future<Output = ()> + Send + Sync + 'static,
) -> Result<(), kube_lease_manager::LeaseManagerError> {
    let recorder = Recorder::new(
        client.clone(),
        Reporter {
            controller: "mailops-operator".into(),
            instance: options.instance.clone(),
        },
    );
    let ctx = Arc::new(Context {
        client: client.clone(),
        recorder,
        telemetry,
        options: options.clone(),
        failures: Mutex::default(),
        namespaces: Mutex::default(),
    });
    let Some(election) = &options.leader_election else {
        controller(client, ctx, shutdown).await;
        return Ok(());
    };
    let manager = kube_lease_manager::LeaseManagerBuilder::new(client.clone(), &election.lease)
        .with_namespace(&election.namespace)
        .with_identity(&election.identity)
        .with_duration(election.duration)
        .with_grace(election.grace)
        .build()
        .await?;
    let (mut leader, lease_task) = manager.watch().await;
    let shutdown = futures::FutureExt::shared(Box::pin(shutdown));
    tracing::info!(identity = %election.identity, "waiting for the lease");
    loop {
        if *leader.borrow_and_update() {
            break;
        }
        tokio::select! {
            changed = leader.changed() => if changed.is_err() { return Ok(()) },
            () = shutdown.clone() => return Ok(()),
        }
    }
    tracing::info!(identity = %election.identity, "leader: reconciling");
    let mut lost = leader.clone();
    let stop = async move {
        tokio::select! {
            () = async {
                while *lost.borrow_and_update() {
                    if lost.changed().await.is_err() {
                        break;
                    }
                }
            } => tracing::warn!("lease lost: stopping"),
            () = shutdown => {}
        }
    };
    controller(client, ctx, stop).await;
    drop(leader);
    let _ = lease_task.await;
    Ok(())
}

async fn controller(
    client: Client,
    ctx: Arc<Context>,
    shutdown: impl std::future::Future<Output = ()> + Send + Sync + 'static,
) {
    let orgs = Api::<OrganizationResource>::all(client.clone());
    let controller = Controller::new(orgs, watcher::Config::default());
    let store = controller.store();
    // A change to any resource of a namespace wakes the namespace's Organization.
    let of_namespace = move |namespace: Option<String>| {
        store
            .state()
            .into_iter()
            .filter(|o| o.namespace() == namespace)
            .map(|o| ObjectRef::from_obj(&*o))
            .collect::<Vec<_>>()
    };
    let (m, s, v) = (of_namespace.clone(), of_namespace.clone(), of_namespace);
    controller
        .watches(
            Api::<MailboxResource>::all(client.clone()),
            watcher::Config::default(),
            move |o| m(o.namespace()),
        )
        .watches(
            Api::<SharedMailboxResource>::all(client.clone()),
            watcher::Config::default(),
            move |o| s(o.namespace()),
        )
        .watches(
            Api::<MailServerResource>::all(client),
            watcher::Config::default(),
            move |o| v(o.namespace()),
        )
        .graceful_shutdown_on(shutdown)
        .run(reconcile, error_policy, ctx)
        .for_each(|r| async move {
            if let Err(e) = r {
                tracing::debug!(error = %e, "controller");
            }
        })
        .await;
}
