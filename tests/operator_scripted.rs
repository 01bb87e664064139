//! Scripted reconcile paths (tower-test): the exact Kubernetes API calls one reconcile of a namespace makes,
//! in order, for: a new Mailbox (the finalizer comes first), a namespace without a MailServer (statuses say
//! so, the error is returned for a retry), a steady namespace (reads only: no write at all), and a deleted
//! Mailbox with `deletionPolicy: Orphan` (an Event, then the finalizer removed; the account untouched).

mod common;

use std::time::Duration;

use http::{Method, Request, Response};
use kube::client::Body;
use kube::runtime::events::Recorder;
use mailops::k8s::reconcile::{Error, Namespace, Reconciled};
use mailops::manifest::OrganizationResource;
use serde_json::{Value, json};
use tower_test::mock::{Handle, SendResponse};

type Api = Handle<Request<Body>, Response<Body>>;

const NS: &str = "bdt";
const GROUP: &str = "/apis/mailops.dev/v1alpha1/namespaces/bdt";

fn organization(status: Value) -> Value {
    let text =
        std::fs::read_to_string(common::root().join(common::EXAMPLE).join("organization.yaml")).unwrap();
    let mut org: Value = serde_yaml::from_str(&text).unwrap();
    org["metadata"] = json!({"name": "bdt-binhthuan", "namespace": NS, "generation": 1, "resourceVersion": "1",
                             "finalizers": ["mailops.dev/organization"]});
    if !status.is_null() {
        org["status"] = status;
    }
    org
}

fn mailbox(extra_meta: Value, spec_extra: Value) -> Value {
    let mut m = json!({"apiVersion": "mailops.dev/v1alpha1", "kind": "Mailbox",
        "metadata": {"name": "vo-thi-thu-an", "namespace": NS, "generation": 1, "resourceVersion": "7",
                     "uid": "00000000-0000-0000-0000-000000000007"},
        "spec": {"fullName": "Võ Thị Thu An", "unit": "ban-dan-toc"}});
    for (k, v) in extra_meta.as_object().unwrap() {
        m["metadata"][k] = v.clone();
    }
    for (k, v) in spec_extra.as_object().unwrap() {
        m["spec"][k] = v.clone();
    }
    m
}

fn list(items: Vec<Value>) -> Value {
    json!({"apiVersion": "v1", "kind": "List", "metadata": {"resourceVersion": "10"}, "items": items})
}

/// The next request: it must be `method` on `path` (query ignored); returns its JSON body and the responder.
async fn expect(api: &mut Api, method: Method, path: &str) -> (Value, SendResponse<Response<Body>>) {
    let (req, send) = tokio::time::timeout(Duration::from_secs(5), api.next_request())
        .await
        .unwrap_or_else(|_| panic!("no request; expected {method} {path}"))
        .expect("a request");
    assert_eq!(
        (req.method().clone(), req.uri().path().to_string()),
        (method, path.to_string()),
        "the calls are not in the expected order"
    );
    let bytes = req.into_body().collect_bytes().await.unwrap();
    (serde_json::from_slice(&bytes).unwrap_or(Value::Null), send)
}

fn reply(send: SendResponse<Response<Body>>, v: &Value) {
    send.send_response(
        Response::builder()
            .body(Body::from(serde_json::to_vec(v).unwrap()))
            .unwrap(),
    );
}

fn condition(status: &Value, type_: &str) -> Value {
    status["conditions"]
        .as_array()
        .and_then(|a| a.iter().find(|c| c["type"] == type_).cloned())
        .unwrap_or(Value::Null)
}

/// One reconcile of namespace `bdt` for `org`, on a scripted API: the task and the API's handle.
fn start(org: Value) -> (tokio::task::JoinHandle<Result<Reconciled, Error>>, Api) {
    let (svc, api) = tower_test::mock::pair::<Request<Body>, Response<Body>>();
    let client = kube::Client::new(svc, "default");
    let org: OrganizationResource = serde_json::from_value(org).unwrap();
    let task = tokio::spawn(async move {
        let recorder = Recorder::new(client.clone(), "mailops-test".into());
        let ns = Namespace {
            client: &client,
            recorder: &recorder,
            namespace: NS,
            today: chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
            concurrency: 4,
        };
        ns.reconcile(&org).await
    });
    (task, api)
}

