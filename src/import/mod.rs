//! `mailops import`: a repository written from what a live server holds and from the agency's staff list,
//! valid as written, that plans to no changes against the server it came from, with a report of what to
//! review against rule II.2.
//!
//! The import is pure: an [`Observation`] (or none) and a [`sheet::StaffList`] (or none) in, manifest files
//! and a [`Report`] out. Reading the server and writing the state store are the command's ([`crate::cli`]).
//!
//! # What is derived from what
//! - **People.** One Mailbox per account that is not an agency mailbox. The full name is the server's
//!   (Modoboa: `last_name` then `first_name`; maildir: the names mailops recorded, else the passwd comment
//!   field), or the staff list's where the list has the person. `givenName` is written only where the Kinh
//!   order would read the name differently from how the server splits it.
//! - **Addresses.** No `address` where rule II.2 derives the server's address from the name; `extension`
//!   (and `domain`) where the rest of the address does; otherwise `address` with a `reason: "imported: …"`
//!   that says which part of the rule it breaks.
//! - **Agency mailboxes.** Accounts that someone else owns on the server (maildir grants), or named with
//!   `--shared ADDRESS[=OWNER]`.
//! - **The Organization.** The domains the accounts use; the naming domain most personal addresses follow;
//!   safe safety limits; the units of the list; every value the server cannot tell marked for review.

mod emit;
mod people;
mod report;
pub mod sheet;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use crate::backend::{AccessLevel, Observation};
use crate::desired::{Address, Quota};
use crate::diagnostics::{Diagnostic, Diagnostics, Location, Position};
use crate::naming::{self, ExtensionRules};
use emit::{Doc, slug};
use people::{Form, derived_local, form, gather, naming_domain};
pub use report::{Collision, Exception, NameDifference, NewHire, Report};
use sheet::StaffList;

/// Version of the JSON report.
pub const REPORT_VERSION: u32 = 1;

/// The unit of people the list does not place (or when there is no list).
const UNASSIGNED: &str = "unassigned";

/// Local parts that are the mail system's own, protected from removal when the server has them.
const SYSTEM_LOCAL_PARTS: [&str; 6] = ["postmaster", "abuse", "hostmaster", "webmaster", "admin", "root"];

/// An agency mailbox named on the command line: `ADDRESS` or `ADDRESS=OWNER` (the owner by address or by
/// the metadata.name the import gives the person).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SharedOption {
    /// The agency mailbox.
    pub address: Address,
    /// Its owner, when given.
    pub owner: Option<String>,
}

impl std::str::FromStr for SharedOption {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (address, owner) = match s.split_once('=') {
            Some((a, o)) => (a, Some(o.trim().to_string()).filter(|o| !o.is_empty())),
            None => (s, None),
        };
        let address = address
            .trim()
            .parse::<Address>()
            .map_err(|e| format!("`{address}` is not an address: {e}"))?;
        Ok(Self { address, owner })
    }
}

/// What the server and the person running the import say beyond the accounts.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The agency's short name (`bdt`).
    pub short_name: Option<String>,
    /// The agency's official name.
    pub display_name: Option<String>,
    /// The naming domain, when not the one most personal addresses use.
    pub naming_domain: Option<String>,
    /// Agency mailboxes named on the command line.
    pub shared: Vec<SharedOption>,
    /// The backend's name, for comments (`maildir`, `Modoboa`).
    pub server: Option<String>,
    /// Whether the server records who may use a mailbox (maildir); where it does not (Modoboa), the owner of
    /// an agency mailbox must be named.
    pub server_records_access: bool,
}

/// A manifest to write, relative to the output folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct File {
    /// Where, relative to the output folder.
    pub path: PathBuf,
    /// The YAML.
    pub text: String,
}

