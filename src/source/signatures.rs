//! Signed commits: SSH signatures (`gpg.format = ssh`) checked against an allowed-signers file, in Rust.
//!
//! # The allowed-signers file
//! git's `gpg.ssh.allowedSignersFile` format (`ssh-keygen(1)`, ALLOWED SIGNERS), one signer per line:
//! ```text
//! # principals      options                                   key
//! it@bdt.gov.vn     namespaces="git"                          ssh-ed25519 AAAAC3Nz… IT officer
//! hr@bdt.gov.vn     namespaces="git",mailops-paths="staff/**" ssh-ed25519 AAAAC3Nz… HR clerk
//! ```
//! Options understood: `namespaces` (the signature's namespace must be listed; git signs with `git`),
//! `valid-after` and `valid-before` (`YYYYMMDD[HHMM[SS]][Z]`, compared with the commit's time), and mailops's
//! own `mailops-paths`: glob patterns (relative to the repository's root) outside which this signer's commits
//! may change nothing, e.g. the HR clerk may add staff but not touch the Organization, where the safety
//! limits are. `cert-authority` lines are refused (certificates are not supported).
//!
//! # What is verified
//! Every commit from the last verified one (exclusive) to the new one: each must carry an SSH signature in
//! the `git` namespace, made by a key of the file, valid at the commit's time, and change only paths in
//! its signer's scope (a merge is compared with its first parent; a first commit with an empty tree).

use std::path::Path;

use git2::{Oid, Repository};
use globset::{Glob, GlobSet, GlobSetBuilder};
use ssh_key::{PublicKey, SshSig};

/// A line of the allowed-signers file that cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("{file}:{line}: {message}")]
pub struct SignersError {
    /// The file.
    pub file: String,
    /// The 1-based line.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

/// One allowed signer.
#[derive(Debug, Clone)]
pub struct Signer {
    /// Principals (usually e-mail addresses).
    pub principals: Vec<String>,
    key: PublicKey,
    namespaces: Option<Vec<String>>,
    valid_after: Option<i64>,
    valid_before: Option<i64>,
    /// Path patterns this signer is limited to (`None`: anything).
    pub paths: Option<Vec<String>>,
    scope: Option<GlobSet>,
    /// Line in the file.
    pub line: usize,
}

impl Signer {
    /// The principals, joined.
    #[must_use]
    pub fn name(&self) -> String {
        self.principals.join(",")
    }

    fn allows_path(&self, path: &str) -> bool {
        self.scope.as_ref().is_none_or(|s| s.is_match(path))
    }
}

/// The allowed signers.
#[derive(Debug, Clone, Default)]
pub struct AllowedSigners {
    /// Signers in file order.
    pub signers: Vec<Signer>,
}

/// Splits a line into fields on blanks, keeping double-quoted runs (option values) together.
fn fields(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    for c in line.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                cur.push(c);
            }
            c if c.is_whitespace() && !quoted => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
            c => cur.push(c),
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Splits options on commas outside quotes.
fn options(text: &str) -> Vec<(String, Option<String>)> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut push = |cur: &mut String| {
        let item = std::mem::take(cur);
        match item.split_once('=') {
            Some((k, v)) => out.push((k.to_ascii_lowercase(), Some(v.trim_matches('"').to_string()))),
            None => out.push((item.to_ascii_lowercase(), None)),
        }
    };
    for c in text.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                cur.push(c);
            }
            ',' if !quoted => push(&mut cur),
            c => cur.push(c),
        }
    }
    if !cur.is_empty() {
        push(&mut cur);
    }
    out
}

fn is_key_type(s: &str) -> bool {
    s.starts_with("ssh-") || s.starts_with("ecdsa-") || s.starts_with("sk-")
}

/// `YYYYMMDD[HHMM[SS]][Z]` as seconds since the epoch (UTC; local times are taken as UTC too).
fn timestamp(s: &str) -> Option<i64> {
    let s = s.trim_end_matches(['Z', 'z']);
    let (date, time) = s.split_at(s.len().min(8));
    let date = chrono::NaiveDate::parse_from_str(date, "%Y%m%d").ok()?;
    let time = match time.len() {
        0 => chrono::NaiveTime::MIN,
        4 => chrono::NaiveTime::parse_from_str(time, "%H%M").ok()?,
        6 => chrono::NaiveTime::parse_from_str(time, "%H%M%S").ok()?,
        _ => return None,
    };
    Some(date.and_time(time).and_utc().timestamp())
}

