//! Views of a plan, all pure: the same plan gives byte-identical output.
//!
//! - [`text`]: for a terminal (colour optional), with field diffs.
//! - [`json`]: for machines; the [`Plan`] type as JSON (format version [`super::PLAN_VERSION`]).
//! - [`markdown`]: for a pull-request comment: summary table, access changes first, changes by unit.

mod markdown;
mod text;

pub use markdown::markdown;
pub use text::text;

use super::{Action, Change, Finding, Plan};

/// The plan as pretty JSON with a final newline. Field order is the declaration order of the types.
#[must_use]
pub fn json(plan: &Plan) -> String {
    let mut s = serde_json::to_string_pretty(plan).unwrap_or_default();
    s.push('\n');
    s
}

/// One line for an access change, for both text and Markdown (`code` wraps addresses).
/// How a renderer marks what it puts into its sentences: an address as code, a name or a server's words as
/// text (plain for a terminal; escaped for Markdown, where text from a manifest must stay text).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Marks {
    /// An address or an identifier.
    pub code: fn(&str) -> String,
    /// A name, a title, a server's words.
    pub text: fn(&str) -> String,
}

pub(crate) fn access_line(c: &Change, marks: Marks) -> Option<String> {
    let Marks { code, text } = marks;
    let who = |addr: &crate::desired::Address, name: &Option<String>| match name {
        Some(n) => format!("{} ({})", text(n), code(&addr.to_string())),
        None => code(&addr.to_string()),
    };
    let mailbox = code(&c.target.address.to_string());
    let name = text(&c.target.display_name);
    let name = name.as_str();
    let line = match &c.action {
        Action::Handover {
            from,
            from_name,
            to,
            to_name,
            rotate_credentials,
        } => {
            let from = from
                .as_ref()
                .map_or_else(|| crate::t!("access-nobody"), |f| who(f, from_name));
            let rotated = if *rotate_credentials {
                crate::t!("access-rotated")
            } else {
                String::new()
            };
            let to = who(to, to_name);
            crate::t!(
                "access-handover",
                mailbox = mailbox,
                from = from,
                to = to,
                rotated = rotated
            )
        }
        Action::Grant {
            grantee,
            grantee_name,
            level,
        } => {
            let who = who(grantee, grantee_name);
            crate::t!(
                "access-grant",
                who = who,
                level = level_name(*level),
                mailbox = mailbox
            )
        }
        Action::Revoke {
            grantee,
            grantee_name,
            level,
        } => {
            let who = who(grantee, grantee_name);
            crate::t!(
                "access-revoke",
                who = who,
                level = level_name(*level),
                mailbox = mailbox
            )
        }
        Action::Create { .. } => crate::t!("access-create", name = name, mailbox = mailbox),
        Action::Resume => crate::t!("access-resume", name = name, mailbox = mailbox),
        Action::Suspend { delete_after, .. } => {
            let date = crate::i18n::current().date(*delete_after);
            crate::t!("access-suspend", name = name, mailbox = mailbox, date = date)
        }
        Action::Delete { .. } => crate::t!("access-delete", name = name, mailbox = mailbox),
        Action::Blocked { intended, reason } if c.action.is_access_change() => {
            let inner = Change {
                target: c.target.clone(),
                action: (**intended).clone(),
            };
            let line = access_line(&inner, marks)?;
            crate::t!("access-blocked", line = line, reason = reason.describe())
        }
        _ => return None,
    };
    Some(line)
}

/// An access level as a person reads it.
fn level_name(level: crate::backend::AccessLevel) -> String {
    match level {
        crate::backend::AccessLevel::Owner => crate::t!("level-owner"),
        crate::backend::AccessLevel::Delegate => crate::t!("level-delegate"),
    }
}

/// A day the reader's way (dd/mm/yyyy in Vietnamese).
fn day(d: chrono::NaiveDate) -> String {
    crate::i18n::current().date(d)
}

