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

mod bounds;
mod emit;
mod manifests;
mod people;
mod report;
pub mod sheet;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use crate::backend::{AccessLevel, Observation};
use crate::desired::{Address, Quota};
use crate::diagnostics::{Diagnostic, Diagnostics, Location, Position};
use crate::naming::{self, ExtensionRules};
use emit::slug;
use people::{derived_local, gather, naming_domain};
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

/// Who holds the credentials of a mailbox, and as what.
pub type Holders = BTreeMap<Address, AccessLevel>;

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
    /// Agency mailbox address → who holds its credentials (its owner, as named).
    pub holders: BTreeMap<Address, Holders>,
}

fn letters(text: &str) -> String {
    text.chars().filter(char::is_ascii_lowercase).collect()
}

/// `name` (else `fallback`), with `-2`, `-3`… until no other resource has it; at most 63 characters.
fn unique(name: String, taken: &mut BTreeSet<String>, fallback: &str) -> String {
    let base = [name, fallback.to_string()]
        .into_iter()
        .find(|n| !n.is_empty())
        .unwrap_or_else(|| "mailbox".into());
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

/// The short name: given, else the agency mailbox's local part, else the naming domain's first label.
fn short_name(
    g: &mut people::Gathered,
    options: &Options,
    naming_domain: &str,
) -> (String, Option<&'static str>) {
    if let Some(s) = &options.short_name {
        return (s.clone(), None);
    }
    let guess = g
        .shared
        .first()
        .map(|s| letters(s.address.local()))
        .filter(|s| !s.is_empty())
        .or_else(|| Some(letters(naming_domain.split('.').next().unwrap_or(""))))
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "agency".into());
    g.report
        .review
        .push(format!("spec.shortName `{guess}` is a guess: give --short-name"));
    (guess, Some("cần xem lại / review: a guess, give --short-name"))
}

