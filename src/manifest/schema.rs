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
