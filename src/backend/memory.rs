//! An in-memory mail server: a test double that keeps the [`MailBackend`] contract (it is not a product
//! backend). It counts write calls, can fail on demand, and can return a partial observation.

use std::collections::BTreeMap;
use std::sync::Mutex;

use async_trait::async_trait;

use super::{
    AccessLevel, AccountUpdate, BackendError, Capabilities, MailBackend, NewAccount, Observation,
    ObservedAccount, Secret,
};
use crate::desired::Address;

#[derive(Debug, Default)]
struct State {
    accounts: BTreeMap<Address, ObservedAccount>,
    passwords: BTreeMap<Address, String>,
    writes: usize,
    next_id: u64,
    fail_writes_after: Option<usize>,
    partial: bool,
}

/// The in-memory server; clones share the same accounts (one server, several connections).
#[derive(Debug, Default, Clone)]
pub struct MemoryBackend {
    state: std::sync::Arc<Mutex<State>>,
    capabilities: Option<Capabilities>,
}

const ALL: Capabilities = Capabilities {
    last_login: false,
    display_name: true,
    ..Capabilities::ALL
};

impl MemoryBackend {
    /// An empty server that can do everything.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// A server with these capabilities.
    #[must_use]
    pub fn with_capabilities(capabilities: Capabilities) -> Self {
        Self {
            state: std::sync::Arc::default(),
            capabilities: Some(capabilities),
        }
    }

    /// A server holding these accounts.
    #[must_use]
    pub fn with_accounts(accounts: impl IntoIterator<Item = ObservedAccount>) -> Self {
        let b = Self::new();
        {
            let mut s = b.lock();
            for a in accounts {
                s.accounts.insert(a.address.clone(), a);
            }
        }
        b
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Number of write calls that changed something.
    #[must_use]
    pub fn writes(&self) -> usize {
        self.lock().writes
    }

    /// Makes every write after the next `n` fail with a server error (a server going down mid-apply).
    pub fn fail_writes_after(&self, n: usize) {
        self.lock().fail_writes_after = Some(n);
    }

    /// Makes observations partial, as when one page of a listing fails.
    pub fn set_partial(&self, partial: bool) {
        self.lock().partial = partial;
    }

    /// The account at an address.
    #[must_use]
    pub fn account(&self, address: &Address) -> Option<ObservedAccount> {
        self.lock().accounts.get(address).cloned()
    }

    /// Whether a password was set for an address (the value itself is never exposed).
    #[must_use]
    pub fn has_password(&self, address: &Address) -> bool {
        self.lock().passwords.contains_key(address)
    }

    fn write<T>(
        &self,
        f: impl FnOnce(&mut State) -> Result<(T, bool), BackendError>,
    ) -> Result<T, BackendError> {
        let mut s = self.lock();
        if let Some(n) = s.fail_writes_after {
            if n == 0 {
                return Err(BackendError::Server("injected failure".into()));
            }
            s.fail_writes_after = Some(n - 1);
        }
        let (value, changed) = f(&mut s)?;
        if changed {
            s.writes += 1;
        }
        Ok(value)
    }
}

fn account<'a>(s: &'a mut State, address: &Address) -> Result<&'a mut ObservedAccount, BackendError> {
    s.accounts
        .get_mut(address)
        .ok_or_else(|| BackendError::NotFound(address.clone()))
}

fn in_use(s: &State, address: &Address) -> bool {
    s.accounts.contains_key(address) || s.accounts.values().any(|a| a.aliases.contains(address))
}

#[async_trait]
impl MailBackend for MemoryBackend {
    fn capabilities(&self) -> Capabilities {
        self.capabilities.unwrap_or(ALL)
    }

    async fn observe(&self) -> Result<Observation, BackendError> {
        let s = self.lock();
        let mut accounts: Vec<ObservedAccount> = s.accounts.values().cloned().collect();
        if s.partial {
            accounts.truncate(accounts.len() / 2);
            return Ok(Observation {
                accounts,
                complete: false,
                problems: vec!["page 2 of the account listing failed".into()],
            });
        }
        Ok(Observation::complete(accounts))
    }

    async fn create(&self, new: &NewAccount, password: &Secret) -> Result<Option<String>, BackendError> {
        self.write(|s| {
            if in_use(s, &new.address) {
                return Err(BackendError::AlreadyExists(new.address.clone()));
            }
            s.next_id += 1;
            let acc = ObservedAccount {
                id: Some(s.next_id.to_string()),
                address: new.address.clone(),
                display_name: new.display_name.clone(),
                given_name: new.given_name.clone(),
                family_name: new.family_name.clone(),
                enabled: new.enabled,
                quota: new.quota,
                aliases: new.aliases.clone(),
                access: BTreeMap::new(),
                last_login: None,
            };
            s.accounts.insert(new.address.clone(), acc);
            s.passwords
                .insert(new.address.clone(), password.expose().to_string());
            Ok((Some(s.next_id.to_string()), true))
        })
    }

