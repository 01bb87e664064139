//! The lifecycle of examples/bdt-binhthuan on the embedded maildir backend, through the binary: first apply,
//! a no-op second apply, a name correction (mail kept), a transfer out (suspended, then deleted after the
//! grace period with the injected date), a handover, a mass removal over the budget, a stale saved plan.
//! And, through the library, a server failing mid-apply: the next run converges with nothing duplicated.

mod common;

use std::path::{Path, PathBuf};

use common::{EXAMPLE, Run, mailops};

struct Agency {
    repo: tempfile::TempDir,
    mail: tempfile::TempDir,
}

impl Agency {
    fn new() -> Self {
        let repo = tempfile::tempdir().unwrap();
        common::copy_dir(&common::root().join(EXAMPLE), repo.path());
        Self {
            repo,
            mail: tempfile::tempdir().unwrap(),
        }
    }

    fn server(&self) -> String {
        format!("maildir:{}", self.mail.path().display())
    }

    fn apply(&self, date: &str, extra: &[&str]) -> Run {
        let repo = self.repo.path().to_str().unwrap().to_string();
        let server = self.server();
        let mut args = vec![
            "apply", &repo, "--server", &server, "--date", date, "--color", "never",
        ];
        args.extend_from_slice(extra);
        mailops(&args)
    }

    fn file(&self, rel: &str) -> PathBuf {
        self.repo.path().join(rel)
    }

    fn edit(&self, rel: &str, from: &str, to: &str) {
        let t = std::fs::read_to_string(self.file(rel)).unwrap();
        assert!(t.contains(from));
        std::fs::write(self.file(rel), t.replace(from, to)).unwrap();
    }

    fn passwd(&self) -> String {
        std::fs::read_to_string(self.mail.path().join("passwd")).unwrap()
    }

    fn line(&self, address: &str) -> Option<String> {
        self.passwd()
            .lines()
            .find(|l| l.starts_with(&format!("{address}:")))
            .map(str::to_string)
    }

    fn maildir(&self, address: &str) -> PathBuf {
        let (local, domain) = address.split_once('@').unwrap();
        self.mail
            .path()
            .join("mail")
            .join(domain)
            .join(local)
            .join("Maildir")
    }
}

fn deliver(maildir: &Path) {
    std::fs::write(
        maildir.join("new/1700000000.M1P1.test"),
        "Subject: Lich hop\r\n\r\nHop giao ban.\r\n",
    )
    .unwrap();
}

