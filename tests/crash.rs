//! Crash injection on the maildir backend: `kill -9` of a real `mailops apply` at seeded random moments of a
//! large apply (1,500 creations; 1,500 renames), then a re-run, then the invariants:
//! exactly the desired accounts; each with exactly one delivered password, and that password opens it;
//! none adopted that mailops created; no temporary file; every change once in the audit log; mail kept
//! across renames; no journal left; the next plan "No changes".

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use rand::{Rng, SeedableRng};

const PEOPLE: usize = 1_500;
const DOMAIN: &str = "bdt.binhthuan.gov.vn";
const DATE: &str = "2026-12-01";

const FAMILY: [&str; 8] = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Võ", "Đặng", "Bùi"];
const MIDDLE: [&str; 6] = ["Văn", "Thị", "Hữu", "Minh", "Ngọc", "Thanh"];
const GIVEN: [&str; 10] = [
    "An", "Bình", "Châu", "Dũng", "Giang", "Hà", "Lan", "Mai", "Nam", "Yến",
];

/// An extension of letters only (rule II.2), never the agency's short name: `x` + base-26 letters.
fn extension(mut n: usize) -> String {
    let mut s = vec![b'x'];
    loop {
        s.push(b'a' + (n % 26) as u8);
        n /= 26;
        if n == 0 {
            break;
        }
    }
    String::from_utf8(s).unwrap()
}

/// The example agency plus `PEOPLE` new hires; `corrected` gives everyone a corrected given name (a rename).
fn write_people(repo: &Path, corrected: bool) -> Vec<String> {
    let dir = repo.join("staff/generated");
    std::fs::create_dir_all(&dir).unwrap();
    let mut addresses = Vec::new();
    for i in 0..PEOPLE {
        let family = FAMILY[i % FAMILY.len()];
        let middle = MIDDLE[(i / 8) % MIDDLE.len()];
        let given = GIVEN[(i / 48) % GIVEN.len()];
        let given = if corrected {
            format!("{given}h")
        } else {
            given.to_string()
        };
        let ext = extension(i);
        let full = format!("{family} {middle} {given}");
        std::fs::write(
            dir.join(format!("p{i}.yaml")),
            format!(
                "apiVersion: mailops.dev/v1alpha1\nkind: Mailbox\nmetadata:\n  name: p{i}\nspec:\n  fullName: {full}\n  unit: ban-dan-toc\n  extension: {ext}\n"
            ),
        )
        .unwrap();
        let local = mailops::naming::derive(&full).unwrap();
        addresses.push(format!("{local}.{ext}@{DOMAIN}"));
    }
    addresses
}

struct Site {
    _tmp: tempfile::TempDir,
    repo: PathBuf,
    mail: PathBuf,
}

impl Site {
    fn new() -> Self {
        let tmp = tempfile::tempdir().unwrap();
        let repo = tmp.path().join("repo");
        common::copy_dir(&common::root().join(common::EXAMPLE), &repo);
        let mail = tmp.path().join("mail");
        Self {
            _tmp: tmp,
            repo,
            mail,
        }
    }

    fn server(&self) -> String {
        format!("maildir:{}", self.mail.display())
    }

    fn args(&self) -> Vec<String> {
        vec![
            "apply".into(),
            self.repo.display().to_string(),
            "--server".into(),
            self.server(),
            "--date".into(),
            DATE.into(),
            "--concurrency".into(),
            "4".into(),
        ]
    }

    fn audit(&self) -> PathBuf {
        self.mail.join("mailops-audit.jsonl")
    }

