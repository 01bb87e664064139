//! Black-box tests of the command line: help, address, directory formats, JSON output, logging.

mod common;

use common::{EXAMPLE, mailops};

#[test]
fn every_subcommand_has_useful_help() {
    for (sub, expect) in [
        ("validate", "Exit status: 0 valid"),
        ("address", "first line of output is the address alone"),
        ("directory", "--format <FORMAT>"),
        ("schema", "yaml-language-server"),
    ] {
        let run = mailops(&[sub, "--help"]);
        assert_eq!(run.code, 0, "{sub}");
        assert!(run.stdout.contains("Usage: mailops"), "{sub}: {}", run.stdout);
        assert!(run.stdout.contains(expect), "{sub}: {}", run.stdout);
        assert!(run.stdout.contains("--log-format"), "{sub}: global options shown");
    }
    let top = mailops(&["--help"]);
    for sub in ["validate", "address", "directory", "schema"] {
        assert!(top.stdout.contains(sub), "{}", top.stdout);
    }
}

#[test]
fn address_prints_the_local_part_alone_without_a_domain() {
    let run = mailops(&["address", "Võ Thị Thu An"]);
    assert_eq!(run.code, 0);
    assert_eq!(run.stdout.lines().next(), Some("anvtt"));
    let run = mailops(&["address", "K'Rẻm", "--domain", "bdt.binhthuan.gov.vn"]);
    assert_eq!(run.stdout.lines().next(), Some("remk@bdt.binhthuan.gov.vn"));
}

#[test]
fn address_with_repo_reports_a_collision_and_free_extensions() {
    let run = mailops(&[
        "address",
        "Vũ Thị Thu An",
        "--repo",
        EXAMPLE,
        "--title",
        "Chánh Thanh tra",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines[0], "anvtt@bdt.binhthuan.gov.vn");
    assert!(
        run.stdout.contains("taken: the address of Mailbox/vo-thi-thu-an"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("vo-thi-thu-an.yaml"), "{}", run.stdout);
    assert!(
        run.stdout.contains("ctt (anvtt.ctt@bdt.binhthuan.gov.vn)"),
        "{}",
        run.stdout
    );

    let free = mailops(&["address", "Nguyễn Văn Bình", "--repo", EXAMPLE]);
    assert_eq!(free.stdout.lines().next(), Some("binhnv@bdt.binhthuan.gov.vn"));
    assert!(
        free.stdout
            .contains("free: no resource in the repository uses it"),
        "{}",
        free.stdout
    );
}

#[test]
fn address_json_for_scripts() {
    let run = mailops(&["address", "Vũ Thị Thu An", "--repo", EXAMPLE, "--output", "json"]);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["address"], "anvtt@bdt.binhthuan.gov.vn");
    assert_eq!(v["collides"], true);
    assert_eq!(v["takenBy"]["resource"], "Mailbox/vo-thi-thu-an");
    assert!(
        v["freeExtensions"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e.as_str().unwrap().len() <= 6)
    );
    // The agency's protected address is taken too.
    let run = mailops(&["address", "Postmaster", "--repo", EXAMPLE, "--output", "json"]);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["collides"], true, "{v}");
}

