//! The desired state as a flat list of accounts, the form the diff compares with the server. Accounts
//! borrow from the state: flattening 100k mailboxes copies no names or addresses.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;

use crate::backend::{AccessLevel, NewAccount, Observation, ObservedAccount};
use crate::desired::{Address, DesiredMailbox, DesiredSharedMailbox, DesiredState, Quota};
use crate::manifest::{Kind, MailboxState, ResourceId};
use crate::state::{EntryOrigin, Inventory, InventoryEntry};

/// Who has access to a desired account: grantee address, level, grantee's full name.
pub type Grant<'a> = (&'a Address, AccessLevel, &'a str);

/// One account the repository asks for: a person's Mailbox or an agency SharedMailbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DesiredAccount<'a> {
    /// `Mailbox` or `SharedMailbox`.
    pub kind: Kind,
    /// metadata.name.
    pub name: &'a str,
    /// Address.
    pub address: &'a Address,
    /// Full name or display name.
    pub display_name: &'a str,
    /// Given name (people only).
    pub given_name: Option<&'a str>,
    /// Family name (people only).
    pub family: Option<&'a str>,
    /// Middle names (people only).
    pub middle: &'a [String],
    /// Unit id (people only).
    pub unit: Option<&'a str>,
    /// Quota.
    pub quota: Option<Quota>,
    /// Whether login is wanted.
    pub enabled: bool,
    /// Aliases, as written.
    pub aliases: &'a [Address],
    /// Former addresses.
    pub former_addresses: &'a [Address],
    /// Who else has access, by grantee address.
    pub access: Vec<Grant<'a>>,
    /// First working day.
    pub start_date: Option<NaiveDate>,
    /// Last working day.
    pub end_date: Option<NaiveDate>,
}

impl<'a> DesiredAccount<'a> {
    /// The identity: (kind, metadata.name).
    #[must_use]
    pub fn key(&self) -> (Kind, &'a str) {
        (self.kind, self.name)
    }

    /// Its identity, `Kind/name`.
    #[must_use]
    pub fn id(&self) -> ResourceId {
        ResourceId::new(self.kind, self.name)
    }

    /// Whether `text` is the family and middle names, word by word (no allocation).
    #[must_use]
    pub fn family_name_is(&self, text: &str) -> bool {
        let mut want = self
            .family
            .into_iter()
            .chain(self.middle.iter().map(String::as_str));
        let mut have = text.split(' ');
        loop {
            match (want.next(), have.next()) {
                (None, None) => return true,
                (Some(a), Some(b)) if a == b => {}
                _ => return false,
            }
        }
    }

    /// Family and middle names, as a server stores them beside the given name.
    #[must_use]
    pub fn family_name(&self) -> Option<String> {
        let mut words: Vec<&str> = self.family.into_iter().collect();
        words.extend(self.middle.iter().map(String::as_str));
        (!words.is_empty()).then(|| words.join(" "))
    }

    /// The aliases as a set.
    #[must_use]
    pub fn alias_set(&self) -> BTreeSet<Address> {
        self.aliases.iter().cloned().collect()
    }

    /// The account to create.
    #[must_use]
    pub fn new_account(&self) -> NewAccount {
        NewAccount {
            address: self.address.clone(),
            display_name: self.display_name.to_string(),
            given_name: self.given_name.map(str::to_string),
            family_name: self.family_name(),
            quota: self.quota,
            aliases: self.alias_set(),
            enabled: self.enabled,
        }
    }
}

/// Flattens the desired state: agency mailboxes first, then people in directory order.
#[must_use]
pub fn desired_accounts(state: &DesiredState) -> Vec<DesiredAccount<'_>> {
    let source = AccountSource::new(state);
    (0..source.len()).map(|k| source.get(k)).collect()
}

/// The desired state's accounts by position, made on demand: a plan over 100k mailboxes need not hold a
/// second copy of them. Agency mailboxes come first, then people in directory order.
#[derive(Debug)]
pub struct AccountSource<'a> {
    state: &'a DesiredState,
    /// Owners and delegates by Mailbox name: the only names grants are resolved from.
    people: std::collections::BTreeMap<&'a str, (&'a Address, &'a str)>,
}

