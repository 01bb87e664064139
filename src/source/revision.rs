//! The rules of a revision: what may be applied. A folder is read and validated; a git revision is fetched
//! (only what is new), must descend from the last applied one unless a rewrite is allowed, is verified against
//! an allowed-signers file when asked, must hold manifests, and must be valid. Each refusal is a typed
//! [`RevisionError`]: the CLI prints it, `watch` puts it in `/status`.

use std::path::{Path, PathBuf};

use crate::backend::Secret;
use crate::desired::{self, DesiredState};
use crate::diagnostics::{Diagnostic, Diagnostics, SourceMap};
use crate::manifest::{LoadOptions, load_repository};
use crate::source::remote::{Credentials, Fetched, RemoteError, RemoteSource};
use crate::source::signatures::{AllowedSigners, SignersError, VerifyError, verify_range};

/// How a remote repository is reached and which of its revisions may be applied.
#[derive(Debug, Clone, Default)]
pub struct RevisionOptions {
    /// The branch, tag or full commit id.
    pub reference: String,
    /// Where fetched repositories are cached (default: `$XDG_CACHE_HOME/mailops/git`).
    pub cache: Option<PathBuf>,
    /// A file holding an HTTPS token (default: `MAILOPS_GIT_TOKEN`).
    pub token_file: Option<PathBuf>,
    /// An SSH private key (default: the SSH agent).
    pub ssh_key: Option<PathBuf>,
    /// The known_hosts file (default: `~/.ssh/known_hosts`).
    pub known_hosts: Option<PathBuf>,
    /// Apply a revision that does not descend from the last applied one.
    pub allow_history_rewrite: bool,
    /// Apply only commits signed by a key of this allowed-signers file, within their signer's paths.
    pub verify_signatures: Option<PathBuf>,
}

