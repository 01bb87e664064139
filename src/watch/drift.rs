//! Drift, pure: the server as mailops last left it (a snapshot by address) against the server now.
//!
//! # Guarantees
//! - No I/O; the same inputs give the same result.
//! - An account renamed by hand is found by its server id; one that is gone counts as `missing` only when
//!   the observation is complete (a partial read never reports an account missing).
//! - In report mode, a drifting account keeps its old picture in the next snapshot, so it stays reported
//!   until the repository itself changes it or someone puts it back.

use std::collections::BTreeMap;

use crate::backend::{Observation, ObservedAccount};
use crate::desired::DesiredState;
use crate::plan::{Action, Change, Plan, TargetKind};

/// The server's accounts as mailops last left them, by address.
pub type Snapshot = BTreeMap<String, ObservedAccount>;

/// Accounts that differ from how mailops left them: address → the fields that differ.
#[must_use]
pub fn drift(snapshot: &Snapshot, now: &Observation) -> BTreeMap<String, Vec<String>> {
    let by_address: BTreeMap<String, &ObservedAccount> =
        now.accounts.iter().map(|a| (a.address.to_string(), a)).collect();
    let by_id: BTreeMap<&str, &ObservedAccount> = now
        .accounts
        .iter()
        .filter_map(|a| a.id.as_deref().map(|id| (id, a)))
        .collect();
    let mut drift = BTreeMap::new();
    for (address, before) in snapshot {
        let current = by_address
            .get(address)
            .copied()
            .or_else(|| before.id.as_deref().and_then(|id| by_id.get(id).copied()));
        let fields = match current {
            None if now.complete => vec!["missing".to_string()],
            None => continue,
            Some(after) => differences(before, after),
        };
        if !fields.is_empty() {
            drift.insert(address.clone(), fields);
        }
    }
    drift
}

/// The fields that differ, ignoring the last login.
#[must_use]
pub fn differences(before: &ObservedAccount, after: &ObservedAccount) -> Vec<String> {
    let mut fields = Vec::new();
    let mut add = |name: &str, differs: bool| {
        if differs {
            fields.push(name.to_string());
        }
    };
    add("address", before.address != after.address);
    add("displayName", before.display_name != after.display_name);
    add("givenName", before.given_name != after.given_name);
    add("familyName", before.family_name != after.family_name);
    add("state", before.enabled != after.enabled);
    add("quota", before.quota != after.quota);
    add("aliases", before.aliases != after.aliases);
    add("access", before.access != after.access);
    fields
}

/// The next snapshot from a complete observation: in report mode, accounts of `reported` that still drift
/// keep their picture from `old`.
#[must_use]
pub fn next_snapshot(
    old: Option<&Snapshot>,
    observation: &Observation,
    reported: &BTreeMap<String, Vec<String>>,
    report_mode: bool,
) -> Snapshot {
    let mut next: Snapshot = observation
        .accounts
        .iter()
        .map(|a| (a.address.to_string(), a.clone()))
        .collect();
    if report_mode && let Some(old) = old {
        let still = drift(old, observation);
        for address in reported.keys().filter(|a| still.contains_key(*a)) {
            if let Some(before) = old.get(address) {
                next.insert(address.clone(), before.clone());
            }
        }
    }
    next
}

/// Removes from `plan` the changes that would undo drift, unless the revision itself changed that resource
/// since the last one applied; returns them.
pub fn hold_back(
    plan: &mut Plan,
    drift: &BTreeMap<String, Vec<String>>,
    desired: &DesiredState,
    previous: Option<&DesiredState>,
) -> Vec<Change> {
    let Some(previous) = previous else {
        return Vec::new();
    };
    let changed_by_revision = |c: &Change| -> bool {
        let Some(name) = &c.target.name else {
            return false;
        };
        match c.target.kind {
            TargetKind::Mailbox => desired.mailbox(name) != previous.mailbox(name),
            TargetKind::SharedMailbox => {
                let find = |s: &DesiredState| s.shared_mailboxes.iter().find(|m| &m.name == name).cloned();
                find(desired) != find(previous)
            }
            TargetKind::Account => false,
        }
    };
    let touches_drift = |c: &Change| -> bool {
        drift.contains_key(&c.target.address.to_string())
            || matches!(&c.action, Action::Rename { from, .. } if drift.contains_key(&from.to_string()))
    };
    let (held, kept): (Vec<Change>, Vec<Change>) = std::mem::take(&mut plan.changes)
        .into_iter()
        .partition(|c| touches_drift(c) && !changed_by_revision(c));
    plan.changes = kept;
    plan.summary = Plan::summarize(&plan.changes);
    held
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(address: &str, id: &str, quota: &str) -> ObservedAccount {
        ObservedAccount {
            id: Some(id.into()),
            address: address.parse().unwrap(),
            display_name: "Võ Thị Thu An".into(),
            given_name: None,
            family_name: None,
            enabled: true,
            quota: Some(quota.parse().unwrap()),
            aliases: Default::default(),
            access: Default::default(),
            last_login: None,
        }
    }

    fn snapshot(accounts: &[ObservedAccount]) -> Snapshot {
        accounts
            .iter()
            .map(|a| (a.address.to_string(), a.clone()))
            .collect()
    }

    #[test]
    fn a_quota_raised_by_hand_and_a_rename_by_hand_are_drift() {
        let before = snapshot(&[
            account("anvtt@x.vn", "1", "2GiB"),
            account("binhnv@x.vn", "2", "2GiB"),
        ]);
        let now = Observation::complete(vec![
            account("anvtt@x.vn", "1", "3GiB"),
            account("binh@x.vn", "2", "2GiB"),
        ]);
        let d = drift(&before, &now);
        assert_eq!(d["anvtt@x.vn"], vec!["quota"]);
        assert_eq!(d["binhnv@x.vn"], vec!["address"], "found by its id");
    }

    #[test]
    fn a_missing_account_counts_only_on_a_complete_read() {
        let before = snapshot(&[account("anvtt@x.vn", "1", "2GiB")]);
        let mut now = Observation::complete(Vec::new());
        assert_eq!(drift(&before, &now)["anvtt@x.vn"], vec!["missing"]);
        now.complete = false;
        assert!(drift(&before, &now).is_empty());
    }

    #[test]
    fn in_report_mode_a_drifting_account_keeps_its_old_picture() {
        let old = snapshot(&[account("anvtt@x.vn", "1", "2GiB")]);
        let now = Observation::complete(vec![account("anvtt@x.vn", "1", "3GiB")]);
        let reported = drift(&old, &now);
        let kept = next_snapshot(Some(&old), &now, &reported, true);
        assert_eq!(kept, old, "still reported next time");
        let healed = next_snapshot(Some(&old), &now, &reported, false);
        assert_eq!(healed, snapshot(&now.accounts));
    }
}
