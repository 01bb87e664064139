//! The PostfixAdmin backend against PostfixAdmin 3.3's own schema on a real PostgreSQL and a real MariaDB
//! (tests/support/postfixadmin.sh up, which tests/run.sh runs; its env.sh gives the URLs), with a real
//! Dovecot authenticating the accounts from the same tables (dovecot-pgsql, dovecot-mysql) over IMAP and
//! taking mail over LMTP. What mailops wrote is read back with PostfixAdmin's own `postfixadmin-cli`.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::Run;
use common::dovecot::{Dovecot, id, imap_login, lmtp_deliver, start_dovecot_sql};
use mailops::backend::postfixadmin::{PostfixAdminBackend, PostfixAdminConfig};
use mailops::backend::{AccountUpdate, MailBackend, NewAccount, Secret};
use mailops::desired::Address;

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!("{name} is unset: run tests/support/postfixadmin.sh up and source target/postfixadmin/env.sh")
    })
}

/// The tests of one database share its write log: one at a time.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn one_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    ONE_AT_A_TIME
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// One of the two databases PostfixAdmin's schema is on.
struct Db {
    url: String,
    /// `cli` or `cli-mysql`: postfixadmin.sh's subcommand for this database.
    cli: &'static str,
    /// `sql` or `sql-mysql`.
    sql: &'static str,
    /// Dovecot's SQL driver.
    driver: &'static str,
    /// Every statement that changed something (PostgreSQL's log_statement=mod, MariaDB's general log).
    log: PathBuf,
}

impl Db {
    fn postgres() -> Self {
        Self {
            url: env("POSTFIXADMIN_URL"),
            cli: "cli",
            sql: "sql",
            driver: "pgsql",
            log: env("POSTFIXADMIN_PG_LOG").into(),
        }
    }

    fn mariadb() -> Self {
        Self {
            url: env("POSTFIXADMIN_MYSQL_URL"),
            cli: "cli-mysql",
            sql: "sql-mysql",
            driver: "mysql",
            log: env("POSTFIXADMIN_MYSQL_LOG").into(),
        }
    }

    fn script(&self, sub: &str, args: &[&str]) -> String {
        let out = Command::new(env("POSTFIXADMIN_SCRIPT"))
            .arg(sub)
            .args(args)
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).to_string()
    }

    /// `postfixadmin-cli ARGS`.
    fn cli(&self, args: &[&str]) -> String {
        self.script(self.cli, args)
    }

    /// One SQL statement as the database's administrator; its rows, one per line.
    fn sql(&self, statement: &str) -> String {
        self.script(self.sql, &[statement])
    }

    /// `1` when the mailbox is active, `0` when not, empty when there is none.
    fn active(&self, address: &str) -> String {
        self.sql(&format!(
            "select case when active then 1 else 0 end from mailbox where username = '{address}'"
        ))
        .trim()
        .to_string()
    }

    /// Makes the domain exist and be empty (PostfixAdmin's own `domain add`), as an administrator would.
    fn fresh_domain(&self, domain: &str) {
        for table in ["alias", "mailbox", "domain"] {
            self.sql(&format!("delete from {table} where domain = '{domain}'"));
        }
        let added = self.cli(&["domain", "add", domain, "--aliases", "0", "--mailboxes", "0"]);
        assert!(added.contains("has been added"), "{added}");
    }

    fn backend(&self, domains: &[&str]) -> PostfixAdminBackend {
        self.backend_with(domains, "")
    }

    /// A backend with settings added to the URL's query (`scheme=ARGON2ID`).
    fn backend_with(&self, domains: &[&str], query: &str) -> PostfixAdminBackend {
        let url = if query.is_empty() {
            self.url.clone()
        } else {
            format!("{}?{query}", self.url)
        };
        let config = PostfixAdminConfig::from_url(&url).unwrap();
        PostfixAdminBackend::new(
            config,
            &Secret::new(env("POSTFIXADMIN_PASSWORD")),
            domains.iter().map(|d| (*d).to_string()).collect(),
        )
    }

    /// Dovecot on these tables, the mail under `work/mail`, owned by vmail.
    fn dovecot(&self, work: &Path) -> Dovecot {
        let uid = id("-u", "vmail");
        let mail = work.join("mail");
        std::fs::create_dir_all(&mail).unwrap();
        std::os::unix::fs::chown(work, Some(uid), Some(id("-g", "vmail"))).unwrap();
        std::os::unix::fs::chown(&mail, Some(uid), Some(id("-g", "vmail"))).unwrap();
        let config = PostfixAdminConfig::from_url(&self.url).unwrap();
        let connect = format!(
            "host={} port={} dbname={} user={} password={}",
            config.host,
            config.port,
            config.database,
            config.user,
            env("POSTFIXADMIN_PASSWORD")
        );
        start_dovecot_sql(work, uid, self.driver, &connect, &mail)
    }

    fn log_len(&self) -> usize {
        std::fs::read(&self.log).map_or(0, |b| b.len())
    }

    /// The statements written to the log since `from` that change rows.
    fn writes_since(&self, from: usize) -> Vec<String> {
        let log = std::fs::read(&self.log).unwrap();
        String::from_utf8_lossy(&log[from.min(log.len())..])
            .lines()
            .filter(|l| ["INSERT ", "UPDATE ", "DELETE "].iter().any(|w| l.contains(w)))
            .map(str::to_string)
            .collect()
    }
}

