//! Helpers for black-box tests of the `mailops` binary.
#![allow(dead_code)]

pub mod browser;
pub mod dovecot;
pub mod example_copy;
pub mod fakeapi;
pub mod gitserver;
pub mod ldap;
pub mod mta;
pub mod watcher;

use std::path::{Path, PathBuf};
use std::process::Command;

/// What a run of the binary produced.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl From<std::process::Output> for Run {
    fn from(out: std::process::Output) -> Self {
        Self {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

/// The tests' calendar: a run given `--date D` takes D as today too (`MAILOPS_TODAY`), so that a test of
/// the grace period can suspend on one day and delete on a later one, whatever the machine's clock says.
pub fn calendar<S: AsRef<str>>(args: &[S]) -> Option<String> {
    args.windows(2)
        .find(|w| w[0].as_ref() == "--date")
        .map(|w| w[1].as_ref().to_string())
}

/// [`calendar`] as the environment of a command.
pub fn calendar_env<S: AsRef<str>>(args: &[S]) -> Vec<(&'static str, String)> {
    calendar(args).map(|d| ("MAILOPS_TODAY", d)).into_iter().collect()
}

/// Runs `mailops` with arguments from the crate root, without colour or inherited log settings.
pub fn mailops(args: &[&str]) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_mailops"));
    if let Some(day) = calendar(args) {
        cmd.env("MAILOPS_TODAY", day);
    }
    let out = cmd
        .args(args)
        .current_dir(root())
        .env_remove("RUST_LOG")
        // English, whatever the machine's locale (the tests of Vietnamese ask for it).
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", "C.UTF-8")
        .env("NO_COLOR", "1")
        .output()
        .expect("run mailops");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
    }
}

/// The crate root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The example agency, relative to the crate root (as a user would type it).
pub const EXAMPLE: &str = "examples/bdt-binhthuan";

/// The bad-input corpus.
pub fn corpus_dir() -> PathBuf {
    Path::new("tests").join("bad")
}

/// The appendix of Decision 189/QĐ-BDT: (unit heading or None, account, full name, title, backup e-mail),
/// parsed from the regulation's text as published (a verbatim copy in tests/fixtures).
pub fn appendix() -> Vec<AppendixRow> {
    let text =
        std::fs::read_to_string(root().join("tests/fixtures/phu-luc-189-QD-BDT.txt")).expect("appendix");
    let text: String = unicode_normalization::UnicodeNormalization::nfc(text.as_str()).collect();
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    let start = lines
        .iter()
        .position(|l| *l == "BAN DÂN TỘC")
        .expect("first unit heading");
    let mut rows = Vec::new();
    let mut i = start;
    while i < lines.len() {
        if !lines[i].contains('@') {
            rows.push(AppendixRow::Unit(lines[i].to_string()));
            i += 1;
        } else {
            rows.push(AppendixRow::Person {
                account: lines[i].to_string(),
                full_name: lines[i + 1].to_string(),
                title: lines[i + 2].to_string(),
                backup: lines[i + 3].to_string(),
            });
            i += 4;
        }
    }
    rows
}

/// One row of the appendix table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AppendixRow {
    /// A unit heading.
    Unit(String),
    /// A person.
    Person {
        account: String,
        full_name: String,
        title: String,
        backup: String,
    },
}

/// Copies a folder tree (regular files and folders).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

/// Every file below a folder (recursively).
pub fn files_below(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(files_below(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// A minimal Mailbox manifest: a new hire in a unit.
pub fn new_hire(name: &str, full_name: &str, unit: &str) -> String {
    format!(
        "apiVersion: mailops.dev/v1alpha1\nkind: Mailbox\nmetadata:\n  name: {name}\nspec:\n  fullName: {full_name}\n  unit: {unit}\n"
    )
}
