//! `mailops verify [PATH] --allowed-signers FILE [--since REV] [--rev REV]`: are these commits signed by
//! allowed signers, each within the paths its signer may change?

use std::path::PathBuf;

use clap::Args;

use super::Printer;
use crate::source::git::GitSource;
use crate::source::signatures::{AllowedSigners, verify_range};

/// Arguments of `verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// A folder inside the git clone.
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// The allowed-signers file (git's `gpg.ssh.allowedSignersFile` format; `mailops-paths="…"` limits a
    /// signer to paths).
    #[arg(long, value_name = "FILE")]
    pub allowed_signers: PathBuf,
    /// The last commit already trusted (e.g. the one last applied): every commit after it is checked.
    /// Without it, only `--rev` is checked, and its signer must be allowed to change everything.
    #[arg(long, value_name = "REV")]
    pub since: Option<String>,
    /// The commit to check up to.
    #[arg(long, value_name = "REV", default_value = "HEAD")]
    pub rev: String,
}

pub(super) fn run(args: &VerifyArgs, printer: &Printer) -> u8 {
    let signers = match AllowedSigners::load(&args.allowed_signers) {
        Ok(s) => s,
        Err(e) => {
            printer.error(&crate::t!("error-signers-file"), Some(&e), None);
            return 1;
        }
    };
    let source = match GitSource::open(&args.path) {
        Ok(s) => s,
        Err(e) => {
            printer.error(&crate::t!("error-open-git"), Some(&e), None);
            return 1;
        }
    };
    let resolve = |rev: &str| source.commit_of(rev);
    let (tip, since) = match (resolve(&args.rev), args.since.as_deref().map(resolve).transpose()) {
        (Ok(t), Ok(s)) => (t, s),
        (Err(e), _) | (_, Err(e)) => {
            printer.error(&crate::t!("error-read-revisions"), Some(&e), None);
            return 1;
        }
    };
    let repo = source.repository();
    match verify_range(repo, since, tip, &signers) {
        Ok(commits) => {
            let mut out = String::new();
            for c in &commits {
                out.push_str(&format!(
                    "✓ {} {} — signed by {}\n",
                    &c.commit[..12],
                    c.summary,
                    c.signer
                ));
            }
            out.push_str(&format!("{} commit(s) verified.\n", commits.len()));
            printer.out(&out);
            0
        }
        Err(e) => {
            printer.error(
                &crate::t!("error-not-verified"),
                Some(&e),
                Some(&crate::t!("hint-sign-commits")),
            );
            1
        }
    }
}
