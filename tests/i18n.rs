//! The messages exist in both languages: the same ids, the same variables, and every id the code uses is
//! in both Fluent files. And `--lang` / `LANG` choose the language while JSON stays the same.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use fluent_syntax::ast;

/// Message id → the variables its value and attributes use.
fn messages(source: &str) -> BTreeMap<String, BTreeSet<String>> {
    let resource = fluent_syntax::parser::parse(source).unwrap_or_else(|(_, errors)| panic!("{errors:?}"));
    let mut out = BTreeMap::new();
    for entry in resource.body {
        if let ast::Entry::Message(m) = entry {
            let mut vars = BTreeSet::new();
            if let Some(p) = &m.value {
                pattern_vars(p, &mut vars);
            }
            for a in &m.attributes {
                pattern_vars(&a.value, &mut vars);
            }
            out.insert(m.id.name.to_string(), vars);
        }
    }
    out
}

fn pattern_vars(p: &ast::Pattern<&str>, vars: &mut BTreeSet<String>) {
    for e in &p.elements {
        if let ast::PatternElement::Placeable { expression } = e {
            expression_vars(expression, vars);
        }
    }
}

fn expression_vars(e: &ast::Expression<&str>, vars: &mut BTreeSet<String>) {
    match e {
        ast::Expression::Select { selector, variants } => {
            inline_vars(selector, vars);
            for v in variants {
                pattern_vars(&v.value, vars);
            }
        }
        ast::Expression::Inline(i) => inline_vars(i, vars),
    }
}

fn inline_vars(i: &ast::InlineExpression<&str>, vars: &mut BTreeSet<String>) {
    match i {
        ast::InlineExpression::VariableReference { id } => {
            vars.insert(id.name.to_string());
        }
        ast::InlineExpression::Placeable { expression } => expression_vars(expression, vars),
        _ => {}
    }
}

fn sources() -> Vec<(mailops::i18n::Lang, BTreeMap<String, BTreeSet<String>>)> {
    mailops::i18n::SOURCES
        .iter()
        .map(|(lang, source)| (*lang, messages(source)))
        .collect()
}

#[test]
fn every_message_exists_in_both_languages_with_the_same_variables() {
    let all = sources();
    let (vi, en) = (&all[0].1, &all[1].1);
    assert!(!vi.is_empty() && !en.is_empty());
    let only = |a: &BTreeMap<String, BTreeSet<String>>, b: &BTreeMap<String, BTreeSet<String>>| {
        a.keys()
            .filter(|k| !b.contains_key(*k))
            .cloned()
            .collect::<Vec<_>>()
    };
    assert_eq!(only(vi, en), Vec::<String>::new(), "only in vi.ftl");
    assert_eq!(only(en, vi), Vec::<String>::new(), "only in en.ftl");
    for (id, vars) in vi {
        assert_eq!(
            Some(vars),
            en.get(id),
            "{id}: the two languages use different variables"
        );
    }
}

/// Fails unless `text` holds every one of `expected`.
fn shows(text: &str, expected: &[&str]) {
    for e in expected {
        assert!(text.contains(e), "{e:?} not in\n{text}");
    }
}

/// Every `t!("id"…)` and `tr…("id"…)` of the code names a message of both files.
#[test]
fn every_message_the_code_uses_is_translated() {
    let all = sources();
    let mut used = BTreeSet::new();
    for entry in walkdir::WalkDir::new(common::root().join("src")) {
        let entry = entry.unwrap();
        if entry.path().extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let text = std::fs::read_to_string(entry.path()).unwrap();
        for marker in [
            "t!(\"",
            "t!(in lang, \"",
            "msg!(\"",
            "t(lang, \"",
            "tr(\"",
            "tr_in(Lang::Vi, \"",
            "tr_in(Lang::En, \"",
        ] {
            for (i, _) in text.match_indices(marker) {
                // A whole name (`tr(`, not `from_str(`).
                let before = text[..i].chars().next_back();
                if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                    continue;
                }
                let rest = &text[i + marker.len()..];
                let id = &rest[..rest.find('"').unwrap()];
                // The examples of the i18n module's own documentation and tests.
                if !["no-such-message", "id"].contains(&id) {
                    used.insert((entry.path().display().to_string(), id.to_string()));
                }
            }
        }
    }
    assert!(used.len() >= 5, "the scan found the messages: {used:?}");
    for (file, id) in &used {
        for (lang, messages) in &all {
            assert!(messages.contains_key(id), "{file}: {id} is missing from {lang:?}");
        }
    }
}

