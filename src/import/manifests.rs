//! The manifests an import writes, one function per kind: fields in the order of the example, the values to
//! review marked with comments, and what each says of rule II.2 counted in the report.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use super::emit::{Doc, slug};
use super::people::{self, Form, form};
use super::{Exception, File, Holders, NewHire, Options, Report, SYSTEM_LOCAL_PARTS, unique};
use crate::backend::AccessLevel;
use crate::desired::{Address, Quota};
use crate::diagnostics::{Diagnostic, Location};
use crate::naming::ExtensionRules;

/// What every manifest is written against: the naming domain and the extension rules, the names given to
/// people, the default quota, and where the import read from.
pub(super) struct Context {
    pub(super) naming_domain: String,
    pub(super) rules: ExtensionRules,
    /// metadata.name of each person, in the order of [`people::Gathered::people`].
    pub(super) names: Vec<String>,
    /// metadata.name by address.
    pub(super) name_of: BTreeMap<Address, String>,
    pub(super) default_quota: Option<Quota>,
    /// "the maildir server and list.csv", for comments.
    pub(super) source: String,
    pub(super) taken: BTreeSet<String>,
}

/// An agency mailbox's manifest, and on a server that does not record access, who holds its credentials.
pub(super) fn shared_file(
    s: &people::Shared,
    options: &Options,
    cx: &mut Context,
    report: &mut Report,
) -> Result<(File, Option<Holders>), Box<Diagnostic>> {
    let name = unique(slug(s.address.local()), &mut cx.taken, "agency-mailbox");
    let name_of = &cx.name_of;
    let Some(o) = &s.owner else {
        return Err(Box::new(
            Diagnostic::error(
                "missing-owner",
                Location::file("--shared"),
                crate::msg!("diag-import-owner-unknown", address = s.address),
            )
            .hint(crate::msg!("hint-import-owner", address = s.address)),
        ));
    };
    let owner_address = match o.parse::<Address>() {
        Ok(a) => name_of.contains_key(&a).then_some(a),
        Err(_) => name_of.iter().find(|(_, n)| *n == o).map(|(a, _)| a.clone()),
    };
    let Some(owner_address) = owner_address else {
        return Err(Box::new(
            Diagnostic::error(
                "unknown-mailbox",
                Location::file("--shared"),
                crate::msg!("diag-import-owner-not-imported", owner = o, address = s.address),
            )
            .hint(crate::msg!("hint-import-owner-name")),
        ));
    };
    let owner = name_of[&owner_address].clone();
    let delegates: Vec<&str> = (s.delegates.iter())
        .filter_map(|d| name_of.get(d))
        .filter(|d| **d != owner)
        .map(String::as_str)
        .collect();
    let display_name = if s.display_name.is_empty() {
        (options.display_name.clone()).unwrap_or_else(|| s.address.local().to_string())
    } else {
        s.display_name.clone()
    };
    let holders = (options.server.is_some() && !options.server_records_access && s.on_server).then(|| {
        report.review.push(format!(
            "{}: the server does not record who holds its credentials; the inventory records {owner} as their holder",
            s.address
        ));
        BTreeMap::from([(owner_address.clone(), AccessLevel::Owner)])
    });
    let mut doc = Doc::default();
    doc.comment(0, &format!("Imported by mailops from {}: {}", cx.source, s.how));
    doc.comment(
        0,
        "Rule IV.3: the head of the agency manages it; a change of `owner` is a handover.",
    );
    doc.resource("SharedMailbox", &name);
    doc.field(2, "address", s.address.as_str());
    doc.field(2, "displayName", &display_name);
    doc.field(2, "owner", &owner);
    doc.items(2, "delegates", delegates);
    doc.items(2, "aliases", s.aliases.iter().map(Address::as_str));
    if s.quota != cx.default_quota
        && let Some(q) = s.quota
    {
        doc.field(2, "quota", &q.to_string());
    }
    report.shared.push(format!("{} ({})", s.address, s.how));
    Ok((
        File {
            path: PathBuf::from("shared").join(format!("{name}.yaml")),
            text: doc.finish(),
        },
        holders,
    ))
}

