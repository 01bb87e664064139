//! The example agency (examples/bdt-binhthuan) against the regulation's appendix.

mod common;

use common::{AppendixRow, EXAMPLE, appendix, mailops};

#[test]
fn the_example_is_valid() {
    let run = mailops(&["validate", EXAMPLE]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("is valid: 24 mailboxes, 1 agency mailbox"),
        "{}",
        run.stdout
    );
    assert!(run.stderr.contains("0 errors"), "{}", run.stderr);
}

#[test]
fn the_appendix_has_24_people_in_two_units() {
    let rows = appendix();
    let people = rows
        .iter()
        .filter(|r| matches!(r, AppendixRow::Person { .. }))
        .count();
    let units = rows.iter().filter(|r| matches!(r, AppendixRow::Unit(_))).count();
    assert_eq!((people, units), (24, 2));
}

#[test]
fn all_24_addresses_are_derived_exactly_as_in_the_appendix() {
    for row in appendix() {
        let AppendixRow::Person {
            account, full_name, ..
        } = row
        else {
            continue;
        };
        let run = mailops(&["address", &full_name, "--repo", EXAMPLE]);
        assert_eq!(run.code, 0, "{full_name}: {}", run.stderr);
        assert_eq!(run.stdout.lines().next(), Some(account.as_str()), "{full_name}");
    }
}

/// Parses the directory's Markdown table back into appendix rows.
fn markdown_rows(markdown: &str) -> Vec<AppendixRow> {
    let table: Vec<&str> = markdown.lines().filter(|l| l.starts_with('|')).skip(2).collect();
    table
        .iter()
        .map(|line| {
            let cells: Vec<String> = line
                .trim_matches('|')
                .split(" | ")
                .map(|c| c.trim().to_string())
                .collect();
            match cells[0].strip_prefix("**").and_then(|c| c.strip_suffix("**")) {
                Some(unit) => AppendixRow::Unit(unit.to_string()),
                None => AppendixRow::Person {
                    account: cells[0].clone(),
                    full_name: cells[1].clone(),
                    title: cells[2].clone(),
                    backup: cells[3].clone(),
                },
            }
        })
        .collect()
}

#[test]
fn the_markdown_directory_reproduces_the_appendix_table() {
    let run = mailops(&["directory", EXAMPLE, "--format", "markdown", "--on", "2012-04-11"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let header = run.stdout.lines().find(|l| l.starts_with('|')).unwrap();
    assert_eq!(
        header,
        "| Tài khoản người dùng | Họ và tên | Chức vụ | Email dự phòng |"
    );
    assert_eq!(markdown_rows(&run.stdout), appendix());
}

#[test]
fn english_headers_on_request() {
    let run = mailops(&["directory", EXAMPLE, "--format", "markdown", "--lang", "en"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout
            .contains("| Account | Full name | Title | Backup e-mail |"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("Agency mailbox: bdt@binhthuan.gov.vn"),
        "{}",
        run.stdout
    );
}
