//! People and agency mailboxes, read from the server's accounts and the staff list, joined by address; and
//! how rule II.2 reads each address.

use std::collections::{BTreeMap, BTreeSet};

use super::report::NameDifference;
use super::sheet::{self, StaffList};
use super::{Options, REPORT_VERSION, Report, SharedOption};
use crate::backend::{AccessLevel, Observation, ObservedAccount};
use crate::desired::{Address, Quota};
use crate::diagnostics::{Diagnostic, Diagnostics, Location};
use crate::naming::{self, ExtensionRules};

/// One person, from the server, the list or both.
#[derive(Debug, Clone, Default)]
pub(super) struct Person {
    pub(super) address: Option<Address>,
    pub(super) full_name: String,
    pub(super) given: Option<String>,
    pub(super) family: Option<String>,
    pub(super) named: bool,
    pub(super) unit: Option<usize>,
    pub(super) title: Option<String>,
    pub(super) backup: Option<String>,
    pub(super) order: Option<i32>,
    pub(super) quota: Option<Quota>,
    pub(super) aliases: BTreeSet<Address>,
    pub(super) suspended: bool,
    pub(super) delegates: Vec<Address>,
    pub(super) row: Option<usize>,
    pub(super) on_server: bool,
}

#[derive(Debug, Clone)]
pub(super) struct Shared {
    pub(super) address: Address,
    pub(super) display_name: String,
    pub(super) owner: Option<String>,
    pub(super) delegates: Vec<Address>,
    pub(super) quota: Option<Quota>,
    pub(super) aliases: BTreeSet<Address>,
    pub(super) how: String,
    /// Whether the server has it (else apply creates it).
    pub(super) on_server: bool,
}

/// How a person's address is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Form {
    Derived {
        extension: Option<String>,
        domain: Option<String>,
    },
    Explicit {
        derived: Option<Address>,
        reason: String,
    },
}

/// The name hints that make the Kinh-order reading of `full` give the server's given and family names.
pub(super) fn hints(full: &str, given: &str, family: &str) -> (Option<String>, Option<String>) {
    let want_given = naming::words(given);
    let want_family = naming::words(family);
    let reads = |g: Option<&str>, f: Option<&str>| {
        naming::split_name(full, g, f).is_ok_and(|p| {
            let mut rest: Vec<String> = p.family.iter().flat_map(|f| naming::words(f)).collect();
            rest.extend(p.middle.iter().cloned());
            p.given == want_given && rest == want_family
        })
    };
    if reads(None, None) {
        return (None, None);
    }
    if reads(Some(given), None) {
        return (Some(given.to_string()), None);
    }
    let first = want_family.first().map(String::as_str);
    if first.is_some() && reads(Some(given), first) {
        return (Some(given.to_string()), first.map(str::to_string));
    }
    (Some(given.to_string()), None)
}

/// A name read from the server, without control or formatting characters (a manifest cannot hold them; the
/// import's plan then shows the name written back without them).
fn clean(text: &str) -> String {
    let kept: String = text
        .chars()
        .filter(|&c| !c.is_control() && !crate::diagnostics::is_format(c))
        .collect();
    // A name with no letter (`--`, `.`, `?` in a passwd comment field) is no name: the account is imported
    // as unnamed, by its address.
    if !kept.chars().any(char::is_alphabetic) {
        return String::new();
    }
    naming::display_name(&kept)
}

pub(super) fn person_of(account: &ObservedAccount) -> Person {
    let (given, family) = (
        clean(account.given_name.as_deref().unwrap_or("")),
        clean(account.family_name.as_deref().unwrap_or("")),
    );
    let (given, family) = (given.as_str(), family.as_str());
    let display = clean(&account.display_name);
    let (full_name, given_hint, family_hint) = if !given.is_empty() {
        let full = if display.is_empty() {
            naming::display_name(&format!("{family} {given}"))
        } else {
            display.clone()
        };
        let (g, f) = hints(&full, given, family);
        (full, g, f)
    } else {
        (display, None, None)
    };
    let named = !full_name.is_empty();
    let full_name = if named {
        full_name
    } else {
        account.address.local().to_string()
    };
    Person {
        address: Some(account.address.clone()),
        full_name,
        given: given_hint,
        family: family_hint,
        named,
        quota: account.quota,
        aliases: account.aliases.clone(),
        suspended: !account.enabled,
        delegates: account
            .access
            .iter()
            .filter(|(_, l)| **l == AccessLevel::Delegate)
            .map(|(a, _)| a.clone())
            .collect(),
        on_server: true,
        ..Person::default()
    }
}

/// The local part rule II.2 gives a person, if the name gives one.
pub(super) fn derived_local(p: &Person) -> Result<String, naming::NamingError> {
    let parts = naming::split_name(&p.full_name, p.given.as_deref(), p.family.as_deref())?;
    naming::derive_local_part(&parts)
}