    /// Starts an apply and kills it with SIGKILL `delay` after `after` more changes are in the audit log
    /// (changes complete in batches, so the delay lands the kill inside the next one). Returns whether it
    /// was still running when killed.
    fn apply_killed(&self, after: usize, delay: Duration) -> bool {
        let mut child = Command::new(env!("CARGO_BIN_EXE_mailops"))
            .args(self.args())
            .env_remove("RUST_LOG")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let start = Instant::now();
        let mut reached: Option<Instant> = None;
        // The audit log's new lines, read incrementally (re-reading it whole would starve the apply).
        let mut seen = 0;
        let mut offset = std::fs::metadata(self.audit()).map_or(0, |m| m.len());
        let mut buf = Vec::new();
        loop {
            if child.try_wait().unwrap().is_some() {
                return false;
            }
            if reached.is_none() {
                if let Ok(mut f) = std::fs::File::open(self.audit()) {
                    use std::io::{Read, Seek};
                    buf.clear();
                    if f.seek(std::io::SeekFrom::Start(offset)).is_ok() && f.read_to_end(&mut buf).is_ok() {
                        offset += buf.len() as u64;
                        seen += buf.iter().filter(|c| **c == b'\n').count();
                    }
                }
                if seen >= after {
                    reached = Some(Instant::now());
                }
            }
            let due = reached.is_some_and(|t| t.elapsed() >= delay);
            if due || start.elapsed() > Duration::from_secs(300) {
                child.kill().unwrap();
                child.wait().unwrap();
                return true;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
    }

    fn apply(&self) -> common::Run {
        let args = self.args();
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        common::mailops(&args)
    }

    /// The apply after a kill: it must finish everything.
    fn rerun(&self, moment: &str) {
        let run = self.apply();
        assert!(
            run.code == 0,
            "{moment}: re-run failed:\n{}\n{}",
            run.stdout,
            run.stderr
        );
    }

    fn plan(&self) -> common::Run {
        let repo = self.repo.display().to_string();
        let server = self.server();
        common::mailops(&["plan", &repo, "--server", &server, "--date", DATE])
    }

    fn passwd(&self) -> BTreeMap<String, String> {
        std::fs::read_to_string(self.mail.join("passwd"))
            .unwrap()
            .lines()
            .map(|l| {
                let mut f = l.splitn(3, ':');
                (f.next().unwrap().to_string(), f.next().unwrap().to_string())
            })
            .collect()
    }

    /// Well-formed credentials lines: mailbox → passwords delivered for it.
    fn credentials(&self) -> BTreeMap<String, Vec<String>> {
        let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let text = std::fs::read_to_string(self.mail.join("mailops-credentials.txt")).unwrap_or_default();
        for l in text.lines() {
            let f: Vec<&str> = l.split('\t').collect();
            assert_eq!(f.len(), 3, "a credentials line has 3 fields: {}", f[0]);
            out.entry(f[0].to_string()).or_default().push(f[1].to_string());
        }
        out
    }

    fn temp_files(&self) -> Vec<PathBuf> {
        common::files_below(&self.mail)
            .into_iter()
            .filter(|p| {
                let n = p.file_name().unwrap().to_string_lossy().to_string();
                n.starts_with(".mailops-tmp-") || n.starts_with(".tmp")
            })
            .collect()
    }

    /// Every invariant after a run that completed.
    fn check(&self, wanted: &BTreeSet<String>, created: &BTreeSet<String>, moment: &str, verify: bool) {
        let passwd = self.passwd();
        let on_server: BTreeSet<String> = passwd.keys().cloned().collect();
        assert_eq!(&on_server, wanted, "{moment}: exactly the desired accounts");
        let creds = self.credentials();
        for a in created {
            let got = creds.get(a).map_or(0, Vec::len);
            assert_eq!(got, 1, "{moment}: {a} has {got} delivered passwords");
        }
        if verify {
            for a in created {
                let hash = passwd[a].strip_prefix("{SHA512-CRYPT}").unwrap();
                assert!(
                    sha_crypt::sha512_check(&creds[a][0], hash).is_ok(),
                    "{moment}: the password delivered for {a} opens it"
                );
            }
        }
        let state: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(self.mail.join("mailops-state.json")).unwrap())
                .unwrap();
        let entries = state["entries"].as_object().unwrap();
        let adopted: Vec<_> = entries
            .iter()
            .filter(|(_, e)| e["origin"] != "created")
            .map(|(k, _)| k.clone())
            .collect();
        assert!(
            adopted.is_empty(),
            "{moment}: adopted what mailops created: {adopted:?}"
        );
        assert_eq!(
            entries.len(),
            wanted.len(),
            "{moment}: the inventory holds every account"
        );
        for f in [
            "passwd",
            "mailops-credentials.txt",
            "mailops-audit.jsonl",
            "mailops-state.json",
        ] {
            let path = self.mail.join(f);
            if path.exists() {
                let mode =
                    std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(&path).unwrap().permissions());
                assert_eq!(mode & 0o077, 0, "{moment}: {f} is readable by others ({mode:o})");
            }
        }
        assert!(
            self.temp_files().is_empty(),
            "{moment}: temporary files left: {:?}",
            self.temp_files()
        );
        assert!(
            !self.mail.join("mailops-state.json.journal").exists(),
            "{moment}: journal left"
        );
        let plan = self.plan();
        assert_eq!(
            plan.code, 0,
            "{moment}: the next plan has changes:\n{}",
            plan.stdout
        );
        assert!(plan.stdout.contains("No changes"), "{moment}: {}", plan.stdout);
    }

