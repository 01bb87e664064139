//! PostfixAdmin 3.3's SQL schema on PostgreSQL or MariaDB/MySQL, the accounts Postfix and Dovecot read.
//!
//! # What it writes, as PostfixAdmin writes it
//! - `mailbox`: `username` (the address), `local_part`, `domain`, `name`, `password` (`{SCHEME}hash`, the
//!   scheme Dovecot's `default_pass_scheme` expects), `maildir` (`DOMAIN/LOCAL/`), `quota` in bytes
//!   (PostfixAdmin's MB is `quota_multiplier` = 1,024,000 bytes: the quota is stored in whole such MB),
//!   `active`.
//! - `alias`: the mailbox's own row (`address = goto = the mailbox`), and one row per alias whose only
//!   target is the mailbox. Rows with several targets, or to other places, are not the backend's: they are
//!   read as they are and never changed.
//!
//! # Guarantees
//! - Every change is one transaction; every value is a bound parameter, never part of the query's text.
//! - A rename changes `username`, `local_part`, `domain` and the alias rows and keeps `maildir`: Dovecot's
//!   user query returns it as the mail location, so the mail is found under the new name.
//! - Observation reads each table once for all the managed domains (two queries, whatever the count).
//! - A delete removes the rows; the mail folder stays on disk, as PostfixAdmin leaves it.

use std::collections::{BTreeMap, BTreeSet};
use std::str::FromStr;

use async_trait::async_trait;

mod sql;
use sql::{Arg, Failure, Pool, Tx, retried};

use super::{
    AccessLevel, AccountUpdate, BackendError, Capabilities, MailBackend, NewAccount, Observation,
    ObservedAccount, Secret,
};
use crate::desired::{Address, Quota};

/// PostfixAdmin's default `quota_multiplier`: its "MB".
pub const DEFAULT_QUOTA_MULTIPLIER: u64 = 1_024_000;

/// What the PostfixAdmin backend can do.
pub const CAPABILITIES: Capabilities = Capabilities {
    rename: true,
    archive_on_delete: false,
    delegation: false,
    must_change_password: false,
    last_login: false,
    display_name: true,
    suspend: true,
    quotas: true,
    quota_unit: DEFAULT_QUOTA_MULTIPLIER,
};

/// Which SQL server holds the schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// `postfixadmin+postgres://`
    Postgres,
    /// `postfixadmin+mysql://` (MariaDB or MySQL)
    MySql,
}

/// How new passwords are hashed: one of the schemes Dovecot reads (`doveadm pw -l`), written as
/// `{SCHEME}hash` as PostfixAdmin's `$CONF['encrypt'] = 'dovecot:SCHEME'` writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// `$6$`, 5 000 rounds unless told otherwise (Dovecot's and PostfixAdmin's default).
    Sha512Crypt,
    /// `$5$`, the same rounds.
    Sha256Crypt,
    /// `$argon2id$v=19$m=65536,t=3,p=1$…`: Dovecot's own parameters for ARGON2ID.
    Argon2id,
}

impl Scheme {
    /// Every scheme, in the order the error message names them.
    pub const ALL: [Self; 3] = [Self::Sha512Crypt, Self::Sha256Crypt, Self::Argon2id];

    /// Its name in Dovecot.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Sha512Crypt => "SHA512-CRYPT",
            Self::Sha256Crypt => "SHA256-CRYPT",
            Self::Argon2id => "ARGON2ID",
        }
    }
}

/// TLS to the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tls {
    /// Never.
    Disable,
    /// When the server offers it (the default).
    Prefer,
    /// Always; the certificate is not checked.
    Require,
    /// Always, with the certificate checked against the host name.
    VerifyFull,
}

