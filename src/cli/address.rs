//! `mailops address "<full name>" [--repo PATH]`.

use std::path::PathBuf;

use clap::Args;
use serde::Serialize;

use super::{OutputFormat, Printer};
use crate::desired::{Address, DesiredState};
use crate::naming::{self, ExtensionRules, NameParts};

/// Arguments of `address`.
#[derive(Debug, Args)]
pub struct AddressArgs {
    /// Full name as written, family name first: "Võ Thị Thu An".
    pub full_name: String,
    /// The given name, for names that do not follow the Kinh order (family, middle, given).
    #[arg(long)]
    pub given: Option<String>,
    /// The family name, when it is not the first word.
    #[arg(long)]
    pub family: Option<String>,
    /// Check against this staff repository: collisions, and free extensions if taken.
    #[arg(long, value_name = "PATH")]
    pub repo: Option<PathBuf>,
    /// Domain of the address (default: the repository's naming domain; without either, the local part alone).
    #[arg(long)]
    pub domain: Option<String>,
    /// The person's title, to suggest an extension from its initials (Chánh Thanh tra → ctt).
    #[arg(long)]
    pub title: Option<String>,
    /// The person's unit id, to suggest an extension from the unit's name.
    #[arg(long)]
    pub unit: Option<String>,
    /// Output format.
    #[arg(long, short, value_enum, default_value_t = OutputFormat::Text)]
    pub output: OutputFormat,
}

/// Who holds a taken address.
#[derive(Debug, Serialize)]
struct Holder {
    resource: crate::manifest::ResourceId,
    location: String,
    field: &'static str,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Report {
    address: String,
    local_part: String,
    given_name: String,
    family_name: Option<String>,
    middle_names: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    collides: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    taken_by: Option<Holder>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    free_extensions: Vec<String>,
}

/// Finds who uses `address` in the state: a person's address or alias, or an agency mailbox.
fn holder(state: &DesiredState, address: &Address) -> Option<Holder> {
    for m in &state.mailboxes {
        if &m.address == address || m.aliases.contains(address) {
            let field = if &m.address == address { "address" } else { "alias" };
            return Some(Holder {
                resource: crate::manifest::ResourceId::new(crate::manifest::Kind::Mailbox, m.name.clone()),
                location: m.origin.document().to_string(),
                field,
            });
        }
    }
    state
        .shared_mailboxes
        .iter()
        .find(|s| &s.address == address || s.aliases.contains(address))
        .map(|s| Holder {
            resource: crate::manifest::ResourceId::new(crate::manifest::Kind::SharedMailbox, s.name.clone()),
            location: s.origin.document().to_string(),
            field: if &s.address == address { "address" } else { "alias" },
        })
}

fn taken(state: &DesiredState, address: &str) -> bool {
    address
        .parse::<Address>()
        .is_ok_and(|a| holder(state, &a).is_some() || state.organization.protected_addresses.contains(&a))
}

pub(super) fn run(args: &AddressArgs, printer: &Printer) -> u8 {
    let parts = match naming::split_name(&args.full_name, args.given.as_deref(), args.family.as_deref())
        .and_then(|p| naming::derive_local_part(&p).map(|l| (p, l)))
    {
        Ok(p) => p,
        Err(e) => {
            printer.error(
                &crate::t!("error-derive-address", name = args.full_name.as_str()),
                Some(&e),
                Some(&crate::t!("hint-derive-address")),
            );
            return 1;
        }
    };
    let (parts, local) = parts;
    let state = match &args.repo {
        None => None,
        Some(path) => {
            let (validated, _) =
                super::validate::load_and_validate(path, crate::manifest::loader::DEFAULT_MAX_FILE_SIZE);
            if validated.diagnostics.has_errors() {
                printer.note(&crate::t!(
                    "note-address-repository-errors",
                    path = path.display().to_string(),
                    count = validated.diagnostics.error_count()
                ));
            }
            match validated.state {
                Some(s) => Some(s),
                None => {
                    printer.error(
                        &crate::t!("error-read-organization", path = path.display().to_string()),
                        None,
                        None,
                    );
                    return 1;
                }
            }
        }
    };
    let domain = args
        .domain
        .clone()
        .or_else(|| state.as_ref().map(|s| s.organization.naming_domain.clone()));
    let report = build_report(args, &parts, &local, domain.as_deref(), state.as_ref());
    match args.output {
        OutputFormat::Json => printer.out(&format!(
            "{}\n",
            serde_json::to_string_pretty(&report).unwrap_or_default()
        )),
        OutputFormat::Text => printer.out(&text(&report)),
    }
    0
}

fn build_report(
    args: &AddressArgs,
    parts: &NameParts,
    local: &str,
    domain: Option<&str>,
    state: Option<&DesiredState>,
) -> Report {
    let address = domain.map_or_else(|| local.to_string(), |d| format!("{local}@{d}"));
    let mut report = Report {
        address,
        local_part: local.to_string(),
        given_name: parts.given.join(" "),
        family_name: parts.family.clone(),
        middle_names: parts.middle.clone(),
        collides: None,
        taken_by: None,
        free_extensions: Vec::new(),
    };
    let (Some(state), Some(domain)) = (state, domain) else {
        return report;
    };
    let addr = report.address.parse::<Address>().ok();
    report.taken_by = addr.as_ref().and_then(|a| holder(state, a));
    let protected = addr
        .as_ref()
        .is_some_and(|a| state.organization.protected_addresses.contains(a));
    report.collides = Some(report.taken_by.is_some() || protected);
    if report.collides == Some(true) {
        let rules: &ExtensionRules = &state.organization.extension_rules;
        let unit_name = args
            .unit
            .as_deref()
            .and_then(|u| state.organization.unit(u))
            .map(|u| u.name.as_str());
        report.free_extensions =
            naming::suggest_extensions(parts, args.title.as_deref(), unit_name, rules, |e| {
                !taken(
                    state,
                    &format!("{}@{domain}", naming::with_extension(local, Some(e))),
                )
            });
    }
    report
}

fn text(r: &Report) -> String {
    let mut out = format!("{}\n", r.address);
    let middle = if r.middle_names.is_empty() {
        "-".to_string()
    } else {
        r.middle_names.join(" ")
    };
    out.push_str(&format!(
        "  given name: {} · family name: {} · middle names: {middle}\n",
        r.given_name,
        r.family_name.as_deref().unwrap_or("-")
    ));
    match (&r.collides, &r.taken_by) {
        (Some(true), Some(h)) => out.push_str(&format!(
            "  taken: the {} of {} ({})\n",
            h.field, h.resource, h.location
        )),
        (Some(true), None) => out.push_str("  taken: a protected address of the Organization\n"),
        (Some(false), _) => out.push_str("  free: no resource in the repository uses it\n"),
        (None, _) => {}
    }
    if r.collides == Some(true) {
        if r.free_extensions.is_empty() {
            out.push_str("  no extension to suggest: agree one with the IT officer (rule II.2: 1-6 letters, no digits)\n");
        } else {
            let domain = r.address.split_once('@').map_or("", |(_, d)| d);
            let list: Vec<String> = r
                .free_extensions
                .iter()
                .map(|e| format!("{e} ({}.{e}@{domain})", r.local_part))
                .collect();
            out.push_str(&format!(
                "  free extensions (agree one with the IT officer): {}\n",
                list.join(", ")
            ));
        }
    }
    out
}
