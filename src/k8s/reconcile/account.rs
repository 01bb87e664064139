//! A Mailbox or SharedMailbox of the namespace, whichever kind, and the manifests the desired state is
//! validated from.

use super::*;
use crate::manifest::Kind;

/// A Mailbox or SharedMailbox, whichever kind.
#[derive(Clone)]
pub(super) enum Account {
    Mailbox(Arc<MailboxResource>),
    Shared(Arc<SharedMailboxResource>),
}

impl Account {
    pub(super) fn kind(&self) -> Kind {
        match self {
            Account::Mailbox(_) => Kind::Mailbox,
            Account::Shared(_) => Kind::SharedMailbox,
        }
    }
    pub(super) fn name(&self) -> String {
        match self {
            Account::Mailbox(m) => m.name_any(),
            Account::Shared(m) => m.name_any(),
        }
    }
    pub(super) fn key(&self) -> ResourceId {
        ResourceId::new(self.kind(), self.name())
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
}

/// The desired state's input, built from the typed resources themselves (no YAML is written or parsed):
/// every string normalised to NFC as the loader does for files, each resource under the name `Kind/name`, so
/// that a diagnostic names the resource it is about.
pub(super) fn repository(
    namespace: &str,
    org: &OrganizationResource,
    alive: &[&Account],
) -> crate::manifest::loader::LoadedRepository {
    use crate::manifest::loader::{Loaded, Origin, Resource as Manifest};
    let loaded = |kind: Kind, name: String| {
        let metadata = crate::manifest::ObjectMeta {
            name: name.clone(),
            namespace: Some(namespace.to_string()),
            labels: BTreeMap::new(),
            annotations: BTreeMap::new(),
        };
        let origin = Origin {
            file: PathBuf::from(ResourceId::new(kind, name).to_string()),
            start: crate::diagnostics::Position::default(),
            spans: std::sync::Arc::default(),
        };
        (metadata, origin)
    };
    let mut resources = Vec::with_capacity(alive.len() + 1);
    let (metadata, origin) = loaded(Kind::Organization, org.name_any());
    resources.push(Manifest::Organization(Box::new(Loaded {
        metadata,
        spec: nfc(&org.spec),
        origin,
    })));
    for a in alive {
        let (metadata, origin) = loaded(a.kind(), a.name());
        resources.push(match a {
            Account::Mailbox(m) => Manifest::Mailbox(Box::new(Loaded {
                metadata,
                spec: nfc(&m.spec),
                origin,
            })),
            Account::Shared(m) => Manifest::SharedMailbox(Box::new(Loaded {
                metadata,
                spec: nfc(&m.spec),
                origin,
            })),
        });
    }
    crate::manifest::loader::LoadedRepository {
        root: PathBuf::from(namespace),
        resources,
        ..Default::default()
    }
}

/// A value with every string in NFC (an API server keeps text as it was sent, decomposed or not).
fn nfc<T: Serialize + serde::de::DeserializeOwned + Clone>(value: &T) -> T {
    use unicode_normalization::UnicodeNormalization;
    fn walk(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::String(s) => *s = s.nfc().collect(),
            serde_json::Value::Array(a) => a.iter_mut().for_each(walk),
            serde_json::Value::Object(o) => {
                let entries = std::mem::take(o);
                for (k, mut v) in entries {
                    walk(&mut v);
                    o.insert(k.nfc().collect(), v);
                }
            }
            _ => {}
        }
    }
    let Ok(mut tree) = serde_json::to_value(value) else {
        return value.clone();
    };
    walk(&mut tree);
    serde_json::from_value(tree).unwrap_or_else(|_| value.clone())
}

#[cfg(test)]
mod tests {
    #[test]
    fn strings_are_normalised_to_nfc_at_every_depth() {
        let decomposed = "Vo\u{303} Thi\u{323} Thu An";
        let spec: crate::manifest::MailboxSpec = serde_json::from_value(serde_json::json!({
            "fullName": decomposed, "unit": "ban-dan-toc", "title": "Chuye\u{302}n vie\u{302}n"
        }))
        .unwrap();
        let n = super::nfc(&spec);
        assert_eq!(n.full_name, "Võ Thị Thu An");
        assert_eq!(n.title.as_deref(), Some("Chuyên viên"));
    }
}
