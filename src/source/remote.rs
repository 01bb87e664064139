//! A remote git repository, fetched into a cache folder: the source of `apply --git` and of the watch mode.
//!
//! - The cache is a bare repository under `CACHE/<hash of the URL>`; later runs fetch only what is new.
//! - A branch, a tag or a full commit id; a subfolder of the repository.
//! - Credentials: an HTTPS token (from a file or `MAILOPS_GIT_TOKEN`) or an SSH key file. They are handed to
//!   libgit2 only when the server asks, and URLs are shown with any user information removed.
//! - History rewrites: the commit last accepted is kept as `refs/mailops/accepted`; a new commit that does
//!   not descend from it (a force-push) is refused unless allowed.
//!
//! - Transports: `https://` (OpenSSL, the system's CA certificates; `SSL_CERT_FILE` names a private CA),
//!   `ssh://` and `user@host:path` (libssh2, the host key checked against a known_hosts file first),
//!   `git://`, `file://` and local paths. A token is never sent over plain `http://`.

use std::path::{Path, PathBuf};

use git2::{FetchOptions, Oid, RemoteCallbacks, Repository};

use crate::backend::Secret;
use crate::source::git::GitSource;

/// Why a remote source failed.
#[derive(Debug, thiserror::Error)]
pub enum RemoteError {
    /// The URL's transport is not available in this build.
    #[error("{url}: {reason}")]
    Unsupported {
        /// The URL, redacted.
        url: String,
        /// Why.
        reason: String,
    },
    /// Fetching failed (the server is down, the repository is gone, credentials refused).
    #[error("cannot fetch {url}: {message}")]
    Fetch {
        /// The URL, redacted.
        url: String,
        /// libgit2's message, with credentials removed.
        message: String,
    },
    /// The reference names nothing on the remote.
    #[error("{url} has no branch, tag or commit `{reference}`")]
    UnknownReference {
        /// The URL, redacted.
        url: String,
        /// The reference.
        reference: String,
    },
    /// A force-push replaced the history.
    #[error(
        "the history of {url} was rewritten: {new} does not descend from the last accepted commit {accepted}; \
         nothing was applied (allow it with --allow-history-rewrite after checking the change)"
    )]
    HistoryRewritten {
        /// The URL, redacted.
        url: String,
        /// The last accepted commit.
        accepted: String,
        /// The new commit.
        new: String,
    },
    /// The cache cannot be used.
    #[error("the git cache {path}: {message}")]
    Cache {
        /// The cache folder.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
}

/// How to reach a remote.
#[derive(Debug, Clone, Default)]
pub struct Credentials {
    /// An HTTPS token (sent as the password, with the URL's user name or `x-access-token`).
    pub token: Option<Secret>,
    /// An SSH private key file (else the SSH agent).
    pub ssh_key: Option<PathBuf>,
    /// The known_hosts file SSH host keys are checked against (default `~/.ssh/known_hosts`).
    pub known_hosts: Option<PathBuf>,
}

/// The host and port of an SSH URL (`ssh://[user@]host[:port]/path` or `[user@]host:path`).
fn ssh_endpoint(url: &str) -> Option<(String, u16)> {
    if url.starts_with("ssh://") || url.starts_with("git+ssh://") {
        let parsed = url::Url::parse(url).ok()?;
        return Some((parsed.host_str()?.to_string(), parsed.port().unwrap_or(22)));
    }
    if url.contains("://") {
        return None;
    }
    let (authority, _) = url.split_once(':')?;
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    (!host.is_empty() && !host.contains('/')).then(|| (host.to_string(), 22))
}

/// A remote repository and its cache.
pub struct RemoteSource {
    url: String,
    repo: Repository,
    cache: PathBuf,
    credentials: Credentials,
}

impl std::fmt::Debug for RemoteSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RemoteSource")
            .field("url", &redact(&self.url))
            .field("cache", &self.cache)
            .finish_non_exhaustive()
    }
}