pub(super) fn form(p: &Person, address: &Address, naming_domain: &str, rules: &ExtensionRules) -> Form {
    if !p.named {
        // The local part stands in for the name: it says nothing about the rule.
        return Form::Explicit {
            derived: None,
            reason: "imported: the server knows no name for this account".into(),
        };
    }
    let derived = match derived_local(p) {
        Ok(d) => d,
        Err(e) => {
            return Form::Explicit {
                derived: None,
                reason: format!("imported: rule II.2 gives no address for the name ({e})"),
            };
        }
    };
    let derived_address = Address::new(&derived, naming_domain).ok();
    let other_domain = address.domain() != naming_domain;
    let local = address.local();
    let extension = if local == derived {
        Ok(None)
    } else if let Some(ext) = local.strip_prefix(&format!("{derived}.")) {
        naming::check_extension(ext, rules)
            .map(|()| Some(ext.to_string()))
            .map_err(|e| format!("imported: the extension breaks rule II.2 ({e})"))
    } else {
        Err(format!(
            "imported: rule II.2 gives `{derived}` for this name, the server has `{local}`"
        ))
    };
    match extension {
        Ok(extension) => Form::Derived {
            extension,
            domain: other_domain.then(|| address.domain().to_string()),
        },
        Err(reason) => Form::Explicit {
            derived: derived_address,
            reason: if other_domain {
                format!("{reason}; not in the naming domain {naming_domain}")
            } else {
                reason
            },
        },
    }
}

/// Reads the server's accounts and the list into people and agency mailboxes.
pub(super) struct Gathered {
    pub(super) people: Vec<Person>,
    pub(super) shared: Vec<Shared>,
    pub(super) units: Vec<sheet::ListedUnit>,
    pub(super) report: Report,
    pub(super) diags: Diagnostics,
}

pub(super) fn gather(
    observation: Option<&Observation>,
    list: Option<&StaffList>,
    options: &Options,
) -> Gathered {
    let mut g = Gathered {
        people: Vec::new(),
        shared: Vec::new(),
        units: list.map(|l| l.units.clone()).unwrap_or_default(),
        report: Report {
            version: REPORT_VERSION,
            ..Report::default()
        },
        diags: Diagnostics::default(),
    };
    let named: BTreeMap<&Address, &SharedOption> = options.shared.iter().map(|s| (&s.address, s)).collect();
    let accounts = observation.map_or(&[][..], |o| o.accounts.as_slice());
    g.report.accounts = accounts.len();
    for a in accounts {
        let longest = [
            Some(&a.display_name),
            a.given_name.as_ref(),
            a.family_name.as_ref(),
        ]
        .into_iter()
        .flatten()
        .map(|n| n.chars().count())
        .max()
        .unwrap_or(0);
        if longest > sheet::MAX_CELL_CHARS {
            g.diags.push(
                Diagnostic::error(
                    "server-name-too-long",
                    Location::file("--server"),
                    crate::msg!(
                        "diag-import-name-too-long",
                        address = a.address,
                        length = longest,
                        max = sheet::MAX_CELL_CHARS
                    ),
                )
                .hint(crate::msg!("hint-import-name-too-long")),
            );
            continue;
        }
        let owners: Vec<&Address> = a
            .access
            .iter()
            .filter(|(_, l)| **l == AccessLevel::Owner)
            .map(|(x, _)| x)
            .collect();
        let option = named.get(&a.address);
        if option.is_none() && owners.is_empty() {
            g.people.push(person_of(a));
            continue;
        }
        let how = match (option, owners.first()) {
            (Some(_), _) => "named with --shared".to_string(),
            (None, Some(o)) => format!("the server records {o} as its owner"),
            (None, None) => unreachable!("filtered above"),
        };
        let owner = option
            .and_then(|o| o.owner.clone())
            .or_else(|| owners.first().map(ToString::to_string));
        let delegates = a
            .access
            .iter()
            .filter(|(x, _)| owner.as_deref() != Some(x.as_str()))
            .map(|(x, _)| x.clone())
            .collect();
        let display_name = clean(&a.display_name);
        g.shared.push(Shared {
            address: a.address.clone(),
            display_name,
            owner,
            delegates,
            quota: a.quota,
            aliases: a.aliases.clone(),
            how,
            on_server: true,
        });
        if !a.enabled {
            g.report.review.push(format!(
                "{}: the agency mailbox is suspended on the server; plan resumes it",
                a.address
            ));
        }
    }
    for s in &options.shared {
        if observation.is_none() || !accounts.iter().any(|a| a.address == s.address) {
            g.shared.push(Shared {
                address: s.address.clone(),
                display_name: String::new(),
                owner: s.owner.clone(),
                delegates: Vec::new(),
                quota: None,
                aliases: BTreeSet::new(),
                how: if observation.is_some() {
                    "named with --shared; not on the server: apply creates it".into()
                } else {
                    "named with --shared".into()
                },
                on_server: false,
            });
        }
    }
    if let Some(list) = list {
        let shared: BTreeSet<Address> = g.shared.iter().map(|s| s.address.clone()).collect();
        join_list(&mut g, list, observation.is_some(), &shared);
    }
    g
}

