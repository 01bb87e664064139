//! The mail server, as mailops sees it: one trait every backend implements, and what it observes.
//!
//! A backend reads the live accounts ([`MailBackend::observe`]) and makes one kind of change per method.
//! The plan is computed from the observation alone (see [`crate::plan::diff`]); the executor then calls the
//! change methods. A backend that cannot do something safely says so in [`Capabilities`] and the plan shows
//! the change as blocked; it never substitutes a delete and a create for a rename.

mod capabilities;
pub mod crypt;
pub mod ldap;
pub mod maildir;
pub mod memory;
pub mod modoboa;
pub mod postfixadmin;

use std::collections::{BTreeMap, BTreeSet};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::desired::{Address, Quota};

pub use capabilities::{Capabilities, CapabilityRow, capability_matrix, capability_rows};

/// How much access a grantee has to a mailbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum AccessLevel {
    /// Manages the mailbox: reads, sends as it, delegates (the head of the agency for the agency mailbox).
    Owner,
    /// Reads and sends on behalf of the owner.
    Delegate,
}

impl AccessLevel {
    /// Lowercase name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            AccessLevel::Owner => "owner",
            AccessLevel::Delegate => "delegate",
        }
    }
}

/// An account on the mail server, as observed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ObservedAccount {
    /// The backend's own stable id, when it has one that survives renames (Modoboa's account id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The address (login).
    pub address: Address,
    /// Name shown to recipients.
    pub display_name: String,
    /// Given name, where the server keeps it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub given_name: Option<String>,
    /// Family and middle names, where the server keeps them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family_name: Option<String>,
    /// Whether login is allowed.
    pub enabled: bool,
    /// Quota, `None` when the server reports none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quota: Option<Quota>,
    /// Aliases delivering to this account.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub aliases: BTreeSet<Address>,
    /// Who else has access, and how much.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub access: BTreeMap<Address, AccessLevel>,
    /// Last login, where the server records it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_login: Option<DateTime<Utc>>,
}

/// Everything read from the server in one observation.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Observation {
    /// The accounts read, in address order.
    pub accounts: Vec<ObservedAccount>,
    /// Whether every account of the managed domains was read. A partial observation (a page that failed, a
    /// domain that could not be listed) never leads to a suspension or deletion.
    pub complete: bool,
    /// What could not be read, for the plan's findings.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<String>,
}

impl Observation {
    /// A complete observation of these accounts (sorted by address).
    #[must_use]
    pub fn complete(mut accounts: Vec<ObservedAccount>) -> Self {
        accounts.sort_by(|a, b| a.address.cmp(&b.address));
        Self {
            accounts,
            complete: true,
            problems: Vec::new(),
        }
    }

    /// A stable fingerprint of what was observed (SHA-256 of the canonical JSON), so that a saved plan can be
    /// refused when the server changed since.
    #[must_use]
    pub fn fingerprint(&self) -> String {
        use sha2::{Digest, Sha256};
        // A login is not a change: a saved plan stays good when someone reads their mail (Modoboa records
        // last logins in the accounts it lists).
        if self.accounts.iter().any(|a| a.last_login.is_some()) {
            let mut without = self.clone();
            for a in &mut without.accounts {
                a.last_login = None;
            }
            return without.fingerprint();
        }
        // Streamed into the hash: no copy of the whole observation as text.
        let mut hasher = Sha256::new();
        let _ = serde_json::to_writer(&mut hasher, self);
        let digest = hasher.finalize();
        digest.iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// A text a person reads, in both languages of mailops.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Text {
    /// English.
    pub en: String,
    /// Vietnamese.
    pub vi: String,
}

impl Text {
    /// The text in English and in Vietnamese.
    #[must_use]
    pub fn new(en: impl Into<String>, vi: impl Into<String>) -> Self {
        Self {
            en: en.into(),
            vi: vi.into(),
        }
    }
}

/// Last logins as a server records them, and what they measure.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Logins {
    /// What the times are (e.g. Dovecot's last_login plugin: IMAP and POP3 logins); `None` when not
    /// available.
    pub source: Option<Text>,
    /// Why there are none, when the server cannot give them.
    pub unavailable: Option<Text>,
    /// The last login of each account that has one.
    pub last: BTreeMap<Address, DateTime<Utc>>,
    /// Lines of the source that could not be read and were left out.
    pub ignored_lines: usize,
    /// Logins dated after the moment they were read (a wrong clock on the server), left out: such a time
    /// would show a person as having checked their mail.
    pub future: usize,
}

impl Logins {
    /// No login data, and why.
    #[must_use]
    pub fn unavailable(reason: Text) -> Self {
        Self {
            unavailable: Some(reason),
            ..Self::default()
        }
    }
}

