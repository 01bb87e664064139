//! The directory as LDIF (RFC 2849) for the provincial electronic directory (rule II.3): an
//! `organizationalUnit` per unit (a subordinate unit below its parent), an `inetOrgPerson` per person below
//! their unit, and one per agency mailbox below the base.
//!
//! Every value that is not a plain ASCII "safe string" (any Vietnamese name) is written base64-encoded, as
//! RFC 2849 requires; lines are folded at 76 columns. Every value put into a distinguished name (a local
//! part may hold `+`, which starts a multi-valued RDN) is escaped as RFC 4514 says (`\2b`); the operator's
//! base DN is checked, not escaped. A DN is ASCII (escaped values, the checked base), written on one line.

use base64ct::Encoding;
use ldap3::dn_escape;

use super::Directory;
use crate::desired::DesiredMailbox;

/// `attr: value`, or `attr:: base64` when the value is not a SAFE-STRING (RFC 2849).
fn line(attr: &str, value: &str) -> String {
    let safe_init = value
        .chars()
        .next()
        .is_none_or(|c| c.is_ascii() && !matches!(c, '\0' | '\n' | '\r' | ' ' | ':' | '<'));
    let safe = value
        .chars()
        .all(|c| c.is_ascii() && !matches!(c, '\0' | '\n' | '\r'));
    let text = if safe_init && safe && !value.ends_with(' ') {
        format!("{attr}: {value}")
    } else {
        format!("{attr}:: {}", base64ct::Base64::encode_string(value.as_bytes()))
    };
    fold(&text)
}

/// Folds a line at 76 octets: continuation lines start with one space.
fn fold(text: &str) -> String {
    let bytes = text.as_bytes();
    if bytes.len() <= 76 {
        return format!("{text}\n");
    }
    // Only ASCII is folded here (base64 or safe strings), so any byte offset is a character boundary.
    let mut out = String::with_capacity(bytes.len() + bytes.len() / 75 * 2);
    out.push_str(&text[..76]);
    out.push('\n');
    let mut rest = &text[76..];
    while !rest.is_empty() {
        let take = rest.len().min(75);
        out.push(' ');
        out.push_str(&rest[..take]);
        out.push('\n');
        rest = &rest[take..];
    }
    out
}

/// The default base: the naming domain's labels as `dc=` components.
#[must_use]
pub fn default_base(domain: &str) -> String {
    domain
        .split('.')
        .map(|l| format!("dc={l}"))
        .collect::<Vec<_>>()
        .join(",")
}

/// Checks an operator's base DN: `attr=value` components separated by commas, no line breaks, no escapes
/// (what a provincial directory's base looks like: `ou=bdt,dc=binhthuan,dc=gov,dc=vn`).
///
/// # Errors
/// What is wrong, for the command line.
pub fn check_base(base: &str) -> Result<String, String> {
    let ok = !base.is_empty()
        && base.split(',').all(|rdn| {
            rdn.split_once('=').is_some_and(|(a, v)| {
                !a.is_empty()
                    && a.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                    && !v.is_empty()
                    && v.chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | ' '))
            })
        });
    if ok {
        Ok(base.to_string())
    } else {
        Err(format!(
            "`{}` is not a base DN of plain components, e.g. dc=bdt,dc=binhthuan,dc=gov,dc=vn",
            crate::diagnostics::escape_controls(base)
        ))
    }
}

fn unit_dn(dir: &Directory<'_>, id: &str, base: &str) -> String {
    let mut dn = format!("ou={}", dn_escape(id));
    let mut parent = dir.state.organization.unit(id).and_then(|u| u.parent.clone());
    // The validator refuses cycles; the bound keeps this finite whatever it is given.
    for _ in 0..dir.state.organization.units.len() {
        let Some(p) = parent else { break };
        dn.push_str(&format!(",ou={}", dn_escape(&p)));
        parent = dir.state.organization.unit(&p).and_then(|u| u.parent.clone());
    }
    format!("{dn},{base}")
}

