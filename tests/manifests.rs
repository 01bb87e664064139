//! `manifests/`: `kubectl kustomize` renders them; every object deserialises into its Kubernetes type without
//! losing a field (a misspelt field would be dropped); and `kubectl apply --dry-run=client` accepts them.
//! No API server can run here, so kubectl's discovery requests are answered by a stub on 127.0.0.1 that
//! serves Kubernetes' discovery documents (APIVersions, APIGroupList, APIResourceList) for the kinds used,
//! and 404 for every object (so each is "created (dry run)").

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};

use serde_json::{Value, json};

fn kustomize() -> String {
    let out = Command::new("kubectl")
        .args(["kustomize", "manifests"])
        .current_dir(common::root())
        .output()
        .expect("kubectl (tests/run.sh installs Debian's kubernetes-client)");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn documents(stream: &str) -> Vec<Value> {
    serde_yaml::Deserializer::from_str(stream)
        .map(|d| {
            let v: serde_yaml::Value = serde::Deserialize::deserialize(d).unwrap();
            serde_json::to_value(v).unwrap()
        })
        .filter(|v: &Value| !v.is_null())
        .collect()
}

/// The first place where two documents differ (numbers compared by value: `0` and `0.0` are equal).
fn difference(a: &Value, b: &Value, path: &str) -> Option<String> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => x.keys().chain(y.keys()).find_map(|k| {
            difference(
                x.get(k).unwrap_or(&Value::Null),
                y.get(k).unwrap_or(&Value::Null),
                &format!("{path}.{k}"),
            )
        }),
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => x
            .iter()
            .zip(y)
            .enumerate()
            .find_map(|(i, (p, q))| difference(p, q, &format!("{path}[{i}]"))),
        (Value::Number(x), Value::Number(y)) if x.as_f64() == y.as_f64() => None,
        _ if a == b => None,
        _ => Some(format!("{path}: {a} ≠ {b}")),
    }
}

/// Deserialises into `T` and back: nothing may be lost.
fn round_trip<T: serde::de::DeserializeOwned + serde::Serialize>(v: &Value) {
    let typed: T = serde_json::from_value(v.clone()).unwrap_or_else(|e| panic!("{e}: {v:#}"));
    let back = serde_json::to_value(typed).unwrap();
    if let Some(d) = difference(v, &back, "") {
        panic!(
            "{} {}: a field was lost or changed: {d}",
            v["kind"], v["metadata"]["name"]
        );
    }
}

#[test]
fn the_manifests_render_and_every_field_is_a_kubernetes_field() {
    use k8s_openapi::api::apps::v1::Deployment;
    use k8s_openapi::api::core::v1::{Namespace, PersistentVolumeClaim, Secret, Service, ServiceAccount};
    use k8s_openapi::api::rbac::v1::{ClusterRole, ClusterRoleBinding, Role, RoleBinding};
    use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
    let docs = documents(&kustomize());
    let mut kinds: Vec<&str> = docs.iter().map(|d| d["kind"].as_str().unwrap()).collect();
    kinds.sort_unstable();
    assert_eq!(
        kinds,
        [
            "ClusterRole",
            "ClusterRoleBinding",
            "CustomResourceDefinition",
            "CustomResourceDefinition",
            "CustomResourceDefinition",
            "CustomResourceDefinition",
            "Deployment",
            "MailServer",
            "Namespace",
            "Namespace",
            "PersistentVolumeClaim",
            "Role",
            "RoleBinding",
            "Secret",
            "Service",
            "ServiceAccount"
        ]
    );
    for d in &docs {
        match d["kind"].as_str().unwrap() {
            "Namespace" => round_trip::<Namespace>(d),
            "ServiceAccount" => round_trip::<ServiceAccount>(d),
            "ClusterRole" => round_trip::<ClusterRole>(d),
            "ClusterRoleBinding" => round_trip::<ClusterRoleBinding>(d),
            "Role" => round_trip::<Role>(d),
            "RoleBinding" => round_trip::<RoleBinding>(d),
            "Deployment" => round_trip::<Deployment>(d),
            "PersistentVolumeClaim" => round_trip::<PersistentVolumeClaim>(d),
            "Service" => round_trip::<Service>(d),
            "Secret" => round_trip::<Secret>(d),
            "CustomResourceDefinition" => round_trip::<CustomResourceDefinition>(d),
            "MailServer" => round_trip::<mailops::k8s::crd::MailServerResource>(d),
            k => panic!("unexpected kind {k}"),
        }
    }
    // The pod runs as non-root, read-only, with probes on the shared endpoint.
    let deployment = docs.iter().find(|d| d["kind"] == "Deployment").unwrap();
    let pod = &deployment["spec"]["template"]["spec"];
    let c = &pod["containers"][0];
    assert_eq!(pod["securityContext"]["runAsNonRoot"], true);
    assert_eq!(c["securityContext"]["readOnlyRootFilesystem"], true);
    assert_eq!(c["livenessProbe"]["httpGet"]["path"], "/healthz");
    assert_eq!(c["readinessProbe"]["httpGet"]["path"], "/readyz");
    // Kubernetes' default timeout (1 s) restarts a busy process for nothing.
    for probe in ["livenessProbe", "readinessProbe"] {
        assert!(
            c[probe]["timeoutSeconds"].as_u64() >= Some(5),
            "{probe}: {}",
            c[probe]
        );
    }
    assert!(c["resources"]["limits"]["memory"].is_string());
}

