//! The HTTP endpoint of the long-running modes (`mailops watch`): liveness, readiness, Prometheus metrics,
//! a JSON status and git push webhooks.
//!
//! - `GET /healthz`: 200 while the reconcile loop is alive.
//! - `GET /readyz`: 200 once a revision has been applied (or found already in force), 503 before.
//! - `GET /metrics`: the OpenMetrics text of [`Metrics`].
//! - `GET /`: the status page for a person (see [`page`]): plain HTML in Vietnamese or English
//!   (`?lang=vi|en`, else the browser's `Accept-Language`, else the process's language), refreshing itself.
//! - `GET /status`: [`Status`] as JSON.
//! - `POST /hooks/git`: a push event from GitHub (`X-Hub-Signature-256`), Gitea (`X-Gitea-Signature`) or
//!   GitLab (`X-Gitlab-Token`), checked against the shared secret in constant time (see [`hooks`]). A bad or
//!   missing signature gets 401 and triggers nothing; a push to another branch is acknowledged and ignored.
//!
//! The endpoint listens on 127.0.0.1 unless told otherwise, and is bounded whoever connects ([`Limits`]):
//! at most 64 connections served at once; beyond them, up to 256 more are accepted only to answer
//! `/healthz` and `/readyz` (1 s to send the request; anything else gets 503 with `Retry-After`), so that
//! slow clients holding every slot cannot make a liveness probe fail; past those, connections wait in the
//! kernel's queue. One request per connection, 5 s to send
//! the headers, 10 s to send a body and 10 s per request, a body of at most 1 MiB on `/hooks/git` (and none
//! elsewhere), at most 8 webhook bodies read at once (503 beyond), and 64 KiB of read buffer per
//! connection. 150 clients sending 2 MB slowly cost it a few MiB, given back when they are gone.

pub mod hooks;
mod metrics;
mod page;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

pub use metrics::Metrics;

use crate::backend::Secret;
use crate::plan::Summary;

/// Version of the `/status` document; changes only when a field changes meaning.
pub const STATUS_VERSION: u32 = 1;

/// What `/status` shows.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Status {
    /// [`STATUS_VERSION`].
    pub version: u32,
    /// Where the desired state comes from (URLs without credentials).
    pub source: String,
    /// The branch, tag or commit followed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// The server (without credentials).
    pub server: String,
    /// `heal` or `report`.
    pub drift_mode: String,
    /// The revision in force: the last one applied (the commit, or `local` for a folder).
    pub revision: Option<String>,
    /// When it was applied.
    pub applied_at: Option<DateTime<Utc>>,
    /// The newest revision fetched, whether or not it could be applied.
    pub fetched_revision: Option<String>,
    /// When the last reconcile ended.
    pub last_reconcile_at: Option<DateTime<Utc>>,
    /// `success` or `failure`.
    pub last_result: Option<String>,
    /// The last plan that was carried out.
    pub last_plan: Option<PlanStatus>,
    /// The last error, until a reconcile succeeds.
    pub last_error: Option<ErrorStatus>,
    /// Failed reconciles in a row.
    pub consecutive_failures: u32,
    /// When the next reconcile is due (a webhook can make it sooner).
    pub next_reconcile_at: Option<DateTime<Utc>>,
    /// Accounts changed on the server by hand since mailops last left them.
    pub drift: Vec<DriftStatus>,
    /// Removals waiting for their grace period.
    pub pending_removals: Vec<PendingRemoval>,
    /// The operator's namespaces, each reconciled on its own (empty for `watch`).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub namespaces: BTreeMap<String, NamespaceStatus>,
}

/// One namespace of the operator.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NamespaceStatus {
    /// The revision in force: the Organization's `k8s:NAMESPACE@RESOURCEVERSION` last reconciled without
    /// failures.
    pub revision: Option<String>,
    /// When it was applied.
    pub applied_at: Option<DateTime<Utc>>,
    /// When the last reconcile ended.
    pub last_reconcile_at: Option<DateTime<Utc>>,
    /// `success` or `failure`.
    pub last_result: Option<String>,
    /// The last plan that was carried out.
    pub last_plan: Option<PlanStatus>,
    /// The last error, until a reconcile succeeds.
    pub last_error: Option<ErrorStatus>,
    /// Removals waiting for their grace period.
    pub pending_removals: Vec<PendingRemoval>,
}

