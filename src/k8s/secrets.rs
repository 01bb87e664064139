//! The credentials sink of CRD mode: each new or rotated password goes to the Secret
//! `<name>-mailbox-credentials`, owned by its resource, before the server call that sets it. A refused
//! Secret means no account and no rotation: the change fails with the API server's message and is retried.

use std::collections::BTreeMap;

use async_trait::async_trait;
use k8s_openapi::api::core::v1::Secret as KubeSecret;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference;
use kube::api::{Api, Patch, PatchParams};
use serde_json::json;

use crate::backend::Secret;
use crate::desired::Address;
use crate::engine::credentials::{CredentialRef, CredentialSink, Delivery, DeliveryError};
use crate::manifest::ResourceId;

/// The Secret name of a resource's credentials.
#[must_use]
pub fn secret_name(resource: &str) -> String {
    format!("{resource}-mailbox-credentials")
}

/// Writes passwords to Secrets owned by the Mailbox or SharedMailbox they belong to.
pub struct SecretSink {
    api: Api<KubeSecret>,
    namespace: String,
    /// `Kind/name` → (resource name, its owner reference).
    owners: BTreeMap<ResourceId, (String, Option<OwnerReference>)>,
    params: PatchParams,
}

impl SecretSink {
    /// A sink for the resources of `namespace`.
    #[must_use]
    pub fn new(
        api: Api<KubeSecret>,
        namespace: &str,
        owners: BTreeMap<ResourceId, (String, Option<OwnerReference>)>,
        manager: &str,
    ) -> Self {
        Self {
            api,
            namespace: namespace.to_string(),
            owners,
            params: PatchParams::apply(manager).force(),
        }
    }

    fn read(secret: &KubeSecret, key: &str) -> Option<String> {
        if let Some(v) = secret.string_data.as_ref().and_then(|d| d.get(key)) {
            return Some(v.clone());
        }
        let bytes = secret.data.as_ref()?.get(key)?;
        String::from_utf8(bytes.0.clone()).ok()
    }

    async fn password_in(&self, name: &str, mailbox: &Address) -> Option<Secret> {
        let secret = self.api.get_opt(name).await.ok()??;
        let address = Self::read(&secret, "address")?;
        let password = Self::read(&secret, "password")?;
        (address == mailbox.as_str() && !password.is_empty()).then(|| Secret::new(password))
    }

    async fn deliver(&self, d: &Delivery) -> Result<CredentialRef, DeliveryError> {
        let refused = |name: String, message: String| DeliveryError::Secret {
            namespace: self.namespace.clone(),
            name,
            message,
        };
        let Some((resource, owner)) = d.key.as_ref().and_then(|k| self.owners.get(k)) else {
            return Err(refused(
                secret_name(d.mailbox.local()),
                "no Mailbox or SharedMailbox owns this account".into(),
            ));
        };
        let name = secret_name(resource);
        let secret = json!({
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {
                "name": name,
                "namespace": self.namespace,
                "labels": {"app.kubernetes.io/managed-by": "mailops"},
                "ownerReferences": owner.iter().collect::<Vec<_>>(),
            },
            "type": "Opaque",
            "stringData": {
                "address": d.mailbox.to_string(),
                "password": d.password.expose(),
                "recipient": d.recipient.to_string(),
            },
        });
        match self.api.patch(&name, &self.params, &Patch::Apply(secret)).await {
            Ok(_) => Ok(CredentialRef::Secret {
                namespace: self.namespace.clone(),
                name,
            }),
            Err(kube::Error::Api(status)) => Err(refused(name, status.message.clone())),
            Err(e) => Err(refused(name, e.to_string())),
        }
    }
}

#[async_trait]
impl CredentialSink for SecretSink {
    async fn deliver_all(&self, deliveries: &[Delivery]) -> Vec<Result<CredentialRef, DeliveryError>> {
        let mut out = Vec::with_capacity(deliveries.len());
        for d in deliveries {
            out.push(self.deliver(d).await);
        }
        out
    }

    async fn undelivered(
        &self,
        mailbox: &Address,
        key: Option<&ResourceId>,
    ) -> Option<(Secret, CredentialRef)> {
        let (resource, _) = self.owners.get(key?)?;
        let name = secret_name(resource);
        let password = self.password_in(&name, mailbox).await?;
        Some((
            password,
            CredentialRef::Secret {
                namespace: self.namespace.clone(),
                name,
            },
        ))
    }

    async fn recall(&self, credential: &CredentialRef, mailbox: &Address) -> Option<Secret> {
        match credential {
            CredentialRef::Secret { namespace, name } if namespace == &self.namespace => {
                self.password_in(name, mailbox).await
            }
            _ => None,
        }
    }
}