/// Kubernetes' discovery documents for the kinds the manifests use.
fn discovery(path: &str) -> Option<Value> {
    let resource = |name: &str, kind: &str, namespaced: bool| {
        json!({"name": name, "singularName": "", "namespaced": namespaced, "kind": kind,
               "verbs": ["create", "delete", "get", "list", "patch", "update", "watch"]})
    };
    let list = |gv: &str, resources: Vec<Value>| json!({"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv, "resources": resources});
    let group = |name: &str, version: &str| {
        let gv = json!({"groupVersion": format!("{name}/{version}"), "version": version});
        json!({"name": name, "versions": [gv.clone()], "preferredVersion": gv})
    };
    Some(match path {
        "/api" => json!({"kind": "APIVersions", "versions": ["v1"],
            "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1"}]}),
        "/apis" => json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": [
            group("apps", "v1"), group("rbac.authorization.k8s.io", "v1"),
            group("apiextensions.k8s.io", "v1"), group("mailops.dev", "v1alpha1")]}),
        "/api/v1" => list(
            "v1",
            vec![
                resource("namespaces", "Namespace", false),
                resource("serviceaccounts", "ServiceAccount", true),
                resource("services", "Service", true),
                resource("secrets", "Secret", true),
                resource("persistentvolumeclaims", "PersistentVolumeClaim", true),
            ],
        ),
        "/apis/apps/v1" => list("apps/v1", vec![resource("deployments", "Deployment", true)]),
        "/apis/rbac.authorization.k8s.io/v1" => list(
            "rbac.authorization.k8s.io/v1",
            vec![
                resource("clusterroles", "ClusterRole", false),
                resource("clusterrolebindings", "ClusterRoleBinding", false),
                resource("roles", "Role", true),
                resource("rolebindings", "RoleBinding", true),
            ],
        ),
        "/apis/apiextensions.k8s.io/v1" => list(
            "apiextensions.k8s.io/v1",
            vec![resource(
                "customresourcedefinitions",
                "CustomResourceDefinition",
                false,
            )],
        ),
        "/apis/mailops.dev/v1alpha1" => list(
            "mailops.dev/v1alpha1",
            vec![
                resource("organizations", "Organization", true),
                resource("mailboxes", "Mailbox", true),
                resource("sharedmailboxes", "SharedMailbox", true),
                resource("mailservers", "MailServer", true),
            ],
        ),
        _ => return None,
    })
}

fn serve_discovery() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        // Bounded: kubectl makes a few dozen requests.
        for stream in listener.incoming().take(500) {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request = String::new();
            if reader.read_line(&mut request).is_err() {
                continue;
            }
            let mut length = 0usize;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap_or(0);
                }
            }
            let mut body = vec![0; length];
            let _ = reader.read_exact(&mut body);
            let path = request.split_whitespace().nth(1).unwrap_or("/");
            let path = path.split('?').next().unwrap_or("/");
            let (code, body) = match discovery(path) {
                Some(v) => ("200 OK", v),
                None => (
                    "404 Not Found",
                    json!({"kind": "Status", "apiVersion": "v1", "status": "Failure",
                    "reason": "NotFound", "code": 404, "message": "not found"}),
                ),
            };
            let body = body.to_string();
            let _ = write!(
                stream,
                "HTTP/1.1 {code}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    port
}

#[test]
fn kubectl_apply_dry_run_accepts_the_manifests() {
    let port = serve_discovery();
    let home = tempfile::tempdir().unwrap();
    let mut child = Command::new("kubectl")
        .args(["apply", "--dry-run=client", "--validate=false", "-f", "-"])
        .args(["--server", &format!("http://127.0.0.1:{port}")])
        .env("HOME", home.path())
        .env("KUBECONFIG", home.path().join("none"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(kustomize().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert_eq!(
        stdout.matches("created (dry run)").count(),
        16,
        "{stdout}\n{stderr}"
    );
    assert!(
        stdout.contains("deployment.apps/mailops-operator created (dry run)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("mailserver.mailops.dev/modoboa created (dry run)"),
        "{stdout}"
    );
}
