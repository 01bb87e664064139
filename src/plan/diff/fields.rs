//! What changes on an account the server already has: its fields (with drift told from a change) and who
//! has access to it.

use super::*;

pub(super) fn list<'x>(addresses: impl Iterator<Item = &'x Address>) -> Option<String> {
    let set: BTreeSet<&Address> = addresses.collect();
    (!set.is_empty()).then(|| set.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "))
}

pub(super) fn state(enabled: bool) -> String {
    (if enabled { "active" } else { "suspended" }).to_string()
}

/// An update: what the executor sets (typed) and how it reads for people.
pub(super) struct Update {
    pub(super) fields: Vec<FieldChange>,
    pub(super) set: AccountUpdate,
    pub(super) enable: Option<bool>,
}

/// Field differences between a desired account and the server's; `drift` when the previous desired state
/// already had the wanted value (so the server was changed by hand). Values are compared first and only
/// formatted (for people) when they differ; the typed values go to the executor.
pub(super) fn field_changes(
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
        && cx.input.capabilities.quotas
        && acc.quota != Some(cx.input.capabilities.stored_quota(q))
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
pub(super) fn observed_access_actions(
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
pub(super) fn access_actions(
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
