//! Rule III.3 in force on real mail servers: the example's attachment policy rendered by `mailops render
//! attachments`, then messages sent over SMTP to a real Postfix with the table, and given to a real rspamd
//! with its files (over its HTTP API, and as Postfix's milter). Each message is refused or accepted exactly
//! as the policy says; rspamd also catches what a header check cannot see (an RFC 2047 name, a file inside a
//! .zip, a name split across RFC 2231 continuations). `apply --attachments-*` keeps the files in force, reloads Postfix after a change (again
//! after a kill -9 before the reload ran), and never replaces a hand-made file.

mod common;

use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

use common::mta::{Postfix, Rspamd};
use common::{EXAMPLE, copy_dir, mailops, root};

const FROM: &str = "anvtt@bdt.binhthuan.gov.vn";
const TO: &str = "bdt@binhthuan.gov.vn";

/// A message with a text part and one attachment part (headers as given, content base64).
fn message(part_headers: &str, content: &[u8]) -> Vec<u8> {
    use base64ct::Encoding;
    let body = base64ct::Base64::encode_string(content);
    format!(
        "From: {FROM}\r\nTo: {TO}\r\nSubject: Bao cao\r\nDate: Tue, 01 Dec 2026 09:00:00 +0700\r\n\
         Message-ID: <test@bdt.binhthuan.gov.vn>\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"ranh-gioi\"\r\n\r\n\
         --ranh-gioi\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nKinh gui anh chi.\r\n\
         --ranh-gioi\r\n{part_headers}\r\nContent-Transfer-Encoding: base64\r\n\r\n{body}\r\n--ranh-gioi--\r\n"
    )
    .into_bytes()
}

fn plain() -> Vec<u8> {
    format!(
        "From: {FROM}\r\nTo: {TO}\r\nSubject: Lich hop\r\nDate: Tue, 01 Dec 2026 09:00:00 +0700\r\n\
         Message-ID: <plain@bdt.binhthuan.gov.vn>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHop luc 8 gio.\r\n"
    )
    .into_bytes()
}

fn zip_of(name: &str, content: &[u8]) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    let mut zip = zip::ZipWriter::new(&mut out);
    zip.start_file(name, zip::write::SimpleFileOptions::default())
        .unwrap();
    zip.write_all(content).unwrap();
    zip.finish().unwrap();
    out.into_inner()
}

const EXE: &[u8] = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00";
const PDF: &[u8] = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n";

/// One case: a name, the message, and whether Postfix's header checks and rspamd refuse it.
struct Case {
    name: &'static str,
    message: Vec<u8>,
    postfix_rejects: bool,
    rspamd_rejects: bool,
}

