//! `mailops plan --base` on real git repositories made by the tests (the `git` command line), as a
//! reviewer's CI job would run it on a pull request.

mod common;

use std::path::PathBuf;
use std::process::Command;

use common::Run;

/// A throw-away repository with the example agency committed on `main`, under `staff/`.
struct Repo {
    dir: tempfile::TempDir,
}

impl Repo {
    fn new() -> Self {
        let r = Self {
            dir: tempfile::tempdir().unwrap(),
        };
        r.git(&["init", "-q", "-b", "main"]);
        common::copy_dir(&common::root().join(common::EXAMPLE), &r.staff());
        r.commit("the agency as of Decision 189/QĐ-BDT");
        r.git(&["checkout", "-q", "-b", "change"]);
        r
    }

    fn staff(&self) -> PathBuf {
        self.dir.path().join("staff")
    }

    fn git(&self, args: &[&str]) {
        let out = Command::new("git")
            .args(args)
            .current_dir(self.dir.path())
            .env("GIT_AUTHOR_NAME", "Võ Thị Thu An")
            .env("GIT_AUTHOR_EMAIL", "anvtt@bdt.binhthuan.gov.vn")
            .env("GIT_COMMITTER_NAME", "Võ Thị Thu An")
            .env("GIT_COMMITTER_EMAIL", "anvtt@bdt.binhthuan.gov.vn")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn commit(&self, message: &str) {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "--allow-empty", "-m", message]);
    }

    fn edit(&self, rel: &str, from: &str, to: &str) {
        let p = self.staff().join(rel);
        let t = std::fs::read_to_string(&p).unwrap();
        assert!(t.contains(from), "{rel} has no {from}");
        std::fs::write(p, t.replace(from, to)).unwrap();
    }

    fn plan(&self, extra: &[&str]) -> Run {
        let staff = self.staff();
        let mut args = vec![
            "plan",
            staff.to_str().unwrap(),
            "--base",
            "main",
            "--date",
            "2026-12-01",
        ];
        args.extend_from_slice(extra);
        common::mailops(&args)
    }
}

#[test]
fn a_pull_request_is_reviewed_without_a_server() {
    let r = Repo::new();
    std::fs::remove_file(r.staff().join("staff/ban-dan-toc/mai-dac-hoa.yaml")).unwrap();
    r.edit("agency-mailbox.yaml", "owner: mai-sen", "owner: truong-ngoc-phuc");
    r.edit(
        "staff/ban-dan-toc/vo-thuy-nhung.yaml",
        "fullName: Võ Thùy Nhung",
        "fullName: Võ Thị Thùy Nhung",
    );
    r.edit("organization.yaml", "maxDeletions: 2", "maxDeletions: 5");
    std::fs::write(
        r.staff().join("staff/trung-tam-dvmn/nguyen-van-binh.yaml"),
        "apiVersion: mailops.dev/v1alpha1\nkind: Mailbox\nmetadata:\n  name: nguyen-van-binh\nspec:\n  fullName: Nguyễn Văn Bình\n  unit: trung-tam-dvmn\n  title: Chuyên viên\n",
    )
    .unwrap();
    r.commit("staff changes of December");

    let text = r.plan(&["--color", "never"]);
    assert_eq!(text.code, 2, "changes: exit 2\n{}{}", text.stdout, text.stderr);
    for expected in [
        "handed over: Mai Sên (senm@bdt.binhthuan.gov.vn) → Trương Ngọc Phúc (phuctn@bdt.binhthuan.gov.vn)",
        "rename nhungvt@bdt.binhthuan.gov.vn → nhungvtt@bdt.binhthuan.gov.vn, mail kept",
        "Mai Đắc Hòa loses login to hoamd@bdt.binhthuan.gov.vn",
        "Nguyễn Văn Bình gets a new mailbox binhnv@bdt.binhthuan.gov.vn",
        "spec.safety.maxDeletions: 2 → 5",
        "Plan: 1 to create, 1 to rename, 1 to update, 1 access change, 1 to suspend, 0 to delete, 0 blocked",
    ] {
        assert!(
            text.stdout.contains(expected),
            "missing {expected:?} in\n{}",
            text.stdout
        );
    }

    let json = r.plan(&["--output", "json"]);
    assert_eq!(json.code, 2);
    let v: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(v["version"], 2);
    assert_eq!(v["summary"]["create"], 1);
    assert_eq!(v["summary"]["rename"], 1);
    assert_eq!(v["source"]["baseRevision"].as_str().unwrap().len(), 40);
    assert!(v.get("observedFingerprint").is_none());

    let md = r.plan(&["--output", "markdown"]);
    let access = md.stdout.find("#### Access changes").unwrap();
    let first_unit = md.stdout.find("#### Ban Dân tộc").unwrap();
    assert!(
        access < first_unit,
        "access changes come before the changes by unit"
    );
    assert!(
        md.stdout.contains("| `~>` | `nhungvtt@bdt.binhthuan.gov.vn` |"),
        "{}",
        md.stdout
    );
}