fn a(s: &str) -> Address {
    s.parse().unwrap()
}

fn logs_in(dovecot: &Dovecot, user: &str, password: &str) -> Option<u32> {
    let (reply, exists) = imap_login(dovecot.port, user, password);
    reply.starts_with("a1 OK").then(|| exists.unwrap_or(0))
}

/// Create, log in, suspend, resume, get mail, rename, read the mail under the new name, delete.
async fn accounts_work_in_dovecot(db: &Db, domain: &str) {
    db.fresh_domain(domain);
    let work = tempfile::tempdir().unwrap();
    let dovecot = db.dovecot(work.path());
    let b = db.backend(&[domain]);
    let an = a(&format!("anvtt@{domain}"));
    let password = "Mat-khau-ban-dau-2026";
    b.create(
        &NewAccount {
            address: an.clone(),
            display_name: "Võ Thị Thu An".into(),
            given_name: None,
            family_name: None,
            quota: Some("2048000000B".parse().unwrap()),
            aliases: [a(&format!("an.vo@{domain}"))].into(),
            enabled: true,
        },
        &Secret::new(password.into()),
    )
    .await
    .unwrap();
    let view = db.cli(&["mailbox", "view", an.as_str()]);
    assert!(view.contains("Name: Võ Thị Thu An"), "{view}");
    assert!(view.contains("Quota: 2000"), "{view}");
    assert!(view.contains("Active: YES"), "{view}");
    assert_eq!(logs_in(&dovecot, an.as_str(), password), Some(0));
    assert_eq!(logs_in(&dovecot, an.as_str(), "wrong"), None);
    // The other schemes Dovecot reads, each checked by Dovecot itself.
    for (scheme, local, prefix) in [
        ("SHA256-CRYPT", "sha256", "{SHA256-CRYPT}$5$"),
        ("ARGON2ID", "argon2", "{ARGON2ID}$argon2id$v=19$m=65536,t=3,p=1$"),
    ] {
        let other = a(&format!("{local}@{domain}"));
        let with = db.backend_with(&[domain], &format!("scheme={scheme}"));
        with.create(
            &NewAccount {
                address: other.clone(),
                display_name: scheme.into(),
                given_name: None,
                family_name: None,
                quota: None,
                aliases: Default::default(),
                enabled: true,
            },
            &Secret::new(password.into()),
        )
        .await
        .unwrap();
        let stored = db.sql(&format!(
            "select password from mailbox where username = '{other}'"
        ));
        assert!(stored.starts_with(prefix), "{scheme}: {stored}");
        assert_eq!(logs_in(&dovecot, other.as_str(), password), Some(0), "{scheme}");
        assert_eq!(logs_in(&dovecot, other.as_str(), "wrong"), None, "{scheme}");
        with.delete(&other).await.unwrap();
    }
    let o = b.observe().await.unwrap();
    assert_eq!(o.accounts.len(), 1);
    assert_eq!(o.accounts[0].aliases.len(), 1);

    b.suspend(&an).await.unwrap();
    assert!(db.cli(&["mailbox", "view", an.as_str()]).contains("Active: NO"));
    assert_eq!(
        logs_in(&dovecot, an.as_str(), password),
        None,
        "refused while suspended"
    );
    b.resume(&an).await.unwrap();
    assert_eq!(logs_in(&dovecot, an.as_str(), password), Some(0));

    lmtp_deliver(dovecot.lmtp_port.unwrap(), an.as_str(), "Truoc khi doi ten");
    let renamed = a(&format!("anvtt.ctt@{domain}"));
    b.rename(&an, &renamed, true).await.unwrap();
    let o = b.observe().await.unwrap();
    assert_eq!(o.accounts.len(), 1);
    assert_eq!(o.accounts[0].address, renamed);
    assert!(
        o.accounts[0].aliases.contains(&an),
        "the old address kept as an alias"
    );
    assert!(
        db.cli(&["mailbox", "view", renamed.as_str()])
            .contains("Name: Võ Thị Thu An")
    );
    assert_eq!(
        logs_in(&dovecot, renamed.as_str(), password),
        Some(1),
        "the mail delivered before the rename is read under the new name"
    );
    assert_eq!(logs_in(&dovecot, an.as_str(), password), None);

    b.update(
        &renamed,
        &AccountUpdate {
            display_name: Some("Võ Thị Thu Ân".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert!(
        db.cli(&["mailbox", "view", renamed.as_str()])
            .contains("Name: Võ Thị Thu Ân")
    );
    b.delete(&renamed).await.unwrap();
    assert!(b.observe().await.unwrap().accounts.is_empty());
    assert_eq!(logs_in(&dovecot, renamed.as_str(), password), None);
    assert!(
        work.path().join(format!("mail/{domain}/anvtt")).is_dir(),
        "the mail folder stays on disk, as PostfixAdmin leaves it"
    );
    // PostfixAdmin's own rows for the domain (abuse@, postmaster@, …) were never touched.
    assert!(
        db.sql(&format!("select address from alias where domain = '{domain}'"))
            .contains("postmaster@")
    );
}

fn block_on(f: impl std::future::Future<Output = ()>) {
    let _turn = one_at_a_time();
    tokio::runtime::Runtime::new().unwrap().block_on(f);
}

#[test]
fn accounts_log_in_and_keep_their_mail_across_a_rename_on_postgres() {
    block_on(accounts_work_in_dovecot(&Db::postgres(), "bdt.pfa-pg.test"));
}

#[test]
fn accounts_log_in_and_keep_their_mail_across_a_rename_on_mariadb() {
    block_on(accounts_work_in_dovecot(&Db::mariadb(), "bdt.pfa-my.test"));
}

/// A copy of the example agency with `binhthuan.gov.vn` replaced by `base`, applied to `db`.
struct Agency<'a> {
    db: &'a Db,
    example: common::example_copy::ExampleCopy,
}

impl std::ops::Deref for Agency<'_> {
    type Target = common::example_copy::ExampleCopy;
    fn deref(&self) -> &Self::Target {
        &self.example
    }
}

impl<'a> Agency<'a> {
    fn new(db: &'a Db, base: &str) -> Self {
        let example = common::example_copy::ExampleCopy::new(Some(base));
        db.fresh_domain(&format!("bdt.{base}"));
        db.fresh_domain(base);
        Self { db, example }
    }

    fn args(&self, date: &str) -> Vec<String> {
        self.apply_args(&self.db.url, date)
    }

    fn apply(&self, date: &str) -> Run {
        let out = Command::new(env!("CARGO_BIN_EXE_mailops"))
            .env("MAILOPS_TODAY", date)
            .args(self.args(date))
            .env_remove("RUST_LOG")
            .env("NO_COLOR", "1")
            .env("MAILOPS_TOKEN", env("POSTFIXADMIN_PASSWORD"))
            .output()
            .expect("run mailops");
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8(out.stdout).unwrap(),
            stderr: String::from_utf8(out.stderr).unwrap(),
        }
    }

    /// The last password handed out for each mailbox.
    fn passwords(&self) -> BTreeMap<String, String> {
        self.credentials()
            .into_iter()
            .map(|(mailbox, password, _)| (mailbox, password))
            .collect()
    }
}

