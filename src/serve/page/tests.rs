use chrono::{NaiveDate, TimeZone, Utc};

use super::*;
use crate::plan::Summary;

fn at(h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 2, h, 5, 0).single().unwrap()
}

fn status() -> Status {
    Status {
        source: "git://127.0.0.1/agency".into(),
        reference: Some("main".into()),
        server: "maildir:/srv/mail".into(),
        drift_mode: "report".into(),
        revision: Some("0123abc".into()),
        applied_at: Some(at(9)),
        fetched_revision: Some("4567def".into()),
        last_reconcile_at: Some(at(10)),
        last_result: Some("failure".into()),
        last_plan: Some(PlanStatus {
            revision: Some("0123abc".into()),
            at: at(9),
            summary: Summary {
                create: 2,
                suspend: 1,
                ..Summary::default()
            },
            applied: 3,
            blocked: 0,
            failed: 0,
            held_back: 1,
        }),
        last_error: Some(ErrorStatus {
            kind: "invalid".into(),
            message: "one line".into(),
            at: at(10),
            revision: Some("4567def".into()),
            details: vec!["staff/a.yaml:4:3: <script>alert(1)</script> (Mailbox a, spec.unit)".into()],
            diagnostics: Vec::new(),
        }),
        consecutive_failures: 2,
        drift: vec![DriftStatus {
            address: "an.nguyen@dantoc.gov.vn".into(),
            fields: vec!["quota".into(), "missing".into()],
            handling: "reported".into(),
        }],
        pending_removals: vec![PendingRemoval {
            address: "binh.le@dantoc.gov.vn".into(),
            delete_after: NaiveDate::from_ymd_opt(2027, 1, 15).unwrap(),
        }],
        ..Status::default()
    }
}

#[test]
fn the_page_shows_what_is_in_force_and_escapes_what_came_from_outside() {
    let html = render(&status(), Lang::Vi, at(11));
    for want in [
        "<html lang=\"vi\">",
        "http-equiv=\"refresh\"",
        "Phiên bản đang áp dụng",
        "<code>0123abc</code>",
        "09:05:00 UTC, 02/12/2026",
        "<code>4567def</code> — <span class=\"warn\">chưa được áp dụng</span>",
        "Kế hoạch: tạo mới 2, đổi tên 0, cập nhật 0, tạm khóa 1, xóa 0, bị chặn 0",
        "tài khoản không còn trên máy chủ",
        "15/01/2027",
        "Tệp khai báo không hợp lệ",
        "staff/a.yaml:4:3: &lt;script&gt;alert(1)&lt;/script&gt;",
        "<a href=\"?lang=en\"",
    ] {
        assert!(html.contains(want), "{want} is not on the page:\n{html}");
    }
    assert!(!html.contains("<script"), "{html}");
    assert!(
        !html.contains("status-"),
        "a message id shows instead of its text:\n{html}"
    );
    let en = render(&status(), Lang::En, at(11));
    assert!(
        en.contains("Revision in force") && en.contains("2027-01-15"),
        "{en}"
    );
    assert!(!en.contains("status-"), "{en}");
}

#[test]
fn the_operator_shows_each_namespace() {
    let mut s = Status {
        source: "kubernetes".into(),
        server: "MailServer resources".into(),
        drift_mode: "heal".into(),
        ..Status::default()
    };
    let empty = render(&s, Lang::En, at(11));
    assert!(empty.contains("No namespace has been reconciled yet."), "{empty}");
    s.namespaces.insert(
        "dan-toc".into(),
        NamespaceStatus {
            revision: Some("k8s:dan-toc@42".into()),
            applied_at: Some(at(8)),
            last_result: Some("success".into()),
            last_reconcile_at: Some(at(8)),
            ..NamespaceStatus::default()
        },
    );
    s.namespaces.insert(
        "tai-chinh".into(),
        NamespaceStatus {
            last_result: Some("failure".into()),
            last_error: Some(ErrorStatus {
                kind: "config".into(),
                message: "2 Organizations in namespace tai-chinh".into(),
                at: at(9),
                revision: Some("namespace/tai-chinh".into()),
                details: Vec::new(),
                diagnostics: Vec::new(),
            }),
            ..NamespaceStatus::default()
        },
    );
    let html = render(&s, Lang::Vi, at(11));
    for want in [
        "Không gian tên dan-toc",
        "<code>k8s:dan-toc@42</code>",
        "Không gian tên tai-chinh",
        "2 Organizations in namespace tai-chinh",
        "Cấu hình không hợp lệ",
    ] {
        assert!(html.contains(want), "{want}:\n{html}");
    }
    // The operator heals on every reconcile: no drift table is offered for a namespace.
    assert!(!html.contains("thay đổi thủ công trên máy chủ</h3>"), "{html}");
}

#[test]
fn the_language_comes_from_the_query_then_the_command_line_then_the_browser() {
    assert_eq!(choose(Some("vi"), None, Some("en-US,en;q=0.9")), Lang::Vi);
    assert_eq!(choose(Some("en"), Some(Lang::Vi), Some("vi")), Lang::En);
    assert_eq!(choose(None, Some(Lang::Vi), Some("en-US,en;q=0.9")), Lang::Vi);
    assert_eq!(
        choose(Some("fr"), None, Some("fr-FR, vi;q=0.8, en;q=0.5")),
        Lang::Vi
    );
    assert_eq!(choose(None, None, Some("en-GB,en;q=0.9,vi;q=0.8")), Lang::En);
    assert_eq!(choose(None, None, Some("vi-VN")), Lang::Vi);
    assert_eq!(choose(None, None, None), crate::i18n::current());
}
