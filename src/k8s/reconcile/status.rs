//! Conditions and the one status writer: server-side apply of a resource's status, only when it changed.

use super::*;

/// A condition, keeping the transition time when the status did not change.
pub(super) fn condition(
    previous: &[Condition],
    type_: &str,
    ok: bool,
    reason: &str,
    message: &str,
    generation: Option<i64>,
) -> Condition {
    let status = if ok { "True" } else { "False" };
    let since = previous
        .iter()
        .find(|c| c.type_ == type_ && c.status == status)
        .map_or_else(|| Time(jiff_now()), |c| c.last_transition_time.clone());
    Condition {
        type_: type_.to_string(),
        status: status.to_string(),
        reason: reason.to_string(),
        message: message.to_string(),
        observed_generation: generation,
        last_transition_time: since,
    }
}

pub(super) fn jiff_now() -> k8s_openapi::jiff::Timestamp {
    k8s_openapi::jiff::Timestamp::now()
}

impl Namespace<'_> {
    /// The one status writer: the status of resource `name` of kind `K` by server-side apply, only when it
    /// differs from the one it has.
    pub(super) async fn apply_status<K, S>(&self, name: &str, previous: &S, status: &S) -> Result<(), Error>
    where
        K: Resource<Scope = k8s_openapi::NamespaceResourceScope, DynamicType = ()>
            + Clone
            + serde::de::DeserializeOwned
            + std::fmt::Debug,
        S: Serialize + PartialEq,
    {
        if previous == status {
            return Ok(());
        }
        let patch = Patch::Apply(json!({
            "apiVersion": K::api_version(&()),
            "kind": K::kind(&()),
            "status": status,
        }));
        self.api::<K>()
            .patch_status(name, &patch_params(), &patch)
            .await?;
        Ok(())
    }

    /// A Mailbox's or SharedMailbox's status.
    pub(super) async fn write_status(
        &self,
        a: &Account,
        previous: &MailboxStatus,
        status: &MailboxStatus,
    ) -> Result<(), Error> {
        let name = a.name();
        match a {
            Account::Mailbox(_) => {
                self.apply_status::<MailboxResource, _>(&name, previous, status)
                    .await
            }
            Account::Shared(_) => {
                self.apply_status::<SharedMailboxResource, _>(&name, previous, status)
                    .await
            }
        }
    }

    /// The Organization's status, changed by `f`.
    pub(super) async fn write_org_status(
        &self,
        org: &OrganizationResource,
        f: impl FnOnce(&mut OrganizationStatus),
    ) -> Result<(), Error> {
        let previous = org.status.clone().unwrap_or_default();
        let mut status = previous.clone();
        f(&mut status);
        self.apply_status::<OrganizationResource, _>(&org.name_any(), &previous, &status)
            .await
    }

    /// The MailServer's status: whether it could be read, and how many accounts.
    pub(super) async fn write_server_status(
        &self,
        server: &MailServerResource,
        ok: bool,
        message: &str,
        accounts: Option<i32>,
    ) -> Result<(), Error> {
        let previous = server.status.clone().unwrap_or_default();
        let generation = server.meta().generation;
        let status = MailServerStatus {
            observed_generation: generation,
            conditions: vec![condition(
                &previous.conditions,
                "Ready",
                ok,
                if ok { "Available" } else { "Unavailable" },
                message,
                generation,
            )],
            accounts: accounts.or(previous.accounts),
        };
        self.apply_status::<MailServerResource, _>(&server.name_any(), &previous, &status)
            .await
    }
}
