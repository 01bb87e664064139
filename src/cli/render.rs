//! `mailops render attachments [PATH] --for postfix|rspamd`: the Organization's rule III.3 as mail server
//! configuration; and the flags with which `apply` and `watch` install it.

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};

use super::Printer;
use crate::render::attachments::{self, Policy, Table};

/// Arguments of `render`.
#[derive(Debug, Args)]
pub struct RenderArgs {
    /// What to render.
    #[command(subcommand)]
    pub what: RenderWhat,
}

/// What `render` renders.
#[derive(Debug, Subcommand)]
pub enum RenderWhat {
    /// The attachment policy (rule III.3, the Organization's `attachments`).
    Attachments(AttachmentsArgs),
}

/// For which server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum For {
    /// A Postfix `mime_header_checks` table.
    Postfix,
    /// rspamd's `local.d/` files (mime_types.conf, force_actions.conf, rspamd.lua).
    Rspamd,
}

/// Arguments of `render attachments`.
#[derive(Debug, Args)]
pub struct AttachmentsArgs {
    /// The staff repository.
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// The server the configuration is for.
    #[arg(long = "for", value_enum)]
    pub target: For,
    /// Postfix's table type: `pcre` (Debian's postfix-pcre) or `regexp` (built in).
    #[arg(long, value_enum, default_value_t = Table::Pcre)]
    pub table: Table,
    /// Write there instead of stdout: the table file for Postfix, rspamd's configuration folder (e.g.
    /// /etc/rspamd) for rspamd. A file there that mailops did not write is never replaced.
    #[arg(long, short = 'o', value_name = "PATH")]
    pub out: Option<PathBuf>,
}

/// The flags of `apply` and `watch` that install the rendered policy.
#[derive(Debug, Args, Clone)]
pub struct InstallArgs {
    /// Keep this Postfix table file (e.g. /etc/postfix/mailops-attachments.pcre) equal to the policy in git.
    #[arg(long, value_name = "FILE")]
    pub attachments_postfix: Option<PathBuf>,
    /// The table type of --attachments-postfix.
    #[arg(long, value_enum, default_value_t = Table::Pcre, value_name = "TYPE")]
    pub attachments_postfix_table: Table,
    /// Keep rspamd's files under this folder (e.g. /etc/rspamd) equal to the policy in git.
    #[arg(long, value_name = "DIR")]
    pub attachments_rspamd: Option<PathBuf>,
    /// Run this shell command after a file changed (e.g. `postfix reload`); retried by the next run if it
    /// fails or the run is killed first.
    #[arg(long, value_name = "COMMAND")]
    pub attachments_reload: Option<String>,
}

impl InstallArgs {
    /// Where to install.
    #[must_use]
    pub fn target(&self) -> crate::render::Target {
        crate::render::Target {
            postfix: self
                .attachments_postfix
                .clone()
                .map(|p| (p, self.attachments_postfix_table)),
            rspamd: self.attachments_rspamd.clone(),
            reload: self.attachments_reload.clone(),
        }
    }
}

/// Installs the policy of `org` into `target` and says what changed; `false` when it failed.
pub(crate) fn install(
    target: &crate::render::Target,
    org: &crate::desired::Organization,
    printer: &Printer,
) -> bool {
    if target.is_empty() {
        return true;
    }
    match crate::render::install(target, &Policy::of_or_none(org)) {
        Ok(done) => {
            for path in &done.changed {
                printer.note(&format!("attachment policy: {} changed", path.display()));
                tracing::info!(file = %path.display(), "attachment policy file changed");
            }
            if done.changed.is_empty() {
                tracing::debug!(files = done.unchanged.len(), "attachment policy unchanged");
            }
            if done.reloaded {
                printer.note(&crate::t!("watch-attachments-reloaded"));
            }
            true
        }
        Err(e) => {
            printer.error(
                &crate::t!("error-attachments-not-installed"),
                Some(&e),
                Some(&crate::t!("hint-attachments-not-installed")),
            );
            false
        }
    }
}

pub(super) fn run(args: &RenderArgs, printer: &Printer) -> u8 {
    let RenderWhat::Attachments(args) = &args.what;
    let (validated, sources) =
        super::validate::load_and_validate(&args.path, crate::manifest::loader::DEFAULT_MAX_FILE_SIZE);
    let org = match validated.state {
        Some(s) if !validated.diagnostics.has_errors() => s.organization,
        _ => {
            printer.diagnostics(&validated.diagnostics, &sources);
            printer.error(
                &crate::t!("error-invalid-render", what = args.path.display().to_string()),
                None,
                Some(&crate::t!("hint-revision-invalid-planned")),
            );
            return 1;
        }
    };
    let Some(policy) = Policy::of(&org) else {
        printer.error(
            &crate::t!("error-no-attachment-policy", organization = org.name.as_str()),
            None,
            Some(&crate::t!("hint-no-attachment-policy")),
        );
        return 1;
    };
    match (&args.out, args.target) {
        (None, For::Postfix) => printer.out(&attachments::postfix(&policy, args.table)),
        (None, For::Rspamd) => {
            let mut text = String::new();
            for (rel, body) in attachments::rspamd(&policy) {
                text.push_str(&format!("# ==> {rel} <==\n{body}\n"));
            }
            printer.out(&text);
        }
        (Some(out), target) => {
            let target = match target {
                For::Postfix => crate::render::Target {
                    postfix: Some((out.clone(), args.table)),
                    ..Default::default()
                },
                For::Rspamd => crate::render::Target {
                    rspamd: Some(out.clone()),
                    ..Default::default()
                },
            };
            match crate::render::install(&target, &policy) {
                Ok(done) => {
                    for p in &done.changed {
                        printer.note(&format!("wrote {}", p.display()));
                    }
                    for p in &done.unchanged {
                        printer.note(&format!("{} unchanged", p.display()));
                    }
                }
                Err(e) => {
                    printer.error(&crate::t!("error-nothing-rendered"), Some(&e), None);
                    return 1;
                }
            }
        }
    }
    0
}
