//! Checks across resources: two people with the same address, aliases that are someone else's address, and
//! collisions of derived addresses, for which free extensions are suggested (never chosen).

use std::collections::BTreeSet;
use std::ffi::OsStr;

use chrono::NaiveDate;

use super::values::Address;
use super::{DesiredMailbox, DesiredSharedMailbox, Organization, label};
use crate::diagnostics::{Diagnostic, Diagnostics, Location};
use crate::manifest::{Kind, Origin};
use crate::naming::{self, NameParts};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Use {
    Primary,
    Alias,
    Former,
}

/// One use of an address by a resource.
struct Claim<'a> {
    address: &'a Address,
    usage: Use,
    kind: Kind,
    name: &'a str,
    origin: &'a Origin,
    /// The field, and the position in its list for an alias or a former address.
    field: (&'static str, Option<usize>),
    /// Who came first when two people derive the same address: no start date (existing staff) first, then
    /// by start date, then by file position (borrowed: a repository makes 100,000 claims or more).
    seniority: (NaiveDate, &'a OsStr, usize, usize),
    mailbox: Option<&'a DesiredMailbox>,
}

impl Claim<'_> {
    fn who(&self) -> String {
        label(self.kind, self.name)
    }

    fn field(&self) -> String {
        match self.field {
            (name, None) => name.to_string(),
            (name, Some(i)) => format!("{name}[{i}]"),
        }
    }

    fn location(&self) -> Location {
        self.origin.value(&self.field())
    }
}

/// The file's path compares as its bytes, which for the UTF-8 paths of a repository is the order of its text.
fn seniority(start: Option<NaiveDate>, origin: &Origin) -> (NaiveDate, &OsStr, usize, usize) {
    (
        start.unwrap_or(NaiveDate::MIN),
        origin.file.as_os_str(),
        origin.start.line,
        origin.start.column,
    )
}

fn claims<'a>(
    mailboxes: &'a [(Box<DesiredMailbox>, bool)],
    shared: &'a [(DesiredSharedMailbox, bool)],
) -> Vec<Claim<'a>> {
    let mut out = Vec::new();
    for (m, _) in mailboxes {
        let primary_field = if m.derived {
            "spec.fullName"
        } else {
            "spec.address"
        };
        let lists = [
            (Use::Alias, "spec.aliases", &m.aliases),
            (Use::Former, "spec.formerAddresses", &m.former_addresses),
        ];
        out.push(Claim {
            address: &m.address,
            usage: Use::Primary,
            kind: Kind::Mailbox,
            name: &m.name,
            origin: &m.origin,
            field: (primary_field, None),
            seniority: seniority(m.start_date, &m.origin),
            mailbox: Some(m),
        });
        for (usage, field, list) in lists {
            for (i, a) in list.iter().enumerate() {
                out.push(Claim {
                    address: a,
                    usage,
                    kind: Kind::Mailbox,
                    name: &m.name,
                    origin: &m.origin,
                    field: (field, Some(i)),
                    seniority: seniority(m.start_date, &m.origin),
                    mailbox: None,
                });
            }
        }
    }
    for (s, _) in shared {
        let lists = [
            (Use::Primary, "spec.address", std::slice::from_ref(&s.address)),
            (Use::Alias, "spec.aliases", s.aliases.as_slice()),
            (Use::Former, "spec.formerAddresses", s.former_addresses.as_slice()),
        ];
        for (usage, field, list) in lists {
            for (i, a) in list.iter().enumerate() {
                out.push(Claim {
                    address: a,
                    usage,
                    kind: Kind::SharedMailbox,
                    name: &s.name,
                    origin: &s.origin,
                    field: (field, (usage != Use::Primary).then_some(i)),
                    seniority: seniority(None, &s.origin),
                    mailbox: None,
                });
            }
        }
    }
    out
}

