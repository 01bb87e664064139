//! The desired state as a flat list of accounts, the form the diff compares with the server.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;

use crate::backend::{AccessLevel, NewAccount};
use crate::desired::{Address, DesiredState, Quota};
use crate::manifest::MailboxState;

/// One account the repository asks for: a person's Mailbox or an agency SharedMailbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DesiredAccount {
    /// `Mailbox` or `SharedMailbox`.
    pub kind: &'static str,
    /// metadata.name.
    pub name: String,
    /// Address.
    pub address: Address,
    /// Full name or display name.
    pub display_name: String,
    /// Given name (people only).
    pub given_name: Option<String>,
    /// Family and middle names (people only).
    pub family_name: Option<String>,
    /// Unit id (people only).
    pub unit: Option<String>,
    /// Quota.
    pub quota: Option<Quota>,
    /// Whether login is wanted.
    pub enabled: bool,
    /// Aliases.
    pub aliases: BTreeSet<Address>,
    /// Former addresses.
    pub former_addresses: Vec<Address>,
    /// Who else has access: grantee address → (level, grantee's full name).
    pub access: BTreeMap<Address, (AccessLevel, String)>,
    /// First working day.
    pub start_date: Option<NaiveDate>,
    /// Last working day.
    pub end_date: Option<NaiveDate>,
}

impl DesiredAccount {
    /// `Kind/name`.
    #[must_use]
    pub fn key(&self) -> String {
        format!("{}/{}", self.kind, self.name)
    }

    /// The account to create.
    #[must_use]
    pub fn new_account(&self) -> NewAccount {
        NewAccount {
            address: self.address.clone(),
            display_name: self.display_name.clone(),
            given_name: self.given_name.clone(),
            family_name: self.family_name.clone(),
            quota: self.quota,
            aliases: self.aliases.clone(),
            enabled: self.enabled,
        }
    }
}

/// Flattens the desired state: agency mailboxes first, then people in directory order.
#[must_use]
pub fn desired_accounts(state: &DesiredState) -> Vec<DesiredAccount> {
    let person = |name: &str| {
        state
            .mailbox(name)
            .map(|m| (m.address.clone(), m.full_name.clone()))
    };
    let mut out = Vec::with_capacity(state.mailboxes.len() + state.shared_mailboxes.len());
    for s in &state.shared_mailboxes {
        let mut access = BTreeMap::new();
        if let Some((a, n)) = person(&s.owner) {
            access.insert(a, (AccessLevel::Owner, n));
        }
        for d in &s.delegates {
            if let Some((a, n)) = person(d) {
                access.entry(a).or_insert((AccessLevel::Delegate, n));
            }
        }
        out.push(DesiredAccount {
            kind: "SharedMailbox",
            name: s.name.clone(),
            address: s.address.clone(),
            display_name: s.display_name.clone(),
            given_name: None,
            family_name: None,
            unit: None,
            quota: s.quota,
            enabled: true,
            aliases: s.aliases.iter().cloned().collect(),
            former_addresses: s.former_addresses.clone(),
            access,
            start_date: None,
            end_date: None,
        });
    }
    for m in &state.mailboxes {
        let mut family: Vec<String> = m.family_name.iter().cloned().collect();
        family.extend(m.middle_names.iter().cloned());
        let access = m
            .delegates
            .iter()
            .filter_map(|d| person(d).map(|(a, n)| (a, (AccessLevel::Delegate, n))))
            .collect();
        out.push(DesiredAccount {
            kind: "Mailbox",
            name: m.name.clone(),
            address: m.address.clone(),
            display_name: m.full_name.clone(),
            given_name: Some(m.given_name.clone()),
            family_name: (!family.is_empty()).then(|| family.join(" ")),
            unit: Some(m.unit.clone()),
            quota: m.quota,
            enabled: m.state == MailboxState::Active,
            aliases: m.aliases.iter().cloned().collect(),
            former_addresses: m.former_addresses.clone(),
            access,
            start_date: m.start_date,
            end_date: m.end_date,
        });
    }
    out
}

/// The server and inventory as they would be once `state` is applied in full: every account created by
/// mailops, with the desired fields. `plan --base` compares a head revision against this picture of the
/// base revision; tests start scenarios from it.
#[must_use]
pub fn synthesize(state: &DesiredState) -> (crate::backend::Observation, crate::state::Inventory) {
    use crate::backend::{Observation, ObservedAccount};
    use crate::state::{EntryOrigin, Inventory, InventoryEntry};
    let mut accounts = Vec::new();
    let mut inventory = Inventory::default();
    for d in desired_accounts(state) {
        accounts.push(ObservedAccount {
            id: None,
            address: d.address.clone(),
            display_name: d.display_name.clone(),
            given_name: d.given_name.clone(),
            family_name: d.family_name.clone(),
            enabled: d.enabled,
            quota: d.quota,
            aliases: d.aliases.clone(),
            access: d.access.iter().map(|(a, (l, _))| (a.clone(), *l)).collect(),
            last_login: None,
        });
        inventory.insert(InventoryEntry {
            kind: d.kind.to_string(),
            name: d.name.clone(),
            address: d.address.clone(),
            backend_id: None,
            origin: EntryOrigin::Created,
            last_revision: None,
            suspended_on: None,
        });
    }
    (Observation::complete(accounts), inventory)
}
