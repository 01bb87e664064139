//! Golden tests of the three plan renderers on scenarios built from examples/bdt-binhthuan: the server holds
//! the example as applied; a commit changes the repository; the plan must say exactly what will happen.

mod common;

use std::path::Path;

use chrono::NaiveDate;
use mailops::backend::{AccessLevel, Capabilities, Observation};
use mailops::desired::{DesiredState, validate};
use mailops::manifest::{LoadOptions, load_repository};
use mailops::plan::{Action, BlockReason, DiffInput, Plan, PlanSource, Previous, diff, render, synthesize};
use mailops::state::Inventory;

const ALL: Capabilities = Capabilities::ALL;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()
}

/// The example copied to a temporary folder, changed by `edit`, loaded and validated.
fn desired_after(edit: impl FnOnce(&Path)) -> Option<DesiredState> {
    let dir = tempfile::tempdir().unwrap();
    common::copy_dir(&common::root().join(common::EXAMPLE), dir.path());
    edit(dir.path());
    let repo = load_repository(dir.path(), LoadOptions::default());
    let v = validate(&repo);
    assert!(
        !v.diagnostics.has_errors() || v.state.is_none(),
        "{:?}",
        v.diagnostics
    );
    v.state
        .filter(|s| !s.mailboxes.is_empty() || !s.shared_mailboxes.is_empty())
}

fn example() -> DesiredState {
    desired_after(|_| {}).unwrap()
}

fn plan_with(desired: Option<&DesiredState>, observed: &Observation, inventory: &Inventory) -> Plan {
    let base = example();
    diff(&DiffInput {
        desired,
        previous: Some(Previous::State(&base)),
        observed,
        inventory,
        capabilities: ALL,
        today: today(),
        source: PlanSource {
            path: "examples/bdt-binhthuan".into(),
            revision: Some("head0000000000000000".into()),
            base_revision: Some("base0000000000000000".into()),
        },
        keep_old_address_as_alias: true,
    })
}

/// The plan for a commit, against the server as the example left it.
fn plan_for(edit: impl FnOnce(&Path)) -> Plan {
    let (observed, inventory) = synthesize(&example());
    let desired = desired_after(edit);
    plan_with(desired.as_ref(), &observed, &inventory)
}

fn snapshots(name: &str, plan: &Plan) {
    insta::assert_snapshot!(format!("{name}-text"), render::text(plan, false));
    insta::assert_snapshot!(format!("{name}-markdown"), render::markdown(plan));
    insta::assert_snapshot!(format!("{name}-json"), render::json(plan));
}

fn write(dir: &Path, rel: &str, text: &str) {
    std::fs::write(dir.join(rel), text).unwrap();
}

fn hire(name: &str, full_name: &str, unit: &str, extra: &str) -> String {
    format!(
        "apiVersion: mailops.dev/v1alpha1\nkind: Mailbox\nmetadata:\n  name: {name}\nspec:\n  fullName: {full_name}\n  unit: {unit}\n{extra}"
    )
}

#[test]
fn an_unchanged_repository_plans_nothing() {
    let plan = plan_for(|_| {});
    assert!(!plan.has_changes(), "{plan:#?}");
    assert_eq!(
        render::text(&plan, false).lines().last(),
        Some("No changes between the two revisions.")
    );
}

#[test]
fn a_new_hire() {
    let plan = plan_for(|d| {
        write(
            d,
            "staff/ban-dan-toc/nguyen-van-binh.yaml",
            &hire(
                "nguyen-van-binh",
                "Nguyễn Văn Bình",
                "ban-dan-toc",
                "  title: Chuyên viên\n  order: 18\n  startDate: 2026-12-01\n",
            ),
        );
    });
    assert_eq!(plan.summary.create, 1);
    assert_eq!(plan.changes.len(), 1);
    assert_eq!(
        plan.changes[0].target.address.to_string(),
        "binhnv@bdt.binhthuan.gov.vn"
    );
    snapshots("new-hire", &plan);
}