/// The last plan carried out.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PlanStatus {
    /// The revision planned.
    pub revision: Option<String>,
    /// When.
    pub at: DateTime<Utc>,
    /// Its counts.
    pub summary: Summary,
    /// Changes applied.
    pub applied: usize,
    /// Changes refused by the safety rules.
    pub blocked: usize,
    /// Changes that failed.
    pub failed: usize,
    /// Changes that would undo a hand-made change, not applied because drift is only reported.
    pub held_back: usize,
}

/// An error of a reconcile.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorStatus {
    /// `fetch`, `history-rewritten`, `verify`, `empty`, `invalid`, `observe`, `apply`, `state`, `config`.
    pub kind: String,
    /// What happened (no credentials).
    pub message: String,
    /// When.
    pub at: DateTime<Utc>,
    /// The revision concerned, when known.
    pub revision: Option<String>,
    /// Each problem on its own line, with its file, line and field when it has them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<String>,
    /// The diagnostics behind `details`, for the status page to show in its reader's language (not in
    /// the JSON, which stays English).
    #[serde(skip)]
    pub diagnostics: Vec<crate::diagnostics::Diagnostic>,
}

/// An account changed by hand.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DriftStatus {
    /// Its address as mailops left it.
    pub address: String,
    /// What differs (`missing` when the account is gone).
    pub fields: Vec<String>,
    /// `healed` or `reported`.
    pub handling: String,
}

/// A removal waiting for its grace period.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PendingRemoval {
    /// The account.
    pub address: String,
    /// The day from which it will be deleted.
    pub delete_after: NaiveDate,
}

/// Shared between the reconcile loop and the endpoint.
#[derive(Debug)]
pub struct Telemetry {
    /// The metrics.
    pub metrics: Metrics,
    status: Mutex<Status>,
    ready: AtomicBool,
    alive: AtomicBool,
}

impl Telemetry {
    /// Fresh telemetry with this initial status.
    #[must_use]
    pub fn new(status: Status) -> Self {
        Self {
            metrics: Metrics::new(),
            status: Mutex::new(Status {
                version: STATUS_VERSION,
                ..status
            }),
            ready: AtomicBool::new(false),
            alive: AtomicBool::new(true),
        }
    }

    /// Changes the status.
    pub fn update(&self, f: impl FnOnce(&mut Status)) {
        let mut s = self
            .status
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        f(&mut s);
    }

    /// A copy of the status.
    #[must_use]
    pub fn status(&self) -> Status {
        self.status
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// Marks the service ready (a revision is in force).
    pub fn set_ready(&self) {
        self.ready.store(true, Ordering::SeqCst);
    }

    /// Marks the reconcile loop as gone (`/healthz` then fails).
    pub fn set_dead(&self) {
        self.alive.store(false, Ordering::SeqCst);
    }
}

/// What a verified push asks for.
pub type PushHandler = Arc<dyn Fn(Option<&str>) -> bool + Send + Sync>;

/// The endpoint's state.
#[derive(Clone)]
pub struct Endpoint {
    /// Shared with the loop.
    pub telemetry: Arc<Telemetry>,
    /// The webhook secret; without one, `/hooks/git` answers 403.
    pub webhook_secret: Option<Arc<Secret>>,
    /// Called with the pushed ref of a verified push event; returns whether a reconcile was triggered.
    pub on_push: PushHandler,
}

/// The bounds of the endpoint.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Connections served at once.
    pub connections: usize,
    /// Time to send the request headers.
    pub headers: Duration,
    /// Time to send the request body.
    pub body: Duration,
    /// Time for a whole request.
    pub request: Duration,
    /// The largest webhook body.
    pub hook_body: usize,
    /// Webhook bodies read at once.
    pub hooks_at_once: usize,
    /// The read buffer of a connection.
    pub read_buffer: usize,
    /// Connections beyond the cap held at once, each only to answer a probe.
    pub beyond_cap: usize,
    /// Time for a connection beyond the cap to send its request.
    pub probe: Duration,
}

/// What the endpoint allows.
pub const LIMITS: Limits = Limits {
    connections: 64,
    headers: Duration::from_secs(5),
    body: Duration::from_secs(10),
    request: Duration::from_secs(10),
    hook_body: 1 << 20,
    hooks_at_once: 8,
    read_buffer: 64 << 10,
    beyond_cap: 256,
    probe: Duration::from_secs(1),
};