impl AllowedSigners {
    /// Reads an allowed-signers file.
    ///
    /// # Errors
    /// The file cannot be read, or a line is not a signer.
    pub fn load(path: &Path) -> Result<Self, SignersError> {
        let text = std::fs::read_to_string(path).map_err(|e| SignersError {
            file: path.display().to_string(),
            line: 0,
            message: format!("cannot read the allowed-signers file: {e}"),
        })?;
        Self::parse(&text, &path.display().to_string())
    }

    /// Parses the text of an allowed-signers file; `file` names it in errors.
    ///
    /// # Errors
    /// A line that is not a signer (with its number).
    pub fn parse(text: &str, file: &str) -> Result<Self, SignersError> {
        let mut signers = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let line = i + 1;
            let err = |message: String| SignersError {
                file: file.to_string(),
                line,
                message,
            };
            let trimmed = raw.trim();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            let f = fields(trimmed);
            if f.len() < 3 {
                return Err(err("expected `principals [options] keytype key`".into()));
            }
            let (opts, key_at) = if is_key_type(&f[1]) {
                (Vec::new(), 1)
            } else {
                (options(&f[1]), 2)
            };
            let key_text = f
                .get(key_at..key_at + 2)
                .ok_or_else(|| err("the key is missing".into()))?
                .join(" ");
            let key = PublicKey::from_openssh(&key_text)
                .map_err(|e| err(format!("the key cannot be read: {e}")))?;
            let mut signer = Signer {
                principals: f[0].split(',').map(str::to_string).collect(),
                key,
                namespaces: None,
                valid_after: None,
                valid_before: None,
                paths: None,
                scope: None,
                line,
            };
            for (name, value) in opts {
                let value_of =
                    |v: Option<String>| v.ok_or_else(|| err(format!("option `{name}` needs a value")));
                match name.as_str() {
                    "namespaces" => {
                        signer.namespaces = Some(
                            value_of(value)?
                                .split(',')
                                .map(|s| s.trim().to_string())
                                .collect(),
                        );
                    }
                    "valid-after" | "valid-before" => {
                        let v = value_of(value)?;
                        let t = timestamp(&v).ok_or_else(|| err(format!("`{name}={v}` is not a date")))?;
                        if name == "valid-after" {
                            signer.valid_after = Some(t);
                        } else {
                            signer.valid_before = Some(t);
                        }
                    }
                    "mailops-paths" => {
                        let patterns: Vec<String> = value_of(value)?
                            .split(',')
                            .map(|s| s.trim().to_string())
                            .collect();
                        let mut set = GlobSetBuilder::new();
                        for p in &patterns {
                            let glob = globset::GlobBuilder::new(p)
                                .literal_separator(true)
                                .build()
                                .or_else(|_| Glob::new(p))
                                .map_err(|e| err(format!("`{p}` is not a path pattern: {e}")))?;
                            set.add(glob);
                        }
                        signer.scope = Some(set.build().map_err(|e| err(format!("bad path patterns: {e}")))?);
                        signer.paths = Some(patterns);
                    }
                    "cert-authority" => {
                        return Err(err(
                            "certificate authorities are not supported: list the signers' keys".into(),
                        ));
                    }
                    other => return Err(err(format!("unknown option `{other}`"))),
                }
            }
            signers.push(signer);
        }
        Ok(Self { signers })
    }
}

/// A commit that passed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedCommit {
    /// The commit id.
    pub commit: String,
    /// Who signed it (principals of the matching line).
    pub signer: String,
    /// The first line of its message.
    pub summary: String,
}

