//! Manifests at a git revision of a local clone, read with git2 (no checkout, no working tree needed).
//!
//! The same rules as for a folder apply: `*.yaml`/`*.yml` below the path, hidden entries skipped, a size
//! limit per file, and symlinks that lead outside the path refused. Paths in diagnostics are the path as
//! given joined with the file's place below it, exactly as when the folder itself is read.

use std::path::{Component, Path, PathBuf};

use git2::{ObjectType, Repository, TreeWalkMode, TreeWalkResult};

use crate::diagnostics::{Diagnostic, Location};
use crate::manifest::{LoadOptions, LoadedRepository, load_texts};

/// Why a revision could not be read.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    /// No git repository contains the path.
    #[error("{path} is not inside a git repository")]
    NotARepository {
        /// The path.
        path: PathBuf,
        /// The cause.
        #[source]
        source: git2::Error,
    },
    /// The revision does not name a commit.
    #[error("revision `{rev}` is not a commit of {repo}")]
    UnknownRevision {
        /// The revision as given.
        rev: String,
        /// The repository.
        repo: PathBuf,
        /// The cause.
        #[source]
        source: git2::Error,
    },
    /// Reading objects failed.
    #[error("cannot read revision `{rev}`")]
    Read {
        /// The revision.
        rev: String,
        /// The cause.
        #[source]
        source: git2::Error,
    },
    /// The path is outside the repository's working tree.
    #[error("{path} is outside the repository at {repo}")]
    OutsideRepository {
        /// The path.
        path: PathBuf,
        /// The repository.
        repo: PathBuf,
    },
}

/// The manifests of one revision.
#[derive(Debug)]
pub struct RevisionManifests {
    /// The full commit id.
    pub commit: String,
    /// Whether the path exists in that revision.
    pub path_exists: bool,
    /// What was read.
    pub repository: LoadedRepository,
}

/// A local clone, opened from any folder inside it.
pub struct GitSource {
    repo: Repository,
    /// The folder as the user gave it (used in diagnostics).
    shown: PathBuf,
    /// The folder relative to the working tree root.
    subdir: PathBuf,
}

impl std::fmt::Debug for GitSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GitSource")
            .field("shown", &self.shown)
            .field("subdir", &self.subdir)
            .finish()
    }
}

impl GitSource {
    /// Opens the repository that contains `path`.
    ///
    /// # Errors
    /// When no repository contains it.
    pub fn open(path: &Path) -> Result<Self, SourceError> {
        // The folder may be gone from the working tree (a change that deletes it): look for the repository
        // from the nearest folder that exists, and place the path in it lexically.
        let abs = absolute(path);
        let existing = abs.ancestors().find(|p| p.exists()).unwrap_or(Path::new("/"));
        let repo = Repository::discover(existing).map_err(|source| SourceError::NotARepository {
            path: path.to_path_buf(),
            source,
        })?;
        let root = repo.workdir().unwrap_or_else(|| repo.path()).to_path_buf();
        let root_abs = root.canonicalize().unwrap_or(root.clone());
        let existing_abs = existing.canonicalize().unwrap_or_else(|_| existing.to_path_buf());
        let rest = abs.strip_prefix(existing).unwrap_or(Path::new(""));
        let subdir = existing_abs
            .strip_prefix(&root_abs)
            .map_err(|_| SourceError::OutsideRepository {
                path: path.to_path_buf(),
                repo: root.clone(),
            })?
            .join(rest);
        Ok(Self {
            repo,
            shown: path.to_path_buf(),
            subdir,
        })
    }

    /// A bare repository (a fetch cache), reading the manifests below `subdir`; diagnostics name files as
    /// `shown` joined with their place below it.
    ///
    /// # Errors
    /// When the repository cannot be opened.
    pub fn bare(repo: &Path, subdir: &Path, shown: &Path) -> Result<Self, SourceError> {
        let repo = Repository::open_bare(repo).map_err(|source| SourceError::NotARepository {
            path: repo.to_path_buf(),
            source,
        })?;
        Ok(Self {
            repo,
            shown: shown.to_path_buf(),
            subdir: subdir.to_path_buf(),
        })
    }

    /// The repository.
    #[must_use]
    pub fn repository(&self) -> &Repository {
        &self.repo
    }

    /// The commit a revision names.
    ///
    /// # Errors
    /// When it names no commit.
    pub fn commit_of(&self, rev: &str) -> Result<git2::Oid, SourceError> {
        self.repo
            .revparse_single(rev)
            .and_then(|o| o.peel_to_commit())
            .map(|c| c.id())
            .map_err(|source| SourceError::UnknownRevision {
                rev: rev.to_string(),
                repo: self
                    .repo
                    .workdir()
                    .unwrap_or_else(|| self.repo.path())
                    .to_path_buf(),
                source,
            })
    }