#[test]
fn a_transfer_out_is_a_suspension_first() {
    let plan = plan_for(|d| std::fs::remove_file(d.join("staff/ban-dan-toc/mai-dac-hoa.yaml")).unwrap());
    assert_eq!(
        (plan.summary.suspend, plan.summary.delete, plan.summary.blocked),
        (1, 0, 0)
    );
    let Action::Suspend { delete_after, .. } = &plan.changes[0].action else {
        panic!("{plan:#?}")
    };
    assert_eq!(
        *delete_after,
        NaiveDate::from_ymd_opt(2026, 12, 31).unwrap(),
        "30 grace days"
    );
    snapshots("transfer-out", &plan);
}

#[test]
fn a_name_correction_is_a_rename_never_delete_and_create() {
    let plan = plan_for(|d| {
        let f = d.join("staff/ban-dan-toc/vo-thuy-nhung.yaml");
        let t = std::fs::read_to_string(&f)
            .unwrap()
            .replace("fullName: Võ Thùy Nhung", "fullName: Võ Thị Thùy Nhung");
        std::fs::write(f, t).unwrap();
    });
    assert_eq!(
        (plan.summary.rename, plan.summary.create, plan.summary.suspend),
        (1, 0, 0),
        "{plan:#?}"
    );
    let Action::Rename { from, to, .. } = &plan.changes[0].action else {
        panic!("{plan:#?}")
    };
    assert_eq!(
        (from.to_string(), to.to_string()),
        (
            "nhungvt@bdt.binhthuan.gov.vn".into(),
            "nhungvtt@bdt.binhthuan.gov.vn".into()
        )
    );
    snapshots("name-correction", &plan);
}

#[test]
fn a_collision_resolved_with_an_extension() {
    let plan = plan_for(|d| {
        write(
            d,
            "staff/ban-dan-toc/vu-thi-thu-an.yaml",
            &hire(
                "vu-thi-thu-an",
                "Vũ Thị Thu An",
                "ban-dan-toc",
                "  title: Chánh Thanh tra\n  extension: ctt\n",
            ),
        );
    });
    assert_eq!(plan.summary.create, 1);
    assert_eq!(
        plan.changes[0].target.address.to_string(),
        "anvtt.ctt@bdt.binhthuan.gov.vn"
    );
    snapshots("collision-extension", &plan);
}

#[test]
fn the_head_of_the_agency_replaced_is_a_handover() {
    let plan = plan_for(|d| {
        let f = d.join("agency-mailbox.yaml");
        let t = std::fs::read_to_string(&f)
            .unwrap()
            .replace("owner: mai-sen", "owner: truong-ngoc-phuc");
        std::fs::write(f, t).unwrap();
        std::fs::remove_file(d.join("staff/ban-dan-toc/mai-sen.yaml")).unwrap();
    });
    let handover = plan.changes.iter().find_map(|c| match &c.action {
        Action::Handover {
            from,
            to,
            rotate_credentials,
            ..
        } => Some((from.clone(), to.clone(), *rotate_credentials)),
        _ => None,
    });
    let (from, to, rotated) = handover.expect("a handover");
    assert_eq!(from.unwrap().to_string(), "senm@bdt.binhthuan.gov.vn");
    assert_eq!(to.to_string(), "phuctn@bdt.binhthuan.gov.vn");
    assert!(rotated);
    assert!(
        !plan
            .changes
            .iter()
            .any(|c| matches!(c.action, Action::Delete { .. })),
        "data stays"
    );
    let md = render::markdown(&plan);
    let access = md.find("#### Access changes").unwrap();
    assert!(
        md.find("#### Ban Dân tộc").is_none_or(|u| access < u),
        "access changes come first"
    );
    snapshots("handover", &plan);
}

