//! The executor's safety rules (`engine::guard::refused`) as a pure function, rule by rule and at each
//! boundary: what is refused, with which reason, and what is let through. Mutation testing (issue 30,
//! `tests/mutants.sh`) reads these together with the executor tests of tests/apply_maildir.rs.

mod common;

use chrono::NaiveDate;
use mailops::backend::{Capabilities, Observation};
use mailops::desired::{DesiredState, SafetyLimits};
use mailops::engine::Guard;
use mailops::engine::guard::refused;
use mailops::plan::{Action, Change, DiffInput, Plan, PlanSource, RemovalReason, diff, synthesize};
use mailops::state::Inventory;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()
}

fn example() -> DesiredState {
    let repo = mailops::manifest::load_repository(&common::root().join(common::EXAMPLE), Default::default());
    mailops::desired::validate(&repo).state.unwrap()
}

/// The example, everyone managed (as after a first apply), the plan of its creation (a source of changes
/// to repurpose) and its guard.
struct Case {
    inventory: Inventory,
    creation: Plan,
    guard: Guard,
}

impl Case {
    fn new() -> Self {
        let desired = example();
        let (_, inventory) = synthesize(&desired);
        let empty = Observation::complete(Vec::new());
        let creation = diff(&DiffInput {
            desired: Some(&desired),
            previous: None,
            observed: &empty,
            inventory: &Inventory::default(),
            capabilities: Capabilities::ALL,
            today: today(),
            source: PlanSource::default(),
            keep_old_address_as_alias: true,
        });
        Self {
            inventory,
            creation,
            guard: Guard::of(&desired),
        }
    }

    /// The change of `address` in the creation plan, with `action` instead.
    fn change(&self, address: &str, action: Action) -> Change {
        let mut c = self
            .creation
            .changes
            .iter()
            .find(|c| c.target.address.as_str() == address)
            .unwrap_or_else(|| panic!("{address}"))
            .clone();
        c.action = action;
        c
    }

    /// The same change for another address (an account mailops does not manage).
    fn stranger(&self, address: &str, action: Action) -> Change {
        let mut c = self.change("anvtt@bdt.binhthuan.gov.vn", action);
        c.target.address = address.parse().unwrap();
        c.target.name = Some(format!("stranger-{}", address.split('@').next().unwrap()));
        c
    }

    /// The refusals of a plan of these changes: (index, reason).
    fn refused(&self, changes: Vec<Change>) -> Vec<(usize, String)> {
        let plan = Plan {
            changes,
            ..self.creation.clone()
        };
        refused(&plan, &self.inventory, &self.guard, today())
            .into_iter()
            .collect()
    }

    fn suspended(&mut self, address: &str, days_ago: u64) -> NaiveDate {
        let on = today().checked_sub_days(chrono::Days::new(days_ago)).unwrap();
        let id = self.change(address, Action::Resume).target.resource().unwrap();
        let mut e = self.inventory.get(&id).unwrap().clone();
        e.suspended_on = Some(on);
        self.inventory.insert(e);
        on
    }
}

const AN: &str = "anvtt@bdt.binhthuan.gov.vn";
const SEN: &str = "senm@bdt.binhthuan.gov.vn";
const AGENCY: &str = "bdt@binhthuan.gov.vn";

fn suspend() -> Action {
    Action::Suspend {
        reason: RemovalReason::RemovedFromRepository,
        delete_after: today(),
    }
}

fn delete(on: NaiveDate) -> Action {
    Action::Delete {
        suspended_on: on,
        archive: true,
    }
}

fn rename(from: &str, to: &str) -> Action {
    Action::Rename {
        from: from.parse().unwrap(),
        to: to.parse().unwrap(),
        keep_old_as_alias: true,
        recognised_by: mailops::plan::RenameSource::Inventory,
    }
}

fn reasons(r: &[(usize, String)]) -> Vec<(usize, &str)> {
    r.iter()
        .map(|(i, why)| {
            let kind = [
                "protected",
                "not managed",
                "never suspended",
                "grace period",
                "deletion budget",
                "names another account",
                "read in part",
            ]
            .into_iter()
            .find(|k| why.contains(k))
            .unwrap_or(why.as_str());
            (*i, kind)
        })
        .collect()
}