/// Why a commit may not be applied.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    /// No signature at all.
    #[error("commit {commit} is not signed; only signed commits are applied")]
    Unsigned {
        /// The commit.
        commit: String,
    },
    /// Signed, but not with an SSH key (e.g. OpenPGP).
    #[error("commit {commit} is not signed with an SSH key (gpg.format=ssh)")]
    NotSsh {
        /// The commit.
        commit: String,
    },
    /// The signature does not verify.
    #[error("commit {commit} has an invalid signature: {reason}")]
    Invalid {
        /// The commit.
        commit: String,
        /// Why.
        reason: String,
    },
    /// Signed by a key that is not allowed (at that time, in that namespace).
    #[error("commit {commit} is signed by a key that is not in the allowed signers ({fingerprint})")]
    UnknownSigner {
        /// The commit.
        commit: String,
        /// The key's SHA-256 fingerprint.
        fingerprint: String,
    },
    /// The signer may not change this path.
    #[error("commit {commit} by {signer} changes {path}, outside what this signer may change ({scope})")]
    OutOfScope {
        /// The commit.
        commit: String,
        /// The signer.
        signer: String,
        /// The path.
        path: String,
        /// The signer's patterns.
        scope: String,
    },
    /// The history is not a line from the last verified commit.
    #[error("commit {tip} does not descend from the last verified commit {since} (history rewritten)")]
    NotDescendant {
        /// The new commit.
        tip: String,
        /// The last verified one.
        since: String,
    },
    /// Reading the repository failed.
    #[error("cannot read the repository: {0}")]
    Git(#[from] git2::Error),
}

fn short(oid: Oid) -> String {
    oid.to_string()[..12].to_string()
}

/// Paths a commit changes (relative to the repository root), against its first parent.
fn changed_paths(repo: &Repository, commit: &git2::Commit<'_>) -> Result<Vec<String>, git2::Error> {
    let tree = commit.tree()?;
    let parent_tree = match commit.parents().next() {
        Some(p) => Some(p.tree()?),
        None => None,
    };
    let diff = repo.diff_tree_to_tree(parent_tree.as_ref(), Some(&tree), None)?;
    let mut out = Vec::new();
    for d in diff.deltas() {
        for f in [d.old_file(), d.new_file()] {
            if let Some(p) = f.path().and_then(Path::to_str)
                && !out.iter().any(|x| x == p)
            {
                out.push(p.to_string());
            }
        }
    }
    Ok(out)
}

/// Verifies one commit's signature and scope; returns the signer.
///
/// # Errors
/// See [`VerifyError`].
pub fn verify_commit<'s>(
    repo: &Repository,
    oid: Oid,
    signers: &'s AllowedSigners,
) -> Result<&'s Signer, VerifyError> {
    let commit_id = short(oid);
    let (signature, data) = match repo.extract_signature(&oid, None) {
        Ok(pair) => pair,
        Err(e) if e.code() == git2::ErrorCode::NotFound => {
            return Err(VerifyError::Unsigned { commit: commit_id });
        }
        Err(e) => return Err(e.into()),
    };
    let text = signature.as_str().unwrap_or_default();
    if !text.contains("BEGIN SSH SIGNATURE") {
        return Err(VerifyError::NotSsh { commit: commit_id });
    }
    let sig = SshSig::from_pem(text.trim()).map_err(|e| VerifyError::Invalid {
        commit: commit_id.clone(),
        reason: e.to_string(),
    })?;
    let commit = repo.find_commit(oid)?;
    let when = commit.committer().when().seconds();
    let key = PublicKey::from(sig.public_key().clone());
    let candidate = signers.signers.iter().find(|s| {
        s.key.key_data() == sig.public_key()
            && s.namespaces.as_ref().is_none_or(|n| n.iter().any(|x| x == "git"))
            && s.valid_after.is_none_or(|t| when >= t)
            && s.valid_before.is_none_or(|t| when < t)
    });
    let Some(signer) = candidate else {
        return Err(VerifyError::UnknownSigner {
            commit: commit_id,
            fingerprint: key.fingerprint(ssh_key::HashAlg::Sha256).to_string(),
        });
    };
    signer
        .key
        .verify("git", &data, &sig)
        .map_err(|e| VerifyError::Invalid {
            commit: commit_id.clone(),
            reason: e.to_string(),
        })?;
    if signer.scope.is_some() {
        for path in changed_paths(repo, &commit)? {
            if !signer.allows_path(&path) {
                return Err(VerifyError::OutOfScope {
                    commit: commit_id,
                    signer: signer.name(),
                    path,
                    scope: signer.paths.clone().unwrap_or_default().join(", "),
                });
            }
        }
    }
    Ok(signer)
}