impl<'a> AccountSource<'a> {
    /// Indexes the few names that grants refer to.
    #[must_use]
    pub fn new(state: &'a DesiredState) -> Self {
        let wanted: BTreeSet<&str> = state
            .shared_mailboxes
            .iter()
            .flat_map(|s| std::iter::once(s.owner.as_str()).chain(s.delegates.iter().map(String::as_str)))
            .chain(
                state
                    .mailboxes
                    .iter()
                    .flat_map(|m| m.delegates.iter().map(String::as_str)),
            )
            .collect();
        let people = state
            .mailboxes
            .iter()
            .filter(|m| wanted.contains(m.name.as_str()))
            .map(|m| (m.name.as_str(), (&m.address, m.full_name.as_str())))
            .collect();
        Self { state, people }
    }

    /// Number of accounts.
    #[must_use]
    pub fn len(&self) -> usize {
        self.state.shared_mailboxes.len() + self.state.mailboxes.len()
    }

    /// Whether there are none.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The account at position `k` (< [`Self::len`]).
    #[must_use]
    pub fn get(&self, k: usize) -> DesiredAccount<'a> {
        let grant = |name: &str, level: AccessLevel| self.people.get(name).map(|(a, n)| (*a, level, *n));
        let shared = self.state.shared_mailboxes.len();
        if k < shared {
            shared_account(&self.state.shared_mailboxes[k], grant)
        } else {
            mailbox_account(&self.state.mailboxes[k - shared], grant)
        }
    }
}

/// The account of an agency mailbox; `grant` resolves a Mailbox name to a grant.
pub fn shared_account<'a>(
    s: &'a DesiredSharedMailbox,
    grant: impl Fn(&str, AccessLevel) -> Option<Grant<'a>>,
) -> DesiredAccount<'a> {
    let mut access: Vec<Grant<'a>> = grant(&s.owner, AccessLevel::Owner).into_iter().collect();
    for d in &s.delegates {
        if let Some(g) = grant(d, AccessLevel::Delegate)
            && !access.iter().any(|(a, _, _)| *a == g.0)
        {
            access.push(g);
        }
    }
    DesiredAccount {
        kind: Kind::SharedMailbox,
        name: &s.name,
        address: &s.address,
        display_name: &s.display_name,
        given_name: None,
        family: None,
        middle: &[],
        unit: None,
        quota: s.quota,
        enabled: true,
        aliases: &s.aliases,
        former_addresses: &s.former_addresses,
        access,
        start_date: None,
        end_date: None,
    }
}

/// The account of a person's mailbox; `grant` resolves a Mailbox name to a grant.
pub fn mailbox_account<'a>(
    m: &'a DesiredMailbox,
    grant: impl Fn(&str, AccessLevel) -> Option<Grant<'a>>,
) -> DesiredAccount<'a> {
    DesiredAccount {
        kind: Kind::Mailbox,
        name: &m.name,
        address: &m.address,
        display_name: &m.full_name,
        given_name: Some(&m.given_name),
        family: m.family_name.as_deref(),
        middle: &m.middle_names,
        unit: Some(&m.unit),
        quota: m.quota,
        enabled: m.state == MailboxState::Active,
        aliases: &m.aliases,
        former_addresses: &m.former_addresses,
        access: m
            .delegates
            .iter()
            .filter_map(|d| grant(d, AccessLevel::Delegate))
            .collect(),
        start_date: m.start_date,
        end_date: m.end_date,
    }
}

/// The server and inventory as they would be once `state` is applied in full: every account created by
/// mailops, with the desired fields. `plan --base` compares a head revision against this picture of the
/// base revision; tests start scenarios from it.
#[must_use]
pub fn synthesize(state: &DesiredState) -> (Observation, Inventory) {
    let mut accounts = Vec::new();
    let mut inventory = Inventory::default();
    for d in desired_accounts(state) {
        accounts.push(ObservedAccount {
            id: None,
            address: d.address.clone(),
            display_name: d.display_name.to_string(),
            given_name: d.given_name.map(str::to_string),
            family_name: d.family_name(),
            enabled: d.enabled,
            quota: d.quota,
            aliases: d.alias_set(),
            access: d.access.iter().map(|(a, l, _)| ((*a).clone(), *l)).collect(),
            last_login: None,
        });
        inventory.insert(InventoryEntry {
            kind: d.kind,
            name: d.name.to_string(),
            address: d.address.clone(),
            backend_id: None,
            origin: EntryOrigin::Created,
            last_revision: None,
            suspended_on: None,
            kept_aliases: BTreeSet::new(),
            holders: BTreeMap::new(),
        });
    }
    (Observation::complete(accounts), inventory)
}