    async fn rename(
        &self,
        from: &Address,
        to: &Address,
        keep_old_as_alias: bool,
    ) -> Result<(), BackendError> {
        if !self.capabilities().rename {
            return Err(BackendError::Unsupported("rename"));
        }
        self.write(|s| {
            if from == to {
                return Ok(((), false));
            }
            if s.accounts.contains_key(to) {
                return Err(BackendError::AlreadyExists(to.clone()));
            }
            let mut acc = s
                .accounts
                .remove(from)
                .ok_or_else(|| BackendError::NotFound(from.clone()))?;
            acc.address = to.clone();
            acc.aliases.remove(to);
            if keep_old_as_alias {
                acc.aliases.insert(from.clone());
            }
            s.accounts.insert(to.clone(), acc);
            if let Some(p) = s.passwords.remove(from) {
                s.passwords.insert(to.clone(), p);
            }
            for other in s.accounts.values_mut() {
                if let Some(level) = other.access.remove(from) {
                    other.access.insert(to.clone(), level);
                }
            }
            Ok(((), true))
        })
    }

    async fn update(&self, address: &Address, u: &AccountUpdate) -> Result<(), BackendError> {
        self.write(|s| {
            let acc = account(s, address)?;
            let before = acc.clone();
            if let Some(v) = &u.display_name {
                acc.display_name.clone_from(v);
            }
            if let Some(v) = &u.given_name {
                acc.given_name = Some(v.clone());
            }
            if let Some(v) = &u.family_name {
                acc.family_name = Some(v.clone());
            }
            if let Some(v) = u.quota {
                acc.quota = Some(v);
            }
            if let Some(v) = &u.aliases {
                acc.aliases.clone_from(v);
            }
            let changed = *acc != before;
            Ok(((), changed))
        })
    }

    async fn suspend(&self, address: &Address) -> Result<(), BackendError> {
        self.write(|s| {
            let acc = account(s, address)?;
            let changed = acc.enabled;
            acc.enabled = false;
            Ok(((), changed))
        })
    }

    async fn resume(&self, address: &Address) -> Result<(), BackendError> {
        self.write(|s| {
            let acc = account(s, address)?;
            let changed = !acc.enabled;
            acc.enabled = true;
            Ok(((), changed))
        })
    }

    async fn delete(&self, address: &Address) -> Result<(), BackendError> {
        self.write(|s| {
            s.accounts
                .remove(address)
                .ok_or_else(|| BackendError::NotFound(address.clone()))?;
            s.passwords.remove(address);
            for other in s.accounts.values_mut() {
                other.access.remove(address);
            }
            Ok(((), true))
        })
    }

    async fn grant(
        &self,
        mailbox: &Address,
        grantee: &Address,
        level: AccessLevel,
    ) -> Result<(), BackendError> {
        self.write(|s| {
            let acc = account(s, mailbox)?;
            let changed = acc.access.insert(grantee.clone(), level) != Some(level);
            Ok(((), changed))
        })
    }

    async fn revoke(&self, mailbox: &Address, grantee: &Address) -> Result<(), BackendError> {
        self.write(|s| {
            let acc = account(s, mailbox)?;
            let changed = acc.access.remove(grantee).is_some();
            Ok(((), changed))
        })
    }

    async fn set_password(&self, address: &Address, password: &Secret) -> Result<(), BackendError> {
        self.write(|s| {
            account(s, address)?;
            s.passwords.insert(address.clone(), password.expose().to_string());
            Ok(((), true))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr(s: &str) -> Address {
        s.parse().unwrap()
    }

    fn new(a: &str) -> NewAccount {
        NewAccount {
            address: addr(a),
            display_name: "An".into(),
            given_name: None,
            family_name: None,
            quota: None,
            aliases: Default::default(),
            enabled: true,
        }
    }

    #[tokio::test]
    async fn the_double_keeps_the_contract() {
        let b = MemoryBackend::new();
        let pw = Secret::new("x".into());
        b.create(&new("a@x.vn"), &pw).await.unwrap();
        assert!(matches!(
            b.create(&new("a@x.vn"), &pw).await,
            Err(BackendError::AlreadyExists(_))
        ));
        assert!(matches!(
            b.suspend(&addr("z@x.vn")).await,
            Err(BackendError::NotFound(_))
        ));
        b.suspend(&addr("a@x.vn")).await.unwrap();
        b.suspend(&addr("a@x.vn")).await.unwrap();
        assert_eq!(b.writes(), 2, "the second suspend writes nothing");
        b.rename(&addr("a@x.vn"), &addr("b@x.vn"), true).await.unwrap();
        let acc = b.account(&addr("b@x.vn")).unwrap();
        assert!(acc.aliases.contains(&addr("a@x.vn")));
        assert_eq!(acc.id.as_deref(), Some("1"), "identity survives the rename");
        assert!(b.has_password(&addr("b@x.vn")));
        assert_eq!(format!("{pw:?}"), "Secret(***)");
    }

    #[tokio::test]
    async fn injected_failures_and_partial_observations() {
        let b = MemoryBackend::new();
        b.fail_writes_after(1);
        let pw = Secret::new("x".into());
        b.create(&new("a@x.vn"), &pw).await.unwrap();
        assert!(matches!(
            b.create(&new("b@x.vn"), &pw).await,
            Err(BackendError::Server(_))
        ));
        b.set_partial(true);
        let o = b.observe().await.unwrap();
        assert!(!o.complete);
    }
}