    /// How many times each (action, target) was audited as applied.
    fn audited(&self, action: &str) -> BTreeMap<String, usize> {
        let mut out = BTreeMap::new();
        for l in std::fs::read_to_string(self.audit()).unwrap().lines() {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            if v["action"] == action && v["outcome"] == "applied" {
                *out.entry(v["target"].as_str().unwrap().to_string()).or_default() += 1;
            }
        }
        out
    }
}

/// The 25 accounts of the example agency: its 24 staff and the agency mailbox.
fn example_accounts() -> BTreeSet<String> {
    let site = Site::new();
    let run = site.apply();
    assert_eq!(run.code, 0, "{}", run.stderr);
    site.passwd().into_keys().collect()
}

/// Writes the new hires into the site's repository: (every account wanted, those mailops creates: all of
/// them, the agency mailbox included, each with one password).
fn hired(site: &Site, base: &BTreeSet<String>) -> (BTreeSet<String>, BTreeSet<String>) {
    let people: BTreeSet<String> = write_people(&site.repo, false).into_iter().collect();
    let wanted: BTreeSet<String> = base.union(&people).cloned().collect();
    (wanted.clone(), wanted)
}

#[test]
fn kill_9_during_1500_creations_loses_no_password_and_adopts_nothing() {
    let base = example_accounts();
    let mut rng = rand::rngs::StdRng::seed_from_u64(0x6d61_696c_6f70);
    // Moments: one early by time (before or while the journal starts), then by completed changes.
    let mut moments: Vec<(usize, Duration)> = vec![(0, Duration::from_millis(rng.gen_range(20..400)))];
    let mut counts: Vec<usize> = (0..7).map(|_| rng.gen_range(1..PEOPLE)).collect();
    counts.sort_unstable();
    moments.extend(
        counts
            .into_iter()
            .map(|n| (n, Duration::from_micros(rng.gen_range(0..40_000)))),
    );
    let mut interrupted = 0;
    for (k, (after, delay)) in moments.iter().enumerate() {
        let site = Site::new();
        let (wanted, created) = hired(&site, &base);
        let moment = format!("kill {k} ({delay:?} after {after} changes)");
        let killed = site.apply_killed(*after, *delay);
        assert!(killed, "{moment}: the apply ended before the kill");
        if site.mail.join("mailops-state.json.journal").exists() {
            interrupted += 1;
        }
        site.rerun(&moment);
        // Verifying every hash is slow (5,000 SHA-512 rounds each): twice is enough to catch a mismatch.
        site.check(&wanted, &created, &moment, k == 3 || k == moments.len() - 1);
        let creates = site.audited("create");
        let twice: Vec<_> = creates.iter().filter(|(_, n)| **n != 1).collect();
        assert!(twice.is_empty(), "{moment}: audited more than once: {twice:?}");
        assert_eq!(creates.len(), wanted.len(), "{moment}: every creation audited");
        eprintln!("{moment}: ok");
    }
    // The kills must land inside the apply, with a journal to resolve (the first may come before it starts).
    assert!(
        interrupted >= moments.len() - 1,
        "only {interrupted} kills left a journal"
    );
}