#[test]
fn the_agency_lifecycle_on_the_maildir_backend() {
    let a = Agency::new();
    // First apply: the 24 staff and the agency mailbox, with its owner and delegate.
    let first = a.apply("2026-12-01", &[]);
    assert_eq!(first.code, 0, "{}{}", first.stdout, first.stderr);
    assert!(
        first.stdout.contains("Apply: 27 applied, 0 blocked, 0 failed."),
        "{}",
        first.stdout
    );
    assert_eq!(a.passwd().lines().count(), 25);
    let credentials = std::fs::read_to_string(a.mail.path().join("mailops-credentials.txt")).unwrap();
    assert_eq!(
        credentials.lines().count(),
        25,
        "one initial password per new mailbox"
    );
    assert!(
        !first
            .stdout
            .contains(credentials.lines().next().unwrap().split('\t').nth(1).unwrap()),
        "never printed"
    );

    // A second apply writes nothing.
    let passwd = a.passwd();
    let again = a.apply("2026-12-01", &[]);
    assert_eq!(again.code, 0);
    assert!(again.stdout.contains("No changes."), "{}", again.stdout);
    assert_eq!(a.passwd(), passwd);

    // A name correction is a rename; the mail delivered before it is kept.
    deliver(&a.maildir("nhungvt@bdt.binhthuan.gov.vn"));
    a.edit(
        "staff/ban-dan-toc/vo-thuy-nhung.yaml",
        "fullName: Võ Thùy Nhung",
        "fullName: Võ Thị Thùy Nhung",
    );
    let rename = a.apply("2026-12-01", &[]);
    assert_eq!(rename.code, 0, "{}", rename.stdout);
    assert!(
        rename
            .stdout
            .contains("rename nhungvt@bdt.binhthuan.gov.vn → nhungvtt@bdt.binhthuan.gov.vn")
    );
    assert!(
        a.maildir("nhungvtt@bdt.binhthuan.gov.vn")
            .join("new/1700000000.M1P1.test")
            .exists()
    );
    assert!(a.line("nhungvt@bdt.binhthuan.gov.vn").is_none());
    // The old address keeps delivering as an alias, and stays wanted: the next run changes nothing.
    let virtual_map = std::fs::read_to_string(a.mail.path().join("virtual")).unwrap();
    assert!(
        virtual_map.contains("nhungvt@bdt.binhthuan.gov.vn nhungvtt@bdt.binhthuan.gov.vn"),
        "{virtual_map}"
    );
    let settled = a.apply("2026-12-01", &[]);
    assert!(settled.stdout.contains("No changes."), "{}", settled.stdout);

    // A transfer out: suspended now, mail kept; deleted after the grace period, archived first.
    deliver(&a.maildir("hoamd@bdt.binhthuan.gov.vn"));
    std::fs::remove_file(a.file("staff/ban-dan-toc/mai-dac-hoa.yaml")).unwrap();
    let out = a.apply("2026-12-01", &[]);
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert!(
        a.line("hoamd@bdt.binhthuan.gov.vn")
            .unwrap()
            .contains("nologin=y")
    );
    let waiting = a.apply("2026-12-15", &[]);
    assert!(
        waiting.stdout.contains("may be deleted after 2026-12-31"),
        "{}",
        waiting.stdout
    );
    assert!(a.line("hoamd@bdt.binhthuan.gov.vn").is_some());
    let deleted = a.apply("2027-01-01", &[]);
    assert_eq!(deleted.code, 0, "{}", deleted.stdout);
    assert!(a.line("hoamd@bdt.binhthuan.gov.vn").is_none());
    assert!(
        a.mail
            .path()
            .join("archive/bdt.binhthuan.gov.vn")
            .read_dir()
            .unwrap()
            .count()
            == 1
    );

    // The head of the agency replaced: access moves, the credentials are rotated for the new owner.
    a.edit("agency-mailbox.yaml", "owner: mai-sen", "owner: truong-ngoc-phuc");
    let handover = a.apply("2027-01-02", &[]);
    assert_eq!(handover.code, 0, "{}", handover.stdout);
    let acl = std::fs::read_to_string(a.maildir("bdt@binhthuan.gov.vn").join("dovecot-acl")).unwrap();
    assert!(
        acl.contains("user=phuctn@bdt.binhthuan.gov.vn lrwstipekxa") && !acl.contains("senm@"),
        "{acl}"
    );
    let credentials = std::fs::read_to_string(a.mail.path().join("mailops-credentials.txt")).unwrap();
    let last = credentials.lines().last().unwrap();
    assert!(
        last.starts_with("bdt@binhthuan.gov.vn\t") && last.ends_with("\tphuctn@bdt.binhthuan.gov.vn"),
        "{last}"
    );

    // A mass removal over the budget: blocked, the rest applied, exit 3.
    let dir = a.file("staff/trung-tam-dvmn");
    for e in std::fs::read_dir(&dir).unwrap() {
        std::fs::remove_file(e.unwrap().path()).unwrap();
    }
    std::fs::write(
        a.file("staff/ban-dan-toc/nguyen-van-binh.yaml"),
        common::new_hire("nguyen-van-binh", "Nguyễn Văn Bình", "ban-dan-toc"),
    )
    .unwrap();
    let mass = a.apply("2027-01-03", &[]);
    assert_eq!(mass.code, 3, "{}", mass.stdout);
    assert!(
        mass.stdout.contains("Apply: 1 applied, 7 blocked, 0 failed."),
        "{}",
        mass.stdout
    );
    assert!(a.line("binhnv@bdt.binhthuan.gov.vn").is_some());
    assert!(
        !a.line("phucth@bdt.binhthuan.gov.vn").unwrap().contains("nologin"),
        "nobody suspended"
    );

    // The audit log has a line per change and no secret.
    let audit = std::fs::read_to_string(a.mail.path().join("mailops-audit.jsonl")).unwrap();
    assert!(
        audit
            .lines()
            .all(|l| serde_json::from_str::<serde_json::Value>(l).is_ok())
    );
    for line in credentials.lines() {
        assert!(!audit.contains(line.split('\t').nth(1).unwrap()));
    }
}