    /// Reads the manifests below the path at `rev` (a commit, branch, tag or anything `git rev-parse` takes).
    ///
    /// # Errors
    /// An unknown revision or unreadable objects. Problems with single files are diagnostics instead.
    pub fn load(&self, rev: &str, options: LoadOptions) -> Result<RevisionManifests, SourceError> {
        let read = |source| SourceError::Read {
            rev: rev.to_string(),
            source,
        };
        let commit = self.repo.find_commit(self.commit_of(rev)?).map_err(read)?;
        let root_tree = commit.tree().map_err(read)?;
        let tree = if self.subdir.as_os_str().is_empty() {
            Some(root_tree)
        } else {
            match root_tree.get_path(&self.subdir) {
                Ok(entry) if entry.kind() == Some(ObjectType::Tree) => Some(
                    entry
                        .to_object(&self.repo)
                        .and_then(|o| o.peel_to_tree())
                        .map_err(read)?,
                ),
                _ => None,
            }
        };
        let Some(tree) = tree else {
            return Ok(RevisionManifests {
                commit: commit.id().to_string(),
                path_exists: false,
                repository: LoadedRepository {
                    root: self.shown.clone(),
                    ..LoadedRepository::default()
                },
            });
        };
        let mut files: Vec<(PathBuf, Vec<u8>)> = Vec::new();
        let mut outside: Vec<(PathBuf, String)> = Vec::new();
        let mut failure = None;
        tree.walk(TreeWalkMode::PreOrder, |dir, entry| {
            let name = entry.name().unwrap_or_default();
            if name.starts_with('.') {
                return TreeWalkResult::Skip;
            }
            let rel = Path::new(dir).join(name);
            let is_yaml = matches!(rel.extension().and_then(|e| e.to_str()), Some("yaml" | "yml"));
            match (entry.kind(), entry.filemode()) {
                (Some(ObjectType::Blob), 0o120000) => {
                    if let Ok(blob) = self.repo.find_blob(entry.id()) {
                        let target = String::from_utf8_lossy(blob.content()).into_owned();
                        if leads_outside(&rel, &target) {
                            outside.push((rel, target));
                        }
                    }
                }
                (Some(ObjectType::Blob), _) if is_yaml => match self.repo.find_blob(entry.id()) {
                    Ok(blob) => files.push((self.shown.join(&rel), blob.content().to_vec())),
                    Err(e) => failure = Some(e),
                },
                _ => {}
            }
            TreeWalkResult::Ok
        })
        .map_err(read)?;
        if let Some(e) = failure {
            return Err(read(e));
        }
        files.sort_by(|a, b| a.0.cmp(&b.0));
        let mut repository = load_texts(
            &self.shown,
            files.iter().map(|(p, b)| (p.clone(), b.as_slice())),
            options,
        );
        for (rel, target) in outside {
            repository.diagnostics.push(
                Diagnostic::error(
                    "symlink-outside",
                    Location::file(self.shown.join(&rel)),
                    crate::msg!("diag-symlink-outside", target = target),
                )
                .hint(crate::msg!("hint-symlink-outside")),
            );
        }
        Ok(RevisionManifests {
            commit: commit.id().to_string(),
            path_exists: true,
            repository,
        })
    }
}

/// `path` made absolute against the current folder and normalised lexically (`.` and `..` resolved).
fn absolute(path: &Path) -> PathBuf {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(path)
    };
    let mut out = PathBuf::new();
    for c in joined.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// Whether a symlink at `rel` (relative to the manifests folder) pointing to `target` leaves that folder.
fn leads_outside(rel: &Path, target: &str) -> bool {
    let target = Path::new(target);
    if target.is_absolute() {
        return true;
    }
    let mut depth: i64 = rel.parent().map_or(0, |p| p.components().count() as i64);
    for c in target.components() {
        match c {
            Component::ParentDir => depth -= 1,
            Component::Normal(_) => depth += 1,
            _ => {}
        }
        if depth < 0 {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn symlink_targets_are_resolved_against_their_folder() {
        assert!(leads_outside(Path::new("a.yaml"), "../x.yaml"));
        assert!(leads_outside(Path::new("staff/a.yaml"), "../../x.yaml"));
        assert!(!leads_outside(Path::new("staff/a.yaml"), "../org.yaml"));
        assert!(leads_outside(Path::new("a.yaml"), "/etc/passwd"));
        assert!(!leads_outside(Path::new("a.yaml"), "staff/b.yaml"));
    }
}
