//! A plan: what mailops would change on the server, and why. Plain data; [`diff`] computes it (pure) and
//! [`render`] shows it (pure). `apply` consumes it as it is.

mod accounts;
pub mod diff;
pub mod policy;
mod previous;
pub mod render;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

pub use accounts::{AccountSource, DesiredAccount, desired_accounts, synthesize};
pub use diff::{DiffInput, diff};
pub use previous::{BaseRevision, Previous};

use crate::backend::{AccessLevel, NewAccount};
use crate::desired::Address;
use crate::manifest::{Kind, ResourceId};

/// Version of the plan format (JSON). Bumped only when a field changes meaning; fields may be added.
pub const PLAN_VERSION: u32 = 2;

/// What the change is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Target {
    /// `Mailbox`, `SharedMailbox`, or `Account` for an account no resource describes.
    pub kind: TargetKind,
    /// metadata.name, when a resource describes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The address the change applies to (after a rename: the new address).
    pub address: Address,
    /// Full name or display name.
    pub display_name: String,
    /// The unit id, for grouping.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// The unit's name, for display.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_name: Option<String>,
}

/// What kind of thing a change is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum TargetKind {
    /// A person's mailbox.
    Mailbox,
    /// An agency mailbox.
    SharedMailbox,
    /// An account no resource describes.
    Account,
}

impl From<Kind> for TargetKind {
    fn from(k: Kind) -> Self {
        match k {
            Kind::SharedMailbox => TargetKind::SharedMailbox,
            // An Organization is never the target of a change.
            Kind::Mailbox | Kind::Organization => TargetKind::Mailbox,
        }
    }
}

impl Target {
    /// The resource the change is about, when one describes the account.
    #[must_use]
    pub fn resource(&self) -> Option<ResourceId> {
        let kind = match self.kind {
            TargetKind::Mailbox => Kind::Mailbox,
            TargetKind::SharedMailbox => Kind::SharedMailbox,
            TargetKind::Account => return None,
        };
        Some(ResourceId::new(kind, self.name.clone()?))
    }

    /// `Mailbox/name`, or the address when no resource describes it.
    #[must_use]
    pub fn label(&self) -> String {
        self.resource()
            .map_or_else(|| self.address.to_string(), |id| id.to_string())
    }
}

/// A field before and after.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldChange {
    /// Field name as in the manifest (`quota`, `aliases`, `fullName`, `state`, …).
    pub field: String,
    /// Value now on the server.
    pub before: Option<String>,
    /// Value wanted.
    pub after: Option<String>,
    /// The server changed by hand while the desired value stayed the same.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub drift: bool,
}

/// How a rename was recognised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum RenameSource {
    /// The inventory knows the identity under the old address.
    Inventory,
    /// The manifest lists the old address in `formerAddresses`.
    FormerAddress,
    /// The previous revision of the desired state had the old address.
    PreviousRevision,
    /// The server's own id of the account, kept in the inventory, is now at another address (renamed on
    /// the server).
    BackendId,
}

/// Why a mailbox is being removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", rename_all_fields = "camelCase", tag = "kind")]
pub enum RemovalReason {
    /// Its manifest is gone.
    RemovedFromRepository,
    /// Its `endDate` has passed.
    EndDatePassed {
        /// The last working day.
        end_date: NaiveDate,
    },
}

/// Why a change is refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", rename_all_fields = "camelCase", tag = "kind")]
pub enum BlockReason {
    /// More removals than the Organization's budget allows in one run.
    DeletionBudget {
        /// Removals this plan asks for.
        requested: usize,
        /// `maxDeletions`.
        max_deletions: u32,
        /// `maxDeletionPercent`.
        max_percent: u32,
        /// Managed accounts the percentage is taken of.
        managed: usize,
    },
    /// The desired state is empty or could not be read.
    EmptyDesiredState,
    /// Part of the server could not be read.
    PartialObservation,
    /// The address is protected.
    Protected,
    /// The backend cannot rename without losing mail.
    RenameUnsupported,
    /// The new address belongs to another account.
    AddressTaken {
        /// Who has it.
        holder: Address,
    },
}

impl BlockReason {
    /// One line for people.
    #[must_use]
    pub fn describe(&self) -> String {
        match self {
            BlockReason::DeletionBudget {
                requested,
                max_deletions,
                max_percent,
                managed,
            } => crate::t!(
                "block-deletion-budget",
                requested = *requested,
                max = *max_deletions,
                percent = *max_percent,
                managed = *managed
            ),
            BlockReason::EmptyDesiredState => crate::t!("block-empty-desired-state"),
            BlockReason::PartialObservation => crate::t!("block-partial-observation"),
            BlockReason::Protected => crate::t!("block-protected"),
            BlockReason::RenameUnsupported => crate::t!("block-rename-unsupported"),
            BlockReason::AddressTaken { holder } => {
                crate::t!("block-address-taken", holder = holder.to_string())
            }
        }
    }
}