#[test]
fn address_refuses_a_name_without_an_ascii_form() {
    let run = mailops(&["address", "Nguyễn Văn 2"]);
    assert_eq!(run.code, 1);
    assert!(run.stdout.is_empty());
    assert!(
        run.stderr
            .contains("error: cannot derive an address from `Nguyễn Văn 2`"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("Caused by: `2`"), "{}", run.stderr);
}

#[test]
fn validate_json_report_is_versioned_and_complete() {
    let run = mailops(&["validate", EXAMPLE, "--output", "json"]);
    assert_eq!(run.code, 0);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["version"], 1);
    assert_eq!(v["valid"], true);
    assert_eq!(v["errors"], 0);
    assert_eq!(
        v["warnings"], 24,
        "the appendix gives each person's own address as backup e-mail"
    );
    assert!(
        v["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["code"] == "backup-is-own-address")
    );
}

#[test]
fn deny_warnings_turns_warnings_into_failure() {
    let run = mailops(&["validate", EXAMPLE, "--deny-warnings"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("error[warnings-denied]"), "{}", run.stderr);
}

#[test]
fn a_missing_folder_is_a_clear_error() {
    let run = mailops(&["validate", "no/such/folder"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("error[unreadable]"), "{}", run.stderr);
    assert!(run.stderr.contains("no/such/folder"), "{}", run.stderr);
}

#[test]
fn verbose_logs_go_to_stderr_as_text_or_json() {
    let run = mailops(&["-v", "validate", EXAMPLE]);
    assert!(
        run.stderr.contains("validated examples/bdt-binhthuan"),
        "{}",
        run.stderr
    );
    let run = mailops(&[
        "-v",
        "--log-format",
        "json",
        "validate",
        EXAMPLE,
        "--output",
        "json",
    ]);
    let log_line = run
        .stderr
        .lines()
        .find(|l| l.contains("validated"))
        .expect("a log line");
    let v: serde_json::Value = serde_json::from_str(log_line).expect("JSON log line");
    assert_eq!(v["level"], "INFO");
    assert_eq!(v["resources"], 26);
    // stdout stays a clean JSON report.
    serde_json::from_str::<serde_json::Value>(&run.stdout).unwrap();
}

#[test]
fn csv_directory_parses_back_with_one_row_per_person() {
    let run = mailops(&["directory", EXAMPLE, "--format", "csv", "--lang", "en"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let mut reader = csv::Reader::from_reader(run.stdout.as_bytes());
    assert_eq!(
        reader.headers().unwrap().iter().collect::<Vec<_>>(),
        vec!["Unit", "Account", "Full name", "Title", "Backup e-mail"]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 24);
    assert_eq!(&rows[0][1], "senm@bdt.binhthuan.gov.vn");
    assert_eq!(&rows[6][3], "Tổng hợp - Văn thư");
    assert_eq!(&rows[23][0], "Trung tâm Dịch vụ miền núi");
    let vi = mailops(&["directory", EXAMPLE, "--format", "csv"]);
    assert!(
        vi.stdout
            .starts_with("Đơn vị,Tài khoản người dùng,Họ và tên,Chức vụ,Email dự phòng\r\n")
    );
}

#[test]
fn vcard_directory_is_rfc6350_and_parses_back() {
    let run = mailops(&["directory", EXAMPLE, "--format", "vcard"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.lines().all(|l| l.len() <= 76),
        "lines are folded at 75 octets"
    );
    assert!(run.stdout.contains("\r\n"));
    let cards = vcard4::parse(&run.stdout).expect("valid vCard");
    assert_eq!(cards.len(), 25, "24 people and the agency mailbox");
    let an = cards
        .iter()
        .find(|c| c.formatted_name[0].value == "Võ Thị Thu An")
        .unwrap();
    assert_eq!(an.email[0].value, "anvtt@bdt.binhthuan.gov.vn");
    assert_eq!(an.title[0].value, "Phụ trách CNTT");
    let agency = &cards[0];
    assert_eq!(agency.email[0].value, "bdt@binhthuan.gov.vn");
}

#[test]
fn html_directory_is_one_table_grouped_by_unit() {
    let run = mailops(&["directory", EXAMPLE, "--format", "html", "--on", "2026-11-29"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc = scraper::Html::parse_document(&run.stdout);
    let sel = |s: &str| scraper::Selector::parse(s).unwrap();
    assert_eq!(doc.root_element().value().attr("lang"), Some("vi"));
    let headings: Vec<String> = doc
        .select(&sel("tr.unit th"))
        .map(|e| e.text().collect::<String>())
        .collect();
    assert_eq!(headings.len(), 2);
    assert!(headings[0].starts_with("BAN DÂN TỘC"), "{headings:?}");
    assert!(
        headings[1].starts_with("TRUNG TÂM DỊCH VỤ MN (Đơn vị trực thuộc)"),
        "{headings:?}"
    );
    let people: Vec<Vec<String>> = doc
        .select(&sel("tr.person"))
        .map(|r| {
            r.select(&sel("td"))
                .map(|c| c.text().collect::<String>())
                .collect()
        })
        .collect();
    assert_eq!(people.len(), 24);
    assert_eq!(
        people[2],
        vec![
            "remk@bdt.binhthuan.gov.vn",
            "K'Rẻm",
            "Phó Trưởng Ban",
            "remk@bdt.binhthuan.gov.vn"
        ]
    );
    assert!(run.stdout.contains("Cập nhật ngày 29/11/2026"));
    assert!(run.stdout.contains("@media print"));
    assert!(!run.stdout.contains("<script"), "a static page");
}

#[test]
fn directory_lists_only_people_on_staff_on_the_day() {
    let dir = tempfile::tempdir().unwrap();
    let src = common::root().join(EXAMPLE);
    common::copy_dir(&src, dir.path());
    let leaver = dir.path().join("staff/ban-dan-toc/mai-dac-hoa.yaml");
    let text = std::fs::read_to_string(&leaver).unwrap() + "  endDate: 2026-06-30\n";
    std::fs::write(&leaver, text).unwrap();
    let path = dir.path().to_str().unwrap();
    let before = mailops(&["directory", path, "--format", "csv", "--on", "2026-06-30"]);
    let after = mailops(&["directory", path, "--format", "csv", "--on", "2026-07-01"]);
    assert!(before.stdout.contains("hoamd@"));
    assert!(!after.stdout.contains("hoamd@"));
    assert_eq!(after.stdout.lines().count(), 24, "header and 23 people");
}

#[test]
fn directory_writes_a_file_on_request() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("danh-ba.html");
    let run = mailops(&[
        "directory",
        EXAMPLE,
        "--format",
        "html",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.is_empty());
    assert!(
        std::fs::read_to_string(out)
            .unwrap()
            .starts_with("<!DOCTYPE html>")
    );
}

#[test]
fn validate_text_report_snapshots() {
    for case in ["address-collision", "duplicate-key", "unknown-unit"] {
        let path = format!("tests/bad/{case}");
        let run = mailops(&["validate", &path]);
        insta::assert_snapshot!(format!("validate-{case}"), run.stderr);
    }
}

/// Numbers outside their documented range are refused before anything runs (no spin, no panic).
#[test]
fn numbers_out_of_range_are_refused_with_their_range() {
    for (args, said) in [
        (
            vec![
                "watch",
                EXAMPLE,
                "--server",
                "maildir:/nonexistent/x",
                "--interval",
                "0s",
            ],
            "1s to 24h",
        ),
        (
            vec![
                "watch",
                EXAMPLE,
                "--server",
                "maildir:/nonexistent/x",
                "--interval",
                "999999999999h",
            ],
            "out of range",
        ),
        (
            vec![
                "watch",
                EXAMPLE,
                "--server",
                "maildir:/nonexistent/x",
                "--max-backoff",
                "0s",
            ],
            "1s to 24h",
        ),
        (
            vec![
                "apply",
                EXAMPLE,
                "--server",
                "maildir:/nonexistent/x",
                "--concurrency",
                "0",
            ],
            "1 to 64",
        ),
        (
            vec![
                "apply",
                EXAMPLE,
                "--server",
                "maildir:/nonexistent/x",
                "--date",
                "9999-12-31",
            ],
            "out of range",
        ),
        (vec!["operator", "--requeue", "0s"], "1s to 24h"),
    ] {
        let run = mailops(&args);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains(said), "{args:?}: {}", run.stderr);
        assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    }
    assert!(!std::path::Path::new("/nonexistent/x").exists());
}

/// The README's capability matrix is the one `mailops capabilities` generates from the backends.
#[test]
fn the_readme_capability_matrix_is_generated() {
    let run = common::mailops(&["capabilities"]);
    assert_eq!(run.code, 0);
    let readme = std::fs::read_to_string(common::root().join("README.md")).unwrap();
    let start = readme
        .find("<!-- capabilities:start -->\n")
        .expect("start marker")
        + "<!-- capabilities:start -->\n".len();
    let end = readme.find("<!-- capabilities:end -->").expect("end marker");
    assert_eq!(
        &readme[start..end],
        run.stdout,
        "README.md's matrix is stale: paste the output of `cargo run -- capabilities` between the markers"
    );
    assert!(run.stdout.contains("| rename keeps the mail | yes | yes |"));
}

/// `plan` writes nothing anywhere: not the server's folder (a mistyped `maildir:` path is said so), not a
/// lock file in an existing one, not the state file's folder. `apply` then makes the folder.
#[test]
fn a_plan_makes_no_file_or_folder() {
    let dir = tempfile::tempdir().unwrap();
    let mail = dir.path().join("mial");
    let server = format!("maildir:{}", mail.display());
    let state = dir.path().join("state/mailops-state.json");
    let plan = |server: &str, state: &std::path::Path| {
        mailops(&[
            "plan",
            EXAMPLE,
            "--server",
            server,
            "--state",
            state.to_str().unwrap(),
            "--date",
            "2026-12-01",
        ])
    };
    let run = plan(&server, &state);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stdout.contains("25 to create"), "{}", run.stdout);
    assert!(
        run.stderr
            .contains(&format!("the folder {} does not exist", mail.display())),
        "{}",
        run.stderr
    );
    let names = || {
        let all = walkdir::WalkDir::new(dir.path()).min_depth(1).sort_by_file_name();
        let rel = |e: walkdir::DirEntry| e.path().strip_prefix(dir.path()).unwrap().display().to_string();
        all.into_iter().map(|e| rel(e.unwrap())).collect::<Vec<_>>()
    };
    assert_eq!(names(), Vec::<String>::new(), "a plan made files");
    // An existing, empty folder (the default state file beside it): still nothing written.
    std::fs::create_dir(&mail).unwrap();
    let run = mailops(&["plan", EXAMPLE, "--server", &server, "--date", "2026-12-01"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(!run.stderr.contains("does not exist"), "{}", run.stderr);
    assert_eq!(names(), vec!["mial".to_string()], "a plan made files");
    // apply makes the folder's files; the next plan finds nothing to do.
    std::fs::remove_dir(&mail).unwrap();
    let run = mailops(&["apply", EXAMPLE, "--server", &server, "--date", "2026-12-01"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(mail.join("passwd").is_file() && mail.join("mailops-state.json").is_file());
    let run = mailops(&["plan", EXAMPLE, "--server", &server, "--date", "2026-12-01"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
}
