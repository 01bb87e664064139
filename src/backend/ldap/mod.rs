//! An LDAP directory of mail accounts (OpenLDAP and others), as Postfix and Dovecot read it.
//!
//! # The plain `inetOrgPerson` profile (`profile=inetorgperson`, the default)
//! Only the schemas every directory has (core, cosine, inetOrgPerson), and OpenLDAP's ppolicy overlay for
//! suspension:
//!
//! | mailops | entry |
//! |---|---|
//! | the account | `uid=LOCAL,BASE`, `objectClass: inetOrgPerson`, BASE from `base-dn` with `{domain}` |
//! | address | `uid` and the domain's base; also the first `mail` value written |
//! | aliases | the other `mail` values |
//! | display name | `cn` |
//! | family and given names | `sn` (the display name when there is none: `sn` is required), `givenName` |
//! | password | `userPassword: {CRYPT}$6$…` (SHA512-CRYPT, 5 000 rounds) |
//! | suspended | `pwdAccountLockedTime: 000001010000Z` (ppolicy's permanent lock), removed on resume |
//! | the account's stable id | `entryUUID`: a rename (`modrdn`) keeps it, so Dovecot keys the mail folder by it |
//!
//! # Guarantees
//! - Every value is escaped where it goes: in a filter as RFC 4515 says, in a DN as RFC 4514 says.
//! - Observation is one paged search per domain (pages of `page-size`, default 500).
//! - A rename is one `modrdn` (the entry, its `entryUUID` and so the mail stay) and one modify of `mail`.
//! - A delete removes the entry; the mail folder stays on disk.

use std::collections::{BTreeMap, HashSet};
use std::str::FromStr;

use async_trait::async_trait;
use ldap3::adapters::{Adapter, EntriesOnly, PagedResults};
use ldap3::{Ldap, LdapConnAsync, LdapConnSettings, Mod, Scope, SearchEntry, dn_escape, ldap_escape};

use super::{
    AccessLevel, AccountUpdate, BackendError, Capabilities, MailBackend, NewAccount, Observation,
    ObservedAccount, Secret,
};
use crate::desired::Address;

/// What the plain profile can do.
pub const CAPABILITIES: Capabilities = Capabilities {
    rename: true,
    archive_on_delete: false,
    delegation: false,
    must_change_password: false,
    last_login: false,
    display_name: true,
    suspend: true,
    quotas: false,
    quota_unit: 1,
};

