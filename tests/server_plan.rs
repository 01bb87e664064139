//! `mailops plan --server` and `mailops adopt` against the embedded maildir backend, as an IT officer runs
//! them: a folder with a Dovecot passwd-file, written here the way an existing installation has it.

mod common;

use common::{EXAMPLE, mailops};

/// A mail folder with two accounts made by hand before mailops: the head of the agency, and an old account
/// nobody describes.
fn existing_installation() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let passwd = format!(
        "senm@bdt.binhthuan.gov.vn:{{SHA512-CRYPT}}$6$x$y:1000:1000::{0}/mail/bdt.binhthuan.gov.vn/senm::userdb_mail=maildir:~/Maildir\n\
         old@bdt.binhthuan.gov.vn:{{PLAIN}}do-not-print-me:1000:1000::{0}/mail/bdt.binhthuan.gov.vn/old::\n",
        root.display()
    );
    std::fs::write(root.join("passwd"), passwd).unwrap();
    dir
}

fn server(dir: &tempfile::TempDir) -> String {
    format!("maildir:{}", dir.path().display())
}

#[test]
fn an_empty_server_plans_every_mailbox_and_the_agency_mailbox_access() {
    let dir = tempfile::tempdir().unwrap();
    let run = mailops(&["plan", EXAMPLE, "--server", &server(&dir), "--output", "json"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["summary"]["create"], 25);
    assert_eq!(v["summary"]["access"], 2);
    assert_eq!(v["observedFingerprint"].as_str().unwrap().len(), 64);
    assert!(
        !dir.path().join("passwd").exists(),
        "plan writes nothing to the server"
    );
}

#[test]
fn adopt_rebuilds_the_inventory_and_leaves_strangers_alone() {
    let dir = existing_installation();
    let before = std::fs::read(dir.path().join("passwd")).unwrap();
    let plan = mailops(&["plan", EXAMPLE, "--server", &server(&dir), "--color", "never"]);
    assert_eq!(plan.code, 2);
    assert!(
        plan.stdout
            .contains("=  senm@bdt.binhthuan.gov.vn [Mailbox/mai-sen] adopt"),
        "{}",
        plan.stdout
    );
    assert!(
        plan.stdout.contains("unmanaged account old@bdt.binhthuan.gov.vn"),
        "{}",
        plan.stdout
    );
    assert!(!plan.stdout.contains("do-not-print-me") && !plan.stderr.contains("do-not-print-me"));

    let dry = mailops(&["adopt", EXAMPLE, "--server", &server(&dir), "--dry-run"]);
    assert_eq!(dry.code, 0, "{}", dry.stderr);
    assert!(!dir.path().join("mailops-state.json").exists());

    let adopt = mailops(&["adopt", EXAMPLE, "--server", &server(&dir)]);
    assert_eq!(adopt.code, 0, "{}", adopt.stderr);
    assert!(
        adopt
            .stdout
            .contains("= Mailbox/mai-sen adopted at senm@bdt.binhthuan.gov.vn"),
        "{}",
        adopt.stdout
    );
    assert!(
        adopt.stdout.contains("1 adopted, 24 missing, 1 unmanaged"),
        "{}",
        adopt.stdout
    );
    let state: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("mailops-state.json")).unwrap())
            .unwrap();
    assert_eq!(state["version"], 2);
    assert_eq!(state["entries"]["Mailbox/mai-sen"]["origin"], "adopted");
    assert_eq!(
        std::fs::read(dir.path().join("passwd")).unwrap(),
        before,
        "adopt never writes to the server"
    );

    let after = mailops(&["plan", EXAMPLE, "--server", &server(&dir), "--output", "json"]);
    let v: serde_json::Value = serde_json::from_str(&after.stdout).unwrap();
    assert_eq!(v["summary"]["adopt"], 0);
    assert_eq!(v["summary"]["suspend"], 0, "the stranger is never suspended");
}

#[test]
fn a_saved_plan_is_the_json_plan() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("plan.json");
    let mail = tempfile::tempdir().unwrap();
    let run = mailops(&[
        "plan",
        EXAMPLE,
        "--server",
        &server(&mail),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 2);
    let saved: mailops::plan::Plan = serde_json::from_str(&std::fs::read_to_string(out).unwrap()).unwrap();
    assert_eq!(saved.summary.create, 25);
    assert!(saved.observed_fingerprint.is_some());
}

#[test]
fn errors_are_clear_and_write_nothing() {
    let dir = existing_installation();
    let before = std::fs::read(dir.path().join("passwd")).unwrap();
    let bad = mailops(&["plan", "tests/bad/unknown-unit", "--server", &server(&dir)]);
    assert_eq!(bad.code, 1);
    assert!(
        bad.stderr.contains("error[unknown-unit]") && bad.stderr.contains("nothing was planned"),
        "{}",
        bad.stderr
    );

    let url = mailops(&["plan", EXAMPLE, "--server", "zimbra+https://mail.example"]);
    assert_eq!(url.code, 1);
    assert!(
        url.stderr.contains("unsupported server URL kind `zimbra`"),
        "{}",
        url.stderr
    );

    let neither = mailops(&["plan", EXAMPLE]);
    assert_eq!(neither.code, 2, "clap usage error");
    assert!(
        neither.stderr.contains("--base") && neither.stderr.contains("--server"),
        "{}",
        neither.stderr
    );

    std::fs::write(dir.path().join("mailops-state.json"), "{ not json").unwrap();
    let corrupt = mailops(&["plan", EXAMPLE, "--server", &server(&dir)]);
    assert_eq!(corrupt.code, 1);
    assert!(
        corrupt.stderr.contains("is not a mailops state file"),
        "{}",
        corrupt.stderr
    );
    assert_eq!(std::fs::read(dir.path().join("passwd")).unwrap(), before);
}

#[test]
fn a_second_run_is_refused_while_the_state_is_locked() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.json");
    let _first = mailops::state::StateStore::open(&state).unwrap();
    let run = mailops(&[
        "plan",
        EXAMPLE,
        "--server",
        &server(&dir),
        "--state",
        state.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("another mailops run is using"),
        "{}",
        run.stderr
    );
}
