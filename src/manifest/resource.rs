//! What loading gives: a resource of a known kind, its metadata and spec as written, and where each of its
//! fields is in its file.

use std::path::PathBuf;
use std::sync::Arc;

use super::spans::SpanIndex;
use super::types::{MailboxSpec, ObjectMeta, OrganizationSpec, SharedMailboxSpec};
use crate::diagnostics::{Location, Position};

/// The kinds of resource mailops knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// The agency.
    Organization,
    /// One person's mailbox.
    Mailbox,
    /// The agency mailbox.
    SharedMailbox,
}

impl Kind {
    /// Every kind, in the order they are documented.
    pub const ALL: [Kind; 3] = [Kind::Organization, Kind::Mailbox, Kind::SharedMailbox];

    /// The `kind:` value.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Kind::Organization => "Organization",
            Kind::Mailbox => "Mailbox",
            Kind::SharedMailbox => "SharedMailbox",
        }
    }

    pub(super) fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

impl std::str::FromStr for Kind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Kind::parse(s).ok_or_else(|| format!("unknown kind `{s}`"))
    }
}

impl serde::Serialize for Kind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for Kind {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Kind::parse(&text).ok_or_else(|| serde::de::Error::custom(format!("unknown kind `{text}`")))
    }
}

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a resource came from: the file, the document's position, and the position of every field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// The file, as shown to the user (the root as given, joined with the path below it).
    pub file: PathBuf,
    /// Where the document starts.
    pub start: Position,
    /// Field positions, shared by the resource and what validation makes of it.
    pub spans: Arc<SpanIndex>,
}

impl Origin {
    /// Location of a field's key (or the nearest enclosing field that exists).
    #[must_use]
    pub fn key(&self, field: &str) -> Location {
        Location::at(self.file.clone(), self.spans.key_position(field))
    }

    /// Location of a field's value (or the nearest enclosing field that exists).
    #[must_use]
    pub fn value(&self, field: &str) -> Location {
        Location::at(self.file.clone(), self.spans.value_position(field))
    }

    /// Location of the document.
    #[must_use]
    pub fn document(&self) -> Location {
        Location::at(self.file.clone(), self.start)
    }
}

/// A syntax-checked resource of one kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Loaded<S> {
    /// Its metadata.
    pub metadata: ObjectMeta,
    /// Its spec, as written (NFC-normalised).
    pub spec: S,
    /// Where it came from.
    pub origin: Origin,
}

impl<S> Loaded<S> {
    /// `metadata.name`.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.metadata.name
    }
}

/// A syntax-checked resource.
///
/// Boxed: a repository holds 100,000 of them, and validation frees each as soon as it is validated (a vector
/// of inline resources would be freed only when the last one is).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resource {
    /// An Organization.
    Organization(Box<Loaded<OrganizationSpec>>),
    /// A Mailbox.
    Mailbox(Box<Loaded<MailboxSpec>>),
    /// A SharedMailbox.
    SharedMailbox(Box<Loaded<SharedMailboxSpec>>),
}

impl Resource {
    /// The kind.
    #[must_use]
    pub fn kind(&self) -> Kind {
        match self {
            Resource::Organization(_) => Kind::Organization,
            Resource::Mailbox(_) => Kind::Mailbox,
            Resource::SharedMailbox(_) => Kind::SharedMailbox,
        }
    }

    /// `metadata.name`.
    #[must_use]
    pub fn name(&self) -> &str {
        match self {
            Resource::Organization(r) => r.name(),
            Resource::Mailbox(r) => r.name(),
            Resource::SharedMailbox(r) => r.name(),
        }
    }

    /// Where it came from.
    #[must_use]
    pub fn origin(&self) -> &Origin {
        match self {
            Resource::Organization(r) => &r.origin,
            Resource::Mailbox(r) => &r.origin,
            Resource::SharedMailbox(r) => &r.origin,
        }
    }
}
