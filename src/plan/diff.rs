//! `diff`: desired state × observed server × inventory → plan. Pure and deterministic: the same inputs give
//! an identical plan (hash maps serve lookups only; everything that reaches the plan is walked in a sorted
//! order, and the day is an input, not the clock).
//!
//! # Safety
//! - Only accounts in the inventory are ever suspended or deleted; others are reported as unmanaged.
//! - Removal is staged: suspend now, delete once `graceDays` have passed since the suspension.
//! - Past the deletion budget (`maxDeletions`, `maxDeletionPercent` of managed accounts) every removal is
//!   blocked with the reason, and the rest of the plan stands.
//! - An empty or unreadable desired state, or a partial observation, blocks every removal (and a partial
//!   observation every creation).
//! - Protected addresses (and the agency mailboxes) are never removed.
//! - A rename is never a delete and a create: without the capability it is blocked.

use std::cell::OnceCell;
use std::collections::{BTreeMap, BTreeSet};

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use chrono::{Days, NaiveDate};

use super::accounts::{AccountSource, DesiredAccount, mailbox_account, shared_account};
use super::{
    Action, ActionKind, BlockReason, Change, FieldChange, Finding, PLAN_VERSION, Plan, PlanSource,
    RemovalReason, RenameSource, Target,
};
use crate::backend::{AccessLevel, AccountUpdate, Capabilities, Observation, ObservedAccount};
use crate::desired::{Address, DesiredMailbox, DesiredSharedMailbox, DesiredState, SafetyLimits};
use crate::manifest::Kind;
use crate::state::{Inventory, InventoryEntry};

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

type Key<'a> = (Kind, &'a str);

/// A resource of the previous desired state, looked up only for the few accounts that change.
#[derive(Clone, Copy)]
enum Previous<'a> {
    Mailbox(&'a DesiredMailbox),
    Shared(&'a DesiredSharedMailbox),
}

impl<'a> Previous<'a> {
    /// Its account, without access grants (not needed for renames and drift).
    fn account(self) -> DesiredAccount<'a> {
        match self {
            Previous::Mailbox(m) => mailbox_account(m, |_, _| None),
            Previous::Shared(s) => shared_account(s, |_, _| None),
        }
    }
}

struct Ctx<'a> {
    input: &'a DiffInput<'a>,
    /// Observed accounts by address: their index in the observation.
    observed: HashMap<&'a Address, usize>,
    /// Which observed accounts a desired account claims, by index.
    claimed: Vec<bool>,
    previous: OnceCell<HashMap<Key<'a>, Previous<'a>>>,
    /// The inventory entry managing each observed account, by index.
    entry_at: Vec<Option<&'a InventoryEntry>>,
    /// Inventory entries whose account is not on the server.
    missing: Vec<&'a InventoryEntry>,
    /// Inventory entries by identity, built only when an account is not found at its address.
    by_identity: OnceCell<HashMap<Key<'a>, &'a InventoryEntry>>,
    unit_names: HashMap<&'a str, &'a str>,
    renames: HashMap<&'a Address, &'a Address>,
    changes: Vec<Change>,
    findings: Vec<Finding>,
    /// Identities found under their server id at another address than the inventory's.
    moved: HashMap<Key<'a>, usize>,
    /// The access of an account nobody was given yet.
    no_access: BTreeMap<Address, AccessLevel>,
}

