//! The README's commands, run as a new user runs them: from a fresh copy of the repository (its tracked
//! files) in a temporary folder, with the README's relative paths, each command exactly as written (through
//! `sh -c`), `cargo run --release --` and `mailops` being the binary under test. Every shell example that
//! needs no outside server is run: the first set-up command twice (the README says the second run prints
//! "No changes"), the `$ mailops …` examples with their shown output compared (`…` stands for the rest), and
//! the `mailops …` commands the prose names on the example. The second set-up command is the test command
//! itself: it is checked to be what CI runs. The test fails when the README and the program drift apart.

mod common;

use std::path::Path;
use std::process::Command;

/// A command of the README and what the README says of it.
#[derive(Debug)]
struct Example {
    /// The line in README.md.
    line: usize,
    /// The command, continuation lines joined.
    command: String,
    /// The comment lines above it in its block.
    comment: String,
    /// The output shown below it (console blocks).
    shown: Vec<String>,
}

/// What a command needs that the tests cannot give it here: a server outside, a cluster, a secret.
fn needs_outside(command: &str) -> bool {
    [
        "modoboa+",
        "postfixadmin+",
        "ldap://",
        "https://",
        "kubectl",
        "--git ",
        "MAILOPS_TOKEN",
        "/srv/",
        "/etc/",
        "/run/",
    ]
    .iter()
    .any(|w| command.contains(w))
}

/// The shell examples: every command of the ```sh and ```console blocks.
fn examples(readme: &str) -> Vec<Example> {
    let mut out: Vec<Example> = Vec::new();
    let mut block: Option<&str> = None;
    let mut comment = String::new();
    let mut pending = String::new();
    let mut start = 0;
    for (i, line) in readme.lines().enumerate() {
        if let Some(lang) = line.strip_prefix("```") {
            block = match block {
                None => Some(if lang.is_empty() { "text" } else { lang }),
                Some(_) => None,
            };
            comment.clear();
            continue;
        }
        let Some(lang) = block else { continue };
        let (is_command, text) = match lang {
            "sh" => (
                !line.trim_start().starts_with('#') && !line.trim().is_empty(),
                line,
            ),
            "console" => match line.strip_prefix("$ ") {
                Some(c) => (true, c),
                None => {
                    if pending.is_empty()
                        && let Some(last) = out.last_mut()
                    {
                        last.shown.push(line.to_string());
                    }
                    continue;
                }
            },
            _ => continue,
        };
        if !is_command && pending.is_empty() {
            if let Some(c) = line.trim_start().strip_prefix('#') {
                comment.push_str(c.trim());
                comment.push(' ');
            }
            continue;
        }
        if pending.is_empty() {
            start = i + 1;
        }
        match text.trim_end().strip_suffix('\\') {
            Some(head) => {
                pending.push_str(head);
                pending.push(' ');
            }
            None => {
                pending.push_str(text.trim());
                out.push(Example {
                    line: start,
                    command: std::mem::take(&mut pending),
                    comment: std::mem::take(&mut comment),
                    shown: Vec::new(),
                });
            }
        }
    }
    out
}

/// The `mailops …` commands the prose names in code spans, on the shipped example and without
/// placeholders (`mailops validate examples/bdt-binhthuan`).
fn prose_commands(readme: &str) -> Vec<(usize, String)> {
    // The prose outside blocks, one paragraph a string (a code span may run across a line break).
    let mut paragraphs: Vec<(usize, String)> = Vec::new();
    let mut in_block = false;
    for (i, line) in readme.lines().enumerate() {
        if line.starts_with("```") {
            in_block = !in_block;
            paragraphs.push((i + 1, String::new()));
            continue;
        }
        if in_block || line.trim().is_empty() {
            paragraphs.push((i + 2, String::new()));
            continue;
        }
        match paragraphs.last_mut() {
            Some((_, p)) => {
                p.push(' ');
                p.push_str(line.trim());
            }
            None => paragraphs.push((i + 1, line.to_string())),
        }
    }
    let mut out = Vec::new();
    for (line, text) in paragraphs {
        for span in text.split('`').skip(1).step_by(2) {
            let runnable = span.starts_with("mailops ")
                && span.contains(" examples/")
                && !span.contains(['…', '<', '[', '|', '>'])
                && !needs_outside(span);
            if runnable {
                out.push((line, span.to_string()));
            }
        }
    }
    out
}

/// A copy of the repository's tracked files (what a fresh clone holds).
fn fresh_copy(to: &Path) {
    let root = common::root();
    let listed = Command::new("git")
        .args(["ls-files", "-z"])
        .current_dir(&root)
        .output()
        .expect("git ls-files");
    assert!(listed.status.success());
    for rel in listed.stdout.split(|b| *b == 0).filter(|p| !p.is_empty()) {
        let rel = Path::new(std::str::from_utf8(rel).unwrap());
        let from = root.join(rel);
        if !from.is_file() {
            continue;
        }
        let dest = to.join(rel);
        std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
        std::fs::copy(&from, &dest).unwrap();
    }
}

/// `command` as written, by `sh -c` in `dir`: `mailops` and `cargo run --release --` are the binary.
fn run(dir: &Path, command: &str) -> common::Run {
    let script = format!(
        "mailops() {{ \"$MAILOPS_BIN\" \"$@\"; }}\n\
         cargo() {{ if [ \"$1 $2 $3\" = \"run --release --\" ]; then shift 3; \"$MAILOPS_BIN\" \"$@\"; \
         else echo \"the README test runs no other cargo command: $*\" >&2; return 127; fi; }}\n{command}\n"
    );
    Command::new("sh")
        .args(["-c", &script])
        .current_dir(dir)
        .env("MAILOPS_BIN", env!("CARGO_BIN_EXE_mailops"))
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env_remove("MAILOPS_TODAY")
        .env("LANG", "C.UTF-8")
        .env("NO_COLOR", "1")
        .output()
        .expect("run sh")
        .into()
}