/// What to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", rename_all_fields = "camelCase", tag = "action")]
pub enum Action {
    /// Create an account (with a random initial password delivered out of band).
    Create {
        /// The new account.
        account: NewAccount,
    },
    /// Take an existing account with the desired address under management (no server write).
    Adopt {
        /// The backend's id.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        backend_id: Option<String>,
    },
    /// Rename in place, keeping the mail.
    Rename {
        /// Old address.
        from: Address,
        /// New address.
        to: Address,
        /// Keep delivering the old address as an alias.
        keep_old_as_alias: bool,
        /// How the rename was recognised.
        recognised_by: RenameSource,
    },
    /// Change fields.
    Update {
        /// The changes, before and after, for people (display only: the executor never reads them).
        fields: Vec<FieldChange>,
        /// What the executor sets, typed.
        #[serde(default)]
        set: crate::backend::AccountUpdate,
        /// Allow (`true`) or refuse (`false`) login; `None` leaves it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        enable: Option<bool>,
    },
    /// First stage of removal: login refused, mail kept.
    Suspend {
        /// Why.
        reason: RemovalReason,
        /// The day after which the account may be deleted.
        delete_after: NaiveDate,
    },
    /// Undo a suspension made by mailops (the person is back in the repository).
    Resume,
    /// Final stage of removal, after the grace period.
    Delete {
        /// When it was suspended.
        suspended_on: NaiveDate,
        /// Whether the mail is archived first.
        archive: bool,
    },
    /// Give someone access to this mailbox.
    Grant {
        /// Who.
        grantee: Address,
        /// Their name.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        grantee_name: Option<String>,
        /// How much.
        level: AccessLevel,
    },
    /// Take someone's access away.
    Revoke {
        /// Who.
        grantee: Address,
        /// Their name.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        grantee_name: Option<String>,
        /// What they had.
        level: AccessLevel,
    },
    /// The agency mailbox passes to a new owner: access moves, the data stays, the credentials are rotated and
    /// delivered to the new owner.
    Handover {
        /// The previous owner.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        from: Option<Address>,
        /// Their name.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        from_name: Option<String>,
        /// The new owner.
        to: Address,
        /// Their name.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        to_name: Option<String>,
        /// Whether the credentials are rotated.
        rotate_credentials: bool,
    },
    /// A change policy refuses.
    Blocked {
        /// What would have been done.
        intended: Box<Action>,
        /// Why not.
        reason: BlockReason,
    },
}

impl Action {
    /// The kind of action, for counting and symbols.
    #[must_use]
    pub fn kind(&self) -> ActionKind {
        match self {
            Action::Create { .. } => ActionKind::Create,
            Action::Adopt { .. } => ActionKind::Adopt,
            Action::Rename { .. } => ActionKind::Rename,
            Action::Update { .. } => ActionKind::Update,
            Action::Suspend { .. } => ActionKind::Suspend,
            Action::Resume => ActionKind::Resume,
            Action::Delete { .. } => ActionKind::Delete,
            Action::Grant { .. } => ActionKind::Grant,
            Action::Revoke { .. } => ActionKind::Revoke,
            Action::Handover { .. } => ActionKind::Handover,
            Action::Blocked { .. } => ActionKind::Blocked,
        }
    }

    /// Whether this changes who can use which mailbox (shown under "Access changes").
    #[must_use]
    pub fn is_access_change(&self) -> bool {
        match self {
            Action::Grant { .. }
            | Action::Revoke { .. }
            | Action::Handover { .. }
            | Action::Create { .. }
            | Action::Suspend { .. }
            | Action::Resume
            | Action::Delete { .. } => true,
            Action::Blocked { intended, .. } => {
                matches!(
                    **intended,
                    Action::Grant { .. } | Action::Revoke { .. } | Action::Handover { .. }
                )
            }
            _ => false,
        }
    }
}

/// Kinds of action, in the order summaries list them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ActionKind {
    /// See [`Action::Create`].
    Create,
    /// See [`Action::Adopt`].
    Adopt,
    /// See [`Action::Rename`].
    Rename,
    /// See [`Action::Update`].
    Update,
    /// See [`Action::Resume`].
    Resume,
    /// See [`Action::Handover`].
    Handover,
    /// See [`Action::Grant`].
    Grant,
    /// See [`Action::Revoke`].
    Revoke,
    /// See [`Action::Suspend`].
    Suspend,
    /// See [`Action::Delete`].
    Delete,
    /// See [`Action::Blocked`].
    Blocked,
}

