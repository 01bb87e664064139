//! The safety rules the executor enforces itself, whatever plan it is given (a saved plan may have been
//! edited; a bug in the diff must not become a deletion): only accounts of the inventory are changed, a
//! protected address is never suspended, deleted or renamed away, removals stay within the deletion budget,
//! a mailbox is deleted only after its suspension and grace period, and nothing is created or removed when
//! the server could be read only in part. A change that breaks one is refused and never reaches the server.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;

use crate::desired::{Address, DesiredState, SafetyLimits};
use crate::plan::{Action, ActionKind, Plan};
use crate::state::Inventory;

/// What the rules need from the desired state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Guard {
    /// Addresses never removed or renamed away: the Organization's protected addresses and every agency
    /// mailbox.
    pub protected: BTreeSet<Address>,
    /// The deletion budget and the grace period.
    pub limits: SafetyLimits,
    /// The server the plan is carried out on was read only in part (set by the connection from the
    /// observation it executes against): no account is created, suspended or deleted on that basis.
    pub partial: bool,
}

impl Guard {
    /// The rules of a desired state.
    #[must_use]
    pub fn of(desired: &DesiredState) -> Self {
        let mut protected: BTreeSet<Address> =
            desired.organization.protected_addresses.iter().cloned().collect();
        protected.extend(desired.shared_mailboxes.iter().map(|s| s.address.clone()));
        Self {
            protected,
            limits: desired.organization.safety,
            partial: false,
        }
    }
}

/// The changes of `plan` (by index) the rules refuse, with why.
#[must_use]
pub fn refused(
    plan: &Plan,
    inventory: &Inventory,
    guard: &Guard,
    today: NaiveDate,
) -> BTreeMap<usize, String> {
    let mut out = BTreeMap::new();
    let mut managed: BTreeSet<&Address> = inventory.entries.values().map(|e| &e.address).collect();
    // A managed account renamed in this plan is managed under its new address too (its later changes).
    let renamed: Vec<&Address> = (plan.changes.iter())
        .filter_map(|c| match &c.action {
            Action::Rename { from, to, .. } if managed.contains(from) && !guard.protected.contains(from) => {
                Some(to)
            }
            _ => None,
        })
        .collect();
    managed.extend(renamed);
    // Accounts this plan creates or adopts may be changed in it (grants to a new mailbox).
    let joining: BTreeSet<&Address> = plan
        .changes
        .iter()
        .filter(|c| matches!(c.action, Action::Create { .. } | Action::Adopt { .. }))
        .map(|c| &c.target.address)
        .collect();
    let is_removal = |a: &Action| matches!(a.kind(), ActionKind::Suspend | ActionKind::Delete);
    for (i, c) in plan.changes.iter().enumerate() {
        let address = &c.target.address;
        let entry = c.target.resource().and_then(|id| inventory.get(&id));
        let reason = match &c.action {
            Action::Blocked { .. } | Action::Adopt { .. } => None,
            a if guard.partial && (is_removal(a) || matches!(a, Action::Create { .. })) => Some(format!(
                "the server could only be read in part; {address} is neither created nor removed on that basis"
            )),
            Action::Create { account } => (account.address != *address)
                .then(|| format!("the creation of {address} names another account")),
            Action::Rename { from, to, .. } => {
                if guard.protected.contains(from) {
                    Some(format!("{from} is protected; it is never renamed away"))
                } else if !managed.contains(from)
                    && !joining.contains(to)
                    // Renamed on the server by hand: the inventory knows the identity at one end.
                    && !entry.is_some_and(|e| e.address == *from || e.address == *to)
                {
                    Some(format!("{from} is not managed by mailops"))
                } else {
                    None
                }
            }
            a if is_removal(a) && guard.protected.contains(address) => Some(format!(
                "{address} is protected; it is never suspended or deleted"
            )),
            Action::Delete { .. } => match entry.and_then(|e| e.suspended_on) {
                None => Some(format!(
                    "{address} was never suspended by mailops; it is not deleted"
                )),
                Some(on) => {
                    let due = on.checked_add_days(chrono::Days::new(u64::from(guard.limits.grace_days)));
                    match due {
                        Some(due) if due < today => None,
                        _ => Some(format!(
                            "the grace period of {address} has not ended; it is not deleted"
                        )),
                    }
                }
            },
            _ if !managed.contains(address) && !joining.contains(address) => {
                Some(format!("{address} is not managed by mailops"))
            }
            _ => None,
        };
        if let Some(r) = reason {
            out.insert(i, r);
        }
    }
    // The budget counts every removal the plan asks for (those refused above included).
    let removals: Vec<usize> = (plan.changes.iter().enumerate())
        .filter(|(_, c)| is_removal(&c.action))
        .map(|(i, _)| i)
        .collect();
    let managed_count = inventory.len().max(1);
    let over = removals.len() > guard.limits.max_deletions as usize
        || removals.len() * 100 > guard.limits.max_deletion_percent as usize * managed_count;
    if over {
        for i in removals {
            out.entry(i).or_insert_with(|| {
                format!(
                    "over the deletion budget (at most {} and {}% of {} managed mailboxes per run)",
                    guard.limits.max_deletions,
                    guard.limits.max_deletion_percent,
                    inventory.len()
                )
            });
        }
    }
    out
}
