//! PostfixAdmin 3.3's SQL schema (PostgreSQL; MariaDB next), the accounts Postfix and Dovecot read.
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
//! - Observation reads each table once for all the managed domains (three queries, whatever the count).
//! - A delete removes the rows; the mail folder stays on disk, as PostfixAdmin leaves it.

use std::collections::{BTreeMap, BTreeSet};
use std::str::FromStr;

use async_trait::async_trait;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions, PgSslMode};
use sqlx::{Postgres, Row, Transaction};

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

/// The settings of `postfixadmin+postgres://USER@HOST:PORT/DB?…`.
#[derive(Debug, Clone)]
pub struct PostfixAdminConfig {
    /// Host.
    pub host: String,
    /// Port.
    pub port: u16,
    /// Database user.
    pub user: String,
    /// Database name.
    pub database: String,
    /// The password scheme (`SHA512-CRYPT`), as Dovecot's `default_pass_scheme`.
    pub scheme: String,
    /// Bytes per PostfixAdmin MB.
    pub quota_multiplier: u64,
    /// TLS: `disable`, `prefer` (default) or `require`.
    pub tls: PgSslMode,
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
        if parsed.scheme() != "postgres" && parsed.scheme() != "postgresql" {
            return Err(bad(format!(
                "`postfixadmin+{}` is not supported yet: use postfixadmin+postgres://USER@HOST:PORT/DB",
                parsed.scheme()
            )));
        }
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
            host: parsed.host_str().unwrap_or("127.0.0.1").to_string(),
            port: parsed.port().unwrap_or(5432),
            user: user.to_string(),
            database: database.to_string(),
            scheme: "SHA512-CRYPT".into(),
            quota_multiplier: DEFAULT_QUOTA_MULTIPLIER,
            tls: PgSslMode::Prefer,
        };
        for (k, v) in parsed.query_pairs() {
            match k.as_ref() {
                "scheme" => match v.to_ascii_uppercase().as_str() {
                    s @ "SHA512-CRYPT" => config.scheme = s.to_string(),
                    other => {
                        return Err(bad(format!(
                            "password scheme `{other}` is not supported: SHA512-CRYPT (Dovecot's default_pass_scheme)"
                        )));
                    }
                },
                "quota-multiplier" => {
                    config.quota_multiplier = v
                        .parse()
                        .ok()
                        .filter(|n| (1..=1 << 30).contains(n))
                        .ok_or_else(|| bad(format!("quota-multiplier `{v}` is not a number of bytes")))?;
                }
                "tls" => {
                    config.tls = match v.as_ref() {
                        "disable" => PgSslMode::Disable,
                        "prefer" => PgSslMode::Prefer,
                        "require" => PgSslMode::Require,
                        "verify-full" => PgSslMode::VerifyFull,
                        other => {
                            return Err(bad(format!(
                                "tls `{other}`: disable, prefer, require or verify-full"
                            )));
                        }
                    };
                }
                other => {
                    return Err(bad(format!(
                        "unknown setting `{other}`: scheme, quota-multiplier, tls"
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
    pool: PgPool,
    config: PostfixAdminConfig,
    domains: Vec<String>,
    rounds: usize,
}

fn db(e: sqlx::Error) -> BackendError {
    match &e {
        sqlx::Error::Database(d) if d.is_unique_violation() => BackendError::Rejected(format!("{d}")),
        sqlx::Error::Database(d) if d.is_foreign_key_violation() => {
            BackendError::Rejected(format!("{d} (is the domain in PostfixAdmin?)"))
        }
        _ => BackendError::Server(format!("the database: {e}")),
    }
}

impl PostfixAdminBackend {
    /// A backend for `config`, managing `domains`; connects on first use.
    #[must_use]
    pub fn new(config: PostfixAdminConfig, password: &Secret, domains: Vec<String>) -> Self {
        let options = PgConnectOptions::new()
            .host(&config.host)
            .port(config.port)
            .username(&config.user)
            .password(password.expose())
            .database(&config.database)
            .ssl_mode(config.tls);
        let pool = PgPoolOptions::new()
            .max_connections(4)
            .acquire_timeout(std::time::Duration::from_secs(15))
            .connect_lazy_with(options);
        Self {
            pool,
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
        let params =
            sha_crypt::Sha512Params::new(self.rounds).map_err(|_| BackendError::Unsupported("hash"))?;
        let hash = sha_crypt::sha512_simple(password.expose(), &params)
            .map_err(|_| BackendError::Server("password hashing failed".into()))?;
        Ok(format!("{{{}}}{hash}", self.config.scheme))
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

    fn read_quota(&self, stored: i64) -> Option<Quota> {
        u64::try_from(stored).ok().filter(|b| *b > 0).map(Quota::Bytes)
    }

    async fn begin(&self) -> Result<Transaction<'static, Postgres>, BackendError> {
        self.pool.begin().await.map_err(db)
    }

    async fn exists(
        tx: &mut Transaction<'static, Postgres>,
        address: &Address,
    ) -> Result<bool, BackendError> {
        let row = sqlx::query("SELECT 1 FROM mailbox WHERE username = $1 UNION ALL SELECT 1 FROM alias WHERE address = $1 LIMIT 1")
            .bind(address.as_str())
            .fetch_optional(&mut **tx)
            .await
            .map_err(db)?;
        Ok(row.is_some())
    }

    async fn must_exist(
        tx: &mut Transaction<'static, Postgres>,
        address: &Address,
    ) -> Result<(), BackendError> {
        let row = sqlx::query("SELECT 1 FROM mailbox WHERE username = $1 FOR UPDATE")
            .bind(address.as_str())
            .fetch_optional(&mut **tx)
            .await
            .map_err(db)?;
        row.map(|_| ())
            .ok_or_else(|| BackendError::NotFound(address.clone()))
    }

    /// Replaces the aliases whose only target is `address` (its own row aside) by `wanted`.
    async fn set_aliases(
        tx: &mut Transaction<'static, Postgres>,
        address: &Address,
        wanted: &BTreeSet<Address>,
    ) -> Result<(), BackendError> {
        super::storable(wanted)?;
        sqlx::query("DELETE FROM alias WHERE goto = $1 AND address <> $1")
            .bind(address.as_str())
            .execute(&mut **tx)
            .await
            .map_err(db)?;
        for alias in wanted {
            let taken = sqlx::query(
                "SELECT 1 FROM alias WHERE address = $1 UNION ALL SELECT 1 FROM mailbox WHERE username = $1",
            )
            .bind(alias.as_str())
            .fetch_optional(&mut **tx)
            .await
            .map_err(db)?;
            if taken.is_some() {
                return Err(BackendError::AlreadyExists(alias.clone()));
            }
            sqlx::query("INSERT INTO alias (address, goto, domain, active, created, modified) VALUES ($1, $2, $3, true, now(), now())")
                .bind(alias.as_str())
                .bind(address.as_str())
                .bind(alias.domain())
                .execute(&mut **tx)
                .await
                .map_err(db)?;
        }
        Ok(())
    }
}

#[async_trait]
impl MailBackend for PostfixAdminBackend {
    fn capabilities(&self) -> Capabilities {
        Capabilities {
            quota_unit: self.config.quota_multiplier,
            ..CAPABILITIES
        }
    }

    async fn domains(&self) -> Result<Vec<String>, BackendError> {
        let rows = sqlx::query("SELECT domain FROM domain WHERE domain <> 'ALL' ORDER BY domain")
            .fetch_all(&self.pool)
            .await
            .map_err(db)?;
        Ok(rows
            .iter()
            .filter_map(|r| r.try_get::<String, _>(0).ok())
            .collect())
    }

    async fn observe(&self) -> Result<Observation, BackendError> {
        let domains: Vec<&str> = self.domains.iter().map(String::as_str).collect();
        let mailboxes =
            sqlx::query("SELECT username, name, quota, active FROM mailbox WHERE domain = ANY($1)")
                .bind(&domains)
                .fetch_all(&self.pool)
                .await
                .map_err(db)?;
        let aliases = sqlx::query("SELECT address, goto FROM alias WHERE domain = ANY($1)")
            .bind(&domains)
            .fetch_all(&self.pool)
            .await
            .map_err(db)?;
        let mut problems = Vec::new();
        let mut accounts: BTreeMap<Address, ObservedAccount> = BTreeMap::new();
        for row in &mailboxes {
            let username: String = row.try_get(0).map_err(db)?;
            // A row whose username is not an address of mailops's grammar is never read as an account.
            let Ok(address) = Address::from_str(&username) else {
                problems.push(format!(
                    "a mailbox row is not an address mailops manages: `{}`",
                    crate::diagnostics::escape_controls(&username)
                ));
                continue;
            };
            let name: String = row.try_get(1).map_err(db)?;
            let quota: i64 = row.try_get(2).map_err(db)?;
            let active: bool = row.try_get(3).map_err(db)?;
            accounts.insert(
                address.clone(),
                ObservedAccount {
                    id: None,
                    address,
                    display_name: name,
                    given_name: None,
                    family_name: None,
                    enabled: active,
                    quota: self.read_quota(quota),
                    aliases: BTreeSet::new(),
                    access: BTreeMap::<Address, AccessLevel>::new(),
                    last_login: None,
                },
            );
        }
        for row in &aliases {
            let (from, goto): (String, String) = (row.try_get(0).map_err(db)?, row.try_get(1).map_err(db)?);
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
        let hash = self.hash(password)?;
        let mut tx = self.begin().await?;
        if Self::exists(&mut tx, &new.address).await? {
            return Err(BackendError::AlreadyExists(new.address.clone()));
        }
        let (local, domain) = (new.address.local(), new.address.domain());
        sqlx::query(
            "INSERT INTO mailbox (username, password, name, maildir, quota, local_part, domain, active, created, modified) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now(), now())",
        )
        .bind(new.address.as_str())
        .bind(&hash)
        .bind(&new.display_name)
        .bind(format!("{domain}/{local}/"))
        .bind(self.stored_quota(new.quota))
        .bind(local)
        .bind(domain)
        .bind(new.enabled)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        sqlx::query("INSERT INTO alias (address, goto, domain, active, created, modified) VALUES ($1, $1, $2, $3, now(), now())")
            .bind(new.address.as_str())
            .bind(domain)
            .bind(new.enabled)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        Self::set_aliases(&mut tx, &new.address, &new.aliases).await?;
        tx.commit().await.map_err(db)?;
        Ok(None)
    }

    async fn rename(
        &self,
        from: &Address,
        to: &Address,
        keep_old_as_alias: bool,
    ) -> Result<(), BackendError> {
        super::storable([from, to])?;
        let mut tx = self.begin().await?;
        Self::must_exist(&mut tx, from).await?;
        if Self::exists(&mut tx, to).await? {
            return Err(BackendError::AlreadyExists(to.clone()));
        }
        // `maildir` stays: Dovecot finds the mail where it was.
        sqlx::query("UPDATE mailbox SET username = $2, local_part = $3, domain = $4, modified = now() WHERE username = $1")
            .bind(from.as_str())
            .bind(to.as_str())
            .bind(to.local())
            .bind(to.domain())
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        sqlx::query("UPDATE alias SET address = $2, goto = $2, domain = $3, modified = now() WHERE address = $1 AND goto = $1")
            .bind(from.as_str())
            .bind(to.as_str())
            .bind(to.domain())
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        sqlx::query("UPDATE alias SET goto = $2, modified = now() WHERE goto = $1")
            .bind(from.as_str())
            .bind(to.as_str())
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        if keep_old_as_alias {
            sqlx::query("INSERT INTO alias (address, goto, domain, active, created, modified) VALUES ($1, $2, $3, true, now(), now())")
                .bind(from.as_str())
                .bind(to.as_str())
                .bind(from.domain())
                .execute(&mut *tx)
                .await
                .map_err(db)?;
        }
        tx.commit().await.map_err(db)
    }

    async fn update(&self, address: &Address, update: &AccountUpdate) -> Result<(), BackendError> {
        let mut tx = self.begin().await?;
        Self::must_exist(&mut tx, address).await?;
        if let Some(name) = &update.display_name {
            sqlx::query("UPDATE mailbox SET name = $2, modified = now() WHERE username = $1")
                .bind(address.as_str())
                .bind(name)
                .execute(&mut *tx)
                .await
                .map_err(db)?;
        }
        if let Some(quota) = update.quota {
            sqlx::query("UPDATE mailbox SET quota = $2, modified = now() WHERE username = $1")
                .bind(address.as_str())
                .bind(self.stored_quota(Some(quota)))
                .execute(&mut *tx)
                .await
                .map_err(db)?;
        }
        if let Some(aliases) = &update.aliases {
            Self::set_aliases(&mut tx, address, aliases).await?;
        }
        tx.commit().await.map_err(db)
    }

    async fn suspend(&self, address: &Address) -> Result<(), BackendError> {
        self.set_active(address, false).await
    }

    async fn resume(&self, address: &Address) -> Result<(), BackendError> {
        self.set_active(address, true).await
    }

    async fn delete(&self, address: &Address) -> Result<(), BackendError> {
        let mut tx = self.begin().await?;
        Self::must_exist(&mut tx, address).await?;
        sqlx::query("DELETE FROM alias WHERE goto = $1")
            .bind(address.as_str())
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        sqlx::query("DELETE FROM mailbox WHERE username = $1")
            .bind(address.as_str())
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        tx.commit().await.map_err(db)
    }

    async fn grant(&self, _: &Address, _: &Address, _: AccessLevel) -> Result<(), BackendError> {
        Err(BackendError::Unsupported(
            "share a mailbox on PostfixAdmin (access is handed out as the mailbox's password)",
        ))
    }

    async fn revoke(&self, _: &Address, _: &Address) -> Result<(), BackendError> {
        Err(BackendError::Unsupported(
            "share a mailbox on PostfixAdmin (access is handed out as the mailbox's password)",
        ))
    }

    async fn set_password(&self, address: &Address, password: &Secret) -> Result<(), BackendError> {
        let hash = self.hash(password)?;
        let mut tx = self.begin().await?;
        Self::must_exist(&mut tx, address).await?;
        sqlx::query("UPDATE mailbox SET password = $2, modified = now() WHERE username = $1")
            .bind(address.as_str())
            .bind(&hash)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        tx.commit().await.map_err(db)
    }
}

impl PostfixAdminBackend {
    /// `active` of the mailbox and of the aliases whose only target it is.
    async fn set_active(&self, address: &Address, active: bool) -> Result<(), BackendError> {
        let mut tx = self.begin().await?;
        Self::must_exist(&mut tx, address).await?;
        sqlx::query("UPDATE mailbox SET active = $2, modified = now() WHERE username = $1")
            .bind(address.as_str())
            .bind(active)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        sqlx::query("UPDATE alias SET active = $2, modified = now() WHERE goto = $1")
            .bind(address.as_str())
            .bind(active)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        tx.commit().await.map_err(db)
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
        assert_eq!(c.quota_multiplier, 1_024_000);
        let c = PostfixAdminConfig::from_url(
            "postfixadmin+postgres://u@h/db?quota-multiplier=1048576&tls=require",
        )
        .unwrap();
        assert_eq!(c.quota_multiplier, 1 << 20);
        for bad in [
            "postfixadmin+postgres://u:secret@h/db",
            "postfixadmin+postgres://h/db",
            "postfixadmin+postgres://u@h/",
            "postfixadmin+postgres://u@h/db?scheme=PLAIN",
            "postfixadmin+postgres://u@h/db?colour=blue",
            "postfixadmin+mysql://u@h/db",
        ] {
            let e = PostfixAdminConfig::from_url(bad).unwrap_err().to_string();
            assert!(!e.contains("secret"), "{e}");
        }
    }
}
