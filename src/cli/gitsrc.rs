//! `--git URL`: the desired state from a remote repository's revision (fetched into a cache), verified
//! against an allowed-signers file when asked, instead of a local folder. The rules are in
//! [`crate::source::revision`]; this file holds only the options.

use std::path::PathBuf;

use clap::Args;

use crate::source::revision::RevisionOptions;

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

impl GitArgs {
    /// The revision rules these options ask for.
    #[must_use]
    pub(super) fn options(&self) -> RevisionOptions {
        RevisionOptions {
            reference: self.reference.clone(),
            cache: self.git_cache.clone(),
            token_file: self.git_token_file.clone(),
            ssh_key: self.git_ssh_key.clone(),
            known_hosts: self.git_known_hosts.clone(),
            allow_history_rewrite: self.allow_history_rewrite,
            verify_signatures: self.verify_signatures.clone(),
        }
    }
}