/// The routes, with their bounds (tower-http and tower layers).
pub fn router(endpoint: Endpoint) -> Router {
    use axum::error_handling::HandleErrorLayer;
    use tower::ServiceBuilder;
    let hooks = ServiceBuilder::new()
        // Beyond the bodies read at once, refuse at once instead of queueing.
        .layer(HandleErrorLayer::new(|_: tower::BoxError| async {
            (StatusCode::SERVICE_UNAVAILABLE, "too many webhooks at once\n")
        }))
        .load_shed()
        .layer(tower::limit::GlobalConcurrencyLimitLayer::new(
            LIMITS.hooks_at_once,
        ));
    Router::new()
        .route("/", get(page::page))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics_text))
        .route("/status", get(status))
        .route(
            "/hooks/git",
            post(hook)
                .layer::<_, std::convert::Infallible>(hooks)
                .layer(axum::extract::DefaultBodyLimit::max(LIMITS.hook_body)),
        )
        .layer(tower_http::limit::RequestBodyLimitLayer::new(LIMITS.hook_body))
        .layer(tower_http::timeout::RequestBodyTimeoutLayer::new(LIMITS.body))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            LIMITS.request,
        ))
        .with_state(endpoint)
}

/// The answer of `/healthz` or `/readyz` (`ready`), served by the routes and, beyond the connection cap,
/// by [`answer_probe`].
fn probe(telemetry: &Telemetry, ready: bool) -> (StatusCode, &'static str) {
    match (ready, ready && telemetry.ready.load(Ordering::SeqCst)) {
        (true, true) => (StatusCode::OK, "ready\n"),
        (true, false) => (StatusCode::SERVICE_UNAVAILABLE, "no revision applied yet\n"),
        (false, _) if telemetry.alive.load(Ordering::SeqCst) => (StatusCode::OK, "ok\n"),
        (false, _) => (
            StatusCode::SERVICE_UNAVAILABLE,
            "the reconcile loop has stopped\n",
        ),
    }
}

async fn healthz(State(e): State<Endpoint>) -> Response {
    probe(&e.telemetry, false).into_response()
}

async fn readyz(State(e): State<Endpoint>) -> Response {
    probe(&e.telemetry, true).into_response()
}

/// A connection beyond the cap: a liveness or readiness probe is answered (the kubelet must not restart a
/// process because slow clients hold every slot); anything else gets 503 and is closed. The request must
/// come whole within [`Limits::probe`], in at most 2 KiB.
async fn answer_probe(mut stream: tokio::net::TcpStream, telemetry: Arc<Telemetry>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut head = Vec::with_capacity(512);
    let read = tokio::time::timeout(LIMITS.probe, async {
        let mut buf = [0_u8; 512];
        while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 2048 {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return false,
                Ok(n) => head.extend_from_slice(&buf[..n]),
            }
        }
        true
    })
    .await;
    if read != Ok(true) {
        return;
    }
    let line = head.split(|b| *b == b'\r').next().unwrap_or_default();
    let path = line
        .strip_prefix(b"GET ")
        .and_then(|rest| rest.split(|b| *b == b' ').next())
        .map(|p| p.split(|b| *b == b'?').next().unwrap_or_default());
    let (code, body) = match path {
        Some(b"/healthz") => probe(&telemetry, false),
        Some(b"/readyz") => probe(&telemetry, true),
        _ => (
            StatusCode::SERVICE_UNAVAILABLE,
            "too many connections; try again\n",
        ),
    };
    let response = format!(
        "HTTP/1.1 {} {}\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: {}\r\nretry-after: 1\r\nconnection: close\r\n\r\n{body}",
        code.as_u16(),
        code.canonical_reason().unwrap_or(""),
        body.len()
    );
    let _ = tokio::time::timeout(LIMITS.probe, stream.write_all(response.as_bytes())).await;
    let _ = stream.shutdown().await;
}

