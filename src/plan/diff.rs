//! `diff`: desired state × observed server × inventory → plan. Pure and deterministic: the same inputs give
//! an identical plan (every collection is walked in sorted order; the day is an input, not the clock).
//!
//! # Safety
//! - Only accounts in the inventory are ever suspended or deleted; others are reported as unmanaged.
//! - Removal is staged: suspend now, delete once `graceDays` have passed since the suspension.
//! - Past the deletion budget (`maxDeletions`, `maxDeletionPercent` of managed accounts) every removal is
//!   blocked with the reason, and the rest of the plan stands.
//! - An empty or unreadable desired state, or a partial observation, blocks every removal.
//! - Protected addresses (and the agency mailboxes) are never removed.
//! - A rename is never a delete and a create: without the capability it is blocked.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Days, NaiveDate};

use super::accounts::{DesiredAccount, desired_accounts};
use super::{
    Action, ActionKind, BlockReason, Change, FieldChange, Finding, PLAN_VERSION, Plan, PlanSource,
    RemovalReason, RenameSource, Target,
};
use crate::backend::{AccessLevel, Capabilities, Observation, ObservedAccount};
use crate::desired::{Address, DesiredState, SafetyLimits};
use crate::state::Inventory;

/// Everything the diff looks at.
#[derive(Debug, Clone)]
pub struct DiffInput<'a> {
    /// The desired state; `None` when it is empty or could not be read (nothing is removed then).
    pub desired: Option<&'a DesiredState>,
    /// The desired state last applied (or the base revision), to recognise renames and drift.
    pub previous: Option<&'a DesiredState>,
    /// What the server holds.
    pub observed: &'a Observation,
    /// What mailops manages.
    pub inventory: &'a Inventory,
    /// What the backend can do.
    pub capabilities: Capabilities,
    /// The day the plan is for.
    pub today: NaiveDate,
    /// Where the desired state came from.
    pub source: PlanSource,
    /// Keep a renamed account's old address as an alias.
    pub keep_old_address_as_alias: bool,
}

const DEFAULT_SAFETY: SafetyLimits = SafetyLimits {
    max_deletions: 3,
    max_deletion_percent: 10,
    grace_days: 30,
};

struct Ctx<'a> {
    input: &'a DiffInput<'a>,
    observed: BTreeMap<&'a Address, &'a ObservedAccount>,
    previous: BTreeMap<String, DesiredAccount>,
    claimed: BTreeSet<Address>,
    names: BTreeMap<Address, String>,
    renames: BTreeMap<Address, Address>,
    changes: Vec<Change>,
    findings: Vec<Finding>,
}

/// Computes the plan.
#[must_use]
pub fn diff(input: &DiffInput<'_>) -> Plan {
    let mut cx = Ctx {
        input,
        observed: input.observed.accounts.iter().map(|a| (&a.address, a)).collect(),
        previous: input
            .previous
            .map(desired_accounts)
            .unwrap_or_default()
            .into_iter()
            .map(|a| (a.key(), a))
            .collect(),
        claimed: BTreeSet::new(),
        names: names(input),
        renames: BTreeMap::new(),
        changes: Vec::new(),
        findings: Vec::new(),
    };
    if !input.observed.complete {
        cx.findings.push(Finding::PartialObservation {
            problems: input.observed.problems.clone(),
        });
    }
    let (current, ended) = split_by_dates(&mut cx, input.desired.map(desired_accounts).unwrap_or_default());
    let matches = match_accounts(&mut cx, &current);
    for (d, m) in current.iter().zip(&matches) {
        plan_account(&mut cx, d, m.as_ref());
    }
    plan_removals(&mut cx, &ended);
    report_missing(&mut cx, &current);
    apply_safety(&mut cx);
    finish(cx)
}

/// Names of people by address: what the server shows, overridden by the repository's full names.
fn names(input: &DiffInput<'_>) -> BTreeMap<Address, String> {
    let mut out: BTreeMap<Address, String> = input
        .observed
        .accounts
        .iter()
        .map(|a| (a.address.clone(), a.display_name.clone()))
        .collect();
    for d in [input.previous, input.desired].into_iter().flatten() {
        out.extend(
            d.mailboxes
                .iter()
                .map(|m| (m.address.clone(), m.full_name.clone())),
        );
    }
    out
}

