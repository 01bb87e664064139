//! `--git URL`: the desired state from a remote repository's revision (fetched into a cache), verified
//! against an allowed-signers file when asked, instead of a local folder.

use std::path::{Path, PathBuf};

use clap::Args;

use super::Printer;
use crate::backend::Secret;
use crate::desired::{self, DesiredState};
use crate::manifest::LoadOptions;
use crate::source::remote::{Credentials, Fetched, RemoteError, RemoteSource};
use crate::source::signatures::{AllowedSigners, verify_range};

/// Where the desired state comes from when it is a remote repository.
#[derive(Debug, Args, Default)]
pub struct GitArgs {
    /// Read the repository from this git remote (`https://…`, `ssh://…`, `git@host:path`, `git://…`,
    /// `file://…` or a path) instead of a folder; the PATH argument is then the folder inside the repository.
    #[arg(long, value_name = "URL")]
    pub git: Option<String>,
    /// The branch, tag or full commit id to apply.
    #[arg(long = "ref", value_name = "REF", default_value = "main", requires = "git")]
    pub reference: String,
    /// Where fetched repositories are cached (later runs fetch only what is new).
    #[arg(long, value_name = "DIR", requires = "git")]
    pub git_cache: Option<PathBuf>,
    /// A file holding an HTTPS token for the remote (default: MAILOPS_GIT_TOKEN).
    #[arg(long, value_name = "FILE", requires = "git")]
    pub git_token_file: Option<PathBuf>,
    /// An SSH private key for the remote (default: the SSH agent).
    #[arg(long, value_name = "FILE", requires = "git")]
    pub git_ssh_key: Option<PathBuf>,
    /// The known_hosts file the SSH server's host key must be in (default: ~/.ssh/known_hosts).
    #[arg(long, value_name = "FILE", requires = "git")]
    pub git_known_hosts: Option<PathBuf>,
    /// Apply a revision that does not descend from the last applied one (a force-push).
    #[arg(long, requires = "git")]
    pub allow_history_rewrite: bool,
    /// Apply only commits signed by a key of this allowed-signers file, within their signer's paths.
    #[arg(long, value_name = "FILE", requires = "git")]
    pub verify_signatures: Option<PathBuf>,
}

/// A revision ready to apply.
pub(super) struct GitDesired {
    /// Its desired state.
    pub desired: DesiredState,
    /// The commit.
    pub commit: git2::Oid,
    /// The cache, to record the commit as accepted once applied.
    pub remote: RemoteSource,
}

fn default_cache() -> PathBuf {
    std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cache")))
        .unwrap_or_else(|| PathBuf::from(".cache"))
        .join("mailops")
        .join("git")
}

/// Why a revision cannot be applied (the message was printed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Failure {
    /// The options: a token file, the cache, the allowed-signers file.
    Config,
    /// The remote could not be fetched (down, gone, credentials refused, unknown reference).
    Fetch,
    /// A force-push that was not allowed.
    HistoryRewritten,
    /// A commit unsigned, signed by an unknown key, or out of its signer's paths.
    Verify,
    /// The revision holds no manifests.
    Empty,
    /// The revision's manifests are not valid (or cannot be read).
    Invalid,
}

impl Failure {
    /// A bounded label for metrics and status.
    pub(super) const fn label(self) -> &'static str {
        match self {
            Failure::Config => "config",
            Failure::Fetch => "fetch",
            Failure::HistoryRewritten => "history-rewritten",
            Failure::Verify => "verify",
            Failure::Empty => "empty",
            Failure::Invalid => "invalid",
        }
    }
}

/// Opens the cache of the remote with the credentials of `args`.
pub(super) fn open_remote(args: &GitArgs, url: &str, printer: &Printer) -> Result<RemoteSource, Failure> {
    let token = match &args.git_token_file {
        Some(f) => match std::fs::read_to_string(f) {
            Ok(t) => Some(Secret::new(t.trim().to_string())),
            Err(e) => {
                printer.error(&format!("cannot read {}", f.display()), Some(&e), None);
                return Err(Failure::Config);
            }
        },
        None => std::env::var("MAILOPS_GIT_TOKEN").ok().map(Secret::new),
    };
    let credentials = Credentials {
        token,
        ssh_key: args.git_ssh_key.clone(),
        known_hosts: args.git_known_hosts.clone(),
    };
    let cache = args.git_cache.clone().unwrap_or_else(default_cache);
    RemoteSource::open(url, &cache, credentials)
        .map_err(|e| printer.error("cannot use the git remote", Some(&e), None))
        .map_err(|()| Failure::Config)
}

/// Fetches what is new and resolves the reference of `args`.
pub(super) fn fetch(remote: &RemoteSource, args: &GitArgs, printer: &Printer) -> Result<Fetched, Failure> {
    remote
        .fetch(&args.reference, args.allow_history_rewrite)
        .map_err(|e| {
            printer.error("nothing was applied", Some(&e), None);
            match e {
                RemoteError::HistoryRewritten { .. } => Failure::HistoryRewritten,
                _ => Failure::Fetch,
            }
        })
}

/// Verifies the fetched revision's signatures (when asked) and validates its manifests under `subdir`.
pub(super) fn desired_of(
    remote: &RemoteSource,
    fetched: &Fetched,
    args: &GitArgs,
    subdir: &Path,
    printer: &Printer,
) -> Result<DesiredState, Failure> {
    if let Some(file) = &args.verify_signatures {
        let signers = AllowedSigners::load(file)
            .map_err(|e| printer.error("the allowed-signers file cannot be used", Some(&e), None))
            .map_err(|()| Failure::Config)?;
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
        verify_range(repo, since, fetched.commit, &signers).map_err(|e| {
            printer.error(
                "the revision is not verified; nothing was applied",
                Some(&e),
                Some("only commits signed by an allowed signer, within its paths, are applied"),
            );
            Failure::Verify
        })?;
    }
    let subdir = if subdir == Path::new(".") {
        Path::new("")
    } else {
        subdir
    };
    let unreadable = |e: &dyn std::error::Error| {
        printer.error("cannot read the fetched revision", Some(e), None);
        Failure::Invalid
    };
    let source = remote.manifests(subdir, subdir).map_err(|e| unreadable(&e))?;
    let rev = source
        .load(&fetched.commit.to_string(), LoadOptions::default())
        .map_err(|e| unreadable(&e))?;
    let short = &rev.commit[..12];
    if !rev.path_exists || rev.repository.resources.is_empty() {
        printer.error(
            &format!("revision {short} holds no manifests; nothing was applied"),
            None,
            Some("a revision that removes every manifest is never applied: the last good one stays in force"),
        );
        return Err(Failure::Empty);
    }
    let validated = desired::validate(&rev.repository);
    match validated.state {
        Some(state) if !validated.diagnostics.has_errors() => Ok(state),
        _ => {
            printer.diagnostics(&validated.diagnostics, &rev.repository.sources);
            printer.error(
                &format!("revision {short} is not valid; nothing was applied"),
                None,
                Some("the last good revision stays in force"),
            );
            Err(Failure::Invalid)
        }
    }
}

/// Fetches, verifies and validates the revision; prints why not when it may not be applied.
pub(super) fn load(
    args: &GitArgs,
    url: &str,
    subdir: &Path,
    printer: &Printer,
) -> Result<GitDesired, Failure> {
    let remote = open_remote(args, url, printer)?;
    let fetched = fetch(&remote, args, printer)?;
    let desired = desired_of(&remote, &fetched, args, subdir, printer)?;
    Ok(GitDesired {
        desired,
        commit: fetched.commit,
        remote,
    })
}
