//! The `modoboa` backend: Modoboa's admin REST API v2 (`modoboa+http://HOST:PORT`, `modoboa+https://…`).
//!
//! Measured against a real Modoboa 2.12.0 (see the project's tests and `shared/reference/modoboa`):
//! - **Auth**: `Authorization: Token <key>` (a DRF token; the key comes from `MAILOPS_TOKEN` or a token file,
//!   and never reaches a log or an error).
//! - **Reading**: `/api/v2/domains/` maps each managed domain to its id, then
//!   `/api/v2/accounts/?domain=<id>&page_size=N&page=P` pages through its accounts (the v2 filter takes the
//!   id, not the name). A page that cannot be read makes the observation partial, never empty.
//! - **Retries**: HTTP 429 waits for `Retry-After` (DRF sets it); 5xx, including Django's HTML error page
//!   ("database is locked"), and refused connections are retried with capped exponential backoff. Modoboa
//!   wraps every request in a transaction, so a failed write left nothing behind.
//! - **Pacing**: requests are paced client-side, evenly spaced (`?requests-per-second=N`, default 4: under
//!   Modoboa's stock throttles of 5 writes per second per view and 300 requests per minute; Modoboa keys
//!   the per-view history by view, so the listing's reads count against the creations' limit too). `0`
//!   turns pacing off, for servers whose throttles are raised.
//! - **Rename**: `PATCH username` with a non-empty `mailbox` object (otherwise the mailbox keeps its old
//!   address); the account id, its mailbox and its quota usage are kept. Modoboa leaves no alias for the old
//!   address: mailops adds one when asked.
//! - **Aliases** go with the account (`aliases` + `username` + `mailbox` in one PATCH; the list replaces
//!   the set). Re-enabling an account re-enables its aliases, which Modoboa leaves disabled.
//! - **Delete**: `POST /accounts/<id>/delete/ {"keepdir": true}`: Modoboa never removes the mail on disk.
//! - **Quota**: Modoboa stores whole megabytes and silently turns a quota it cannot parse into "unlimited";
//!   mailops sends whole MiB only and checks what the server stored.
//! - **Names**: the given name is `first_name`, family and middle names are `last_name`; an agency
//!   mailbox's display name is its `last_name`. Modoboa has no display name of its own and no mailbox
//!   sharing: access to an agency mailbox is its password, handed out by mailops.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use reqwest::{Method, StatusCode};
use serde::Deserialize;
use serde_json::{Value, json};
use url::Url;

use super::{
    AccessLevel, AccountUpdate, BackendError, Capabilities, MailBackend, NewAccount, Observation,
    ObservedAccount, Secret,
};
use crate::desired::{Address, Quota};

mod client;
mod config;
pub(crate) mod wire;

use client::*;
pub use config::{ModoboaConfig, RetryPolicy};

use wire::*;

/// What the backend remembers of an account between calls: its id and the fields a PATCH must repeat.
#[derive(Debug, Clone)]
struct Known {
    pk: u64,
    quota: String,
    use_domain_quota: bool,
    person: bool,
    aliases: BTreeSet<Address>,
}

/// A Modoboa server.
pub struct ModoboaBackend {
    http: reqwest::Client,
    config: ModoboaConfig,
    token: Secret,
    domains: Vec<String>,
    pacer: Option<governor::DefaultDirectRateLimiter>,
    known: Mutex<HashMap<Address, Known>>,
    domain_ids: Mutex<BTreeMap<String, u64>>,
    requests: AtomicU64,
    writes: AtomicU64,
    scheme: tokio::sync::OnceCell<Option<Scheme>>,
}

impl std::fmt::Debug for ModoboaBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ModoboaBackend")
            .field("base", &self.config.base.as_str())
            .field("domains", &self.domains)
            .finish_non_exhaustive()
    }
}