/// The example's life on PostfixAdmin, as on Modoboa: created, a no-op with 0 writes, a rename, a
/// transfer out, the agency mailbox handed over, a removal over the budget.
fn agency_lifecycle(db: &Db, base: &str) {
    let _turn = one_at_a_time();
    let agency = Agency::new(db, base);
    let d = format!("bdt.{base}");
    let work = tempfile::tempdir().unwrap();
    let dovecot = db.dovecot(work.path());

    let first = agency.apply("2026-12-01");
    assert_eq!(first.code, 0, "{}{}", first.stdout, first.stderr);
    assert!(
        first.stdout.contains("Apply: 27 applied, 0 blocked, 0 failed."),
        "{}",
        first.stdout
    );
    let view = db.cli(&["mailbox", "view", &format!("anvtt@{d}")]);
    assert!(view.contains("Name: Võ Thị Thu An"), "{view}");
    assert!(
        view.contains("Quota: 2098"),
        "2GiB in PostfixAdmin's MB, rounded up: {view}"
    );
    // Every password handed out is the one Dovecot checks.
    let passwords = agency.passwords();
    assert_eq!(passwords.len(), 25);
    for (mailbox, password) in &passwords {
        assert_eq!(logs_in(&dovecot, mailbox, password), Some(0), "{mailbox}");
    }
    for password in passwords.values() {
        assert!(!first.stdout.contains(password.as_str()) && !first.stderr.contains(password.as_str()));
    }

    // A second apply writes nothing.
    let before = db.log_len();
    let again = agency.apply("2026-12-01");
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert!(again.stdout.contains("No changes."), "{}", again.stdout);
    let writes = db.writes_since(before);
    assert!(writes.is_empty(), "{writes:#?}");

    // A name correction: a rename, the old address kept as an alias, the mail kept.
    let nhung = format!("nhungvt@{d}");
    lmtp_deliver(dovecot.lmtp_port.unwrap(), &nhung, "Thu gui chi Nhung");
    agency.edit(
        "staff/ban-dan-toc/vo-thuy-nhung.yaml",
        "fullName: Võ Thùy Nhung",
        "fullName: Võ Thị Thùy Nhung",
    );
    let rename = agency.apply("2026-12-01");
    assert_eq!(rename.code, 0, "{}{}", rename.stdout, rename.stderr);
    assert!(
        rename.stdout.contains(&format!("rename {nhung} → nhungvtt@{d}")),
        "{}",
        rename.stdout
    );
    assert_eq!(
        logs_in(&dovecot, &format!("nhungvtt@{d}"), &passwords[&nhung]),
        Some(1),
        "the same password, the same mail, under the new address"
    );
    assert!(
        db.sql(&format!("select goto from alias where address = '{nhung}'"))
            .contains(&format!("nhungvtt@{d}"))
    );
    assert!(agency.apply("2026-12-01").stdout.contains("No changes."));

    // A transfer out: suspended now (login refused), deleted after the grace period, the mail left on disk.
    std::fs::remove_file(agency.file("staff/ban-dan-toc/mai-dac-hoa.yaml")).unwrap();
    let hoa = format!("hoamd@{d}");
    assert_eq!(logs_in(&dovecot, &hoa, &passwords[&hoa]), Some(0));
    let out = agency.apply("2026-12-01");
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert_eq!(db.active(&hoa), "0");
    assert_eq!(logs_in(&dovecot, &hoa, &passwords[&hoa]), None);
    let waiting = agency.apply("2026-12-15");
    assert!(
        waiting.stdout.contains("may be deleted after 2026-12-31"),
        "{}",
        waiting.stdout
    );
    let deleted = agency.apply("2027-01-01");
    assert_eq!(deleted.code, 0, "{}", deleted.stdout);
    assert!(
        deleted.stdout.contains("the mail stays on the server's disk"),
        "{}",
        deleted.stdout
    );
    assert_eq!(db.active(&hoa), "", "the row is gone");
    assert!(
        work.path().join(format!("mail/{d}/hoamd")).is_dir(),
        "the mail is not"
    );

    // The head of the agency replaced: the agency mailbox's password rotated, handed to the new holders.
    let agency_mailbox = format!("bdt@{base}");
    let old = passwords[&agency_mailbox].clone();
    agency.edit("agency-mailbox.yaml", "owner: mai-sen", "owner: truong-ngoc-phuc");
    let handover = agency.apply("2027-01-02");
    assert_eq!(handover.code, 0, "{}{}", handover.stdout, handover.stderr);
    assert!(handover.stdout.contains("handed over"), "{}", handover.stdout);
    let new = agency.passwords()[&agency_mailbox].clone();
    assert_ne!(new, old);
    let holders: Vec<String> = agency
        .credentials()
        .into_iter()
        .filter(|c| c.1 == new)
        .map(|c| c.2)
        .collect();
    assert_eq!(holders, [format!("hienttm@{d}"), format!("phuctn@{d}")]);
    assert_eq!(logs_in(&dovecot, &agency_mailbox, &new), Some(0));
    assert_eq!(
        logs_in(&dovecot, &agency_mailbox, &old),
        None,
        "the former head's password is void"
    );

    // A mass removal over the budget: blocked, the rest applied, exit 3.
    for e in std::fs::read_dir(agency.file("staff/trung-tam-dvmn")).unwrap() {
        std::fs::remove_file(e.unwrap().path()).unwrap();
    }
    std::fs::write(
        agency.file("staff/ban-dan-toc/nguyen-thi-lan.yaml"),
        common::new_hire("nguyen-thi-lan", "Nguyễn Thị Lan", "ban-dan-toc"),
    )
    .unwrap();
    let mass = agency.apply("2027-01-03");
    assert_eq!(mass.code, 3, "{}", mass.stdout);
    assert!(
        mass.stdout.contains("Apply: 1 applied, 7 blocked, 0 failed."),
        "{}",
        mass.stdout
    );
    assert_eq!(db.active(&format!("lannt@{d}")), "1");
    assert_eq!(
        db.sql(&format!(
            "select count(*) from mailbox where domain = '{d}' and active = false"
        ))
        .trim(),
        "0",
        "nobody of the blocked removal was suspended"
    );

    // The audit log names every change and holds no password.
    let audit = std::fs::read_to_string(agency.work.path().join("audit.jsonl")).unwrap();
    assert!(audit.lines().count() > 30);
    for (_, password, _) in agency.credentials() {
        assert!(!audit.contains(&password));
    }
}

