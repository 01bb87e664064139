//! The desired state before this one, as the diff reads it: the state last applied, whole, or a review's base
//! revision kept as the little that the synthesized server does not already hold.
//!
//! The diff reads the previous state for four things: a renamed account's old address, the unit of an
//! account being removed, the addresses it protects (the organization's and the agency mailboxes'), and, for
//! a field that differs from the server, whether the previous state already had the wanted value (drift).
//! In a review (`plan --base`), the "server" is the base revision itself ([`synthesize`]): the inventory
//! holds every old address by identity, the observation every field's value, so drift cannot happen and only
//! the organization, the agency addresses and each person's unit need to be kept of the base.

use rustc_hash::FxHashMap as HashMap;

use super::accounts::synthesize;
use crate::backend::Observation;
use crate::desired::{Address, DesiredState, Organization};
use crate::state::Inventory;

/// The desired state before this one.
#[derive(Debug, Clone, Copy)]
pub enum Previous<'a> {
    /// The desired state last applied, whole.
    State(&'a DesiredState),
    /// A review's base revision, of which the observation and inventory planned against are the synthesis.
    Base(&'a BaseRevision),
}

impl<'a> Previous<'a> {
    /// Its organization.
    #[must_use]
    pub fn organization(self) -> &'a Organization {
        match self {
            Previous::State(s) => &s.organization,
            Previous::Base(b) => &b.organization,
        }
    }

    /// The addresses of its agency mailboxes.
    pub fn shared_addresses(self) -> Box<dyn Iterator<Item = &'a Address> + 'a> {
        match self {
            Previous::State(s) => Box::new(s.shared_mailboxes.iter().map(|m| &m.address)),
            Previous::Base(b) => Box::new(b.shared.iter()),
        }
    }
}

/// What a review keeps of its base revision once the base is synthesized into a server: its organization,
/// the addresses of its agency mailboxes and each person's unit (an index into the organization's units).
#[derive(Debug, Clone)]
pub struct BaseRevision {
    /// The base's organization (its policy, protected addresses, units and safety limits).
    pub organization: Organization,
    shared: Vec<Address>,
    units: HashMap<Box<str>, u32>,
}

impl BaseRevision {
    /// The base revision as a server that has applied it in full (the observation and inventory to plan
    /// against), and what the diff needs of it besides. The state is consumed: its mailboxes are freed here.
    #[must_use]
    pub fn synthesize(state: DesiredState) -> (Self, Observation, Inventory) {
        let (observed, inventory) = synthesize(&state);
        let rank: HashMap<&str, u32> = (state.organization.units.iter())
            .zip(0..)
            .map(|(u, i)| (u.id.as_str(), i))
            .collect();
        let units = (state.mailboxes.iter())
            .filter_map(|m| Some((Box::from(m.name.as_str()), *rank.get(m.unit.as_str())?)))
            .collect();
        let shared = state.shared_mailboxes.iter().map(|s| s.address.clone()).collect();
        drop(rank);
        let base = BaseRevision {
            organization: state.organization,
            shared,
            units,
        };
        (base, observed, inventory)
    }

    /// The unit of the person with this metadata.name.
    #[must_use]
    pub fn unit(&self, name: &str) -> Option<&str> {
        let i = *self.units.get(name)?;
        self.organization.units.get(i as usize).map(|u| u.id.as_str())
    }
}