/// A new account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewAccount {
    /// Address (login).
    pub address: Address,
    /// Name shown to recipients.
    pub display_name: String,
    /// Given name.
    pub given_name: Option<String>,
    /// Family and middle names.
    pub family_name: Option<String>,
    /// Quota.
    pub quota: Option<Quota>,
    /// Aliases.
    pub aliases: BTreeSet<Address>,
    /// Whether login is allowed from the start.
    pub enabled: bool,
}

/// Field changes to an existing account; `None` leaves a field as it is.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountUpdate {
    /// New display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// New given name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub given_name: Option<String>,
    /// New family and middle names.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family_name: Option<String>,
    /// New quota.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quota: Option<Quota>,
    /// The new complete set of aliases.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aliases: Option<BTreeSet<Address>>,
}

/// Refuses an address a backend cannot write safely. The grammar ([`crate::address`]) makes every
/// [`Address`] storable; a backend checks again before it writes, whatever its caller.
///
/// # Errors
/// [`BackendError::Server`] naming the address (control characters shown escaped).
pub fn storable<'a>(addresses: impl IntoIterator<Item = &'a Address>) -> Result<(), BackendError> {
    match addresses.into_iter().find(|a| !a.is_storable()) {
        None => Ok(()),
        Some(a) => Err(BackendError::Server(format!(
            "`{}` cannot be written to the server safely",
            crate::diagnostics::escape_controls(a.as_str())
        ))),
    }
}

/// One change of an existing account, for [`MailBackend::change_batch`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountChange {
    /// [`MailBackend::rename`].
    Rename {
        /// The current address.
        from: Address,
        /// The new address.
        to: Address,
        /// Keep the old address delivering.
        keep_old_as_alias: bool,
    },
    /// [`MailBackend::update`].
    Update {
        /// The account.
        address: Address,
        /// The fields.
        update: AccountUpdate,
    },
    /// [`MailBackend::suspend`].
    Suspend(Address),
    /// [`MailBackend::resume`].
    Resume(Address),
    /// [`MailBackend::grant`].
    Grant {
        /// The mailbox.
        mailbox: Address,
        /// Who gets access.
        grantee: Address,
        /// How much.
        level: AccessLevel,
    },
    /// [`MailBackend::revoke`].
    Revoke {
        /// The mailbox.
        mailbox: Address,
        /// Who loses access.
        grantee: Address,
    },
}

/// A password, kept out of `Debug`, `Display` and serialisation so that it cannot reach a log or a plan.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a password.
    #[must_use]
    pub fn new(value: String) -> Self {
        Self(value)
    }

    /// The password, for the one call that sends it to the server.
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// Why a backend call failed.
#[derive(Debug, thiserror::Error)]
pub enum BackendError {
    /// The account does not exist.
    #[error("account {0} does not exist")]
    NotFound(Address),
    /// The address is already used by another account or alias.
    #[error("address {0} is already in use")]
    AlreadyExists(Address),
    /// The backend cannot do this (see capabilities).
    #[error("the backend cannot {0}")]
    Unsupported(&'static str),
    /// The server URL names no backend this build knows, or is incomplete.
    #[error("{0}")]
    InvalidUrl(String),
    /// The server refused the change as invalid; retrying the same change will not help.
    #[error("the mail server refused: {0}")]
    Rejected(String),
    /// The server failed; worth retrying later.
    #[error("the mail server failed: {0}")]
    Server(String),
    /// Local I/O.
    #[error("{context}")]
    Io {
        /// What was being done.
        context: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
}

impl BackendError {
    /// A short, bounded label for metrics and the audit log.
    #[must_use]
    pub fn kind(&self) -> &'static str {
        match self {
            BackendError::NotFound(_) => "not_found",
            BackendError::AlreadyExists(_) => "already_exists",
            BackendError::Unsupported(_) => "unsupported",
            BackendError::InvalidUrl(_) => "invalid_url",
            BackendError::Rejected(_) => "rejected",
            BackendError::Server(_) => "server",
            BackendError::Io { .. } => "io",
        }
    }
}

/// A mail server mailops can reconcile.
///
/// # Guarantees every implementation gives
/// - **Idempotency.** Repeating a successful call changes nothing: creating an account that exists with
///   the same address returns [`BackendError::AlreadyExists`] and writes nothing; suspending a suspended
///   account, granting an existing grant or revoking a missing one succeed without writing.
/// - **Not found.** A call on an address with no account returns [`BackendError::NotFound`]; it never
///   creates the account as a side effect.
/// - **Mail is kept.** `rename` keeps every message and the account's identity; `suspend` refuses login and
///   keeps delivering and storing mail; only `delete` removes mail, and only after archiving it when
///   [`Capabilities::archive_on_delete`] is set.
/// - **Secrets.** Passwords arrive as [`Secret`] and never appear in errors or logs.
///
/// # Errors
/// Every method returns [`BackendError`]; `Server` errors are transient and may be retried.
#[async_trait]
pub trait MailBackend: Send + Sync {
    /// What this backend can do safely.
    fn capabilities(&self) -> Capabilities;