/// Joins the list's rows with the server's people by address.
pub(super) fn join_list(g: &mut Gathered, list: &StaffList, with_server: bool, shared: &BTreeSet<Address>) {
    g.report.rows = list.rows.len();
    let mut orders: BTreeMap<Option<usize>, i32> = BTreeMap::new();
    let mut matched: BTreeSet<Address> = BTreeSet::new();
    for row in &list.rows {
        if row.account.as_ref().is_some_and(|a| shared.contains(a)) {
            continue;
        }
        let order = orders.entry(row.unit).or_insert(0);
        *order += 1;
        let existing = row
            .account
            .as_ref()
            .and_then(|a| g.people.iter().position(|p| p.address.as_ref() == Some(a)));
        let p = match existing {
            Some(i) => &mut g.people[i],
            None => {
                g.people.push(Person {
                    address: row.account.clone(),
                    full_name: row.full_name.clone(),
                    named: true,
                    ..Person::default()
                });
                g.people.last_mut().unwrap_or_else(|| unreachable!())
            }
        };
        if let Some(a) = &p.address {
            matched.insert(a.clone());
        }
        if p.on_server && p.full_name != row.full_name {
            let same_words = naming::words(&p.full_name) == naming::words(&row.full_name);
            if !same_words || p.named {
                if !same_words {
                    g.report.names_differ.push(NameDifference {
                        address: p.address.clone().unwrap_or_else(|| unreachable!()),
                        server: p.full_name.clone(),
                        list: row.full_name.clone(),
                    });
                }
                // The list writes the name as the person writes it (K'Rẻm where the server has `K Rẻm`).
                p.full_name.clone_from(&row.full_name);
                p.given = None;
                p.family = None;
                p.named = true;
            }
        }
        p.row = Some(row.row);
        p.unit = row.unit;
        p.title.clone_from(&row.title);
        p.backup.clone_from(&row.backup_email);
        p.order = Some(*order);
    }
    if with_server {
        g.report.not_in_list = g
            .people
            .iter()
            .filter(|p| p.on_server)
            .filter_map(|p| p.address.clone())
            .filter(|a| !matched.contains(a))
            .collect();
    }
}

/// The domain most personal addresses follow rule II.2 in; ties go to the domain with more people.
pub(super) fn naming_domain(people: &[Person]) -> Option<String> {
    let mut votes: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for p in people {
        let Some(a) = &p.address else { continue };
        let v = votes.entry(a.domain()).or_default();
        v.1 += 1;
        if let Ok(d) = derived_local(p)
            && (a.local() == d || a.local().starts_with(&format!("{d}.")))
        {
            v.0 += 1;
        }
    }
    votes
        .into_iter()
        .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(a.0)))
        .map(|(d, _)| d.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(full: &str) -> Person {
        Person {
            full_name: full.into(),
            named: true,
            ..Person::default()
        }
    }

    #[test]
    fn each_part_of_rule_ii2_is_read_from_the_address() {
        let rules = ExtensionRules {
            max_length: 6,
            reserved: vec!["bdt".into()],
        };
        let d = "bdt.binhthuan.gov.vn";
        let at = |s: &str| s.parse::<Address>().unwrap();
        let p = person("Võ Thị Thu An");
        assert_eq!(
            form(&p, &at("anvtt@bdt.binhthuan.gov.vn"), d, &rules),
            Form::Derived {
                extension: None,
                domain: None
            }
        );
        assert_eq!(
            form(&p, &at("anvtt.ctt@bdt.binhthuan.gov.vn"), d, &rules),
            Form::Derived {
                extension: Some("ctt".into()),
                domain: None
            }
        );
        assert_eq!(
            form(&p, &at("anvtt@binhthuan.gov.vn"), d, &rules),
            Form::Derived {
                extension: None,
                domain: Some("binhthuan.gov.vn".into())
            }
        );
        let reason = |a: &str| match form(&p, &at(a), d, &rules) {
            Form::Explicit { reason, .. } => reason,
            f @ Form::Derived { .. } => panic!("{a}: {f:?}"),
        };
        assert!(reason("anvtt.toolong@bdt.binhthuan.gov.vn").contains("longer than 6"));
        assert!(reason("anvtt.bdt@bdt.binhthuan.gov.vn").contains("agency's name"));
        assert!(reason("an.vo@binhthuan.gov.vn").contains("not in the naming domain"));
        let unnamed = Person {
            named: false,
            ..person("ketoan")
        };
        assert!(matches!(
            form(&unnamed, &at("ketoan@bdt.binhthuan.gov.vn"), d, &rules),
            Form::Explicit { derived: None, .. }
        ));
    }

    #[test]
    fn name_hints_only_where_the_kinh_order_reads_otherwise() {
        assert_eq!(hints("Võ Thị Thu An", "An", "Võ Thị Thu"), (None, None));
        assert_eq!(
            hints("Võ Thị Thu An", "Thu An", "Võ Thị"),
            (Some("Thu An".into()), None)
        );
        // The given name also appears among the family names: the Kinh order still reads it right.
        assert_eq!(hints("An Văn An", "An", "An Văn"), (None, None));
    }
}