#[test]
fn the_agency_lifecycle_on_postfixadmin_postgres() {
    agency_lifecycle(&Db::postgres(), "pg.pfa.test");
}

#[test]
fn the_agency_lifecycle_on_postfixadmin_mariadb() {
    agency_lifecycle(&Db::mariadb(), "my.pfa.test");
}

impl Db {
    /// Every new mailbox row of a `bdt.kill…` domain takes 40 ms more (a trigger sleeping in the server), so
    /// that a kill can land anywhere in a creation of the example; other domains are not slowed.
    fn slow_kill_domains(&self) {
        if self.driver == "pgsql" {
            self.sql(
                "create or replace function mailops_test_slow() returns trigger language plpgsql as $$ \
                 begin if new.domain like 'bdt.kill%' then perform pg_sleep(0.04); end if; return new; end $$; \
                 drop trigger if exists mailops_test_slow on mailbox; \
                 create trigger mailops_test_slow before insert on mailbox for each row execute function mailops_test_slow()",
            );
        } else {
            self.sql("drop trigger if exists mailops_test_slow");
            self.sql(
                "create trigger mailops_test_slow before insert on mailbox for each row \
                 set @mailops_test_slept = if(new.domain like 'bdt.kill%', sleep(0.04), 0)",
            );
        }
    }
}