/// The URL without user information (`https://user:token@host/x` → `https://***@host/x`).
#[must_use]
pub fn redact(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => {
            let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
            match authority.rsplit_once('@') {
                Some((_, host)) => format!("{scheme}://***@{host}{path}"),
                None => url.to_string(),
            }
        }
        None => url.to_string(),
    }
}

/// A fetched revision.
#[derive(Debug)]
pub struct Fetched {
    /// The commit.
    pub commit: Oid,
    /// The last accepted commit before this one, if any.
    pub accepted: Option<Oid>,
}

impl RemoteSource {
    /// Opens (or creates) the cache of `url` under `cache_root`.
    ///
    /// # Errors
    /// An unsupported URL or an unusable cache.
    pub fn open(url: &str, cache_root: &Path, credentials: Credentials) -> Result<Self, RemoteError> {
        let shown = redact(url);
        if url.starts_with("http://") && credentials.token.is_some() {
            return Err(RemoteError::Unsupported {
                url: shown,
                reason: "a token is never sent over plain http://; use https://".into(),
            });
        }
        use sha2::Digest;
        let digest = sha2::Sha256::digest(url.as_bytes());
        let name: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
        let cache = cache_root.join(name);
        let cache_err = |e: &dyn std::fmt::Display| RemoteError::Cache {
            path: cache.clone(),
            message: e.to_string(),
        };
        std::fs::create_dir_all(&cache).map_err(|e| cache_err(&e))?;
        let repo = match Repository::open_bare(&cache) {
            Ok(r) => r,
            Err(_) => Repository::init_bare(&cache).map_err(|e| cache_err(&e))?,
        };
        Ok(Self {
            url: url.to_string(),
            repo,
            cache,
            credentials,
        })
    }

    /// The repository in the cache.
    #[must_use]
    pub fn repository(&self) -> &Repository {
        &self.repo
    }

    fn shown(&self) -> String {
        redact(&self.url)
    }

    fn scrub(&self, message: &str) -> String {
        let mut m = message.replace(&self.url, &self.shown());
        if let Some(t) = &self.credentials.token {
            m = m.replace(t.expose(), "***");
        }
        m
    }

    /// Fetches branches and tags (only what is new), and resolves `reference`: a branch, a tag or a full
    /// commit id. A commit that does not descend from the last accepted one is refused unless
    /// `allow_rewrite`.
    ///
    /// # Errors
    /// See [`RemoteError`].
    pub fn fetch(&self, reference: &str, allow_rewrite: bool) -> Result<Fetched, RemoteError> {
        let mut callbacks = RemoteCallbacks::new();
        let credentials = self.credentials.clone();
        // libgit2 asks again when credentials are refused: once each is enough.
        let mut asked = 0u8;
        callbacks.credentials(move |_url, user, allowed| {
            asked += 1;
            if asked > 2 {
                return Err(git2::Error::from_str("the credentials were refused"));
            }
            if allowed.contains(git2::CredentialType::SSH_KEY) {
                let user = user.unwrap_or("git");
                return match &credentials.ssh_key {
                    Some(key) => git2::Cred::ssh_key(user, None, key, None),
                    None => git2::Cred::ssh_key_from_agent(user),
                };
            }
            if allowed.contains(git2::CredentialType::USER_PASS_PLAINTEXT)
                && let Some(token) = &credentials.token
            {
                return git2::Cred::userpass_plaintext(user.unwrap_or("x-access-token"), token.expose());
            }
            Err(git2::Error::from_str(
                "the server asks for credentials and none were given (--git-token-file, --git-ssh-key)",
            ))
        });
        let host_key_refusal = std::rc::Rc::new(std::cell::RefCell::new(None::<String>));
        if let Some((host, port)) = ssh_endpoint(&self.url) {
            let known_hosts = self.credentials.known_hosts.clone().unwrap_or_else(|| {
                std::env::var_os("HOME")
                    .map_or_else(|| PathBuf::from("/nonexistent"), PathBuf::from)
                    .join(".ssh/known_hosts")
            });
            let refusal = host_key_refusal.clone();
            callbacks.certificate_check(move |cert, _host| {
                let checked = match cert.as_hostkey().and_then(|k| k.hostkey()) {
                    Some(key) => crate::source::known_hosts::check(&known_hosts, &host, port, key)
                        .map_err(|e| e.to_string()),
                    None => Err("the SSH server's host key cannot be checked".to_string()),
                };
                checked
                    .map(|()| git2::CertificateCheckStatus::CertificateOk)
                    .map_err(|message| {
                        // libgit2 replaces the callback's message with its own; keep ours for the error.
                        *refusal.borrow_mut() = Some(message.clone());
                        git2::Error::from_str(&message)
                    })
            });
        }
        let mut options = FetchOptions::new();
        options.remote_callbacks(callbacks);
        options.download_tags(git2::AutotagOption::All);
        let mut remote = self
            .repo
            .remote_anonymous(&self.url)
            .map_err(|e| self.fetch_error(&e))?;
        remote
            .fetch(
                &["+refs/heads/*:refs/remotes/origin/*", "+refs/tags/*:refs/tags/*"],
                Some(&mut options),
                None,
            )
            .map_err(|e| match host_key_refusal.borrow_mut().take() {
                Some(message) => RemoteError::Fetch {
                    url: self.shown(),
                    message,
                },
                None => self.fetch_error(&e),
            })?;
        let commit = self.resolve(reference)?;
        let accepted = self.repo.refname_to_id("refs/mailops/accepted").ok();
        if let Some(old) = accepted
            && old != commit
            && !allow_rewrite
            && !self.repo.graph_descendant_of(commit, old).unwrap_or(false)
        {
            return Err(RemoteError::HistoryRewritten {
                url: self.shown(),
                accepted: old.to_string()[..12].to_string(),
                new: commit.to_string()[..12].to_string(),
            });
        }
        Ok(Fetched { commit, accepted })
    }