#[test]
fn removing_half_the_staff_is_blocked_by_the_budget_and_the_rest_applies() {
    let plan = plan_for(|d| {
        let dir = d.join("staff/ban-dan-toc");
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        for f in files
            .iter()
            .filter(|f| !f.ends_with("mai-sen.yaml") && !f.ends_with("thanh-thi-minh-hien.yaml"))
            .take(12)
        {
            std::fs::remove_file(f).unwrap();
        }
        write(
            d,
            "staff/trung-tam-dvmn/nguyen-van-binh.yaml",
            &hire("nguyen-van-binh", "Nguyễn Văn Bình", "trung-tam-dvmn", ""),
        );
    });
    assert_eq!(plan.summary.suspend, 0);
    assert_eq!(plan.summary.blocked, 12);
    assert_eq!(plan.summary.create, 1, "the rest of the plan stands");
    assert!(plan.changes.iter().all(|c| match &c.action {
        Action::Blocked { reason, .. } => matches!(
            reason,
            BlockReason::DeletionBudget {
                requested: 12,
                max_deletions: 2,
                ..
            }
        ),
        _ => true,
    }));
    snapshots("mass-removal", &plan);
}

#[test]
fn a_commit_that_empties_the_repository_removes_nothing() {
    let plan = plan_for(|d| {
        for e in std::fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                std::fs::remove_dir_all(p).unwrap()
            } else {
                std::fs::remove_file(p).unwrap()
            }
        }
    });
    assert_eq!((plan.summary.suspend, plan.summary.delete), (0, 0));
    assert_eq!(plan.summary.blocked, 25);
    assert!(plan.changes.iter().all(|c| matches!(
        &c.action,
        Action::Blocked {
            reason: BlockReason::EmptyDesiredState | BlockReason::Protected,
            ..
        }
    )));
    snapshots("empty-repository", &plan);
}

#[test]
fn a_partial_observation_removes_and_creates_nothing() {
    let base = example();
    let (mut observed, inventory) = synthesize(&base);
    observed.accounts.truncate(12);
    observed.complete = false;
    observed.problems = vec!["page 2 of /api/v2/accounts/ failed: HTTP 502".into()];
    let mut desired = base.clone();
    desired.mailboxes.retain(|m| m.name != "vo-thuy-nhung");
    let plan = plan_with(Some(&desired), &observed, &inventory);
    assert_eq!(
        (plan.summary.create, plan.summary.suspend, plan.summary.delete),
        (0, 0, 0),
        "{plan:#?}"
    );
    assert!(plan.summary.blocked >= 12);
    snapshots("partial-observation", &plan);
}

#[test]
fn the_grace_period_then_deletion() {
    let base = example();
    let (observed, mut inventory) = synthesize(&base);
    let mut desired = base.clone();
    desired.mailboxes.retain(|m| m.name != "mai-dac-hoa");
    let key: mailops::manifest::ResourceId = "Mailbox/mai-dac-hoa".parse().unwrap();
    let mut entry = inventory.get(&key).unwrap().clone();
    entry.suspended_on = NaiveDate::from_ymd_opt(2026, 10, 1);
    inventory.insert(entry.clone());
    let plan = plan_with(Some(&desired), &observed, &inventory);
    assert!(
        matches!(plan.changes[0].action, Action::Delete { archive: true, .. }),
        "{plan:#?}"
    );
    entry.suspended_on = NaiveDate::from_ymd_opt(2026, 11, 20);
    inventory.insert(entry);
    let mut observed = observed;
    observed
        .accounts
        .iter_mut()
        .filter(|a| a.address.local() == "hoamd")
        .for_each(|a| a.enabled = false);
    let plan = plan_with(Some(&desired), &observed, &inventory);
    assert!(plan.changes.is_empty(), "waiting for the grace period: {plan:#?}");
}

#[test]
fn accounts_outside_the_inventory_are_never_removed() {
    let base = example();
    let (mut observed, inventory) = synthesize(&base);
    let mut stranger = observed.accounts[0].clone();
    stranger.address = "postmaster@bdt.binhthuan.gov.vn".parse().unwrap();
    stranger.access.clear();
    observed.accounts.push(stranger);
    let plan = plan_with(Some(&base), &observed, &inventory);
    assert!(!plan.has_changes());
    assert_eq!(plan.findings.len(), 1);
}

