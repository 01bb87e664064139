//! Accounts nothing desired claims, and the safety rules over every removal: staged removal, the deletion
//! budget, protected addresses, blocked removals on an empty desired state or a partial observation.

use super::*;

pub(super) fn blocked(action: Action, reason: BlockReason) -> Action {
    Action::Blocked {
        intended: Box::new(action),
        reason,
    }
}

pub(super) fn safety(cx: &Ctx<'_>) -> SafetyLimits {
    cx.input.organization().map_or(DEFAULT_SAFETY, |o| o.safety)
}

pub(super) fn protected<'a>(cx: &Ctx<'a>) -> HashSet<&'a Address> {
    let mut out = HashSet::default();
    if let Some(d) = cx.input.desired {
        out.extend(d.organization.protected_addresses.iter());
        out.extend(d.shared_mailboxes.iter().map(|s| &s.address));
    }
    if let Some(p) = cx.input.previous {
        out.extend(p.organization().protected_addresses.iter());
        out.extend(p.shared_addresses());
    }
    out
}

/// Accounts on the server that nothing desired claims: managed ones are removed in stages, others reported.
pub(super) fn plan_removals(cx: &mut Ctx<'_>, ended: &HashMap<&Address, NaiveDate>) {
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
        let prev_unit = cx.previous_unit((entry.kind, entry.name.as_str()));
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
pub(super) fn report_missing(cx: &mut Ctx<'_>, source: Option<&AccountSource<'_>>, slots: &[Slot<'_>]) {
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
pub(super) fn apply_safety(cx: &mut Ctx<'_>) {
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