#[tokio::test]
async fn a_new_mailbox_gets_the_finalizer_first_and_a_missing_mail_server_is_reported() {
    let (task, mut api) = start(organization(Value::Null));
    let new = mailbox(json!({}), json!({}));
    let (_, send) = expect(&mut api, Method::GET, &format!("{GROUP}/mailboxes")).await;
    reply(send, &list(vec![new.clone()]));
    let (_, send) = expect(&mut api, Method::GET, &format!("{GROUP}/sharedmailboxes")).await;
    reply(send, &list(vec![]));
    // The finalizer, as a compare-and-swap on the resource version, before anything else.
    let (patch, send) = expect(
        &mut api,
        Method::PATCH,
        &format!("{GROUP}/mailboxes/vo-thi-thu-an"),
    )
    .await;
    assert_eq!(
        patch,
        json!({"metadata": {"finalizers": ["mailops.dev/account"], "resourceVersion": "7"}})
    );
    let finalized = mailbox(
        json!({"finalizers": ["mailops.dev/account"], "resourceVersion": "8"}),
        json!({}),
    );
    reply(send, &finalized);
    let (_, send) = expect(&mut api, Method::GET, &format!("{GROUP}/mailservers")).await;
    reply(send, &list(vec![]));
    // No server: the Organization and the Mailbox say why, by server-side apply.
    let (body, send) = expect(
        &mut api,
        Method::PATCH,
        &format!("{GROUP}/organizations/bdt-binhthuan/status"),
    )
    .await;
    assert_eq!(body["kind"], "Organization");
    let synced = condition(&body["status"], "Synced");
    assert_eq!(
        (synced["status"].as_str(), synced["reason"].as_str()),
        (Some("False"), Some("ReconcileError"))
    );
    assert!(
        synced["message"]
            .as_str()
            .unwrap()
            .contains("no MailServer in namespace bdt"),
        "{synced}"
    );
    reply(send, &organization(body["status"].clone()));
    let (body, send) = expect(
        &mut api,
        Method::PATCH,
        &format!("{GROUP}/mailboxes/vo-thi-thu-an/status"),
    )
    .await;
    assert_eq!(condition(&body["status"], "Synced")["status"], "False");
    assert_eq!(condition(&body["status"], "Ready")["status"], "False");
    reply(send, &finalized);
    let result = tokio::time::timeout(Duration::from_secs(5), task)
        .await
        .unwrap()
        .unwrap();
    assert!(
        matches!(result, Err(Error::Config(_))),
        "returned for a retry with backoff"
    );
}

fn steady_org(server: &str) -> Value {
    let ok = |t: &str, reason: &str| {
        json!({"type": t, "status": "True", "reason": reason, "message": "", "observedGeneration": 1,
               "lastTransitionTime": "2026-11-29T00:00:00Z"})
    };
    organization(
        json!({"observedGeneration": 1, "server": server, "managedMailboxes": 0,
        "conditions": [ok("Ready", "Available"), ok("Synced", "ReconcileSuccess")]}),
    )
}

fn server(mail: &std::path::Path, accounts: i32) -> Value {
    json!({"apiVersion": "mailops.dev/v1alpha1", "kind": "MailServer",
        "metadata": {"name": "dovecot", "namespace": NS, "generation": 1, "resourceVersion": "3"},
        "spec": {"url": format!("maildir:{}", mail.display())},
        "status": {"observedGeneration": 1, "accounts": accounts, "conditions": [
            {"type": "Ready", "status": "True", "reason": "Available", "message": "", "observedGeneration": 1,
             "lastTransitionTime": "2026-11-29T00:00:00Z"}]}})
}