async fn metrics_text(State(e): State<Endpoint>) -> Response {
    match e.telemetry.metrics.encode() {
        Ok(text) => (
            [(
                header::CONTENT_TYPE,
                "application/openmetrics-text; version=1.0.0; charset=utf-8",
            )],
            text,
        )
            .into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

async fn status(State(e): State<Endpoint>) -> Response {
    axum::Json(e.telemetry.status()).into_response()
}

async fn hook(State(e): State<Endpoint>, headers: HeaderMap, body: Bytes) -> Response {
    let Some(secret) = &e.webhook_secret else {
        return (
            StatusCode::FORBIDDEN,
            axum::Json(serde_json::json!({"error": "webhooks are not configured (--webhook-secret-file)"})),
        )
            .into_response();
    };
    let count = |provider: &str, result: &str| {
        e.telemetry.metrics.webhook(provider, result);
    };
    let push = match hooks::verify(&headers, &body, secret.expose().as_bytes()) {
        Ok(p) => p,
        Err(err) => {
            tracing::warn!(error = %err, "webhook refused");
            count(
                err.provider().map_or("unknown", hooks::Provider::label),
                "unauthorized",
            );
            return (
                StatusCode::UNAUTHORIZED,
                axum::Json(serde_json::json!({"error": err.to_string()})),
            )
                .into_response();
        }
    };
    let provider = push.provider.label();
    if !push.is_push {
        count(provider, "ignored");
        return (
            StatusCode::OK,
            axum::Json(serde_json::json!({"triggered": false, "reason": format!("`{}` is not a push event", push.event)})),
        )
            .into_response();
    }
    let triggered = (e.on_push)(push.git_ref.as_deref());
    count(provider, if triggered { "triggered" } else { "ignored" });
    let reason = if triggered {
        None
    } else {
        Some(format!(
            "the push to {} is not the followed reference",
            push.git_ref.as_deref().unwrap_or("an unknown ref")
        ))
    };
    (
        StatusCode::ACCEPTED,
        axum::Json(serde_json::json!({"triggered": triggered, "reason": reason})),
    )
        .into_response()
}

/// Binds `addr` (done before the loop starts, so a port in use is reported at once).
///
/// # Errors
/// The address cannot be bound.
pub async fn bind(addr: SocketAddr) -> std::io::Result<tokio::net::TcpListener> {
    tokio::net::TcpListener::bind(addr).await
}

/// Serves until `shutdown` completes, within [`LIMITS`]; then lets the requests in flight finish (at most
/// [`Limits::request`]).
///
/// # Errors
/// The listener failed.
pub async fn serve(
    listener: tokio::net::TcpListener,
    endpoint: Endpoint,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    use hyper_util::rt::{TokioIo, TokioTimer};
    let endpoint_telemetry = endpoint.telemetry.clone();
    let app = router(endpoint);
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(LIMITS.headers)
        .max_buf_size(LIMITS.read_buffer)
        .keep_alive(false);
    let slots = Arc::new(tokio::sync::Semaphore::new(LIMITS.connections));
    let beyond = Arc::new(tokio::sync::Semaphore::new(LIMITS.beyond_cap));
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let telemetry = endpoint_telemetry;
    tokio::pin!(shutdown);
    loop {
        // Room first, for a served connection or one beyond the cap: past both, connections wait in the
        // kernel's queue, costing nothing here.
        let room = tokio::select! {
            r = room(&slots, &beyond) => r.map_err(std::io::Error::other)?,
            () = &mut shutdown => break,
        };
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    // Out of file descriptors and the like: wait a little rather than spin.
                    tracing::warn!(error = %e, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        // A slot freed while this one waited is taken: the connection is served whole.
        let room = match room {
            Room::Beyond(permit) => match slots.clone().try_acquire_owned() {
                Ok(slot) => Room::Slot(slot),
                Err(_) => Room::Beyond(permit),
            },
            slot @ Room::Slot(_) => slot,
        };
        match room {
            Room::Slot(slot) => {
                let service = hyper_util::service::TowerToHyperService::new(app.clone());
                let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
                tokio::spawn(async move {
                    let _ = connection.await;
                    drop(slot);
                });
            }
            Room::Beyond(permit) => {
                let telemetry = telemetry.clone();
                tokio::spawn(async move {
                    answer_probe(stream, telemetry).await;
                    drop(permit);
                });
            }
        }
    }
    let _ = tokio::time::timeout(LIMITS.request, graceful.shutdown()).await;
    Ok(())
}

/// Where an accepted connection goes.
enum Room {
    /// Served whole.
    Slot(tokio::sync::OwnedSemaphorePermit),
    /// Beyond the cap: only a probe is answered.
    Beyond(tokio::sync::OwnedSemaphorePermit),
}

/// A served slot if one is free, else room beyond the cap, else whichever frees first.
async fn room(
    slots: &Arc<tokio::sync::Semaphore>,
    beyond: &Arc<tokio::sync::Semaphore>,
) -> Result<Room, tokio::sync::AcquireError> {
    if let Ok(slot) = slots.clone().try_acquire_owned() {
        return Ok(Room::Slot(slot));
    }
    tokio::select! {
        biased;
        s = slots.clone().acquire_owned() => s.map(Room::Slot),
        b = beyond.clone().acquire_owned() => b.map(Room::Beyond),
    }
}

/// Completes on SIGTERM or Ctrl-C.
pub async fn stop_signal() {
    let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        Ok(s) => s,
        Err(_) => {
            let _ = tokio::signal::ctrl_c().await;
            return;
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
}