#[test]
fn drift_is_recognised_and_delegations_are_access_changes() {
    let base = example();
    let (mut observed, inventory) = synthesize(&base);
    let an = observed
        .accounts
        .iter_mut()
        .find(|a| a.address.local() == "anvtt")
        .unwrap();
    an.quota = Some("1GiB".parse().unwrap());
    let bdt = observed
        .accounts
        .iter_mut()
        .find(|a| a.address.local() == "bdt")
        .unwrap();
    bdt.access.insert(
        "hoamd@bdt.binhthuan.gov.vn".parse().unwrap(),
        AccessLevel::Delegate,
    );
    let plan = plan_with(Some(&base), &observed, &inventory);
    let fields = plan.changes.iter().find_map(|c| match &c.action {
        Action::Update { fields, .. } => Some(fields.clone()),
        _ => None,
    });
    let fields = fields.unwrap();
    assert_eq!(fields[0].field, "quota");
    assert!(
        fields[0].drift,
        "the repository did not change the quota: the server did"
    );
    assert!(
        plan.changes
            .iter()
            .any(|c| matches!(&c.action, Action::Revoke { grantee, .. } if grantee.local() == "hoamd"))
    );
}

#[test]
fn diff_is_deterministic() {
    let build = || {
        plan_for(|d| {
            std::fs::remove_file(d.join("staff/ban-dan-toc/mai-dac-hoa.yaml")).unwrap();
            write(
                d,
                "staff/ban-dan-toc/nguyen-van-binh.yaml",
                &hire("nguyen-van-binh", "Nguyễn Văn Bình", "ban-dan-toc", ""),
            );
        })
    };
    let (a, b) = (build(), build());
    assert_eq!(render::json(&a), render::json(&b));
    assert_eq!(render::markdown(&a), render::markdown(&b));
}

#[test]
fn the_json_plan_round_trips() {
    let plan = plan_for(|d| std::fs::remove_file(d.join("staff/ban-dan-toc/mai-dac-hoa.yaml")).unwrap());
    let back: Plan = serde_json::from_str(&render::json(&plan)).unwrap();
    assert_eq!(back, plan);
}

#[test]
fn a_lost_inventory_never_removes_anything_and_adopt_rebuilds_it() {
    let base = example();
    let (observed, _) = synthesize(&base);
    let lost = Inventory::default();
    let mut desired = base.clone();
    desired.mailboxes.retain(|m| m.name != "mai-dac-hoa");
    let plan = plan_with(Some(&desired), &observed, &lost);
    assert_eq!((plan.summary.suspend, plan.summary.delete), (0, 0));
    assert_eq!(
        plan.summary.adopt, 24,
        "everyone still wanted is adopted, nobody removed"
    );
    assert!(
        plan.findings.iter().any(
            |f| matches!(f, mailops::plan::Finding::Unmanaged { address } if address.local() == "hoamd")
        )
    );

    let (rebuilt, report) = mailops::state::adopt(&desired, &observed, &lost);
    assert_eq!(rebuilt.len(), 24);
    assert_eq!(report.adopted.len(), 24);
    assert_eq!(
        report
            .unmanaged
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>(),
        vec!["hoamd@bdt.binhthuan.gov.vn"]
    );
    // Adopted, the repository plans nothing more for them.
    let plan = plan_with(Some(&desired), &observed, &rebuilt);
    assert_eq!(plan.summary.adopt, 0);
    assert!(plan.changes.is_empty(), "{plan:#?}");
}

#[test]
fn former_addresses_recognise_a_rename_without_inventory_or_history() {
    let base = example();
    let (observed, _) = synthesize(&base);
    let mut desired = base.clone();
    let m = desired
        .mailboxes
        .iter_mut()
        .find(|m| m.name == "vo-thuy-nhung")
        .unwrap();
    m.former_addresses = vec![m.address.clone()];
    m.address = "nhungvtt@bdt.binhthuan.gov.vn".parse().unwrap();
    let (_, inventory) = synthesize(&base);
    let no_identity = Inventory {
        entries: inventory
            .entries
            .into_iter()
            .filter(|(k, _)| k.to_string() != "Mailbox/vo-thuy-nhung")
            .collect(),
        ..Inventory::default()
    };
    let plan = diff(&DiffInput {
        desired: Some(&desired),
        previous: None,
        observed: &observed,
        inventory: &no_identity,
        capabilities: ALL,
        today: today(),
        source: PlanSource::default(),
        keep_old_address_as_alias: false,
    });
    let rename = plan.changes.iter().find_map(|c| match &c.action {
        Action::Rename { recognised_by, .. } => Some(*recognised_by),
        _ => None,
    });
    assert_eq!(
        rename,
        Some(mailops::plan::RenameSource::FormerAddress),
        "{plan:#?}"
    );
    assert_eq!(plan.summary.create, 0);
}

