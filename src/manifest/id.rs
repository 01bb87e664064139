//! The identity of a resource: its kind and `metadata.name`, written `Kind/name` (`Mailbox/vo-thi-thu-an`).
//! The inventory is keyed by it, messages and statuses name resources by it, and the operator matches its
//! objects to plan changes by it: built here only, never by formatting strings elsewhere.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::Kind;

/// `Kind/name`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ResourceId {
    /// The kind.
    pub kind: Kind,
    /// `metadata.name`.
    pub name: String,
}

impl ResourceId {
    /// The identity of the resource `name` of `kind`.
    #[must_use]
    pub fn new(kind: Kind, name: impl Into<String>) -> Self {
        Self {
            kind,
            name: name.into(),
        }
    }

    /// Whether this is the identity of (`kind`, `name`), without allocating.
    #[must_use]
    pub fn is(&self, kind: Kind, name: &str) -> bool {
        self.kind == kind && self.name == name
    }
}

impl fmt::Display for ResourceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.kind, self.name)
    }
}

/// Why a text is not `Kind/name`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a resource id (Kind/name, with Kind one of Organization, Mailbox, SharedMailbox)")]
pub struct ResourceIdError(String);

impl FromStr for ResourceId {
    type Err = ResourceIdError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || ResourceIdError(s.to_string());
        let (kind, name) = s.split_once('/').ok_or_else(bad)?;
        let kind = kind.parse::<Kind>().map_err(|_| bad())?;
        if name.is_empty() || name.contains('/') {
            return Err(bad());
        }
        Ok(Self::new(kind, name))
    }
}

impl Serialize for ResourceId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ResourceId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn it_reads_back_what_it_writes() {
        let id = ResourceId::new(Kind::SharedMailbox, "bdt");
        assert_eq!(id.to_string(), "SharedMailbox/bdt");
        assert_eq!("SharedMailbox/bdt".parse::<ResourceId>().unwrap(), id);
        assert!(id.is(Kind::SharedMailbox, "bdt"));
        assert!(!id.is(Kind::Mailbox, "bdt"));
    }

    #[test]
    fn other_texts_are_refused() {
        for bad in ["Mailbox", "Mailbox/", "Person/x", "Mailbox/a/b", "/x", ""] {
            assert!(bad.parse::<ResourceId>().is_err(), "{bad}");
        }
    }

    #[test]
    fn it_is_a_json_map_key() {
        let mut map = std::collections::BTreeMap::new();
        map.insert(ResourceId::new(Kind::Mailbox, "a"), 1);
        let json = serde_json::to_string(&map).unwrap();
        assert_eq!(json, r#"{"Mailbox/a":1}"#);
        let back: std::collections::BTreeMap<ResourceId, i32> = serde_json::from_str(&json).unwrap();
        assert_eq!(back, map);
    }
}
