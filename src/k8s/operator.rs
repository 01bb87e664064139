//! `mailops operator`: a kube-rs Controller on `Organization`, woken by changes to the namespace's
//! Mailboxes, SharedMailboxes and MailServers, each reconcile being [`super::reconcile::Namespace`].
//! Errors are retried with exponential backoff; a periodic requeue catches changes made on the server and
//! deletions whose grace period ends. With leader election, only the holder of the Lease reconciles.
//!
//! At scale: at most `concurrency` namespaces are reconciled at once, a namespace never twice at once (the
//! Controller never runs one object twice at once, and a namespace's reconciles take its lock); a child's
//! event finds its Organization through an index by namespace, not a scan of the store; and with
//! `--shard N/M`, replicas split the namespaces between them by the label `mailops.dev/shard` (or, without
//! it, a hash of the namespace's name).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use futures::StreamExt;
use k8s_openapi::api::core::v1::Namespace as KubeNamespace;
use kube::api::{Api, ListParams};
use kube::runtime::controller::{self, Action, Controller};
use kube::runtime::events::{Recorder, Reporter};
use kube::runtime::reflector::{ObjectRef, Store};
use kube::runtime::watcher;
use kube::{Client, Resource, ResourceExt};
use sha2::Digest;

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
    /// Namespaces reconciled at the same time (at least 1).
    pub concurrency: u16,
    /// Changes carried out at the same time within a namespace.
    pub changes_per_namespace: usize,
    /// This replica's share of the namespaces, when several replicas do the work.
    pub shard: Option<Shard>,
}

/// The namespace label that assigns a namespace to a shard (`"0"` to `"M-1"`).
pub const SHARD_LABEL: &str = "mailops.dev/shard";

/// `--shard N/M`: this replica reconciles the namespaces of shard `N` out of `M` (0 ≤ N < M ≤ 1024).
///
/// A namespace's shard is its label [`SHARD_LABEL`] when that is a number below `M`, else the namespace
/// name's SHA-256 (first 8 bytes, big-endian) modulo `M`: every namespace belongs to exactly one shard, and
/// the label moves a large agency where it fits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// This replica's shard, from 0.
    pub index: u32,
    /// How many shards there are.
    pub count: u32,
}

impl std::str::FromStr for Shard {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || {
            format!(
                "`{}`: expected N/M with 0 ≤ N < M ≤ 1024, such as 0/2",
                s.escape_debug()
            )
        };
        let (n, m) = s.split_once('/').ok_or_else(bad)?;
        let (index, count): (u32, u32) = (n.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
        if count == 0 || count > 1024 || index >= count {
            return Err(bad());
        }
        Ok(Self { index, count })
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl Shard {
    /// The shard a namespace belongs to, from its name and labels.
    #[must_use]
    pub fn of(&self, namespace: &str, label: Option<&str>) -> u32 {
        if let Some(n) = label
            .and_then(|l| l.parse::<u32>().ok())
            .filter(|n| *n < self.count)
        {
            return n;
        }
        if let Some(l) = label {
            tracing::warn!(
                namespace,
                label = %l.escape_debug(),
                shards = self.count,
                "the shard label is not a shard number: the namespace goes by its name's hash"
            );
        }
        let digest = sha2::Sha256::digest(namespace.as_bytes());
        let mut first = [0u8; 8];
        first.copy_from_slice(&digest[..8]);
        u32::try_from(u64::from_be_bytes(first) % u64::from(self.count)).unwrap_or(0)
    }
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
    /// Namespace → its Organizations, for mapping a child's event without scanning the store.
    index: Mutex<HashMap<String, Vec<ObjectRef<OrganizationResource>>>>,
    /// With `--shard`: namespace → its shard, from the Namespace objects' labels.
    shards: Mutex<HashMap<String, u32>>,
    /// A fingerprint of each child's metadata (by uid), for [`Context::changed`].
    seen: Mutex<HashMap<String, u64>>,
    /// Namespace → how many changes of its children were seen (bumped by the mappers).
    changes: Mutex<HashMap<String, u64>>,
    /// Namespace → its last reconcile that found nothing to do, for [`Context::unchanged`].
    settled: Mutex<HashMap<String, Settled>>,
}

/// A reconcile that found nothing to do: the Organization's metadata fingerprint, the namespace's change
/// count when it started, and when.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Settled {
    organization: u64,
    changes: u64,
    at: std::time::Instant,
}

/// A fingerprint of what an event can change besides the status: generation (the spec), deletion,
/// finalizers, labels and annotations.
fn fingerprint(meta: &kube::api::ObjectMeta) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::hash::DefaultHasher::new();
    meta.generation.hash(&mut h);
    meta.deletion_timestamp
        .as_ref()
        .map(|t| t.0.to_string())
        .hash(&mut h);
    meta.finalizers.hash(&mut h);
    meta.labels.hash(&mut h);
    meta.annotations.hash(&mut h);
    h.finish()
}

