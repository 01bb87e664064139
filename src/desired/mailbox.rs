//! Checks of one Mailbox or SharedMailbox, on its own (cross-resource address checks are in `addresses`).

use std::collections::BTreeSet;

use super::values::{Address, Quota, parse_date};
use super::{DesiredMailbox, DesiredSharedMailbox, Organization, closest, label};
use crate::diagnostics::{Diagnostic, Diagnostics, Text};
use crate::manifest::{Kind, Loaded, MailboxSpec, Origin, SharedMailboxSpec};
use crate::msg;
use crate::naming::{self, NamingError};

/// Reports problems of one resource.
pub(super) struct Reporter<'a> {
    pub(super) kind: Kind,
    pub(super) name: &'a str,
    pub(super) origin: &'a Origin,
    pub(super) diags: &'a mut Diagnostics,
    pub(super) failed: bool,
}

impl Reporter<'_> {
    pub(super) fn error(
        &mut self,
        code: &'static str,
        field: &str,
        message: impl Into<Text>,
        hint: Option<Text>,
    ) {
        self.failed = true;
        self.push(
            Diagnostic::error(code, self.origin.value(field), message),
            field,
            hint,
        );
    }

    pub(super) fn warning(
        &mut self,
        code: &'static str,
        field: &str,
        message: impl Into<Text>,
        hint: Option<Text>,
    ) {
        self.push(
            Diagnostic::warning(code, self.origin.value(field), message),
            field,
            hint,
        );
    }

    fn push(&mut self, d: Diagnostic, field: &str, hint: Option<Text>) {
        let mut d = d.resource(label(self.kind, self.name)).field(field);
        if let Some(h) = hint {
            d = d.hint(h);
        }
        self.diags.push(d);
    }

    /// Parses an address of this resource that must be in one of the Organization's domains.
    fn address(&mut self, field: &str, text: &str, org: &Organization) -> Option<Address> {
        match text.parse::<Address>() {
            Ok(a) if org.domains.iter().any(|d| d == a.domain()) => Some(a),
            Ok(a) => {
                self.error(
                    "unknown-domain",
                    field,
                    msg!("diag-address-unknown-domain", address = a),
                    Some(msg!("hint-domains", domains = org.domains.join(", ")).into()),
                );
                None
            }
            Err(e) => {
                self.error(
                    "invalid-address",
                    field,
                    e.to_string(),
                    Some(crate::address::GRAMMAR_HINT.into()),
                );
                None
            }
        }
    }

    fn addresses(&mut self, field: &str, list: &[String], org: &Organization) -> Vec<Address> {
        let mut out: Vec<Address> = Vec::new();
        for (i, text) in list.iter().enumerate() {
            let f = format!("{field}[{i}]");
            if let Some(a) = self.address(&f, text, org) {
                if out.contains(&a) {
                    self.warning("duplicate-alias", &f, msg!("diag-listed-twice", item = a), None);
                } else {
                    out.push(a);
                }
            }
        }
        out
    }

    fn quota(&mut self, field: &str, text: Option<&str>, default: Option<Quota>) -> Option<Quota> {
        match text {
            None => default,
            Some(q) => q
                .parse::<Quota>()
                .map_err(|e| self.error("invalid-quota", field, e.to_string(), None))
                .ok(),
        }
    }

    /// Checks references to Mailboxes by name.
    fn references(
        &mut self,
        field: &str,
        list: &[String],
        names: &BTreeSet<String>,
        own: Option<&str>,
    ) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for (i, n) in list.iter().enumerate() {
            let f = format!("{field}[{i}]");
            if own == Some(n.as_str()) {
                self.error(
                    "self-delegation",
                    &f,
                    msg!("diag-self-delegation", name = n),
                    None,
                );
            } else if !names.contains(n.as_str()) {
                self.unknown_mailbox(&f, n, names);
            } else if out.contains(n) {
                self.warning(
                    "duplicate-delegate",
                    &f,
                    msg!("diag-listed-twice", item = n),
                    None,
                );
            } else {
                out.push(n.clone());
            }
        }
        out
    }

    fn unknown_mailbox(&mut self, field: &str, name: &str, names: &BTreeSet<String>) {
        let hint = match closest(name, names.iter().map(String::as_str)) {
            Some(c) => msg!("hint-did-you-mean-mailbox", name = c),
            None => msg!("hint-name-a-mailbox"),
        };
        self.error(
            "unknown-mailbox",
            field,
            msg!("diag-unknown-mailbox", name = name),
            Some(hint.into()),
        );
    }
}

fn naming_error(r: &mut Reporter<'_>, e: &NamingError, spec: &MailboxSpec) {
    match e {
        NamingError::NotInFullName { part, .. } => {
            let field = if spec.given_name.as_deref() == Some(part.as_str()) {
                "spec.givenName"
            } else {
                "spec.familyName"
            };
            r.error(
                "name-mismatch",
                field,
                e.to_string(),
                Some(msg!("hint-as-in-full-name").into()),
            );
        }
        NamingError::Overlap(_) => r.error("name-mismatch", "spec.familyName", e.to_string(), None),
        NamingError::Empty | NamingError::Unfoldable { .. } => r.error(
            "unfoldable-name",
            "spec.fullName",
            msg!("diag-unfoldable-name", error = e),
            Some(msg!("hint-unfoldable-name").into()),
        ),
    }
}