#[test]
fn a_backend_that_cannot_rename_blocks_the_rename_and_creates_nothing() {
    let (observed, inventory) = synthesize(&example());
    let desired = desired_after(|d| {
        let f = d.join("staff/ban-dan-toc/vo-thuy-nhung.yaml");
        let t = std::fs::read_to_string(&f)
            .unwrap()
            .replace("fullName: Võ Thùy Nhung", "fullName: Võ Thị Thùy Nhung");
        std::fs::write(f, t).unwrap();
    });
    let plan = diff(&DiffInput {
        desired: desired.as_ref(),
        previous: None,
        observed: &observed,
        inventory: &inventory,
        capabilities: Capabilities { rename: false, ..ALL },
        today: today(),
        source: PlanSource::default(),
        keep_old_address_as_alias: true,
    });
    assert_eq!(
        (
            plan.summary.create,
            plan.summary.delete,
            plan.summary.suspend,
            plan.summary.blocked
        ),
        (0, 0, 0, 1)
    );
    assert!(matches!(
        &plan.changes[0].action,
        Action::Blocked {
            reason: BlockReason::RenameUnsupported,
            ..
        }
    ));
}

/// A mailbox that was read, on a server read only in part, is not removed: its suspension is shown blocked
/// for that reason (a removal of a mailbox the server never showed could not tell the rule apart).
#[test]
fn a_partial_observation_blocks_the_removal_of_a_mailbox_that_was_read() {
    let base = example();
    let (mut observed, inventory) = synthesize(&base);
    observed.accounts.truncate(12);
    observed.complete = false;
    observed.problems = vec!["page 2 of /api/v2/accounts/ failed: HTTP 502".into()];
    let read = observed.accounts[3].address.clone();
    let mut desired = base.clone();
    let before = desired.mailboxes.len();
    desired.mailboxes.retain(|m| m.address != read);
    assert_eq!(desired.mailboxes.len(), before - 1, "{read} is a person's");
    let plan = plan_with(Some(&desired), &observed, &inventory);
    assert_eq!((plan.summary.suspend, plan.summary.delete), (0, 0), "{plan:#?}");
    let c = plan
        .changes
        .iter()
        .find(|c| c.target.address == read)
        .unwrap_or_else(|| panic!("{read}'s removal is shown: {plan:#?}"));
    assert!(
        matches!(
            &c.action,
            Action::Blocked { intended, reason: BlockReason::PartialObservation }
                if matches!(**intended, Action::Suspend { .. })
        ),
        "{c:#?}"
    );
    // Read whole, the same removal is a suspension.
    observed.complete = true;
    let (all, _) = synthesize(&base);
    observed.accounts = all.accounts;
    let plan = plan_with(Some(&desired), &observed, &inventory);
    assert_eq!(plan.summary.suspend, 1, "{plan:#?}");
}

/// The grace period's last day and the day after: suspended 30 days (the grace) before today, the mailbox
/// waits; 31 days before, it is deleted.
#[test]
fn the_last_day_of_grace_waits_and_the_day_after_deletes() {
    let base = example();
    let (observed, mut inventory) = synthesize(&base);
    let mut desired = base.clone();
    desired.mailboxes.retain(|m| m.name != "mai-dac-hoa");
    let key: mailops::manifest::ResourceId = "Mailbox/mai-dac-hoa".parse().unwrap();
    let mut observed = observed;
    observed
        .accounts
        .iter_mut()
        .filter(|a| a.address.local() == "hoamd")
        .for_each(|a| a.enabled = false);
    for (days, deleted) in [(29, false), (30, false), (31, true)] {
        let mut entry = inventory.get(&key).unwrap().clone();
        entry.suspended_on = today().checked_sub_days(chrono::Days::new(days));
        inventory.insert(entry);
        let plan = plan_with(Some(&desired), &observed, &inventory);
        assert_eq!(
            plan.summary.delete,
            usize::from(deleted),
            "suspended {days} days before: {plan:#?}"
        );
        if !deleted {
            assert!(
                plan.findings
                    .iter()
                    .any(|f| matches!(f, mailops::plan::Finding::PendingDeletion { .. })),
                "{days}: {plan:#?}"
            );
        }
    }
}