#[test]
fn a_saved_plan_is_refused_when_the_server_changed() {
    let a = Agency::new();
    let plan_file = a.repo.path().join("plan.json");
    let repo = a.repo.path().to_str().unwrap().to_string();
    let plan = mailops(&[
        "plan",
        &repo,
        "--server",
        &a.server(),
        "--out",
        plan_file.to_str().unwrap(),
    ]);
    assert_eq!(plan.code, 2);
    // Someone changes the server in between.
    std::fs::write(
        a.mail.path().join("passwd"),
        "x@bdt.binhthuan.gov.vn:{PLAIN}x:1000:1000::::\n",
    )
    .unwrap();
    let stale = a.apply("2026-12-01", &["--plan", plan_file.to_str().unwrap()]);
    assert_eq!(stale.code, 1);
    assert!(
        stale
            .stderr
            .contains("the server changed since this plan was made"),
        "{}",
        stale.stderr
    );
    assert_eq!(a.passwd().lines().count(), 1, "nothing applied");
}

#[test]
fn a_saved_plan_of_another_format_version_is_refused() {
    let a = Agency::new();
    let plan_file = a.repo.path().join("plan.json");
    let repo = a.repo.path().to_str().unwrap().to_string();
    let plan = mailops(&[
        "plan",
        &repo,
        "--server",
        &a.server(),
        "--out",
        plan_file.to_str().unwrap(),
    ]);
    assert_eq!(plan.code, 2);
    // A version 1 plan applied its updates from their display text; it is not applied any more.
    let mut saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&plan_file).unwrap()).unwrap();
    assert_eq!(saved["version"], 2);
    saved["version"] = 1.into();
    std::fs::write(&plan_file, saved.to_string()).unwrap();
    let old = a.apply("2026-12-01", &["--plan", plan_file.to_str().unwrap()]);
    assert_eq!(old.code, 1, "{}", old.stderr);
    assert!(
        old.stderr.contains("a plan of format version 1"),
        "{}",
        old.stderr
    );
    assert!(old.stderr.contains("make a new plan"), "{}", old.stderr);
    assert!(
        !a.mail.path().join("passwd").exists() || a.passwd().is_empty(),
        "nothing applied"
    );
}

/// The attack: a saved plan edited to delete the protected agency mailbox and a person still in the
/// repository is refused, saying what differs, and the printed summary never comes from the file.
#[test]
fn an_edited_saved_plan_is_refused() {
    let a = Agency::new();
    assert_eq!(a.apply("2026-12-01", &[]).code, 0);
    let passwd = a.passwd();
    // A real change, so that the plan is not empty.
    a.edit(
        "staff/ban-dan-toc/vo-thuy-nhung.yaml",
        "fullName: Võ Thùy Nhung",
        "fullName: Võ Thị Thùy Nhung",
    );
    let plan_file = a.repo.path().join("plan.json");
    let repo = a.repo.path().to_str().unwrap().to_string();
    let plan = mailops(&[
        "plan",
        &repo,
        "--server",
        &a.server(),
        "--date",
        "2026-12-01",
        "--out",
        plan_file.to_str().unwrap(),
    ]);
    assert_eq!(plan.code, 2, "{}", plan.stderr);
    let mut saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&plan_file).unwrap()).unwrap();
    for (address, name, kind) in [
        ("bdt@binhthuan.gov.vn", "bdt", "SharedMailbox"),
        ("anvtt@bdt.binhthuan.gov.vn", "vo-thi-thu-an", "Mailbox"),
    ] {
        let c = serde_json::json!({
            "target": {"kind": kind, "name": name, "address": address, "displayName": name},
            "action": "delete", "suspendedOn": "2026-01-01", "archive": false,
        });
        saved["changes"].as_array_mut().unwrap().push(c);
    }
    // A summary that hides the deletions.
    saved["summary"]["delete"] = 0.into();
    std::fs::write(&plan_file, saved.to_string()).unwrap();
    let applied = a.apply("2026-12-01", &["--plan", plan_file.to_str().unwrap()]);
    assert_eq!(applied.code, 1, "{}{}", applied.stdout, applied.stderr);
    assert!(
        applied
            .stderr
            .contains("the saved plan is not what the repository and the server give now")
            && applied
                .stderr
                .contains("only in the saved plan: bdt@binhthuan.gov.vn")
            && applied
                .stderr
                .contains("only in the saved plan: anvtt@bdt.binhthuan.gov.vn"),
        "{}",
        applied.stderr
    );
    assert_eq!(a.passwd(), passwd, "nothing applied");
    // The untouched plan is applied.
    let plan = mailops(&[
        "plan",
        &repo,
        "--server",
        &a.server(),
        "--date",
        "2026-12-01",
        "--out",
        plan_file.to_str().unwrap(),
    ]);
    assert_eq!(plan.code, 2);
    let applied = a.apply("2026-12-01", &["--plan", plan_file.to_str().unwrap()]);
    assert_eq!(applied.code, 0, "{}{}", applied.stdout, applied.stderr);
    assert!(
        applied
            .stdout
            .contains("Plan: 0 to create, 1 to rename, 1 to update"),
        "{}",
        applied.stdout
    );
}

