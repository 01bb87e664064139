//! What each backend can do ([`Capabilities`]), and the matrix of them the README shows.

use serde::{Deserialize, Serialize};

use super::{ldap, maildir, modoboa, postfixadmin};
use crate::desired::Quota;

/// What a backend can do safely.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Capabilities {
    /// Renames an account in place, keeping its mail.
    pub rename: bool,
    /// Archives a mailbox's mail before deleting the account.
    pub archive_on_delete: bool,
    /// Grants and revokes access to another person's mailbox.
    pub delegation: bool,
    /// Forces a password change at next login.
    pub must_change_password: bool,
    /// Reports last-login times.
    pub last_login: bool,
    /// Keeps a display name apart from the given and family names. Where it does not (Modoboa keeps only
    /// first and last names), people's names are compared as given and family names only.
    pub display_name: bool,
    /// Refuses login while keeping the account and its mail (the first stage of a removal).
    pub suspend: bool,
    /// Enforces a quota per mailbox.
    pub quotas: bool,
    /// The granularity of the quotas it stores, in bytes (1: exact; Modoboa's MiB; PostfixAdmin's
    /// 1,024,000-byte MB): a wanted quota is compared as the server would store it.
    pub quota_unit: u64,
}

impl Capabilities {
    /// `quota` as this server stores it (rounded up to its unit).
    #[must_use]
    pub fn stored_quota(&self, quota: Quota) -> Quota {
        match quota {
            Quota::Bytes(b) if self.quota_unit > 1 => {
                Quota::Bytes(b.div_ceil(self.quota_unit).saturating_mul(self.quota_unit))
            }
            q => q,
        }
    }
}

/// One backend's row of the capability matrix (README, "What each backend can do").
#[derive(Debug, Clone, Copy)]
pub struct CapabilityRow {
    /// The URL form, e.g. `maildir:PATH`.
    pub url: &'static str,
    /// What it can do.
    pub capabilities: Capabilities,
    /// How many accounts one bulk creation takes (1: one at a time).
    pub bulk_create: usize,
}

/// Every backend mailops has, in the README's order.
#[must_use]
pub fn capability_rows() -> Vec<CapabilityRow> {
    vec![
        CapabilityRow {
            url: "maildir:PATH",
            capabilities: maildir::CAPABILITIES,
            bulk_create: maildir::CREATE_BATCH,
        },
        CapabilityRow {
            url: "modoboa+http(s)://HOST",
            capabilities: modoboa::CAPABILITIES,
            bulk_create: modoboa::ModoboaConfig::DEFAULT_BATCH_SIZE,
        },
        CapabilityRow {
            url: "postfixadmin+{postgres,mysql}://USER@HOST/DB",
            capabilities: postfixadmin::CAPABILITIES,
            bulk_create: 1,
        },
        CapabilityRow {
            url: "ldap(s)://HOST (inetOrgPerson)",
            capabilities: ldap::profile::INETORGPERSON,
            bulk_create: 1,
        },
        CapabilityRow {
            url: "ldap(s)://HOST (mailUser)",
            capabilities: ldap::profile::MAILUSER,
            bulk_create: 1,
        },
    ]
}

/// The capability matrix as a Markdown table, generated from [`capability_rows`] (a test keeps the README's
/// copy equal to it).
#[must_use]
pub fn capability_matrix() -> String {
    let rows = capability_rows();
    fn yes(b: bool) -> &'static str {
        if b { "yes" } else { "no" }
    }
    let mut out = String::from("| capability |");
    for r in &rows {
        out.push_str(&format!(" `{}` |", r.url));
    }
    out.push_str("\n| --- |");
    out.push_str(&" --- |".repeat(rows.len()));
    out.push('\n');
    type Cell = dyn Fn(&CapabilityRow) -> String;
    let lines: [(&str, &Cell); 9] = [
        ("rename keeps the mail", &|r| yes(r.capabilities.rename).into()),
        ("suspend (login refused, mail kept)", &|r| {
            yes(r.capabilities.suspend).into()
        }),
        ("delegation (access to the agency mailbox)", &|r| {
            if r.capabilities.delegation {
                "yes".into()
            } else {
                "no: credentials rotated for the holders".into()
            }
        }),
        ("quotas", &|r| yes(r.capabilities.quotas).into()),
        ("last login (`report usage`)", &|r| {
            yes(r.capabilities.last_login).into()
        }),
        ("bulk creation", &|r| {
            if r.bulk_create > 1 {
                format!("yes, {} at once", r.bulk_create)
            } else {
                "no: one at a time".into()
            }
        }),
        ("mail archived before a deletion", &|r| {
            if r.capabilities.archive_on_delete {
                "yes".into()
            } else {
                "no: the mail folder stays on the server's disk".into()
            }
        }),
        ("display name apart from given and family names", &|r| {
            yes(r.capabilities.display_name).into()
        }),
        ("password change forced at first login", &|r| {
            yes(r.capabilities.must_change_password).into()
        }),
    ];
    for (name, cell) in lines {
        out.push_str(&format!("| {name} |"));
        for r in &rows {
            out.push_str(&format!(" {} |", cell(r)));
        }
        out.push('\n');
    }
    out
}

impl Capabilities {
    /// Everything: what a plan assumes when no server is involved (`plan --base`).
    pub const ALL: Capabilities = Capabilities {
        rename: true,
        archive_on_delete: true,
        delegation: true,
        must_change_password: true,
        last_login: true,
        display_name: true,
        suspend: true,
        quotas: true,
        quota_unit: 1,
    };
}