/// Splits into accounts wanted today and accounts whose end date has passed; future starts become findings.
fn split_by_dates(
    cx: &mut Ctx<'_>,
    all: Vec<DesiredAccount>,
) -> (Vec<DesiredAccount>, BTreeMap<Address, NaiveDate>) {
    let today = cx.input.today;
    let mut current = Vec::new();
    let mut ended = BTreeMap::new();
    for d in all {
        match (d.start_date, d.end_date) {
            (_, Some(end)) if end < today => {
                ended.insert(d.address.clone(), end);
            }
            (Some(start), _) if start > today && !cx.observed.contains_key(&d.address) => {
                cx.findings.push(Finding::NotYetStarted {
                    identity: d.key(),
                    address: d.address.clone(),
                    start_date: start,
                });
            }
            _ => current.push(d),
        }
    }
    (current, ended)
}

/// How a desired account was found on the server.
#[derive(Debug, Clone)]
enum Match {
    /// At its own address.
    Same(Address),
    /// Under another address.
    Renamed(Address, RenameSource),
}

/// Finds each desired account on the server: first everyone at their own address, then renames (inventory,
/// previous revision, former addresses), so that an address someone wants directly is never taken as
/// another person's old address.
fn match_accounts(cx: &mut Ctx<'_>, current: &[DesiredAccount]) -> Vec<Option<Match>> {
    let mut out: Vec<Option<Match>> = current
        .iter()
        .map(|d| {
            cx.observed.contains_key(&d.address).then(|| {
                cx.claimed.insert(d.address.clone());
                Match::Same(d.address.clone())
            })
        })
        .collect();
    let wanted: BTreeSet<&Address> = current.iter().map(|d| &d.address).collect();
    for (d, slot) in current.iter().zip(out.iter_mut()) {
        if slot.is_some() {
            continue;
        }
        let key = d.key();
        let inventory = cx
            .input
            .inventory
            .get(&key)
            .map(|e| (e.address.clone(), RenameSource::Inventory));
        let previous = cx
            .previous
            .get(&key)
            .map(|p| (p.address.clone(), RenameSource::PreviousRevision));
        let former = d
            .former_addresses
            .iter()
            .map(|a| (a.clone(), RenameSource::FormerAddress));
        let found = previous
            .into_iter()
            .chain(inventory)
            .chain(former)
            .find(|(old, _)| {
                old != &d.address
                    && cx.observed.contains_key(old)
                    && !cx.claimed.contains(old)
                    && !wanted.contains(old)
                    && cx.input.inventory.by_address(old).is_none_or(|e| e.key() == key)
            });
        if let Some((old, source)) = found {
            cx.claimed.insert(old.clone());
            cx.renames.insert(old.clone(), d.address.clone());
            *slot = Some(Match::Renamed(old, source));
        }
    }
    out
}

fn unit_name(cx: &Ctx<'_>, unit: Option<&str>) -> Option<String> {
    let unit = unit?;
    let org = cx.input.desired.or(cx.input.previous).map(|d| &d.organization);
    Some(
        org.and_then(|o| o.unit(unit))
            .map_or_else(|| unit.to_string(), |u| u.name.clone()),
    )
}

fn target(cx: &Ctx<'_>, d: &DesiredAccount) -> Target {
    Target {
        kind: d.kind.to_string(),
        name: Some(d.name.clone()),
        address: d.address.clone(),
        display_name: d.display_name.clone(),
        unit: d.unit.clone(),
        unit_name: unit_name(cx, d.unit.as_deref()),
    }
}

fn push(cx: &mut Ctx<'_>, t: &Target, action: Action) {
    cx.changes.push(Change {
        target: t.clone(),
        action,
    });
}