/// Person `i`'s manifest; what it says of rule II.2 goes to the report.
pub(super) fn mailbox_file(
    cx: &Context,
    i: usize,
    p: &people::Person,
    unit: &str,
    report: &mut Report,
) -> File {
    let address = p
        .address
        .clone()
        .unwrap_or_else(|| unreachable!("new hires got addresses"));
    let name = &cx.names[i];
    let mut notes: Vec<&str> = Vec::new();
    if p.on_server && !p.named {
        report.without_name.push(address.clone());
        notes.push("the server knows no name for this account: write the person's full name");
    }
    if p.unit.is_none() {
        report.units_to_assign.push(address.clone());
        notes.push("unit to assign (the staff list does not place this person)");
    }
    let from = match (p.on_server, p.row) {
        (true, Some(r)) => format!("the server and row {r} of the list"),
        (true, None) => "the server".into(),
        (false, Some(r)) => format!("row {r} of the list (no account yet: apply creates it)"),
        (false, None) => "the list".into(),
    };
    let mut doc = Doc::default();
    doc.comment(0, &format!("Imported by mailops from {from}."));
    for n in notes {
        doc.comment(0, &format!("Cần xem lại / review: {n}"));
    }
    doc.resource("Mailbox", name);
    doc.field(2, "fullName", &p.full_name);
    if let Some(gn) = &p.given {
        doc.field(2, "givenName", gn);
    }
    if let Some(f) = &p.family {
        doc.field(2, "familyName", f);
    }
    doc.field(2, "unit", unit);
    if let Some(t) = &p.title {
        doc.field(2, "title", t);
    }
    if let Some(o) = p.order {
        doc.raw(2, "order", o);
    }
    match form(p, &address, &cx.naming_domain, &cx.rules) {
        Form::Derived { extension, domain } => {
            report.follow_rule += 1;
            if let Some(e) = extension {
                doc.field(2, "extension", &e);
                report.extensions.push(address.clone());
            }
            if let Some(d) = domain {
                doc.field(2, "domain", &d);
            }
        }
        Form::Explicit { derived, reason } => {
            doc.field(2, "address", address.as_str());
            doc.field(2, "reason", &reason);
            report.need_reason.push(Exception {
                name: name.clone(),
                address: address.clone(),
                derived,
                reason,
            });
        }
    }
    if let Some(b) = &p.backup {
        doc.field(2, "backupEmail", b);
    }
    doc.items(2, "aliases", p.aliases.iter().map(Address::as_str));
    if p.on_server
        && p.quota != cx.default_quota
        && let Some(q) = p.quota
    {
        doc.field(2, "quota", &q.to_string());
    }
    if p.suspended {
        doc.raw(2, "state", "suspended");
    }
    let delegates = (p.delegates.iter())
        .filter_map(|d| cx.name_of.get(d))
        .filter(|d| *d != name)
        .map(String::as_str);
    doc.items(2, "delegates", delegates);
    if !p.on_server
        && let Some(r) = p.row
    {
        report.new_hires.push(NewHire {
            row: r,
            name: name.clone(),
            address: address.clone(),
        });
    }
    File {
        path: PathBuf::from("staff").join(unit).join(format!("{name}.yaml")),
        text: doc.finish(),
    }
}

/// The Organization: domains, units, naming, protected addresses, safe limits, the default quota, and the
/// values the server cannot tell, marked for review.
pub(super) fn organization_file(
    cx: &Context,
    g: &people::Gathered,
    options: &Options,
    (short_name, short_note): (&str, Option<&str>),
    (unit_ids, unassigned_id): (&[String], &str),
    list_file: &std::path::Path,
    held: &BTreeMap<Address, String>,
) -> File {
    let naming_domain = &cx.naming_domain;
    let mut domains: BTreeSet<String> = BTreeSet::from([naming_domain.clone()]);
    let people = g.people.iter().flat_map(|p| p.address.iter().chain(&p.aliases));
    let shared = g
        .shared
        .iter()
        .flat_map(|s| std::iter::once(&s.address).chain(&s.aliases));
    domains.extend(people.chain(shared).map(|a| a.domain().to_string()));
    let mut protected: BTreeSet<String> = g.shared.iter().map(|s| s.address.to_string()).collect();
    protected.insert(format!("postmaster@{naming_domain}"));
    protected.extend(
        (held.keys())
            .filter(|a| SYSTEM_LOCAL_PARTS.contains(&a.local()) && domains.contains(a.domain()))
            .map(ToString::to_string),
    );
    let display = options.display_name.clone().or_else(|| {
        g.shared
            .first()
            .map(|s| s.display_name.clone())
            .filter(|d| !d.is_empty())
    });
    let display_note = match (&display, &options.display_name) {
        (None, _) => "cần xem lại / review: give --display-name",
        (Some(_), None) => "cần xem lại / review",
        (Some(_), Some(_)) => "",
    };
    let display = display.unwrap_or_else(|| naming_domain.clone());
    let mut doc = Doc::default();
    doc.comment(0, &format!("Imported by mailops from {}.", cx.source));
    doc.comment(
        0,
        "Cần xem lại / review: the values marked below, then `mailops validate` and `mailops plan`.",
    );
    doc.resource("Organization", &slug(short_name));
    doc.field_noted(
        2,
        "displayName",
        &display,
        Some(display_note).filter(|n| !n.is_empty()),
    );
    doc.comment(
        2,
        "Rule II.2: the agency's name may not be used as an address extension.",
    );
    doc.field_noted(2, "shortName", short_name, short_note);
    doc.open(2, "domains");
    for d in &domains {
        doc.item(4, "name", d);
    }
    doc.open(2, "units");
    if !g.units.is_empty() {
        doc.comment(4, &format!("Units as {} lists them.", list_file.display()));
    }
    let first_unit = unit_ids.first();
    for (u, id) in g.units.iter().zip(unit_ids) {
        doc.item(4, "id", id);
        doc.field(6, "name", &u.name);
        if u.from_heading {
            doc.field(6, "heading", &u.name);
            // The appendix marks a subordinate unit in its heading: `(Đơn vị trực thuộc)`.
            if slug(&u.name).contains("truc-thuoc")
                && let Some(parent) = first_unit.filter(|f| *f != id)
            {
                doc.field(6, "parent", parent);
            }
        }
    }
    if g.people.iter().any(|p| p.unit.is_none()) {
        doc.comment(
            4,
            "Cần xem lại / review: people the server and the list do not place; give each a unit.",
        );
        doc.item(4, "id", unassigned_id);
        doc.field(6, "name", "Chưa phân đơn vị (unassigned)");
    }
    doc.comment(
        2,
        "Rule II.2: <given name><initial of family name><initials of middle names>[.<extension>]",
    );
    doc.open(2, "naming");
    doc.field(4, "domain", naming_domain);
    doc.raw(4, "maxExtensionLength", cx.rules.max_length);
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
    if let Some(q) = cx.default_quota {
        doc.open(2, "defaults");
        doc.field(4, "quota", &q.to_string());
    }
    File {
        path: PathBuf::from("organization.yaml"),
        text: doc.finish(),
    }
}
