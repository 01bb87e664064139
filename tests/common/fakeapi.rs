//! A stateful in-process Kubernetes API server (a `tower::Service`), enough to drive kube-rs Controllers end
//! to end: list and watch (with replay from a resourceVersion), get, create, JSON/merge/strategic patches with
//! resourceVersion preconditions, server-side apply (status replaced; objects created; Lease holder conflicts
//! between field managers), delete with finalizers and deletionTimestamp, generation bumped on spec changes
//! only, and no new resourceVersion or event for a write that changes nothing (as the real API server).
//! Every write is counted, for tests that a no-op reconcile writes nothing.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use futures::StreamExt;
use http::{Method, Request, Response, StatusCode};
use http_body::Frame;
use http_body_util::{BodyExt, StreamBody, combinators::BoxBody};
use serde_json::{Value, json};
use tokio::sync::broadcast;
use tokio_stream::wrappers::BroadcastStream;

type Body = BoxBody<Bytes, Infallible>;

/// (plural, namespace, name)
type Key = (String, String, String);

#[derive(Default)]
struct Store {
    objects: BTreeMap<Key, Value>,
    rv: u64,
    log: Vec<(u64, String, String, String)>,
    /// Writes (method, path) in order.
    writes: Vec<(String, String)>,
    /// Every request answered, reads and watches included.
    requests: u64,
    /// The field manager owning each Lease's holderIdentity.
    holders: BTreeMap<Key, String>,
    uid: u64,
    /// Writes of these kinds (plural) are refused with this message, as an admission policy would.
    refused: BTreeMap<String, String>,
}

/// The fake API server.
#[derive(Clone)]
pub struct FakeApi {
    store: Arc<Mutex<Store>>,
    tx: broadcast::Sender<(String, String, String)>,
}

fn full(v: &Value) -> Body {
    http_body_util::Full::new(Bytes::from(serde_json::to_vec(v).unwrap()))
        .map_err(|e| match e {})
        .boxed()
}

fn status(code: u16, reason: &str, message: &str) -> Response<Body> {
    Response::builder()
        .status(code)
        .body(full(
            &json!({"kind": "Status", "apiVersion": "v1", "status": "Failure",
            "reason": reason, "message": message, "code": code}),
        ))
        .unwrap()
}

struct Path {
    plural: String,
    namespace: Option<String>,
    name: Option<String>,
    sub: Option<String>,
}

fn parse(path: &str) -> Option<Path> {
    let p: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let rest = match p.first() {
        Some(&"api") => &p[2..],
        Some(&"apis") => &p[3..],
        _ => return None,
    };
    let (namespace, rest) = if rest.first() == Some(&"namespaces") && rest.len() >= 3 {
        (Some(rest[1].to_string()), &rest[2..])
    } else {
        (None, rest)
    };
    Some(Path {
        plural: rest.first()?.to_string(),
        namespace,
        name: rest.get(1).map(|s| s.to_string()),
        sub: rest.get(2).map(|s| s.to_string()),
    })
}

fn query_value<'a>(query: &'a str, key: &str) -> Option<&'a str> {
    query
        .split('&')
        .find_map(|kv| kv.strip_prefix(key).and_then(|v| v.strip_prefix('=')))
}

impl Default for FakeApi {
    fn default() -> Self {
        Self::new()
    }
}

impl FakeApi {
    /// An empty server.
    pub fn new() -> Self {
        let (tx, _) = broadcast::channel(4096);
        Self {
            store: Arc::default(),
            tx,
        }
    }

    /// A kube client talking to it.
    pub fn client(&self) -> kube::Client {
        let fake = self.clone();
        let svc = tower::service_fn(move |req: Request<kube::client::Body>| {
            let f = fake.clone();
            async move {
                let (parts, body) = req.into_parts();
                let body = body.collect_bytes().await.unwrap_or_default();
                Ok::<_, Infallible>(f.answer(&parts, &body))
            }
        });
        kube::Client::new(svc, "default")
    }

    /// Answers a request, whichever transport brought it (the in-process client, or HTTP).
    pub fn answer(&self, parts: &http::request::Parts, body: &[u8]) -> Response<Body> {
        let ctype = parts
            .headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        self.handle(
            &parts.method,
            parts.uri.path(),
            parts.uri.query().unwrap_or(""),
            ctype,
            body,
        )
    }

    fn emit(&self, st: &mut Store, plural: &str, namespace: &str, kind: &str, object: &Value) {
        let line = json!({"type": kind, "object": object}).to_string();
        st.log
            .push((st.rv, plural.to_string(), namespace.to_string(), line.clone()));
        let _ = self.tx.send((plural.to_string(), namespace.to_string(), line));
    }