impl ActionKind {
    /// The plan symbol (DESIGN.md).
    #[must_use]
    pub const fn symbol(self) -> &'static str {
        match self {
            ActionKind::Create => "+",
            ActionKind::Adopt => "=",
            ActionKind::Rename => "~>",
            ActionKind::Update => "~",
            ActionKind::Resume => "↻",
            ActionKind::Handover => "⇄",
            ActionKind::Grant => "+@",
            ActionKind::Revoke => "-@",
            ActionKind::Suspend => "‖",
            ActionKind::Delete => "-",
            ActionKind::Blocked => "!",
        }
    }

    /// Its name in the JSON plan and in metrics (`create`, `grant`, …).
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            ActionKind::Create => "create",
            ActionKind::Adopt => "adopt",
            ActionKind::Rename => "rename",
            ActionKind::Update => "update",
            ActionKind::Resume => "resume",
            ActionKind::Handover => "handover",
            ActionKind::Grant => "grant",
            ActionKind::Revoke => "revoke",
            ActionKind::Suspend => "suspend",
            ActionKind::Delete => "delete",
            ActionKind::Blocked => "blocked",
        }
    }

    /// A verb.
    #[must_use]
    pub const fn verb(self) -> &'static str {
        match self {
            ActionKind::Create => "create",
            ActionKind::Adopt => "adopt",
            ActionKind::Rename => "rename",
            ActionKind::Update => "update",
            ActionKind::Resume => "resume",
            ActionKind::Handover => "hand over",
            ActionKind::Grant => "grant access",
            ActionKind::Revoke => "revoke access",
            ActionKind::Suspend => "suspend",
            ActionKind::Delete => "delete",
            ActionKind::Blocked => "blocked",
        }
    }

    /// [`ActionKind::verb`] in the reader's language.
    #[must_use]
    pub fn verb_tr(self) -> String {
        match self {
            ActionKind::Create => crate::t!("verb-create"),
            ActionKind::Adopt => crate::t!("verb-adopt"),
            ActionKind::Rename => crate::t!("verb-rename"),
            ActionKind::Update => crate::t!("verb-update"),
            ActionKind::Resume => crate::t!("verb-resume"),
            ActionKind::Handover => crate::t!("verb-handover"),
            ActionKind::Grant => crate::t!("verb-grant"),
            ActionKind::Revoke => crate::t!("verb-revoke"),
            ActionKind::Suspend => crate::t!("verb-suspend"),
            ActionKind::Delete => crate::t!("verb-delete"),
            ActionKind::Blocked => crate::t!("verb-blocked"),
        }
    }
}

/// One change to one account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Change {
    /// What it is about.
    pub target: Target,
    /// What to do.
    #[serde(flatten)]
    pub action: Action,
}

/// Something worth knowing that is not a change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", rename_all_fields = "camelCase", tag = "kind")]
pub enum Finding {
    /// An account on the server that no resource describes and the inventory does not hold: never touched.
    Unmanaged {
        /// Its address.
        address: Address,
    },
    /// A managed account that is no longer on the server.
    Missing {
        /// `Kind/name`.
        identity: ResourceId,
        /// Its last address.
        address: Address,
    },
    /// A removal waiting for its grace period to end.
    PendingDeletion {
        /// The account.
        address: Address,
        /// The day from which it may be deleted.
        delete_after: NaiveDate,
    },
    /// A mailbox whose `startDate` is in the future.
    NotYetStarted {
        /// `Kind/name`.
        identity: ResourceId,
        /// Its address.
        address: Address,
        /// First working day.
        start_date: NaiveDate,
    },
    /// The server could not be read in full.
    PartialObservation {
        /// What failed.
        problems: Vec<String>,
    },
    /// Something the manifests ask for that this server cannot do (quotas on a directory without them):
    /// not a change, and not retried.
    NotEnforced {
        /// What (`quotas`).
        what: String,
        /// How many mailboxes ask for it.
        mailboxes: usize,
    },
    /// Entries on the server that are not accounts mailops can manage (a SQL row whose username is not an
    /// address of its grammar): read, never changed.
    ForeignEntries {
        /// What they are.
        problems: Vec<String>,
    },
}

/// Where the desired state came from.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlanSource {
    /// The repository folder or URL.
    pub path: String,
    /// The revision planned (git commit), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision: Option<String>,
    /// The revision compared against (`plan --base`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_revision: Option<String>,
}

