//! Checks of the Organization.

use std::collections::BTreeMap;

use super::values::{Address, Quota, is_valid_domain};
use super::{Organization, SafetyLimits, Unit, closest, label};
use crate::diagnostics::{Diagnostic, Diagnostics, Text};
use crate::manifest::{Kind, Loaded, OrganizationSpec};
use crate::msg;
use crate::naming::ExtensionRules;

struct Ctx<'a> {
    org: &'a Loaded<OrganizationSpec>,
    diags: &'a mut Diagnostics,
}

impl Ctx<'_> {
    fn warning(&mut self, code: &'static str, field: &str, message: impl Into<Text>, hint: impl Into<Text>) {
        let d = Diagnostic::warning(code, self.org.origin.value(field), message)
            .resource(label(Kind::Organization, self.org.name()))
            .field(field)
            .hint(hint);
        self.diags.push(d);
    }

    fn error(&mut self, code: &'static str, field: &str, message: impl Into<Text>, hint: Option<Text>) {
        let mut d = Diagnostic::error(code, self.org.origin.value(field), message)
            .resource(label(Kind::Organization, self.org.name()))
            .field(field);
        if let Some(h) = hint {
            d = d.hint(h);
        }
        self.diags.push(d);
    }
}

/// Validates the Organization; problems go to `diags`, and the result keeps what is usable.
pub(super) fn check(org: &Loaded<OrganizationSpec>, diags: &mut Diagnostics) -> Organization {
    let spec = &org.spec;
    let mut cx = Ctx { org, diags };
    if spec.display_name.trim().is_empty() {
        cx.error(
            "empty-field",
            "spec.displayName",
            msg!("diag-empty-display-name"),
            None,
        );
    }
    let short_name = spec.short_name.trim().to_string();
    if short_name.is_empty() || !short_name.chars().all(|c| c.is_ascii_lowercase()) {
        cx.error(
            "invalid-short-name",
            "spec.shortName",
            msg!("diag-invalid-short-name", name = short_name),
            Some(msg!("hint-short-name").into()),
        );
    }
    let domains = check_domains(&mut cx);
    let units = check_units(&mut cx);
    let naming_domain = spec.naming.domain.clone();
    if !domains.contains(&naming_domain) {
        cx.error(
            "unknown-domain",
            "spec.naming.domain",
            msg!("diag-unknown-naming-domain", domain = naming_domain),
            Some(msg!("hint-domains", domains = domains.join(", ")).into()),
        );
    }
    let max_ext = spec.naming.max_extension_length;
    if !(1..=32).contains(&max_ext) {
        cx.error(
            "out-of-range",
            "spec.naming.maxExtensionLength",
            msg!("diag-max-extension-length", value = max_ext),
            Some(msg!("hint-max-extension-length").into()),
        );
    }
    let mut reserved = vec![short_name.clone()];
    for (i, r) in spec.naming.reserved_extensions.iter().enumerate() {
        if r.is_empty() || !r.chars().all(|c| c.is_ascii_lowercase()) {
            cx.error(
                "invalid-extension",
                &format!("spec.naming.reservedExtensions[{i}]"),
                msg!("diag-reserved-extension", extension = r),
                None,
            );
        }
        reserved.push(r.clone());
    }
    let protected_addresses = check_protected(&mut cx, &domains);
    let safety = check_safety(&mut cx);
    check_attachments(&mut cx);
    let calendar = {
        let mut found = Vec::new();
        let calendar = super::calendar::check(spec.calendar.as_ref(), &mut found);
        for (is_error, field, code, message, hint) in found {
            if is_error {
                cx.error(code, &field, message, Some(hint));
            } else {
                cx.warning(code, &field, message, hint);
            }
        }
        calendar
    };
    let default_quota = spec
        .defaults
        .as_ref()
        .and_then(|d| d.quota.as_deref())
        .and_then(|q| {
            q.parse::<Quota>()
                .map_err(|e| cx.error("invalid-quota", "spec.defaults.quota", e.to_string(), None))
                .ok()
        });
    Organization {
        name: org.name().to_string(),
        display_name: spec.display_name.trim().to_string(),
        short_name,
        domains,
        units,
        naming_domain,
        extension_rules: ExtensionRules {
            max_length: usize::try_from(max_ext.clamp(1, 32)).unwrap_or(6),
            reserved,
        },
        protected_addresses,
        safety,
        attachments: spec.attachments.clone(),
        calendar,
        default_quota,
        keep_old_address_as_alias: spec.naming.keep_old_address_as_alias,
    }
}

fn check_domains(cx: &mut Ctx<'_>) -> Vec<String> {
    let mut domains = Vec::new();
    if cx.org.spec.domains.is_empty() {
        cx.error("no-domains", "spec.domains", msg!("diag-no-domains"), None);
    }
    for (i, d) in cx.org.spec.domains.iter().enumerate() {
        let field = format!("spec.domains[{i}].name");
        if !is_valid_domain(&d.name) {
            cx.error(
                "invalid-domain",
                &field,
                msg!("diag-invalid-domain", domain = d.name),
                Some(msg!("hint-invalid-domain").into()),
            );
        } else if domains.contains(&d.name) {
            cx.error(
                "duplicate-domain",
                &field,
                msg!("diag-domain-twice", domain = d.name),
                None,
            );
        } else {
            domains.push(d.name.clone());
        }
    }
    domains
}