#[test]
fn kill_9_during_1500_renames_keeps_every_mailbox_and_its_mail() {
    let mut rng = rand::rngs::StdRng::seed_from_u64(0x72656e61);
    let mut moments: Vec<(usize, Duration)> = (0..3)
        .map(|_| {
            (
                rng.gen_range(1..PEOPLE),
                Duration::from_micros(rng.gen_range(0..40_000)),
            )
        })
        .collect();
    moments.sort_unstable();
    for (k, (after_n, delay)) in moments.iter().enumerate() {
        // A fresh site each time (the passwd-file holds absolute homes: a copy would share its mail).
        let site = Site::new();
        let before = write_people(&site.repo, false);
        let run = site.apply();
        assert_eq!(run.code, 0, "{}", run.stderr);
        // A message in every generated mailbox, to be found under the new address.
        for a in &before {
            let (local, domain) = a.split_once('@').unwrap();
            let new = site
                .mail
                .join("mail")
                .join(domain)
                .join(local)
                .join("Maildir/new");
            std::fs::write(
                new.join("1700000000.M1P1.crash"),
                format!("To: {a}\r\n\r\nhello\r\n"),
            )
            .unwrap();
        }
        let after = write_people(&site.repo, true);
        let wanted: BTreeSet<String> = site
            .passwd()
            .into_keys()
            .filter(|a| !before.contains(a))
            .chain(after.iter().cloned())
            .collect();
        let moment = format!("rename kill {k} ({delay:?} after {after_n} changes)");
        assert!(
            site.apply_killed(*after_n, *delay),
            "{moment}: ended before the kill"
        );
        assert!(
            site.mail.join("mailops-state.json.journal").exists(),
            "{moment}: killed outside the apply"
        );
        site.rerun(&moment);
        site.check(&wanted, &BTreeSet::new(), &moment, false);
        for (old, new) in before.iter().zip(&after) {
            let (local, domain) = new.split_once('@').unwrap();
            let msg = site
                .mail
                .join("mail")
                .join(domain)
                .join(local)
                .join("Maildir/new/1700000000.M1P1.crash");
            let text =
                std::fs::read_to_string(&msg).unwrap_or_else(|_| panic!("{moment}: mail of {old} lost"));
            assert!(text.contains(old.as_str()));
        }
        let renames = site.audited("rename");
        let wrong: Vec<_> = renames.iter().filter(|(_, n)| **n != 1).collect();
        assert!(wrong.is_empty(), "{moment}: renames audited not once: {wrong:?}");
        assert_eq!(renames.len(), PEOPLE, "{moment}: every rename audited");
        eprintln!("{moment}: ok");
    }
}

#[test]
fn kill_9_of_watch_mid_reconcile_is_resolved_by_the_next_watch() {
    let site = Site::new();
    let (wanted, created) = hired(&site, &example_accounts());
    let repo = site.repo.display().to_string();
    let server = site.server();
    let args = ["--server", &server, "--interval", "1s", "--max-backoff", "1s"];
    let watch = || {
        let mut all = vec![repo.as_str()];
        all.extend_from_slice(&args);
        common::watcher::Watcher::start(&all, &[])
    };
    let first = watch();
    // SIGKILL once some hundreds of creations are in the audit log (~170 bytes a line).
    let deadline = Instant::now() + Duration::from_secs(120);
    while std::fs::metadata(site.audit()).map_or(0, |m| m.len()) < 400 * 170 {
        assert!(
            Instant::now() < deadline,
            "watch made no progress:\n{}",
            first.stderr()
        );
        std::thread::sleep(Duration::from_millis(2));
    }
    first.kill9();
    assert!(
        site.mail.join("mailops-state.json.journal").exists(),
        "killed inside the reconcile"
    );
    let second = watch();
    second.wait_for("the repository applied", 120, |s| {
        s["revision"] == "local" && s["lastError"].is_null()
    });
    let (code, _) = second.stop();
    assert_eq!(code, 0);
    site.check(&wanted, &created, "watch killed", true);
    let twice: Vec<_> = site
        .audited("create")
        .into_iter()
        .filter(|(_, n)| *n != 1)
        .collect();
    assert!(twice.is_empty(), "audited more than once: {twice:?}");
}