/// The import: files, report, and who holds the credentials of agency mailboxes on a server that does not
/// record it (for the inventory).
#[derive(Debug, Clone)]
pub struct Imported {
    /// The manifests.
    pub files: Vec<File>,
    /// What to review.
    pub report: Report,
    /// Agency mailbox address → who holds its credentials (the owner and delegates named).
    pub holders: BTreeMap<Address, BTreeMap<Address, AccessLevel>>,
}

fn letters(text: &str) -> String {
    text.chars().filter(char::is_ascii_lowercase).collect()
}

fn unique(name: String, taken: &mut BTreeSet<String>, fallback: &str) -> String {
    let base = if name.is_empty() {
        fallback.to_string()
    } else {
        name
    };
    let base = if base.is_empty() {
        "mailbox".to_string()
    } else {
        base
    };
    let mut candidate = base.clone();
    let mut n = 2;
    while taken.contains(&candidate) {
        let suffix = format!("-{n}");
        let mut stem = base.clone();
        stem.truncate(63 - suffix.len());
        candidate = format!("{}{suffix}", stem.trim_end_matches('-'));
        n += 1;
    }
    taken.insert(candidate.clone());
    candidate
}

/// Builds the repository.
///
/// # Errors
/// What makes a repository that would not validate: a person of the list whose name gives no address, or
/// gives one that someone else has; an agency mailbox whose owner is not known or not a person imported.
pub fn build(
    observation: Option<&Observation>,
    list: Option<&StaffList>,
    options: &Options,
) -> Result<Imported, Diagnostics> {
    let mut g = gather(observation, list, options);
    let list_file = list.map(|l| l.file.clone()).unwrap_or_default();
    let naming_domain = options
        .naming_domain
        .clone()
        .or_else(|| naming_domain(&g.people))
        .or_else(|| g.shared.first().map(|s| s.address.domain().to_string()));
    let Some(naming_domain) = naming_domain else {
        g.diags.push(
            Diagnostic::error(
                "naming-domain",
                Location::file(&list_file),
                "no account gives the domain of personal addresses",
            )
            .hint("give it: --naming-domain bdt.binhthuan.gov.vn"),
        );
        return Err(g.diags);
    };
    g.report.naming_domain.clone_from(&naming_domain);
    // The short name: given, else the agency mailbox's local part, else the naming domain's first label.
    let (short_name, short_note) = match &options.short_name {
        Some(s) => (s.clone(), None),
        None => {
            let guess = g
                .shared
                .first()
                .map(|s| letters(s.address.local()))
                .filter(|s| !s.is_empty())
                .or_else(|| Some(letters(naming_domain.split('.').next().unwrap_or(""))))
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| "agency".into());
            let note = format!("spec.shortName `{guess}` is a guess: give --short-name");
            g.report.review.push(note);
            (guess, Some("cần xem lại / review: a guess, give --short-name"))
        }
    };
    let rules = ExtensionRules {
        max_length: 6,
        reserved: vec![short_name.clone()],
    };
    let mut taken: BTreeSet<String> = BTreeSet::new();
    // Addresses: existing accounts first, so that a new hire never takes one.
    let mut held: BTreeMap<Address, String> = BTreeMap::new();
    for p in &g.people {
        if let Some(a) = &p.address {
            held.insert(a.clone(), p.full_name.clone());
            held.extend(p.aliases.iter().map(|x| (x.clone(), p.full_name.clone())));
        }
    }
    for s in &g.shared {
        held.insert(s.address.clone(), s.display_name.clone());
    }
    // New hires: the address rule II.2 gives, refused when it is taken.
    let mut by_derived: BTreeMap<Address, Vec<Address>> = BTreeMap::new();
    for p in &mut g.people {
        if p.address.is_some() {
            continue;
        }
        let row = p.row.unwrap_or(0);
        let at = Location::at(&list_file, Position::new(row, 1));
        match derived_local(p).map(|l| Address::new(&l, &naming_domain)) {
            Ok(Ok(a)) if !held.contains_key(&a) => {
                held.insert(a.clone(), p.full_name.clone());
                p.address = Some(a);
            }
            Ok(Ok(a)) => {
                let parts = naming::split_name(&p.full_name, None, None).ok();
                let free = |e: &str| {
                    Address::new(&naming::with_extension(a.local(), Some(e)), &naming_domain)
                        .is_ok_and(|x| !held.contains_key(&x))
                };
                let suggestions = parts
                    .map(|parts| naming::suggest_extensions(&parts, p.title.as_deref(), None, &rules, free))
                    .unwrap_or_default();
                g.diags.push(
                    Diagnostic::error(
                        "address-collision",
                        at,
                        format!(
                            "{} has no account, and the address rule II.2 gives, `{a}`, is {}'s",
                            p.full_name, held[&a]
                        ),
                    )
                    .field("Tài khoản người dùng (Account)")
                    .hint(if suggestions.is_empty() {
                        "write the address agreed with the IT officer in the account column".to_string()
                    } else {
                        format!(
                            "agree an extension and write the address in the account column, e.g. {}",
                            suggestions
                                .iter()
                                .map(|e| format!("{}.{e}@{naming_domain}", a.local()))
                                .collect::<Vec<_>>()
                                .join(", ")
                        )
                    }),
                );
            }
            Ok(Err(e)) => g.diags.push(Diagnostic::error(
                "unfoldable-name",
                at,
                format!("cannot make an address for {}: {e}", p.full_name),
            )),
            Err(e) => g.diags.push(
                Diagnostic::error(
                    "unfoldable-name",
                    at,
                    format!("cannot make an address for `{}`: {e}", p.full_name),
                )
                .hint("write the address agreed with the IT officer in the account column"),
            ),
        }
    }
    if g.diags.has_errors() {
        return Err(g.diags);
    }
    for p in &g.people {
        if let (Some(a), Ok(l)) = (&p.address, derived_local(p))
            && let Ok(d) = Address::new(&l, &naming_domain)
        {
            by_derived.entry(d).or_default().push(a.clone());
        }
    }
    g.report.collisions = by_derived
        .into_iter()
        .filter(|(_, v)| v.len() > 1)
        .map(|(derived, addresses)| Collision { derived, addresses })
        .collect();
    // Units: the list's, then `unassigned` for whoever it does not place.
    let mut unit_ids: Vec<String> = Vec::new();
    let mut unit_taken = BTreeSet::new();
    for u in &g.units {
        unit_ids.push(unique(slug(&u.name), &mut unit_taken, "unit"));
    }
    let need_unassigned = g.people.iter().any(|p| p.unit.is_none());
    let unassigned_id = unique(UNASSIGNED.into(), &mut unit_taken, UNASSIGNED);
    // Names: people in list order, then by address; agency mailboxes after.
    let mut order: Vec<usize> = (0..g.people.len()).collect();
    order.sort_by(|&a, &b| {
        let (pa, pb) = (&g.people[a], &g.people[b]);
        pa.row
            .is_none()
            .cmp(&pb.row.is_none())
            .then(pa.row.cmp(&pb.row))
            .then(pa.address.cmp(&pb.address))
    });
    let mut names: Vec<String> = vec![String::new(); g.people.len()];
    for &i in &order {
        let p = &g.people[i];
        let fallback = p.address.as_ref().map(|a| slug(a.local())).unwrap_or_default();
        names[i] = unique(slug(&p.full_name), &mut taken, &fallback);
    }
    let name_of: BTreeMap<Address, String> = g
        .people
        .iter()
        .zip(&names)
        .filter_map(|(p, n)| p.address.clone().map(|a| (a, n.clone())))
        .collect();
    // The default quota: the most common one, when every account has one.
    let quotas: Vec<Option<Quota>> = g
        .people
        .iter()
        .filter(|p| p.on_server)
        .map(|p| p.quota)
        .chain(
            g.shared
                .iter()
                .filter(|s| held.contains_key(&s.address))
                .map(|s| s.quota),
        )
        .collect();
    let default_quota = if !quotas.is_empty() && quotas.iter().all(Option::is_some) {
        let mut counts: BTreeMap<Quota, usize> = BTreeMap::new();
        for q in quotas.iter().flatten() {
            *counts.entry(*q).or_default() += 1;
        }
        counts.into_iter().max_by_key(|(_, n)| *n).map(|(q, _)| q)
    } else {
        None
    };
    let mut files = Vec::new();
    let mut holders = BTreeMap::new();
    let source = match (&options.server, list) {
        (Some(s), Some(l)) => format!("the {s} server and {}", l.file.display()),
        (Some(s), None) => format!("the {s} server"),
        (None, Some(l)) => format!("{}", l.file.display()),
        (None, None) => "nothing".into(),
    };
    // Agency mailboxes.
    let mut shared_names = Vec::new();
    for s in &g.shared {
        let name = unique(slug(s.address.local()), &mut taken, "agency-mailbox");
        let owner = match &s.owner {
            None => {
                g.diags.push(
                    Diagnostic::error(
                        "missing-owner",
                        Location::file("--shared"),
                        format!(
                            "who owns the agency mailbox {} is not known: the server does not record it",
                            s.address
                        ),
                    )
                    .hint(format!(
                        "name the head of the agency: --shared {}=OWNER (an address or a metadata.name)",
                        s.address
                    )),
                );
                continue;
            }
            Some(o) => {
                let by_address = o.parse::<Address>().ok().and_then(|a| name_of.get(&a).cloned());
                match by_address.or_else(|| names.iter().find(|n| *n == o).cloned()) {
                    Some(n) => n,
                    None => {
                        g.diags.push(
                            Diagnostic::error(
                                "unknown-mailbox",
                                Location::file("--shared"),
                                format!("the owner `{o}` of {} is not a person imported", s.address),
                            )
                            .hint("name the owner by the address of their account or by its metadata.name"),
                        );
                        continue;
                    }
                }
            }
        };
        let delegates: Vec<String> = s
            .delegates
            .iter()
            .filter_map(|d| name_of.get(d).cloned())
            .filter(|d| *d != owner)
            .collect();
        let display_name = if s.display_name.is_empty() {
            options
                .display_name
                .clone()
                .unwrap_or_else(|| s.address.local().to_string())
        } else {
            s.display_name.clone()
        };
        if options.server.is_some() && !options.server_records_access && held.contains_key(&s.address) {
            let owner_address = name_of.iter().find(|(_, n)| **n == owner).map(|(a, _)| a.clone());
            let mut h: BTreeMap<Address, AccessLevel> = BTreeMap::new();
            if let Some(o) = owner_address {
                h.insert(o, AccessLevel::Owner);
            }
            holders.insert(s.address.clone(), h);
            g.report.review.push(format!(
                "{}: the server does not record who holds its credentials; the inventory records {owner} as their holder",
                s.address
            ));
        }
        let mut doc = Doc::default();
        doc.comment(0, &format!("Imported by mailops from {source}: {}", s.how));
        doc.comment(
            0,
            "Rule IV.3: the head of the agency manages it; a change of `owner` is a handover.",
        );
        doc.resource("SharedMailbox", &name);
        doc.field(2, "address", s.address.as_str());
        doc.field(2, "displayName", &display_name);
        doc.field(2, "owner", &owner);
        doc.items(2, "delegates", delegates.iter().map(String::as_str));
        doc.items(2, "aliases", s.aliases.iter().map(Address::as_str));
        if s.quota != default_quota
            && let Some(q) = s.quota
        {
            doc.field(2, "quota", &q.to_string());
        }
        files.push(File {
            path: PathBuf::from("shared").join(format!("{name}.yaml")),
            text: doc.finish(),
        });
        g.report.shared.push(format!("{} ({})", s.address, s.how));
        shared_names.push(s.address.clone());
    }
    if g.diags.has_errors() {
        return Err(g.diags);
    }
    g.report.shared_mailboxes = shared_names.len();
    // People.
    for (i, p) in g.people.iter().enumerate() {
        let address = p
            .address
            .clone()
            .unwrap_or_else(|| unreachable!("new hires got addresses"));
        let unit = p
            .unit
            .map_or_else(|| unassigned_id.clone(), |u| unit_ids[u].clone());
        let mut notes: Vec<String> = Vec::new();
        if p.on_server && !p.named {
            g.report.without_name.push(address.clone());
            notes.push("the server knows no name for this account: write the person's full name".into());
        }
        if p.unit.is_none() {
            g.report.units_to_assign.push(address.clone());
            notes.push("unit to assign (the staff list does not place this person)".into());
        }
        let f = form(p, &address, &naming_domain, &rules);
        let mut doc = Doc::default();
        let from = match (p.on_server, p.row) {
            (true, Some(r)) => format!("the server and row {r} of the list"),
            (true, None) => "the server".into(),
            (false, Some(r)) => format!("row {r} of the list (no account yet: apply creates it)"),
            (false, None) => "the list".into(),
        };
        doc.comment(0, &format!("Imported by mailops from {from}."));
        for n in &notes {
            doc.comment(0, &format!("Cần xem lại / review: {n}"));
        }
        doc.resource("Mailbox", &names[i]);
        doc.field(2, "fullName", &p.full_name);
        if let Some(gn) = &p.given {
            doc.field(2, "givenName", gn);
        }
        if let Some(f) = &p.family {
            doc.field(2, "familyName", f);
        }
        doc.field(2, "unit", &unit);
        if let Some(t) = &p.title {
            doc.field(2, "title", t);
        }
        if let Some(o) = p.order {
            doc.raw(2, "order", o);
        }
        match &f {
            Form::Derived { extension, domain } => {
                g.report.follow_rule += 1;
                if let Some(e) = extension {
                    doc.field(2, "extension", e);
                    g.report.extensions.push(address.clone());
                }
                if let Some(d) = domain {
                    doc.field(2, "domain", d);
                }
            }
            Form::Explicit { derived, reason } => {
                doc.field(2, "address", address.as_str());
                doc.field(2, "reason", reason);
                g.report.need_reason.push(Exception {
                    name: names[i].clone(),
                    address: address.clone(),
                    derived: derived.clone(),
                    reason: reason.clone(),
                });
            }
        }
        if let Some(b) = &p.backup {
            doc.field(2, "backupEmail", b);
        }
        doc.items(2, "aliases", p.aliases.iter().map(Address::as_str));
        if p.on_server
            && p.quota != default_quota
            && let Some(q) = p.quota
        {
            doc.field(2, "quota", &q.to_string());
        }
        if p.suspended {
            doc.raw(2, "state", "suspended");
        }
        let delegates: Vec<&str> = p
            .delegates
            .iter()
            .filter_map(|d| name_of.get(d))
            .filter(|d| **d != names[i])
            .map(String::as_str)
            .collect();
        doc.items(2, "delegates", delegates);
        if !p.on_server
            && let Some(r) = p.row
        {
            g.report.new_hires.push(NewHire {
                row: r,
                name: names[i].clone(),
                address: address.clone(),
            });
        }
        files.push(File {
            path: PathBuf::from("staff")
                .join(&unit)
                .join(format!("{}.yaml", names[i])),
            text: doc.finish(),
        });
    }
    g.report.mailboxes = g.people.len();
    // The Organization.
    let mut domains: BTreeSet<String> = BTreeSet::new();
    domains.insert(naming_domain.clone());
    for p in &g.people {
        domains.extend(p.address.iter().chain(&p.aliases).map(|a| a.domain().to_string()));
    }
    for s in &g.shared {
        domains.extend(
            std::iter::once(&s.address)
                .chain(&s.aliases)
                .map(|a| a.domain().to_string()),
        );
    }
    let mut protected: BTreeSet<String> = shared_names.iter().map(ToString::to_string).collect();
    protected.insert(format!("postmaster@{naming_domain}"));
    for a in held.keys() {
        if SYSTEM_LOCAL_PARTS.contains(&a.local()) && domains.contains(a.domain()) {
            protected.insert(a.to_string());
        }
    }
    let display = options.display_name.clone().or_else(|| {
        g.shared
            .first()
            .map(|s| s.display_name.clone())
            .filter(|d| !d.is_empty())
    });
    let display_note = display
        .is_none()
        .then_some("cần xem lại / review: give --display-name");
    if display.is_none() {
        g.report
            .review
            .push("spec.displayName is the naming domain: give --display-name".into());
    } else if options.display_name.is_none() {
        g.report
            .review
            .push("spec.displayName is the agency mailbox's name: check it".into());
    }
    let display = display.unwrap_or_else(|| naming_domain.clone());
    let mut doc = Doc::default();
    doc.comment(0, &format!("Imported by mailops from {source}."));
    doc.comment(
        0,
        "Cần xem lại / review: the values marked below, then `mailops validate` and `mailops plan`.",
    );
    doc.resource("Organization", &slug(&short_name));
    doc.field_noted(
        2,
        "displayName",
        &display,
        display_note.or(options.display_name.is_none().then_some("cần xem lại / review")),
    );
    doc.comment(
        2,
        "Rule II.2: the agency's name may not be used as an address extension.",
    );
    doc.field_noted(2, "shortName", &short_name, short_note);
    doc.open(2, "domains");
    for d in &domains {
        doc.item(4, "name", d);
    }
    doc.open(2, "units");
    if !g.units.is_empty() {
        doc.comment(4, &format!("Units as {} lists them.", list_file.display()));
    }
    let first_unit = unit_ids.first().cloned();
    for (u, id) in g.units.iter().zip(&unit_ids) {
        doc.item(4, "id", id);
        doc.field(6, "name", &u.name);
        if u.from_heading {
            doc.field(6, "heading", &u.name);
            // The appendix marks a subordinate unit in its heading: `(Đơn vị trực thuộc)`.
            if slug(&u.name).contains("truc-thuoc")
                && first_unit.as_deref() != Some(id.as_str())
                && let Some(parent) = &first_unit
            {
                doc.field(6, "parent", parent);
            }
        }
    }
    if need_unassigned {
        if g.units.is_empty() {
            g.report.review.push(
                "spec.units: neither the server nor the list gives units; every person is in `unassigned`"
                    .into(),
            );
        }
        doc.comment(
            4,
            "Cần xem lại / review: people the server and the list do not place; give each a unit.",
        );
        doc.item(4, "id", &unassigned_id);
        doc.field(6, "name", "Chưa phân đơn vị (unassigned)");
    }
    doc.comment(
        2,
        "Rule II.2: <given name><initial of family name><initials of middle names>[.<extension>]",
    );
    doc.open(2, "naming");
    doc.field(4, "domain", &naming_domain);
    doc.raw(4, "maxExtensionLength", rules.max_length);
    doc.raw(4, "keepOldAddressAsAlias", true);
    doc.items(2, "protectedAddresses", protected.iter().map(String::as_str));
    doc.comment(
        2,
        "Safe limits to start with: at most 2 mailboxes (and 10%) removed per run, 30 days' grace.",
    );
    doc.open(2, "safety");
    doc.raw(4, "maxDeletions", 2);
    doc.raw(4, "maxDeletionPercent", 10);
    doc.raw(4, "graceDays", 30);
    doc.comment(
        2,
        "Rule III.3 (attachments): add `attachments:` with the agency's policy.",
    );
    if let Some(q) = default_quota {
        doc.open(2, "defaults");
        doc.field(4, "quota", &q.to_string());
    }
    files.insert(
        0,
        File {
            path: PathBuf::from("organization.yaml"),
            text: doc.finish(),
        },
    );
    Ok(Imported {
        files,
        report: g.report,
        holders,
    })
}
