//! `mailops operator`: reconcile Mailbox, SharedMailbox and Organization resources of a Kubernetes cluster
//! (CRD mode), serving health, readiness and metrics like `mailops watch`.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use clap::Args;

use super::Printer;
use crate::k8s::operator::{LeaderElection, Options};
use crate::serve::{self, Endpoint, Status, Telemetry};

/// Arguments of `operator`.
#[derive(Debug, Args)]
pub struct OperatorArgs {
    /// The HTTP endpoint (/healthz, /readyz, /metrics, /status); in a pod, `0.0.0.0:9187` for the probes.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:9187")]
    pub listen: SocketAddr,
    /// Time between reconciles of a namespace (changes made on the server by hand, grace periods; 1s to 24h).
    #[arg(long, value_name = "DURATION", default_value = "5m", value_parser = crate::desired::values::bounds::wait)]
    pub requeue: Duration,
    /// The longest wait between retries after failures (1s to 24h).
    #[arg(long, value_name = "DURATION", default_value = "5m", value_parser = crate::desired::values::bounds::wait)]
    pub max_backoff: Duration,
    /// Namespaces reconciled at the same time (a namespace is never reconciled twice at once).
    #[arg(long, value_name = "N", default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub concurrency: u16,
    /// Changes carried out at the same time within a namespace.
    #[arg(long, value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub changes_per_namespace: u16,
    /// Reconcile only shard N of M (0-based): a namespace's shard is its label `mailops.dev/shard`, or a
    /// hash of its name. Each shard runs its own replicas (with --leader-elect, a Lease per shard).
    #[arg(long, value_name = "N/M")]
    pub shard: Option<crate::k8s::operator::Shard>,
    /// Hold a Lease before reconciling, for more than one replica.
    #[arg(long)]
    pub leader_elect: bool,
    /// The Lease's namespace.
    #[arg(long, env = "POD_NAMESPACE", default_value = "mailops-system")]
    pub lease_namespace: String,
    /// The Lease's name.
    #[arg(long, default_value = "mailops-operator")]
    pub lease_name: String,
    /// This replica's identity (the pod name).
    #[arg(long, env = "POD_NAME")]
    pub identity: Option<String>,
}

pub(super) async fn run(args: &OperatorArgs, printer: &Printer) -> u8 {
    let client = match kube::Client::try_default().await {
        Ok(c) => c,
        Err(e) => {
            printer.error(
                &crate::t!("error-kubernetes-api"),
                Some(&e),
                Some(&crate::t!("hint-kubernetes-api")),
            );
            return 1;
        }
    };
    let listener = match serve::bind(args.listen).await {
        Ok(l) => l,
        Err(e) => {
            printer.error(
                &crate::t!("error-cannot-listen", address = args.listen.to_string()),
                Some(&e),
                None,
            );
            return 1;
        }
    };
    let telemetry = Arc::new(Telemetry::new(Status {
        source: "kubernetes".into(),
        server: "MailServer resources".into(),
        drift_mode: "heal".into(),
        ..Status::default()
    }));
    let endpoint = Endpoint {
        telemetry: telemetry.clone(),
        webhook_secret: None,
        on_push: Arc::new(|_| false),
    };
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let http = tokio::spawn(serve::serve(listener, endpoint, {
        let mut rx = stop_rx.clone();
        async move {
            let _ = rx.wait_for(|s| *s).await;
        }
    }));
    let identity = args.identity.clone().unwrap_or_else(|| {
        std::fs::read_to_string("/etc/hostname")
            .map(|h| h.trim().to_string())
            .unwrap_or_else(|_| format!("mailops-{}", std::process::id()))
    });
    let options = Options {
        requeue: args.requeue,
        max_backoff: args.max_backoff,
        concurrency: args.concurrency,
        changes_per_namespace: usize::from(args.changes_per_namespace),
        shard: args.shard,
        leader_election: args.leader_elect.then(|| LeaderElection {
            namespace: args.lease_namespace.clone(),
            // One Lease per shard: a shard's replicas elect their leader among themselves.
            lease: match args.shard {
                Some(s) => format!("{}-shard-{}-of-{}", args.lease_name, s.index, s.count),
                None => args.lease_name.clone(),
            },
            identity: identity.clone(),
            duration: 15,
            grace: 5,
        }),
        instance: Some(identity),
    };
    printer.note(&crate::t!("operator-started", address = args.listen.to_string()));
    let result = crate::k8s::operator::run(client, options, telemetry.clone(), serve::stop_signal()).await;
    telemetry.set_dead();
    let _ = stop_tx.send(true);
    let _ = http.await;
    match result {
        Ok(()) => {
            printer.note(&crate::t!("operator-stopped"));
            0
        }
        Err(e) => {
            printer.error(&crate::t!("error-leader-election"), Some(&e), None);
            1
        }
    }
}
