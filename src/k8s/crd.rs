//! The CustomResourceDefinitions: `Mailbox`, `SharedMailbox` and `Organization` from the same spec types as
//! the git manifests ([`crate::manifest`]), and `MailServer` (which server a namespace's resources go to, and
//! where its credentials are). Statuses carry `Ready` and `Synced` conditions with `observedGeneration`.

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition;
use kube::{CustomResource, CustomResourceExt};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::manifest::{MailboxResource, OrganizationResource, SharedMailboxResource};

/// The schema of a condition list: a map keyed by `type`, so that server-side apply merges per type.
fn conditions_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    let value = serde_json::json!({
        "type": "array",
        "description": "Ready: the account exists on the server as asked. Synced: the last reconcile of this resource succeeded.",
        "x-kubernetes-list-type": "map",
        "x-kubernetes-list-map-keys": ["type"],
        "items": {
            "type": "object",
            "required": ["lastTransitionTime", "message", "reason", "status", "type"],
            "properties": {
                "lastTransitionTime": { "type": "string", "format": "date-time" },
                "message": { "type": "string" },
                "observedGeneration": { "type": "integer", "format": "int64" },
                "reason": { "type": "string" },
                "status": { "type": "string", "enum": ["True", "False", "Unknown"] },
                "type": { "type": "string" }
            }
        }
    });
    serde_json::from_value(value).expect("a valid schema")
}

/// Status of a `Mailbox` or `SharedMailbox`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct MailboxStatus {
    /// The generation the conditions describe.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
    /// `Ready` and `Synced`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(schema_with = "conditions_schema")]
    pub conditions: Vec<Condition>,
    /// The address (derived from the name by the naming policy, or explicit).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// When the account last changed on the server (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_sync_time: Option<String>,
    /// The Secret holding the initial password, owned by this resource.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credentials_secret: Option<String>,
}

/// Status of an `Organization`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct OrganizationStatus {
    /// The generation the conditions describe.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
    /// `Ready` (the namespace matches the server) and `Synced` (the last reconcile succeeded).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(schema_with = "conditions_schema")]
    pub conditions: Vec<Condition>,
    /// The MailServer used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server: Option<String>,
    /// Accounts managed in this namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub managed_mailboxes: Option<i32>,
    /// Removals waiting for their grace period: `address until YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pending_removals: Vec<String>,
    /// When something last changed on the server (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_sync_time: Option<String>,
}

/// A key of a Secret in the same namespace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SecretKeyRef {
    /// The Secret's name.
    pub name: String,
    /// The key (default `token`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
}

/// A mail server the namespace's resources are reconciled against (as Crossplane's ProviderConfig).
// kube's printer columns repeat `type_`, which clippy mistakes for a duplicated attribute.
#[allow(clippy::duplicated_attributes)]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, CustomResource)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[kube(
    group = "mailops.dev",
    version = "v1alpha1",
    kind = "MailServer",
    root = "MailServerResource"
)]
#[kube(
    namespaced,
    status = "MailServerStatus",
    shortname = "mailsrv",
    category = "mailops"
)]
#[kube(printcolumn(name = "Url", type_ = "string", json_path = ".spec.url"))]
#[kube(printcolumn(name = "Accounts", type_ = "integer", json_path = ".status.accounts"))]
#[kube(printcolumn(
    name = "Ready",
    type_ = "string",
    json_path = ".status.conditions[?(@.type==\"Ready\")].status"
))]
#[kube(printcolumn(name = "Age", type_ = "date", json_path = ".metadata.creationTimestamp"))]
pub struct MailServerSpec {
    /// The server: `maildir:/var/lib/mailops/mail` (the embedded backend) or `modoboa+https://HOST`.
    pub url: String,
    /// The Secret key holding the API token (for servers with an API).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credentials_secret_ref: Option<SecretKeyRef>,
    /// The inventory file (default: beside a maildir's mail, else under /var/lib/mailops).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state_file: Option<String>,
}

/// Status of a `MailServer`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct MailServerStatus {
    /// The generation the conditions describe.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
    /// `Ready`: the server could be read at the last reconcile.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(schema_with = "conditions_schema")]
    pub conditions: Vec<Condition>,
    /// Accounts read in the managed domains at the last reconcile.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accounts: Option<i32>,
}

/// Every CRD, in the order they are written to `crds/`.
#[must_use]
pub fn all() -> Vec<CustomResourceDefinition> {
    vec![
        OrganizationResource::crd(),
        MailboxResource::crd(),
        SharedMailboxResource::crd(),
        MailServerResource::crd(),
    ]
}