/// `mailops apply` on a terminal (a pseudo-terminal made by util-linux's `script`), answering `answer`.
fn apply_on_a_terminal(mail: &std::path::Path, env_lang: &str, extra: &str, answer: &str) -> (i32, String) {
    use std::io::Write;
    let bin = env!("CARGO_BIN_EXE_mailops");
    let command = format!(
        "{bin} apply {} --server maildir:{} --date 2026-12-01 --color never {extra}",
        common::EXAMPLE,
        mail.display()
    );
    let mut child = std::process::Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .current_dir(common::root())
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", env_lang)
        .env("NO_COLOR", "1")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("util-linux's script");
    // Typed once the question is on the terminal (the pty buffers it until then).
    child.stdin.take().unwrap().write_all(answer.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn apply_asks_on_a_terminal_in_the_officers_language() {
    let dir = tempfile::tempdir().unwrap();
    let mail = dir.path().join("mail");
    // No: nothing applied, said in Vietnamese (LANG=vi_VN).
    let (code, screen) = apply_on_a_terminal(&mail, "vi_VN.UTF-8", "", "n\n");
    assert_eq!(code, 1, "{screen}");
    assert!(screen.contains("Thực hiện 27 thay đổi? [y/N]"), "{screen}");
    assert!(
        screen.contains("Đã hủy: không có thay đổi nào được thực hiện."),
        "{screen}"
    );
    assert!(!mail.join("passwd").exists(), "applied after a no");
    // English with --lang en, whatever LANG says; `có` is a yes too.
    let (code, screen) = apply_on_a_terminal(&mail, "vi_VN.UTF-8", "--lang en", "có\n");
    assert_eq!(code, 0, "{screen}");
    assert!(screen.contains("Apply 27 changes? [y/N]"), "{screen}");
    assert!(screen.contains("Apply: 27 applied"), "{screen}");
    assert!(mail.join("passwd").is_file());
    // Nothing to change: no question.
    let (code, screen) = apply_on_a_terminal(&mail, "en_US.UTF-8", "", "");
    assert_eq!(code, 0, "{screen}");
    assert!(!screen.contains("[y/N]"), "{screen}");
}

#[test]
fn yes_applies_on_a_terminal_without_asking() {
    let dir = tempfile::tempdir().unwrap();
    let mail = dir.path().join("mail");
    let (code, screen) = apply_on_a_terminal(&mail, "vi_VN.UTF-8", "--yes", "");
    assert_eq!(code, 0, "{screen}");
    assert!(!screen.contains("[y/N]"), "{screen}");
    assert!(mail.join("passwd").is_file());
}

/// The plan's JSON is the same whatever the language.
#[test]
fn json_does_not_depend_on_the_language() {
    let plan = |lang: &str| {
        let dir = tempfile::tempdir().unwrap();
        let server = format!("maildir:{}", dir.path().join("mail").display());
        let run = common::mailops(&[
            "plan",
            common::EXAMPLE,
            "--server",
            &server,
            "--date",
            "2026-12-01",
            "--output",
            "json",
            "--lang",
            lang,
        ]);
        assert_eq!(run.code, 2, "{}", run.stderr);
        (run.stdout.replace(&server, "SERVER"), run.stderr)
    };
    let (vi, vi_err) = plan("vi");
    let (en, en_err) = plan("en");
    assert_eq!(vi, en);
    assert!(vi_err.contains("lưu ý: thư mục"), "{vi_err}");
    assert!(en_err.contains("note: the folder"), "{en_err}");
}

/// A plan and an apply read in Vietnamese: the title, the summary, the Markdown table, the result.
#[test]
fn a_plan_and_its_apply_in_vietnamese() {
    let dir = tempfile::tempdir().unwrap();
    let server = format!("maildir:{}", dir.path().join("mail").display());
    let args = |extra: &[&'static str]| {
        let mut a = vec![
            "plan",
            common::EXAMPLE,
            "--server",
            server.as_str(),
            "--date",
            "2026-12-01",
        ];
        a.extend_from_slice(extra);
        a
    };
    let text = common::mailops(&args(&["--lang", "vi"]));
    assert_eq!(text.code, 2, "{}", text.stderr);
    shows(
        &text.stdout,
        &[
            "Kế hoạch mailops cho examples/bdt-binhthuan, tính đến ngày 01/12/2026",
            "Thay đổi quyền truy cập:",
            "Ban Dân tộc tỉnh Bình Thuận được cấp hộp thư mới bdt@binhthuan.gov.vn",
            "Mai Sên (senm@bdt.binhthuan.gov.vn) được cấp quyền chủ sở hữu vào bdt@binhthuan.gov.vn",
            "Kế hoạch: tạo mới 25, đổi tên 0, cập nhật 0, thay đổi quyền truy cập 2, tạm khóa 0, xóa 0, bị chặn 0",
        ],
    );
    let md = common::mailops(&args(&["--lang", "vi", "--output", "markdown"]));
    assert!(md.stdout.starts_with("### Kế hoạch mailops\n"), "{}", md.stdout);
    assert!(
        md.stdout
            .contains("| tạo mới | đổi tên | cập nhật | quyền truy cập | tạm khóa | xóa | bị chặn |"),
        "{}",
        md.stdout
    );
    // English stays as it was.
    let en = common::mailops(&args(&[]));
    assert!(
        en.stdout
            .contains("Plan: 25 to create, 0 to rename, 0 to update, 2 access changes"),
        "{}",
        en.stdout
    );
    let apply = common::mailops(&[
        "apply",
        common::EXAMPLE,
        "--server",
        &server,
        "--date",
        "2026-12-01",
        "--lang",
        "vi",
    ]);
    assert_eq!(apply.code, 0, "{}", apply.stderr);
    assert!(
        apply
            .stdout
            .contains("Kết quả: đã thực hiện 27, bị chặn 0, thất bại 0."),
        "{}",
        apply.stdout
    );
    assert!(
        apply.stdout.contains("mật khẩu mới đã được ghi vào"),
        "{}",
        apply.stdout
    );
    let again = common::mailops(&args(&["--lang", "vi"]));
    assert_eq!(again.code, 0);
    assert!(
        again
            .stdout
            .contains("Không có thay đổi. Máy chủ đã khớp với trạng thái mong muốn."),
        "{}",
        again.stdout
    );
}

/// The changes by unit, their reasons and the findings, read in Vietnamese: a departure (suspended, the day
/// of deletion as dd/mm/yyyy), then a whole unit removed at once (blocked by the deletion budget).
#[test]
fn the_changes_by_unit_in_vietnamese() {
    let dir = tempfile::tempdir().unwrap();
    let agency = dir.path().join("agency");
    common::copy_dir(&common::root().join(common::EXAMPLE), &agency);
    let folder = agency.display().to_string();
    let server = format!("maildir:{}", dir.path().join("mail").display());
    let run = |command: &str, extra: &[&str]| {
        let mut a = vec![
            command,
            folder.as_str(),
            "--server",
            server.as_str(),
            "--date",
            "2026-12-01",
        ];
        a.extend_from_slice(extra);
        common::mailops(&a)
    };
    assert_eq!(run("apply", &[]).code, 0);
    std::fs::remove_file(agency.join("staff/ban-dan-toc/k-rem.yaml")).unwrap();
    let text = run("plan", &["--lang", "vi"]);
    assert_eq!(text.code, 2, "{}", text.stderr);
    shows(
        &text.stdout,
        &[
            "remk@bdt.binhthuan.gov.vn [Mailbox/k-rem] tạm khóa (đã bị gỡ khỏi kho git); thư được giữ lại, xóa sau ngày 31/12/2026",
            "K'Rẻm bị tạm khóa đăng nhập vào remk@bdt.binhthuan.gov.vn (thư được giữ lại; xóa sau ngày 31/12/2026)",
        ],
    );
    let md = run("plan", &["--lang", "vi", "--output", "markdown"]);
    shows(
        &md.stdout,
        &[
            "| | địa chỉ | người dùng | thay đổi |",
            "| tạm khóa (đã bị gỡ khỏi kho git); thư được giữ lại, xóa sau ngày 31/12/2026 |",
        ],
    );
    assert_eq!(run("apply", &[]).code, 0);
    let after = run("plan", &["--lang", "vi"]);
    assert!(
        after
            .stdout
            .contains("remk@bdt.binhthuan.gov.vn đang bị tạm khóa; có thể bị xóa sau ngày 31/12/2026"),
        "{}",
        after.stdout
    );
    // A whole unit gone at once: more than the budget, every removal blocked.
    std::fs::remove_dir_all(agency.join("staff/trung-tam-dvmn")).unwrap();
    let blocked = run("plan", &["--lang", "vi"]);
    assert!(
        blocked
            .stdout
            .contains("BỊ CHẶN tạm khóa: vượt giới hạn xóa: kế hoạch yêu cầu gỡ bỏ"),
        "{}",
        blocked.stdout
    );
    let md = run("plan", &["--lang", "vi", "--output", "markdown"]);
    assert!(
        md.stdout.contains("thay đổi bị các quy tắc an toàn chặn lại"),
        "{}",
        md.stdout
    );
    assert!(
        !md.stdout.contains("BLOCKED") && !md.stdout.contains("**blocked**"),
        "{}",
        md.stdout
    );
}

/// `validate` read in Vietnamese: each diagnostic's message, its place and its hint, and the count; its JSON
/// report is the same in both languages (English messages, for scripts).
#[test]
fn validate_in_vietnamese() {
    let dir = tempfile::tempdir().unwrap();
    let agency = dir.path().join("agency");
    common::copy_dir(&common::root().join(common::EXAMPLE), &agency);
    std::fs::write(
        agency.join("staff/ban-dan-toc/nguyen-van-moi.yaml"),
        common::new_hire("nguyen-van-moi", "Nguyễn Văn Mới", "ban-dan-tok"),
    )
    .unwrap();
    let folder = agency.display().to_string();
    let vi = common::mailops(&["validate", &folder, "--lang", "vi"]);
    assert_eq!(vi.code, 1, "{}", vi.stderr);
    shows(
        &vi.stderr,
        &[
            "error[unknown-unit]: đơn vị `ban-dan-tok` chưa được khai báo trong Organization",
            "= trong Mailbox/nguyen-van-moi, trường spec.unit",
            "= gợi ý: có phải ý bạn là `ban-dan-toc`?",
            "là chính địa chỉ của hộp thư này nên không dùng làm địa chỉ dự phòng được",
            "1 lỗi, 24 cảnh báo",
        ],
    );
    let en = common::mailops(&["validate", &folder]);
    shows(
        &en.stderr,
        &[
            "error[unknown-unit]: unit `ban-dan-tok` is not defined in the Organization",
            "= in Mailbox/nguyen-van-moi, field spec.unit",
            "= hint: did you mean `ban-dan-toc`?",
            "1 error, 24 warnings",
        ],
    );
    let json =
        |lang: &str| common::mailops(&["validate", &folder, "--output", "json", "--lang", lang]).stdout;
    let (vi_json, en_json) = (json("vi"), json("en"));
    assert_eq!(vi_json, en_json);
    assert!(
        vi_json.contains("\"message\": \"unit `ban-dan-tok` is not defined in the Organization\""),
        "{vi_json}"
    );
    assert!(
        vi_json.contains("\"hint\": \"did you mean `ban-dan-toc`?\""),
        "{vi_json}"
    );
    // The Organization's own checks.
    let org = agency.join("organization.yaml");
    let text = std::fs::read_to_string(&org).unwrap();
    std::fs::write(&org, text.replace("shortName: bdt", "shortName: BDT")).unwrap();
    let vi = common::mailops(&["validate", &folder, "--lang", "vi"]);
    shows(
        &vi.stderr,
        &[
            "error[invalid-short-name]: tên viết tắt (shortName) `BDT` phải gồm chữ cái ASCII viết thường",
            "= gợi ý: tên viết tắt của cơ quan, ví dụ `bdt`",
        ],
    );
}

/// What the loader finds (an unknown field, a repeated key) and the error that ends a plan, in Vietnamese.
#[test]
fn reading_errors_and_the_end_of_a_refused_plan_in_vietnamese() {
    let dir = tempfile::tempdir().unwrap();
    let agency = dir.path().join("agency");
    common::copy_dir(&common::root().join(common::EXAMPLE), &agency);
    let hire = common::new_hire("nguyen-van-moi", "Nguyễn Văn Mới", "ban-dan-toc");
    std::fs::write(
        agency.join("staff/ban-dan-toc/nguyen-van-moi.yaml"),
        format!("{hire}  fulName: Nguyễn Văn Mới\n"),
    )
    .unwrap();
    std::fs::write(
        agency.join("staff/ban-dan-toc/le-thi-lap.yaml"),
        common::new_hire("le-thi-lap", "Lê Thị Lặp", "ban-dan-toc") + "  unit: ban-dan-toc\n",
    )
    .unwrap();
    let folder = agency.display().to_string();
    let server = format!("maildir:{}", dir.path().join("mail").display());
    let plan = common::mailops(&["plan", &folder, "--server", &server, "--lang", "vi"]);
    assert_eq!(plan.code, 1, "{}", plan.stderr);
    shows(
        &plan.stderr,
        &[
            "error[invalid-field]: trường không xác định `fulName`",
            "= gợi ý: các trường có ở đây:",
            "error[duplicate-key]: khóa `unit` bị lặp",
            "khai báo lần đầu ở đây",
            "lỗi: ",
            "không hợp lệ; chưa lập kế hoạch nào",
            "gợi ý: sửa các lỗi ở trên (mailops validate cũng liệt kê chúng)",
        ],
    );
    assert!(
        !dir.path().join("mail").exists(),
        "a refused plan wrote to the server"
    );
    let en = common::mailops(&["plan", &folder, "--server", &server]);
    shows(
        &en.stderr,
        &[
            "error[invalid-field]: unknown field `fulName`",
            "error[duplicate-key]: duplicate key `unit`",
            "is not valid; nothing was planned",
            "hint: fix the errors above (mailops validate shows them too)",
        ],
    );
}
