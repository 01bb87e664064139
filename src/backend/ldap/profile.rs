//! The two attribute mappings of the LDAP backend: what an account is in the directory, how it is read, and
//! what each change writes.
//!
//! # `profile=inetorgperson` (the default)
//! Only the schemas every directory has (core, cosine, inetOrgPerson), and OpenLDAP's ppolicy overlay for
//! suspension:
//!
//! | mailops | entry |
//! |---|---|
//! | the account | `uid=LOCAL,BASE`, `objectClass: inetOrgPerson` |
//! | address | `uid` and the domain's base; also the first `mail` value written |
//! | aliases | the other `mail` values |
//! | display name | `cn` |
//! | family and given names | `sn` (the display name when there is none: `sn` is required), `givenName` |
//! | password | `userPassword: {CRYPT}$6$…` (SHA512-CRYPT, 5 000 rounds) |
//! | suspended | `pwdAccountLockedTime: 000001010000Z` (ppolicy's permanent lock), removed on resume |
//! | quota | none: this profile cannot set one |
//! | the account's stable id | `entryUUID`: a rename (`modrdn`) keeps it, so Dovecot keys the mail folder by it |
//!
//! # `profile=mailuser` (iRedMail's `mailUser` attribute names)
//! The layout iRedMail writes, so that its Postfix and Dovecot LDAP queries find the accounts:
//!
//! | mailops | entry |
//! |---|---|
//! | the account | `mail=ADDRESS,BASE`, `objectClass: inetOrgPerson, mailUser` |
//! | address | `mail` (one value), `uid` the local part |
//! | aliases | `shadowAddress`, one value per alias |
//! | display name, family and given names, password | as in the plain profile |
//! | suspended | `accountStatus: disabled` (`active` otherwise) |
//! | quota | `mailQuota` in bytes, `0` for none |
//! | the mail store | `homeDirectory` (`MAIL-ROOT/DOMAIN/LOCAL-TIMESTAMP/`), `mailMessageStore` (the same path below `storageBaseDirectory`), written once at creation and never changed: a rename keeps the mail |
//! | services | `enabledService`: the set iRedMail gives a new user, written at creation only |

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::str::FromStr;

use ldap3::{Mod, SearchEntry, dn_escape, ldap_escape};

use super::super::{AccessLevel, Capabilities, NewAccount, ObservedAccount};
use crate::desired::{Address, Quota};

/// ppolicy's value for "locked until an administrator unlocks it".
pub const LOCKED: &str = "000001010000Z";

/// The services iRedMail enables for a new user (`enabledService`).
pub const SERVICES: [&str; 22] = [
    "mail",
    "deliver",
    "lda",
    "lmtp",
    "smtp",
    "smtpsecured",
    "submission",
    "pop3",
    "pop3secured",
    "imap",
    "imapsecured",
    "managesieve",
    "managesievesecured",
    "sieve",
    "sievesecured",
    "internal",
    "doveadm",
    "lib-storage",
    "indexer-worker",
    "dsync",
    "quota-status",
    "shadowaddress",
];

/// Which attribute mapping the directory uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    /// Plain `inetOrgPerson` entries, suspended with ppolicy.
    InetOrgPerson,
    /// iRedMail's `mailUser`: quota, aliases and an account status of its own.
    MailUser,
}

/// What the plain profile can do.
pub const INETORGPERSON: Capabilities = Capabilities {
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

/// What the `mailUser` profile can do.
pub const MAILUSER: Capabilities = Capabilities {
    quotas: true,
    ..INETORGPERSON
};

/// The attributes an observation reads.
pub const READ: [&str; 11] = [
    "uid",
    "mail",
    "cn",
    "sn",
    "givenName",
    "pwdAccountLockedTime",
    "entryUUID",
    "shadowAddress",
    "accountStatus",
    "mailQuota",
    "homeDirectory",
];

/// A set of attribute values.
pub fn values<'a>(v: impl IntoIterator<Item = &'a str>) -> HashSet<&'a str> {
    v.into_iter().collect()
}

