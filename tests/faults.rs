//! Faults a real machine has, made for real and bounded: a full disk (a small tmpfs, in a mount namespace of
//! the test's own, gone when the test ends) during `apply` and `import`, a read-only mail folder, a person
//! editing the passwd-file while an apply rewrites it, and `kill -9` during deletions followed by a re-run in
//! the same second. After each: no mail, account, password or hand-made line lost, no temporary file, the
//! audit log readable line by line, and the next plan "No changes".
//!
//! The mount namespaces need root or unprivileged user namespaces (`unshare`); `tests/run.sh` runs as root.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const DOMAIN: &str = "bdt.binhthuan.gov.vn";

/// A copy of the example with `people` generated hires, safety limits that allow removing them all at
/// once, and one day of grace.
struct Site {
    tmp: tempfile::TempDir,
    repo: PathBuf,
    mail: PathBuf,
}

impl Site {
    fn new(people: usize) -> (Self, Vec<String>) {
        let tmp = tempfile::tempdir().unwrap();
        let repo = tmp.path().join("repo");
        common::copy_dir(&common::root().join(common::EXAMPLE), &repo);
        let org = repo.join("organization.yaml");
        let text = std::fs::read_to_string(&org).unwrap();
        let text = text
            .replace("maxDeletions: 2", "maxDeletions: 1000")
            .replace("maxDeletionPercent: 10", "maxDeletionPercent: 100")
            .replace("graceDays: 30", "graceDays: 1");
        std::fs::write(&org, text).unwrap();
        let dir = repo.join("staff/generated");
        std::fs::create_dir_all(&dir).unwrap();
        let mut addresses = Vec::new();
        for i in 0..people {
            // Given names of letters only, all different: `Nguyễn Văn Xa`, `Xb`, …
            let mut given = String::from("X");
            let mut n = i;
            loop {
                given.push((b'a' + (n % 26) as u8) as char);
                n /= 26;
                if n == 0 {
                    break;
                }
            }
            let full = format!("Nguyễn Văn {given}");
            std::fs::write(
                dir.join(format!("p{i}.yaml")),
                format!(
                    "apiVersion: mailops.dev/v1alpha1\nkind: Mailbox\nmetadata:\n  name: p{i}\nspec:\n  fullName: {full}\n  unit: ban-dan-toc\n"
                ),
            )
            .unwrap();
            addresses.push(format!("{}@{DOMAIN}", mailops::naming::derive(&full).unwrap()));
        }
        let mail = tmp.path().join("mail");
        (Self { tmp, repo, mail }, addresses)
    }

    fn args(&self, date: &str) -> Vec<String> {
        [
            "apply",
            &self.repo.display().to_string(),
            "--server",
            &format!("maildir:{}", self.mail.display()),
            "--date",
            date,
            "--yes",
        ]
        .map(str::to_string)
        .to_vec()
    }

    fn apply(&self, date: &str) -> common::Run {
        let args = self.args(date);
        common::mailops(&args.iter().map(String::as_str).collect::<Vec<_>>())
    }

    fn plan(&self, date: &str) -> common::Run {
        let repo = self.repo.display().to_string();
        let server = format!("maildir:{}", self.mail.display());
        common::mailops(&["plan", &repo, "--server", &server, "--date", date])
    }

    fn passwd(&self) -> String {
        std::fs::read_to_string(self.mail.join("passwd")).unwrap_or_default()
    }

    fn accounts(&self) -> BTreeSet<String> {
        accounts_of(&self.passwd())
    }
}

fn accounts_of(passwd: &str) -> BTreeSet<String> {
    passwd
        .lines()
        .filter(|l| !l.starts_with('#') && l.contains(&format!("@{DOMAIN}:")) || l.starts_with("bdt@"))
        .map(|l| l.split(':').next().unwrap().to_string())
        .collect()
}

/// Every file below `dir` whose name marks it as a leftover of an interrupted write.
fn leftovers(dir: &Path) -> Vec<PathBuf> {
    common::files_below(dir)
        .into_iter()
        .filter(|p| {
            let n = p.file_name().unwrap().to_string_lossy().to_string();
            n.starts_with(".mailops-tmp-") || n.ends_with(".deleting")
        })
        .collect()
}

