//! The JSON Schema of manifest files, for editors (`# yaml-language-server: $schema=…`) and `mailops schema`.

use schemars::JsonSchema;

use super::types::{MailboxSpec, ObjectMeta, OrganizationSpec, SharedMailboxSpec};

/// Path of the checked-in schema, relative to the repository root of mailops.
pub const SCHEMA_FILE: &str = "schema/mailops.v1alpha1.schema.json";

#[derive(JsonSchema)]
#[allow(dead_code)]
enum ApiVersion {
    #[serde(rename = "mailops.dev/v1alpha1")]
    V1alpha1,
}

macro_rules! document {
    ($doc:ident, $kind:ident, $spec:ty, $about:literal) => {
        #[derive(JsonSchema)]
        #[allow(dead_code)]
        enum $kind {
            $kind,
        }

        #[doc = $about]
        #[derive(JsonSchema)]
        #[serde(deny_unknown_fields, rename_all = "camelCase")]
        #[allow(dead_code)]
        struct $doc {
            api_version: ApiVersion,
            kind: $kind,
            metadata: ObjectMeta,
            spec: $spec,
        }
    };
}

document!(
    OrganizationDocument,
    Organization,
    OrganizationSpec,
    "An Organization: the agency, one per repository."
);
document!(
    MailboxDocument,
    Mailbox,
    MailboxSpec,
    "A Mailbox: one person's mailbox."
);
document!(
    SharedMailboxDocument,
    SharedMailbox,
    SharedMailboxSpec,
    "A SharedMailbox: the agency mailbox."
);

/// A mailops resource of any kind.
#[derive(JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)]
enum MailopsResource {
    Organization(OrganizationDocument),
    Mailbox(MailboxDocument),
    SharedMailbox(SharedMailboxDocument),
}

/// The JSON Schema of one manifest document, pretty-printed with a final newline.
#[must_use]
pub fn manifest_schema_json() -> String {
    // Draft 7: what yaml-language-server (VS Code, Neovim, IntelliJ) understands best.
    let generator = schemars::generate::SchemaSettings::draft07().into_generator();
    let mut schema = generator.into_root_schema_for::<MailopsResource>();
    schema.insert(
        "$id".into(),
        "https://mailops.dev/schema/mailops.v1alpha1.schema.json".into(),
    );
    schema.insert("title".into(), "mailops resource (mailops.dev/v1alpha1)".into());
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}

/// Checks a CRD schema against the API server's structural-schema rules, offline: every node has a `type`
/// (unless it preserves unknown fields or is int-or-string), `anyOf`/`oneOf`/`allOf`/`not` branches set no
/// `type`, `default`, `nullable`, `description` or `additionalProperties`, `properties` and
/// `additionalProperties` are exclusive, no `$ref`, and only formats the API server knows.
/// Returns one line per violation, with its path.
#[must_use]
pub fn structural_violations(schema: &serde_json::Value) -> Vec<String> {
    let mut out = Vec::new();
    lint_node(schema, "", false, &mut out);
    out
}

const KNOWN_FORMATS: [&str; 16] = [
    "int32",
    "int64",
    "float",
    "double",
    "byte",
    "binary",
    "date",
    "date-time",
    "password",
    "email",
    "uri",
    "uuid",
    "hostname",
    "ipv4",
    "ipv6",
    "duration",
];

fn lint_node(node: &serde_json::Value, path: &str, in_junctor: bool, out: &mut Vec<String>) {
    use serde_json::Value;
    let Value::Object(o) = node else {
        return;
    };
    let open = o.get("x-kubernetes-preserve-unknown-fields") == Some(&Value::Bool(true))
        || o.get("x-kubernetes-int-or-string") == Some(&Value::Bool(true));
    if in_junctor {
        for k in [
            "type",
            "default",
            "nullable",
            "description",
            "additionalProperties",
        ] {
            if o.contains_key(k) {
                out.push(format!("{path}: `{k}` inside anyOf/oneOf/allOf/not"));
            }
        }
    } else if !open && !o.contains_key("type") {
        out.push(format!("{path}: no `type`"));
    }
    if o.contains_key("$ref") {
        out.push(format!("{path}: `$ref` is not allowed"));
    }
    if o.contains_key("properties") && o.contains_key("additionalProperties") {
        out.push(format!("{path}: both `properties` and `additionalProperties`"));
    }
    if let Some(Value::String(f)) = o.get("format")
        && !KNOWN_FORMATS.contains(&f.as_str())
    {
        out.push(format!("{path}: unknown format `{f}`"));
    }
    if let Some(Value::Object(props)) = o.get("properties") {
        for (k, v) in props {
            lint_node(v, &format!("{path}.{k}"), in_junctor, out);
        }
    }
    if let Some(items) = o.get("items") {
        lint_node(items, &format!("{path}[]"), in_junctor, out);
    }
    if let Some(v @ Value::Object(_)) = o.get("additionalProperties") {
        lint_node(v, &format!("{path}{{*}}"), in_junctor, out);
    }
    for j in ["anyOf", "oneOf", "allOf"] {
        if let Some(Value::Array(branches)) = o.get(j) {
            for (i, b) in branches.iter().enumerate() {
                lint_node(b, &format!("{path}.{j}[{i}]"), true, out);
            }
        }
    }
    if let Some(n) = o.get("not") {
        lint_node(n, &format!("{path}.not"), true, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lint_catches_what_the_api_server_refuses() {
        let bad = serde_json::json!({
            "type": "object",
            "properties": {
                "any": {},
                "n": {"type": "integer", "format": "uint64"},
                "u": {"anyOf": [{"type": "integer"}, {"type": "string"}]},
                "closed": {"type": "object", "properties": {"a": {"type": "string"}}, "additionalProperties": false}
            }
        });
        let v = structural_violations(&bad);
        assert_eq!(v.len(), 6, "{v:#?}");
    }
}
