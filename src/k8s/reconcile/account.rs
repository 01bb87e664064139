//! A Mailbox or SharedMailbox of the namespace, whichever kind, and the manifests the desired state is
//! validated from.

use super::*;

/// A Mailbox or SharedMailbox, whichever kind.
#[derive(Clone)]
pub(super) enum Account {
    Mailbox(Arc<MailboxResource>),
    Shared(Arc<SharedMailboxResource>),
}

impl Account {
    pub(super) fn kind(&self) -> &'static str {
        match self {
            Account::Mailbox(_) => "Mailbox",
            Account::Shared(_) => "SharedMailbox",
        }
    }
    pub(super) fn name(&self) -> String {
        match self {
            Account::Mailbox(m) => m.name_any(),
            Account::Shared(m) => m.name_any(),
        }
    }
    pub(super) fn key(&self) -> String {
        format!("{}/{}", self.kind(), self.name())
    }
    pub(super) fn meta(&self) -> &kube::api::ObjectMeta {
        match self {
            Account::Mailbox(m) => m.meta(),
            Account::Shared(m) => m.meta(),
        }
    }
    pub(super) fn status(&self) -> Option<&MailboxStatus> {
        match self {
            Account::Mailbox(m) => m.status.as_ref(),
            Account::Shared(m) => m.status.as_ref(),
        }
    }
    pub(super) fn deletion_policy(&self) -> DeletionPolicy {
        match self {
            Account::Mailbox(m) => m.spec.deletion_policy,
            Account::Shared(m) => m.spec.deletion_policy,
        }
        .unwrap_or_default()
    }
    pub(super) fn deleting(&self) -> bool {
        self.meta().deletion_timestamp.is_some()
    }
    pub(super) fn has_finalizer(&self) -> bool {
        self.meta().finalizers.iter().flatten().any(|f| f == FINALIZER)
    }
    pub(super) fn object_ref(&self) -> k8s_openapi::api::core::v1::ObjectReference {
        match self {
            Account::Mailbox(m) => m.object_ref(&()),
            Account::Shared(m) => m.object_ref(&()),
        }
    }
    pub(super) fn owner_reference(&self) -> Option<OwnerReference> {
        match self {
            Account::Mailbox(m) => m.controller_owner_ref(&()),
            Account::Shared(m) => m.controller_owner_ref(&()),
        }
    }
    /// The manifest YAML of this resource, as a file of a git repository would hold it.
    pub(super) fn manifest(&self) -> String {
        #[derive(Serialize)]
        struct Doc<'a, S> {
            #[serde(rename = "apiVersion")]
            api_version: &'a str,
            kind: &'a str,
            metadata: Meta,
            spec: &'a S,
        }
        let metadata = Meta { name: self.name() };
        let text = match self {
            Account::Mailbox(m) => serde_yaml::to_string(&Doc {
                api_version: crate::manifest::API_VERSION,
                kind: "Mailbox",
                metadata,
                spec: &m.spec,
            }),
            Account::Shared(m) => serde_yaml::to_string(&Doc {
                api_version: crate::manifest::API_VERSION,
                kind: "SharedMailbox",
                metadata,
                spec: &m.spec,
            }),
        };
        text.unwrap_or_default()
    }
}

#[derive(Serialize)]
pub(super) struct Meta {
    name: String,
}

pub(super) fn organization_manifest(org: &OrganizationResource) -> String {
    serde_yaml::to_string(&json!({
        "apiVersion": crate::manifest::API_VERSION,
        "kind": "Organization",
        "metadata": {"name": org.name_any()},
        "spec": org.spec,
    }))
    .unwrap_or_default()
}