/// The settings of `postfixadmin+postgres://USER@HOST:PORT/DB?…` or `postfixadmin+mysql://…`.
#[derive(Debug, Clone)]
pub struct PostfixAdminConfig {
    /// PostgreSQL or MariaDB/MySQL.
    pub dialect: Dialect,
    /// Host.
    pub host: String,
    /// Port.
    pub port: u16,
    /// Database user.
    pub user: String,
    /// Database name.
    pub database: String,
    /// The password scheme, as Dovecot's `default_pass_scheme`.
    pub scheme: Scheme,
    /// Bytes per PostfixAdmin MB.
    pub quota_multiplier: u64,
    /// TLS: `disable`, `prefer` (default), `require` or `verify-full`.
    pub tls: Tls,
    /// The certificate authority `verify-full` checks the server's certificate against (`tls-ca=PATH`, a PEM
    /// file); the Web PKI's roots when there is none.
    pub tls_ca: Option<std::path::PathBuf>,
}

impl PostfixAdminConfig {
    /// Parses the URL. A password in it is refused: it would be shown wherever the URL is.
    ///
    /// # Errors
    /// [`BackendError::InvalidUrl`] naming what is wrong.
    pub fn from_url(url: &str) -> Result<Self, BackendError> {
        let bad = |m: String| BackendError::InvalidUrl(m);
        let rest = url
            .strip_prefix("postfixadmin+")
            .ok_or_else(|| bad(format!("`{url}` is not a postfixadmin+postgres:// URL")))?;
        let parsed = url::Url::parse(rest).map_err(|e| bad(format!("cannot read the server URL: {e}")))?;
        let (dialect, default_port) = match parsed.scheme() {
            "postgres" | "postgresql" => (Dialect::Postgres, 5432),
            "mysql" | "mariadb" => (Dialect::MySql, 3306),
            other => {
                return Err(bad(format!(
                    "`postfixadmin+{other}` is not a database mailops knows: postfixadmin+postgres://USER@HOST:PORT/DB or postfixadmin+mysql://USER@HOST:PORT/DB"
                )));
            }
        };
        if parsed.password().is_some() {
            return Err(bad(
                "the database password does not go in the URL (it would be shown): set MAILOPS_TOKEN or give --token-file"
                    .into(),
            ));
        }
        let user = parsed.username();
        if user.is_empty() {
            return Err(bad(
                "the URL needs a database user: postfixadmin+postgres://USER@HOST:PORT/DB".into(),
            ));
        }
        let database = parsed.path().trim_start_matches('/');
        if database.is_empty() || database.contains('/') {
            return Err(bad(
                "the URL needs a database name: postfixadmin+postgres://USER@HOST:PORT/DB".into(),
            ));
        }
        let mut config = Self {
            dialect,
            host: parsed.host_str().unwrap_or("127.0.0.1").to_string(),
            port: parsed.port().unwrap_or(default_port),
            user: user.to_string(),
            database: database.to_string(),
            scheme: Scheme::Sha512Crypt,
            quota_multiplier: DEFAULT_QUOTA_MULTIPLIER,
            tls: Tls::Prefer,
            tls_ca: None,
        };
        for (k, v) in parsed.query_pairs() {
            match k.as_ref() {
                "scheme" => {
                    config.scheme = Scheme::ALL
                        .into_iter()
                        .find(|s| s.name().eq_ignore_ascii_case(&v))
                        .ok_or_else(|| {
                            bad(format!(
                                "password scheme `{}` is not supported: SHA512-CRYPT, SHA256-CRYPT or ARGON2ID (Dovecot's default_pass_scheme)",
                                crate::diagnostics::escape_controls(&v)
                            ))
                        })?;
                }
                "quota-multiplier" => {
                    config.quota_multiplier = v
                        .parse()
                        .ok()
                        .filter(|n| (1..=1 << 30).contains(n))
                        .ok_or_else(|| bad(format!("quota-multiplier `{v}` is not a number of bytes")))?;
                }
                "tls" => {
                    config.tls = match v.as_ref() {
                        "disable" => Tls::Disable,
                        "prefer" => Tls::Prefer,
                        "require" => Tls::Require,
                        "verify-full" => Tls::VerifyFull,
                        other => {
                            return Err(bad(format!(
                                "tls `{}`: disable, prefer, require or verify-full",
                                crate::diagnostics::escape_controls(other)
                            )));
                        }
                    };
                }
                "tls-ca" => {
                    let path = std::path::PathBuf::from(v.as_ref());
                    if !path.is_absolute() {
                        return Err(bad(format!(
                            "tls-ca `{}`: the absolute path of a PEM file",
                            crate::diagnostics::escape_controls(&v)
                        )));
                    }
                    config.tls_ca = Some(path);
                }
                other => {
                    return Err(bad(format!(
                        "unknown setting `{}`: scheme, quota-multiplier, tls, tls-ca",
                        crate::diagnostics::escape_controls(other)
                    )));
                }
            }
        }
        Ok(config)
    }
}