/// The example applied through the library to an in-memory server as of `today`, its state in `dir`: the
/// server, the connection, the plan of that first apply and the executor's options with the example's guard.
struct InMemory {
    server: mailops::backend::memory::MemoryBackend,
    conn: mailops::engine::Connection,
    plan: mailops::plan::Plan,
    options: mailops::engine::ExecuteOptions,
}

impl InMemory {
    async fn applied(dir: &Path, today: chrono::NaiveDate) -> Self {
        use mailops::engine::{Connection, ExecuteOptions, FileSink, Guard, Paths, Recover};
        let repo = mailops::manifest::load_repository(&common::root().join(EXAMPLE), Default::default());
        let desired = mailops::desired::validate(&repo).state.unwrap();
        let server = mailops::backend::memory::MemoryBackend::new();
        let paths = Paths::for_server("memory:", Some(&dir.join("state.json")));
        let options = ExecuteOptions {
            concurrency: 4,
            revision: None,
            today,
            guard: Some(Guard::of(&desired)),
        };
        let sink = Box::new(FileSink::new(paths.credentials.clone()));
        let mut conn = Connection::with_backend(Box::new(server.clone()), paths, sink, Recover::Resolve)
            .await
            .unwrap();
        let observed = conn.observe().await.unwrap();
        let plan = conn.plan(
            &desired,
            None,
            &observed,
            mailops::plan::PlanSource::default(),
            today,
        );
        conn.execute(&plan, &observed, &options, &|| {}).await.unwrap();
        Self {
            server,
            conn,
            plan,
            options,
        }
    }
}

/// The executor refuses, by itself, what the safety rules forbid, whatever plan it is handed.
#[tokio::test]
async fn the_executor_enforces_the_safety_rules_itself() {
    use mailops::backend::MailBackend;
    use mailops::engine::Outcome;
    use mailops::plan::{Action, Change, Plan};

    let dir = tempfile::tempdir().unwrap();
    let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
    let InMemory {
        server,
        mut conn,
        plan,
        options,
    } = InMemory::applied(dir.path(), today).await;
    let before = server.observe().await.unwrap().accounts.len();
    // A hand-made plan: delete the protected agency mailbox, delete a person never suspended, suspend an
    // account mailops does not manage.
    let observed = conn.observe().await.unwrap();
    let like = |address: &str| {
        let acc = observed
            .accounts
            .iter()
            .find(|a| a.address.as_str() == address)
            .unwrap();
        let mut c: Change = plan
            .changes
            .iter()
            .find(|c| c.target.address == acc.address)
            .unwrap()
            .clone();
        c.action = Action::Delete {
            suspended_on: today,
            archive: false,
        };
        c
    };
    let mut stranger = like("anvtt@bdt.binhthuan.gov.vn");
    stranger.target.address = "khach@bdt.binhthuan.gov.vn".parse().unwrap();
    stranger.action = Action::Resume;
    let evil = Plan {
        changes: vec![
            like("bdt@binhthuan.gov.vn"),
            like("anvtt@bdt.binhthuan.gov.vn"),
            stranger,
        ],
        ..plan.clone()
    };
    let report = conn.execute(&evil, &observed, &options, &|| {}).await.unwrap();
    let reasons: Vec<String> = report
        .outcomes
        .iter()
        .map(|o| match &o.outcome {
            Outcome::Failed { message, .. } => message.clone(),
            other => panic!("{} was not refused: {other:?}", o.address),
        })
        .collect();
    assert!(reasons[0].contains("protected"), "{reasons:?}");
    assert!(reasons[1].contains("never suspended"), "{reasons:?}");
    assert!(reasons[2].contains("not managed"), "{reasons:?}");
    assert_eq!(
        server.observe().await.unwrap().accounts.len(),
        before,
        "nothing reached the server"
    );
}