/// The diff's deletion budget at the edge of each limit, each alone: one removal past it blocks them all.
#[test]
fn the_diffs_budget_blocks_one_removal_past_either_limit() {
    use mailops::desired::SafetyLimits;
    let base = example();
    let (observed, inventory) = synthesize(&base);
    // People whose removal changes nothing else (not the agency mailbox's owner or delegate).
    let people: Vec<String> = base
        .mailboxes
        .iter()
        .map(|m| m.name.clone())
        .filter(|n| n != "mai-sen" && n != "thanh-thi-minh-hien")
        .collect();
    let removing = |n: usize, max_deletions: u32, max_deletion_percent: u32| {
        let mut d = base.clone();
        d.organization.safety = SafetyLimits {
            max_deletions,
            max_deletion_percent,
            grace_days: 30,
        };
        d.mailboxes.retain(|m| !people[..n].contains(&m.name));
        let plan = plan_with(Some(&d), &observed, &inventory);
        (plan.summary.suspend, plan.summary.blocked)
    };
    // The count alone: at most 3.
    assert_eq!(removing(3, 3, 100), (3, 0));
    assert_eq!(removing(4, 3, 100), (0, 4));
    // The share alone: 20% of 25 managed is 5.
    assert_eq!(removing(5, 100, 20), (5, 0));
    assert_eq!(removing(6, 100, 20), (0, 6));
}

/// A managed account gone from the server is a finding when the repository no longer wants it; one it
/// still wants is created again, with no finding; and on a server read only in part nothing is said missing.
#[test]
fn a_managed_account_gone_from_the_server_is_a_finding_unless_wanted_or_read_in_part() {
    use mailops::plan::Finding;
    let base = example();
    let (mut observed, inventory) = synthesize(&base);
    observed.accounts.retain(|a| a.address.local() != "hoamd");
    let missing = |plan: &Plan| {
        plan.findings
            .iter()
            .filter(|f| matches!(f, Finding::Missing { address, .. } if address.local() == "hoamd"))
            .count()
    };
    let mut desired = base.clone();
    desired.mailboxes.retain(|m| m.name != "mai-dac-hoa");
    let plan = plan_with(Some(&desired), &observed, &inventory);
    assert_eq!(missing(&plan), 1, "{plan:#?}");
    let plan = plan_with(Some(&base), &observed, &inventory);
    assert_eq!((missing(&plan), plan.summary.create), (0, 1), "{plan:#?}");
    observed.complete = false;
    let plan = plan_with(Some(&desired), &observed, &inventory);
    assert_eq!(missing(&plan), 0, "{plan:#?}");
}

/// Only a desired state with neither mailboxes nor agency mailboxes is "empty": with the agency mailbox
/// still there, removing every person is a removal like any other (here within a budget that allows it).
#[test]
fn a_desired_state_with_only_its_agency_mailbox_is_not_empty() {
    use mailops::desired::SafetyLimits;
    let base = example();
    let (observed, inventory) = synthesize(&base);
    let mut d = base.clone();
    d.organization.safety = SafetyLimits {
        max_deletions: 1000,
        max_deletion_percent: 100,
        grace_days: 30,
    };
    d.mailboxes.clear();
    let plan = plan_with(Some(&d), &observed, &inventory);
    let empty = plan
        .changes
        .iter()
        .filter(|c| {
            matches!(
                &c.action,
                Action::Blocked {
                    reason: BlockReason::EmptyDesiredState,
                    ..
                }
            )
        })
        .count();
    assert_eq!(empty, 0, "{plan:#?}");
    assert!(plan.summary.suspend >= 20, "{plan:#?}");
    d.shared_mailboxes.clear();
    let plan = plan_with(Some(&d), &observed, &inventory);
    assert_eq!(plan.summary.suspend, 0, "{plan:#?}");
}