#[test]
fn no_changes_exit_zero() {
    let r = Repo::new();
    r.commit("nothing");
    let run = r.plan(&[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("No changes between the two revisions."));
}

#[test]
fn an_invalid_head_is_an_error_naming_the_file_and_line() {
    let r = Repo::new();
    r.edit(
        "staff/ban-dan-toc/vo-thi-thu-an.yaml",
        "unit: ban-dan-toc",
        "unit: phong-ke-toan",
    );
    r.commit("typo");
    let run = r.plan(&[]);
    assert_eq!(run.code, 1);
    assert!(run.stdout.is_empty());
    assert!(run.stderr.contains("error[unknown-unit]"), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("staff/staff/ban-dan-toc/vo-thi-thu-an.yaml:8:9"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("is not valid; no plan was made"),
        "{}",
        run.stderr
    );
}

/// What a review keeps of its base besides the synthesized server: the agency mailboxes it protects and
/// the unit of each person removed.
#[test]
fn a_review_protects_the_base_agency_mailbox_and_files_a_removal_under_its_unit() {
    let r = Repo::new();
    // The agency mailbox protected only as an agency mailbox of the base, not by its address.
    r.git(&["checkout", "-q", "main"]);
    r.edit("organization.yaml", "    - bdt@binhthuan.gov.vn\n", "");
    r.commit("bdt@ protected as the agency mailbox only");
    r.git(&["checkout", "-q", "-B", "change"]);
    std::fs::remove_file(r.staff().join("agency-mailbox.yaml")).unwrap();
    std::fs::remove_file(r.staff().join("staff/ban-dan-toc/mai-dac-hoa.yaml")).unwrap();
    r.commit("the agency mailbox and a person removed");
    let json = r.plan(&["--output", "json"]);
    assert_eq!(json.code, 2, "{}", json.stderr);
    let v: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(v["summary"]["suspend"], 1, "{}", json.stdout);
    assert_eq!(v["summary"]["blocked"], 1, "{}", json.stdout);
    let blocked = (v["changes"].as_array().unwrap().iter())
        .find(|c| c["action"] == "blocked")
        .unwrap();
    assert_eq!(blocked["target"]["address"], "bdt@binhthuan.gov.vn");
    assert_eq!(blocked["reason"]["kind"], "protected");
    let person = (v["changes"].as_array().unwrap().iter())
        .find(|c| c["action"] == "suspend")
        .unwrap();
    assert_eq!(person["target"]["unit"], "ban-dan-toc", "{person}");
    let md = r.plan(&["--output", "markdown"]);
    let unit = md.stdout.find("#### Ban Dân tộc").unwrap();
    let row = md
        .stdout
        .find("| `hoamd@bdt.binhthuan.gov.vn` | Mai Đắc Hòa")
        .unwrap();
    assert!(unit < row, "{}", md.stdout);
}

#[test]
fn a_commit_that_deletes_every_manifest_is_all_blocked() {
    let r = Repo::new();
    std::fs::remove_dir_all(r.staff()).unwrap();
    r.commit("oops");
    let run = r.plan(&["--output", "json"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["summary"]["suspend"], 0);
    assert_eq!(v["summary"]["delete"], 0);
    assert_eq!(v["summary"]["blocked"], 25);
}

#[test]
fn the_first_commit_creates_everyone() {
    let r = Repo::new();
    let run = common::mailops(&[
        "plan",
        r.staff().to_str().unwrap(),
        "--base",
        "main~0^{tree}",
        "--output",
        "json",
    ]);
    // A tree is not a commit: a clear error.
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("is not a commit"), "{}", run.stderr);

    r.git(&["checkout", "-q", "--orphan", "empty"]);
    r.git(&["rm", "-rq", "--cached", "."]);
    r.git(&["commit", "-q", "--allow-empty", "-m", "empty"]);
    let run = common::mailops(&[
        "plan",
        r.staff().to_str().unwrap(),
        "--base",
        "empty",
        "--head",
        "main",
        "--output",
        "json",
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["summary"]["create"], 25, "24 people and the agency mailbox");
    assert_eq!(
        v["summary"]["access"], 2,
        "the owner and the delegate of the agency mailbox"
    );
}

#[test]
fn an_unknown_base_and_a_folder_outside_git_are_errors() {
    let r = Repo::new();
    let run = common::mailops(&["plan", r.staff().to_str().unwrap(), "--base", "no-such-branch"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("revision `no-such-branch` is not a commit"),
        "{}",
        run.stderr
    );
    let outside = tempfile::tempdir().unwrap();
    let run = common::mailops(&["plan", outside.path().to_str().unwrap(), "--base", "main"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("not inside a git repository"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_symlink_out_of_the_folder_in_a_revision_is_refused() {
    let r = Repo::new();
    std::os::unix::fs::symlink("../../../../etc/passwd", r.staff().join("staff/leak.yaml")).unwrap();
    r.commit("sneaky");
    let run = r.plan(&[]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(run.stderr.contains("error[symlink-outside]"), "{}", run.stderr);
}
