//! The bad-input corpus: every folder under `tests/bad/` is a broken staff repository with one mistake.
//! Each is run through the real binary, which must exit 1 and name the file, line and field of the mistake,
//! in the text report (stderr) and in the JSON report alike.

mod common;

use std::path::Path;

use common::{Run, corpus_dir, mailops};

/// (case, error code, file, line, field). `None` line/field: a problem with the whole file (it is refused
/// before it is parsed), reported with the file alone.
type Case = (
    &'static str,
    &'static str,
    &'static str,
    Option<u32>,
    Option<&'static str>,
);

const CASES: &[Case] = &[
    (
        "derived-address-is-a-former-address",
        "former-address-kept",
        "vo-thi-thu-an.yaml",
        Some(6),
        Some("spec.fullName"),
    ),
    (
        "bidi-override-in-name",
        "format-character",
        "vo-thi-thu-an.yaml",
        Some(7),
        Some("spec.fullName"),
    ),
    (
        "zero-width-in-title",
        "format-character",
        "vo-thi-thu-an.yaml",
        Some(8),
        Some("spec.title"),
    ),
    (
        "address-collision",
        "address-collision",
        "vu-thi-thu-an.yaml",
        Some(6),
        Some("spec.fullName"),
    ),
    (
        "address-in-foreign-domain",
        "unknown-domain",
        "vo-thi-thu-an.yaml",
        Some(8),
        Some("spec.address"),
    ),
    (
        "address-without-reason",
        "address-convention",
        "vo-thi-thu-an.yaml",
        Some(8),
        Some("spec.address"),
    ),
    (
        "agency-mailbox-owner-unknown",
        "unknown-mailbox",
        "agency-mailbox.yaml",
        Some(8),
        Some("spec.owner"),
    ),
    (
        "agency-mailbox-without-owner",
        "missing-owner",
        "agency-mailbox.yaml",
        Some(6),
        Some("spec.owner"),
    ),
    (
        "alias-bomb",
        "alias-bomb",
        "bomb.yaml",
        Some(13),
        Some("spec.labels.l4[7]"),
    ),
    (
        "alias-is-another-persons-address",
        "alias-conflict",
        "mai-sen.yaml",
        Some(9),
        Some("spec.aliases[0]"),
    ),
    (
        "alias-shared-by-two-people",
        "duplicate-alias",
        "mai-sen.yaml",
        Some(8),
        Some("spec.aliases[0]"),
    ),
    (
        "backup-email-syntax",
        "invalid-email",
        "vo-thi-thu-an.yaml",
        Some(8),
        Some("spec.backupEmail"),
    ),
    (
        "collision-in-decomposed-unicode",
        "address-collision",
        "vo-thi-thu-an-2.yaml",
        Some(6),
        Some("spec.fullName"),
    ),
    (
        "complex-key",
        "complex-key",
        "vo-thi-thu-an.yaml",
        Some(8),
        Some("spec"),
    ),
    (
        "holiday-does-not-exist",
        "invalid-date",
        "organization.yaml",
        Some(20),
        Some("spec.calendar.holidays[1]"),
    ),
    (
        "working-weekend-on-a-weekday",
        "not-a-weekend-day",
        "organization.yaml",
        Some(22),
        Some("spec.calendar.workingWeekends[0]"),
    ),
    (
        "utc-offset-invalid",
        "invalid-utc-offset",
        "organization.yaml",
        Some(20),
        Some("spec.calendar.utcOffset"),
    ),
    (
        "attachment-rule-not-plain",
        "invalid-rule-reference",
        "organization.yaml",
        Some(21),
        Some("spec.attachments.rule"),
    ),
    (
        "date-does-not-exist",
        "invalid-date",
        "vo-thi-thu-an.yaml",
        Some(8),
        Some("spec.startDate"),
    ),
    (
        "document-is-a-list",
        "not-a-resource",
        "staff.yaml",
        Some(1),
        Some("."),
    ),
    (
        "duplicate-key",
        "duplicate-key",
        "vo-thi-thu-an.yaml",
        Some(8),
        Some("spec.unit"),
    ),
    (
        "duplicate-resource",
        "duplicate-resource",
        "vo-thi-thu-an.yaml",
        Some(4),
        Some("metadata.name"),
    ),
    (
        "end-before-start",
        "invalid-date",
        "vo-thi-thu-an.yaml",
        Some(9),
        Some("spec.endDate"),
    ),
    (
        "extension-is-agency-name",
        "invalid-extension",
        "vo-thi-thu-an.yaml",
        Some(8),
        Some("spec.extension"),
    ),
    (
        "extension-too-long",
        "invalid-extension",
        "vo-thi-thu-an.yaml",
        Some(8),
        Some("spec.extension"),
    ),
    (
        "extension-with-digit",
        "invalid-extension",
        "vo-thi-thu-an.yaml",
        Some(8),
        Some("spec.extension"),
    ),
    ("file-too-large", "file-too-large", "staff.yaml", None, None),
    (
        "given-name-not-in-full-name",
        "name-mismatch",
        "y-moan.yaml",
        Some(8),
        Some("spec.givenName"),
    ),
    (
        "invalid-name",
        "invalid-name",
        "vo-thi-thu-an.yaml",
        Some(4),
        Some("metadata.name"),
    ),
    (
        "missing-kind",
        "missing-kind",
        "vo-thi-thu-an.yaml",
        Some(1),
        Some("kind"),
    ),
    (
        "missing-required-field",
        "invalid-field",
        "vo-thi-thu-an.yaml",
        Some(5),
        Some("spec.unit"),
    ),
    (
        "multiple-organizations",
        "multiple-organizations",
        "second-organization.yaml",
        Some(2),
        Some("kind"),
    ),
    (
        "name-with-digit",
        "unfoldable-name",
        "nguyen-van-hai.yaml",
        Some(6),
        Some("spec.fullName"),
    ),
    (
        "naming-domain-not-in-domains",
        "unknown-domain",
        "organization.yaml",
        Some(18),
        Some("spec.naming.domain"),
    ),
    (
        "not-utf8",
        "not-utf8",
        "vo-thi-thu-an.yaml",
        Some(8),
        Some("spec.title"),
    ),
    (
        "quota-syntax",
        "invalid-quota",
        "vo-thi-thu-an.yaml",
        Some(8),
        Some("spec.quota"),
    ),
    (
        "quota-without-unit",
        "invalid-quota",
        "vo-thi-thu-an.yaml",
        Some(8),
        Some("spec.quota"),
    ),
    (
        "self-delegation",
        "self-delegation",
        "vo-thi-thu-an.yaml",
        Some(8),
        Some("spec.delegates[0]"),
    ),
    ("symlink-outside", "symlink-outside", "staff.yaml", None, None),
    (
        "tab-indentation",
        "yaml-syntax",
        "vo-thi-thu-an.yaml",
        Some(7),
        Some("spec.unit"),
    ),
    (
        "unknown-api-version",
        "unknown-api-version",
        "vo-thi-thu-an.yaml",
        Some(1),
        Some("apiVersion"),
    ),
    (
        "unknown-delegate",
        "unknown-mailbox",
        "vo-thi-thu-an.yaml",
        Some(9),
        Some("spec.delegates[0]"),
    ),
    (
        "unknown-field",
        "invalid-field",
        "vo-thi-thu-an.yaml",
        Some(8),
        Some("spec.nickname"),
    ),
    (
        "unknown-kind",
        "unknown-kind",
        "vo-thi-thu-an.yaml",
        Some(2),
        Some("kind"),
    ),
    (
        "unknown-kind-in-second-document",
        "unknown-kind",
        "staff.yaml",
        Some(10),
        Some("kind"),
    ),
    (
        "unknown-parent-unit",
        "unknown-unit",
        "organization.yaml",
        Some(16),
        Some("spec.units[1].parent"),
    ),
    (
        "unknown-unit",
        "unknown-unit",
        "vo-thi-thu-an.yaml",
        Some(7),
        Some("spec.unit"),
    ),
    (
        "wrong-type",
        "invalid-field",
        "vo-thi-thu-an.yaml",
        Some(8),
        Some("spec.order"),
    ),
    (
        "yaml-syntax",
        "yaml-syntax",
        "vo-thi-thu-an.yaml",
        Some(9),
        Some("spec.aliases"),
    ),
];

