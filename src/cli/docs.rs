//! `mailops completions SHELL` (clap_complete) and `mailops man --out DIR` (clap_mangen): shell completions
//! and manual pages, generated from the same command-line definition as `--help`. The checked-in copies in
//! `man/` and `completions/` are kept current by `tests/docs.rs`.

use std::path::{Path, PathBuf};

use clap::{Args, CommandFactory};
use clap_complete::Shell;

use super::{Cli, Printer};

/// Arguments of `completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell: bash, zsh, fish, powershell or elvish.
    #[arg(value_enum)]
    pub shell: Shell,
}

/// Arguments of `man`.
#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write the pages to this folder: mailops.1 and one mailops-SUBCOMMAND.1 per subcommand.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}

/// The completion script of `shell`.
#[must_use]
pub fn completions(shell: Shell) -> Vec<u8> {
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "mailops", &mut out);
    out
}

/// The manual pages: (file name, roff text), the command's first, then one per subcommand, nested ones
/// included (`mailops-report-usage.1`).
///
/// # Errors
/// When a page cannot be rendered.
pub fn man_pages() -> std::io::Result<Vec<(String, Vec<u8>)>> {
    let mut cmd = Cli::command();
    cmd.build();
    let mut pages = Vec::new();
    add_pages(&cmd, "mailops", "mailops", &mut pages)?;
    Ok(pages)
}

fn add_pages(
    cmd: &clap::Command,
    name: &str,
    bin: &str,
    pages: &mut Vec<(String, Vec<u8>)>,
) -> std::io::Result<()> {
    let mut out = Vec::new();
    let page = cmd.clone().name(name.to_string()).bin_name(bin.to_string());
    clap_mangen::Man::new(page).render(&mut out)?;
    pages.push((format!("{name}.1"), out));
    for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
        let sub_name = format!("{name}-{}", sub.get_name());
        add_pages(sub, &sub_name, &format!("{bin} {}", sub.get_name()), pages)?;
    }
    Ok(())
}

pub(super) fn run_completions(args: &CompletionsArgs, printer: &Printer) -> u8 {
    printer.out(&String::from_utf8_lossy(&completions(args.shell)));
    0
}

pub(super) fn run_man(args: &ManArgs, printer: &Printer) -> u8 {
    let pages = match man_pages() {
        Ok(p) => p,
        Err(e) => {
            printer.error(&crate::t!("error-man-pages"), Some(&e), None);
            return 1;
        }
    };
    if let Err(e) = std::fs::create_dir_all(&args.out) {
        printer.error(
            &crate::t!("error-cannot-create", path = args.out.display().to_string()),
            Some(&e),
            None,
        );
        return 1;
    }
    for (name, text) in &pages {
        let path: &Path = &args.out.join(name);
        if let Err(e) = super::write_atomically(path, text) {
            printer.error(
                &crate::t!("error-cannot-write", path = path.display().to_string()),
                Some(&e),
                None,
            );
            return 1;
        }
    }
    let folder = args.out.display().to_string();
    printer.note(&crate::t!("man-written", count = pages.len(), folder = folder));
    0
}