    /// Reads every account of the managed domains. Sets [`Observation::complete`] to false, with the reason
    /// in `problems`, when any part could not be read.
    async fn observe(&self) -> Result<Observation, BackendError>;

    /// The mail domains the server holds, sorted (`import` asks before it knows the Organization). The
    /// default reads them off the accounts; a server with a list of domains gives that list.
    async fn domains(&self) -> Result<Vec<String>, BackendError> {
        let observation = self.observe().await?;
        let set: BTreeSet<String> = observation
            .accounts
            .iter()
            .flat_map(|a| std::iter::once(&a.address).chain(&a.aliases))
            .map(|a| a.domain().to_string())
            .collect();
        Ok(set.into_iter().collect())
    }

    /// When each account last logged in, where the server records it (`report usage`). The default takes
    /// the observation's `last_login` when [`Capabilities::last_login`] says the server keeps it, and says
    /// the data is not available otherwise.
    async fn logins(&self, observation: &Observation) -> Result<Logins, BackendError> {
        if !self.capabilities().last_login {
            return Ok(Logins::unavailable(Text::new(
                "this server does not record logins",
                "máy chủ này không ghi lại lần đăng nhập",
            )));
        }
        Ok(Logins {
            source: Some(self.login_source()),
            unavailable: None,
            last: observation
                .accounts
                .iter()
                .filter_map(|a| Some((a.address.clone(), a.last_login?)))
                .collect(),
            ignored_lines: 0,
            future: 0,
        })
    }

    /// What the observation's `last_login` measures on this server (for [`MailBackend::logins`]).
    fn login_source(&self) -> Text {
        Text::new(
            "the server's account records (last_login)",
            "hồ sơ tài khoản trên máy chủ (last_login)",
        )
    }

    /// Creates an account with an initial password; returns the backend's id for it, if it has ids.
    async fn create(&self, account: &NewAccount, password: &Secret) -> Result<Option<String>, BackendError>;

    /// How many new accounts [`MailBackend::create_batch`] takes at once; 1 (the default) when the backend
    /// creates accounts one at a time.
    fn create_batch_size(&self) -> usize {
        1
    }

    /// Creates several accounts in one all-or-nothing operation (a server's bulk import); returns their ids
    /// in order. An error means none was created: the caller creates them one by one instead, which also
    /// tells which one was refused.
    async fn create_batch(
        &self,
        accounts: &[(&NewAccount, &Secret)],
    ) -> Result<Vec<Option<String>>, BackendError> {
        let _ = accounts;
        Err(BackendError::Unsupported("create accounts in a batch"))
    }

    /// How many changes of existing accounts [`MailBackend::change_batch`] takes at once; 1 (the default)
    /// when the backend makes them one at a time.
    fn change_batch_size(&self) -> usize {
        1
    }

    /// Makes several changes of existing accounts in one all-or-nothing operation, in order. An error
    /// means none was made: the caller makes them one by one instead, which also tells which one failed.
    async fn change_batch(&self, changes: &[AccountChange]) -> Result<(), BackendError> {
        let _ = changes;
        Err(BackendError::Unsupported("change accounts in a batch"))
    }

    /// Renames an account in place, keeping its mail; with `keep_old_as_alias`, the old address keeps
    /// delivering as an alias.
    async fn rename(&self, from: &Address, to: &Address, keep_old_as_alias: bool)
    -> Result<(), BackendError>;

    /// Changes fields of an account.
    async fn update(&self, address: &Address, update: &AccountUpdate) -> Result<(), BackendError>;

    /// Refuses login; mail is still delivered and kept.
    async fn suspend(&self, address: &Address) -> Result<(), BackendError>;

    /// Allows login again (and re-enables the account's aliases).
    async fn resume(&self, address: &Address) -> Result<(), BackendError>;

    /// Deletes an account, archiving its mail first where the backend can.
    async fn delete(&self, address: &Address) -> Result<(), BackendError>;

    /// Gives `grantee` access to `mailbox`.
    async fn grant(
        &self,
        mailbox: &Address,
        grantee: &Address,
        level: AccessLevel,
    ) -> Result<(), BackendError>;