fn case_dir(name: &str) -> std::path::PathBuf {
    corpus_dir().join(name)
}

/// The repository is refused in text mode: exit 1, `error[code]` with `file:line:` and the field on stderr.
fn check_text(case: &str, code: &str, file: &str, line: Option<u32>, field: Option<&str>) {
    let dir = case_dir(case);
    let run: Run = mailops(&["validate", dir.to_str().unwrap(), "--color", "never"]);
    assert_eq!(run.code, 1, "{case}: exit code\nstderr:\n{}", run.stderr);
    assert!(
        !run.stdout.contains("is valid"),
        "{case}: stdout claims valid: {}",
        run.stdout
    );
    assert!(
        run.stderr.contains(&format!("error[{code}]")),
        "{case}: no error[{code}] in\n{}",
        run.stderr
    );
    let path = dir.join(file);
    let location = match line {
        Some(l) => format!("{}:{l}:", path.display()),
        None => path.display().to_string(),
    };
    assert!(
        run.stderr.contains(&location),
        "{case}: no {location} in\n{}",
        run.stderr
    );
    if let Some(f) = field {
        assert!(
            run.stderr.contains(&format!("field {f}")),
            "{case}: no `field {f}` in\n{}",
            run.stderr
        );
    }
}

/// The same mistake in the JSON report, with exact values.
fn check_json(case: &str, code: &str, file: &str, line: Option<u32>, field: Option<&str>) {
    let dir = case_dir(case);
    let run = mailops(&["validate", dir.to_str().unwrap(), "--output", "json"]);
    assert_eq!(run.code, 1, "{case}: exit code");
    let report: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON report");
    assert_eq!(report["valid"], false, "{case}");
    let found = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == code);
    let d = found.unwrap_or_else(|| panic!("{case}: no {code} in {report:#}"));
    assert_eq!(d["severity"], "error", "{case}");
    assert_eq!(Path::new(d["file"].as_str().unwrap()), dir.join(file), "{case}");
    assert_eq!(d["line"].as_u64(), line.map(u64::from), "{case}: line");
    assert_eq!(d["field"].as_str(), field, "{case}: field");
    assert!(!d["message"].as_str().unwrap().is_empty(), "{case}");
    assert!(
        !d["hint"].as_str().unwrap_or_default().is_empty(),
        "{case}: every diagnostic has a hint"
    );
    // Every problem inside a document names the resource (a list is not a resource).
    if line.is_some() && code != "not-a-resource" {
        assert!(
            d["resource"].as_str().is_some_and(|r| r.contains('/')),
            "{case}: resource named: {d}"
        );
    }
}