/// A short description of a change, for the per-unit lists of both text and Markdown.
pub(crate) fn describe(action: &Action) -> String {
    use super::RemovalReason;
    match action {
        Action::Create { account } => match account.quota {
            Some(q) => crate::t!("change-create-quota", quota = q.to_string()),
            None => crate::t!("change-create"),
        },
        Action::Adopt { .. } => crate::t!("change-adopt"),
        Action::Rename {
            from,
            to,
            keep_old_as_alias,
            recognised_by,
        } => {
            let alias = if *keep_old_as_alias {
                crate::t!("change-rename-alias")
            } else {
                String::new()
            };
            let by = match recognised_by {
                super::RenameSource::Inventory => crate::t!("rename-by-inventory"),
                super::RenameSource::FormerAddress => crate::t!("rename-by-former-addresses"),
                super::RenameSource::PreviousRevision => crate::t!("rename-by-previous-revision"),
                super::RenameSource::BackendId => crate::t!("rename-by-backend-id"),
            };
            crate::t!(
                "change-rename",
                from = from.to_string(),
                to = to.to_string(),
                alias = alias,
                by = by
            )
        }
        Action::Update { fields, .. } => {
            let names: Vec<&str> = fields.iter().map(|f| f.field.as_str()).collect();
            crate::t!("change-update", fields = names.join(", "))
        }
        Action::Suspend { reason, delete_after } => {
            let why = match reason {
                RemovalReason::RemovedFromRepository => crate::t!("suspend-removed"),
                RemovalReason::EndDatePassed { end_date } => {
                    crate::t!("suspend-end-date", date = day(*end_date))
                }
            };
            crate::t!("change-suspend", why = why, date = day(*delete_after))
        }
        Action::Resume => crate::t!("change-resume"),
        Action::Delete {
            suspended_on,
            archive,
        } => {
            // A backend either archives the mail or, as Modoboa and PostfixAdmin do, leaves the folder.
            if *archive {
                crate::t!("change-delete-archived", date = day(*suspended_on))
            } else {
                crate::t!("change-delete-kept", date = day(*suspended_on))
            }
        }
        Action::Grant { grantee, level, .. } => crate::t!(
            "change-grant",
            level = level_name(*level),
            grantee = grantee.to_string()
        ),
        Action::Revoke { grantee, level, .. } => crate::t!(
            "change-revoke",
            level = level_name(*level),
            grantee = grantee.to_string()
        ),
        Action::Handover { to, to_name, .. } => {
            let to = match to_name {
                Some(n) => format!("{n} ({to})"),
                None => to.to_string(),
            };
            crate::t!("change-handover", to = to)
        }
        Action::Blocked { intended, reason } => crate::t!(
            "change-blocked",
            verb = intended.kind().verb_tr(),
            reason = reason.describe()
        ),
    }
}

/// One line describing a finding.
pub(crate) fn finding_line(f: &Finding, marks: Marks) -> String {
    let Marks { code, text } = marks;
    match f {
        Finding::Unmanaged { address } => {
            crate::t!("finding-unmanaged", address = code(&address.to_string()))
        }
        Finding::Missing { identity, address } => crate::t!(
            "finding-missing",
            identity = text(&identity.to_string()),
            address = code(&address.to_string())
        ),
        Finding::PendingDeletion {
            address,
            delete_after,
        } => crate::t!(
            "finding-pending-deletion",
            address = code(&address.to_string()),
            date = day(*delete_after)
        ),
        Finding::NotYetStarted {
            identity,
            address,
            start_date,
        } => crate::t!(
            "finding-not-yet-started",
            identity = text(&identity.to_string()),
            address = code(&address.to_string()),
            date = day(*start_date)
        ),
        Finding::PartialObservation { problems } => {
            crate::t!(
                "finding-partial-observation",
                problems = text(&problems.join("; "))
            )
        }
        Finding::NotEnforced { what, mailboxes } => crate::t!(
            "finding-not-enforced",
            what = match what.as_str() {
                "quotas" => crate::t!("enforce-quotas"),
                other => text(other),
            },
            count = *mailboxes
        ),
        Finding::ForeignEntries { problems } => {
            crate::t!("finding-foreign-entries", problems = text(&problems.join("; ")))
        }
    }
}