fn cases() -> Vec<Case> {
    let attachment =
        |ct: &str, disposition: &str| format!("Content-Type: {ct}\r\nContent-Disposition: {disposition}");
    let rfc2047 = {
        use base64ct::Encoding;
        format!(
            "=?UTF-8?B?{}?=",
            base64ct::Base64::encode_string("báo-cáo.exe".as_bytes())
        )
    };
    let c = |name, message, postfix_rejects, rspamd_rejects| Case {
        name,
        message,
        postfix_rejects,
        rspamd_rejects,
    };
    vec![
        c(
            "a .exe",
            message(
                &attachment("application/octet-stream", "attachment; filename=\"setup.exe\""),
                EXE,
            ),
            true,
            true,
        ),
        c(
            "an .EXE, unquoted, in Content-Type",
            message("Content-Type: application/octet-stream; name=SETUP.EXE", EXE),
            true,
            true,
        ),
        c(
            "a .bat",
            message(
                &attachment("application/octet-stream", "attachment; filename=\"chay.bat\""),
                b"@echo off\r\n",
            ),
            true,
            true,
        ),
        c(
            "a .com, folded header",
            message(
                &attachment(
                    "application/octet-stream",
                    "attachment;\r\n\tfilename=\"lenh.com\"",
                ),
                EXE,
            ),
            true,
            true,
        ),
        c(
            "báo-cáo.exe in RFC 2231",
            message(
                &attachment(
                    "application/octet-stream",
                    "attachment; filename*=UTF-8''b%C3%A1o-c%C3%A1o.exe",
                ),
                EXE,
            ),
            true,
            true,
        ),
        c(
            "RFC 2231 continuations, the dot percent-encoded",
            message(
                &attachment(
                    "application/octet-stream",
                    "attachment; filename*0*=UTF-8''b%C3%A1o; filename*1*=-c%C3%A1o%2Eexe",
                ),
                EXE,
            ),
            true,
            true,
        ),
        c(
            "a trailing dot Windows ignores",
            message(
                &attachment("application/octet-stream", "attachment; filename=\"setup.exe.\""),
                EXE,
            ),
            true,
            true,
        ),
        c(
            "a .pdf",
            message(
                &attachment("application/pdf", "attachment; filename=\"bao-cao.pdf\""),
                PDF,
            ),
            false,
            false,
        ),
        c(
            "an .ods, named in RFC 2231",
            message(
                &attachment(
                    "application/vnd.oasis.opendocument.spreadsheet",
                    "attachment; filename*=UTF-8''b%E1%BA%A3ng-l%C6%B0%C6%A1ng.ods",
                ),
                b"PK\x03\x04",
            ),
            false,
            false,
        ),
        c(
            "a .zip of a .pdf",
            message(
                &attachment("application/zip", "attachment; filename=\"ho-so.zip\""),
                &zip_of("bao-cao.pdf", PDF),
            ),
            false,
            false,
        ),
        c("plain text", plain(), false, false),
        c(
            "a .docx (in no list)",
            message(
                &attachment(
                    "application/octet-stream",
                    "attachment; filename=\"thu-moi.docx\"",
                ),
                b"PK\x03\x04",
            ),
            true,
            true,
        ),
        // What a header check cannot read: Postfix refuses the first and the last only because their
        // visible ending is in no list (with `unlisted: accept` they pass it); rspamd refuses all three as
        // forbidden.
        c(
            "báo-cáo.exe in RFC 2047 (base64)",
            message(
                &attachment(
                    "application/octet-stream",
                    &format!("attachment; filename=\"{rfc2047}\""),
                ),
                EXE,
            ),
            true,
            true,
        ),
        c(
            "a .zip holding an .exe",
            message(
                &attachment("application/zip", "attachment; filename=\"ho-so.zip\""),
                &zip_of("cai-dat.exe", EXE),
            ),
            false,
            true,
        ),
        c(
            "a name split across continuations",
            message(
                &attachment(
                    "application/octet-stream",
                    "attachment; filename*0=\"setup.e\"; filename*1=\"xe\"",
                ),
                EXE,
            ),
            true,
            true,
        ),
    ]
}

