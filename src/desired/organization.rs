//! Checks of the Organization.

use std::collections::BTreeMap;

use super::values::{Address, Quota, is_valid_domain};
use super::{Organization, SafetyLimits, Unit, closest, label};
use crate::diagnostics::{Diagnostic, Diagnostics, Text};
use crate::manifest::{Kind, Loaded, OrganizationSpec};
use crate::naming::ExtensionRules;

struct Ctx<'a> {
    org: &'a Loaded<OrganizationSpec>,
    diags: &'a mut Diagnostics,
}

impl Ctx<'_> {
    fn warning(&mut self, code: &'static str, field: &str, message: impl Into<Text>, hint: String) {
        let d = Diagnostic::warning(code, self.org.origin.value(field), message)
            .resource(label(Kind::Organization, self.org.name()))
            .field(field)
            .hint(hint);
        self.diags.push(d);
    }

    fn error(&mut self, code: &'static str, field: &str, message: impl Into<Text>, hint: Option<String>) {
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
        cx.error("empty-field", "spec.displayName", "displayName is empty", None);
    }
    let short_name = spec.short_name.trim().to_string();
    if short_name.is_empty() || !short_name.chars().all(|c| c.is_ascii_lowercase()) {
        cx.error(
            "invalid-short-name",
            "spec.shortName",
            format!("shortName `{short_name}` must be lowercase ASCII letters"),
            Some("the agency's short name, e.g. `bdt`; rule II.2 forbids it as an address extension".into()),
        );
    }
    let domains = check_domains(&mut cx);
    let units = check_units(&mut cx);
    let naming_domain = spec.naming.domain.clone();
    if !domains.contains(&naming_domain) {
        cx.error(
            "unknown-domain",
            "spec.naming.domain",
            format!("naming domain `{naming_domain}` is not one of the Organization's domains"),
            Some(format!("domains: {}", domains.join(", "))),
        );
    }
    let max_ext = spec.naming.max_extension_length;
    if !(1..=32).contains(&max_ext) {
        cx.error(
            "out-of-range",
            "spec.naming.maxExtensionLength",
            format!("maxExtensionLength {max_ext} is outside 1..=32"),
            Some("rule II.2 sets 6".into()),
        );
    }
    let mut reserved = vec![short_name.clone()];
    for (i, r) in spec.naming.reserved_extensions.iter().enumerate() {
        if r.is_empty() || !r.chars().all(|c| c.is_ascii_lowercase()) {
            cx.error(
                "invalid-extension",
                &format!("spec.naming.reservedExtensions[{i}]"),
                format!("reserved extension `{r}` must be lowercase ASCII letters"),
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
        cx.error(
            "no-domains",
            "spec.domains",
            "the Organization has no domains",
            None,
        );
    }
    for (i, d) in cx.org.spec.domains.iter().enumerate() {
        let field = format!("spec.domains[{i}].name");
        if !is_valid_domain(&d.name) {
            cx.error(
                "invalid-domain",
                &field,
                format!("`{}` is not a valid domain name", d.name),
                Some("a lowercase DNS name such as `bdt.binhthuan.gov.vn`".into()),
            );
        } else if domains.contains(&d.name) {
            cx.error(
                "duplicate-domain",
                &field,
                format!("domain `{}` is listed twice", d.name),
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
            "the Organization has no units",
            Some("every Mailbox names its unit".into()),
        );
    }
    for (i, u) in spec.units.iter().enumerate() {
        if !super::is_dns_label(&u.id) {
            cx.error(
                "invalid-unit-id",
                &format!("spec.units[{i}].id"),
                format!("unit id `{}` is not a valid identifier", u.id),
                Some("lowercase ASCII letters, digits and hyphens, e.g. `trung-tam-dvmn`".into()),
            );
        }
        if seen.insert(&u.id, i).is_some() {
            cx.error(
                "duplicate-unit",
                &format!("spec.units[{i}].id"),
                format!("unit `{}` is defined twice", u.id),
                None,
            );
            continue;
        }
        if u.name.trim().is_empty() {
            cx.error(
                "empty-field",
                &format!("spec.units[{i}].name"),
                "unit name is empty",
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
            let hint = closest(p, seen.keys().copied()).map(|c| format!("did you mean `{c}`?"));
            cx.error(
                "unknown-unit",
                &format!("spec.units[{i}].parent"),
                format!("parent unit `{p}` of `{}` is not another defined unit", u.id),
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
                format!("protected address `{addr}` is not in the Organization's domains"),
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
            let range = max.map_or_else(|| "0 or more".to_string(), |m| format!("0 to {m}"));
            cx.error(
                "out-of-range",
                field,
                format!("{v} is out of range ({range})"),
                None,
            );
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
                    format!("`{e}` is not a file extension"),
                    Some("write the extension in lowercase without the dot, e.g. `pdf`".into()),
                );
            }
        }
    }
    for (list, exts) in lists {
        if exts.len() > MAX_FILE_TYPES {
            cx.error(
                "too-many-items",
                &format!("spec.attachments.{list}"),
                format!(
                    "{} file types, more than the {MAX_FILE_TYPES} allowed",
                    exts.len()
                ),
                Some("list the types the regulation names; rule III.3 names fourteen".into()),
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
            format!(
                "`{}` cannot be cited in a mail server's rejection",
                crate::diagnostics::escape_controls(rule)
            ),
            Some("at most 60 ASCII letters, digits, spaces and `.,:;()/-`, e.g. `III.3`".into()),
        );
    }
    for (i, e) in a.forbidden.iter().enumerate() {
        if a.allowed.contains(e) || a.compressed.contains(e) {
            cx.error(
                "contradictory-attachment-policy",
                &format!("spec.attachments.forbidden[{i}]"),
                format!("`{e}` is both allowed and forbidden"),
                Some(
                    "keep it in one list: `forbidden` for executables, `allowed` or `compressed` otherwise"
                        .into(),
                ),
            );
        }
    }
}