/// The PostfixAdmin backend.
#[derive(Debug, Clone)]
pub struct PostfixAdminBackend {
    pool: Pool,
    config: PostfixAdminConfig,
    domains: Vec<String>,
    rounds: usize,
}

/// The mailbox's own alias row and the rows whose only target is it.
const INSERT_ALIAS: &str = "INSERT INTO alias (address, goto, domain, active, created, modified) VALUES ($1, $2, $3, $4, now(), now())";
/// Whether an address is taken, as a mailbox or as an alias.
const TAKEN: &str =
    "SELECT 1 FROM mailbox WHERE username = $1 UNION ALL SELECT 1 FROM alias WHERE address = $1";

impl PostfixAdminBackend {
    /// A backend for `config`, managing `domains`; connects on first use.
    #[must_use]
    pub fn new(config: PostfixAdminConfig, password: &Secret, domains: Vec<String>) -> Self {
        Self {
            pool: Pool::lazy(&config, password),
            config,
            domains,
            rounds: 5_000,
        }
    }

    /// Uses this many SHA512-crypt rounds for new passwords.
    #[must_use]
    pub fn with_rounds(mut self, rounds: usize) -> Self {
        self.rounds = rounds;
        self
    }

    fn hash(&self, password: &Secret) -> Result<String, BackendError> {
        let hash = match self.config.scheme {
            Scheme::Sha512Crypt => super::crypt::sha512(password, self.rounds)?,
            Scheme::Sha256Crypt => super::crypt::sha256(password, self.rounds)?,
            Scheme::Argon2id => {
                use argon2::password_hash::{PasswordHasher, SaltString, rand_core::OsRng};
                let params = argon2::Params::new(65_536, 3, 1, None)
                    .map_err(|_| BackendError::Unsupported("hash with these Argon2 parameters"))?;
                argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params)
                    .hash_password(password.expose().as_bytes(), &SaltString::generate(&mut OsRng))
                    .map_err(|_| BackendError::Server("password hashing failed".into()))?
                    .to_string()
            }
        };
        Ok(format!("{{{}}}{hash}", self.config.scheme.name()))
    }

    /// The stored quota: whole PostfixAdmin MB, rounded up; 0 is none.
    fn stored_quota(&self, quota: Option<Quota>) -> i64 {
        match quota {
            Some(Quota::Bytes(b)) => {
                let m = self.config.quota_multiplier;
                i64::try_from(b.div_ceil(m).saturating_mul(m)).unwrap_or(i64::MAX)
            }
            _ => 0,
        }
    }

    fn read_quota(stored: i64) -> Option<Quota> {
        u64::try_from(stored).ok().filter(|b| *b > 0).map(Quota::Bytes)
    }

    async fn must_exist(tx: &mut Tx, address: &Address) -> Result<(), Failure> {
        if tx
            .any(
                "SELECT 1 FROM mailbox WHERE username = $1 FOR UPDATE",
                &[Arg::Text(address.as_str())],
            )
            .await?
        {
            Ok(())
        } else {
            Err(BackendError::NotFound(address.clone()).into())
        }
    }

    /// Replaces the aliases whose only target is `address` (its own row aside) by `wanted`.
    async fn set_aliases(
        tx: &mut Tx,
        address: &Address,
        wanted: &BTreeSet<Address>,
        active: bool,
    ) -> Result<(), Failure> {
        super::storable(wanted)?;
        tx.execute(
            "DELETE FROM alias WHERE goto = $1 AND address <> $1",
            &[Arg::Text(address.as_str())],
        )
        .await?;
        Self::add_aliases(tx, address, wanted, active).await
    }

    /// Adds an alias row per address of `aliases`, each taken by nothing yet, whose only target is `address`.
    async fn add_aliases(
        tx: &mut Tx,
        address: &Address,
        aliases: &BTreeSet<Address>,
        active: bool,
    ) -> Result<(), Failure> {
        for alias in aliases {
            if tx.any(TAKEN, &[Arg::Text(alias.as_str())]).await? {
                return Err(BackendError::AlreadyExists(alias.clone()).into());
            }
            tx.execute(
                INSERT_ALIAS,
                &[
                    Arg::Text(alias.as_str()),
                    Arg::Text(address.as_str()),
                    Arg::Text(alias.domain()),
                    Arg::Bool(active),
                ],
            )
            .await?;
        }
        Ok(())
    }

    /// `active` of the mailbox and of the aliases whose only target it is.
    async fn set_active(&self, address: &Address, active: bool) -> Result<(), Failure> {
        let mut tx = self.pool.begin().await?;
        Self::must_exist(&mut tx, address).await?;
        let args = [Arg::Text(address.as_str()), Arg::Bool(active)];
        tx.execute(
            "UPDATE mailbox SET active = $2, modified = now() WHERE username = $1",
            &args,
        )
        .await?;
        tx.execute(
            "UPDATE alias SET active = $2, modified = now() WHERE goto = $1",
            &args,
        )
        .await?;
        tx.commit().await
    }

    /// Whether the mailbox is active (aliases are created in the same state).
    async fn is_active(tx: &mut Tx, address: &Address) -> Result<bool, Failure> {
        // `active` reads as a boolean on PostgreSQL and as 0/1 on MariaDB: asked as a condition, both agree.
        tx.any(
            "SELECT 1 FROM mailbox WHERE username = $1 AND active = $2",
            &[Arg::Text(address.as_str()), Arg::Bool(true)],
        )
        .await
    }
}

