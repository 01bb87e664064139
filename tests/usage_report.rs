//! `mailops report usage` against a real Dovecot with the last_login plugin (rule III.4): the example is
//! applied to the maildir backend, some people log in over IMAP, one gets mail delivered over LMTP (which is
//! not a login), and the report flags exactly the others, in every format.

mod common;

use std::path::Path;

use common::dovecot::{id, imap_login, lmtp_deliver, start_dovecot_with};
use common::{EXAMPLE, mailops};

fn passwords(root: &Path) -> std::collections::BTreeMap<String, String> {
    std::fs::read_to_string(root.join("mailops-credentials.txt"))
        .unwrap()
        .lines()
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            (f[0].to_string(), f[1].to_string())
        })
        .collect()
}

#[test]
fn the_report_flags_exactly_who_did_not_log_in() {
    let (uid, gid) = (id("-u", "vmail"), id("-g", "vmail"));
    let work = tempfile::tempdir().unwrap();
    let root = work.path().join("mail-root");
    std::fs::create_dir_all(&root).unwrap();
    std::os::unix::fs::chown(&root, Some(uid), Some(gid)).unwrap();
    for p in [work.path(), root.as_path()] {
        std::fs::set_permissions(p, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    }
    let server = format!("maildir:{}", root.display());
    let run = mailops(&["apply", EXAMPLE, "--server", &server]);
    assert_eq!(run.code, 0, "{}", run.stderr);

    // Before the plugin is set up, the report says the data is not available, in every column that needs it.
    let run = mailops(&[
        "report", "usage", EXAMPLE, "--server", &server, "--format", "json",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json["loginData"]["available"], false);
    let md = mailops(&["report", "usage", EXAMPLE, "--server", &server, "--lang", "en"]);
    assert!(
        md.stdout
            .contains("Login data: not available — Dovecot's last_login plugin is not set up"),
        "{}",
        md.stdout
    );
    assert!(
        md.stdout
            .contains("| senm@bdt.binhthuan.gov.vn | Mai Sên | Trưởng Ban | not available |  |"),
        "{}",
        md.stdout
    );

    // The plugin's folder, writable by the mail user (README, "Usage report").
    let logins = root.join("logins");
    std::fs::create_dir_all(&logins).unwrap();
    std::os::unix::fs::chown(&logins, Some(uid), Some(gid)).unwrap();
    let dict = logins.join("last-login.dict");
    let dovecot = start_dovecot_with(work.path(), &root.join("passwd"), uid, Some(&dict));
    let passwords = passwords(&root);
    let logged_in = [
        "anvtt@bdt.binhthuan.gov.vn",
        "senm@bdt.binhthuan.gov.vn",
        "trangnhq@bdt.binhthuan.gov.vn",
        "bdt@binhthuan.gov.vn",
    ];
    for user in logged_in {
        let (reply, _) = imap_login(dovecot.port, user, &passwords[user]);
        assert!(reply.starts_with("a1 OK"), "{user}: {reply}");
    }
    // A delivery is not a login.
    lmtp_deliver(
        dovecot.lmtp_port.unwrap(),
        "hoabtq@bdt.binhthuan.gov.vn",
        "Lich hop",
    );
    let delivered = common::files_below(&root.join("mail/bdt.binhthuan.gov.vn/hoabtq/Maildir/new"));
    assert_eq!(delivered.len(), 1, "the message was delivered");
    // A wrong password is not a login either.
    let (reply, _) = imap_login(dovecot.port, "phuctn@bdt.binhthuan.gov.vn", "wrong");
    assert!(!reply.starts_with("a1 OK"));

    let passwd = std::fs::read(root.join("passwd")).unwrap();
    let run = mailops(&[
        "report", "usage", EXAMPLE, "--server", &server, "--format", "json",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json["version"], 1);
    assert_eq!(json["loginData"]["available"], true, "{json}");
    assert!(
        json["loginData"]["source"]["en"]
            .as_str()
            .unwrap()
            .starts_with("Dovecot's last_login plugin")
    );
    let mut flagged = 0;
    for unit in json["units"].as_array().unwrap() {
        for p in unit["people"].as_array().unwrap() {
            let address = p["address"].as_str().unwrap();
            let flags = p["flags"].as_array().unwrap();
            if logged_in.contains(&address) {
                assert!(flags.is_empty(), "{p}");
                assert!(
                    p["lastLogin"].as_str().unwrap().ends_with("+07:00"),
                    "{p}: the agency's time"
                );
            } else {
                assert_eq!(flags, &[serde_json::json!("never")], "{p}");
                flagged += 1;
            }
        }
    }
    assert_eq!(flagged, 24 - 3);
    assert_eq!(json["total"]["checked"], 3);
    assert_eq!(json["total"]["never"], 21);
    let units: Vec<(&str, u64)> = json["units"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            (
                u["id"].as_str().unwrap(),
                u["summary"]["checked"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(units, [("ban-dan-toc", 2), ("trung-tam-dvmn", 1)]);
    assert_eq!(json["agencyMailboxes"][0]["checkedToday"], true, "{json}");

    // The same in Vietnamese Markdown, CSV, and the printable HTML page with its chart.
    let md = mailops(&["report", "usage", EXAMPLE, "--server", &server]);
    assert!(
        md.stdout
            .contains("# Báo cáo tình hình sử dụng thư điện tử — Ban Dân tộc tỉnh Bình Thuận")
    );
    assert!(
        md.stdout
            .contains("| Ban Dân tộc | 17 | 17 | 2 | 12 % | 15 | 0 | 0 | 0 |"),
        "{}",
        md.stdout
    );
    assert!(md.stdout.contains("| hoabtq@bdt.binhthuan.gov.vn | Bùi Thị Quỳnh Hoa | Tổng hợp - Văn thư | chưa đăng nhập | Chưa từng đăng nhập |"));
    let csv = mailops(&["report", "usage", EXAMPLE, "--server", &server, "--format", "csv"]);
    assert_eq!(csv.stdout.lines().count(), 1 + 24);
    let html = mailops(&[
        "report", "usage", EXAMPLE, "--server", &server, "--format", "html",
    ]);
    assert!(html.stdout.contains("<svg") && html.stdout.contains("@page { size: A4;"));
    assert!(!html.stdout.to_lowercase().contains("<script"));
    let page = scraper::Html::parse_document(&html.stdout);
    let bars = scraper::Selector::parse("svg rect[fill='#eef1f5']").unwrap();
    assert_eq!(
        page.select(&bars).count(),
        3,
        "a bar per unit and one for everyone"
    );
    // Dovecot recorded every login without an error; the reports changed nothing on the server.
    assert_eq!(dovecot_log_errors(&dovecot.log), 0);
    assert_eq!(std::fs::read(root.join("passwd")).unwrap(), passwd);
}

fn dovecot_log_errors(log: &Path) -> usize {
    std::fs::read_to_string(log)
        .unwrap_or_default()
        .matches("Error:")
        .count()
}
