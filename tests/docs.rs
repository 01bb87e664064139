//! The checked-in manual pages (`man/`) and shell completions (`completions/`) are what the command line
//! generates now: regenerate with `cargo run -- man --out man` and `cargo run -- completions SHELL >
//! completions/mailops.SHELL` (the test prints these commands when a file is stale).

mod common;

use std::collections::BTreeSet;

use clap::ValueEnum;
use clap_complete::Shell;
use common::root;

fn names(dir: &std::path::Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .map(|d| {
            d.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn the_checked_in_man_pages_are_current() {
    let pages = mailops::cli::docs::man_pages().unwrap();
    let generated: BTreeSet<String> = pages.iter().map(|(n, _)| n.clone()).collect();
    for must in [
        "mailops.1",
        "mailops-apply.1",
        "mailops-plan.1",
        "mailops-report-usage.1",
        "mailops-man.1",
    ] {
        assert!(generated.contains(must), "{must} not generated: {generated:?}");
    }
    assert_eq!(
        names(&root().join("man")),
        generated,
        "man/ holds exactly the pages: cargo run -- man --out man"
    );
    for (name, text) in &pages {
        let on_disk = std::fs::read(root().join("man").join(name)).unwrap();
        assert!(
            on_disk == *text,
            "man/{name} is stale: cargo run -- man --out man"
        );
    }
    // Each page documents its command: the plan's examples and its options.
    let plan = &pages.iter().find(|(n, _)| n == "mailops-plan.1").unwrap().1;
    let plan = String::from_utf8_lossy(plan);
    assert!(
        plan.contains("Examples:") && plan.contains("\\-\\-base"),
        "{plan}"
    );
}

#[test]
fn the_checked_in_completions_are_current() {
    let mut expected = BTreeSet::new();
    for shell in Shell::value_variants() {
        let file = format!("mailops.{shell}");
        expected.insert(file.clone());
        let text = mailops::cli::docs::completions(*shell);
        let text = String::from_utf8(text).unwrap();
        for word in ["plan", "apply", "completions", "lang"] {
            assert!(text.contains(word), "{shell}: no {word}");
        }
        let on_disk = std::fs::read_to_string(root().join("completions").join(&file)).unwrap_or_default();
        assert!(
            on_disk == text,
            "completions/{file} is stale: cargo run -- completions {shell} > completions/{file}"
        );
    }
    assert_eq!(names(&root().join("completions")), expected);
}

/// The commands a user types, through the binary.
#[test]
fn completions_and_man_from_the_command_line() {
    let run = common::mailops(&["completions", "bash"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("_mailops()"), "{}", run.stdout);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("man1");
    let run = common::mailops(&["man", "--out", out.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("manual pages"), "{}", run.stderr);
    assert_eq!(names(&out), names(&root().join("man")));
    let run = common::mailops(&["completions", "tcsh"]);
    assert_eq!(run.code, 2, "an unknown shell is a usage error");
}