const UNSUPPORTED_SHARING: &str =
    "share a mailbox on PostfixAdmin (access is handed out as the mailbox's password)";

#[async_trait]
impl MailBackend for PostfixAdminBackend {
    fn capabilities(&self) -> Capabilities {
        Capabilities {
            quota_unit: self.config.quota_multiplier,
            ..CAPABILITIES
        }
    }

    async fn domains(&self) -> Result<Vec<String>, BackendError> {
        retried(move || async move {
            self.pool
                .texts("SELECT domain FROM domain WHERE domain <> 'ALL' ORDER BY domain")
                .await
        })
        .await
    }

    async fn observe(&self) -> Result<Observation, BackendError> {
        let rows = retried(move || async move { self.pool.accounts(&self.domains).await }).await?;
        let mut problems = Vec::new();
        let mut accounts: BTreeMap<Address, ObservedAccount> = BTreeMap::new();
        for (username, name, quota, active) in rows.mailboxes {
            // A row whose username is not an address of mailops's grammar is never read as an account.
            let Ok(address) = Address::from_str(&username) else {
                problems.push(format!(
                    "a mailbox row is not an address mailops manages: `{}`",
                    crate::diagnostics::escape_controls(&username)
                ));
                continue;
            };
            accounts.insert(
                address.clone(),
                ObservedAccount {
                    id: None,
                    address,
                    display_name: name,
                    given_name: None,
                    family_name: None,
                    enabled: active,
                    quota: Self::read_quota(quota),
                    aliases: BTreeSet::new(),
                    access: BTreeMap::<Address, AccessLevel>::new(),
                    last_login: None,
                },
            );
        }
        for (from, goto) in rows.aliases {
            // Only a row with one target, a mailbox, is that mailbox's alias; the others are left as they are.
            let (Ok(from), Ok(target)) = (Address::from_str(&from), Address::from_str(goto.trim())) else {
                continue;
            };
            if from != target
                && let Some(acc) = accounts.get_mut(&target)
            {
                acc.aliases.insert(from);
            }
        }
        // Problems are about rows mailops does not manage: the observation is complete for the others.
        let mut o = Observation::complete(accounts.into_values().collect());
        o.problems = problems;
        Ok(o)
    }

