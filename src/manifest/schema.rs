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

/// Makes a schemars schema structural for Kubernetes:
/// - removes `additionalProperties: false` beside `properties`: `deny_unknown_fields` makes schemars write it,
///   but the API server forbids the pair (it prunes or, with strict field validation, refuses unknown fields
///   on its own);
/// - turns a `oneOf` of documented string constants (a unit enum with doc comments) into `type: string` with
///   `enum`, as kube's own `StructuralSchemaRewriter` does.
#[derive(Debug, Clone, Copy, Default)]
pub struct StructuralForKubernetes;

impl schemars::transform::Transform for StructuralForKubernetes {
    fn transform(&mut self, schema: &mut schemars::Schema) {
        use serde_json::Value;
        schemars::transform::transform_subschemas(self, schema);
        let Some(obj) = schema.as_object_mut() else {
            return;
        };
        if obj.contains_key("properties") && obj.get("additionalProperties") == Some(&Value::Bool(false)) {
            obj.remove("additionalProperties");
        }
        let constants: Option<Vec<Value>> = obj.get("oneOf").and_then(Value::as_array).and_then(|branches| {
            branches
                .iter()
                .map(
                    |b| match (b.get("const"), b.get("enum").and_then(Value::as_array)) {
                        (Some(c), _) => Some(c.clone()),
                        (None, Some(e)) if e.len() == 1 => Some(e[0].clone()),
                        _ => None,
                    },
                )
                .collect()
        });
        if let Some(values) = constants.filter(|v| v.iter().all(Value::is_string)) {
            obj.remove("oneOf");
            obj.insert("type".into(), "string".into());
            obj.insert("enum".into(), Value::Array(values));
        }
    }
}

/// The OpenAPI v3 schema of a spec type as a Kubernetes CRD carries it: subschemas inlined, no `$ref`.
#[must_use]
pub fn kubernetes_schema<T: JsonSchema>() -> serde_json::Value {
    let generator = schemars::generate::SchemaSettings::openapi3()
        .with(|s| {
            s.inline_subschemas = true;
            s.meta_schema = None;
        })
        .with_transform(StructuralForKubernetes)
        .into_generator();
    generator.into_root_schema_for::<T>().to_value()
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
    use crate::manifest::types::{MailboxSpec, OrganizationSpec, SharedMailboxSpec};

    #[test]
    fn the_spec_types_are_structural_schemas_for_kubernetes() {
        for (name, schema) in [
            ("Organization", kubernetes_schema::<OrganizationSpec>()),
            ("Mailbox", kubernetes_schema::<MailboxSpec>()),
            ("SharedMailbox", kubernetes_schema::<SharedMailboxSpec>()),
        ] {
            let v = structural_violations(&schema);
            assert!(v.is_empty(), "{name}: {v:#?}\n{schema:#}");
        }
    }

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