#[tokio::test]
async fn a_steady_namespace_is_only_read() {
    let mail = tempfile::tempdir().unwrap();
    let (task, mut api) = start(steady_org("dovecot"));
    for (path, items) in [
        ("mailboxes", vec![]),
        ("sharedmailboxes", vec![]),
        ("mailservers", vec![server(mail.path(), 0)]),
    ] {
        let (_, send) = expect(&mut api, Method::GET, &format!("{GROUP}/{path}")).await;
        reply(send, &list(items));
    }
    let result = tokio::time::timeout(Duration::from_secs(5), task)
        .await
        .unwrap()
        .unwrap();
    let done = result.unwrap();
    assert!(done.applied.is_empty() && done.failed == 0);
    // Nothing more: the statuses are what they were, so none is written. (A further call would have waited
    // for an answer that never came, and the reconcile would not have ended.)
    assert!(
        matches!(
            tokio::time::timeout(Duration::from_millis(300), api.next_request()).await,
            Ok(None) | Err(_)
        ),
        "no write when nothing changed"
    );
}

#[tokio::test]
async fn a_deleted_mailbox_with_orphan_policy_releases_the_account_and_the_finalizer() {
    let mail = tempfile::tempdir().unwrap();
    // The account exists and is managed (in the inventory).
    let run = common::mailops(&[
        "apply",
        common::EXAMPLE,
        "--server",
        &format!("maildir:{}", mail.path().display()),
        "--date",
        "2026-12-01",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let passwd_before = std::fs::read_to_string(mail.path().join("passwd")).unwrap();
    let (task, mut api) = start(steady_org("dovecot"));
    let deleting = mailbox(
        json!({"finalizers": ["mailops.dev/account"], "deletionTimestamp": "2026-11-29T10:00:00Z"}),
        json!({"deletionPolicy": "Orphan"}),
    );
    let (_, send) = expect(&mut api, Method::GET, &format!("{GROUP}/mailboxes")).await;
    reply(send, &list(vec![deleting.clone()]));
    let (_, send) = expect(&mut api, Method::GET, &format!("{GROUP}/sharedmailboxes")).await;
    reply(send, &list(vec![]));
    let (_, send) = expect(&mut api, Method::GET, &format!("{GROUP}/mailservers")).await;
    reply(send, &list(vec![server(mail.path(), 25)]));
    // The other 24 people and the agency mailbox have no resource here: with no desired state for them the
    // plan would remove them, but the safety budget blocks that (at most 2 per run), so nothing is touched.
    // First the Event, then the finalizer goes.
    let (event, send) = expect(
        &mut api,
        Method::POST,
        "/apis/events.k8s.io/v1/namespaces/bdt/events",
    )
    .await;
    assert_eq!(event["reason"], "Orphan");
    assert_eq!(event["regarding"]["name"], "vo-thi-thu-an");
    reply(send, &event);
    let (patch, send) = expect(
        &mut api,
        Method::PATCH,
        &format!("{GROUP}/mailboxes/vo-thi-thu-an"),
    )
    .await;
    assert_eq!(
        patch,
        json!({"metadata": {"finalizers": [], "resourceVersion": "7"}})
    );
    reply(send, &deleting);
    // The Organization's status records the blocked removals.
    let (body, send) = expect(
        &mut api,
        Method::PATCH,
        &format!("{GROUP}/organizations/bdt-binhthuan/status"),
    )
    .await;
    assert_eq!(condition(&body["status"], "Synced")["status"], "False");
    reply(send, &organization(body["status"].clone()));
    let done = tokio::time::timeout(Duration::from_secs(5), task)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert!(done.applied.is_empty(), "nothing was applied: {:?}", done.applied);
    assert_eq!(
        std::fs::read_to_string(mail.path().join("passwd")).unwrap(),
        passwd_before
    );
    let state: Value =
        serde_json::from_str(&std::fs::read_to_string(mail.path().join("mailops-state.json")).unwrap())
            .unwrap();
    assert!(
        state["entries"].get("Mailbox/vo-thi-thu-an").is_none(),
        "no longer managed"
    );
}