    fn fetch_error(&self, e: &git2::Error) -> RemoteError {
        RemoteError::Fetch {
            url: self.shown(),
            message: self.scrub(e.message()),
        }
    }

    fn resolve(&self, reference: &str) -> Result<Oid, RemoteError> {
        let candidates = [
            format!("refs/remotes/origin/{reference}"),
            format!("refs/tags/{reference}"),
        ];
        for name in &candidates {
            if let Ok(r) = self.repo.find_reference(name)
                && let Ok(c) = r.peel_to_commit()
            {
                return Ok(c.id());
            }
        }
        if reference.len() == 40
            && let Ok(oid) = Oid::from_str(reference)
            && self.repo.find_commit(oid).is_ok()
        {
            return Ok(oid);
        }
        Err(RemoteError::UnknownReference {
            url: self.shown(),
            reference: reference.to_string(),
        })
    }

    /// Records `commit` as accepted (applied): later fetches must descend from it.
    ///
    /// # Errors
    /// The cache cannot be written.
    pub fn accept(&self, commit: Oid) -> Result<(), RemoteError> {
        self.repo
            .reference("refs/mailops/accepted", commit, true, "mailops: applied")
            .map(|_| ())
            .map_err(|e| RemoteError::Cache {
                path: self.cache.clone(),
                message: e.to_string(),
            })
    }

    /// The manifests below `subdir` (shown in diagnostics as `shown`), read from the cache.
    ///
    /// # Errors
    /// The cache cannot be opened.
    pub fn manifests(&self, subdir: &Path, shown: &Path) -> Result<GitSource, RemoteError> {
        GitSource::bare(&self.cache, subdir, shown).map_err(|e| RemoteError::Cache {
            path: self.cache.clone(),
            message: e.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_redacted() {
        assert_eq!(
            redact("https://oauth2:ghp_secret@git.example.vn/agency/staff.git"),
            "https://***@git.example.vn/agency/staff.git"
        );
        assert_eq!(
            redact("git://127.0.0.1:9418/staff.git"),
            "git://127.0.0.1:9418/staff.git"
        );
        assert_eq!(redact("/srv/git/staff.git"), "/srv/git/staff.git");
    }
}