#[test]
fn every_broken_repository_is_refused_with_file_line_and_field() {
    for (case, code, file, line, field) in CASES {
        check_text(case, code, file, *line, *field);
        check_json(case, code, file, *line, *field);
    }
}

#[test]
fn the_corpus_has_an_expectation_for_every_case_and_at_least_thirty_cases() {
    let mut on_disk: Vec<String> = std::fs::read_dir(corpus_dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    on_disk.sort();
    let mut listed: Vec<String> = CASES.iter().map(|c| c.0.to_string()).collect();
    listed.sort();
    assert_eq!(on_disk, listed, "tests/bad/ and CASES must name the same cases");
    assert!(CASES.len() >= 30);
    let with_line_and_field = CASES.iter().filter(|c| c.3.is_some() && c.4.is_some()).count();
    assert!(with_line_and_field >= 30, "{with_line_and_field}");
}

#[test]
fn a_bad_repository_produces_no_directory() {
    let dir = case_dir("unknown-unit");
    let run = mailops(&["directory", dir.to_str().unwrap(), "--format", "csv"]);
    assert_eq!(run.code, 1);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    assert!(run.stderr.contains("no directory was written"), "{}", run.stderr);
}

/// The text report shows the line of each mistake, also for those found once every file was read and for
/// those whose other side is in another file.
#[test]
fn every_mistake_is_shown_with_its_source_line() {
    for (case, _, file, line, _) in CASES {
        let Some(line) = line else { continue };
        let dir = case_dir(case);
        let Ok(text) = std::fs::read_to_string(dir.join(file)) else {
            continue; // not UTF-8: shown as decoded, checked by its own case
        };
        // Shown as read: in NFC.
        let text: String = unicode_normalization::UnicodeNormalization::nfc(text.as_str()).collect();
        let source = text.lines().nth(*line as usize - 1).unwrap().trim_end();
        let run = mailops(&["validate", dir.to_str().unwrap(), "--color", "never"]);
        let shown = format!("{line} │ {source}");
        assert!(
            run.stderr.contains(shown.trim_end()),
            "{case}: no `{shown}` in\n{}",
            run.stderr
        );
    }
}
