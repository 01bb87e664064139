//! Hostile manifests: what someone who should not control the mail server might put in a pull request.
//! Every folder under `tests/hostile/` is a staff repository with one attack (injections into the
//! passwd-file, the virtual map and the Maildir tree, terminal escapes, numbers that overflow, names that
//! leave their folder). Each is run through the real binary: `validate` exits 1 naming the file, line and
//! field, prints no control character, and `apply` to a maildir writes nothing at all.

mod common;

use common::mailops;

/// (case, error code, file, line, field).
const CASES: &[(&str, &str, &str, u32, &str)] = &[
    (
        "alias-adds-a-second-virtual-target",
        "invalid-address",
        "vo-thi-thu-an.yaml",
        9,
        "spec.aliases[0]",
    ),
    (
        "backslash-in-local-part",
        "invalid-address",
        "vo-thi-thu-an.yaml",
        8,
        "spec.address",
    ),
    (
        "backup-email-header-injection",
        "control-character",
        "vo-thi-thu-an.yaml",
        8,
        "spec.backupEmail",
    ),
    (
        "colon-splits-passwd-fields",
        "invalid-address",
        "vo-thi-thu-an.yaml",
        8,
        "spec.address",
    ),
    (
        "comment-in-local-part",
        "invalid-address",
        "vo-thi-thu-an.yaml",
        8,
        "spec.address",
    ),
    (
        "date-before-the-range",
        "invalid-date",
        "vo-thi-thu-an.yaml",
        8,
        "spec.endDate",
    ),
    (
        "date-beyond-the-range",
        "invalid-date",
        "vo-thi-thu-an.yaml",
        8,
        "spec.startDate",
    ),
    (
        "domain-with-newline",
        "control-character",
        "organization.yaml",
        10,
        "spec.domains[1].name",
    ),
    (
        "double-dot",
        "invalid-address",
        "vo-thi-thu-an.yaml",
        8,
        "spec.address",
    ),
    (
        "escape-in-full-name",
        "control-character",
        "vo-thi-thu-an.yaml",
        6,
        "spec.fullName",
    ),
    (
        "extension-with-slash",
        "invalid-extension",
        "vo-thi-thu-an.yaml",
        8,
        "spec.extension",
    ),
    (
        "former-address-quoted",
        "invalid-address",
        "vo-thi-thu-an.yaml",
        9,
        "spec.formerAddresses[0]",
    ),
    (
        "grace-days-i32-overflow",
        "invalid-field",
        "organization.yaml",
        20,
        "spec.safety.graceDays",
    ),
    (
        "grace-days-overflow",
        "out-of-range",
        "organization.yaml",
        20,
        "spec.safety.graceDays",
    ),
    (
        "hash-makes-a-comment-line",
        "invalid-address",
        "vo-thi-thu-an.yaml",
        8,
        "spec.address",
    ),
    (
        "ip-literal-domain",
        "invalid-address",
        "vo-thi-thu-an.yaml",
        8,
        "spec.address",
    ),
    (
        "leading-dash-is-an-option",
        "invalid-address",
        "vo-thi-thu-an.yaml",
        8,
        "spec.address",
    ),
    (
        "leading-dot",
        "invalid-address",
        "vo-thi-thu-an.yaml",
        8,
        "spec.address",
    ),
    (
        "local-part-of-65",
        "invalid-address",
        "vo-thi-thu-an.yaml",
        8,
        "spec.address",
    ),
    (
        "max-deletion-percent-over-100",
        "out-of-range",
        "organization.yaml",
        20,
        "spec.safety.maxDeletionPercent",
    ),
    (
        "max-deletions-negative",
        "out-of-range",
        "organization.yaml",
        20,
        "spec.safety.maxDeletions",
    ),
    (
        "name-dot-dot",
        "invalid-name",
        "vo-thi-thu-an.yaml",
        4,
        "metadata.name",
    ),
    (
        "name-with-slash",
        "invalid-name",
        "vo-thi-thu-an.yaml",
        4,
        "metadata.name",
    ),
    (
        "newline-in-alias",
        "control-character",
        "vo-thi-thu-an.yaml",
        9,
        "spec.aliases[0]",
    ),
    (
        "non-ascii-local-part",
        "invalid-address",
        "vo-thi-thu-an.yaml",
        8,
        "spec.address",
    ),
    (
        "nul-in-agency-mailbox-name",
        "control-character",
        "agency-mailbox.yaml",
        6,
        "spec.displayName",
    ),
    (
        "protected-address-quoted",
        "invalid-address",
        "organization.yaml",
        20,
        "spec.protectedAddresses[0]",
    ),
    (
        "quota-negative",
        "invalid-quota",
        "vo-thi-thu-an.yaml",
        8,
        "spec.quota",
    ),
    (
        "quota-overflow",
        "invalid-quota",
        "vo-thi-thu-an.yaml",
        8,
        "spec.quota",
    ),
    (
        "quoted-local-part-escapes-the-folder",
        "invalid-address",
        "vo-thi-thu-an.yaml",
        8,
        "spec.address",
    ),
    (
        "quoted-local-part-writes-a-passwd-line",
        "invalid-address",
        "vo-thi-thu-an.yaml",
        8,
        "spec.address",
    ),
    (
        "shared-mailbox-address-injection",
        "invalid-address",
        "agency-mailbox.yaml",
        8,
        "spec.address",
    ),
    (
        "slash-nests-a-mailbox",
        "invalid-address",
        "vo-thi-thu-an.yaml",
        8,
        "spec.address",
    ),
    (
        "space-splits-virtual-fields",
        "invalid-address",
        "vo-thi-thu-an.yaml",
        9,
        "spec.aliases[0]",
    ),
    (
        "tab-in-address",
        "control-character",
        "vo-thi-thu-an.yaml",
        8,
        "spec.address",
    ),
    (
        "terminal-escape-in-address",
        "control-character",
        "vo-thi-thu-an.yaml",
        8,
        "spec.address",
    ),
    (
        "title-starts-another-vcard",
        "control-character",
        "vo-thi-thu-an.yaml",
        8,
        "spec.title",
    ),
    (
        "trailing-dot",
        "invalid-address",
        "vo-thi-thu-an.yaml",
        8,
        "spec.address",
    ),
    (
        "two-at-signs",
        "invalid-address",
        "vo-thi-thu-an.yaml",
        8,
        "spec.address",
    ),
    (
        "underscore-in-domain",
        "invalid-address",
        "vo-thi-thu-an.yaml",
        8,
        "spec.address",
    ),
];