/// Why a revision may not be applied.
#[derive(Debug, thiserror::Error)]
pub enum RevisionError {
    /// The token file cannot be read.
    #[error("cannot read {path}")]
    TokenFile {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The remote or its cache cannot be used.
    #[error("cannot use the git remote")]
    Remote(#[source] RemoteError),
    /// The remote could not be fetched (down, gone, credentials refused, unknown reference), or the revision
    /// rewrites history without `--allow-history-rewrite`.
    #[error("nothing was applied")]
    Fetch(#[source] RemoteError),
    /// The allowed-signers file cannot be used.
    #[error("the allowed-signers file cannot be used")]
    Signers(#[source] SignersError),
    /// A commit unsigned, signed by an unknown key, or out of its signer's paths.
    #[error("the revision is not verified; nothing was applied")]
    Verify(#[source] VerifyError),
    /// The fetched revision cannot be read.
    #[error("cannot read the fetched revision")]
    Unreadable(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// The revision holds no manifests.
    #[error("revision {short} holds no manifests; nothing was applied")]
    Empty {
        /// The commit, abbreviated.
        short: String,
    },
    /// The manifests are not valid.
    #[error("{what} is not valid; nothing was {done}")]
    Invalid {
        /// `revision 3f2a…` or the folder.
        what: String,
        /// `applied` or `planned`.
        done: &'static str,
        /// Every problem found.
        diagnostics: Diagnostics,
        /// The files, to show the lines.
        sources: SourceMap,
    },
}

impl RevisionError {
    /// A bounded label for metrics and `/status`.
    #[must_use]
    pub const fn kind(&self) -> &'static str {
        match self {
            RevisionError::TokenFile { .. } | RevisionError::Remote(_) | RevisionError::Signers(_) => {
                "config"
            }
            RevisionError::Fetch(RemoteError::HistoryRewritten { .. }) => "history-rewritten",
            RevisionError::Fetch(_) => "fetch",
            RevisionError::Verify(_) => "verify",
            RevisionError::Empty { .. } => "empty",
            RevisionError::Unreadable(_) | RevisionError::Invalid { .. } => "invalid",
        }
    }

    /// What the person can do about it, in the reader's language.
    #[must_use]
    pub fn hint(&self) -> Option<String> {
        Some(match self {
            RevisionError::Verify(_) => crate::t!("hint-revision-unsigned"),
            RevisionError::Empty { .. } => crate::t!("hint-revision-empty"),
            RevisionError::Invalid { done: "planned", .. } => crate::t!("hint-revision-invalid-planned"),
            RevisionError::Invalid { .. } => crate::t!("hint-revision-invalid"),
            _ => return None,
        })
    }

    /// The error in the reader's language (the `Display` text, in English, goes to logs and `/status`).
    #[must_use]
    pub fn message(&self) -> String {
        match self {
            RevisionError::Empty { short } => crate::t!("error-revision-empty", revision = short.as_str()),
            RevisionError::Invalid {
                what,
                done: "planned",
                ..
            } => crate::t!("error-invalid-planned", what = what.as_str()),
            RevisionError::Invalid { what, .. } => crate::t!("error-invalid-applied", what = what.as_str()),
            RevisionError::TokenFile { path, .. } => {
                crate::t!("error-cannot-read", path = path.display().to_string())
            }
            RevisionError::Remote(_) => crate::t!("error-git-remote"),
            RevisionError::Fetch(_) => crate::t!("error-nothing-applied"),
            RevisionError::Signers(_) => crate::t!("error-signers-file"),
            RevisionError::Verify(_) => crate::t!("error-revision-not-verified"),
            RevisionError::Unreadable(_) => crate::t!("error-fetched-unreadable"),
        }
    }

    /// The diagnostics of invalid manifests, with their files.
    #[must_use]
    pub fn diagnostics(&self) -> Option<(&Diagnostics, &SourceMap)> {
        match self {
            RevisionError::Invalid {
                diagnostics, sources, ..
            } => Some((diagnostics, sources)),
            _ => None,
        }
    }

    /// One line for `/status`: the error, its causes, and each error diagnostic with its file, line and field.
    #[must_use]
    pub fn status_message(&self) -> String {
        let mut parts = self.error_lines();
        parts.push(crate::engine::error_chain(self));
        parts.join("; ")
    }
}

/// The most error diagnostics a status keeps: a commit with thousands of broken manifests must not make
/// `/status` and the status page thousands of lines long (`validate` still lists every one).
pub const STATUS_DIAGNOSTICS: usize = 50;

impl RevisionError {
    /// The first [`STATUS_DIAGNOSTICS`] error diagnostics on one line each, with their file, line and field
    /// (none for an error without any), and how many more there are.
    #[must_use]
    pub fn error_lines(&self) -> Vec<String> {
        let errors = self.error_diagnostics();
        let mut lines: Vec<String> = errors.iter().map(|d| d.one_line()).collect();
        let total = self
            .diagnostics()
            .map_or(0, |(d, _)| d.iter().filter(|d| d.is_error()).count());
        if total > lines.len() {
            lines.push(format!(
                "… and {} more (mailops validate lists them all)",
                total - lines.len()
            ));
        }
        lines
    }

    /// The first [`STATUS_DIAGNOSTICS`] error diagnostics.
    #[must_use]
    pub fn error_diagnostics(&self) -> Vec<Diagnostic> {
        self.diagnostics()
            .map(|(d, _)| {
                d.iter()
                    .filter(|d| d.is_error())
                    .take(STATUS_DIAGNOSTICS)
                    .cloned()
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// A folder's desired state, validated.
///
/// # Errors
/// [`RevisionError::Invalid`] with every diagnostic.
pub fn folder(path: &Path) -> Result<DesiredState, RevisionError> {
    let (validated, sources) = load_and_validate(path, LoadOptions::default());
    match validated.state {
        Some(s) if !validated.diagnostics.has_errors() => Ok(s),
        _ => Err(RevisionError::Invalid {
            what: path.display().to_string(),
            done: "planned",
            diagnostics: validated.diagnostics,
            sources,
        }),
    }
}

/// Loads and validates a folder (every subcommand that reads one), with the files to show diagnostics in.
#[must_use]
pub fn load_and_validate(path: &Path, options: LoadOptions) -> (desired::Validated, SourceMap) {
    let t = std::time::Instant::now();
    let repo = load_repository(path, options);
    tracing::debug!(elapsed = ?t.elapsed(), "read the repository");
    let resources = repo.resources.len();
    let (validated, sources) = desired::validate_consuming(repo);
    tracing::debug!(elapsed = ?t.elapsed(), "validated the repository");
    tracing::info!(
        resources,
        errors = validated.diagnostics.error_count(),
        warnings = validated.diagnostics.warning_count(),
        "validated {}",
        path.display()
    );
    (validated, sources)
}

fn default_cache() -> PathBuf {
    std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cache")))
        .unwrap_or_else(|| PathBuf::from(".cache"))
        .join("mailops")
        .join("git")
}

/// Opens the cache of the remote `url` with the credentials of `options`.
///
/// # Errors
/// The token file, or a remote or cache that cannot be used.
pub fn open_remote(options: &RevisionOptions, url: &str) -> Result<RemoteSource, RevisionError> {
    let token = match &options.token_file {
        Some(f) => Some(Secret::new(
            std::fs::read_to_string(f)
                .map_err(|source| RevisionError::TokenFile {
                    path: f.clone(),
                    source,
                })?
                .trim()
                .to_string(),
        )),
        None => std::env::var("MAILOPS_GIT_TOKEN").ok().map(Secret::new),
    };
    let credentials = Credentials {
        token,
        ssh_key: options.ssh_key.clone(),
        known_hosts: options.known_hosts.clone(),
    };
    let cache = options.cache.clone().unwrap_or_else(default_cache);
    RemoteSource::open(url, &cache, credentials).map_err(RevisionError::Remote)
}

/// Fetches what is new and resolves the reference.
///
/// # Errors
/// [`RevisionError::Fetch`].
pub fn fetch(remote: &RemoteSource, options: &RevisionOptions) -> Result<Fetched, RevisionError> {
    remote
        .fetch(&options.reference, options.allow_history_rewrite)
        .map_err(RevisionError::Fetch)
}

/// Verifies the fetched revision's signatures (when asked) and validates its manifests under `subdir`.
///
/// # Errors
/// Unverified commits, an unreadable revision, no manifests, invalid manifests.
pub fn desired_of(
    remote: &RemoteSource,
    fetched: &Fetched,
    options: &RevisionOptions,
    subdir: &Path,
) -> Result<DesiredState, RevisionError> {
    if let Some(file) = &options.verify_signatures {
        let signers = AllowedSigners::load(file).map_err(RevisionError::Signers)?;
        // After an allowed history rewrite, what is new is what follows the common ancestor.
        let repo = remote.repository();
        let since = fetched.accepted.and_then(|a| {
            let descends =
                a == fetched.commit || repo.graph_descendant_of(fetched.commit, a).unwrap_or(false);
            if descends {
                Some(a)
            } else {
                repo.merge_base(a, fetched.commit).ok()
            }
        });
        verify_range(repo, since, fetched.commit, &signers).map_err(RevisionError::Verify)?;
    }
    let subdir = if subdir == Path::new(".") {
        Path::new("")
    } else {
        subdir
    };
    let source = remote
        .manifests(subdir, subdir)
        .map_err(|e| RevisionError::Unreadable(Box::new(e)))?;
    let rev = source
        .load(&fetched.commit.to_string(), LoadOptions::default())
        .map_err(|e| RevisionError::Unreadable(Box::new(e)))?;
    let short = rev.commit[..12].to_string();
    if !rev.path_exists || rev.repository.resources.is_empty() {
        return Err(RevisionError::Empty { short });
    }
    let (validated, sources) = desired::validate_consuming(rev.repository);
    match validated.state {
        Some(state) if !validated.diagnostics.has_errors() => Ok(state),
        _ => Err(RevisionError::Invalid {
            what: format!("revision {short}"),
            done: "applied",
            diagnostics: validated.diagnostics,
            sources,
        }),
    }
}

/// A revision ready to apply.
pub struct GitDesired {
    /// Its desired state.
    pub desired: DesiredState,
    /// The commit.
    pub commit: git2::Oid,
    /// The cache, to record the commit as accepted once applied.
    pub remote: RemoteSource,
}

/// Fetches, verifies and validates the revision of `options` under `subdir`.
///
/// # Errors
/// See [`open_remote`], [`fetch`] and [`desired_of`].
pub fn load(options: &RevisionOptions, url: &str, subdir: &Path) -> Result<GitDesired, RevisionError> {
    let remote = open_remote(options, url)?;
    let fetched = fetch(&remote, options)?;
    let desired = desired_of(&remote, &fetched, options, subdir)?;
    Ok(GitDesired {
        desired,
        commit: fetched.commit,
        remote,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_status_keeps_the_first_errors_and_counts_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/bdt-binhthuan/organization.yaml");
        std::fs::copy(example, dir.path().join("organization.yaml")).unwrap();
        for i in 0..STATUS_DIAGNOSTICS + 10 {
            std::fs::write(
                dir.path().join(format!("m{i}.yaml")),
                format!(
                    "apiVersion: mailops.dev/v1alpha1\nkind: Mailbox\nmetadata:\n  name: m{i}\nspec:\n  fullName: Võ Thị An\n  unit: khong-co\n"
                ),
            )
            .unwrap();
        }
        let e = folder(dir.path()).unwrap_err();
        assert_eq!(e.error_diagnostics().len(), STATUS_DIAGNOSTICS);
        let lines = e.error_lines();
        assert_eq!(lines.len(), STATUS_DIAGNOSTICS + 1);
        assert!(lines[STATUS_DIAGNOSTICS].starts_with("… and "), "{lines:?}");
        assert!(e.status_message().len() < 20_000, "{}", e.status_message().len());
    }
}