impl Profile {
    /// The profile named in the URL.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "inetorgperson" => Some(Self::InetOrgPerson),
            "mailuser" | "iredmail" => Some(Self::MailUser),
            _ => None,
        }
    }

    /// What the backend can do with this profile.
    pub const fn capabilities(self) -> Capabilities {
        match self {
            Self::InetOrgPerson => INETORGPERSON,
            Self::MailUser => MAILUSER,
        }
    }

    /// The object class of an account.
    pub const fn class(self) -> &'static str {
        match self {
            Self::InetOrgPerson => "inetOrgPerson",
            Self::MailUser => "mailUser",
        }
    }

    /// The relative DN of `address`'s entry.
    pub fn rdn(self, address: &Address) -> String {
        match self {
            Self::InetOrgPerson => format!("uid={}", dn_escape(address.local())),
            Self::MailUser => format!("mail={}", dn_escape(address.as_str())),
        }
    }

    /// A filter for the entries that hold `address`, as their own or as an alias; an entry of the plain
    /// profile named after the local part holds it too.
    pub fn holds(self, address: &Address) -> String {
        let a = ldap_escape(address.as_str());
        match self {
            Self::InetOrgPerson => format!(
                "(|(mail={a})(&(objectClass=inetOrgPerson)(uid={l})))",
                l = ldap_escape(address.local())
            ),
            Self::MailUser => format!("(|(mail={a})(shadowAddress={a}))"),
        }
    }

    /// The attribute of the aliases.
    const fn aliases(self) -> &'static str {
        match self {
            Self::InetOrgPerson => "mail",
            Self::MailUser => "shadowAddress",
        }
    }

    /// Reads an entry of `domain`'s base as an account, or says why it is not one.
    pub fn read(self, domain: &str, entry: &SearchEntry) -> Result<ObservedAccount, String> {
        let one = |name: &str| entry.attrs.get(name).and_then(|v| v.first()).cloned();
        let not_ours = || {
            format!(
                "an entry is not an account mailops manages: `{}`",
                crate::diagnostics::escape_controls(&entry.dn)
            )
        };
        let address = match self {
            Self::InetOrgPerson => {
                let uid = one("uid").ok_or_else(|| format!("an entry without uid: `{}`", entry.dn))?;
                Address::from_str(&format!("{uid}@{domain}")).map_err(|_| not_ours())?
            }
            Self::MailUser => {
                let mail = match entry.attrs.get("mail").map(Vec::as_slice) {
                    Some([one]) => one,
                    _ => return Err(not_ours()),
                };
                let address = Address::from_str(mail).map_err(|_| not_ours())?;
                if !address.domain().eq_ignore_ascii_case(domain) {
                    return Err(not_ours());
                }
                address
            }
        };
        let aliases = entry
            .attrs
            .get(self.aliases())
            .into_iter()
            .flatten()
            .filter_map(|m| Address::from_str(m).ok())
            .filter(|m| *m != address)
            .collect();
        let (cn, given) = (one("cn").unwrap_or_default(), one("givenName"));
        // `sn` is required: where mailops had no family name to write, it wrote the display name, and reads
        // that back as none.
        let family = one("sn").filter(|sn| *sn != cn || given.is_some());
        let (enabled, quota) = match self {
            Self::InetOrgPerson => (!entry.attrs.contains_key("pwdAccountLockedTime"), None),
            Self::MailUser => (
                one("accountStatus").is_some_and(|s| s.eq_ignore_ascii_case("active")),
                one("mailQuota")
                    .and_then(|q| q.parse::<u64>().ok())
                    .filter(|q| *q > 0)
                    .map(Quota::Bytes),
            ),
        };
        Ok(ObservedAccount {
            id: one("entryUUID"),
            display_name: cn,
            given_name: given,
            family_name: family,
            enabled,
            quota,
            aliases,
            access: BTreeMap::<Address, AccessLevel>::new(),
            last_login: None,
            address,
        })
    }

    /// The attributes of a new entry for `new` with the password `hash`, its mail store below `mail_root`
    /// (the `mailUser` profile) named with `stamp`.
    pub fn new_entry(
        self,
        new: &NewAccount,
        hash: &str,
        mail_root: &str,
        stamp: &str,
    ) -> Vec<(String, Vec<String>)> {
        let sn = new.family_name.as_deref().unwrap_or(&new.display_name);
        let aliases = new.aliases.iter().map(|a| a.to_string());
        let mut attrs: Vec<(String, Vec<String>)> = vec![
            ("uid".into(), vec![new.address.local().to_string()]),
            ("cn".into(), vec![new.display_name.clone()]),
            ("sn".into(), vec![sn.to_string()]),
            ("userPassword".into(), vec![hash.to_string()]),
        ];
        if let Some(g) = &new.given_name {
            attrs.push(("givenName".into(), vec![g.clone()]));
        }
        let classes = ["top", "person", "organizationalPerson", "inetOrgPerson"].map(String::from);
        match self {
            Self::InetOrgPerson => {
                attrs.push(("objectClass".into(), classes.to_vec()));
                let mail = std::iter::once(new.address.to_string()).chain(aliases).collect();
                attrs.push(("mail".into(), mail));
            }
            Self::MailUser => {
                let mut classes = classes.to_vec();
                classes.push("mailUser".into());
                attrs.push(("objectClass".into(), classes));
                attrs.push(("mail".into(), vec![new.address.to_string()]));
                let shadow: Vec<String> = aliases.collect();
                if !shadow.is_empty() {
                    attrs.push(("shadowAddress".into(), shadow));
                }
                let status = if new.enabled { "active" } else { "disabled" };
                attrs.push(("accountStatus".into(), vec![status.into()]));
                attrs.push(("mailQuota".into(), vec![stored_quota(new.quota)]));
                let (base, folder) = split_root(mail_root);
                let store = format!(
                    "{folder}/{d}/{l}-{stamp}/",
                    d = new.address.domain(),
                    l = new.address.local()
                );
                attrs.push(("storageBaseDirectory".into(), vec![base.to_string()]));
                attrs.push(("mailMessageStore".into(), vec![store.clone()]));
                attrs.push(("homeDirectory".into(), vec![format!("{base}/{store}")]));
                attrs.push((
                    "enabledService".into(),
                    SERVICES.iter().map(|s| (*s).to_string()).collect(),
                ));
            }
        }
        attrs
    }

    /// Whether a new entry is suspended by a change after its creation (the plain profile's lock is an
    /// operational attribute ppolicy sets).
    pub const fn suspends_after_create(self) -> bool {
        matches!(self, Self::InetOrgPerson)
    }

    /// The changes that rename the entry of `from` whose values are `entry`, before (`Some`) or after
    /// (`None` in the first place) the `modrdn`; the `mail` values kept, the old address kept as an alias when
    /// `keep_old`.
    pub fn rename_mods<'a>(
        self,
        entry: &'a SearchEntry,
        from: &'a Address,
        to: &'a Address,
        keep_old: bool,
    ) -> Vec<Mod<&'a str>> {
        let current = |attr: &str| -> Vec<&'a str> {
            entry
                .attrs
                .get(attr)
                .into_iter()
                .flatten()
                .map(String::as_str)
                .collect::<Vec<_>>()
        };
        match self {
            Self::InetOrgPerson => {
                let mut mail: Vec<&str> = current("mail")
                    .into_iter()
                    .filter(|m| keep_old || !m.eq_ignore_ascii_case(from.as_str()))
                    .collect();
                if !mail.iter().any(|m| m.eq_ignore_ascii_case(to.as_str())) {
                    mail.push(to.as_str());
                }
                vec![Mod::Replace("mail", values(mail))]
            }
            Self::MailUser => {
                let mut shadow: Vec<&str> = current("shadowAddress")
                    .into_iter()
                    .filter(|m| !m.eq_ignore_ascii_case(to.as_str()))
                    .collect();
                if keep_old && !shadow.iter().any(|m| m.eq_ignore_ascii_case(from.as_str())) {
                    shadow.push(from.as_str());
                }
                vec![
                    Mod::Replace("uid", values([to.local()])),
                    Mod::Replace("shadowAddress", values(shadow)),
                ]
            }
        }
    }

    /// The change that sets the aliases of `address` to `aliases`.
    pub fn aliases_mod<'a>(self, address: &'a Address, aliases: &'a BTreeSet<Address>) -> Mod<&'a str> {
        let aliases = aliases.iter().map(Address::as_str);
        match self {
            Self::InetOrgPerson => {
                Mod::Replace("mail", values(std::iter::once(address.as_str()).chain(aliases)))
            }
            Self::MailUser => Mod::Replace("shadowAddress", values(aliases)),
        }
    }

    /// The change that suspends (`locked`) or resumes an account.
    pub fn lock_mod(self, locked: bool) -> Mod<&'static str> {
        match (self, locked) {
            (Self::InetOrgPerson, true) => Mod::Replace("pwdAccountLockedTime", values([LOCKED])),
            (Self::InetOrgPerson, false) => Mod::Replace("pwdAccountLockedTime", HashSet::new()),
            (Self::MailUser, true) => Mod::Replace("accountStatus", values(["disabled"])),
            (Self::MailUser, false) => Mod::Replace("accountStatus", values(["active"])),
        }
    }
}

