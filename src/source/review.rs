//! Pull-request review with no server: the plan of a head revision against a base revision of a local clone,
//! as if the base were applied in full (`mailops plan --base REV [--head REV]`).

use std::path::Path;

use chrono::NaiveDate;

use crate::backend::{Capabilities, Observation};
use crate::desired::{self, DesiredState};
use crate::diagnostics::{Diagnostics, SourceMap};
use crate::manifest::LoadOptions;
use crate::plan::{self, BaseRevision, DiffInput, Plan, PlanSource, Previous, policy::policy_changes};
use crate::source::git::{GitSource, RevisionManifests, SourceError};
use crate::state::Inventory;

/// Why no review plan was made.
#[derive(Debug, thiserror::Error)]
pub enum ReviewError {
    /// The folder is not in a git clone.
    #[error("cannot open the git repository")]
    Open(#[source] SourceError),
    /// A revision cannot be read.
    #[error("cannot read the revisions to compare")]
    Read(#[source] SourceError),
    /// The head revision is not valid.
    #[error("the head revision {short} is not valid; no plan was made")]
    InvalidHead {
        /// The commit, abbreviated.
        short: String,
        /// Every problem found.
        diagnostics: Diagnostics,
        /// The files.
        sources: SourceMap,
    },
}

impl ReviewError {
    /// The error in the reader's language (the `Display` text is English).
    #[must_use]
    pub fn message(&self) -> String {
        match self {
            ReviewError::Open(_) => crate::t!("error-open-git"),
            ReviewError::Read(_) => crate::t!("error-read-revisions-to-compare"),
            ReviewError::InvalidHead { short, .. } => {
                crate::t!("error-invalid-head", revision = short.as_str())
            }
        }
    }

    /// What the person can do about it.
    #[must_use]
    pub fn hint(&self) -> String {
        match self {
            ReviewError::Open(_) => crate::t!("hint-review-open"),
            ReviewError::Read(_) => crate::t!("hint-review-read"),
            ReviewError::InvalidHead { .. } => crate::t!("hint-review-invalid-head"),
        }
    }
}

/// A review plan, and how many errors of the base revision were set aside (its valid part is used).
#[derive(Debug)]
pub struct Review {
    /// The plan.
    pub plan: Plan,
    /// Errors in the base revision.
    pub base_errors: usize,
}

/// A revision's desired state (`None` when it holds no manifests at all) and its diagnostics.
///
/// The revision's resources are freed as they are validated; its files' texts are kept, for diagnostics.
fn desired_at(rev: &mut RevisionManifests) -> (Option<DesiredState>, Diagnostics) {
    let repo = &rev.repository;
    if !rev.path_exists || (repo.resources.is_empty() && repo.diagnostics.is_empty()) {
        return (None, Diagnostics::default());
    }
    let root = repo.root.clone();
    let (validated, sources) = desired::validate_consuming(std::mem::take(&mut rev.repository));
    rev.repository.root = root;
    rev.repository.sources = sources;
    let state = validated
        .state
        .filter(|s| !s.mailboxes.is_empty() || !s.shared_mailboxes.is_empty());
    (state, validated.diagnostics)
}

/// The plan of revision `head` against revision `base` of the clone holding `path`, for `today`.
///
/// # Errors
/// See [`ReviewError`].
pub fn review(path: &Path, base: &str, head: &str, today: NaiveDate) -> Result<Review, ReviewError> {
    let source = GitSource::open(path).map_err(ReviewError::Open)?;
    let options = LoadOptions::default();
    // The base revision is kept as the little the diff uses: synthesized into the server it would leave
    // (observation and inventory), its organization, agency addresses and units, its commit and its error
    // count. Its files, positions, resources and mailboxes are freed before the head is read.
    let (base, observed, inventory, base_errors, base_commit) = {
        let mut base = source.load(base, options).map_err(ReviewError::Read)?;
        let (state, diagnostics) = desired_at(&mut base);
        // Without a base state (the folder is new), the "server" is complete and empty.
        let (kept, observed, inventory) = match state {
            Some(state) => {
                let (kept, observed, inventory) = BaseRevision::synthesize(state);
                (Some(kept), observed, inventory)
            }
            None => (None, Observation::complete(Vec::new()), Inventory::default()),
        };
        let errors = diagnostics.error_count();
        (kept, observed, inventory, errors, base.commit)
    };
    let mut head = source.load(head, options).map_err(ReviewError::Read)?;
    let (head_state, head_diagnostics) = desired_at(&mut head);
    if head_diagnostics.has_errors() {
        return Err(ReviewError::InvalidHead {
            short: head.commit[..12].to_string(),
            diagnostics: head_diagnostics,
            sources: head.repository.sources,
        });
    }
    let input = DiffInput {
        desired: head_state.as_ref(),
        previous: base.as_ref().map(Previous::Base),
        observed: &observed,
        inventory: &inventory,
        capabilities: Capabilities::ALL,
        today,
        source: PlanSource {
            path: path.display().to_string(),
            revision: Some(head.commit.clone()),
            base_revision: Some(base_commit),
        },
        keep_old_address_as_alias: head_state
            .as_ref()
            .is_none_or(|s| s.organization.keep_old_address_as_alias),
    };
    let mut plan = plan::diff(&input);
    plan.policy_changes = policy_changes(
        base.as_ref().map(|b| &b.organization),
        head_state.as_ref().map(|s| &s.organization),
    );
    Ok(Review { plan, base_errors })
}