#[test]
fn every_hostile_folder_has_a_case() {
    let dir = common::root().join("tests/hostile");
    let mut folders: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    folders.sort();
    let mut cases: Vec<String> = CASES.iter().map(|c| c.0.to_string()).collect();
    cases.sort();
    assert_eq!(folders, cases);
    assert!(
        CASES.len() >= 34,
        "the four attacks of the report and at least 30 more"
    );
}

#[test]
fn validate_refuses_each_with_file_line_and_field() {
    for (case, code, file, line, field) in CASES {
        let dir = common::root().join("tests/hostile").join(case);
        let run = mailops(&["validate", dir.to_str().unwrap(), "--color", "never"]);
        assert_eq!(run.code, 1, "{case}: {}", run.stderr);
        let at = format!("{}:{line}:", dir.join(file).display());
        assert!(
            run.stderr.contains(&format!("error[{code}]"))
                && run.stderr.contains(&at)
                && run.stderr.contains(field),
            "{case}: expected error[{code}] at {at} ({field}) in\n{}",
            run.stderr
        );
        // Nothing from the manifest moves the cursor or retitles the terminal.
        assert!(
            !run.stderr
                .chars()
                .any(|c| c.is_control() && c != '\n' && c != '\t'),
            "{case}: a control character reached the terminal:\n{:?}",
            run.stderr
        );
        let json = mailops(&["validate", dir.to_str().unwrap(), "--output", "json"]);
        let v: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
        assert!(
            v["diagnostics"]
                .as_array()
                .unwrap()
                .iter()
                .any(|d| d["code"] == *code
                    && d["line"] == *line
                    && d["field"] == *field
                    && d["file"].as_str().unwrap().ends_with(file)),
            "{case}: {v:#}"
        );
    }
}

