//! The validated desired state: what the repository asks for, with every address derived and checked.
//!
//! [`validate`] turns a [`LoadedRepository`] (raw, syntax-checked manifests) into a [`DesiredState`] plus
//! every problem found, errors and warnings together. Invalid resources are left out of the state; callers
//! that must not act on a partly valid repository check [`Validated::is_valid`].

mod addresses;
pub mod calendar;
mod mailbox;
mod organization;
pub mod values;

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use serde::Serialize;

pub use values::{Address, Quota};

use crate::diagnostics::{Diagnostic, Diagnostics, Location, SourceMap};
use crate::manifest::{Kind, LoadedRepository, MailboxState, Origin, Resource};
use crate::naming::ExtensionRules;

/// The agency, validated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Organization {
    /// metadata.name.
    pub name: String,
    /// Official name.
    pub display_name: String,
    /// Short name (never an extension).
    pub short_name: String,
    /// Mail domains.
    pub domains: Vec<String>,
    /// Units in directory order.
    pub units: Vec<Unit>,
    /// Domain of personal addresses.
    pub naming_domain: String,
    /// Extension rules.
    #[serde(skip)]
    pub extension_rules: ExtensionRules,
    /// Never suspended or deleted.
    pub protected_addresses: Vec<Address>,
    /// Removal limits.
    pub safety: SafetyLimits,
    /// Attachment policy.
    pub attachments: Option<crate::manifest::AttachmentPolicySpec>,
    /// Working days.
    pub calendar: calendar::Calendar,
    /// Default quota.
    pub default_quota: Option<Quota>,
    /// Whether a renamed mailbox's old address stays as an alias.
    pub keep_old_address_as_alias: bool,
}

impl Organization {
    /// The unit with this id.
    #[must_use]
    pub fn unit(&self, id: &str) -> Option<&Unit> {
        self.units.iter().find(|u| u.id == id)
    }
}

/// A unit of the agency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Unit {
    /// Identifier.
    pub id: String,
    /// Name.
    pub name: String,
    /// Heading in the staff directory.
    pub heading: String,
    /// Whether the heading was written in the Organization (rather than made from the name).
    pub heading_written: bool,
    /// Parent unit id.
    pub parent: Option<String>,
}

/// Removal limits (see DESIGN.md, "Changes and their safety").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SafetyLimits {
    /// Most removals per run.
    pub max_deletions: u32,
    /// Most removals per run, in percent of managed mailboxes.
    pub max_deletion_percent: u32,
    /// Days from suspension to deletion.
    pub grace_days: u32,
}

/// One person's mailbox, validated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DesiredMailbox {
    /// Stable identity (metadata.name).
    pub name: String,
    /// Full name for display (NFC, single spaces).
    pub full_name: String,
    /// Given name (tên).
    pub given_name: String,
    /// Family name (họ).
    pub family_name: Option<String>,
    /// Middle names (tên lót) in order.
    pub middle_names: Vec<String>,
    /// The address.
    pub address: Address,
    /// The extension agreed for this address, if any.
    pub extension: Option<String>,
    /// Whether the address is derived by the naming policy (false for an explicit address with a reason).
    pub derived: bool,
    /// Unit id.
    pub unit: String,
    /// Title.
    pub title: Option<String>,
    /// Directory position within the unit.
    pub order: Option<i32>,
    /// Backup e-mail.
    pub backup_email: Option<String>,
    /// Aliases.
    pub aliases: Vec<Address>,
    /// Former addresses.
    pub former_addresses: Vec<Address>,
    /// Quota (the Organization default applied).
    pub quota: Option<Quota>,
    /// Login state.
    pub state: MailboxState,
    /// First working day.
    pub start_date: Option<NaiveDate>,
    /// Last working day.
    pub end_date: Option<NaiveDate>,
    /// Mailboxes (by name) allowed to read this one.
    pub delegates: Vec<String>,
    /// Where it was written.
    #[serde(skip)]
    pub origin: Origin,
}

impl DesiredMailbox {
    /// Whether the person is on staff on `day`: active, started, not ended.
    #[must_use]
    pub fn is_current(&self, day: NaiveDate) -> bool {
        self.state == MailboxState::Active
            && self.start_date.is_none_or(|d| d <= day)
            && self.end_date.is_none_or(|d| d >= day)
    }
}

/// The agency mailbox, validated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DesiredSharedMailbox {
    /// Stable identity.
    pub name: String,
    /// Address.
    pub address: Address,
    /// Display name.
    pub display_name: String,
    /// Owner (a Mailbox name).
    pub owner: String,
    /// Delegates (Mailbox names).
    pub delegates: Vec<String>,
    /// Aliases.
    pub aliases: Vec<Address>,
    /// Former addresses.
    pub former_addresses: Vec<Address>,
    /// Quota.
    pub quota: Option<Quota>,
    /// Where it was written.
    #[serde(skip)]
    pub origin: Origin,
}