fn locked<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Context {
    /// The Organizations of a namespace, by the index. A namespace not in it yet is looked up in the store
    /// once (the result, even none, is kept: every new Organization's own first reconcile adds itself).
    fn organizations(
        &self,
        namespace: &str,
        store: &Store<OrganizationResource>,
    ) -> Vec<ObjectRef<OrganizationResource>> {
        let mut index = locked(&self.index);
        let refs = index.entry(namespace.to_string()).or_insert_with(|| {
            store
                .state()
                .iter()
                .filter(|o| o.namespace().as_deref() == Some(namespace))
                .map(|o| ObjectRef::from_obj(&**o))
                .collect()
        });
        refs.retain(|r| store.get(r).is_some());
        refs.clone()
    }

    /// Whether a Mailbox's or SharedMailbox's event says more than a new status (the reconcile's own
    /// writes): first seen, or a new generation (spec), deletion, finalizers, labels or annotations. A status
    /// write would otherwise wake its namespace for one more reconcile after every reconcile that wrote one.
    /// Deletions are seen by their deletionTimestamp (every one carries the finalizer `mailops.dev/account`,
    /// added before anything is done); the last event of an object, once its finalizer is gone, forgets it.
    fn changed<K: kube::Resource>(&self, o: &K) -> bool {
        let meta = o.meta();
        let Some(uid) = meta.uid.clone() else {
            return true;
        };
        let fingerprint = fingerprint(meta);
        let mut seen = locked(&self.seen);
        if meta.deletion_timestamp.is_some() && meta.finalizers.as_ref().is_none_or(Vec::is_empty) {
            seen.remove(&uid);
            return true;
        }
        seen.insert(uid, fingerprint) != Some(fingerprint)
    }

    /// A change in a namespace was seen: its next reconcile runs in full.
    fn touch(&self, namespace: Option<&str>) {
        if let Some(n) = namespace {
            *locked(&self.changes).entry(n.to_string()).or_default() += 1;
        }
    }

    /// The namespace's change count now, and whether nothing happened since its last reconcile that found
    /// nothing to do, less than a requeue ago: then the Organization's own status write woke it, and a
    /// reconcile would find nothing again (the Controller wakes an Organization on every change of it).
    fn unchanged(&self, namespace: &str, org: &OrganizationResource) -> (u64, Option<Duration>) {
        let changes = locked(&self.changes).get(namespace).copied().unwrap_or(0);
        let settled = locked(&self.settled).get(namespace).copied();
        let left = settled
            .filter(|s| s.organization == fingerprint(org.meta()) && s.changes == changes)
            .and_then(|s| self.options.requeue.checked_sub(s.at.elapsed()))
            .filter(|left| !left.is_zero());
        (changes, left)
    }

    fn remember(&self, namespace: &str, org: &OrganizationResource) {
        let r = ObjectRef::from_obj(org);
        let mut index = locked(&self.index);
        let refs = index.entry(namespace.to_string()).or_default();
        if !refs.contains(&r) {
            refs.push(r);
        }
    }

    /// Whether this replica reconciles the namespace (always, unsharded; `None`: its Namespace object has
    /// not been seen yet).
    fn ours(&self, namespace: &str) -> Option<bool> {
        let shard = self.options.shard?;
        let shards = locked(&self.shards);
        Some(*shards.get(namespace)? == shard.index)
    }
}

/// Counts a reconcile in the in-flight gauge while it runs.
struct InFlight<'a>(&'a crate::serve::Metrics);

impl<'a> InFlight<'a> {
    fn start(metrics: &'a crate::serve::Metrics) -> Self {
        metrics.in_flight(1);
        Self(metrics)
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.in_flight(-1);
    }
}

fn backoff(failures: u32, max: Duration) -> Duration {
    Duration::from_secs(2u64.saturating_pow(failures.min(20))).min(max)
}