/// The audit log's lines that parse (a line torn by a full disk or a kill may not), and how many do not.
fn audit(mail: &Path) -> (Vec<serde_json::Value>, usize) {
    let text = std::fs::read_to_string(mail.join("mailops-audit.jsonl")).unwrap_or_default();
    let mut torn = 0;
    let mut lines = Vec::new();
    for l in text.lines() {
        match serde_json::from_str(l) {
            Ok(v) => lines.push(v),
            Err(_) => torn += 1,
        }
    }
    (lines, torn)
}

/// Every well-formed credentials line: mailbox → passwords.
fn credentials(mail: &Path) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let text = std::fs::read_to_string(mail.join("mailops-credentials.txt")).unwrap_or_default();
    for l in text.lines() {
        let f: Vec<&str> = l.split('\t').collect();
        if f.len() == 3 {
            out.entry(f[0].to_string()).or_default().push(f[1].to_string());
        }
    }
    out
}

/// Each account of `passwd` has exactly one delivered password, and it opens the account.
fn one_working_password_each(mail: &Path, passwd: &str, moment: &str) {
    let creds = credentials(mail);
    for line in passwd.lines().filter(|l| !l.starts_with('#') && !l.is_empty()) {
        let mut f = line.splitn(3, ':');
        let (user, hash) = (f.next().unwrap(), f.next().unwrap_or_default());
        let Some(hash) = hash.strip_prefix("{SHA512-CRYPT}") else {
            continue;
        };
        let delivered = creds.get(user).map_or(&[][..], Vec::as_slice);
        assert_eq!(
            delivered.len(),
            1,
            "{moment}: {user} has {} delivered passwords",
            delivered.len()
        );
        assert!(
            sha_crypt::sha512_check(&delivered[0], hash).is_ok(),
            "{moment}: the password delivered for {user} does not open it"
        );
    }
}

/// `script` in a mount namespace of its own (`unshare -m`), where it may mount what it likes: the mounts
/// are gone when it ends. `$MAILOPS` is the binary.
fn in_namespace(script: &str, dir: &Path) -> common::Run {
    Command::new("unshare")
        .args(["-m", "--propagation", "private", "sh", "-euc", script])
        .current_dir(dir)
        .env("MAILOPS", env!("CARGO_BIN_EXE_mailops"))
        .env("MAILOPS_TODAY", "2026-12-01")
        .env("LANG", "C.UTF-8")
        .env("NO_COLOR", "1")
        .output()
        .expect("unshare (util-linux) runs")
        .into()
}

/// A full disk during an apply: the mail folder on a 4 MiB tmpfs with only `free` bytes left. The apply
/// fails where the disk fills; once room is made, the next apply finishes everything: every account with
/// exactly one working password, the audit log's every whole line readable (a torn one ended, never glued to
/// the next), no temporary file, and the plan after "No changes".
#[test]
fn a_full_disk_during_apply_loses_nothing_and_the_next_apply_finishes() {
    for free in [4_096_u64, 12_288, 24_576, 40_960, 65_536] {
        let (site, hires) = Site::new(40);
        let repo = site.repo.display().to_string();
        let out = site.tmp.path().join("after");
        let script = format!(
            r#"d="$PWD/disk"; mkdir -p "$d"
mount -t tmpfs -o size=4m tmpfs "$d"
fallocate -l $((4 * 1024 * 1024 - {free})) "$d/filler"
set +e
"$MAILOPS" apply "{repo}" --server maildir:"$d/mail" --date 2026-12-01 --yes >"$PWD/first.out" 2>&1
echo "first: $?"
rm "$d/filler"
"$MAILOPS" apply "{repo}" --server maildir:"$d/mail" --date 2026-12-01 --yes >"$PWD/second.out" 2>&1
echo "second: $?"
"$MAILOPS" plan "{repo}" --server maildir:"$d/mail" --date 2026-12-01 >"$PWD/plan.out" 2>&1
echo "plan: $?"
cp -a "$d/mail" "{out}"
"#,
            out = out.display()
        );
        let r = in_namespace(&script, site.tmp.path());
        let read = |f: &str| std::fs::read_to_string(site.tmp.path().join(f)).unwrap_or_default();
        let moment = format!("{free} bytes free");
        assert!(
            r.stdout.contains("second: 0") && r.stdout.contains("plan: 0"),
            "{moment}: {}{}\nfirst:\n{}\nsecond:\n{}\nplan:\n{}",
            r.stdout,
            r.stderr,
            read("first.out"),
            read("second.out"),
            read("plan.out")
        );
        println!("{moment}: {}", r.stdout.lines().next().unwrap_or_default());
        let passwd = std::fs::read_to_string(out.join("passwd")).unwrap();
        let accounts = accounts_of(&passwd);
        assert_eq!(accounts.len(), 25 + hires.len(), "{moment}");
        one_working_password_each(&out, &passwd, &moment);
        let (lines, torn) = audit(&out);
        assert!(torn <= 1, "{moment}: {torn} torn audit lines");
        let created: BTreeSet<&str> = lines
            .iter()
            .filter(|l| l["action"] == "create" && l["outcome"] == "applied")
            .filter_map(|l| l["address"].as_str())
            .collect();
        for h in &hires {
            assert!(
                created.contains(h.as_str()),
                "{moment}: no audit line of {h}'s creation"
            );
        }
        assert!(leftovers(&out).is_empty(), "{moment}: {:?}", leftovers(&out));
    }
}

