//! `apply --git`: the example agency pushed to a real `git daemon` on 127.0.0.1, fetched into a cache,
//! verified against an allowed-signers file (keys from `ssh-keygen`, commits signed by `git commit -S`), and
//! applied to the maildir backend. Refused: an unsigned commit, a force-push, a revision that deletes
//! every manifest, an unreachable server.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command};

fn git(cwd: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(args)
        .current_dir(cwd)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .expect("git");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

struct Daemon(Child);

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

struct World {
    tmp: tempfile::TempDir,
    port: u16,
    daemon: Option<Daemon>,
}

impl World {
    fn new() -> Self {
        let tmp = tempfile::tempdir().unwrap();
        let p = tmp.path();
        std::fs::create_dir_all(p.join("srv")).unwrap();
        git(
            &p.join("srv"),
            &["init", "-q", "--bare", "-b", "main", "staff.git"],
        );
        git(p, &["init", "-q", "-b", "main", "work"]);
        let work = p.join("work");
        for (k, v) in [
            ("user.name", "IT officer"),
            ("user.email", "it@bdt.binhthuan.gov.vn"),
            ("gpg.format", "ssh"),
        ] {
            git(&work, &["config", k, v]);
        }
        git(
            &work,
            &[
                "remote",
                "add",
                "origin",
                &p.join("srv/staff.git").display().to_string(),
            ],
        );
        for name in ["officer", "stranger"] {
            let out = Command::new("ssh-keygen")
                .args(["-q", "-t", "ed25519", "-N", "", "-C", name, "-f"])
                .arg(p.join(name))
                .status()
                .expect("ssh-keygen");
            assert!(out.success());
        }
        let officer = std::fs::read_to_string(p.join("officer.pub")).unwrap();
        std::fs::write(
            p.join("allowed_signers"),
            format!("it@bdt.binhthuan.gov.vn namespaces=\"git\" {officer}"),
        )
        .unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut w = Self {
            tmp,
            port,
            daemon: None,
        };
        w.start();
        w
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.tmp.path().join(rel)
    }

    fn start(&mut self) {
        // git-daemon itself: `git daemon` would run it as a child that outlives a kill of `git`.
        let exec_path = git(Path::new("/"), &["--exec-path"]);
        let child = Command::new(Path::new(&exec_path).join("git-daemon"))
            .args([
                "--reuseaddr",
                "--export-all",
                "--listen=127.0.0.1",
                &format!("--port={}", self.port),
            ])
            .arg(format!("--base-path={}", self.path("srv").display()))
            .arg(self.path("srv"))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("git daemon");
        self.daemon = Some(Daemon(child));
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        panic!("git daemon did not start");
    }

    /// Commits the work tree (signed by `signer`, or not) and pushes it (forced with `force`).
    fn push(&self, signer: Option<&str>, message: &str, force: bool) -> String {
        let work = self.path("work");
        git(&work, &["add", "-A"]);
        let key = signer.map(|s| format!("--gpg-sign={}", self.path(s).display()));
        let mut args = vec!["commit", "-q", "-m", message];
        if let Some(k) = &key {
            args.push(k);
        }
        git(&work, &args);
        git(
            &work,
            &["push", "-q", if force { "-f" } else { "-q" }, "origin", "main"],
        );
        git(&work, &["rev-parse", "HEAD"])
    }

    fn apply(&self, date: &str, extra: &[&str]) -> common::Run {
        let url = format!("git://127.0.0.1:{}/staff.git", self.port);
        let cache = self.path("cache").display().to_string();
        let server = format!("maildir:{}", self.path("mail").display());
        let signers = self.path("allowed_signers").display().to_string();
        let mut args = vec![
            "apply",
            "agency",
            "--git",
            &url,
            "--ref",
            "main",
            "--git-cache",
            &cache,
            "--verify-signatures",
            &signers,
            "--server",
            &server,
            "--date",
            date,
            "--color",
            "never",
        ];
        args.extend_from_slice(extra);
        common::mailops(&args)
    }
}

#[test]
fn a_pushed_signed_commit_reaches_the_mail_server_and_nothing_else_does() {
    let mut w = World::new();
    common::copy_dir(&common::root().join(common::EXAMPLE), &w.path("work/agency"));
    let first = w.push(Some("officer"), "The agency as published", false);

    let applied = w.apply("2026-12-01", &[]);
    assert_eq!(applied.code, 0, "{}{}", applied.stdout, applied.stderr);
    assert!(applied.stdout.contains("Apply: 27 applied"), "{}", applied.stdout);
    let audit = std::fs::read_to_string(w.path("mail/mailops-audit.jsonl")).unwrap();
    assert!(
        audit
            .lines()
            .all(|l| l.contains(&format!("\"revision\":\"{first}\""))),
        "every audit entry carries the commit"
    );
    assert!(w.apply("2026-12-01", &[]).stdout.contains("No changes."));

    // An unsigned commit (a new hire) is never applied.
    let hire = w.path("work/agency/staff/ban-dan-toc/nguyen-van-binh.yaml");
    std::fs::write(
        &hire,
        common::new_hire("nguyen-van-binh", "Nguyễn Văn Bình", "ban-dan-toc"),
    )
    .unwrap();
    w.push(None, "Unsigned hire", false);
    let refused = w.apply("2026-12-01", &[]);
    assert_eq!(refused.code, 1, "{}", refused.stdout);
    assert!(refused.stderr.contains("is not signed"), "{}", refused.stderr);
    let passwd = std::fs::read_to_string(w.path("mail/passwd")).unwrap();
    assert!(!passwd.contains("binhnv@"));

    // The officer replaces it with a signed commit (force-pushed over the unsigned one, which was never
    // applied): it descends from the last applied commit and is applied.
    git(&w.path("work"), &["reset", "-q", "--soft", "HEAD~1"]);
    let signed = w.push(Some("officer"), "Signed hire", true);
    let hired = w.apply("2026-12-01", &[]);
    assert_eq!(hired.code, 0, "{}{}", hired.stdout, hired.stderr);
    assert!(
        hired.stdout.contains("binhnv@bdt.binhthuan.gov.vn"),
        "{}",
        hired.stdout
    );
    let audit = std::fs::read_to_string(w.path("mail/mailops-audit.jsonl")).unwrap();
    assert!(audit.lines().last().unwrap().contains(&signed));

    // A force-push that drops an applied commit is refused until allowed.
    git(&w.path("work"), &["reset", "-q", "--hard", &first]);
    std::fs::write(w.path("work/NOTES"), "elsewhere\n").unwrap();
    let elsewhere = w.push(Some("officer"), "Elsewhere", true);
    let rewritten = w.apply("2026-12-01", &[]);
    assert_eq!(rewritten.code, 1, "{}", rewritten.stdout);
    assert!(rewritten.stderr.contains("was rewritten"), "{}", rewritten.stderr);
    let allowed = w.apply("2026-12-01", &["--allow-history-rewrite"]);
    assert_eq!(allowed.code, 0, "{}{}", allowed.stdout, allowed.stderr);
    assert!(
        allowed
            .stdout
            .contains("binhnv@bdt.binhthuan.gov.vn [Mailbox/nguyen-van-binh] suspend"),
        "{}",
        allowed.stdout
    );
    git(&w.path("work"), &["reset", "-q", "--hard", &signed]);
    git(&w.path("work"), &["push", "-q", "-f", "origin", "main"]);
    assert_eq!(w.apply("2026-12-01", &["--allow-history-rewrite"]).code, 0);
    let _ = elsewhere;

    // A signed commit by a key that is not allowed is refused.
    std::fs::remove_file(&hire).unwrap();
    w.push(Some("stranger"), "Remove the hire", false);
    let stranger = w.apply("2026-12-01", &[]);
    assert_eq!(stranger.code, 1);
    assert!(
        stranger.stderr.contains("not in the allowed signers"),
        "{}",
        stranger.stderr
    );
    git(&w.path("work"), &["reset", "-q", "--hard", &signed]);
    git(&w.path("work"), &["push", "-q", "-f", "origin", "main"]);

    // A signed commit that deletes every manifest is never applied.
    std::fs::remove_dir_all(w.path("work/agency")).unwrap();
    std::fs::write(w.path("work/README"), "moved\n").unwrap();
    w.push(Some("officer"), "Delete everything", false);
    let empty = w.apply("2026-12-01", &[]);
    assert_eq!(empty.code, 1);
    assert!(empty.stderr.contains("holds no manifests"), "{}", empty.stderr);
    let passwd = std::fs::read_to_string(w.path("mail/passwd")).unwrap();
    assert!(
        !passwd
            .lines()
            .any(|l| l.starts_with("anvtt@") && l.contains("nologin")),
        "nobody suspended"
    );

    // The git server down: a clear error, nothing applied; back up: the fetch works again.
    w.daemon = None;
    let down = w.apply("2026-12-01", &[]);
    assert_eq!(down.code, 1);
    assert!(
        down.stderr.contains("cannot fetch git://127.0.0.1:"),
        "{}",
        down.stderr
    );
    w.start();
    let up = w.apply("2026-12-01", &[]);
    assert!(up.stderr.contains("holds no manifests"), "{}", up.stderr);
}