    /// Refuses every write of a kind (by plural) with `message` (HTTP 403), until [`FakeApi::allow`].
    pub fn refuse(&self, plural: &str, message: &str) {
        self.store
            .lock()
            .unwrap()
            .refused
            .insert(plural.to_string(), message.to_string());
    }

    /// Lifts [`FakeApi::refuse`].
    pub fn allow(&self, plural: &str) {
        self.store.lock().unwrap().refused.remove(plural);
    }

    /// An object, if it exists.
    pub fn get(&self, plural: &str, namespace: &str, name: &str) -> Option<Value> {
        let st = self.store.lock().unwrap();
        st.objects
            .get(&(plural.into(), namespace.into(), name.into()))
            .cloned()
    }

    /// Every object of a kind in a namespace.
    pub fn list(&self, plural: &str, namespace: &str) -> Vec<Value> {
        let st = self.store.lock().unwrap();
        st.objects
            .range((plural.to_string(), namespace.to_string(), String::new())..)
            .take_while(|((p, n, _), _)| p == plural && n == namespace)
            .map(|(_, v)| v.clone())
            .collect()
    }

    /// How many objects of a kind there are, and the first (by namespace and name) for which `check` fails.
    pub fn check_all(&self, plural: &str, check: impl Fn(&Value) -> bool) -> (usize, Option<Value>) {
        let st = self.store.lock().unwrap();
        let mut of_kind = st
            .objects
            .range((plural.to_string(), String::new(), String::new())..)
            .take_while(|((p, _, _), _)| p == plural);
        let mut count = 0;
        for (_, v) in of_kind.by_ref() {
            count += 1;
            if !check(v) {
                return (count + of_kind.count(), Some(v.clone()));
            }
        }
        (count, None)
    }

    /// The writes so far: (method, path).
    pub fn writes(&self) -> Vec<(String, String)> {
        self.store.lock().unwrap().writes.clone()
    }

    /// How many requests were answered so far, and how many of them were writes.
    pub fn counts(&self) -> (u64, usize) {
        let st = self.store.lock().unwrap();
        (st.requests, st.writes.len())
    }

    /// Creates a cluster-scoped object (a Namespace) as `kubectl apply` would.
    pub fn create_cluster(&self, plural: &str, object: Value) {
        let r = self.handle(
            &Method::POST,
            &format!("/api/v1/{plural}"),
            "",
            "application/json",
            &serde_json::to_vec(&object).unwrap(),
        );
        assert!(r.status().is_success(), "create {plural}: {}", r.status());
    }

    /// Merge-patches a cluster-scoped object (`kubectl label namespace …`).
    pub fn patch_cluster(&self, plural: &str, name: &str, patch: Value) {
        let r = self.handle(
            &Method::PATCH,
            &format!("/api/v1/{plural}/{name}"),
            "",
            "application/merge-patch+json",
            &serde_json::to_vec(&patch).unwrap(),
        );
        assert!(r.status().is_success(), "patch {plural}/{name}: {}", r.status());
    }

    /// Creates an object as `kubectl apply` would (POST).
    pub fn create(&self, plural: &str, object: Value) {
        let ns = object["metadata"]["namespace"]
            .as_str()
            .unwrap_or("default")
            .to_string();
        let r = self.handle(
            &Method::POST,
            &format!("/apis/x/v1/namespaces/{ns}/{plural}"),
            "",
            "application/json",
            &serde_json::to_vec(&object).unwrap(),
        );
        assert!(r.status().is_success(), "create {plural}: {}", r.status());
    }

    /// Merge-patches an object as a user would (`kubectl patch --type merge`).
    pub fn patch(&self, plural: &str, namespace: &str, name: &str, patch: Value) {
        let r = self.handle(
            &Method::PATCH,
            &format!("/apis/x/v1/namespaces/{namespace}/{plural}/{name}"),
            "",
            "application/merge-patch+json",
            &serde_json::to_vec(&patch).unwrap(),
        );
        assert!(r.status().is_success(), "patch {plural}/{name}: {}", r.status());
    }

    /// Deletes an object as a user would.
    pub fn delete(&self, plural: &str, namespace: &str, name: &str) {
        let r = self.handle(
            &Method::DELETE,
            &format!("/apis/x/v1/namespaces/{namespace}/{plural}/{name}"),
            "",
            "",
            b"",
        );
        assert!(r.status().is_success(), "delete {plural}/{name}: {}", r.status());
    }