async fn reconcile(org: Arc<OrganizationResource>, ctx: Arc<Context>) -> Result<Action, Error> {
    let namespace = org.namespace().unwrap_or_else(|| "default".to_string());
    ctx.remember(&namespace, &org);
    match ctx.ours(&namespace) {
        // Another replica's namespace, or one whose labels are not known yet (the Namespace's event will
        // wake this Organization again).
        Some(false) | None if ctx.options.shard.is_some() => {
            ctx.telemetry.set_ready();
            return Ok(Action::await_change());
        }
        _ => {}
    }
    let lock = locked(&ctx.namespaces)
        .entry(namespace.clone())
        .or_default()
        .clone();
    let _one_at_a_time = lock.lock().await;
    let (changes, unchanged) = ctx.unchanged(&namespace, &org);
    if let Some(left) = unchanged {
        tracing::debug!(
            namespace,
            "nothing changed since the last reconcile found nothing to do"
        );
        return Ok(Action::requeue(left));
    }
    let begun = std::time::Instant::now();
    let _counted = InFlight::start(&ctx.telemetry.metrics);
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
        today: crate::clock::today(),
        concurrency: ctx.options.changes_per_namespace,
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
            let mut settled = locked(&ctx.settled);
            if done.failed == 0 && done.applied.iter().all(|(_, n)| *n == 0) {
                let organization = fingerprint(org.meta());
                settled.insert(
                    namespace.clone(),
                    Settled {
                        organization,
                        changes,
                        at: begun,
                    },
                );
            } else {
                settled.remove(&namespace);
            }
            drop(settled);
            ctx.failures
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .remove(&namespace);
            ctx.telemetry.set_ready();
            let ended = chrono::Utc::now();
            ctx.telemetry.update(|s| {
                s.last_reconcile_at = Some(ended);
                s.last_result = Some("success".into());
                s.last_error = None;
                let ns = s.namespaces.entry(namespace.clone()).or_default();
                ns.last_reconcile_at = Some(ended);
                ns.last_result = Some(if done.failed == 0 { "success" } else { "failure" }.into());
                ns.pending_removals.clone_from(&done.pending);
                if let Some(summary) = done.summary {
                    let applied: u64 = done.applied.values().sum();
                    ns.last_plan = Some(crate::serve::PlanStatus {
                        revision: done.revision.clone(),
                        at: started,
                        summary,
                        applied: usize::try_from(applied).unwrap_or(usize::MAX),
                        blocked: done.blocked,
                        failed: done.failed - done.blocked,
                        held_back: 0,
                    });
                }
                if done.failed == 0 {
                    ns.revision.clone_from(&done.revision);
                    ns.applied_at = Some(ended);
                    ns.last_error = None;
                } else {
                    ns.last_error = Some(crate::serve::ErrorStatus {
                        kind: "apply".into(),
                        message: format!("{} change(s) failed or blocked", done.failed),
                        at: ended,
                        revision: done.revision.clone(),
                        details: Vec::new(),
                        diagnostics: Vec::new(),
                    });
                }
            });
            tracing::info!(namespace, applied = ?done.applied, "reconciled");
        }
        Err(e) => {
            locked(&ctx.settled).remove(&namespace);
            m.error(e.kind());
            m.reconciled(false, chrono::Utc::now());
            let error = crate::serve::ErrorStatus {
                kind: e.kind().to_string(),
                message: e.to_string(),
                at: started,
                revision: Some(format!("namespace/{namespace}")),
                details: Vec::new(),
                diagnostics: Vec::new(),
            };
            ctx.telemetry.update(|s| {
                s.last_reconcile_at = Some(started);
                s.last_result = Some("failure".into());
                s.last_error = Some(error.clone());
                let ns = s.namespaces.entry(namespace.clone()).or_default();
                ns.last_reconcile_at = Some(started);
                ns.last_result = Some("failure".into());
                ns.last_error = Some(error);
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
        index: Mutex::default(),
        shards: Mutex::default(),
        seen: Mutex::default(),
        changes: Mutex::default(),
        settled: Mutex::default(),
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
    // The Lease is released (one API call); bounded so that a slow API server cannot hold the stop.
    if tokio::time::timeout(Duration::from_secs(5), lease_task)
        .await
        .is_err()
    {
        tracing::warn!("the Lease was not released within 5 s: it expires on its own");
    }
    Ok(())
}

async fn controller(
    client: Client,
    ctx: Arc<Context>,
    shutdown: impl std::future::Future<Output = ()> + Send + Sync + 'static,
) {
    let shutdown = futures::FutureExt::shared(Box::pin(shutdown));
    let orgs = Api::<OrganizationResource>::all(client.clone());
    let mut controller = Controller::new(orgs, watcher::Config::default())
        .with_config(controller::Config::default().concurrency(ctx.options.concurrency.max(1)));
    let store = controller.store();
    // A change to any resource of a namespace wakes the namespace's Organization.
    let of_namespace = {
        let ctx = ctx.clone();
        move |namespace: Option<String>| match namespace {
            Some(n) if ctx.ours(&n) != Some(false) => {
                ctx.touch(Some(&n));
                ctx.organizations(&n, &store)
            }
            _ => Vec::new(),
        }
    };
    if let Some(shard) = ctx.options.shard {
        // A Namespace's labels say its shard; a change of them wakes its Organizations.
        let (ctx, of_namespace) = (ctx.clone(), of_namespace.clone());
        controller = controller.watches(
            Api::<KubeNamespace>::all(client.clone()),
            watcher::Config::default(),
            move |ns: KubeNamespace| {
                let name = ns.name_any();
                let label = ns.labels().get(SHARD_LABEL).map(String::as_str);
                let owner = shard.of(&name, label);
                let before = locked(&ctx.shards).insert(name.clone(), owner);
                if before.is_some_and(|b| b != owner) {
                    tracing::info!(namespace = %name, shard = owner, "the namespace moved to another shard");
                }
                of_namespace(Some(name))
            },
        );
    }
    let (m, s, v) = (of_namespace.clone(), of_namespace.clone(), of_namespace);
    let (mc, sc) = (ctx.clone(), ctx.clone());
    let drained = controller
        .watches(
            Api::<MailboxResource>::all(client.clone()),
            watcher::Config::default(),
            move |o| {
                if mc.changed(&o) {
                    m(o.namespace())
                } else {
                    Vec::new()
                }
            },
        )
        .watches(
            Api::<SharedMailboxResource>::all(client.clone()),
            watcher::Config::default(),
            move |o| {
                if sc.changed(&o) {
                    s(o.namespace())
                } else {
                    Vec::new()
                }
            },
        )
        .watches(
            Api::<MailServerResource>::all(client),
            watcher::Config::default(),
            move |o| v(o.namespace()),
        )
        .graceful_shutdown_on(shutdown.clone())
        .run(reconcile, error_policy, ctx)
        .for_each(|r| async move {
            if let Err(e) = r {
                tracing::debug!(error = %e, "controller");
            }
        });
    // The reconciles running at the stop may finish, within a bound below Kubernetes' 30 s grace period;
    // past it they are dropped where they are, which the journal makes safe (as a kill would).
    tokio::select! {
        () = drained => {}
        () = async {
            shutdown.await;
            tokio::time::sleep(SHUTDOWN_GRACE).await;
        } => tracing::warn!(
            grace = ?SHUTDOWN_GRACE,
            "reconciles still running at the end of the grace: stopped where they were (the journal resumes them)"
        ),
    }
}

/// How long the reconciles running at a stop may take to finish.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(20);

#[cfg(test)]
mod tests {
    use super::Shard;

    #[test]
    fn a_shard_is_n_of_m() {
        assert_eq!("1/3".parse::<Shard>(), Ok(Shard { index: 1, count: 3 }));
        assert_eq!("0/1".parse::<Shard>().unwrap().to_string(), "0/1");
        for bad in ["3/3", "0/0", "1", "a/2", "-1/2", "0/1025", "1/2/3", ""] {
            let e = bad.parse::<Shard>().unwrap_err();
            assert!(e.contains("expected N/M"), "{bad}: {e}");
        }
    }

    #[test]
    fn every_namespace_has_one_shard_the_label_first_then_the_hash() {
        let s = Shard { index: 0, count: 4 };
        assert_eq!(s.of("bdt", Some("3")), 3);
        assert_eq!(s.of("bdt", Some("2")), 2);
        // Not a shard number of these four: the name's hash, as without a label.
        assert_eq!(s.of("bdt", Some("4")), s.of("bdt", None));
        assert_eq!(s.of("bdt", Some("x")), s.of("bdt", None));
        // The hash is SHA-256's first 8 bytes: stable across replicas, versions and machines.
        assert_eq!(
            s.of("bdt", None),
            u32::try_from(0xa916_9ef4_a868_f244_u64 % 4).unwrap()
        );
        // And it spreads: 1,000 namespaces over 4 shards, none far from a quarter.
        let mut counts = [0u32; 4];
        for i in 0..1000 {
            counts[s.of(&format!("so-{i}"), None) as usize] += 1;
        }
        assert!(counts.iter().all(|c| (200..300).contains(c)), "{counts:?}");
    }
}
