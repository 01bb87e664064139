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
pub(crate) fn access_line(c: &Change, code: fn(&str) -> String) -> Option<String> {
    let who = |addr: &crate::desired::Address, name: &Option<String>| match name {
        Some(n) => format!("{n} ({})", code(&addr.to_string())),
        None => code(&addr.to_string()),
    };
    let mailbox = code(&c.target.address.to_string());
    let name = c.target.display_name.as_str();
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
            let line = access_line(&inner, code)?;
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

/// A short description of a change, for the per-unit lists of both text and Markdown.
pub(crate) fn describe(action: &Action) -> String {
    use super::RemovalReason;
    match action {
        Action::Create { account } => {
            let quota = account.quota.map(|q| format!(", quota {q}")).unwrap_or_default();
            format!("create{quota}")
        }
        Action::Adopt { .. } => "adopt the existing account (no change on the server)".into(),
        Action::Rename {
            from,
            to,
            keep_old_as_alias,
            recognised_by,
        } => {
            let alias = if *keep_old_as_alias {
                "; old address kept as alias"
            } else {
                ""
            };
            let by = match recognised_by {
                super::RenameSource::Inventory => "the inventory",
                super::RenameSource::FormerAddress => "formerAddresses",
                super::RenameSource::PreviousRevision => "the previous revision",
                super::RenameSource::BackendId => "the server's account id",
            };
            format!("rename {from} → {to}, mail kept{alias} (recognised by {by})")
        }
        Action::Update { fields, .. } => {
            let names: Vec<&str> = fields.iter().map(|f| f.field.as_str()).collect();
            format!("update {}", names.join(", "))
        }
        Action::Suspend { reason, delete_after } => {
            let why = match reason {
                RemovalReason::RemovedFromRepository => "removed from the repository".to_string(),
                RemovalReason::EndDatePassed { end_date } => format!("endDate {end_date} has passed"),
            };
            format!("suspend ({why}); mail kept, deletion after {delete_after}")
        }
        Action::Resume => "resume: login allowed again".into(),
        Action::Delete {
            suspended_on,
            archive,
        } => {
            // A backend either archives the mail or, as Modoboa and PostfixAdmin do, leaves the folder.
            let mail = if *archive {
                "mail archived first"
            } else {
                "the mail stays on the server's disk"
            };
            format!("delete (suspended since {suspended_on}); {mail}")
        }
        Action::Grant { grantee, level, .. } => format!("grant {} access to {grantee}", level.as_str()),
        Action::Revoke { grantee, level, .. } => format!("revoke {} access of {grantee}", level.as_str()),
        Action::Handover { to, to_name, .. } => match to_name {
            Some(n) => format!("hand over to {n} ({to}); credentials rotated"),
            None => format!("hand over to {to}; credentials rotated"),
        },
        Action::Blocked { intended, reason } => {
            format!("BLOCKED {}: {}", intended.kind().verb(), reason.describe())
        }
    }
}

/// One line describing a finding.
pub(crate) fn finding_line(f: &Finding, code: fn(&str) -> String) -> String {
    match f {
        Finding::Unmanaged { address } => {
            format!(
                "unmanaged account {} on the server: not in the inventory, never touched",
                code(&address.to_string())
            )
        }
        Finding::Missing { identity, address } => {
            format!(
                "{identity} ({}) is managed but no longer on the server",
                code(&address.to_string())
            )
        }
        Finding::PendingDeletion {
            address,
            delete_after,
        } => {
            format!(
                "{} is suspended; it may be deleted after {delete_after}",
                code(&address.to_string())
            )
        }
        Finding::NotYetStarted {
            identity,
            address,
            start_date,
        } => {
            format!(
                "{identity} ({}) starts on {start_date}; it will be created then",
                code(&address.to_string())
            )
        }
        Finding::PartialObservation { problems } => {
            format!("the server could only be read in part: {}", problems.join("; "))
        }
        Finding::NotEnforced { what, mailboxes } => {
            format!(
                "this server cannot enforce {what}: {mailboxes} mailbox(es) ask for them, and none is set"
            )
        }
        Finding::ForeignEntries { problems } => {
            format!("left as they are: {}", problems.join("; "))
        }
    }
}