    #[allow(clippy::too_many_lines)]
    fn handle(&self, method: &Method, path: &str, query: &str, ctype: &str, body: &[u8]) -> Response<Body> {
        let Some(p) = parse(path) else {
            return status(404, "NotFound", path);
        };
        let mut st = self.store.lock().unwrap();
        st.requests += 1;
        if *method != Method::GET {
            if let Some(message) = st.refused.get(&p.plural) {
                return status(403, "Forbidden", message);
            }
            st.writes.push((method.to_string(), format!("{path}?{query}")));
        }
        let ns = p.namespace.clone().unwrap_or_default();
        match (method, &p.name) {
            (&Method::GET, None) if query.contains("watch=true") => {
                let from: u64 = query_value(query, "resourceVersion")
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(0);
                let (plural, namespace) = (p.plural.clone(), p.namespace.clone());
                let wanted =
                    move |pl: &str, n: &str| pl == plural && namespace.as_deref().is_none_or(|x| x == n);
                let backlog: Vec<Result<Frame<Bytes>, Infallible>> = st
                    .log
                    .iter()
                    .filter(|(rv, pl, n, _)| *rv > from && wanted(pl, n))
                    .map(|(_, _, _, l)| Ok(Frame::data(Bytes::from(l.clone() + "\n"))))
                    .collect();
                // Subscribed under the store lock: no event between the backlog and the live stream is lost.
                // A watcher that falls behind is cut off, as the API server does: the client watches again
                // from its last resourceVersion and gets the backlog (events are never silently dropped).
                let live = BroadcastStream::new(self.tx.subscribe())
                    .take_while(|m| futures::future::ready(m.is_ok()))
                    .filter_map(move |m| {
                        let keep = m.ok().filter(|(pl, n, _)| wanted(pl, n)).map(|(_, _, l)| l);
                        async move { keep.map(|l| Ok::<_, Infallible>(Frame::data(Bytes::from(l + "\n")))) }
                    });
                let stream = futures::stream::iter(backlog).chain(live);
                Response::new(BodyExt::boxed(StreamBody::new(stream)))
            }
            (&Method::GET, None) => {
                // By key range, as etcd's prefixes: a namespace's list does not walk the others'.
                let from = (
                    p.plural.clone(),
                    p.namespace.clone().unwrap_or_default(),
                    String::new(),
                );
                let items: Vec<Value> = st
                    .objects
                    .range(from..)
                    .take_while(|((pl, n, _), _)| {
                        *pl == p.plural && p.namespace.as_ref().is_none_or(|x| x == n)
                    })
                    .map(|(_, v)| v.clone())
                    .collect();
                Response::new(full(&json!({"apiVersion": "v1", "kind": "List",
                    "metadata": {"resourceVersion": st.rv.to_string()}, "items": items})))
            }
            (&Method::GET, Some(name)) => match st.objects.get(&(p.plural.clone(), ns, name.clone())) {
                Some(o) => Response::new(full(o)),
                None => status(404, "NotFound", &format!("{} {name} not found", p.plural)),
            },
            (&Method::POST, None) => {
                let mut o: Value = serde_json::from_slice(body).unwrap();
                if o["metadata"]["name"].is_null() {
                    let prefix = o["metadata"]["generateName"].as_str().unwrap_or("x-").to_string();
                    st.uid += 1;
                    o["metadata"]["name"] = json!(format!("{prefix}{}", st.uid));
                }
                let name = o["metadata"]["name"].as_str().unwrap().to_string();
                let key = (p.plural.clone(), ns.clone(), name.clone());
                if st.objects.contains_key(&key) {
                    return status(409, "AlreadyExists", &name);
                }
                self.created(&mut st, key, &mut o, &p.plural, &ns);
                Response::builder()
                    .status(StatusCode::CREATED)
                    .body(full(&o))
                    .unwrap()
            }
            (&Method::PATCH, Some(name)) => {
                let key = (p.plural.clone(), ns.clone(), name.clone());
                let patch: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
                let apply = ctype.starts_with("application/apply-patch");
                let Some(current) = st.objects.get(&key).cloned() else {
                    if apply && p.sub.is_none() {
                        // Server-side apply creates what does not exist.
                        let mut o = patch;
                        o["metadata"]["name"] = json!(name);
                        o["metadata"]["namespace"] = json!(ns);
                        if p.plural == "leases"
                            && let Some(m) = query_value(query, "fieldManager")
                        {
                            st.holders.insert(key.clone(), m.to_string());
                        }
                        self.created(&mut st, key, &mut o, &p.plural, &ns);
                        return Response::new(full(&o));
                    }
                    return status(404, "NotFound", name);
                };
                let mut o = current.clone();
                if ctype.starts_with("application/json-patch") {
                    // The API server's JSON patch: `test` of a missing path against null succeeds.
                    let ops: Vec<Value> = patch
                        .as_array()
                        .unwrap()
                        .iter()
                        .filter(|op| {
                            !(op["op"] == "test"
                                && op["value"].is_null()
                                && o.pointer(op["path"].as_str().unwrap()).is_none())
                        })
                        .cloned()
                        .collect();
                    let ops: json_patch::Patch = serde_json::from_value(Value::Array(ops)).unwrap();
                    if json_patch::patch(&mut o, &ops).is_err() {
                        return status(422, "Invalid", "the JSON patch does not apply");
                    }
                } else if p.sub.as_deref() == Some("status") {
                    o["status"] = patch["status"].clone();
                } else {
                    let mut patch = patch;
                    if let Some(rv) = patch["metadata"].get("resourceVersion").cloned() {
                        if !rv.is_null() && rv != current["metadata"]["resourceVersion"] {
                            return status(409, "Conflict", "the object has been modified");
                        }
                        patch["metadata"]
                            .as_object_mut()
                            .unwrap()
                            .remove("resourceVersion");
                    }
                    if p.plural == "leases" {
                        let manager = query_value(query, "fieldManager").unwrap_or("").to_string();
                        let wanted = &patch["spec"]["holderIdentity"];
                        let held = &current["spec"]["holderIdentity"];
                        let owner = st.holders.get(&key).cloned();
                        let force = query.contains("force=true");
                        if apply
                            && !force
                            && !held.is_null()
                            && wanted != held
                            && owner.as_deref().is_some_and(|o| o != manager)
                        {
                            return status(409, "Conflict", "holderIdentity is owned by another manager");
                        }
                        if patch["spec"].get("holderIdentity").is_some() {
                            if wanted.is_null() {
                                st.holders.remove(&key);
                            } else {
                                st.holders.insert(key.clone(), manager);
                            }
                        }
                    }
                    json_patch::merge(&mut o, &patch);
                }
                if o == current {
                    // A write that changes nothing: no new resourceVersion, no event.
                    return Response::new(full(&o));
                }
                if o["spec"] != current["spec"] {
                    let g = current["metadata"]["generation"].as_i64().unwrap_or(1);
                    o["metadata"]["generation"] = json!(g + 1);
                }
                st.rv += 1;
                o["metadata"]["resourceVersion"] = json!(st.rv.to_string());
                let deleting = o["metadata"].get("deletionTimestamp").is_some();
                let finalizers = o["metadata"]["finalizers"]
                    .as_array()
                    .is_some_and(|a| !a.is_empty());
                if deleting && !finalizers {
                    st.objects.remove(&key);
                    self.emit(&mut st, &p.plural, &ns, "DELETED", &o);
                } else {
                    st.objects.insert(key, o.clone());
                    self.emit(&mut st, &p.plural, &ns, "MODIFIED", &o);
                }
                Response::new(full(&o))
            }
            (&Method::DELETE, Some(name)) => {
                let key = (p.plural.clone(), ns.clone(), name.clone());
                let Some(mut o) = st.objects.get(&key).cloned() else {
                    return status(404, "NotFound", name);
                };
                st.rv += 1;
                o["metadata"]["resourceVersion"] = json!(st.rv.to_string());
                if o["metadata"]["finalizers"]
                    .as_array()
                    .is_some_and(|a| !a.is_empty())
                {
                    o["metadata"]["deletionTimestamp"] = json!("2026-11-29T00:00:00Z");
                    st.objects.insert(key, o.clone());
                    self.emit(&mut st, &p.plural, &ns, "MODIFIED", &o);
                } else {
                    st.objects.remove(&key);
                    self.emit(&mut st, &p.plural, &ns, "DELETED", &o);
                }
                Response::new(full(&o))
            }
            (m, _) => status(405, "MethodNotAllowed", &format!("{m} {path}")),
        }
    }

    fn created(&self, st: &mut Store, key: Key, o: &mut Value, plural: &str, ns: &str) {
        st.rv += 1;
        st.uid += 1;
        let meta = &mut o["metadata"];
        meta["resourceVersion"] = json!(st.rv.to_string());
        meta["generation"] = json!(1);
        meta["uid"] = json!(format!("00000000-0000-0000-0000-{:012}", st.uid));
        if !ns.is_empty() {
            meta["namespace"] = json!(ns);
        }
        meta["creationTimestamp"] = json!("2026-11-29T00:00:00Z");
        st.objects.insert(key, o.clone());
        self.emit(st, plural, ns, "ADDED", o);
    }
}