    /// Takes `grantee`'s access to `mailbox` away.
    async fn revoke(&self, mailbox: &Address, grantee: &Address) -> Result<(), BackendError>;

    /// Sets a new password (a handover rotates the agency mailbox's credentials).
    async fn set_password(&self, address: &Address, password: &Secret) -> Result<(), BackendError>;
}

/// What opening a backend needs besides its URL.
#[derive(Debug, Clone, Default)]
pub struct OpenOptions {
    /// The domains mailops manages (the Organization's): servers that hold other domains are read only for
    /// these.
    pub domains: Vec<String>,
    /// The API token, for servers with an API.
    pub token: Option<Secret>,
}

/// Opens the backend a server URL names: `maildir:PATH` (the embedded default) or
/// `modoboa+http(s)://HOST[:PORT]` (Modoboa's REST API v2, with a token).
///
/// # Errors
/// An unknown kind, a missing token, or a backend that cannot be opened.
pub fn open(url: &str, options: &OpenOptions) -> Result<Box<dyn MailBackend>, BackendError> {
    if let Some(path) = url.strip_prefix("maildir:") {
        if path.is_empty() {
            return Err(BackendError::InvalidUrl(
                "`maildir:` needs a folder, e.g. `maildir:/srv/mail`".into(),
            ));
        }
        return Ok(Box::new(maildir::MaildirBackend::open(std::path::Path::new(
            path,
        ))?));
    }
    if url.starts_with("modoboa+") {
        let config = modoboa::ModoboaConfig::from_url(url)?;
        let token = options.token.clone().ok_or_else(|| {
            BackendError::InvalidUrl(
                "Modoboa needs an API token: set MAILOPS_TOKEN or give --token-file".into(),
            )
        })?;
        return Ok(Box::new(modoboa::ModoboaBackend::new(
            config,
            token,
            options.domains.clone(),
        )?));
    }
    if url.starts_with("postfixadmin+") {
        let config = postfixadmin::PostfixAdminConfig::from_url(url)?;
        let password = options.token.clone().ok_or_else(|| {
            BackendError::InvalidUrl(
                "PostfixAdmin's database needs a password: set MAILOPS_TOKEN or give --token-file".into(),
            )
        })?;
        return Ok(Box::new(postfixadmin::PostfixAdminBackend::new(
            config,
            &password,
            options.domains.clone(),
        )));
    }
    if url.starts_with("ldap://") || url.starts_with("ldaps://") {
        let config = ldap::LdapConfig::from_url(url)?;
        let password = options.token.clone().ok_or_else(|| {
            BackendError::InvalidUrl(
                "the directory needs the bind DN's password: set MAILOPS_TOKEN or give --token-file".into(),
            )
        })?;
        return Ok(Box::new(ldap::LdapBackend::new(
            config,
            password,
            options.domains.clone(),
        )));
    }
    let kind = url.split([':', '+']).next().unwrap_or(url);
    Err(BackendError::InvalidUrl(format!(
        "unsupported server URL kind `{kind}`: mailops manages `maildir:PATH`, `modoboa+http(s)://HOST`, `postfixadmin+postgres|mysql://USER@HOST/DB` and `ldap(s)://HOST/?bind-dn=…&base-dn=…`"
    )))
}

/// Where the state file lives when `--state` is not given: beside the mail of a maildir backend, else in
/// the current folder.
#[must_use]
pub fn default_state_file(url: &str) -> std::path::PathBuf {
    match url.strip_prefix("maildir:") {
        Some(path) if !path.is_empty() => std::path::Path::new(path).join("mailops-state.json"),
        _ => std::path::PathBuf::from("mailops-state.json"),
    }
}

#[cfg(test)]
mod fingerprint_tests {
    use super::*;

    #[test]
    fn a_login_does_not_change_the_fingerprint_and_a_change_does() {
        let account = ObservedAccount {
            id: None,
            address: "anvtt@bdt.binhthuan.gov.vn".parse().unwrap(),
            display_name: "Võ Thị Thu An".into(),
            given_name: None,
            family_name: None,
            enabled: true,
            quota: None,
            aliases: BTreeSet::new(),
            access: BTreeMap::new(),
            last_login: None,
        };
        let before = Observation::complete(vec![account.clone()]);
        let mut logged_in = account.clone();
        logged_in.last_login = Some(Utc::now());
        assert_eq!(
            Observation::complete(vec![logged_in.clone()]).fingerprint(),
            before.fingerprint()
        );
        logged_in.enabled = false;
        assert_ne!(
            Observation::complete(vec![logged_in]).fingerprint(),
            before.fingerprint()
        );
    }
}