    async fn create(&self, new: &NewAccount, password: &Secret) -> Result<Option<String>, BackendError> {
        super::storable(std::iter::once(&new.address).chain(&new.aliases))?;
        let hash = &self.hash(password)?;
        retried(move || async move {
        let mut tx = self.pool.begin().await?;
        if tx.any(TAKEN, &[Arg::Text(new.address.as_str())]).await? {
            return Err(BackendError::AlreadyExists(new.address.clone()).into());
        }
        let (local, domain) = (new.address.local(), new.address.domain());
        let maildir = format!("{domain}/{local}/");
        tx.execute(
            "INSERT INTO mailbox (username, password, name, maildir, quota, local_part, domain, active, created, modified) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now(), now())",
            &[
                Arg::Text(new.address.as_str()),
                Arg::Text(hash),
                Arg::Text(&new.display_name),
                Arg::Text(&maildir),
                Arg::Int(self.stored_quota(new.quota)),
                Arg::Text(local),
                Arg::Text(domain),
                Arg::Bool(new.enabled),
            ],
        )
        .await?;
        tx.execute(
            INSERT_ALIAS,
            &[
                Arg::Text(new.address.as_str()),
                Arg::Text(new.address.as_str()),
                Arg::Text(domain),
                Arg::Bool(new.enabled),
            ],
        )
        .await?;
        // A new mailbox has no aliases yet: nothing to delete first (on MariaDB, that DELETE's scan of
        // `alias` would lock every row and make concurrent creations deadlock).
        Self::add_aliases(&mut tx, &new.address, &new.aliases, new.enabled).await?;
        tx.commit().await?;
        Ok(None)
        })
        .await
    }

    async fn rename(
        &self,
        from: &Address,
        to: &Address,
        keep_old_as_alias: bool,
    ) -> Result<(), BackendError> {
        super::storable([from, to])?;
        retried(move || async move {
        let mut tx = self.pool.begin().await?;
        Self::must_exist(&mut tx, from).await?;
        if tx.any(TAKEN, &[Arg::Text(to.as_str())]).await? {
            return Err(BackendError::AlreadyExists(to.clone()).into());
        }
        let active = Self::is_active(&mut tx, from).await?;
        let (f, t) = (Arg::Text(from.as_str()), Arg::Text(to.as_str()));
        // `maildir` stays: Dovecot finds the mail where it was.
        tx.execute(
            "UPDATE mailbox SET username = $2, local_part = $3, domain = $4, modified = now() WHERE username = $1",
            &[f, t, Arg::Text(to.local()), Arg::Text(to.domain())],
        )
        .await?;
        tx.execute(
            "UPDATE alias SET address = $2, goto = $2, domain = $3, modified = now() WHERE address = $1 AND goto = $1",
            &[f, t, Arg::Text(to.domain())],
        )
        .await?;
        tx.execute(
            "UPDATE alias SET goto = $2, modified = now() WHERE goto = $1",
            &[f, t],
        )
        .await?;
        if keep_old_as_alias {
            tx.execute(INSERT_ALIAS, &[f, t, Arg::Text(from.domain()), Arg::Bool(active)])
                .await?;
        }
        tx.commit().await
        })
        .await
    }