/// Counts per action kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    /// Accounts to create.
    pub create: usize,
    /// Accounts to adopt.
    pub adopt: usize,
    /// Renames.
    pub rename: usize,
    /// Updates.
    pub update: usize,
    /// Resumptions.
    pub resume: usize,
    /// Grants, revocations and handovers.
    pub access: usize,
    /// Suspensions.
    pub suspend: usize,
    /// Deletions.
    pub delete: usize,
    /// Blocked changes.
    pub blocked: usize,
}

/// The plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Plan {
    /// [`PLAN_VERSION`].
    pub version: u32,
    /// Where the desired state came from.
    pub source: PlanSource,
    /// The day the plan was made for (grace periods, start and end dates).
    pub as_of: NaiveDate,
    /// Fingerprint of the observation it was computed from; apply refuses the plan if the server changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_fingerprint: Option<String>,
    /// The domains read from the server (a saved plan is checked against the same ones).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub server_domains: Vec<String>,
    /// Counts.
    pub summary: Summary,
    /// The changes, grouped by unit then identity.
    pub changes: Vec<Change>,
    /// Findings.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<Finding>,
    /// Changes to the Organization (policy, limits, units, domains) between two revisions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub policy_changes: Vec<FieldChange>,
}

/// Why a saved plan (`plan --out`) cannot be applied as it is.
#[derive(Debug, thiserror::Error)]
pub enum SavedPlanError {
    /// Not JSON of a plan.
    #[error("not a mailops plan")]
    NotAPlan(#[source] serde_json::Error),
    /// A plan of another format version.
    #[error("a plan of format version {found}; this mailops applies version {PLAN_VERSION}")]
    Version {
        /// Its version.
        found: u32,
    },
}

impl Plan {
    /// Reads a saved plan, refusing another format version by name (not by a missing field).
    ///
    /// # Errors
    /// See [`SavedPlanError`].
    pub fn from_saved(text: &str) -> Result<Plan, SavedPlanError> {
        #[derive(Deserialize)]
        struct Versioned {
            version: u32,
        }
        let found = serde_json::from_str::<Versioned>(text)
            .map_err(SavedPlanError::NotAPlan)?
            .version;
        if found != PLAN_VERSION {
            return Err(SavedPlanError::Version { found });
        }
        serde_json::from_str(text).map_err(SavedPlanError::NotAPlan)
    }

    /// Whether the plan changes anything (blocked changes count: they need attention).
    #[must_use]
    pub fn has_changes(&self) -> bool {
        !self.changes.is_empty() || !self.policy_changes.is_empty()
    }

    /// Counts the changes.
    #[must_use]
    pub fn summarize(changes: &[Change]) -> Summary {
        let mut s = Summary::default();
        for c in changes {
            match c.action.kind() {
                ActionKind::Create => s.create += 1,
                ActionKind::Adopt => s.adopt += 1,
                ActionKind::Rename => s.rename += 1,
                ActionKind::Update => s.update += 1,
                ActionKind::Resume => s.resume += 1,
                ActionKind::Grant | ActionKind::Revoke | ActionKind::Handover => s.access += 1,
                ActionKind::Suspend => s.suspend += 1,
                ActionKind::Delete => s.delete += 1,
                ActionKind::Blocked => s.blocked += 1,
            }
        }
        s
    }
}

impl Summary {
    /// `Plan: 2 to create, 1 to rename, 1 to update, 1 to suspend, 0 to delete, 1 blocked` (with access and
    /// adoption counts when there are any).
    #[must_use]
    pub fn line(&self) -> String {
        self.line_in(crate::i18n::current())
    }

    /// [`Summary::line`] in `lang`.
    #[must_use]
    pub fn line_in(&self, lang: crate::i18n::Lang) -> String {
        let mut parts = vec![crate::t!(in lang, "summary-create", count = self.create)];
        if self.adopt > 0 {
            parts.push(crate::t!(in lang, "summary-adopt", count = self.adopt));
        }
        parts.push(crate::t!(in lang, "summary-rename", count = self.rename));
        parts.push(crate::t!(in lang, "summary-update", count = self.update));
        if self.resume > 0 {
            parts.push(crate::t!(in lang, "summary-resume", count = self.resume));
        }
        if self.access > 0 {
            parts.push(crate::t!(in lang, "summary-access", count = self.access));
        }
        parts.push(crate::t!(in lang, "summary-suspend", count = self.suspend));
        parts.push(crate::t!(in lang, "summary-delete", count = self.delete));
        parts.push(crate::t!(in lang, "summary-blocked", count = self.blocked));
        crate::t!(in lang, "plan-summary", parts = parts.join(", "))
    }
}