/// Everything the repository asks for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DesiredState {
    /// The agency.
    pub organization: Organization,
    /// Personal mailboxes, in directory order (unit, order, given name). Boxed: at 100,000 people each is
    /// allocated where a resource as read was just freed, not in one large block beside them all.
    pub mailboxes: Vec<Box<DesiredMailbox>>,
    /// Agency mailboxes.
    pub shared_mailboxes: Vec<DesiredSharedMailbox>,
}

impl DesiredState {
    /// The mailbox with this identity.
    #[must_use]
    pub fn mailbox(&self, name: &str) -> Option<&DesiredMailbox> {
        self.mailboxes.iter().find(|m| m.name == name).map(|m| &**m)
    }
}

/// The result of validation.
#[derive(Debug, Clone)]
pub struct Validated {
    /// The state, when an Organization could be read (invalid resources left out).
    pub state: Option<DesiredState>,
    /// Every problem found, including those of loading.
    pub diagnostics: Diagnostics,
}

impl Validated {
    /// Whether there is a state and no error.
    #[must_use]
    pub fn is_valid(&self) -> bool {
        self.state.is_some() && !self.diagnostics.has_errors()
    }
}

/// Label of a resource in messages: `Mailbox/vo-thi-thu-an`.
pub(crate) fn label(kind: Kind, name: &str) -> String {
    crate::manifest::ResourceId::new(kind, name).to_string()
}

/// Validates a loaded repository.
#[must_use]
pub fn validate(repo: &LoadedRepository) -> Validated {
    use rayon::prelude::*;
    match prepare(repo) {
        Ok(ready) => finish(ready, repo.resources.par_iter()),
        Err(diagnostics) => Validated {
            state: None,
            diagnostics,
        },
    }
}

/// Validates a loaded repository, freeing each resource once it is validated, on the thread that validated
/// it (so that at 100,000 people the resources as read and the desired state do not both live whole); gives
/// back the files' texts, for showing diagnostics.
#[must_use]
pub fn validate_consuming(mut repo: LoadedRepository) -> (Validated, SourceMap) {
    use rayon::prelude::*;
    let validated = match prepare(&repo) {
        Ok(ready) => finish(ready, std::mem::take(&mut repo.resources).into_par_iter()),
        Err(diagnostics) => Validated {
            state: None,
            diagnostics,
        },
    };
    (validated, repo.sources)
}

/// What validating the resources one by one needs: the diagnostics so far, the Organization, every
/// Mailbox's name.
struct Ready {
    diags: Diagnostics,
    organization: Organization,
    names: BTreeSet<String>,
}

/// The diagnostics alone when there is no Organization to validate against.
fn prepare(repo: &LoadedRepository) -> Result<Ready, Diagnostics> {
    let mut diags = repo.diagnostics.clone();
    check_names(repo, &mut diags);
    let orgs: Vec<_> = repo
        .resources
        .iter()
        .filter_map(|r| match r {
            Resource::Organization(o) => Some(o),
            _ => None,
        })
        .collect();
    let Some(first_org) = orgs.first() else {
        diags.push(
            Diagnostic::error(
                "no-organization",
                Location::file(&repo.root),
                crate::msg!("diag-no-organization", folder = repo.root.display()),
            )
            .hint(crate::msg!("hint-no-organization")),
        );
        return Err(diags);
    };
    for extra in orgs.iter().skip(1) {
        diags.push(
            Diagnostic::error(
                "multiple-organizations",
                extra.origin.value("kind"),
                crate::msg!("diag-multiple-organizations"),
            )
            .resource(label(Kind::Organization, extra.name()))
            .field("kind")
            .related(
                crate::msg!("diag-first-organization"),
                first_org.origin.document(),
            )
            .hint(crate::msg!("hint-multiple-organizations")),
        );
    }
    let organization = organization::check(first_org, &mut diags);
    let names = repo
        .resources
        .iter()
        .filter_map(|r| match r {
            Resource::Mailbox(m) => Some(m.name().to_string()),
            _ => None,
        })
        .collect();
    Ok(Ready {
        diags,
        organization,
        names,
    })
}

/// A resource validated on its own: a mailbox or an agency mailbox (and whether it is free of errors), or
/// nothing (an Organization, or one too broken to keep).
enum Checked {
    Mailbox(Box<DesiredMailbox>, bool),
    Shared(Box<DesiredSharedMailbox>, bool),
    Nothing,
}