fn plan_account(cx: &mut Ctx<'_>, d: &DesiredAccount, m: Option<&Match>) {
    let t = target(cx, d);
    let Some(m) = m else {
        push(
            cx,
            &t,
            Action::Create {
                account: d.new_account(),
            },
        );
        // Creation comes before access grants: the new mailbox's owner and delegates.
        for a in access_actions(cx, d, &BTreeMap::new()) {
            push(cx, &t, a);
        }
        return;
    };
    let (acc_address, renamed_from) = match m {
        Match::Same(a) => (a.clone(), None),
        Match::Renamed(old, source) => (old.clone(), Some((old.clone(), *source))),
    };
    let acc = cx.observed[&acc_address];
    let managed =
        cx.input.inventory.get(&d.key()).is_some() || cx.input.inventory.by_address(&acc_address).is_some();
    if !managed {
        push(
            cx,
            &t,
            Action::Adopt {
                backend_id: acc.id.clone(),
            },
        );
    }
    let keep_alias = cx.input.keep_old_address_as_alias;
    if let Some((old, source)) = &renamed_from {
        let action = Action::Rename {
            from: old.clone(),
            to: d.address.clone(),
            keep_old_as_alias: keep_alias,
            recognised_by: *source,
        };
        if !cx.input.capabilities.rename {
            push(cx, &t, blocked(action, BlockReason::RenameUnsupported));
            return;
        }
        push(cx, &t, action);
    }
    let mut expected_aliases = d.aliases.clone();
    let mut after_rename = acc.clone();
    if let (Some((old, _)), true) = (&renamed_from, keep_alias) {
        // The rename itself keeps the old address as an alias: compare with the account as it will be.
        expected_aliases.insert(old.clone());
        after_rename.aliases.insert(old.clone());
    }
    let mut fields = field_changes(cx, d, &after_rename, &expected_aliases);
    let suspended_by_us = cx
        .input
        .inventory
        .get(&d.key())
        .is_some_and(|e| e.suspended_on.is_some());
    if d.enabled && !acc.enabled && suspended_by_us {
        fields.retain(|f| f.field != "state");
        push(cx, &t, Action::Resume);
    }
    if !fields.is_empty() {
        push(cx, &t, Action::Update { fields });
    }
    plan_access(cx, d, acc, &t);
}

fn text(v: Option<&str>) -> Option<String> {
    v.map(str::to_string)
}