#[tokio::test]
async fn a_server_failing_mid_apply_converges_on_the_next_run() {
    use chrono::NaiveDate;
    use mailops::backend::MailBackend;
    use mailops::backend::memory::MemoryBackend;
    use mailops::engine::{Connection, ExecuteOptions, FileSink, Paths, Recover};
    use mailops::plan::PlanSource;

    let repo = mailops::manifest::load_repository(&common::root().join(EXAMPLE), Default::default());
    let desired = mailops::desired::validate(&repo).state.unwrap();
    let server = MemoryBackend::new();
    let dir = tempfile::tempdir().unwrap();
    let paths = Paths::for_server("memory:", Some(&dir.path().join("state.json")));
    let options = ExecuteOptions {
        concurrency: 4,
        revision: None,
        today: NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
        guard: Some(mailops::engine::Guard::of(&desired)),
    };
    let connect = || async {
        let sink = Box::new(FileSink::new(paths.credentials.clone()));
        Connection::with_backend(Box::new(server.clone()), paths.clone(), sink, Recover::Resolve)
            .await
            .unwrap()
    };
    server.fail_writes_after(10);
    let mut conn = connect().await;
    let observed = conn.observe().await.unwrap();
    let plan = conn.plan(&desired, None, &observed, PlanSource::default(), options.today);
    let report = conn.execute(&plan, &observed, &options, &|| {}).await.unwrap();
    let (applied, _, failed) = report.counts();
    assert_eq!(applied, 10);
    assert!(failed > 0);
    assert_eq!(conn.inventory.len(), 10, "only what was made is recorded");
    drop(conn);

    server.fail_writes_after(usize::MAX);
    let mut conn = connect().await;
    let observed = conn.observe().await.unwrap();
    let plan = conn.plan(&desired, None, &observed, PlanSource::default(), options.today);
    let report = conn.execute(&plan, &observed, &options, &|| {}).await.unwrap();
    assert_eq!(report.counts().2, 0);
    let observed = server.observe().await.unwrap();
    assert_eq!(
        observed.accounts.len(),
        25,
        "every mailbox once, nothing duplicated"
    );
    assert_eq!(conn.inventory.len(), 25);
    let again = conn.plan(&desired, None, &observed, PlanSource::default(), options.today);
    assert!(!again.has_changes(), "converged");
    let lines = std::fs::read_to_string(&paths.credentials).unwrap();
    assert_eq!(
        lines.lines().count(),
        25,
        "one password per mailbox, none lost: the passwords of the failed creations were reused"
    );
    assert!(
        !paths.journal().exists(),
        "the journal goes once the run is recorded"
    );
}