/// `mailQuota`'s value: bytes, `0` for none.
pub fn stored_quota(quota: Option<Quota>) -> String {
    match quota {
        Some(Quota::Bytes(b)) => b.to_string(),
        _ => "0".into(),
    }
}

/// `/var/vmail/vmail1` as iRedMail splits it: `storageBaseDirectory` `/var/vmail` and the folder `vmail1`.
fn split_root(root: &str) -> (&str, &str) {
    let root = root.trim_end_matches('/');
    match root.rsplit_once('/') {
        Some((base, folder)) if !base.is_empty() => (base, folder),
        _ => ("", root.trim_start_matches('/')),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mail_root_splits_as_iredmail_writes_it() {
        assert_eq!(split_root("/var/vmail/vmail1"), ("/var/vmail", "vmail1"));
        assert_eq!(split_root("/var/vmail/vmail1/"), ("/var/vmail", "vmail1"));
        assert_eq!(split_root("/srv/mail/store/x"), ("/srv/mail/store", "x"));
        assert_eq!(split_root("/vmail"), ("", "vmail"));
    }

    #[test]
    fn a_rename_keeps_the_mail_store_and_moves_the_aliases() {
        let from: Address = "anvtt@bdt.test".parse().unwrap();
        let to: Address = "anvtt.ctt@bdt.test".parse().unwrap();
        let entry = SearchEntry {
            dn: "mail=anvtt@bdt.test,ou=x".into(),
            attrs: [
                (
                    "shadowAddress".to_string(),
                    vec![to.to_string(), "an@bdt.test".into()],
                ),
                (
                    "homeDirectory".to_string(),
                    vec!["/var/vmail/vmail1/bdt.test/anvtt-1/".into()],
                ),
            ]
            .into(),
            bin_attrs: Default::default(),
        };
        let mods = Profile::MailUser.rename_mods(&entry, &from, &to, true);
        let text = format!("{mods:?}");
        assert!(!text.contains("homeDirectory"), "{text}");
        let Mod::Replace("shadowAddress", shadow) = &mods[1] else {
            panic!("{text}")
        };
        assert_eq!(shadow, &values(["an@bdt.test", "anvtt@bdt.test"]));
    }
}
