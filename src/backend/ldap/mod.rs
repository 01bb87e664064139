//! An LDAP directory of mail accounts (OpenLDAP and others), as Postfix and Dovecot read it.
//!
//! The attribute mappings (`profile=inetorgperson`, the default, and `profile=mailuser`, iRedMail's
//! attribute names) are in [`profile`].
//!
//! # Guarantees
//! - Every value is escaped where it goes: in a filter as RFC 4515 says, in a DN as RFC 4514 says.
//! - Observation is one paged search per domain (pages of `page-size`, default 500).
//! - A rename is one `modrdn` (the entry, its `entryUUID` and its mail store stay) and one modify.
//! - A delete removes the entry; the mail folder stays on disk.

pub mod profile;

use std::collections::HashSet;

use async_trait::async_trait;
use ldap3::adapters::{Adapter, EntriesOnly, PagedResults};
use ldap3::{Ldap, LdapConnAsync, LdapConnSettings, Mod, Scope, SearchEntry, dn_escape};

pub use profile::Profile;
use profile::values;

use super::{
    AccessLevel, AccountUpdate, BackendError, Capabilities, MailBackend, NewAccount, Observation, Secret,
};
use crate::desired::Address;

/// iRedMail's mail root: `homeDirectory` is `/var/vmail/vmail1/DOMAIN/…`.
pub const DEFAULT_MAIL_ROOT: &str = "/var/vmail/vmail1";

/// The settings of `ldap://HOST:PORT/?bind-dn=…&base-dn=…`.
#[derive(Debug, Clone)]
pub struct LdapConfig {
    /// `ldap://HOST:PORT` or `ldaps://HOST:PORT`.
    pub server: String,
    /// Who mailops binds as.
    pub bind_dn: String,
    /// The base of a domain's accounts, with `{domain}` where the domain goes.
    pub base_dn: String,
    /// Entries per page of a search.
    pub page_size: i32,
    /// StartTLS on an `ldap://` connection.
    pub starttls: bool,
    /// The attribute mapping.
    pub profile: Profile,
    /// Where the `mailUser` profile puts new mail stores (`mail-root=`).
    pub mail_root: String,
}

impl LdapConfig {
    /// Parses the URL.
    ///
    /// # Errors
    /// [`BackendError::InvalidUrl`] naming what is wrong.
    pub fn from_url(url: &str) -> Result<Self, BackendError> {
        let bad = |m: String| BackendError::InvalidUrl(m);
        let parsed = url::Url::parse(url).map_err(|e| bad(format!("cannot read the server URL: {e}")))?;
        if !matches!(parsed.scheme(), "ldap" | "ldaps") {
            return Err(bad(format!(
                "`{}` is not an ldap:// or ldaps:// URL",
                parsed.scheme()
            )));
        }
        if parsed.password().is_some() || !parsed.username().is_empty() {
            return Err(bad(
                "the bind DN goes in `bind-dn=`, its password in MAILOPS_TOKEN or --token-file, not in the URL".into(),
            ));
        }
        let host = parsed
            .host_str()
            .ok_or_else(|| bad("the URL needs a host: ldap://HOST:PORT/?bind-dn=…&base-dn=…".into()))?;
        let port = parsed
            .port()
            .unwrap_or(if parsed.scheme() == "ldaps" { 636 } else { 389 });
        let mut config = Self {
            server: format!("{}://{host}:{port}", parsed.scheme()),
            bind_dn: String::new(),
            base_dn: String::new(),
            page_size: 500,
            starttls: false,
            profile: Profile::InetOrgPerson,
            mail_root: DEFAULT_MAIL_ROOT.into(),
        };
        for (k, v) in parsed.query_pairs() {
            match k.as_ref() {
                "bind-dn" => config.bind_dn = v.to_string(),
                "base-dn" => config.base_dn = v.to_string(),
                "page-size" => {
                    config.page_size = v
                        .parse()
                        .ok()
                        .filter(|n| (1..=100_000).contains(n))
                        .ok_or_else(|| bad(format!("page-size `{v}`: a number from 1 to 100000")))?;
                }
                "starttls" => config.starttls = v == "true",
                "profile" => {
                    config.profile = Profile::from_name(&v).ok_or_else(|| {
                        bad(format!(
                            "profile `{}`: inetorgperson or mailuser",
                            crate::diagnostics::escape_controls(&v)
                        ))
                    })?;
                }
                "mail-root" => {
                    let ok = v.starts_with('/')
                        && v.len() > 1
                        && v.bytes().all(|b| b.is_ascii_graphic())
                        && !v.split('/').any(|c| c == "..");
                    if !ok {
                        return Err(bad(format!(
                            "mail-root `{}`: an absolute path of printable ASCII, without `..`",
                            crate::diagnostics::escape_controls(&v)
                        )));
                    }
                    config.mail_root = v.to_string();
                }
                other => {
                    return Err(bad(format!(
                        "unknown setting `{}`: bind-dn, base-dn, page-size, starttls, profile=inetorgperson|mailuser, mail-root",
                        crate::diagnostics::escape_controls(other)
                    )));
                }
            }
        }
        if config.bind_dn.is_empty() || !config.base_dn.contains("{domain}") {
            return Err(bad("the URL needs bind-dn= and a base-dn= with {domain} in it: \
                 ldap://HOST/?bind-dn=cn=admin,dc=example,dc=vn&base-dn=ou={domain},dc=example,dc=vn"
                .into()));
        }
        Ok(config)
    }