/// Validates one Mailbox. `None` when no address could be made; otherwise the mailbox and whether it is
/// free of errors (a mailbox with errors still takes part in the address checks, so that every problem is
/// reported at once, but is left out of the desired state).
pub(super) fn check(
    m: &Loaded<MailboxSpec>,
    org: &Organization,
    names: &BTreeSet<String>,
    diags: &mut Diagnostics,
) -> Option<(DesiredMailbox, bool)> {
    let spec = &m.spec;
    let mut r = Reporter {
        kind: Kind::Mailbox,
        name: m.name(),
        origin: &m.origin,
        diags,
        failed: false,
    };
    let full_name = naming::display_name(&spec.full_name);
    if org.unit(&spec.unit).is_none() {
        let hint = match closest(&spec.unit, org.units.iter().map(|u| u.id.as_str())) {
            Some(c) => msg!("hint-did-you-mean", name = c),
            None => msg!(
                "hint-units",
                units = org
                    .units
                    .iter()
                    .map(|u| u.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        r.error(
            "unknown-unit",
            "spec.unit",
            msg!("diag-unknown-unit", unit = spec.unit),
            Some(hint.into()),
        );
    }
    let parts = naming::split_name(
        &spec.full_name,
        spec.given_name.as_deref(),
        spec.family_name.as_deref(),
    )
    .map_err(|e| naming_error(&mut r, &e, spec))
    .ok();
    let derived_local = parts.as_ref().and_then(|p| naming::derive_local_part(p).ok());
    // A name with no address under the rule (李小龍) is an error only where the address would be derived:
    // an explicit `address` is then checked as any exception to the convention (it needs a `reason`).
    if let (Some(p), None, None) = (&parts, &derived_local, &spec.address)
        && let Err(e) = naming::derive_local_part(p)
    {
        naming_error(&mut r, &e, spec);
    }
    if let Some(ext) = &spec.extension
        && let Err(e) = naming::check_extension(ext, &org.extension_rules)
    {
        r.error(
            "invalid-extension",
            "spec.extension",
            e.to_string(),
            Some(msg!("hint-extension", max = org.extension_rules.max_length).into()),
        );
    }
    let domain = spec.domain.clone().unwrap_or_else(|| org.naming_domain.clone());
    if spec.domain.is_some() && !org.domains.contains(&domain) {
        r.error(
            "unknown-domain",
            "spec.domain",
            msg!("diag-unknown-domain", domain = domain),
            Some(msg!("hint-domains", domains = org.domains.join(", ")).into()),
        );
    }
    let conventional = derived_local
        .as_deref()
        .and_then(|l| Address::new(&naming::with_extension(l, spec.extension.as_deref()), &domain).ok());
    let (address, derived) = resolve_address(&mut r, spec, org, conventional);
    let backup_email = check_backup(&mut r, spec, address.as_ref());
    let aliases = r.addresses("spec.aliases", &spec.aliases, org);
    for (i, a) in aliases.iter().enumerate() {
        if Some(a) == address.as_ref() {
            r.warning(
                "alias-is-address",
                &format!("spec.aliases[{i}]"),
                msg!("diag-alias-is-address", alias = a),
                None,
            );
        }
    }
    let former_addresses = r.addresses("spec.formerAddresses", &spec.former_addresses, org);
    let quota = r.quota("spec.quota", spec.quota.as_deref(), org.default_quota);
    let (start_date, end_date) = check_dates(&mut r, spec.start_date.as_deref(), spec.end_date.as_deref());
    if let Some(o) = spec.order
        && o < 0
    {
        r.error(
            "out-of-range",
            "spec.order",
            msg!("diag-negative-order", order = o),
            None,
        );
    }
    if spec.title.as_deref().is_some_and(|t| t.trim().is_empty()) {
        r.warning(
            "empty-field",
            "spec.title",
            msg!("diag-empty-title"),
            Some(msg!("hint-empty-title").into()),
        );
    }
    let delegates = r.references("spec.delegates", &spec.delegates, names, Some(m.name()));
    let ok = !r.failed;
    let parts = parts?;
    let mailbox = DesiredMailbox {
        name: m.name().to_string(),
        full_name,
        given_name: parts.given.join(" "),
        family_name: parts.family.clone(),
        middle_names: parts.middle.clone(),
        address: address?,
        extension: spec.extension.clone(),
        derived,
        unit: spec.unit.clone(),
        title: spec.title.as_ref().map(|t| t.trim().to_string()),
        order: spec.order,
        backup_email,
        aliases,
        former_addresses,
        quota,
        state: spec.state,
        start_date,
        end_date,
        delegates,
        origin: m.origin.clone(),
    };
    Some((mailbox, ok))
}

/// The address: derived, or explicit (which must match the convention or carry a reason).
fn resolve_address(
    r: &mut Reporter<'_>,
    spec: &MailboxSpec,
    org: &Organization,
    conventional: Option<Address>,
) -> (Option<Address>, bool) {
    let Some(explicit) = &spec.address else {
        if spec.reason.is_some() {
            r.warning(
                "unused-reason",
                "spec.reason",
                msg!("diag-reason-without-address"),
                None,
            );
        }
        return (conventional, true);
    };
    let Some(addr) = r.address("spec.address", explicit, org) else {
        return (None, false);
    };
    if conventional.as_ref() == Some(&addr) {
        if spec.reason.is_some() {
            r.warning(
                "unused-reason",
                "spec.reason",
                msg!("diag-reason-not-needed"),
                None,
            );
        }
        return (Some(addr), true);
    }
    let has_reason = spec.reason.as_deref().is_some_and(|s| !s.trim().is_empty());
    if !has_reason {
        let message = match conventional {
            Some(c) => msg!("diag-address-convention-gives", address = addr, expected = c),
            None => msg!("diag-address-convention", address = addr),
        };
        r.error(
            "address-convention",
            "spec.address",
            message,
            Some(msg!("hint-address-convention").into()),
        );
    }
    (Some(addr), false)
}

fn check_backup(r: &mut Reporter<'_>, spec: &MailboxSpec, own: Option<&Address>) -> Option<String> {
    let text = spec.backup_email.as_deref()?;
    match text.parse::<Address>() {
        Ok(a) => {
            if Some(&a) == own {
                r.warning(
                    "backup-is-own-address",
                    "spec.backupEmail",
                    msg!("diag-backup-is-own-address", address = a),
                    Some(msg!("hint-backup-outside").into()),
                );
            }
            Some(a.to_string())
        }
        Err(e) => {
            r.error(
                "invalid-email",
                "spec.backupEmail",
                e.to_string(),
                Some(msg!("hint-email-example").into()),
            );
            None
        }
    }
}

fn check_dates(
    r: &mut Reporter<'_>,
    start: Option<&str>,
    end: Option<&str>,
) -> (Option<chrono::NaiveDate>, Option<chrono::NaiveDate>) {
    let mut parse = |field: &str, s: Option<&str>| {
        s.and_then(|s| {
            parse_date(s)
                .map_err(|e| r.error("invalid-date", field, e, None))
                .ok()
        })
    };
    let start = parse("spec.startDate", start);
    let end = parse("spec.endDate", end);
    if let (Some(s), Some(e)) = (start, end)
        && e < s
    {
        r.error(
            "invalid-date",
            "spec.endDate",
            msg!("diag-end-before-start", end = e, start = s),
            None,
        );
    }
    (start, end)
}

/// Validates one SharedMailbox, like [`check`].
pub(super) fn check_shared(
    s: &Loaded<SharedMailboxSpec>,
    org: &Organization,
    names: &BTreeSet<String>,
    diags: &mut Diagnostics,
) -> Option<(DesiredSharedMailbox, bool)> {
    let spec = &s.spec;
    let mut r = Reporter {
        kind: Kind::SharedMailbox,
        name: s.name(),
        origin: &s.origin,
        diags,
        failed: false,
    };
    let address = r.address("spec.address", &spec.address, org);
    if spec.display_name.trim().is_empty() {
        r.error(
            "empty-field",
            "spec.displayName",
            msg!("diag-empty-display-name"),
            None,
        );
    }
    let owner = match spec.owner.as_deref() {
        None | Some("") => {
            r.error(
                "missing-owner",
                "spec.owner",
                msg!("diag-missing-owner"),
                Some(msg!("hint-missing-owner").into()),
            );
            None
        }
        Some(o) if !names.contains(o) => {
            r.unknown_mailbox("spec.owner", o, names);
            None
        }
        Some(o) => Some(o.to_string()),
    };
    let delegates = r.references("spec.delegates", &spec.delegates, names, None);
    if let Some(o) = &owner
        && let Some(i) = delegates.iter().position(|d| d == o)
    {
        r.warning(
            "owner-is-delegate",
            &format!("spec.delegates[{i}]"),
            msg!("diag-owner-is-delegate", name = o),
            None,
        );
    }
    let aliases = r.addresses("spec.aliases", &spec.aliases, org);
    let former_addresses = r.addresses("spec.formerAddresses", &spec.former_addresses, org);
    let quota = r.quota("spec.quota", spec.quota.as_deref(), org.default_quota);
    let ok = !r.failed;
    let shared = DesiredSharedMailbox {
        name: s.name().to_string(),
        address: address?,
        display_name: spec.display_name.trim().to_string(),
        owner: owner.unwrap_or_default(),
        delegates,
        aliases,
        former_addresses,
        quota,
        origin: s.origin.clone(),
    };
    Some((shared, ok))
}