#[test]
fn an_unwritable_credentials_file_means_no_account_and_names_the_file() {
    let a = Agency::new();
    let nowhere = a.mail.path().join("no-such-folder/credentials.txt");
    let nowhere_s = nowhere.display().to_string();
    let run = a.apply("2026-12-01", &["--credentials", &nowhere_s]);
    assert_eq!(run.code, 3, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains(&format!("cannot write the credentials file {nowhere_s}")),
        "{}",
        run.stdout
    );
    let passwd = std::fs::read_to_string(a.mail.path().join("passwd")).unwrap_or_default();
    assert_eq!(
        passwd.lines().count(),
        0,
        "no account without its password: {passwd}"
    );

    // A file others may read is refused the same way, and left as it was.
    let open = a.mail.path().join("open.txt");
    std::fs::write(&open, "").unwrap();
    std::fs::set_permissions(&open, std::os::unix::fs::PermissionsExt::from_mode(0o644)).unwrap();
    let open_s = open.display().to_string();
    let run = a.apply("2026-12-01", &["--credentials", &open_s]);
    assert_eq!(run.code, 3);
    assert!(run.stdout.contains("others may read it"), "{}", run.stdout);
    assert_eq!(std::fs::read(&open).unwrap().len(), 0);

    // Once it can be written: every account, each with its one password.
    let run = a.apply("2026-12-01", &[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(a.passwd().lines().count(), 25);
    let creds = std::fs::read_to_string(a.mail.path().join("mailops-credentials.txt")).unwrap();
    assert_eq!(
        creds.lines().count(),
        24 + 1,
        "one per account (the agency mailbox's to its owner)"
    );
}

/// The attack: `cp -a prod staging`, remove a person, apply to the copy twice. The copy's passwd-file names
/// homes in prod: it is refused, and prod's mail is never touched.
#[test]
fn a_copied_folder_never_reaches_the_original_mail() {
    let a = Agency::new();
    assert_eq!(a.apply("2026-12-01", &[]).code, 0);
    let prod_mail = a.maildir("anvtt@bdt.binhthuan.gov.vn");
    deliver(&prod_mail);
    let staging = tempfile::tempdir().unwrap();
    let copied = std::process::Command::new("cp")
        .args([
            "-a",
            &format!("{}/.", a.mail.path().display()),
            staging.path().to_str().unwrap(),
        ])
        .status()
        .unwrap();
    assert!(copied.success());
    // The copy's state file is beside its mail; its passwd-file names prod's homes.
    std::fs::remove_file(a.file("staff/ban-dan-toc/vo-thi-thu-an.yaml")).unwrap();
    let repo = a.repo.path().to_str().unwrap().to_string();
    let server = format!("maildir:{}", staging.path().display());
    for _ in 0..2 {
        let run = mailops(&["apply", &repo, "--server", &server, "--date", "2026-12-01"]);
        assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
        assert!(run.stderr.contains("its home is outside"), "{}", run.stderr);
        assert!(!run.stderr.contains("SHA512"), "{}", run.stderr);
    }
    assert!(
        prod_mail.join("new/1700000000.M1P1.test").exists(),
        "prod's mail is kept"
    );
    assert!(!a.passwd().contains("nologin"), "nothing suspended in prod");
}

/// Hand-made lines in the server files survive an apply of the whole agency byte for byte.
#[test]
fn hand_made_server_lines_survive_an_apply() {
    let a = Agency::new();
    let home = a.mail.path().join("mail/bdt.binhthuan.gov.vn/quantri");
    let passwd = format!(
        "# Dovecot users: quantri is managed by hand\nquantri@bdt.binhthuan.gov.vn:{{PLAIN}}x:::::: allow_nets=10.0.0.0/8 userdb_mail=maildir:{}/Maildir userdb_quota_rule=*:storage=100M\n\n",
        home.display()
    );
    let virt = "# by hand\nabuse@bdt.binhthuan.gov.vn root\n@binhthuan.gov.vn quantri@bdt.binhthuan.gov.vn\nbaocao@bdt.binhthuan.gov.vn quantri@bdt.binhthuan.gov.vn, senm@bdt.binhthuan.gov.vn\n";
    std::fs::write(a.mail.path().join("passwd"), &passwd).unwrap();
    std::fs::write(a.mail.path().join("virtual"), virt).unwrap();
    let run = a.apply("2026-12-01", &[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(a.passwd().starts_with(&passwd), "{}", a.passwd());
    let after = std::fs::read_to_string(a.mail.path().join("virtual")).unwrap();
    assert!(after.starts_with(virt), "{after}");
    // The hand-made account is unmanaged: reported, never touched, even by a second apply.
    assert!(
        run.stdout.contains("quantri@bdt.binhthuan.gov.vn"),
        "{}",
        run.stdout
    );
    assert_eq!(a.apply("2026-12-01", &[]).code, 0);
    assert!(a.passwd().starts_with(&passwd));
}

/// The executor's own rules, each broken by a hand-made plan, on the example applied to a server: the agency
/// mailbox and a protected address suspended, three removals where the budget allows two (and two, which it
/// allows), a deletion a day after the suspension, on the last day of grace and on the day after it, and a
/// creation and a deletion on a server read only in part. What a rule refuses never reaches the server.
#[tokio::test]
async fn the_executors_guard_refuses_each_broken_rule_and_allows_its_boundary() {
    use chrono::{Days, NaiveDate};
    use mailops::backend::MailBackend;
    use mailops::engine::{Connection, Outcome};
    use mailops::plan::{Action, Change, Plan, RemovalReason};

    let dir = tempfile::tempdir().unwrap();
    // A day far ahead of any clock: what the executor records is that day, not today's date.
    let today = NaiveDate::from_ymd_opt(2099, 6, 1).unwrap();
    let InMemory {
        server,
        mut conn,
        plan,
        options,
    } = InMemory::applied(dir.path(), today).await;
    let change = |address: &str, action: Action| -> Change {
        let mut c = plan
            .changes
            .iter()
            .find(|c| c.target.address.as_str() == address)
            .unwrap_or_else(|| panic!("{address} in the plan"))
            .clone();
        c.action = action;
        c
    };
    let suspend = || Action::Suspend {
        reason: RemovalReason::RemovedFromRepository,
        delete_after: today,
    };
    let delete = |on: NaiveDate| Action::Delete {
        suspended_on: on,
        archive: false,
    };
    // Each plan's outcomes: the refusal reasons (None: applied).
    let run = async |conn: &mut Connection, changes: Vec<Change>, partial: bool| -> Vec<Option<String>> {
        let mut observed = conn.observe().await.unwrap();
        observed.complete = !partial;
        let evil = Plan {
            changes,
            ..plan.clone()
        };
        let report = conn.execute(&evil, &observed, &options, &|| {}).await.unwrap();
        report
            .outcomes
            .iter()
            .map(|o| match &o.outcome {
                Outcome::Failed { message, .. } => Some(message.clone()),
                Outcome::Applied => None,
                other => panic!("{}: {other:?}", o.address),
            })
            .collect()
    };
    let enabled = async |address: &str| {
        server
            .observe()
            .await
            .unwrap()
            .accounts
            .iter()
            .find(|a| a.address.as_str() == address)
            .map(|a| a.enabled)
    };

    // The agency mailbox and a protected address of the Organization are never suspended.
    let r = run(&mut conn, vec![change("bdt@binhthuan.gov.vn", suspend())], false).await;
    assert!(r[0].as_deref().is_some_and(|m| m.contains("protected")), "{r:?}");
    assert_eq!(enabled("bdt@binhthuan.gov.vn").await, Some(true));
    let mut postmaster = change("anvtt@bdt.binhthuan.gov.vn", suspend());
    postmaster.target.address = "postmaster@bdt.binhthuan.gov.vn".parse().unwrap();
    let r = run(&mut conn, vec![postmaster], false).await;
    assert!(r[0].as_deref().is_some_and(|m| m.contains("protected")), "{r:?}");

    // The budget: at most 2 removals (and 10% of 25) a run. Three are all refused; nothing is suspended.
    let three = [
        "thutt@bdt.binhthuan.gov.vn",
        "haitt@bdt.binhthuan.gov.vn",
        "lanhtn@bdt.binhthuan.gov.vn",
    ];
    let r = run(
        &mut conn,
        three.iter().map(|a| change(a, suspend())).collect(),
        false,
    )
    .await;
    assert!(
        r.iter().all(|m| m
            .as_deref()
            .is_some_and(|m| m.contains("over the deletion budget"))),
        "{r:?}"
    );
    for a in three {
        assert_eq!(enabled(a).await, Some(true), "{a}");
    }

    // The grace period (30 days): a deletion the day after the suspension, and on its last day, is refused.
    let an = "anvtt@bdt.binhthuan.gov.vn";
    let id = change(an, suspend()).target.resource().unwrap();
    let suspended = async |conn: &mut Connection, days_ago: u64| {
        let on = today.checked_sub_days(Days::new(days_ago)).unwrap();
        let mut entry = conn.inventory.get(&id).unwrap().clone();
        entry.suspended_on = Some(on);
        conn.inventory.insert(entry);
        on
    };
    for days_ago in [1, 30] {
        let on = suspended(&mut conn, days_ago).await;
        let r = run(&mut conn, vec![change(an, delete(on))], false).await;
        assert!(
            r[0].as_deref().is_some_and(|m| m.contains("grace period")),
            "suspended {days_ago} days ago: {r:?}"
        );
        assert!(enabled(an).await.is_some(), "{an} still there");
    }

    // On a server read only in part, nothing is created or deleted, even a deletion that is due.
    let on = suspended(&mut conn, 31).await;
    let mut newcomer = change(an, Action::Resume);
    newcomer.action = plan
        .changes
        .iter()
        .find(|c| c.target.address.as_str() == an)
        .unwrap()
        .action
        .clone();
    let moi: mailops::desired::Address = "moi@bdt.binhthuan.gov.vn".parse().unwrap();
    newcomer.target.address = moi.clone();
    match &mut newcomer.action {
        Action::Create { account } => account.address = moi.clone(),
        other => panic!("{other:?}"),
    }
    let r = run(&mut conn, vec![change(an, delete(on)), newcomer], true).await;
    assert!(
        r.iter()
            .all(|m| m.as_deref().is_some_and(|m| m.contains("read in part"))),
        "{r:?}"
    );
    assert!(enabled(an).await.is_some(), "{an} still there");
    assert_eq!(enabled(moi.as_str()).await, None, "nothing created");

    // The day after the grace, on a server read whole, the deletion goes through; two removals are within
    // the budget.
    let r = run(&mut conn, vec![change(an, delete(on))], false).await;
    assert_eq!(r, [None], "deleted the day after its grace");
    assert_eq!(enabled(an).await, None);
    let r = run(
        &mut conn,
        three[..2].iter().map(|a| change(a, suspend())).collect(),
        false,
    )
    .await;
    assert_eq!(r, [None, None], "two removals are within the budget");
    assert_eq!(enabled(three[0]).await, Some(false));
}

/// Recovery, deterministically, on the maildir backend: a run died after a creation's server call and before
/// its `Done` record. The journal holds the intent, the credentials file the delivered password, the server
/// the account, the state file nothing of it: exactly what a kill there leaves, written so. The next run
/// records it as a creation (never an adoption), writes its audit line once, marked recovered, delivers no
/// second password, and the plan after is empty.
#[tokio::test]
async fn a_creation_made_but_not_recorded_done_is_recovered_as_a_creation() {
    use mailops::backend::maildir::MaildirBackend;
    use mailops::backend::{MailBackend, Secret};

    let a = Agency::new();
    assert_eq!(a.apply("2026-12-01", &[]).code, 0);
    // A new hire, planned as the run would have.
    std::fs::write(
        a.file("staff/ban-dan-toc/nguyen-van-moi.yaml"),
        "apiVersion: mailops.dev/v1alpha1\nkind: Mailbox\nmetadata:\n  name: nguyen-van-moi\nspec:\n  fullName: Nguyễn Văn Mới\n  unit: ban-dan-toc\n",
    )
    .unwrap();
    let plan_file = a.mail.path().join("plan.json");
    let repo = a.repo.path().display().to_string();
    let planned = mailops(&[
        "plan",
        &repo,
        "--server",
        &a.server(),
        "--date",
        "2026-12-01",
        "--out",
        plan_file.to_str().unwrap(),
    ]);
    assert_eq!(planned.code, 2, "{}{}", planned.stdout, planned.stderr);
    let plan: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&plan_file).unwrap()).unwrap();
    let change = plan["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["action"] == "create")
        .unwrap_or_else(|| panic!("{plan:#}"))
        .clone();
    let moi = "moinv@bdt.binhthuan.gov.vn";
    assert_eq!(change["target"]["address"], moi, "{change:#}");
    // What the killed run left: the password delivered, the intent journaled, the account made.
    let root = a.mail.path();
    let creds = root.join("mailops-credentials.txt");
    let audit = root.join("mailops-audit.jsonl");
    let len = |p: &Path| std::fs::metadata(p).unwrap().len();
    let (audit_at, creds_at) = (len(&audit), len(&creds));
    let password = "Ab3-recovered-pw";
    let mut f = std::fs::OpenOptions::new().append(true).open(&creds).unwrap();
    std::io::Write::write_all(&mut f, format!("{moi}\t{password}\t{moi}\n").as_bytes()).unwrap();
    let journal = [
        serde_json::json!({"record": "begin", "run": "killed-run", "today": "2026-12-01",
            "auditOffset": audit_at, "credentialsOffset": creds_at}),
        serde_json::json!({"record": "intent", "seq": 0, "unit": 0, "change": change,
            "credentials": [{"recipient": moi, "credential": {"sink": "file", "path": creds, "offset": creds_at}}]}),
    ]
    .iter()
    .map(|r| format!("{r}\n"))
    .collect::<String>();
    std::fs::write(root.join("mailops-state.json.journal"), journal).unwrap();
    let backend = MaildirBackend::open(root).unwrap();
    let new: mailops::backend::NewAccount = serde_json::from_value(change["account"].clone()).unwrap();
    backend
        .create(&new, &Secret::new(password.to_string()))
        .await
        .unwrap();

    // The next run resolves it first.
    let run = a.apply("2026-12-01", &[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("No changes") || !run.stdout.contains(moi),
        "{}",
        run.stdout
    );
    let state: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("mailops-state.json")).unwrap()).unwrap();
    let entry = &state["entries"]["Mailbox/nguyen-van-moi"];
    assert_eq!(
        entry["origin"], "created",
        "a creation, never an adoption: {entry:#}"
    );
    let lines: Vec<serde_json::Value> = std::fs::read_to_string(&audit)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .filter(|l: &serde_json::Value| l["address"] == moi)
        .collect();
    assert_eq!(lines.len(), 1, "{lines:#?}");
    assert_eq!(
        (lines[0]["action"].as_str(), lines[0]["recovered"].as_bool()),
        (Some("create"), Some(true))
    );
    let delivered = std::fs::read_to_string(&creds).unwrap();
    assert_eq!(
        delivered
            .lines()
            .filter(|l| l.starts_with(&format!("{moi}\t")))
            .count(),
        1
    );
    assert!(!root.join("mailops-state.json.journal").exists());
    let after = mailops(&["plan", &repo, "--server", &a.server(), "--date", "2026-12-01"]);
    assert_eq!(after.code, 0, "{}", after.stdout);
}