    /// The base of `domain`'s accounts (the domain escaped as a DN value).
    fn base(&self, domain: &str) -> String {
        self.base_dn.replace("{domain}", &dn_escape(domain))
    }

    /// The DN of `address`'s entry.
    fn dn(&self, address: &Address) -> String {
        format!("{},{}", self.profile.rdn(address), self.base(address.domain()))
    }
}

/// The LDAP backend.
pub struct LdapBackend {
    config: LdapConfig,
    password: Secret,
    domains: Vec<String>,
    rounds: usize,
    connection: tokio::sync::Mutex<Option<Ldap>>,
}

impl std::fmt::Debug for LdapBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LdapBackend")
            .field("config", &self.config)
            .field("domains", &self.domains)
            .finish_non_exhaustive()
    }
}

fn ldap_error(e: ldap3::LdapError) -> BackendError {
    match &e {
        ldap3::LdapError::LdapResult { result } => match result.rc {
            68 => BackendError::Rejected(format!("the entry already exists ({})", result.text)),
            32 => BackendError::Rejected(format!("no such entry ({})", result.text)),
            // Constraint, syntax, schema and access refusals: the same change will be refused again.
            19 | 21 | 50 | 64..=67 | 69 => BackendError::Rejected(format!("{e}")),
            _ => BackendError::Server(format!("the directory: {e}")),
        },
        _ => BackendError::Server(format!("the directory: {e}")),
    }
}

impl LdapBackend {
    /// A backend for `config`, binding with `password`, managing `domains`; connects on first use.
    #[must_use]
    pub fn new(config: LdapConfig, password: Secret, domains: Vec<String>) -> Self {
        Self {
            config,
            password,
            domains,
            rounds: 5_000,
            connection: tokio::sync::Mutex::new(None),
        }
    }

    /// A bound handle: the open connection's, or a new connection's.
    async fn ldap(&self) -> Result<Ldap, BackendError> {
        let mut slot = self.connection.lock().await;
        if let Some(l) = slot.as_mut()
            && !l.is_closed()
        {
            return Ok(l.clone());
        }
        let settings = LdapConnSettings::new()
            .set_conn_timeout(std::time::Duration::from_secs(10))
            .set_starttls(self.config.starttls);
        let (conn, mut ldap) = LdapConnAsync::with_settings(settings, &self.config.server)
            .await
            .map_err(ldap_error)?;
        ldap3::drive!(conn);
        ldap.simple_bind(&self.config.bind_dn, self.password.expose())
            .await
            .and_then(ldap3::LdapResult::success)
            .map_err(|e| match e {
                ldap3::LdapError::LdapResult { result } if result.rc == 49 => {
                    BackendError::Rejected(format!(
                        "the directory refused the bind as {}: wrong DN or password",
                        self.config.bind_dn
                    ))
                }
                e => ldap_error(e),
            })?;
        *slot = Some(ldap.clone());
        Ok(ldap)
    }