/// A full disk during an import: nothing is left in the output folder (not even a staging folder), and
/// the server's files are as they were.
#[test]
fn a_full_disk_during_import_writes_nothing() {
    let (site, _) = Site::new(0);
    assert_eq!(site.apply("2026-12-01").code, 0);
    let before = site.passwd();
    let script = format!(
        r#"d="$PWD/disk"; mkdir -p "$d"
mount -t tmpfs -o size=64k tmpfs "$d"
fallocate -l $((64 * 1024 - 8192)) "$d/filler"
set +e
"$MAILOPS" import --server maildir:"{mail}" --out "$d/repo" >"$PWD/import.out" 2>&1
echo "import: $?"
ls -A "$d"
"#,
        mail = site.mail.display()
    );
    let r = in_namespace(&script, site.tmp.path());
    let said = std::fs::read_to_string(site.tmp.path().join("import.out")).unwrap_or_default();
    assert!(r.stdout.contains("import: 1"), "{}{}\n{said}", r.stdout, r.stderr);
    // Only the filler is on the disk: no repository, no staging folder.
    let on_disk: Vec<&str> = r.stdout.lines().skip(1).collect();
    assert_eq!(on_disk, ["filler"], "{said}");
    assert!(said.contains("No space left on device"), "{said}");
    assert_eq!(site.passwd(), before);
}

/// A read-only mail folder: the apply says so and changes nothing; once writable, the next apply does it.
#[test]
fn a_read_only_mail_folder_is_refused_clearly_and_changed_later() {
    let (site, hires) = Site::new(3);
    std::fs::remove_dir_all(site.repo.join("staff/generated")).unwrap();
    assert_eq!(site.apply("2026-12-01").code, 0);
    let before = site.passwd();
    // The hires come back in the repository.
    let (_, again) = {
        let (other, again) = Site::new(3);
        common::copy_dir(
            &other.repo.join("staff/generated"),
            &site.repo.join("staff/generated"),
        );
        (other, again)
    };
    assert_eq!(again, hires);
    let repo = site.repo.display().to_string();
    let script = format!(
        r#"m="{mail}"
mount --bind "$m" "$m"
mount -o remount,bind,ro "$m"
set +e
"$MAILOPS" apply "{repo}" --server maildir:"$m" --date 2026-12-01 --yes >"$PWD/ro.out" 2>&1
echo "read-only: $?"
"#,
        mail = site.mail.display()
    );
    let r = in_namespace(&script, site.tmp.path());
    let said = std::fs::read_to_string(site.tmp.path().join("ro.out")).unwrap_or_default();
    assert!(
        r.stdout.contains("read-only: 1") || r.stdout.contains("read-only: 3"),
        "{}{}\n{said}",
        r.stdout,
        r.stderr
    );
    assert!(said.contains("Read-only file system"), "{said}");
    assert_eq!(site.passwd(), before, "nothing changed");
    let run = site.apply("2026-12-01");
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(hires.iter().all(|h| site.accounts().contains(h)));
    one_working_password_each(&site.mail, &site.passwd(), "after the read-only folder");
}