/// Runs the cross-resource checks. Returns the names of Mailboxes whose address is in conflict.
pub(super) fn check(
    org: &Organization,
    mailboxes: &[(Box<DesiredMailbox>, bool)],
    shared: &[(DesiredSharedMailbox, bool)],
    diags: &mut Diagnostics,
) -> BTreeSet<String> {
    // Sorted by address (stable: a group keeps the order of its claims) and walked group by group, rather
    // than a map of vectors beside the claims; the sorted claims are also the set of taken addresses.
    let mut all = claims(mailboxes, shared);
    all.sort_by(|a, b| a.address.cmp(b.address));
    let taken = Taken(&all);
    let mut failed = BTreeSet::new();
    for list in all.chunk_by(|a, b| a.address == b.address) {
        let address = list[0].address;
        let mut current: Vec<&Claim<'_>> = list.iter().filter(|c| c.usage != Use::Former).collect();
        current.sort_by(|a, b| {
            (a.usage != Use::Primary, &a.seniority).cmp(&(b.usage != Use::Primary, &b.seniority))
        });
        let Some(holder) = current.first() else {
            continue;
        };
        for c in current.iter().skip(1) {
            if c.kind == holder.kind && c.name == holder.name {
                continue;
            }
            let d = conflict(org, address, holder, c, taken);
            if c.kind == Kind::Mailbox {
                failed.insert(c.name.to_string());
            }
            diags.push(d);
        }
        for f in list.iter().filter(|c| c.usage == Use::Former) {
            if f.kind == holder.kind && f.name == holder.name {
                continue;
            }
            // A former address the policy keeps as an alias on the server is not free: a new mailbox there
            // could never be made (the server holds the alias), so it is an error at the newcomer's address.
            if org.keep_old_address_as_alias && holder.usage == Use::Primary {
                let hint = match holder.mailbox {
                    Some(m) if m.derived => extension_hint(org, m, taken),
                    _ => crate::msg!("hint-former-address-kept", address = address),
                };
                diags.push(
                    Diagnostic::error(
                        "former-address-kept",
                        holder.location(),
                        crate::msg!("diag-former-address-kept", address = address, owner = f.who()),
                    )
                    .resource(holder.who())
                    .field(holder.field())
                    .related(crate::msg!("diag-kept-here"), f.location())
                    .hint(hint),
                );
                if holder.kind == Kind::Mailbox {
                    failed.insert(holder.name.to_string());
                }
                continue;
            }
            diags.push(
                Diagnostic::warning(
                    "former-address-in-use",
                    f.location(),
                    crate::msg!(
                        "diag-former-address-in-use",
                        address = address,
                        holder = holder.who()
                    ),
                )
                .resource(f.who())
                .field(f.field())
                .related(crate::msg!("diag-used-here"), holder.location())
                .hint(crate::msg!("hint-former-address-in-use")),
            );
        }
    }
    failed
}

fn conflict(
    org: &Organization,
    address: &Address,
    holder: &Claim<'_>,
    c: &Claim<'_>,
    taken: Taken<'_>,
) -> Diagnostic {
    let (code, message) = match (holder.usage, c.usage) {
        (Use::Primary, Use::Primary) => (
            "address-collision",
            crate::msg!("diag-address-collision", address = address, holder = holder.who()),
        ),
        (Use::Primary, _) => (
            "alias-conflict",
            crate::msg!("diag-alias-conflict", address = address, holder = holder.who()),
        ),
        _ => (
            "duplicate-alias",
            crate::msg!("diag-duplicate-alias", address = address, holder = holder.who()),
        ),
    };
    let mut d = Diagnostic::error(code, c.location(), message)
        .resource(c.who())
        .field(c.field())
        .related(
            crate::msg!("diag-taken-by", holder = holder.who()),
            holder.location(),
        );
    let hint = match c.mailbox {
        Some(m) if m.derived && c.usage == Use::Primary => extension_hint(org, m, taken),
        _ if c.usage == Use::Primary => crate::msg!("hint-address-collision"),
        _ => crate::msg!("hint-alias-conflict"),
    };
    d = d.hint(hint);
    d
}

/// Every address claimed, as the claims sorted by address.
#[derive(Clone, Copy)]
struct Taken<'a>(&'a [Claim<'a>]);

impl Taken<'_> {
    fn contains(self, address: &str) -> bool {
        self.0
            .binary_search_by(|c| c.address.as_str().cmp(address))
            .is_ok()
    }
}

/// Rule II.2: the later person needs an extension agreed with the IT officer. Suggest free ones.
fn extension_hint(org: &Organization, m: &DesiredMailbox, taken: Taken<'_>) -> crate::i18n::Msg {
    let parts = NameParts {
        given: naming::words(&m.given_name),
        family: m.family_name.clone(),
        middle: m.middle_names.clone(),
    };
    let base = naming::derive_local_part(&parts).unwrap_or_else(|_| m.address.local().to_string());
    let domain = m.address.domain();
    let unit_name = org.unit(&m.unit).map(|u| u.name.as_str());
    let free = naming::suggest_extensions(&parts, m.title.as_deref(), unit_name, &org.extension_rules, |e| {
        !taken.contains(&format!("{}@{domain}", naming::with_extension(&base, Some(e))))
    });
    if free.is_empty() {
        crate::msg!("hint-agree-extension")
    } else {
        let list: Vec<String> = free
            .iter()
            .map(|e| format!("`{e}` ({base}.{e}@{domain})"))
            .collect();
        crate::msg!("hint-agree-extension-free", free = list.join(", "))
    }
}