fn check_units(cx: &mut Ctx<'_>) -> Vec<Unit> {
    let spec = &cx.org.spec;
    let mut units: Vec<Unit> = Vec::new();
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    if spec.units.is_empty() {
        cx.error(
            "no-units",
            "spec.units",
            msg!("diag-no-units"),
            Some(msg!("hint-no-units").into()),
        );
    }
    for (i, u) in spec.units.iter().enumerate() {
        if !super::is_dns_label(&u.id) {
            cx.error(
                "invalid-unit-id",
                &format!("spec.units[{i}].id"),
                msg!("diag-invalid-unit-id", unit = u.id),
                Some(msg!("hint-unit-id").into()),
            );
        }
        if seen.insert(&u.id, i).is_some() {
            cx.error(
                "duplicate-unit",
                &format!("spec.units[{i}].id"),
                msg!("diag-unit-twice", unit = u.id),
                None,
            );
            continue;
        }
        if u.name.trim().is_empty() {
            cx.error(
                "empty-field",
                &format!("spec.units[{i}].name"),
                msg!("diag-empty-unit-name"),
                None,
            );
        }
        units.push(Unit {
            id: u.id.clone(),
            name: u.name.trim().to_string(),
            heading: u.heading.clone().unwrap_or_else(|| u.name.trim().to_uppercase()),
            heading_written: u.heading.is_some(),
            parent: u.parent.clone(),
        });
    }
    for (i, u) in spec.units.iter().enumerate() {
        if let Some(p) = &u.parent
            && (p == &u.id || !seen.contains_key(p.as_str()))
        {
            let hint = closest(p, seen.keys().copied()).map(|c| msg!("hint-did-you-mean", name = c).into());
            cx.error(
                "unknown-unit",
                &format!("spec.units[{i}].parent"),
                msg!("diag-unknown-parent-unit", parent = p, unit = u.id),
                hint,
            );
        }
    }
    units
}

fn check_protected(cx: &mut Ctx<'_>, domains: &[String]) -> Vec<Address> {
    let mut out = Vec::new();
    for (i, a) in cx.org.spec.protected_addresses.iter().enumerate() {
        let field = format!("spec.protectedAddresses[{i}]");
        match a.parse::<Address>() {
            Ok(addr) if domains.iter().any(|d| d == addr.domain()) => out.push(addr),
            Ok(addr) => cx.error(
                "unknown-domain",
                &field,
                msg!("diag-protected-unknown-domain", address = addr),
                None,
            ),
            Err(e) => cx.error(
                "invalid-address",
                &field,
                e.to_string(),
                Some(crate::address::GRAMMAR_HINT.into()),
            ),
        }
    }
    out
}

fn check_safety(cx: &mut Ctx<'_>) -> SafetyLimits {
    let s = &cx.org.spec.safety;
    let mut non_negative = |field: &str, v: i32, max: Option<i32>| -> u32 {
        if v < 0 || max.is_some_and(|m| v > m) {
            let message = match max {
                Some(m) => msg!("diag-out-of-range-max", value = v, max = m),
                None => msg!("diag-out-of-range", value = v),
            };
            cx.error("out-of-range", field, message, None);
        }
        u32::try_from(v.max(0)).unwrap_or(0)
    };
    SafetyLimits {
        max_deletions: non_negative(
            "spec.safety.maxDeletions",
            s.max_deletions,
            Some(super::values::bounds::MAX_DELETIONS),
        ),
        max_deletion_percent: non_negative(
            "spec.safety.maxDeletionPercent",
            s.max_deletion_percent,
            Some(100),
        ),
        grace_days: non_negative(
            "spec.safety.graceDays",
            s.grace_days,
            Some(super::values::bounds::MAX_GRACE_DAYS),
        ),
    }
}

/// Most file types in each attachment list.
const MAX_FILE_TYPES: usize = 200;
/// Longest file type.
const MAX_FILE_TYPE_LEN: usize = 16;

fn check_attachments(cx: &mut Ctx<'_>) {
    let Some(a) = cx.org.spec.attachments.clone() else {
        return;
    };
    let lists = [
        ("allowed", &a.allowed),
        ("compressed", &a.compressed),
        ("forbidden", &a.forbidden),
    ];
    for (list, exts) in lists {
        for (i, e) in exts.iter().enumerate() {
            if e.is_empty()
                || e.len() > MAX_FILE_TYPE_LEN
                || e.starts_with('.')
                || !e.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
            {
                cx.error(
                    "invalid-file-type",
                    &format!("spec.attachments.{list}[{i}]"),
                    msg!("diag-invalid-file-type", extension = e),
                    Some(msg!("hint-invalid-file-type").into()),
                );
            }
        }
    }
    for (list, exts) in lists {
        if exts.len() > MAX_FILE_TYPES {
            cx.error(
                "too-many-items",
                &format!("spec.attachments.{list}"),
                msg!(
                    "diag-too-many-file-types",
                    count = exts.len(),
                    max = MAX_FILE_TYPES
                ),
                Some(msg!("hint-too-many-file-types").into()),
            );
        }
    }
    if let Some(rule) = &a.rule
        && (rule.trim().is_empty()
            || rule.chars().count() > 60
            || !rule
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || " .,:;()/-".contains(c)))
    {
        cx.error(
            "invalid-rule-reference",
            "spec.attachments.rule",
            msg!(
                "diag-invalid-rule-reference",
                rule = crate::diagnostics::escape_controls(rule)
            ),
            Some(msg!("hint-rule-reference").into()),
        );
    }
    for (i, e) in a.forbidden.iter().enumerate() {
        if a.allowed.contains(e) || a.compressed.contains(e) {
            cx.error(
                "contradictory-attachment-policy",
                &format!("spec.attachments.forbidden[{i}]"),
                msg!("diag-allowed-and-forbidden", extension = e),
                Some(msg!("hint-allowed-and-forbidden").into()),
            );
        }
    }
}