/// The file name of a CRD in `crds/`.
#[must_use]
pub fn file_name(crd: &CustomResourceDefinition) -> String {
    format!("{}.yaml", crd.metadata.name.as_deref().unwrap_or("crd"))
}

/// The YAML of a CRD, as written to `crds/`.
///
/// # Errors
/// Serialisation failed.
pub fn to_yaml(crd: &CustomResourceDefinition) -> Result<String, serde_yaml::Error> {
    Ok(format!(
        "# Generated by `mailops crd` from the Rust spec types; do not edit.\n{}",
        serde_yaml::to_string(crd)?
    ))
}

/// The structural-schema rules the API server enforces on a CRD's OpenAPI v3 schema, checked offline
/// ([`crate::manifest::schema::structural_violations`]: types everywhere, nothing typed inside
/// `anyOf`/`oneOf`/`allOf`/`not`, no `properties` beside `additionalProperties`, known formats), and list maps
/// that name their keys, which must be required properties of the items.
#[must_use]
pub fn lint(crd: &CustomResourceDefinition) -> Vec<String> {
    let mut out = Vec::new();
    for version in &crd.spec.versions {
        let Some(schema) = version
            .schema
            .as_ref()
            .and_then(|s| s.open_api_v3_schema.as_ref())
        else {
            out.push(format!("{}: no schema", version.name));
            continue;
        };
        let value = serde_json::to_value(schema).unwrap_or(Value::Null);
        out.extend(
            crate::manifest::schema::structural_violations(&value)
                .into_iter()
                .map(|v| format!("{}{v}", version.name)),
        );
        list_maps(&value, &version.name, &mut out);
    }
    out
}

fn list_maps(s: &Value, path: &str, out: &mut Vec<String>) {
    let Some(o) = s.as_object() else { return };
    if o.get("x-kubernetes-list-type").and_then(Value::as_str) == Some("map") {
        let strings = |v: Option<&Value>| -> Vec<String> {
            v.and_then(Value::as_array)
                .map(|a| a.iter().filter_map(Value::as_str).map(str::to_string).collect())
                .unwrap_or_default()
        };
        let keys = strings(o.get("x-kubernetes-list-map-keys"));
        let required = strings(o.get("items").and_then(|i| i.get("required")));
        if keys.is_empty() {
            out.push(format!("{path}: a list map without x-kubernetes-list-map-keys"));
        }
        for k in keys.iter().filter(|k| !required.contains(k)) {
            out.push(format!("{path}: list map key `{k}` is not a required property"));
        }
    }
    if let Some(p) = o.get("properties").and_then(Value::as_object) {
        for (k, v) in p {
            list_maps(v, &format!("{path}.{k}"), out);
        }
    }
    if let Some(v) = o.get("items") {
        list_maps(v, &format!("{path}[]"), out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_crd_is_structural() {
        for crd in all() {
            let findings = lint(&crd);
            assert!(findings.is_empty(), "{}: {findings:#?}", file_name(&crd));
        }
    }

    #[test]
    fn the_lint_finds_what_the_api_server_refuses() {
        let mut crd = MailboxResource::crd();
        let schema = crd.spec.versions[0]
            .schema
            .as_mut()
            .unwrap()
            .open_api_v3_schema
            .as_mut()
            .unwrap();
        let mut v = serde_json::to_value(&*schema).unwrap();
        v["properties"]["spec"]["properties"]["free"] = serde_json::json!({});
        v["properties"]["spec"]["properties"]["big"] =
            serde_json::json!({"type": "integer", "format": "uint64"});
        v["properties"]["spec"]["properties"]["either"] =
            serde_json::json!({"type": "object", "anyOf": [{"type": "string"}]});
        *schema = serde_json::from_value(v).unwrap();
        let findings = lint(&crd).join("\n");
        assert!(findings.contains("spec.free: no `type`"), "{findings}");
        assert!(findings.contains("format `uint64`"), "{findings}");
        assert!(findings.contains("anyOf[0]: `type` inside anyOf"), "{findings}");
    }

    #[test]
    fn printer_columns_and_short_names() {
        let crd = MailboxResource::crd();
        assert_eq!(crd.metadata.name.as_deref(), Some("mailboxes.mailops.dev"));
        assert_eq!(crd.spec.names.short_names, Some(vec!["mbx".to_string()]));
        let v = &crd.spec.versions[0];
        let cols: Vec<&str> = v
            .additional_printer_columns
            .as_ref()
            .unwrap()
            .iter()
            .map(|c| c.name.as_str())
            .collect();
        assert_eq!(cols, ["Address", "Ready", "Synced", "Age"]);
        assert!(v.subresources.as_ref().unwrap().status.is_some());
    }
}