/// Gives each person of the list without an account the address rule II.2 derives; refuses one that is taken
/// (with extensions to agree) or that the name cannot give.
fn assign_new_hires(
    g: &mut people::Gathered,
    naming_domain: &str,
    rules: &ExtensionRules,
    held: &mut BTreeMap<Address, String>,
    list_file: &std::path::Path,
) {
    for p in &mut g.people {
        if p.address.is_some() {
            continue;
        }
        let at = Location::at(list_file, Position::new(p.row.unwrap_or(0), 1));
        let derived = match derived_local(p).map(|l| Address::new(&l, naming_domain)) {
            Ok(Ok(a)) => a,
            Ok(Err(e)) => {
                g.diags.push(Diagnostic::error(
                    "unfoldable-name",
                    at,
                    crate::msg!("diag-import-no-address", name = p.full_name, error = e),
                ));
                continue;
            }
            Err(e) => {
                g.diags.push(
                    Diagnostic::error(
                        "unfoldable-name",
                        at,
                        crate::msg!("diag-import-no-address-quoted", name = p.full_name, error = e),
                    )
                    .hint(crate::msg!("hint-import-write-address")),
                );
                continue;
            }
        };
        let Some(holder) = held.get(&derived) else {
            held.insert(derived.clone(), p.full_name.clone());
            p.address = Some(derived);
            continue;
        };
        let free = |e: &str| {
            Address::new(&naming::with_extension(derived.local(), Some(e)), naming_domain)
                .is_ok_and(|x| !held.contains_key(&x))
        };
        let suggestions = naming::split_name(&p.full_name, None, None)
            .map(|parts| naming::suggest_extensions(&parts, p.title.as_deref(), None, rules, free))
            .unwrap_or_default();
        let hint = if suggestions.is_empty() {
            crate::msg!("hint-import-write-address")
        } else {
            crate::msg!(
                "hint-import-agree-extension",
                examples = suggestions
                    .iter()
                    .map(|e| format!("{}.{e}@{naming_domain}", derived.local()))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        g.diags.push(
            Diagnostic::error(
                "address-collision",
                at,
                crate::msg!(
                    "diag-import-collision",
                    name = p.full_name,
                    derived = derived,
                    holder = holder
                ),
            )
            .field("Tài khoản người dùng (Account)")
            .hint(hint),
        );
    }
}

/// Names that give the same address.
fn collisions(people: &[people::Person], naming_domain: &str) -> Vec<Collision> {
    let mut by_derived: BTreeMap<Address, Vec<Address>> = BTreeMap::new();
    for p in people {
        if let (Some(a), Ok(l)) = (&p.address, derived_local(p))
            && let Ok(d) = Address::new(&l, naming_domain)
        {
            by_derived.entry(d).or_default().push(a.clone());
        }
    }
    by_derived
        .into_iter()
        .filter(|(_, v)| v.len() > 1)
        .map(|(derived, addresses)| Collision { derived, addresses })
        .collect()
}

/// The most common quota of the accounts on the server, when every one has a quota.
fn default_quota(g: &people::Gathered) -> Option<Quota> {
    let quotas: Vec<Option<Quota>> = (g.people.iter().filter(|p| p.on_server).map(|p| p.quota))
        .chain(g.shared.iter().filter(|s| s.on_server).map(|s| s.quota))
        .collect();
    if quotas.is_empty() || quotas.iter().any(Option::is_none) {
        return None;
    }
    let mut counts: BTreeMap<Quota, usize> = BTreeMap::new();
    for q in quotas.iter().flatten() {
        *counts.entry(*q).or_default() += 1;
    }
    counts.into_iter().max_by_key(|(_, n)| *n).map(|(q, _)| q)
}

/// metadata.name of each person: from the full name, in list order then by address, unique.
fn person_names(people: &[people::Person], taken: &mut BTreeSet<String>) -> Vec<String> {
    let mut order: Vec<usize> = (0..people.len()).collect();
    order.sort_by_key(|&i| (people[i].row.is_none(), people[i].row, people[i].address.clone()));
    let mut names: Vec<String> = vec![String::new(); people.len()];
    for i in order {
        let p = &people[i];
        let fallback = p.address.as_ref().map(|a| slug(a.local())).unwrap_or_default();
        names[i] = unique(slug(&p.full_name), taken, &fallback);
    }
    names
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
                crate::msg!("diag-import-naming-domain"),
            )
            .hint(crate::msg!("hint-import-naming-domain")),
        );
        return Err(g.diags);
    };
    g.report.naming_domain.clone_from(&naming_domain);
    let (short_name, short_note) = short_name(&mut g, options, &naming_domain);
    let rules = ExtensionRules {
        max_length: 6,
        reserved: vec![short_name.clone()],
    };
    // Addresses: existing accounts and aliases first, so that a new hire never takes one.
    let mut held: BTreeMap<Address, String> = BTreeMap::new();
    for p in &g.people {
        for a in p.address.iter().chain(&p.aliases) {
            held.insert(a.clone(), p.full_name.clone());
        }
    }
    for s in &g.shared {
        held.insert(s.address.clone(), s.display_name.clone());
    }
    assign_new_hires(&mut g, &naming_domain, &rules, &mut held, &list_file);
    if g.diags.has_errors() {
        return Err(g.diags);
    }
    g.report.collisions = collisions(&g.people, &naming_domain);
    let mut taken = BTreeSet::new();
    let names = person_names(&g.people, &mut taken);
    let name_of = g
        .people
        .iter()
        .zip(&names)
        .filter_map(|(p, n)| p.address.clone().map(|a| (a, n.clone())))
        .collect();
    let source = match (&options.server, list) {
        (Some(s), Some(l)) => format!("the {s} server and {}", l.file.display()),
        (Some(s), None) => format!("the {s} server"),
        (None, Some(l)) => format!("{}", l.file.display()),
        (None, None) => "nothing".into(),
    };
    let mut cx = manifests::Context {
        default_quota: default_quota(&g),
        naming_domain,
        rules,
        names,
        name_of,
        source,
        taken,
    };
    let mut files = Vec::new();
    let mut holders = BTreeMap::new();
    for s in &g.shared {
        match manifests::shared_file(s, options, &mut cx, &mut g.report) {
            Ok((file, h)) => {
                files.push(file);
                holders.extend(h.map(|h| (s.address.clone(), h)));
            }
            Err(d) => g.diags.push(*d),
        }
    }
    if g.diags.has_errors() {
        return Err(g.diags);
    }
    g.report.shared_mailboxes = files.len();
    // Units: the list's, then `unassigned` for whoever it does not place.
    let mut unit_taken = BTreeSet::new();
    let unit_ids: Vec<String> = (g.units.iter())
        .map(|u| unique(slug(&u.name), &mut unit_taken, "unit"))
        .collect();
    let unassigned_id = unique(UNASSIGNED.into(), &mut unit_taken, UNASSIGNED);
    for (i, p) in g.people.iter().enumerate() {
        let unit = p.unit.map_or(&unassigned_id, |u| &unit_ids[u]);
        files.push(manifests::mailbox_file(&cx, i, p, unit, &mut g.report));
    }
    g.report.mailboxes = g.people.len();
    if g.units.is_empty() && g.people.iter().any(|p| p.unit.is_none()) {
        g.report.review.push(
            "spec.units: neither the server nor the list gives units; every person is in `unassigned`".into(),
        );
    }
    match (
        &options.display_name,
        g.shared.first().filter(|s| !s.display_name.is_empty()),
    ) {
        (Some(_), _) => {}
        (None, Some(_)) => g
            .report
            .review
            .push("spec.displayName is the agency mailbox's name: check it".into()),
        (None, None) => g
            .report
            .review
            .push("spec.displayName is the naming domain: give --display-name".into()),
    }
    let organization = manifests::organization_file(
        &cx,
        &g,
        options,
        (&short_name, short_note),
        (&unit_ids, &unassigned_id),
        &list_file,
        &held,
    );
    files.insert(0, organization);
    Ok(Imported {
        files,
        report: g.report,
        holders,
    })
}