    async fn update(&self, address: &Address, update: &AccountUpdate) -> Result<(), BackendError> {
        retried(move || async move {
            let mut tx = self.pool.begin().await?;
            Self::must_exist(&mut tx, address).await?;
            let a = Arg::Text(address.as_str());
            if let Some(name) = &update.display_name {
                tx.execute(
                    "UPDATE mailbox SET name = $2, modified = now() WHERE username = $1",
                    &[a, Arg::Text(name)],
                )
                .await?;
            }
            if let Some(quota) = update.quota {
                tx.execute(
                    "UPDATE mailbox SET quota = $2, modified = now() WHERE username = $1",
                    &[a, Arg::Int(self.stored_quota(Some(quota)))],
                )
                .await?;
            }
            if let Some(aliases) = &update.aliases {
                let active = Self::is_active(&mut tx, address).await?;
                Self::set_aliases(&mut tx, address, aliases, active).await?;
            }
            tx.commit().await
        })
        .await
    }

    async fn suspend(&self, address: &Address) -> Result<(), BackendError> {
        retried(move || async move { self.set_active(address, false).await }).await
    }

    async fn resume(&self, address: &Address) -> Result<(), BackendError> {
        retried(move || async move { self.set_active(address, true).await }).await
    }

    async fn delete(&self, address: &Address) -> Result<(), BackendError> {
        retried(move || async move {
            let mut tx = self.pool.begin().await?;
            Self::must_exist(&mut tx, address).await?;
            let a = [Arg::Text(address.as_str())];
            tx.execute("DELETE FROM alias WHERE goto = $1", &a).await?;
            tx.execute("DELETE FROM mailbox WHERE username = $1", &a).await?;
            tx.commit().await
        })
        .await
    }

    async fn grant(&self, _: &Address, _: &Address, _: AccessLevel) -> Result<(), BackendError> {
        Err(BackendError::Unsupported(UNSUPPORTED_SHARING))
    }

    async fn revoke(&self, _: &Address, _: &Address) -> Result<(), BackendError> {
        Err(BackendError::Unsupported(UNSUPPORTED_SHARING))
    }

    async fn set_password(&self, address: &Address, password: &Secret) -> Result<(), BackendError> {
        let hash = &self.hash(password)?;
        retried(move || async move {
            let mut tx = self.pool.begin().await?;
            Self::must_exist(&mut tx, address).await?;
            tx.execute(
                "UPDATE mailbox SET password = $2, modified = now() WHERE username = $1",
                &[Arg::Text(address.as_str()), Arg::Text(hash)],
            )
            .await?;
            tx.commit().await
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_url_names_everything_but_the_password() {
        let c =
            PostfixAdminConfig::from_url("postfixadmin+postgres://postfix@127.0.0.1:15433/postfix").unwrap();
        assert_eq!(
            (c.host.as_str(), c.port, c.user.as_str(), c.database.as_str()),
            ("127.0.0.1", 15433, "postfix", "postfix")
        );
        assert_eq!((c.quota_multiplier, c.scheme), (1_024_000, Scheme::Sha512Crypt));
        let c = PostfixAdminConfig::from_url("postfixadmin+postgres://u@h/db?scheme=argon2id").unwrap();
        assert_eq!(c.scheme, Scheme::Argon2id);
        let c = PostfixAdminConfig::from_url(
            "postfixadmin+postgres://u@h/db?quota-multiplier=1048576&tls=require",
        )
        .unwrap();
        assert_eq!(c.quota_multiplier, 1 << 20);
        assert_eq!((c.dialect, c.tls), (Dialect::Postgres, Tls::Require));
        let c = PostfixAdminConfig::from_url("postfixadmin+mysql://postfix@db.local/postfix").unwrap();
        assert_eq!((c.dialect, c.port), (Dialect::MySql, 3306));
        for bad in [
            "postfixadmin+postgres://u:secret@h/db",
            "postfixadmin+postgres://h/db",
            "postfixadmin+postgres://u@h/",
            "postfixadmin+postgres://u@h/db?scheme=PLAIN",
            "postfixadmin+postgres://u@h/db?colour=blue",
            "postfixadmin+sqlite://u@h/db",
        ] {
            let e = PostfixAdminConfig::from_url(bad).unwrap_err().to_string();
            assert!(!e.contains("secret"), "{e}");
        }
    }
}