#[test]
fn managed_changes_pass_and_strangers_do_not() {
    let c = Case::new();
    let update = || Action::Resume;
    assert!(c.refused(vec![c.change(AN, update())]).is_empty());
    let r = c.refused(vec![c.stranger("khach@bdt.binhthuan.gov.vn", update())]);
    assert_eq!(reasons(&r), [(0, "not managed")]);
    // A blocked change is never refused: it does not reach the server.
    let blocked = Action::Blocked {
        intended: Box::new(suspend()),
        reason: mailops::plan::BlockReason::Protected,
    };
    assert!(
        c.refused(vec![c.stranger("khach@bdt.binhthuan.gov.vn", blocked)])
            .is_empty()
    );
}

#[test]
fn a_rename_carries_management_to_its_new_address_only_from_a_managed_unprotected_one() {
    let c = Case::new();
    // Managed → new: the later change of the new address passes.
    let r = c.refused(vec![
        c.change(AN, rename(AN, "an.vtt@bdt.binhthuan.gov.vn")),
        c.stranger("an.vtt@bdt.binhthuan.gov.vn", Action::Resume),
    ]);
    assert!(r.is_empty(), "{r:?}");
    // Unmanaged → new: both refused (the new address is no more managed than the old).
    let r = c.refused(vec![
        c.stranger(
            "khach@bdt.binhthuan.gov.vn",
            rename("khach@bdt.binhthuan.gov.vn", "moi@bdt.binhthuan.gov.vn"),
        ),
        c.stranger("moi@bdt.binhthuan.gov.vn", Action::Resume),
    ]);
    assert_eq!(reasons(&r), [(0, "not managed"), (1, "not managed")]);
    // Protected → new: refused, and the new address is not managed by it.
    let r = c.refused(vec![
        c.change(AGENCY, rename(AGENCY, "bdt2@binhthuan.gov.vn")),
        c.stranger("bdt2@binhthuan.gov.vn", Action::Resume),
    ]);
    assert_eq!(reasons(&r), [(0, "protected"), (1, "not managed")]);
}

#[test]
fn a_creation_naming_another_account_is_refused_and_a_new_account_may_be_granted_to() {
    let c = Case::new();
    let mut create = c
        .creation
        .changes
        .iter()
        .find(|c| matches!(c.action, Action::Create { .. }))
        .unwrap()
        .clone();
    let ok = c.refused(vec![create.clone()]);
    assert!(ok.is_empty(), "{ok:?}");
    if let Action::Create { account } = &mut create.action {
        account.address = "khac@bdt.binhthuan.gov.vn".parse().unwrap();
    }
    assert_eq!(reasons(&c.refused(vec![create])), [(0, "names another account")]);
    // A change of an account the plan creates passes.
    let create_new = {
        let mut x = c
            .creation
            .changes
            .iter()
            .find(|c| c.target.address.as_str() == AN)
            .unwrap()
            .clone();
        x.target.address = "moi@bdt.binhthuan.gov.vn".parse().unwrap();
        if let Action::Create { account } = &mut x.action {
            account.address = x.target.address.clone();
        }
        x
    };
    let r = c.refused(vec![
        create_new,
        c.stranger("moi@bdt.binhthuan.gov.vn", Action::Resume),
    ]);
    assert!(r.is_empty(), "{r:?}");
}

#[test]
fn protected_addresses_are_never_suspended_or_deleted() {
    let mut c = Case::new();
    let on = c.suspended(AGENCY, 400);
    let r = c.refused(vec![c.change(AGENCY, suspend())]);
    assert_eq!(reasons(&r), [(0, "protected")]);
    let r = c.refused(vec![c.change(AGENCY, delete(on))]);
    assert_eq!(reasons(&r), [(0, "protected")]);
    let r = c.refused(vec![c.stranger("postmaster@bdt.binhthuan.gov.vn", suspend())]);
    assert_eq!(reasons(&r), [(0, "protected")]);
}

#[test]
fn a_deletion_waits_for_its_suspension_and_the_end_of_its_grace() {
    let mut c = Case::new();
    let r = c.refused(vec![c.change(AN, delete(today()))]);
    assert_eq!(reasons(&r), [(0, "never suspended")]);
    for (days, allowed) in [(1, false), (29, false), (30, false), (31, true), (400, true)] {
        let on = c.suspended(AN, days);
        let r = c.refused(vec![c.change(AN, delete(on))]);
        if allowed {
            assert!(r.is_empty(), "suspended {days} days ago: {r:?}");
        } else {
            assert_eq!(reasons(&r), [(0, "grace period")], "suspended {days} days ago");
        }
    }
}