/// A person edits the passwd-file (appending comments and hand-made accounts, in place) while an apply of
/// 300 hires rewrites it batch after batch: every line they wrote is there afterwards, once, and so is every
/// hire. Bounded: 300 hires, 6 rounds.
#[test]
fn a_persons_edits_of_the_passwd_file_during_an_apply_are_kept() {
    use std::io::Write;
    let mut retried = 0;
    for round in 0..6 {
        let (site, hires) = Site::new(300);
        // The folder exists with the example first (the person edits a file that is there).
        let generated = site.tmp.path().join("generated");
        std::fs::rename(site.repo.join("staff/generated"), &generated).unwrap();
        assert_eq!(site.apply("2026-12-01").code, 0);
        std::fs::rename(&generated, site.repo.join("staff/generated")).unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_mailops"))
            .args(site.args("2026-12-01"))
            .env("MAILOPS_TODAY", "2026-12-01")
            .env("RUST_LOG", "mailops=info")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut written = Vec::new();
        let started = Instant::now();
        let mut n = 0;
        while child.try_wait().unwrap().is_none() && started.elapsed() < Duration::from_secs(60) {
            let line = if n % 2 == 0 {
                format!("# ghi chú {round}-{n} của cán bộ CNTT")
            } else {
                format!("tay{n}@other.gov.vn:{{PLAIN}}x::::::")
            };
            let mut f = std::fs::OpenOptions::new()
                .append(true)
                .open(site.mail.join("passwd"))
                .unwrap();
            f.write_all(format!("{line}\n").as_bytes()).unwrap();
            drop(f);
            written.push(line);
            n += 1;
            // A quick hand: a line every 40 to 130 ms, while each batch rewrites the file.
            std::thread::sleep(Duration::from_millis(40 + (n % 7) * 15));
        }
        let mut err = String::new();
        child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
        let status = child.wait().unwrap();
        retried += err
            .matches("changed by someone else while mailops wrote it")
            .count();
        assert!(status.success(), "round {round}: {err}");
        let passwd = site.passwd();
        for line in &written {
            let count = passwd.lines().filter(|l| l == line).count();
            assert_eq!(
                count, 1,
                "round {round}: the person's line `{line}` is there {count} times"
            );
        }
        let accounts = site.accounts();
        assert!(hires.iter().all(|h| accounts.contains(h)), "round {round}");
        println!(
            "round {round}: {} lines written by hand during the apply, all kept",
            written.len()
        );
    }
    // The race was run into: a line came while a batch was being written, and the batch was made again.
    println!("{retried} batches made again on the person's new lines");
    assert!(
        retried > 0,
        "no line came while a batch was written: the test did not test"
    );
}