/// `kill -9` of mailops at `rounds` moments of the example's creation (after a random number of the 24 rows
/// exist): the next run converges, every mailbox exists once, its password was handed out exactly once and is
/// the one Dovecot checks.
fn kill_9_during_creation(db: &Db, tag: &str, rounds: u64) {
    let _turn = one_at_a_time();
    db.slow_kill_domains();
    let work = tempfile::tempdir().unwrap();
    let dovecot = db.dovecot(work.path());
    let mut rng_state: u64 = 0x6b69_6c6c ^ rounds;
    let mut next_rand = |n: u64| {
        rng_state = rng_state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        (rng_state >> 33) % n
    };
    let mut mid_apply = 0;
    for round in 0..rounds {
        let base = format!("kill{round}.{tag}.test");
        let agency = Agency::new(db, &base);
        let d = format!("bdt.{base}");
        let mut args = agency.args("2026-12-01");
        args.extend(["--concurrency".to_string(), "1".to_string()]);
        let mut child = Command::new(env!("CARGO_BIN_EXE_mailops"))
            .envs(common::calendar_env(&args))
            .args(&args)
            .env_remove("RUST_LOG")
            .env("MAILOPS_TOKEN", env("POSTFIXADMIN_PASSWORD"))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        // After 1 to 23 mailbox rows exist, plus up to 60 ms (inside a creation, or between two). Not after
        // so many passwords: they are all handed out before the first creation (intent before effect).
        let wanted = 1 + next_rand(23) as usize;
        let extra = std::time::Duration::from_millis(next_rand(60));
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        let rows = || {
            db.sql(&format!("select count(*) from mailbox where domain = '{d}'"))
                .trim()
                .parse::<usize>()
                .unwrap_or(0)
        };
        while rows() < wanted && std::time::Instant::now() < deadline {
            assert!(
                child.try_wait().unwrap().is_none(),
                "round {round}: ended before the kill"
            );
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
        std::thread::sleep(extra);
        child.kill().unwrap();
        child.wait().unwrap();
        let made = rows();
        if agency.work.path().join("state.json.journal").exists() {
            mid_apply += 1;
        }

        let next = agency.apply("2026-12-01");
        assert_eq!(next.code, 0, "round {round}: {}{}", next.stdout, next.stderr);
        let mut by_mailbox: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (mailbox, password, _) in agency.credentials() {
            by_mailbox.entry(mailbox).or_default().push(password);
        }
        let rows = db.sql(&format!("select username from mailbox where domain = '{d}'"));
        let rows: Vec<&str> = rows.lines().filter(|l| !l.is_empty()).collect();
        assert_eq!(rows.len(), 24, "round {round}: every person once");
        for address in rows {
            let got = by_mailbox.get(address).map_or(0, Vec::len);
            assert_eq!(got, 1, "round {round}: {address} has {got} passwords");
            assert_eq!(
                logs_in(&dovecot, address, &by_mailbox[address][0]),
                Some(0),
                "round {round}: the password handed out for {address} opens it"
            );
        }
        let audit = std::fs::read_to_string(agency.work.path().join("audit.jsonl")).unwrap();
        let mut creates: BTreeMap<String, usize> = BTreeMap::new();
        for l in audit.lines() {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            if v["action"] == "create" && v["outcome"] == "applied" {
                *creates
                    .entry(v["address"].as_str().unwrap().to_string())
                    .or_default() += 1;
            }
        }
        assert!(creates.values().all(|n| *n == 1), "round {round}: {creates:?}");
        assert_eq!(creates.len(), 25, "round {round}: every creation audited once");
        assert!(!agency.work.path().join("state.json.journal").exists());
        assert!(agency.apply("2026-12-01").stdout.contains("No changes."));
        eprintln!("round {round}: killed after {wanted} rows + {extra:?}, with {made} of 24 made: ok");
    }
    assert!(mid_apply > 0, "no kill landed inside an apply");
}

#[test]
fn kill_9_during_creation_on_postgres_delivers_every_password_once() {
    kill_9_during_creation(&Db::postgres(), "pg", 4);
}

#[test]
fn kill_9_during_creation_on_mariadb_delivers_every_password_once() {
    kill_9_during_creation(&Db::mariadb(), "my", 3);
}

/// Rows mailops does not manage, as an administrator made them by hand: never changed, byte for byte, through
/// creation, a rename, a suspension and a deletion; a name full of quotes and placeholders is stored as text.
fn hand_made_rows_are_kept(db: &Db, base: &str) {
    let _turn = one_at_a_time();
    let agency = Agency::new(db, base);
    let d = format!("bdt.{base}");
    // A list with two targets (one of them a managed mailbox), a forward elsewhere, a row whose username is
    // not an address mailops manages, and a mailbox's alias in another domain.
    let hand = [
        format!(
            "insert into alias (address, goto, domain, active, created, modified) values \
             ('team@{d}', 'nhungvt@{d},lanhtn@{d}', '{d}', true, '2020-01-01', '2020-01-01'), \
             ('fwd@{d}', 'someone@example.org', '{d}', true, '2020-01-01', '2020-01-01')"
        ),
        format!(
            "insert into mailbox (username, password, name, maildir, quota, local_part, domain, active, created, modified) values \
             ('Old Account@{d}', '{{PLAIN}}x', 'Hand made', '{d}/old/', 0, 'Old Account', '{d}', true, '2020-01-01', '2020-01-01')"
        ),
    ];
    for statement in &hand {
        db.sql(statement);
    }
    let unmanaged = || {
        db.sql(&format!(
            "select address, goto, active, created, modified from alias where domain in ('{d}', '{base}') \
             and address in ('team@{d}', 'fwd@{d}', 'abuse@{d}', 'postmaster@{d}', 'abuse@{base}') \
             union all select username, password, active, created, modified from mailbox where username = 'Old Account@{d}' \
             order by 1"
        ))
    };
    let before = unmanaged();
    assert_eq!(before.lines().count(), 6, "{before}");

    let first = agency.apply("2026-12-01");
    assert_eq!(first.code, 0, "{}{}", first.stdout, first.stderr);
    assert!(
        first.stdout.contains(&format!(
            "left as they are: a mailbox row is not an address mailops manages: `Old Account@{d}`"
        )),
        "{}",
        first.stdout
    );
    agency.edit(
        "staff/ban-dan-toc/vo-thuy-nhung.yaml",
        "fullName: Võ Thùy Nhung",
        "fullName: Võ Thị Thùy Nhung",
    );
    std::fs::remove_file(agency.file("staff/ban-dan-toc/mai-dac-hoa.yaml")).unwrap();
    assert_eq!(agency.apply("2026-12-01").code, 0);
    assert_eq!(agency.apply("2027-01-01").code, 0);
    assert_eq!(db.active(&format!("hoamd@{d}")), "", "deleted");
    assert_eq!(
        unmanaged(),
        before,
        "rows mailops does not manage are exactly as they were"
    );

    // Values are bound, never spliced into a statement: a name of quotes, a backslash and placeholders.
    let tricky = "O'Brien \\ $1 ?; DROP TABLE mailbox; -- Nguyễn";
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let b = db.backend(&[d.as_str()]);
        b.update(
            &a(&format!("anvtt@{d}")),
            &AccountUpdate {
                display_name: Some(tricky.into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let o = b.observe().await.unwrap();
        let an = o.accounts.iter().find(|x| x.address.local() == "anvtt").unwrap();
        assert_eq!(an.display_name, tricky);
        assert!(
            o.problems.iter().any(|p| p.contains("Old Account@")),
            "{:?}",
            o.problems
        );
    });
    assert_eq!(unmanaged(), before);
}

#[test]
fn hand_made_rows_are_kept_on_postgres() {
    hand_made_rows_are_kept(&Db::postgres(), "hand.pg.test");
}

#[test]
fn hand_made_rows_are_kept_on_mariadb() {
    hand_made_rows_are_kept(&Db::mariadb(), "hand.my.test");
}

/// `tls=verify-full&tls-ca=…`: the connection is TLS, the server's certificate checked against the test's own
/// authority; without that authority the same server is refused (its certificate is not from the Web PKI),
/// and nothing is read.
async fn tls_is_verified(db: &Db) {
    let ca = env("POSTFIXADMIN_TLS_CA");
    let verified = db.backend_with(&["tls.test"], &format!("tls=verify-full&tls-ca={ca}"));
    verified.observe().await.expect("TLS with the test's authority");
    if db.driver == "pgsql" {
        // The pool keeps its connection open: PostgreSQL says it is encrypted.
        let ssl = db.sql("select count(*) from pg_stat_ssl s join pg_stat_activity a using (pid) where s.ssl and a.usename = 'postfix'");
        assert_ne!(ssl.trim(), "0", "an encrypted connection of mailops");
    }
    let unverified = db.backend_with(&["tls.test"], "tls=verify-full");
    let e = unverified.observe().await.unwrap_err().to_string();
    assert!(
        e.to_lowercase().contains("certificate") || e.to_lowercase().contains("issuer") || e.contains("tls"),
        "{e}"
    );
    assert!(!e.contains(&env("POSTFIXADMIN_PASSWORD")), "{e}");
}

#[test]
fn tls_is_verified_on_postgres() {
    block_on(tls_is_verified(&Db::postgres()));
}

#[test]
fn tls_is_verified_on_mariadb() {
    block_on(tls_is_verified(&Db::mariadb()));
}