impl<'a> Ctx<'a> {
    fn account(&self, address: &Address) -> Option<&'a ObservedAccount> {
        self.observed
            .get(address)
            .map(|i| &self.input.observed.accounts[*i])
    }

    fn entry(&self, key: Key<'_>) -> Option<&'a InventoryEntry> {
        let index = self.by_identity.get_or_init(|| {
            let entries = self.input.inventory.entries.values();
            entries.map(|e| ((e.kind, e.name.as_str()), e)).collect()
        });
        index.get(&key).copied()
    }

    fn previous(&self, key: Key<'_>) -> Option<DesiredAccount<'a>> {
        let index = self.previous.get_or_init(|| {
            let Some(p) = self.input.previous else {
                return HashMap::default();
            };
            let shared = p
                .shared_mailboxes
                .iter()
                .map(|s| ((Kind::SharedMailbox, s.name.as_str()), Previous::Shared(s)));
            let people = p
                .mailboxes
                .iter()
                .map(|m| ((Kind::Mailbox, m.name.as_str()), Previous::Mailbox(m)));
            shared.chain(people).collect()
        });
        index.get(&key).map(|p| p.account())
    }

    /// The name of the person at an address, as the server shows it.
    fn name(&self, address: &Address) -> Option<String> {
        self.account(address).map(|a| a.display_name.clone())
    }
}

/// Computes the plan.
#[must_use]
pub fn diff(input: &DiffInput<'_>) -> Plan {
    let org = input.desired.or(input.previous).map(|d| &d.organization);
    let mut cx = Ctx {
        input,
        observed: input
            .observed
            .accounts
            .iter()
            .enumerate()
            .map(|(i, a)| (&a.address, i))
            .collect(),
        claimed: vec![false; input.observed.accounts.len()],
        previous: OnceCell::new(),
        entry_at: vec![None; input.observed.accounts.len()],
        missing: Vec::new(),
        by_identity: OnceCell::new(),
        unit_names: org
            .map(|o| o.units.iter().map(|u| (u.id.as_str(), u.name.as_str())).collect())
            .unwrap_or_default(),
        renames: HashMap::default(),
        changes: Vec::new(),
        findings: Vec::new(),
        no_access: BTreeMap::new(),
        moved: HashMap::default(),
    };
    let mut moved = Vec::new();
    for e in input.inventory.entries.values() {
        match cx.observed.get(&e.address) {
            Some(i) => cx.entry_at[*i] = Some(e),
            None if e.backend_id.is_some() => moved.push(e),
            None => cx.missing.push(e),
        }
    }
    // An account not at its address may be at another one under the same server id (renamed on the
    // server): the ids are indexed only then.
    if !moved.is_empty() {
        let ids: HashMap<&str, usize> = (input.observed.accounts.iter().enumerate())
            .filter_map(|(i, a)| Some((a.id.as_deref()?, i)))
            .collect();
        for e in moved {
            match e.backend_id.as_deref().and_then(|id| ids.get(id)) {
                Some(&i) if cx.entry_at[i].is_none() => {
                    cx.entry_at[i] = Some(e);
                    cx.moved.insert((e.kind, e.name.as_str()), i);
                }
                _ => cx.missing.push(e),
            }
        }
    }
    if !input.observed.complete {
        cx.findings.push(Finding::PartialObservation {
            problems: input.observed.problems.clone(),
        });
    }
    let source = input.desired.map(AccountSource::new);
    let (slots, ended) = match &source {
        Some(source) => match_accounts(&mut cx, source),
        None => (Vec::new(), HashMap::default()),
    };
    if let Some(source) = &source {
        for (k, slot) in slots.iter().enumerate() {
            match slot {
                Slot::NotCurrent => {}
                Slot::Unmatched => plan_account(&mut cx, &source.get(k), None),
                Slot::Found(m) => plan_account(&mut cx, &source.get(k), Some(m)),
            }
        }
    }
    plan_removals(&mut cx, &ended);
    report_missing(&mut cx, source.as_ref(), &slots);
    apply_safety(&mut cx);
    finish(cx)
}

/// Where each desired account stands, by position.
#[derive(Debug, Clone, Copy)]
enum Slot<'a> {
    /// Not wanted today: its end date has passed, or it has not started and does not exist yet.
    NotCurrent,
    /// Not on the server: to be created.
    Unmatched,
    /// On the server.
    Found(Match<'a>),
}

/// How a desired account was found on the server.
#[derive(Debug, Clone, Copy)]
enum Match<'a> {
    /// At its own address (the observed account's index).
    Same(usize),
    /// Under another address.
    Renamed(usize, &'a Address, RenameSource),
}

/// Finds each desired account on the server: first everyone at their own address, then renames (previous
/// revision, inventory, former addresses), so that an address someone wants directly is never taken as
/// another person's old address. Accounts whose end date has passed are returned for removal; future
/// starts become findings.
fn match_accounts<'a>(
    cx: &mut Ctx<'a>,
    source: &AccountSource<'a>,
) -> (Vec<Slot<'a>>, HashMap<&'a Address, NaiveDate>) {
    let today = cx.input.today;
    let accounts = &cx.input.observed.accounts;
    let mut ended = HashMap::default();
    let mut slots = Vec::with_capacity(source.len());
    for k in 0..source.len() {
        let d = source.get(k);
        let at = cx.observed.get(d.address).copied();
        let slot = match (d.start_date, d.end_date, at) {
            (_, Some(end), _) if end < today => {
                ended.insert(d.address, end);
                Slot::NotCurrent
            }
            (Some(start), _, None) if start > today => {
                cx.findings.push(Finding::NotYetStarted {
                    identity: d.id(),
                    address: d.address.clone(),
                    start_date: start,
                });
                Slot::NotCurrent
            }
            (_, _, Some(i)) => {
                cx.claimed[i] = true;
                Slot::Found(Match::Same(i))
            }
            (_, _, None) => Slot::Unmatched,
        };
        slots.push(slot);
    }
    for (k, slot) in slots.iter_mut().enumerate() {
        if !matches!(slot, Slot::Unmatched) {
            continue;
        }
        let d = source.get(k);
        let key = d.key();
        let previous = cx
            .previous(key)
            .map(|p| (p.address, RenameSource::PreviousRevision));
        let inventory = cx.entry(key).map(|e| (&e.address, RenameSource::Inventory));
        let by_id = cx
            .moved
            .get(&key)
            .map(|i| (&accounts[*i].address, RenameSource::BackendId));
        let former = d
            .former_addresses
            .iter()
            .map(|a| (a, RenameSource::FormerAddress));
        // An old address qualifies when it is on the server and nobody claims it: everyone who wants an
        // address that exists claimed it above, so a wanted address is never taken as someone's old one.
        let found = previous
            .into_iter()
            .chain(inventory)
            .chain(by_id)
            .chain(former)
            .find_map(|(old, source)| {
                let i = *cx.observed.get(old)?;
                let held = &accounts[i].address;
                let free = held != d.address
                    && !cx.claimed[i]
                    && cx.entry_at[i].is_none_or(|e| (e.kind, e.name.as_str()) == key);
                free.then_some((i, source))
            });
        if let Some((i, source)) = found {
            cx.claimed[i] = true;
            cx.renames.insert(&accounts[i].address, d.address);
            *slot = Slot::Found(Match::Renamed(i, &accounts[i].address, source));
        }
    }
    (slots, ended)
}