/// Verifies every commit after `since` (exclusive; `None`: the tip alone, whose whole tree its signer then
/// vouches for) up to `tip`, oldest first. The first failure stops it.
///
/// # Errors
/// See [`VerifyError`]; a `tip` that does not descend from `since` is [`VerifyError::NotDescendant`].
pub fn verify_range(
    repo: &Repository,
    since: Option<Oid>,
    tip: Oid,
    signers: &AllowedSigners,
) -> Result<Vec<VerifiedCommit>, VerifyError> {
    let mut commits = Vec::new();
    match since {
        Some(since) if since == tip => return Ok(Vec::new()),
        Some(since) => {
            if !repo.graph_descendant_of(tip, since)? {
                return Err(VerifyError::NotDescendant {
                    tip: short(tip),
                    since: short(since),
                });
            }
            let mut walk = repo.revwalk()?;
            walk.push(tip)?;
            walk.hide(since)?;
            walk.set_sorting(git2::Sort::TOPOLOGICAL | git2::Sort::REVERSE)?;
            for oid in walk {
                commits.push(oid?);
            }
        }
        None => commits.push(tip),
    }
    let mut out = Vec::new();
    for oid in commits {
        let signer = verify_commit(repo, oid, signers)?;
        // With nothing verified before, the tip vouches for its whole tree: a signer limited to paths cannot.
        if since.is_none()
            && let Some(paths) = &signer.paths
        {
            return Err(VerifyError::OutOfScope {
                commit: short(oid),
                signer: signer.name(),
                path: "the whole tree (no earlier verified commit)".into(),
                scope: paths.join(", "),
            });
        }
        let commit = repo.find_commit(oid)?;
        out.push(VerifiedCommit {
            commit: oid.to_string(),
            signer: signer.name(),
            summary: commit.summary().unwrap_or_default().to_string(),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl";

    #[test]
    fn reads_the_allowed_signers_format() {
        let text = format!(
            "# comment\n\nit@x.vn {KEY} IT officer\nhr@x.vn,hr2@x.vn namespaces=\"git,file\",valid-after=\"20260101\",mailops-paths=\"staff/**,README.md\" {KEY}\n"
        );
        let s = AllowedSigners::parse(&text, "signers").unwrap();
        assert_eq!(s.signers.len(), 2);
        assert_eq!(s.signers[0].principals, ["it@x.vn"]);
        assert!(s.signers[0].paths.is_none());
        let hr = &s.signers[1];
        assert_eq!(hr.name(), "hr@x.vn,hr2@x.vn");
        assert_eq!(hr.line, 4);
        assert!(hr.allows_path("staff/ban-dan-toc/a.yaml"));
        assert!(hr.allows_path("README.md"));
        assert!(!hr.allows_path("organization.yaml"));
        assert!(!hr.allows_path("x/staff/a.yaml"));
        assert_eq!(hr.valid_after, timestamp("20260101"));
    }

    #[test]
    fn bad_lines_are_named() {
        for (text, needle) in [
            ("it@x.vn ssh-ed25519", "expected"),
            ("it@x.vn ssh-ed25519 AAAA", "cannot be read"),
            (&format!("it@x.vn cert-authority {KEY}") as &str, "not supported"),
            (&format!("it@x.vn speed=\"1\" {KEY}"), "unknown option"),
            (&format!("it@x.vn valid-after=\"tomorrow\" {KEY}"), "not a date"),
        ] {
            let e = AllowedSigners::parse(&format!("# x\n{text}\n"), "signers").unwrap_err();
            assert_eq!(e.line, 2, "{text}");
            assert!(e.to_string().contains(needle), "{e}");
            assert!(e.to_string().starts_with("signers:2: "), "{e}");
        }
    }
}
