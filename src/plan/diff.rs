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
use super::previous::Previous;
use super::{
    Action, ActionKind, BlockReason, Change, FieldChange, Finding, PLAN_VERSION, Plan, PlanSource,
    RemovalReason, RenameSource, Target,
};
use crate::backend::{AccessLevel, AccountUpdate, Capabilities, Observation, ObservedAccount};
use crate::desired::{
    Address, DesiredMailbox, DesiredSharedMailbox, DesiredState, Organization, SafetyLimits,
};
use crate::manifest::Kind;
use crate::state::{Inventory, InventoryEntry};

mod fields;
mod removals;

use fields::{access_actions, field_changes, observed_access_actions};
use removals::{apply_safety, blocked, plan_removals, report_missing};

/// Everything the diff looks at.
#[derive(Debug, Clone)]
pub struct DiffInput<'a> {
    /// The desired state; `None` when it is empty or could not be read (nothing is removed then).
    pub desired: Option<&'a DesiredState>,
    /// The desired state last applied (or the base revision), to recognise renames and drift.
    pub previous: Option<Previous<'a>>,
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

impl<'a> DiffInput<'a> {
    /// The organization in force: the desired one, or else the previous one.
    fn organization(&self) -> Option<&'a Organization> {
        let previous = self.previous.map(Previous::organization);
        self.desired.map(|d| &d.organization).or(previous)
    }
}

const DEFAULT_SAFETY: SafetyLimits = SafetyLimits {
    max_deletions: 3,
    max_deletion_percent: 10,
    grace_days: 30,
};

type Key<'a> = (Kind, &'a str);

/// A resource of the previous desired state, looked up only for the few accounts that change.
#[derive(Clone, Copy)]
enum PreviousResource<'a> {
    Mailbox(&'a DesiredMailbox),
    Shared(&'a DesiredSharedMailbox),
}

impl<'a> PreviousResource<'a> {
    /// Its account, without access grants (not needed for renames and drift).
    fn account(self) -> DesiredAccount<'a> {
        match self {
            PreviousResource::Mailbox(m) => mailbox_account(m, |_, _| None),
            PreviousResource::Shared(s) => shared_account(s, |_, _| None),
        }
    }
}

struct Ctx<'a> {
    input: &'a DiffInput<'a>,
    /// Observed accounts by address: their index in the observation.
    observed: HashMap<&'a Address, usize>,
    /// Which observed accounts a desired account claims, by index.
    claimed: Vec<bool>,
    previous: OnceCell<HashMap<Key<'a>, PreviousResource<'a>>>,
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

    /// The previous state's account, when that state is kept whole (a review's base is the observation
    /// itself, so no field can have drifted from it).
    fn previous(&self, key: Key<'_>) -> Option<DesiredAccount<'a>> {
        let index = self.previous.get_or_init(|| {
            let Some(Previous::State(p)) = self.input.previous else {
                return HashMap::default();
            };
            let shared = (p.shared_mailboxes.iter()).map(|s| {
                (
                    (Kind::SharedMailbox, s.name.as_str()),
                    PreviousResource::Shared(s),
                )
            });
            let people = (p.mailboxes.iter())
                .map(|m| ((Kind::Mailbox, m.name.as_str()), PreviousResource::Mailbox(m)));
            shared.chain(people).collect()
        });
        index.get(&key).map(|p| p.account())
    }

    /// The address an identity had in the previous state (a review's base: the synthesized inventory's).
    fn previous_address(&self, key: Key<'_>) -> Option<&'a Address> {
        match self.input.previous? {
            Previous::State(_) => self.previous(key).map(|p| p.address),
            Previous::Base(_) => self.entry(key).map(|e| &e.address),
        }
    }

    /// The unit an identity had in the previous state.
    fn previous_unit(&self, key: Key<'_>) -> Option<&'a str> {
        match self.input.previous? {
            Previous::State(_) => self.previous(key).and_then(|p| p.unit),
            Previous::Base(b) => (key.0 == Kind::Mailbox).then(|| b.unit(key.1)).flatten(),
        }
    }

    /// The name of the person at an address, as the server shows it.
    fn name(&self, address: &Address) -> Option<String> {
        self.account(address).map(|a| a.display_name.clone())
    }
}

/// Computes the plan.
#[must_use]
pub fn diff(input: &DiffInput<'_>) -> Plan {
    let org = input.organization();
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
    } else if !input.observed.problems.is_empty() {
        cx.findings.push(Finding::ForeignEntries {
            problems: input.observed.problems.clone(),
        });
    }
    let source = input.desired.map(AccountSource::new);
    let (slots, ended) = match &source {
        Some(source) => match_accounts(&mut cx, source),
        None => (Vec::new(), HashMap::default()),
    };
    if let Some(source) = &source {
        let mut with_quota = 0;
        for (k, slot) in slots.iter().enumerate() {
            let d = source.get(k);
            match slot {
                Slot::NotCurrent => continue,
                Slot::Unmatched => plan_account(&mut cx, &d, None),
                Slot::Found(m) => plan_account(&mut cx, &d, Some(m)),
            }
            with_quota += usize::from(d.quota.is_some());
        }
        // A server that enforces no quotas is never asked for one: said once, not as a change per mailbox.
        if !cx.input.capabilities.quotas && with_quota > 0 {
            cx.findings.push(Finding::NotEnforced {
                what: "quotas".into(),
                mailboxes: with_quota,
            });
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
            .previous_address(key)
            .map(|a| (a, RenameSource::PreviousRevision));
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

fn finish(cx: Ctx<'_>) -> Plan {
    let Ctx {
        input,
        mut changes,
        mut findings,
        ..
    } = cx;
    let unit_rank: HashMap<&str, usize> = input
        .organization()
        .map(|o| {
            o.units
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