fn list(set: &BTreeSet<Address>) -> Option<String> {
    (!set.is_empty()).then(|| set.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "))
}

/// Field differences between a desired account and the server's; `drift` when the previous desired state
/// already had the wanted value (so the server was changed by hand).
fn field_changes(
    cx: &Ctx<'_>,
    d: &DesiredAccount,
    acc: &ObservedAccount,
    expected_aliases: &BTreeSet<Address>,
) -> Vec<FieldChange> {
    let prev = cx.previous.get(&d.key());
    let mut out = Vec::new();
    let mut add = |field: &str, before: Option<String>, after: Option<String>, unchanged_in_repo: bool| {
        if before != after {
            out.push(FieldChange {
                field: field.to_string(),
                before,
                after,
                drift: unchanged_in_repo,
            });
        }
    };
    let name_field = if d.kind == "Mailbox" {
        "fullName"
    } else {
        "displayName"
    };
    add(
        name_field,
        Some(acc.display_name.clone()),
        Some(d.display_name.clone()),
        prev.is_some_and(|p| p.display_name == d.display_name),
    );
    // Servers that do not keep given and family names report none; only compare where they do.
    if acc.given_name.is_some() {
        add(
            "givenName",
            acc.given_name.clone(),
            d.given_name.clone(),
            prev.is_some_and(|p| p.given_name == d.given_name),
        );
    }
    if acc.family_name.is_some() {
        add(
            "familyName",
            acc.family_name.clone(),
            d.family_name.clone(),
            prev.is_some_and(|p| p.family_name == d.family_name),
        );
    }
    if let Some(q) = d.quota {
        add(
            "quota",
            acc.quota.map(|q| q.to_string()),
            Some(q.to_string()),
            prev.is_some_and(|p| p.quota == d.quota),
        );
    }
    add(
        "aliases",
        list(&acc.aliases),
        list(expected_aliases),
        prev.is_some_and(|p| p.aliases == d.aliases),
    );
    let state = |enabled: bool| text(Some(if enabled { "active" } else { "suspended" }));
    add(
        "state",
        state(acc.enabled),
        state(d.enabled),
        prev.is_some_and(|p| p.enabled == d.enabled),
    );
    out
}

/// Access grants, revocations and the handover of an agency mailbox.
fn plan_access(cx: &mut Ctx<'_>, d: &DesiredAccount, acc: &ObservedAccount, t: &Target) {
    // The server's grants, with grantees that this plan renames under their new address.
    let observed: BTreeMap<Address, AccessLevel> = acc
        .access
        .iter()
        .map(|(g, l)| (cx.renames.get(g).cloned().unwrap_or_else(|| g.clone()), *l))
        .collect();
    let actions = access_actions(cx, d, &observed);
    for a in actions {
        push(cx, t, a);
    }
}

/// Grants and revocations that turn `observed` access into the desired one; a change of an agency
/// mailbox's owner (from someone to someone else) is one handover.
fn access_actions(
    cx: &Ctx<'_>,
    d: &DesiredAccount,
    observed: &BTreeMap<Address, AccessLevel>,
) -> Vec<Action> {
    let wanted = &d.access;
    let old_owner = observed
        .iter()
        .find(|(_, l)| **l == AccessLevel::Owner)
        .map(|(a, _)| a.clone());
    let new_owner = wanted
        .iter()
        .find(|(_, (l, _))| *l == AccessLevel::Owner)
        .map(|(a, _)| a.clone());
    let name = |a: &Address| cx.names.get(a).cloned();
    let mut out = Vec::new();
    let mut handled: BTreeSet<Address> = BTreeSet::new();
    if let Some(to) = &new_owner
        && old_owner.is_some()
        && old_owner.as_ref() != Some(to)
        && d.kind == "SharedMailbox"
    {
        out.push(Action::Handover {
            from: old_owner.clone(),
            from_name: old_owner.as_ref().and_then(name),
            to: to.clone(),
            to_name: wanted.get(to).map(|(_, n)| n.clone()),
            rotate_credentials: true,
        });
        handled.insert(to.clone());
        handled.extend(old_owner.clone());
    }
    for (grantee, (level, gname)) in wanted {
        if !handled.contains(grantee) && observed.get(grantee) != Some(level) {
            out.push(Action::Grant {
                grantee: grantee.clone(),
                grantee_name: Some(gname.clone()),
                level: *level,
            });
        }
    }
    for (grantee, level) in observed {
        if !handled.contains(grantee) && !wanted.contains_key(grantee) {
            out.push(Action::Revoke {
                grantee: grantee.clone(),
                grantee_name: name(grantee),
                level: *level,
            });
        }
    }
    out
}

fn blocked(action: Action, reason: BlockReason) -> Action {
    Action::Blocked {
        intended: Box::new(action),
        reason,
    }
}

fn safety(cx: &Ctx<'_>) -> SafetyLimits {
    cx.input
        .desired
        .or(cx.input.previous)
        .map_or(DEFAULT_SAFETY, |d| d.organization.safety)
}

fn protected(cx: &Ctx<'_>) -> BTreeSet<Address> {
    let mut out = BTreeSet::new();
    for d in [cx.input.desired, cx.input.previous].into_iter().flatten() {
        out.extend(d.organization.protected_addresses.iter().cloned());
        out.extend(d.shared_mailboxes.iter().map(|s| s.address.clone()));
    }
    out
}

/// Accounts on the server that nothing desired claims: managed ones are removed in stages, others reported.
fn plan_removals(cx: &mut Ctx<'_>, ended: &BTreeMap<Address, NaiveDate>) {
    let protected = protected(cx);
    let grace = u64::from(safety(cx).grace_days);
    let today = cx.input.today;
    let unclaimed: Vec<&ObservedAccount> = cx
        .input
        .observed
        .accounts
        .iter()
        .filter(|a| !cx.claimed.contains(&a.address))
        .collect();
    for acc in unclaimed {
        let Some(entry) = cx.input.inventory.by_address(&acc.address) else {
            cx.findings.push(Finding::Unmanaged {
                address: acc.address.clone(),
            });
            continue;
        };
        let prev = cx.previous.get(&entry.key());
        let t = Target {
            kind: entry.kind.clone(),
            name: Some(entry.name.clone()),
            address: acc.address.clone(),
            display_name: acc.display_name.clone(),
            unit: prev.and_then(|p| p.unit.clone()),
            unit_name: unit_name(cx, prev.and_then(|p| p.unit.as_deref())),
        };
        let reason = match ended.get(&acc.address) {
            Some(end) => RemovalReason::EndDatePassed { end_date: *end },
            None => RemovalReason::RemovedFromRepository,
        };
        let action = match entry.suspended_on {
            None => Action::Suspend {
                reason,
                delete_after: today.checked_add_days(Days::new(grace)).unwrap_or(today),
            },
            Some(on) => {
                let after = on.checked_add_days(Days::new(grace)).unwrap_or(on);
                if today <= after {
                    cx.findings.push(Finding::PendingDeletion {
                        address: acc.address.clone(),
                        delete_after: after,
                    });
                    if acc.enabled {
                        // Resumed by hand while waiting: suspend again.
                        push(
                            cx,
                            &t,
                            Action::Suspend {
                                reason,
                                delete_after: after,
                            },
                        );
                    }
                    continue;
                }
                Action::Delete {
                    suspended_on: on,
                    archive: cx.input.capabilities.archive_on_delete,
                }
            }
        };
        let action = if protected.contains(&acc.address) {
            blocked(action, BlockReason::Protected)
        } else {
            action
        };
        push(cx, &t, action);
    }
}

/// Managed accounts gone from the server (and not wanted any more) are findings; wanted ones are re-created.
fn report_missing(cx: &mut Ctx<'_>, current: &[DesiredAccount]) {
    let wanted: BTreeSet<String> = current.iter().map(DesiredAccount::key).collect();
    for e in cx.input.inventory.entries.values() {
        if !cx.observed.contains_key(&e.address) && !wanted.contains(&e.key()) && cx.input.observed.complete {
            cx.findings.push(Finding::Missing {
                identity: e.key(),
                address: e.address.clone(),
            });
        }
    }
}

/// Blocks removals that the safety rules refuse, and creations when the server was read in part (the
/// account may exist in the part that could not be read).
fn apply_safety(cx: &mut Ctx<'_>) {
    if !cx.input.observed.complete {
        for c in cx
            .changes
            .iter_mut()
            .filter(|c| c.action.kind() == ActionKind::Create)
        {
            let action = std::mem::replace(&mut c.action, Action::Resume);
            c.action = blocked(action, BlockReason::PartialObservation);
        }
    }
    let is_removal = |a: &Action| matches!(a.kind(), ActionKind::Suspend | ActionKind::Delete);
    let requested = cx.changes.iter().filter(|c| is_removal(&c.action)).count();
    if requested == 0 {
        return;
    }
    let limits = safety(cx);
    let managed = cx.input.inventory.len().max(1);
    let over_budget = requested > limits.max_deletions as usize
        || requested * 100 > limits.max_deletion_percent as usize * managed;
    let reason = if cx
        .input
        .desired
        .is_none_or(|d| d.mailboxes.is_empty() && d.shared_mailboxes.is_empty())
    {
        Some(BlockReason::EmptyDesiredState)
    } else if !cx.input.observed.complete {
        Some(BlockReason::PartialObservation)
    } else if over_budget {
        Some(BlockReason::DeletionBudget {
            requested,
            max_deletions: limits.max_deletions,
            max_percent: limits.max_deletion_percent,
            managed: cx.input.inventory.len(),
        })
    } else {
        None
    };
    if let Some(reason) = reason {
        for c in cx.changes.iter_mut().filter(|c| is_removal(&c.action)) {
            let action = std::mem::replace(&mut c.action, Action::Resume);
            c.action = blocked(action, reason.clone());
        }
    }
}

fn finish(cx: Ctx<'_>) -> Plan {
    let Ctx {
        input,
        mut changes,
        mut findings,
        ..
    } = cx;
    let unit_rank: BTreeMap<&str, usize> = input
        .desired
        .or(input.previous)
        .map(|d| {
            d.organization
                .units
                .iter()
                .enumerate()
                .map(|(i, u)| (u.id.as_str(), i))
                .collect()
        })
        .unwrap_or_default();
    let rank = |c: &Change| {
        let unit = c
            .target
            .unit
            .as_deref()
            .map_or(0, |u| unit_rank.get(u).map_or(usize::MAX, |r| r + 1));
        let kind = match &c.action {
            Action::Blocked { intended, .. } => intended.kind(),
            a => a.kind(),
        };
        (unit, c.target.label(), kind)
    };
    changes.sort_by_cached_key(rank);
    findings.sort_by_cached_key(|f| serde_json::to_string(f).unwrap_or_default());
    Plan {
        version: PLAN_VERSION,
        source: input.source.clone(),
        as_of: input.today,
        observed_fingerprint: Some(input.observed.fingerprint()),
        summary: Plan::summarize(&changes),
        changes,
        findings,
        policy_changes: Vec::new(),
    }
}