/// Whether `actual` is the line `shown`, where `…` in `shown` stands for anything.
fn shows(shown: &str, actual: &str) -> bool {
    let mut rest = actual;
    for (i, piece) in shown.split('…').enumerate() {
        let piece = piece.trim_end();
        match rest.find(piece) {
            Some(0) => rest = &rest[piece.len()..],
            Some(at) if i > 0 => rest = &rest[at + piece.len()..],
            _ => return false,
        }
    }
    shown.ends_with('…') || rest.trim().is_empty()
}

#[test]
fn the_readmes_commands_run_as_written_from_a_fresh_copy() {
    let readme = std::fs::read_to_string(common::root().join("README.md")).unwrap();
    let all = examples(&readme);
    let copy = tempfile::tempdir().unwrap();
    fresh_copy(copy.path());

    // The two set-up commands: the main job, and the test command.
    let setup = &all[..2];
    assert!(
        setup[0]
            .command
            .starts_with("cargo run --release -- apply examples/bdt-binhthuan --server maildir:"),
        "the README's first command: {setup:?}"
    );
    assert_eq!(setup[1].command, "./tests/run.sh", "the README's test command");
    let ci = std::fs::read_to_string(copy.path().join(".ci/run")).unwrap();
    assert!(
        ci.lines().any(|l| l.trim() == "exec ./tests/run.sh"),
        ".ci/run runs the README's test command:\n{ci}"
    );
    // The main job, run twice as the README says ("run it again and it prints No changes"), relative path
    // and all.
    let first = run(copy.path(), &setup[0].command);
    assert_eq!(
        first.code, 0,
        "README.md:{}: {}{}",
        setup[0].line, first.stdout, first.stderr
    );
    assert!(
        first.stdout.contains("27 applied, 0 blocked, 0 failed"),
        "{}",
        first.stdout
    );
    assert!(setup[0].comment.contains("run it again") && setup[0].comment.contains("No changes"));
    let again = run(copy.path(), &setup[0].command);
    assert_eq!(again.code, 0, "the second run: {}{}", again.stdout, again.stderr);
    assert!(
        again.stdout.contains("No changes"),
        "the second run: {}",
        again.stdout
    );
    // What the README says the first run leaves, where it says.
    let folder = setup[0]
        .command
        .split("maildir:")
        .nth(1)
        .and_then(|s| s.split_whitespace().next())
        .unwrap();
    for file in ["mailops-credentials.txt", "mailops-audit.jsonl"] {
        let path = copy.path().join(folder).join(file);
        assert!(
            readme.contains(&format!("`{folder}/{file}`")),
            "the README names {folder}/{file}"
        );
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "{}", path.display());
    }
    // Dovecot reads the homes: every one absolute, and the mail folders there.
    let passwd = std::fs::read_to_string(copy.path().join(folder).join("passwd")).unwrap();
    for line in passwd.lines().filter(|l| !l.starts_with('#')) {
        let home = line.split(':').nth(5).unwrap_or_default();
        let user = line.split(':').next().unwrap_or_default();
        assert!(
            Path::new(home).is_absolute() && Path::new(home).join("Maildir/new").is_dir(),
            "{user}: home {home}"
        );
    }

    // Every other shell example that needs no outside server, with the output the README shows.
    let mut ran = 0;
    for e in &all[2..] {
        if needs_outside(&e.command) || e.command.starts_with("cd ") {
            continue;
        }
        let r = run(copy.path(), &e.command);
        assert_eq!(
            r.code, 0,
            "README.md:{}: `{}`: {}{}",
            e.line, e.command, r.stdout, r.stderr
        );
        let actual: Vec<&str> = r.stdout.lines().collect();
        for (i, shown) in e.shown.iter().enumerate() {
            let got = actual.get(i).copied().unwrap_or_default();
            assert!(
                shows(shown, got),
                "README.md:{}: `{}` shows\n  {shown}\nbut prints\n  {got}",
                e.line + 1 + i,
                e.command
            );
        }
        println!("README.md:{}: ran `{}`", e.line, e.command);
        ran += 1;
    }
    assert!(ran >= 1, "the README's `mailops address` example");
    // The commands the prose names on the example.
    let prose = prose_commands(&readme);
    assert!(
        prose
            .iter()
            .any(|(_, c)| c.starts_with("mailops validate examples/bdt-binhthuan")),
        "{prose:?}"
    );
    for (line, command) in &prose {
        println!("README.md:{line}: ran `{command}`");
        let r = run(copy.path(), command);
        assert_eq!(
            r.code, 0,
            "README.md:{line}: `{command}`: {}{}",
            r.stdout, r.stderr
        );
    }
}

#[test]
fn the_shown_output_matches_with_ellipses() {
    assert!(shows(
        "  taken: the address of …",
        "  taken: the address of Mailbox/x (a.yaml:2:1)"
    ));
    assert!(shows(
        "free: ctt (a), vu (…), thu (…)",
        "free: ctt (a), vu (b), thu (c)"
    ));
    assert!(!shows(
        "anvtt@bdt.binhthuan.gov.vn",
        "anvtt.ctt@bdt.binhthuan.gov.vn"
    ));
    assert!(!shows("taken: the address of x", "free"));
}