    fn hash(&self, password: &Secret) -> Result<String, BackendError> {
        Ok(format!(
            "{{CRYPT}}{}",
            super::crypt::sha512(password, self.rounds)?
        ))
    }

    /// The entries of `domain`'s base (one level), in pages.
    async fn entries(&self, domain: &str, filter: &str) -> Result<Vec<SearchEntry>, BackendError> {
        self.search(&self.config.base(domain), Scope::OneLevel, filter)
            .await
    }

    /// The entry at `dn`, if there is one.
    async fn entry(&self, dn: &str) -> Result<Option<SearchEntry>, BackendError> {
        Ok(self
            .search(dn, Scope::Base, "(objectClass=*)")
            .await?
            .into_iter()
            .next())
    }

    async fn search(&self, base: &str, scope: Scope, filter: &str) -> Result<Vec<SearchEntry>, BackendError> {
        let mut ldap = self.ldap().await?;
        let adapters: Vec<Box<dyn Adapter<_, _>>> = vec![
            Box::new(EntriesOnly::new()),
            Box::new(PagedResults::new(self.config.page_size)),
        ];
        let mut stream = ldap
            .streaming_search_with(adapters, base, scope, filter, profile::READ.to_vec())
            .await
            .map_err(ldap_error)?;
        let mut out = Vec::new();
        while let Some(entry) = stream.next().await.map_err(ldap_error)? {
            out.push(SearchEntry::construct(entry));
        }
        let result = stream.finish().await;
        match result.rc {
            0 => Ok(out),
            // The base does not exist (yet): no entries.
            32 => Ok(Vec::new()),
            _ => Err(ldap_error(ldap3::LdapError::LdapResult { result })),
        }
    }

    /// Whether `address` is taken, as an entry's name or as any entry's `mail`, by an entry other than the one
    /// at `except` (the entry being renamed, which may hold the address already).
    async fn taken(&self, address: &Address, except: Option<&str>) -> Result<bool, BackendError> {
        let filter = self.config.profile.holds(address);
        Ok(self
            .entries(address.domain(), &filter)
            .await?
            .iter()
            .any(|e| except.is_none_or(|x| !e.dn.eq_ignore_ascii_case(x))))
    }

    async fn modify(&self, dn: &str, mods: Vec<Mod<&str>>) -> Result<(), BackendError> {
        let mut ldap = self.ldap().await?;
        ldap.modify(dn, mods)
            .await
            .and_then(ldap3::LdapResult::success)
            .map_err(ldap_error)?;
        Ok(())
    }
}

const UNSUPPORTED_SHARING: &str =
    "share a mailbox in an LDAP directory (access is handed out as the mailbox's password)";

#[async_trait]
impl MailBackend for LdapBackend {
    fn capabilities(&self) -> Capabilities {
        self.config.profile.capabilities()
    }

    async fn observe(&self) -> Result<Observation, BackendError> {
        let mut accounts = Vec::new();
        let mut problems = Vec::new();
        for domain in &self.domains {
            let filter = format!("(objectClass={})", self.config.profile.class());
            for entry in self.entries(domain, &filter).await? {
                match self.config.profile.read(domain, &entry) {
                    Ok(a) => accounts.push(a),
                    Err(p) => problems.push(p),
                }
            }
        }
        let mut o = Observation::complete(accounts);
        o.problems = problems;
        Ok(o)
    }

    async fn domains(&self) -> Result<Vec<String>, BackendError> {
        Ok(self.domains.clone())
    }