/// `kill -9` of an apply deleting 40 mailboxes, at moments spread over the run, followed at once by a
/// re-run (in the same second as the kill: an archive named by the second would be overwritten). Each
/// deleted mailbox ends as exactly one archive holding every one of its messages; no home, record or
/// temporary file is left; the plan after "No changes". Bounded: 8 kills.
#[test]
fn kill_9_during_deletions_and_a_rerun_in_the_same_second_lose_no_mail() {
    for (round, delay_ms) in [0_u64, 5, 15, 30, 50, 80, 120, 200].into_iter().enumerate() {
        let (site, hires) = Site::new(40);
        assert_eq!(site.apply("2026-12-01").code, 0);
        // Mail in every mailbox to delete: three messages, one in a subfolder.
        let mut messages: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
        for h in &hires {
            let (local, domain) = h.split_once('@').unwrap();
            let home = site.mail.join("mail").join(domain).join(local);
            let mut mine = BTreeMap::new();
            for (i, folder) in ["Maildir/new", "Maildir/cur", "Maildir/.Sent/cur"]
                .iter()
                .enumerate()
            {
                std::fs::create_dir_all(home.join(folder)).unwrap();
                let name = format!("{folder}/1796{i}.M1P1.host");
                let body = format!("From: x@y.vn\r\nSubject: thư {i} của {h}\r\n\r\nNội dung {i}\r\n");
                std::fs::write(home.join(&name), &body).unwrap();
                mine.insert(format!("{local}/{name}"), body);
            }
            messages.insert(h.clone(), mine);
        }
        std::fs::remove_dir_all(site.repo.join("staff/generated")).unwrap();
        let suspended = site.apply("2026-12-01");
        assert_eq!(suspended.code, 0, "{}{}", suspended.stdout, suspended.stderr);
        // The deletions: killed after `delay_ms`, then at once a re-run.
        let mut child = Command::new(env!("CARGO_BIN_EXE_mailops"))
            .args(site.args("2026-12-03"))
            .env("MAILOPS_TODAY", "2026-12-03")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        let _ = child.kill();
        child.wait().unwrap();
        let rerun = site.apply("2026-12-03");
        let moment = format!("round {round} (killed after {delay_ms} ms)");
        assert_eq!(rerun.code, 0, "{moment}: {}{}", rerun.stdout, rerun.stderr);
        let accounts = site.accounts();
        let archive_dir = site.mail.join("archive").join(DOMAIN);
        let archives: Vec<PathBuf> = std::fs::read_dir(&archive_dir)
            .map(|d| d.flatten().map(|e| e.path()).collect())
            .unwrap_or_default();
        for h in &hires {
            assert!(!accounts.contains(h), "{moment}: {h} still on the server");
            let local = h.split('@').next().unwrap();
            assert!(
                !site.mail.join("mail").join(DOMAIN).join(local).exists(),
                "{moment}: {h}'s home left"
            );
            let mine: Vec<&PathBuf> = archives
                .iter()
                .filter(|p| {
                    let n = p.file_name().unwrap().to_string_lossy().to_string();
                    n.strip_prefix(&format!("{local}-"))
                        .is_some_and(|rest| rest.ends_with(".tar.gz"))
                })
                .collect();
            assert_eq!(mine.len(), 1, "{moment}: {h} has {} archives", mine.len());
            let mut found = BTreeMap::new();
            let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(
                std::fs::File::open(mine[0]).unwrap(),
            ));
            for e in tar.entries().unwrap() {
                let mut e = e.unwrap();
                if e.header().entry_type().is_file() {
                    let mut body = String::new();
                    e.read_to_string(&mut body).unwrap();
                    found.insert(e.path().unwrap().display().to_string(), body);
                }
            }
            for (name, body) in &messages[h] {
                assert_eq!(
                    found.get(name),
                    Some(body),
                    "{moment}: {h}'s archive lacks {name}"
                );
            }
        }
        assert!(
            leftovers(&site.mail).is_empty(),
            "{moment}: {:?}",
            leftovers(&site.mail)
        );
        let plan = site.plan("2026-12-03");
        assert_eq!(plan.code, 0, "{moment}: {}", plan.stdout);
        let (_, torn) = audit(&site.mail);
        assert!(torn <= 1, "{moment}: {torn} torn audit lines");
    }
}

/// `apply --date` in the past reasons for that day but records what it does as of today: a suspension
/// applied "as of" last month starts its grace period today, so the next ordinary run deletes nothing.
#[test]
fn a_past_date_never_backdates_a_suspension() {
    let (site, hires) = Site::new(2);
    let run = |date: Option<&str>, today: &str| {
        let server = format!("maildir:{}", site.mail.display());
        let mut args = vec![
            "apply".to_string(),
            site.repo.display().to_string(),
            "--server".into(),
            server,
        ];
        args.push("--yes".into());
        if let Some(d) = date {
            args.extend(["--date".into(), d.to_string()]);
        }
        let out = Command::new(env!("CARGO_BIN_EXE_mailops"))
            .args(&args)
            .env("MAILOPS_TODAY", today)
            .env("LANG", "C.UTF-8")
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    };
    assert_eq!(run(None, "2026-12-07").0, 0);
    std::fs::remove_dir_all(site.repo.join("staff/generated")).unwrap();
    // Suspended "as of" 2026-11-01, a month ago: one day of grace would have ended long since.
    let (code, out) = run(Some("2026-11-01"), "2026-12-07");
    assert_eq!(code, 0, "{out}");
    let state: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(site.mail.join("mailops-state.json")).unwrap())
            .unwrap();
    let recorded: Vec<&str> = state["entries"]
        .as_object()
        .unwrap()
        .values()
        .filter_map(|e| e["suspendedOn"].as_str())
        .collect();
    assert_eq!(recorded, ["2026-12-07", "2026-12-07"], "{state:#}");
    // The same day, without --date: nothing is deleted, and the day after the grace, both are.
    let (code, out) = run(None, "2026-12-07");
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("No changes") && hires.iter().all(|h| site.accounts().contains(h)),
        "{out}"
    );
    let (code, out) = run(None, "2026-12-09");
    assert_eq!(code, 0, "{out}");
    assert!(hires.iter().all(|h| !site.accounts().contains(h)), "{out}");
}