/// Validates each resource on its own, on every core and in order, then what concerns them all (addresses
/// claimed twice).
fn finish<R, I>(ready: Ready, resources: I) -> Validated
where
    R: std::borrow::Borrow<Resource> + Send,
    I: rayon::iter::IndexedParallelIterator<Item = R>,
{
    use rayon::prelude::*;
    let Ready {
        mut diags,
        organization,
        names,
    } = ready;
    let mut checked: Vec<(Checked, Diagnostics)> = resources
        .map(|r| {
            let mut d = Diagnostics::default();
            let c = match r.borrow() {
                Resource::Mailbox(m) => mailbox::check(m, &organization, &names, &mut d)
                    .map_or(Checked::Nothing, |(m, ok)| Checked::Mailbox(Box::new(m), ok)),
                Resource::SharedMailbox(s) => mailbox::check_shared(s, &organization, &names, &mut d)
                    .map_or(Checked::Nothing, |(s, ok)| Checked::Shared(Box::new(s), ok)),
                Resource::Organization(_) => Checked::Nothing,
            };
            (c, d)
        })
        .collect();
    drop(names);
    for (_, d) in &mut checked {
        diags.extend(std::mem::take(d));
    }
    let shared: Vec<(DesiredSharedMailbox, bool)> = checked
        .extract_if(.., |(c, _)| matches!(c, Checked::Shared(..)))
        .filter_map(|(c, _)| match c {
            Checked::Shared(s, ok) => Some((*s, ok)),
            _ => None,
        })
        .collect();
    // In place (the pair is smaller than the entry and has its alignment), not a second vector beside it.
    let mut mailboxes: Vec<(Box<DesiredMailbox>, bool)> = checked
        .into_iter()
        .filter_map(|(c, _)| match c {
            Checked::Mailbox(m, ok) => Some((m, ok)),
            _ => None,
        })
        .collect();
    let mut failed = addresses::check(&organization, &mailboxes, &shared, &mut diags);
    failed.extend(
        mailboxes
            .iter()
            .filter(|(_, ok)| !ok)
            .map(|(m, _)| m.name.clone()),
    );
    mailboxes.retain(|(m, _)| !failed.contains(&m.name));
    let mut mailboxes: Vec<Box<DesiredMailbox>> = mailboxes.into_iter().map(|(m, _)| m).collect();
    let shared = shared.into_iter().filter(|(_, ok)| *ok).map(|(s, _)| s).collect();
    sort_for_directory(&organization, &mut mailboxes);
    Validated {
        state: Some(DesiredState {
            organization,
            mailboxes,
            shared_mailboxes: shared,
        }),
        diagnostics: diags,
    }
}

/// Directory order: the unit's position in the Organization, then `order`, then given name, then full name.
fn sort_for_directory(org: &Organization, mailboxes: &mut [Box<DesiredMailbox>]) {
    let unit_pos = |id: &str| org.units.iter().position(|u| u.id == id).unwrap_or(usize::MAX);
    // The last two keys first, then the first three by a stable sort: the same order without a copy of
    // every full name and name in the sort keys.
    mailboxes.sort_by(|a, b| (&a.full_name, &a.name).cmp(&(&b.full_name, &b.name)));
    mailboxes.sort_by_cached_key(|m| {
        (
            unit_pos(&m.unit),
            m.order.unwrap_or(i32::MAX),
            crate::naming::fold(&m.given_name).unwrap_or_default(),
        )
    });
}

/// A DNS-1123 label: what Kubernetes accepts as a name, and safe as a file or folder name.
fn is_dns_label(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 63
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !name.starts_with('-')
        && !name.ends_with('-')
}

/// metadata.name: well-formed and unique per kind.
fn check_names(repo: &LoadedRepository, diags: &mut Diagnostics) {
    let mut seen: BTreeMap<(Kind, &str), &Origin> = BTreeMap::new();
    for r in &repo.resources {
        let origin = r.origin();
        if !is_dns_label(r.name()) {
            diags.push(
                Diagnostic::error(
                    "invalid-name",
                    origin.value("metadata.name"),
                    crate::msg!("diag-invalid-name", name = r.name()),
                )
                .resource(label(r.kind(), r.name()))
                .field("metadata.name")
                .hint(crate::msg!("hint-invalid-name")),
            );
        }
        if let Some(first) = seen.insert((r.kind(), r.name()), origin) {
            diags.push(
                Diagnostic::error(
                    "duplicate-resource",
                    origin.value("metadata.name"),
                    crate::msg!("diag-duplicate-resource", kind = r.kind(), name = r.name()),
                )
                .resource(label(r.kind(), r.name()))
                .field("metadata.name")
                .related(
                    crate::msg!("diag-first-defined-here"),
                    first.value("metadata.name"),
                )
                .hint(crate::msg!("hint-duplicate-resource")),
            );
        }
    }
}

/// "did you mean" for a misspelt reference.
pub(crate) fn closest<'a>(wanted: &str, known: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    known
        .into_iter()
        .map(|k| (strsim::levenshtein(wanted, k), k))
        .filter(|(d, k)| *d <= (k.len() / 3).max(2))
        .min()
        .map(|(_, k)| k)
}

#[cfg(test)]
mod tests;