#[test]
fn apply_writes_nothing_to_the_server() {
    for (case, ..) in CASES {
        let dir = common::root().join("tests/hostile").join(case);
        let mail = tempfile::tempdir().unwrap();
        let server = format!("maildir:{}", mail.path().display());
        let run = mailops(&["apply", dir.to_str().unwrap(), "--server", &server]);
        assert_eq!(run.code, 1, "{case}: {}{}", run.stdout, run.stderr);
        for file in [
            "passwd",
            "virtual",
            "mailops-accounts.json",
            "mailops-credentials.txt",
            "mailops-state.json",
        ] {
            assert!(!mail.path().join(file).exists(), "{case}: {file} was written");
        }
        let made: Vec<_> = common::files_below(mail.path());
        assert!(made.is_empty(), "{case}: files were made: {made:?}");
        // And nothing outside it: the targets of the path attacks do not exist.
        assert!(!std::path::Path::new("/tmp/esc").exists() && !std::path::Path::new("/tmp/pw").exists());
    }
}

/// The HTML a CommonMark reader with GitHub's extensions makes of a Markdown document.
fn rendered(md: &str) -> String {
    let options = pulldown_cmark::Options::all() - pulldown_cmark::Options::ENABLE_SMART_PUNCTUATION;
    let parser = pulldown_cmark::Parser::new_ext(md, options);
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, parser);
    html
}

/// Markup in a name, a title and a unit's name is valid YAML and passes validation (a name may hold `*`,
/// `!`, `[`): in the pull-request comment, the directory and the usage report it stays text. Each output is
/// read by a CommonMark reader: no image, link, emphasis or HTML comes from the manifests.
#[test]
fn markup_from_manifests_stays_text_in_every_markdown_output() {
    let copy = common::example_copy::ExampleCopy::new(None);
    let evil_name = "Võ Thị Thu An **APPROVED by IT** ![x](https://evil.example/x.png)";
    let evil_title = "<img src=x onerror=alert(1)> [Bấm vào đây](https://evil.example)";
    copy.edit(
        "staff/ban-dan-toc/vo-thi-thu-an.yaml",
        "fullName: Võ Thị Thu An",
        &format!("fullName: \"{evil_name}\"\n  address: anvtt@bdt.binhthuan.gov.vn\n  reason: kept"),
    );
    copy.edit(
        "staff/ban-dan-toc/vo-thi-thu-an.yaml",
        "title: Phụ trách CNTT",
        &format!("title: \"{evil_title}\""),
    );
    copy.edit(
        "organization.yaml",
        "name: Ban Dân tộc\n",
        "name: \"Ban Dân tộc <b>_x_</b>\"\n",
    );
    let repo = copy.repo.path().display().to_string();
    let v = mailops(&["validate", &repo]);
    assert_eq!(v.code, 0, "{}{}", v.stdout, v.stderr);
    let mail = tempfile::tempdir().unwrap();
    let server = format!("maildir:{}", mail.path().join("m").display());
    let plan = mailops(&[
        "plan",
        &repo,
        "--server",
        &server,
        "--output",
        "markdown",
        "--date",
        "2026-12-01",
    ]);
    assert_eq!(plan.code, 2, "{}", plan.stderr);
    assert!(plan.stdout.contains("APPROVED by IT"), "{}", plan.stdout);
    let directory = mailops(&["directory", &repo, "--format", "markdown", "--on", "2026-12-01"]);
    assert_eq!(directory.code, 0, "{}", directory.stderr);
    for (what, md) in [("plan", &plan.stdout), ("directory", &directory.stdout)] {
        let html = rendered(md);
        for made in ["<img", "<a ", "<strong>APPROVED", "<em>x</em>", "<b>_x_"] {
            assert!(!html.contains(made), "{what}: `{made}` in\n{html}");
        }
        assert!(
            html.contains("**APPROVED by IT**"),
            "{what}: the name as written\n{html}"
        );
    }
}