/// Sends over SMTP; `Err(reply)` when the server refused the message.
fn send(port: u16, message: &[u8]) -> Result<(), String> {
    use lettre::Transport;
    let smtp = lettre::SmtpTransport::builder_dangerous("127.0.0.1")
        .port(port)
        .timeout(Some(Duration::from_secs(20)))
        .build();
    let envelope =
        lettre::address::Envelope::new(Some(FROM.parse().unwrap()), vec![TO.parse().unwrap()]).unwrap();
    smtp.send_raw(&envelope, message)
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// Sends every case over SMTP: refused with 5.7.1 citing rule III.3 exactly where `rejects` says.
fn smtp_answers_as(port: u16, rejects: impl Fn(&Case) -> bool) {
    for case in cases() {
        let result = send(port, &case.message);
        if rejects(&case) {
            let reply = result.expect_err(case.name);
            assert!(
                reply.contains("5.7.1") && reply.contains("rule III.3"),
                "{}: {reply}",
                case.name
            );
        } else {
            result.unwrap_or_else(|e| panic!("{}: refused: {e}", case.name));
        }
    }
}

fn example_in(dir: &Path) -> std::path::PathBuf {
    let repo = dir.join("repo");
    copy_dir(&root().join(EXAMPLE), &repo);
    repo
}

fn render(repo: &Path, target: &str, table: &str, out: &Path) {
    let run = mailops(&[
        "render",
        "attachments",
        repo.to_str().unwrap(),
        "--for",
        target,
        "--table",
        table,
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[test]
fn postfix_refuses_exactly_what_the_policy_forbids() {
    let work = tempfile::tempdir().unwrap();
    let repo = example_in(work.path());
    let table = work
        .path()
        .join("postfix-tables")
        .join("mailops-attachments.pcre");
    render(&repo, "postfix", "pcre", &table);
    let postfix = Postfix::start(work.path(), &format!("pcre:{}", table.display()));
    smtp_answers_as(postfix.port, |c| c.postfix_rejects);
    // The messages accepted were received and discarded after the checks; the refused ones are in the log.
    let log = std::fs::read_to_string(&postfix.log).unwrap();
    let refused = cases().iter().filter(|c| c.postfix_rejects).count();
    assert_eq!(log.matches(": reject: header Content-").count(), refused, "{log}");

    // The `regexp:` table (Postfix without pcre) decides every header of the cases as the `pcre:` one.
    let regexp = work.path().join("mailops-attachments.regexp");
    render(&repo, "postfix", "regexp", &regexp);
    let mut headers = 0;
    for case in cases() {
        let text = String::from_utf8(case.message).unwrap();
        let unfolded = text.replace("\r\n\t", " ");
        for line in unfolded.lines().filter(|l| l.starts_with("Content-")) {
            let ask = |map: String| {
                let out = std::process::Command::new("postmap")
                    .arg("-c")
                    .arg(&postfix.conf)
                    .args(["-q", line, &map])
                    .output()
                    .unwrap();
                String::from_utf8_lossy(&out.stdout).trim().to_string()
            };
            let pcre = ask(format!("pcre:{}", table.display()));
            assert_eq!(pcre, ask(format!("regexp:{}", regexp.display())), "{line}");
            headers += 1;
        }
    }
    assert!(headers > 20, "{headers} headers compared");

    // With `unlisted: accept`, the three names a header check cannot read pass Postfix: rspamd is needed.
    let org = repo.join("organization.yaml");
    let text = std::fs::read_to_string(&org)
        .unwrap()
        .replace("unlisted: reject", "unlisted: accept");
    std::fs::write(&org, text).unwrap();
    let accepting = work.path().join("accepting.pcre");
    render(&repo, "postfix", "pcre", &accepting);
    for case in cases().iter().rev().take(3) {
        let text = String::from_utf8(case.message.clone()).unwrap();
        for line in text.lines().filter(|l| l.starts_with("Content-Disposition")) {
            let out = std::process::Command::new("postmap")
                .arg("-c")
                .arg(&postfix.conf)
                .args(["-q", line, &format!("pcre:{}", accepting.display())])
                .output()
                .unwrap();
            assert!(
                out.stdout.is_empty(),
                "{}: {}",
                case.name,
                String::from_utf8_lossy(&out.stdout)
            );
        }
    }
}

#[test]
fn rspamd_also_catches_encoded_names_and_archive_contents() {
    let work = tempfile::tempdir().unwrap();
    let repo = example_in(work.path());
    let local = work.path().join("rspamd-local");
    std::fs::create_dir_all(&local).unwrap();
    render(&repo, "rspamd", "pcre", &local);
    for f in [
        "local.d/mime_types.conf",
        "local.d/force_actions.conf",
        "local.d/rspamd.lua",
    ] {
        assert!(local.join(f).exists(), "{f}");
    }
    let rspamd = Rspamd::start(work.path(), &local);
    let client = reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap();
    for case in cases() {
        let reply: serde_json::Value = client
            .post(format!("http://127.0.0.1:{}/checkv2", rspamd.port))
            .header("From", FROM)
            .header("Rcpt", TO)
            .header("IP", "127.0.0.1")
            .body(case.message)
            .send()
            .unwrap()
            .json()
            .unwrap();
        let action = reply["action"].as_str().unwrap_or_default();
        if case.rspamd_rejects {
            assert_eq!(action, "reject", "{}: {reply}", case.name);
            let text = reply["messages"]["smtp_message"].as_str().unwrap_or_default();
            assert!(
                text.starts_with("5.7.1") && text.contains("rule III.3"),
                "{}: {text}",
                case.name
            );
            let forbidden = reply["symbols"].get("MAILOPS_FORBIDDEN_ATTACHMENT").is_some();
            assert_eq!(forbidden, !case.name.contains("docx"), "{}: {reply}", case.name);
        } else {
            assert_ne!(action, "reject", "{}: {reply}", case.name);
            let symbols = reply["symbols"].as_object().cloned().unwrap_or_default();
            assert!(
                !symbols.keys().any(|s| s.starts_with("MAILOPS_")),
                "{}: {reply}",
                case.name
            );
        }
    }

    // The same through a real Postfix with rspamd as its milter (and no header checks of its own): the SMTP
    // reply is rspamd's rejection, with the rule's message.
    let milter = format!("inet:127.0.0.1:{}", rspamd.milter_port);
    let postfix = Postfix::start_with(
        &work.path().join("mta"),
        &[
            ("smtpd_milters", milter.as_str()),
            ("milter_default_action", "tempfail"),
            ("milter_protocol", "6"),
        ],
    );
    smtp_answers_as(postfix.port, |c| c.rspamd_rejects);
}

fn apply(repo: &Path, mail: &Path, table: &Path, reload: &str) -> common::Run {
    mailops(&[
        "apply",
        repo.to_str().unwrap(),
        "--server",
        &format!("maildir:{}", mail.display()),
        "--attachments-postfix",
        table.to_str().unwrap(),
        "--attachments-reload",
        reload,
    ])
}

#[test]
fn apply_keeps_the_policy_in_force_and_reloads_postfix() {
    let work = tempfile::tempdir().unwrap();
    let repo = example_in(work.path());
    let mail = work.path().join("mail");
    let tables = work.path().join("tables");
    std::fs::create_dir_all(&tables).unwrap();
    let table = tables.join("mailops-attachments.pcre");
    // Postfix starts with an empty table (nothing refused yet): the policy comes with the first apply.
    std::fs::write(
        &table,
        "# Managed by mailops: placeholder before the first apply\n",
    )
    .unwrap();
    let postfix = Postfix::start(work.path(), &format!("pcre:{}", table.display()));
    let exe = &cases()[0].message;
    send(postfix.port, exe).expect("no policy yet");

    let run = apply(&repo, &mail, &table, &postfix.reload_command());
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr
            .contains(&format!("attachment policy: {} changed", table.display())),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("reload command ran"), "{}", run.stderr);
    // Postfix's cleanup processes re-read the table after the reload.
    let deadline = Instant::now() + Duration::from_secs(20);
    while send(postfix.port, exe).is_ok() {
        assert!(
            Instant::now() < deadline,
            "the .exe is still accepted after the reload"
        );
        std::thread::sleep(Duration::from_millis(300));
    }
    send(postfix.port, &cases()[7].message).expect("the .pdf passes");

    // Unchanged: no write, no reload.
    let log = work.path().join("reloads.log");
    let counting = format!("echo reload >> {}", log.display());
    let before = std::fs::metadata(&table).unwrap().modified().unwrap();
    let run = apply(&repo, &mail, &table, &counting);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stderr.contains("attachment policy"), "{}", run.stderr);
    assert!(!log.exists());
    assert_eq!(std::fs::metadata(&table).unwrap().modified().unwrap(), before);

    // A policy change in git: `.docx` allowed. A reload killed by kill -9 is run again by the next apply.
    let org = repo.join("organization.yaml");
    let text = std::fs::read_to_string(&org)
        .unwrap()
        .replace("ppt, pdp]", "ppt, pdp, docx]");
    std::fs::write(&org, text).unwrap();
    let started = work.path().join("started");
    let slow = format!("touch {}; sleep 59.5", started.display());
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_mailops"))
        .args([
            "apply",
            repo.to_str().unwrap(),
            "--server",
            &format!("maildir:{}", mail.display()),
        ])
        .arg("--attachments-postfix")
        .arg(&table)
        .args(["--attachments-reload", &slow])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while !started.exists() {
        assert!(Instant::now() < deadline, "the reload command did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let _ = std::process::Command::new("pkill")
        .args(["-f", "sleep 59.5"])
        .status();
    assert!(
        std::fs::read_to_string(&table).unwrap().contains("docx"),
        "the new table is in place"
    );
    assert!(
        tables.join(".mailops-reload-pending").exists(),
        "the reload is still owed"
    );
    let run = apply(
        &repo,
        &mail,
        &table,
        &format!("{counting} && {}", postfix.reload_command()),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        std::fs::read_to_string(&log).unwrap(),
        "reload\n",
        "owed reload ran once"
    );
    assert!(!tables.join(".mailops-reload-pending").exists());
    let docx = &cases()[11].message;
    let deadline = Instant::now() + Duration::from_secs(20);
    while send(postfix.port, docx).is_err() {
        assert!(
            Instant::now() < deadline,
            "the .docx is still refused after the reload"
        );
        std::thread::sleep(Duration::from_millis(300));
    }

    // A hand-made file is never replaced, and the run says so (exit 3: the mailboxes were reconciled).
    let hand = tables.join("hand-made.pcre");
    std::fs::write(&hand, "/x\\.scr/ REJECT no screensavers\n").unwrap();
    let run = apply(&repo, &mail, &hand, "true");
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(
        run.stderr.contains("was not written by mailops"),
        "{}",
        run.stderr
    );
    assert_eq!(
        std::fs::read_to_string(&hand).unwrap(),
        "/x\\.scr/ REJECT no screensavers\n"
    );
}