fn person(dir: &Directory<'_>, unit: &crate::desired::Unit, p: &DesiredMailbox, base: &str) -> String {
    let org = &dir.state.organization;
    let local = p.address.local();
    let dn = format!("uid={},{}", dn_escape(local), unit_dn(dir, &unit.id, base));
    let mut out = format!("dn: {dn}\n");
    for class in ["top", "person", "organizationalPerson", "inetOrgPerson"] {
        out.push_str(&format!("objectClass: {class}\n"));
    }
    out.push_str(&line("uid", local));
    out.push_str(&line("mail", p.address.as_str()));
    out.push_str(&line("cn", &p.full_name));
    out.push_str(&line("displayName", &p.full_name));
    // `sn` is required by `person`: the family name, or the whole name when none is known.
    let mut family = p.family_name.clone().unwrap_or_default();
    if family.is_empty() {
        family.clone_from(&p.full_name);
    }
    out.push_str(&line("sn", &family));
    out.push_str(&line("givenName", &p.given_name));
    if let Some(t) = p.title.as_deref().filter(|t| !t.is_empty()) {
        out.push_str(&line("title", t));
    }
    out.push_str(&line("ou", &unit.name));
    out.push_str(&line("o", &org.display_name));
    out
}

/// Renders the entries, parents first.
pub(super) fn render(dir: &Directory<'_>, base: &str) -> String {
    let org = &dir.state.organization;
    let l = dir.lang.labels();
    let mut out = String::from("version: 1\n");
    out.push_str(&format!(
        "# {} ({}), {}\n\n",
        l.title,
        crate::diagnostics::escape_controls(&org.name),
        dir.as_of
    ));
    // Every unit of a group, and the units above it, parents first (the Organization lists parents first
    // or not: the depth orders them).
    let mut units: Vec<&crate::desired::Unit> = org
        .units
        .iter()
        .filter(|u| {
            dir.groups.iter().any(|g| {
                let mut id = Some(g.unit.id.clone());
                for _ in 0..=org.units.len() {
                    match id {
                        Some(i) if i == u.id => return true,
                        Some(i) => id = org.unit(&i).and_then(|x| x.parent.clone()),
                        None => break,
                    }
                }
                false
            })
        })
        .collect();
    units.sort_by_key(|u| unit_dn(dir, &u.id, base).matches(",ou=").count());
    for u in units {
        out.push_str(&format!("dn: {}\n", unit_dn(dir, &u.id, base)));
        out.push_str("objectClass: top\nobjectClass: organizationalUnit\n");
        out.push_str(&line("ou", &u.id));
        out.push_str(&line("ou", &u.name));
        out.push_str(&line("description", &u.heading));
        out.push('\n');
    }
    for s in dir.shared {
        out.push_str(&format!("dn: uid={},{base}\n", dn_escape(s.address.local())));
        for class in ["top", "person", "organizationalPerson", "inetOrgPerson"] {
            out.push_str(&format!("objectClass: {class}\n"));
        }
        out.push_str(&line("uid", s.address.local()));
        out.push_str(&line("mail", s.address.as_str()));
        out.push_str(&line("cn", &s.display_name));
        out.push_str(&line("sn", &s.display_name));
        out.push_str(&line("o", &org.display_name));
        out.push_str(&line(
            "description",
            &format!("{} — {}", l.agency_mailbox, dir.shared_line(s)),
        ));
        out.push('\n');
    }
    for g in &dir.groups {
        for p in &g.people {
            out.push_str(&person(dir, g.unit, p, base));
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_that_are_not_safe_strings_are_base64() {
        assert_eq!(line("uid", "anvtt"), "uid: anvtt\n");
        assert_eq!(
            line("cn", "Võ Thị Thu An"),
            format!(
                "cn:: {}\n",
                base64ct::Base64::encode_string("Võ Thị Thu An".as_bytes())
            )
        );
        assert!(line("cn", ":x").starts_with("cn:: "));
        assert!(line("cn", " x").starts_with("cn:: "));
        assert!(line("cn", "x ").starts_with("cn:: "));
        let long = line("description", &"a".repeat(200));
        assert!(long.lines().all(|l| l.len() <= 76));
        assert_eq!(
            long.lines().skip(1).map(|l| &l[1..]).collect::<String>().len(),
            200 + "description: ".len() - 76
        );
    }

    #[test]
    fn a_base_dn_is_plain_components() {
        assert_eq!(
            default_base("bdt.binhthuan.gov.vn"),
            "dc=bdt,dc=binhthuan,dc=gov,dc=vn"
        );
        assert!(check_base("ou=bdt,dc=binhthuan,dc=gov,dc=vn").is_ok());
        for bad in ["", "dc=x\ndn: cn=admin", "dc=x,", "=x", "dc=a+b", "cn=a\\,b"] {
            assert!(check_base(bad).is_err(), "{bad:?}");
        }
    }
}