fn unit_name(cx: &Ctx<'_>, unit: Option<&str>) -> Option<String> {
    let unit = unit?;
    Some(cx.unit_names.get(unit).copied().unwrap_or(unit).to_string())
}

fn target(cx: &Ctx<'_>, d: &DesiredAccount<'_>) -> Target {
    Target {
        kind: d.kind.into(),
        name: Some(d.name.to_string()),
        address: d.address.clone(),
        display_name: d.display_name.to_string(),
        unit: d.unit.map(str::to_string),
        unit_name: unit_name(cx, d.unit),
    }
}

fn push(cx: &mut Ctx<'_>, t: &Target, action: Action) {
    cx.changes.push(Change {
        target: t.clone(),
        action,
    });
}

/// The changes for one desired account. Most accounts are unchanged: nothing is allocated for them.
fn plan_account<'a>(cx: &mut Ctx<'a>, d: &DesiredAccount<'a>, m: Option<&Match<'a>>) {
    let Some(m) = m else {
        let t = target(cx, d);
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
    let (i, renamed_from) = match *m {
        Match::Same(i) => (i, None),
        Match::Renamed(i, old, source) => (i, Some((old, source))),
    };
    let acc = &cx.input.observed.accounts[i];
    let key = d.key();
    // This identity's inventory entry, looked up only when needed: an account managed under its address is
    // never adopted, and the entry matters otherwise only to tell a suspension of ours from one by hand.
    let entry = || match cx.entry_at[i] {
        Some(e) if (e.kind, e.name.as_str()) == key => Some(e),
        _ => cx.entry(key),
    };
    let mut actions = Vec::new();
    if cx.entry_at[i].is_none() && entry().is_none() {
        actions.push(Action::Adopt {
            backend_id: acc.id.clone(),
        });
    }
    let keep_alias = cx.input.keep_old_address_as_alias;
    if let Some((old, source)) = renamed_from {
        let action = Action::Rename {
            from: old.clone(),
            to: d.address.clone(),
            keep_old_as_alias: keep_alias,
            recognised_by: source,
        };
        if !cx.input.capabilities.rename {
            let t = target(cx, d);
            push(cx, &t, blocked(action, BlockReason::RenameUnsupported));
            return;
        }
        actions.push(action);
    }
    // The rename itself keeps the old address as an alias: compare with the account as it will be. Old
    // addresses kept by earlier renames stay wanted.
    let kept_alias = renamed_from.filter(|_| keep_alias).map(|(old, _)| old);
    let kept_before: Vec<&Address> = entry().into_iter().flat_map(|e| &e.kept_aliases).collect();
    let mut update = field_changes(cx, d, acc, kept_alias, &kept_before);
    if d.enabled && !acc.enabled && entry().is_some_and(|e| e.suspended_on.is_some()) {
        update.fields.retain(|f| f.field != "state");
        update.enable = None;
        actions.push(Action::Resume);
    }
    if !update.fields.is_empty() {
        actions.push(Action::Update {
            fields: update.fields,
            set: update.set,
            enable: update.enable,
        });
    }
    // A server that cannot share mailboxes reports no access: who holds the credentials is in the inventory.
    let access = if cx.input.capabilities.delegation {
        &acc.access
    } else {
        entry().map_or(&cx.no_access, |e| &e.holders)
    };
    actions.extend(observed_access_actions(cx, d, access));
    if actions.is_empty() {
        return;
    }
    let t = target(cx, d);
    for a in actions {
        push(cx, &t, a);
    }
}

fn list<'x>(addresses: impl Iterator<Item = &'x Address>) -> Option<String> {
    let set: BTreeSet<&Address> = addresses.collect();
    (!set.is_empty()).then(|| set.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "))
}

fn state(enabled: bool) -> String {
    (if enabled { "active" } else { "suspended" }).to_string()
}

/// An update: what the executor sets (typed) and how it reads for people.
struct Update {
    fields: Vec<FieldChange>,
    set: AccountUpdate,
    enable: Option<bool>,
}

/// Field differences between a desired account and the server's; `drift` when the previous desired state
/// already had the wanted value (so the server was changed by hand). Values are compared first and only
/// formatted (for people) when they differ; the typed values go to the executor.
fn field_changes(
    cx: &Ctx<'_>,
    d: &DesiredAccount<'_>,
    acc: &ObservedAccount,
    kept_alias: Option<&Address>,
    kept_before: &[&Address],
) -> Update {
    // The previous revision is looked up only when a field differs (to tell drift from a change).
    let prev_cell: OnceCell<Option<DesiredAccount<'_>>> = OnceCell::new();
    let prev = || prev_cell.get_or_init(|| cx.previous(d.key())).as_ref();
    let mut out = Vec::new();
    let mut set = AccountUpdate::default();
    let mut enable = None;
    let mut add = |field: &str, before: Option<String>, after: Option<String>, same_as_before: bool| {
        out.push(FieldChange {
            field: field.to_string(),
            before,
            after,
            drift: same_as_before,
        });
    };
    // A server without display names keeps a person's name as given and family names, compared below.
    let compared = cx.input.capabilities.display_name || d.given_name.is_none();
    if compared && acc.display_name != d.display_name {
        let field = if d.kind == Kind::Mailbox {
            "fullName"
        } else {
            "displayName"
        };
        let drift = prev().is_some_and(|p| p.display_name == d.display_name);
        set.display_name = Some(d.display_name.to_string());
        add(
            field,
            Some(acc.display_name.clone()),
            Some(d.display_name.to_string()),
            drift,
        );
    }
    // Servers that do not keep given and family names report none; only compare where they do.
    if let Some(given) = &acc.given_name
        && Some(given.as_str()) != d.given_name
    {
        let drift = prev().is_some_and(|p| p.given_name == d.given_name);
        set.given_name = d.given_name.map(str::to_string);
        add(
            "givenName",
            Some(given.clone()),
            d.given_name.map(str::to_string),
            drift,
        );
    }
    if let Some(family) = &acc.family_name
        && !d.family_name_is(family)
    {
        let wanted = d.family_name();
        let drift = prev().is_some_and(|p| p.family_name() == wanted);
        set.family_name.clone_from(&wanted);
        add("familyName", Some(family.clone()), wanted, drift);
    }
    if let Some(q) = d.quota
        && acc.quota != Some(q)
    {
        let drift = prev().is_some_and(|p| p.quota == d.quota);
        set.quota = Some(q);
        add(
            "quota",
            acc.quota.map(|q| q.to_string()),
            Some(q.to_string()),
            drift,
        );
    }
    let observed_aliases = acc.aliases.iter().chain(kept_alias);
    let wanted_aliases = d
        .aliases
        .iter()
        .chain(kept_alias)
        .chain(kept_before.iter().copied());
    let same_aliases = {
        let a: BTreeSet<&Address> = observed_aliases.clone().collect();
        let b: BTreeSet<&Address> = wanted_aliases.clone().collect();
        a == b
    };
    if !same_aliases {
        let drift = prev().is_some_and(|p| p.aliases == d.aliases);
        set.aliases = Some(wanted_aliases.clone().cloned().collect());
        add("aliases", list(observed_aliases), list(wanted_aliases), drift);
    }
    if acc.enabled != d.enabled {
        let drift = prev().is_some_and(|p| p.enabled == d.enabled);
        enable = Some(d.enabled);
        add("state", Some(state(acc.enabled)), Some(state(d.enabled)), drift);
    }
    Update {
        fields: out,
        set,
        enable,
    }
}

/// Access changes of an existing account, with grantees that this plan renames under their new address.
fn observed_access_actions(
    cx: &Ctx<'_>,
    d: &DesiredAccount<'_>,
    access: &BTreeMap<Address, AccessLevel>,
) -> Vec<Action> {
    if access.is_empty() && d.access.is_empty() {
        return Vec::new();
    }
    let observed: BTreeMap<Address, AccessLevel> = access
        .iter()
        .map(|(g, l)| ((*cx.renames.get(g).unwrap_or(&g)).clone(), *l))
        .collect();
    access_actions(cx, d, &observed)
}

/// Grants and revocations that turn `observed` access into the desired one; a change of an agency
/// mailbox's owner (from someone to someone else) is one handover.
fn access_actions(
    cx: &Ctx<'_>,
    d: &DesiredAccount<'_>,
    observed: &BTreeMap<Address, AccessLevel>,
) -> Vec<Action> {
    let wanted: BTreeMap<&Address, (AccessLevel, &str)> =
        d.access.iter().map(|(a, l, n)| (*a, (*l, *n))).collect();
    let old_owner = observed
        .iter()
        .find(|(_, l)| **l == AccessLevel::Owner)
        .map(|(a, _)| a);
    let new_owner = wanted
        .iter()
        .find(|(_, (l, _))| *l == AccessLevel::Owner)
        .map(|(a, _)| *a);
    let name = |a: &Address| cx.name(a);
    let mut out = Vec::new();
    let mut handled: BTreeSet<&Address> = BTreeSet::new();
    if let (Some(to), Some(from)) = (new_owner, old_owner)
        && from != to
        && d.kind == Kind::SharedMailbox
    {
        out.push(Action::Handover {
            from: Some(from.clone()),
            from_name: name(from),
            to: to.clone(),
            to_name: wanted.get(to).map(|(_, n)| (*n).to_string()),
            rotate_credentials: true,
        });
        handled.insert(to);
        handled.insert(from);
    }
    for (grantee, (level, gname)) in &wanted {
        if !handled.contains(grantee) && observed.get(*grantee) != Some(level) {
            out.push(Action::Grant {
                grantee: (*grantee).clone(),
                grantee_name: Some((*gname).to_string()),
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

fn protected<'a>(cx: &Ctx<'a>) -> HashSet<&'a Address> {
    let mut out = HashSet::default();
    for d in [cx.input.desired, cx.input.previous].into_iter().flatten() {
        out.extend(d.organization.protected_addresses.iter());
        out.extend(d.shared_mailboxes.iter().map(|s| &s.address));
    }
    out
}

/// Accounts on the server that nothing desired claims: managed ones are removed in stages, others reported.
fn plan_removals(cx: &mut Ctx<'_>, ended: &HashMap<&Address, NaiveDate>) {
    let protected = protected(cx);
    let grace = u64::from(safety(cx).grace_days);
    let today = cx.input.today;
    let input = cx.input;
    let unclaimed: Vec<(&ObservedAccount, Option<&InventoryEntry>)> = input
        .observed
        .accounts
        .iter()
        .zip(&cx.claimed)
        .zip(&cx.entry_at)
        .filter_map(|((a, claimed), e)| (!claimed).then_some((a, *e)))
        .collect();
    for (acc, entry) in unclaimed {
        let Some(entry) = entry else {
            cx.findings.push(Finding::Unmanaged {
                address: acc.address.clone(),
            });
            continue;
        };
        let prev_unit = cx
            .previous((entry.kind, entry.name.as_str()))
            .and_then(|p| p.unit);
        let t = Target {
            kind: entry.kind.into(),
            name: Some(entry.name.clone()),
            address: acc.address.clone(),
            display_name: acc.display_name.clone(),
            unit: prev_unit.map(str::to_string),
            unit_name: unit_name(cx, prev_unit),
        };
        let reason = match ended.get(&acc.address) {
            Some(end) => RemovalReason::EndDatePassed { end_date: *end },
            None => RemovalReason::RemovedFromRepository,
        };
        let action = match entry.suspended_on {
            None => Action::Suspend {
                reason,
                delete_after: today.checked_add_days(Days::new(grace)).unwrap_or(NaiveDate::MAX),
            },
            Some(on) => {
                let after = on.checked_add_days(Days::new(grace)).unwrap_or(NaiveDate::MAX);
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
fn report_missing(cx: &mut Ctx<'_>, source: Option<&AccountSource<'_>>, slots: &[Slot<'_>]) {
    if !cx.input.observed.complete {
        return;
    }
    let wanted: OnceCell<HashSet<(Kind, String)>> = OnceCell::new();
    for e in std::mem::take(&mut cx.missing) {
        let wanted = wanted.get_or_init(|| {
            let Some(source) = source else {
                return HashSet::default();
            };
            slots
                .iter()
                .enumerate()
                .filter(|(_, s)| !matches!(s, Slot::NotCurrent))
                .map(|(k, _)| {
                    let d = source.get(k);
                    (d.kind, d.name.to_string())
                })
                .collect()
        });
        if !wanted.contains(&(e.kind, e.name.clone())) {
            cx.findings.push(Finding::Missing {
                identity: e.id(),
                address: e.address.clone(),
            });
        }
    }
}

/// Blocks removals that the safety rules refuse, and creations when the server was read in part (the
/// account may exist in the part that could not be read).
fn apply_safety(cx: &mut Ctx<'_>) {
    let block = |c: &mut Change, reason: BlockReason| {
        let action = std::mem::replace(&mut c.action, Action::Resume);
        c.action = blocked(action, reason);
    };
    if !cx.input.observed.complete {
        for c in cx
            .changes
            .iter_mut()
            .filter(|c| c.action.kind() == ActionKind::Create)
        {
            block(c, BlockReason::PartialObservation);
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
    let empty = cx
        .input
        .desired
        .is_none_or(|d| d.mailboxes.is_empty() && d.shared_mailboxes.is_empty());
    let reason = if empty {
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
            block(c, reason.clone());
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
    let unit_rank: HashMap<&str, usize> = input
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
    // A stable sort keeps the order in which one account's changes were planned (create before grants).
    changes.sort_by_cached_key(rank);
    findings.sort_by_cached_key(|f| serde_json::to_string(f).unwrap_or_default());
    Plan {
        version: PLAN_VERSION,
        source: input.source.clone(),
        as_of: input.today,
        // Set by the caller that saves the plan (hashing the whole observation is not the diff's work).
        observed_fingerprint: None,
        server_domains: Vec::new(),
        summary: Plan::summarize(&changes),
        changes,
        findings,
        policy_changes: Vec::new(),
    }
}