/// ppolicy's value for "locked until an administrator unlocks it".
const LOCKED: &str = "000001010000Z";

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
                "profile" if v == "inetorgperson" => {}
                other => {
                    return Err(bad(format!(
                        "unknown setting `{}`: bind-dn, base-dn, page-size, starttls, profile=inetorgperson",
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
        format!(
            "uid={},{}",
            dn_escape(address.local()),
            self.base(address.domain())
        )
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

fn values<'a>(v: impl IntoIterator<Item = &'a str>) -> HashSet<&'a str> {
    v.into_iter().collect()
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
            .streaming_search_with(
                adapters,
                base,
                scope,
                filter,
                vec![
                    "uid",
                    "mail",
                    "cn",
                    "sn",
                    "givenName",
                    "pwdAccountLockedTime",
                    "entryUUID",
                ],
            )
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
        let filter = format!(
            "(|(mail={a})(&(objectClass=inetOrgPerson)(uid={l})))",
            a = ldap_escape(address.as_str()),
            l = ldap_escape(address.local())
        );
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

    fn read(domain: &str, entry: &SearchEntry) -> Result<ObservedAccount, String> {
        let one = |name: &str| entry.attrs.get(name).and_then(|v| v.first()).cloned();
        let uid = one("uid").ok_or_else(|| format!("an entry without uid: `{}`", entry.dn))?;
        let address = Address::from_str(&format!("{uid}@{domain}")).map_err(|_| {
            format!(
                "an entry is not an account mailops manages: `{}`",
                crate::diagnostics::escape_controls(&entry.dn)
            )
        })?;
        let aliases = entry
            .attrs
            .get("mail")
            .into_iter()
            .flatten()
            .filter_map(|m| Address::from_str(m).ok())
            .filter(|m| *m != address)
            .collect();
        let (cn, given) = (one("cn").unwrap_or_default(), one("givenName"));
        // `sn` is required: where mailops had no family name to write, it wrote the display name, and reads
        // that back as none.
        let family = one("sn").filter(|sn| *sn != cn || given.is_some());
        Ok(ObservedAccount {
            id: one("entryUUID"),
            display_name: cn,
            given_name: given,
            family_name: family,
            enabled: !entry.attrs.contains_key("pwdAccountLockedTime"),
            quota: None,
            aliases,
            access: BTreeMap::<Address, AccessLevel>::new(),
            last_login: None,
            address,
        })
    }
}

const UNSUPPORTED_SHARING: &str =
    "share a mailbox in an LDAP directory (access is handed out as the mailbox's password)";

#[async_trait]
impl MailBackend for LdapBackend {
    fn capabilities(&self) -> Capabilities {
        CAPABILITIES
    }

    async fn observe(&self) -> Result<Observation, BackendError> {
        let mut accounts = Vec::new();
        let mut problems = Vec::new();
        for domain in &self.domains {
            for entry in self.entries(domain, "(objectClass=inetOrgPerson)").await? {
                match Self::read(domain, &entry) {
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
        let sn = new.family_name.as_deref().unwrap_or(&new.display_name);
        let mut mail = vec![new.address.as_str()];
        mail.extend(new.aliases.iter().map(Address::as_str));
        let mut attrs = vec![
            (
                "objectClass",
                values(["top", "person", "organizationalPerson", "inetOrgPerson"]),
            ),
            ("uid", values([new.address.local()])),
            ("cn", values([new.display_name.as_str()])),
            ("sn", values([sn])),
            ("mail", values(mail)),
            ("userPassword", values([hash.as_str()])),
        ];
        if let Some(g) = &new.given_name {
            attrs.push(("givenName", values([g.as_str()])));
        }
        let mut ldap = self.ldap().await?;
        ldap.add(&dn, attrs)
            .await
            .and_then(ldap3::LdapResult::success)
            .map_err(ldap_error)?;
        if !new.enabled {
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
        let rdn = format!("uid={}", dn_escape(to.local()));
        let superior = (from.domain() != to.domain()).then(|| self.config.base(to.domain()));
        let mut ldap = self.ldap().await?;
        ldap.modifydn(&old, &rdn, true, superior.as_deref())
            .await
            .and_then(ldap3::LdapResult::success)
            .map_err(ldap_error)?;
        let mut mail: Vec<&str> = entry
            .attrs
            .get("mail")
            .into_iter()
            .flatten()
            .map(String::as_str)
            .filter(|m| keep_old_as_alias || !m.eq_ignore_ascii_case(from.as_str()))
            .collect();
        if !mail.iter().any(|m| m.eq_ignore_ascii_case(to.as_str())) {
            mail.push(to.as_str());
        }
        self.modify(&self.config.dn(to), vec![Mod::Replace("mail", values(mail))])
            .await
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
        let mail: Vec<&str>;
        if let Some(aliases) = &update.aliases {
            super::storable(aliases)?;
            mail = std::iter::once(address.as_str())
                .chain(aliases.iter().map(Address::as_str))
                .collect();
            mods.push(Mod::Replace("mail", values(mail.iter().copied())));
        }
        if mods.is_empty() {
            return Ok(());
        }
        self.modify(&self.config.dn(address), mods).await
    }

    async fn suspend(&self, address: &Address) -> Result<(), BackendError> {
        self.modify(
            &self.config.dn(address),
            vec![Mod::Replace("pwdAccountLockedTime", values([LOCKED]))],
        )
        .await
    }

    async fn resume(&self, address: &Address) -> Result<(), BackendError> {
        self.modify(
            &self.config.dn(address),
            vec![Mod::Replace("pwdAccountLockedTime", HashSet::new())],
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
    fn values_are_escaped_where_they_go() {
        let c = LdapConfig::from_url("ldap://h/?bind-dn=x&base-dn=ou={domain},dc=t").unwrap();
        assert_eq!(c.base("a,b=c"), "ou=a\\2cb\\3dc,dc=t");
        assert_eq!(ldap_escape("*)(uid=*"), "\\2a\\29\\28uid=\\2a");
    }
}
