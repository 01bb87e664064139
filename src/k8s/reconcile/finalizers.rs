//! Finalizers: one helper that adds or removes a finalizer as a compare-and-swap on the resource version.

use super::*;

impl Namespace<'_> {
    /// Adds (`present`) or removes `finalizer` on resource `name` of kind `K` whose metadata is `meta`; the
    /// resource version makes it a compare-and-swap: a concurrent change is retried, not lost.
    pub(super) async fn set_finalizer<K>(
        &self,
        name: &str,
        meta: &kube::api::ObjectMeta,
        finalizer: &str,
        present: bool,
    ) -> Result<K, Error>
    where
        K: Resource<Scope = k8s_openapi::NamespaceResourceScope, DynamicType = ()>
            + Clone
            + serde::de::DeserializeOwned
            + std::fmt::Debug,
    {
        let mut finalizers: Vec<String> = meta
            .finalizers
            .iter()
            .flatten()
            .filter(|f| *f != finalizer)
            .cloned()
            .collect();
        if present {
            finalizers.push(finalizer.to_string());
        }
        let patch = Patch::Merge(json!({"metadata": {
            "finalizers": finalizers, "resourceVersion": meta.resource_version}}));
        Ok(self
            .api::<K>()
            .patch(name, &PatchParams::default(), &patch)
            .await?)
    }

    /// The account finalizer on a Mailbox or SharedMailbox: the resource as it is afterwards.
    pub(super) async fn account_finalizer(&self, a: &Account, present: bool) -> Result<Account, Error> {
        let name = a.name();
        Ok(match a {
            Account::Mailbox(_) => Account::Mailbox(Arc::new(
                self.set_finalizer(&name, a.meta(), FINALIZER, present).await?,
            )),
            Account::Shared(_) => Account::Shared(Arc::new(
                self.set_finalizer(&name, a.meta(), FINALIZER, present).await?,
            )),
        })
    }
}