    async fn create(&self, new: &NewAccount, password: &Secret) -> Result<Option<String>, BackendError> {
        super::storable(std::iter::once(&new.address).chain(&new.aliases))?;
        for a in std::iter::once(&new.address).chain(&new.aliases) {
            if self.taken(a, None).await? {
                return Err(BackendError::AlreadyExists(a.clone()));
            }
        }
        let hash = self.hash(password)?;
        let dn = self.config.dn(&new.address);
        let stamp = chrono::Utc::now().format("%Y.%m.%d.%H.%M.%S.%6f").to_string();
        let entry = self
            .config
            .profile
            .new_entry(new, &hash, &self.config.mail_root, &stamp);
        let attrs: Vec<(&str, HashSet<&str>)> = entry
            .iter()
            .map(|(a, v)| (a.as_str(), values(v.iter().map(String::as_str))))
            .collect();
        let mut ldap = self.ldap().await?;
        ldap.add(&dn, attrs)
            .await
            .and_then(ldap3::LdapResult::success)
            .map_err(ldap_error)?;
        if !new.enabled && self.config.profile.suspends_after_create() {
            self.suspend(&new.address).await?;
        }
        Ok(None)
    }

    async fn rename(
        &self,
        from: &Address,
        to: &Address,
        keep_old_as_alias: bool,
    ) -> Result<(), BackendError> {
        super::storable([from, to])?;
        let old = self.config.dn(from);
        let entry = self
            .entry(&old)
            .await?
            .ok_or_else(|| BackendError::NotFound(from.clone()))?;
        // The entry itself may hold the new address already (renamed by hand, its `mail` left as it was).
        if self.taken(to, Some(&entry.dn)).await? {
            return Err(BackendError::AlreadyExists(to.clone()));
        }
        let profile = self.config.profile;
        let mods = profile.rename_mods(&entry, from, to, keep_old_as_alias);
        let superior = (from.domain() != to.domain()).then(|| self.config.base(to.domain()));
        let mut ldap = self.ldap().await?;
        match profile {
            // `mail` is the name: changed first, the entry is renamed once its values are right, so that a
            // rename cut short in between is carried out again from the old name.
            Profile::MailUser => {
                self.modify(&old, mods).await?;
                ldap.modifydn(&old, &profile.rdn(to), true, superior.as_deref())
                    .await
                    .and_then(ldap3::LdapResult::success)
                    .map_err(ldap_error)?;
                Ok(())
            }
            Profile::InetOrgPerson => {
                ldap.modifydn(&old, &profile.rdn(to), true, superior.as_deref())
                    .await
                    .and_then(ldap3::LdapResult::success)
                    .map_err(ldap_error)?;
                self.modify(&self.config.dn(to), mods).await
            }
        }
    }

    async fn update(&self, address: &Address, update: &AccountUpdate) -> Result<(), BackendError> {
        let mut mods = Vec::new();
        if let Some(n) = &update.display_name {
            mods.push(Mod::Replace("cn", values([n.as_str()])));
        }
        if let Some(n) = &update.family_name {
            mods.push(Mod::Replace("sn", values([n.as_str()])));
        }
        if let Some(n) = &update.given_name {
            mods.push(Mod::Replace("givenName", values([n.as_str()])));
        }
        if let Some(aliases) = &update.aliases {
            super::storable(aliases)?;
            mods.push(self.config.profile.aliases_mod(address, aliases));
        }
        let quota;
        if let Some(q) = update.quota
            && self.config.profile.capabilities().quotas
        {
            quota = profile::stored_quota(Some(q));
            mods.push(Mod::Replace("mailQuota", values([quota.as_str()])));
        }
        if mods.is_empty() {
            return Ok(());
        }
        self.modify(&self.config.dn(address), mods).await
    }

    async fn suspend(&self, address: &Address) -> Result<(), BackendError> {
        self.modify(&self.config.dn(address), vec![self.config.profile.lock_mod(true)])
            .await
    }