#[test]
fn the_budget_counts_every_removal_against_both_limits_at_their_boundaries() {
    let mut c = Case::new();
    let people: Vec<String> = c
        .creation
        .changes
        .iter()
        .map(|c| c.target.address.to_string())
        .filter(|a| a.ends_with("@bdt.binhthuan.gov.vn") && a != "postmaster@bdt.binhthuan.gov.vn")
        .collect();
    let removals =
        |c: &Case, n: usize| -> Vec<Change> { people[..n].iter().map(|a| c.change(a, suspend())).collect() };
    // At most 2 (the example's maxDeletions; 10% of 25 allows 2 too): 2 pass, 3 are all refused.
    assert!(c.refused(removals(&c, 2)).is_empty());
    let r = c.refused(removals(&c, 3));
    assert_eq!(
        reasons(&r),
        [
            (0, "deletion budget"),
            (1, "deletion budget"),
            (2, "deletion budget")
        ]
    );
    // The percentage alone, exactly at its limit: 20% of 25 managed is 5, so 5 pass and 6 do not.
    c.guard.limits = SafetyLimits {
        max_deletions: 100,
        max_deletion_percent: 20,
        grace_days: 30,
    };
    assert!(c.refused(removals(&c, 5)).is_empty());
    assert_eq!(c.refused(removals(&c, 6)).len(), 6);
    // The count alone, at its limit.
    c.guard.limits = SafetyLimits {
        max_deletions: 4,
        max_deletion_percent: 100,
        grace_days: 30,
    };
    assert!(c.refused(removals(&c, 4)).is_empty());
    assert_eq!(c.refused(removals(&c, 5)).len(), 5);
    // A removal refused for another reason still counts: 1 protected + 4 others is over a budget of 4.
    let mut plan = removals(&c, 4);
    plan.push(c.change(AGENCY, suspend()));
    let r = c.refused(plan);
    assert_eq!(r.len(), 5, "{r:?}");
    assert_eq!(reasons(&r)[4], (4, "protected"));
    // Updates are never counted.
    let mut plan = removals(&c, 4);
    plan.push(c.change(SEN, Action::Resume));
    assert!(c.refused(plan).is_empty());
}

#[test]
fn on_a_server_read_in_part_nothing_is_created_or_removed_and_the_rest_passes() {
    let mut c = Case::new();
    c.guard.partial = true;
    let on = c.suspended(AN, 400);
    let create = c
        .creation
        .changes
        .iter()
        .find(|x| matches!(x.action, Action::Create { .. }))
        .unwrap()
        .clone();
    let r = c.refused(vec![
        c.change(AN, delete(on)),
        c.change(SEN, suspend()),
        create,
        c.change(SEN, Action::Resume),
    ]);
    assert_eq!(
        reasons(&r),
        [(0, "read in part"), (1, "read in part"), (2, "read in part")]
    );
}

/// The two ways a rename of a managed account is recognised without the inventory's entry for the
/// resource: a managed `from` under a resource the inventory has no entry for (recognised by the backend's
/// id), and an unmanaged `from` whose resource the inventory knows at the `to` end (renamed on the server by
/// hand). Both pass; a rename known at neither end is refused.
#[test]
fn a_rename_known_at_either_end_passes() {
    let c = Case::new();
    let mut by_id = c.change(AN, rename(AN, "an.vtt@bdt.binhthuan.gov.vn"));
    by_id.target.name = Some("renamed-resource".into());
    assert!(c.refused(vec![by_id]).is_empty());
    let by_hand = c.change(AN, rename("khach@bdt.binhthuan.gov.vn", AN));
    assert!(c.refused(vec![by_hand]).is_empty());
    let mut unknown = c.change(
        AN,
        rename("khach@bdt.binhthuan.gov.vn", "moi@bdt.binhthuan.gov.vn"),
    );
    unknown.target.name = Some("renamed-resource".into());
    assert_eq!(reasons(&c.refused(vec![unknown])), [(0, "not managed")]);
    // Known to the inventory, but at neither end of this rename: refused.
    let elsewhere = c.change(
        AN,
        rename("khach@bdt.binhthuan.gov.vn", "moi@bdt.binhthuan.gov.vn"),
    );
    assert_eq!(reasons(&c.refused(vec![elsewhere])), [(0, "not managed")]);
}