/// An account of the API as mailops sees it, with what the backend remembers of it; `None` for accounts
/// without a mailbox (administrators).
fn to_observed(a: ApiAccount) -> Option<(Address, Known, ObservedAccount)> {
    let mailbox = a.mailbox?;
    let address: Address = a.username.parse().ok()?;
    let aliases: BTreeSet<Address> = a.aliases.iter().filter_map(|x| x.parse().ok()).collect();
    let person = !a.first_name.is_empty();
    let display_name = match (a.first_name.is_empty(), a.last_name.is_empty()) {
        (true, _) => a.last_name.clone(),
        (false, true) => a.first_name.clone(),
        (false, false) => format!("{} {}", a.last_name, a.first_name),
    };
    let quota_text = match &mailbox.quota {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let known = Known {
        pk: a.pk,
        quota: quota_text,
        use_domain_quota: mailbox.use_domain_quota,
        person,
        aliases: aliases.clone(),
    };
    let observed = ObservedAccount {
        id: Some(a.pk.to_string()),
        address: address.clone(),
        display_name,
        given_name: person.then(|| a.first_name.clone()),
        family_name: person.then(|| a.last_name.clone()),
        enabled: a.is_active,
        quota: quota_from(&mailbox.quota),
        aliases,
        access: BTreeMap::new(),
        last_login: a.last_login,
    };
    Some((address, known, observed))
}

fn addresses(set: &BTreeSet<Address>) -> Vec<&str> {
    set.iter().map(Address::as_str).collect()
}

/// What the Modoboa backend can do.
pub const CAPABILITIES: Capabilities = Capabilities {
    rename: true,
    // keepdir: Modoboa never removes the mail; it stays on the mail server's disk.
    archive_on_delete: false,
    delegation: false,
    must_change_password: false,
    last_login: true,
    display_name: false,
    suspend: true,
    quotas: true,
    quota_unit: 1 << 20,
};

#[async_trait]
impl MailBackend for ModoboaBackend {
    fn login_source(&self) -> super::Text {
        super::Text::new(
            "Modoboa's account last_login: set by a login to Modoboa's web interface, and by IMAP and POP3 \
             logins where Dovecot's post-login script updates it (as modoboa-installer sets it up)",
            "trường last_login của tài khoản Modoboa: cập nhật khi đăng nhập giao diện web của Modoboa, và khi \
             đăng nhập IMAP, POP3 nếu script post-login của Dovecot cập nhật nó (như modoboa-installer cài đặt)",
        )
    }

    fn capabilities(&self) -> Capabilities {
        CAPABILITIES
    }

    async fn domains(&self) -> Result<Vec<String>, BackendError> {
        Ok(self.domain_ids().await?.into_keys().collect())
    }

    async fn observe(&self) -> Result<Observation, BackendError> {
        let ids = self.domain_ids().await?;
        let mut accounts = Vec::new();
        let mut problems = Vec::new();
        let mut known = HashMap::new();
        for domain in &self.domains {
            let Some(id) = ids.get(domain) else {
                tracing::warn!(domain, "the domain is not on the Modoboa server");
                continue;
            };
            match self
                .pages::<ApiAccount>(&format!("api/v2/accounts/?domain={id}"))
                .await
            {
                Ok(list) => {
                    for a in list {
                        if let Some((address, k, observed)) = to_observed(a) {
                            known.insert(address, k);
                            accounts.push(observed);
                        }
                    }
                }
                Err(e) => problems.push(format!("the accounts of {domain} could not be read: {e}")),
            }
        }
        *self
            .known
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = known;
        let mut observation = Observation::complete(accounts);
        observation.complete = problems.is_empty();
        observation.problems = problems;
        Ok(observation)
    }

    async fn create(&self, new: &NewAccount, password: &Secret) -> Result<Option<String>, BackendError> {
        super::storable(std::iter::once(&new.address).chain(&new.aliases))?;
        let quota = new.quota.map(quota_text).transpose()?;
        let (first, last) = Self::names(
            new.given_name.as_deref(),
            new.family_name.as_deref(),
            &new.display_name,
        );
        let mailbox = match &quota {
            Some(q) => json!({ "use_domain_quota": false, "quota": q }),
            None => json!({ "use_domain_quota": true }),
        };
        let body = json!({
            "username": new.address.as_str(),
            "role": "SimpleUsers",
            "password": password.expose(),
            "first_name": first,
            "last_name": last,
            "is_active": new.enabled,
            "mailbox": mailbox,
            "aliases": addresses(&new.aliases),
        });
        let reply = self.send(Method::POST, "api/v2/accounts/", Some(&body)).await?;
        if !reply.status.is_success() {
            return Err(Self::write_error(&reply, &new.address, "POST /api/v2/accounts/"));
        }
        let account: ApiAccount = reply.json("the new account")?;
        let id = account.pk.to_string();
        self.absorb(&reply, quota.as_deref())?;
        Ok(Some(id))
    }

    fn create_batch_size(&self) -> usize {
        self.config.batch_size
    }

    async fn create_batch(
        &self,
        accounts: &[(&NewAccount, &Secret)],
    ) -> Result<Vec<Option<String>>, BackendError> {
        super::storable(
            accounts
                .iter()
                .flat_map(|(a, _)| std::iter::once(&a.address).chain(&a.aliases)),
        )?;
        // Hashed here with the server's own scheme and rounds when it is one mailops knows: the clear
        // password then never leaves this machine, and the server's one-transaction import only stores.
        let scheme = self.scheme().await;
        let owned: Vec<(NewAccount, Secret)> = accounts
            .iter()
            .map(|(a, p)| ((*a).clone(), (*p).clone()))
            .collect();
        let (rows, crypt) = tokio::task::spawn_blocking(move || {
            let hashed: Option<Vec<String>> = match scheme {
                Some(s) => owned.iter().map(|(_, p)| s.hash(p)).collect(),
                None => None,
            };
            let crypt = hashed.is_none();
            let passwords =
                hashed.unwrap_or_else(|| owned.iter().map(|(_, p)| p.expose().to_string()).collect());
            let rows: Vec<(NewAccount, String)> = owned.into_iter().map(|(a, _)| a).zip(passwords).collect();
            (rows, crypt)
        })
        .await
        .map_err(|e| BackendError::Server(format!("password hashing failed: {e}")))?;
        let refs: Vec<(&NewAccount, String)> = rows.iter().map(|(a, p)| (a, p.clone())).collect();
        let csv = import_csv(&refs).ok_or(BackendError::Unsupported("import an unlimited quota"))?;
        let path = "api/v2/identities/import/";
        let reply = self
            .send_body(Method::POST, path, Some(Body::Import { csv: &csv, crypt }))
            .await?;
        if !reply.status.is_success() {
            return Err(reply.error(&format!("POST {path}")));
        }
        let v: Value = reply.json("the import")?;
        if v["status"] != Value::Bool(true) {
            // One transaction: nothing was imported.
            return Err(BackendError::Rejected(format!(
                "Modoboa's import refused the batch: {}",
                v["message"].as_str().unwrap_or("no reason given")
            )));
        }
        // The import answers with a count, not ids: they are read with the next observation.
        Ok(vec![None; accounts.len()])
    }

    async fn rename(
        &self,
        from: &Address,
        to: &Address,
        keep_old_as_alias: bool,
    ) -> Result<(), BackendError> {
        if from == to {
            return Ok(());
        }
        super::storable([to])?;
        let k = self.find(from).await?;
        // `mailbox` must be non-empty, or only the login changes and the mailbox keeps the old address.
        let mailbox = json!({ "use_domain_quota": k.use_domain_quota, "quota": k.quota });
        let path = format!("api/v2/accounts/{}/", k.pk);
        let reply = self
            .send(
                Method::PATCH,
                &path,
                Some(&json!({ "username": to.as_str(), "mailbox": mailbox })),
            )
            .await?;
        if !reply.status.is_success() {
            return Err(Self::write_error(&reply, to, &format!("PATCH {path}")));
        }
        self.forget(from);
        self.absorb(&reply, None)?;
        if keep_old_as_alias {
            let mut aliases = k.aliases.clone();
            aliases.remove(to);
            aliases.insert(from.clone());
            let body = json!({ "username": to.as_str(), "aliases": addresses(&aliases), "mailbox": {} });
            let reply = self.ok(Method::PATCH, &path, Some(&body)).await?;
            self.absorb(&reply, None)?;
        }
        Ok(())
    }

    async fn update(&self, address: &Address, u: &AccountUpdate) -> Result<(), BackendError> {
        super::storable(u.aliases.iter().flatten())?;
        let k = self.find(address).await?;
        let mut body = serde_json::Map::new();
        if k.person {
            if let Some(given) = &u.given_name {
                body.insert("first_name".into(), json!(given));
            }
            if let Some(family) = &u.family_name {
                body.insert("last_name".into(), json!(family));
            }
        } else if let Some(display) = &u.display_name {
            body.insert("last_name".into(), json!(display));
        }
        let quota = u.quota.map(quota_text).transpose()?;
        let mut mailbox = serde_json::Map::new();
        if let Some(q) = &quota {
            mailbox.insert("use_domain_quota".into(), json!(false));
            mailbox.insert("quota".into(), json!(q));
        }
        if let Some(aliases) = &u.aliases {
            // Applied only with `username` in the same request; the list replaces the set.
            body.insert("username".into(), json!(address.as_str()));
            body.insert("aliases".into(), json!(addresses(aliases)));
        }
        if !mailbox.is_empty() || u.aliases.is_some() {
            body.insert("mailbox".into(), Value::Object(mailbox));
        }
        if body.is_empty() {
            return Ok(());
        }
        let path = format!("api/v2/accounts/{}/", k.pk);
        let reply = self
            .send(Method::PATCH, &path, Some(&Value::Object(body)))
            .await?;
        if !reply.status.is_success() {
            return Err(Self::write_error(&reply, address, &format!("PATCH {path}")));
        }
        self.absorb(&reply, quota.as_deref())
    }

    async fn suspend(&self, address: &Address) -> Result<(), BackendError> {
        let k = self.find(address).await?;
        let path = format!("api/v2/accounts/{}/", k.pk);
        let reply = self
            .ok(Method::PATCH, &path, Some(&json!({ "is_active": false })))
            .await?;
        self.absorb(&reply, None)
    }

    async fn resume(&self, address: &Address) -> Result<(), BackendError> {
        let k = self.find(address).await?;
        let path = format!("api/v2/accounts/{}/", k.pk);
        let reply = self
            .ok(Method::PATCH, &path, Some(&json!({ "is_active": true })))
            .await?;
        self.absorb(&reply, None)?;
        self.enable_aliases(&k.aliases).await
    }

    async fn delete(&self, address: &Address) -> Result<(), BackendError> {
        let k = self.find(address).await?;
        let path = format!("api/v2/accounts/{}/delete/", k.pk);
        let reply = self
            .send(Method::POST, &path, Some(&json!({ "keepdir": true })))
            .await?;
        match reply.status {
            s if s.is_success() => {
                self.forget(address);
                Ok(())
            }
            StatusCode::NOT_FOUND => {
                self.forget(address);
                Err(BackendError::NotFound(address.clone()))
            }
            _ => Err(reply.error(&format!("POST {path}"))),
        }
    }

    async fn grant(&self, _: &Address, _: &Address, _: AccessLevel) -> Result<(), BackendError> {
        Err(BackendError::Unsupported(
            "share a mailbox on Modoboa (access is handed out as the mailbox's password)",
        ))
    }

    async fn revoke(&self, _: &Address, _: &Address) -> Result<(), BackendError> {
        Err(BackendError::Unsupported(
            "share a mailbox on Modoboa (access is handed out as the mailbox's password)",
        ))
    }

    async fn set_password(&self, address: &Address, password: &Secret) -> Result<(), BackendError> {
        let k = self.find(address).await?;
        let path = format!("api/v2/accounts/{}/", k.pk);
        self.ok(
            Method::PATCH,
            &path,
            Some(&json!({ "password": password.expose() })),
        )
        .await
        .map(|_| ())
    }
}
#[cfg(test)]
mod tests;