    async fn resume(&self, address: &Address) -> Result<(), BackendError> {
        self.modify(
            &self.config.dn(address),
            vec![self.config.profile.lock_mod(false)],
        )
        .await
    }

    async fn delete(&self, address: &Address) -> Result<(), BackendError> {
        let mut ldap = self.ldap().await?;
        ldap.delete(&self.config.dn(address))
            .await
            .and_then(ldap3::LdapResult::success)
            .map_err(ldap_error)?;
        Ok(())
    }

    async fn grant(&self, _: &Address, _: &Address, _: AccessLevel) -> Result<(), BackendError> {
        Err(BackendError::Unsupported(UNSUPPORTED_SHARING))
    }

    async fn revoke(&self, _: &Address, _: &Address) -> Result<(), BackendError> {
        Err(BackendError::Unsupported(UNSUPPORTED_SHARING))
    }

    async fn set_password(&self, address: &Address, password: &Secret) -> Result<(), BackendError> {
        let hash = self.hash(password)?;
        self.modify(
            &self.config.dn(address),
            vec![Mod::Replace("userPassword", values([hash.as_str()]))],
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ldap3::ldap_escape;

    #[test]
    fn the_url_names_the_bind_dn_and_a_base_per_domain() {
        let c = LdapConfig::from_url(
            "ldap://127.0.0.1:3890/?bind-dn=cn=admin,dc=mailops,dc=test&base-dn=ou={domain},dc=mailops,dc=test",
        )
        .unwrap();
        assert_eq!(c.server, "ldap://127.0.0.1:3890");
        let a: Address = "anvtt@bdt.binhthuan.gov.vn".parse().unwrap();
        assert!(
            c.dn(&a).ends_with(",ou=bdt.binhthuan.gov.vn,dc=mailops,dc=test"),
            "{}",
            c.dn(&a)
        );
        for bad in [
            "ldap://u:secret@h/?bind-dn=x&base-dn=ou={domain}",
            "ldap://h/?bind-dn=x",
            "ldap://h/?base-dn=ou={domain}",
            "ldap://h/?bind-dn=x&base-dn=ou=fixed",
            "http://h/?bind-dn=x&base-dn=ou={domain}",
        ] {
            let e = LdapConfig::from_url(bad).unwrap_err().to_string();
            assert!(!e.contains("secret"), "{e}");
        }
    }

    #[test]
    fn the_profile_and_the_mail_root_are_checked() {
        let base = "ldap://h/?bind-dn=x&base-dn=ou={domain},dc=t";
        let c = LdapConfig::from_url(&format!("{base}&profile=mailuser&mail-root=/srv/vmail/v1")).unwrap();
        assert_eq!(c.profile, Profile::MailUser);
        assert!(c.profile.capabilities().quotas);
        assert_eq!(c.mail_root, "/srv/vmail/v1");
        let a: Address = "anvtt@bdt.test".parse().unwrap();
        assert!(
            c.dn(&a).starts_with("mail=anvtt@bdt.test,ou=bdt.test,"),
            "{}",
            c.dn(&a)
        );
        let c = LdapConfig::from_url(base).unwrap();
        assert_eq!(
            (c.profile, c.mail_root.as_str()),
            (Profile::InetOrgPerson, DEFAULT_MAIL_ROOT)
        );
        for bad in [
            "&profile=posix",
            "&mail-root=relative/path",
            "&mail-root=/var/../etc",
            "&mail-root=/var/v%0Amail",
            "&mail-root=/",
        ] {
            assert!(LdapConfig::from_url(&format!("{base}{bad}")).is_err(), "{bad}");
        }
    }

    #[test]
    fn values_are_escaped_where_they_go() {
        let c = LdapConfig::from_url("ldap://h/?bind-dn=x&base-dn=ou={domain},dc=t").unwrap();
        assert_eq!(c.base("a,b=c"), "ou=a\\2cb\\3dc,dc=t");
        assert_eq!(ldap_escape("*)(uid=*"), "\\2a\\29\\28uid=\\2a");
    }
}
