//! A real `git daemon` on 127.0.0.1 serving a bare repository, a work tree that pushes to it, and two SSH
//! signing keys (`officer`, trusted by `allowed_signers`; `stranger`, not).

use std::path::{Path, PathBuf};
use std::process::{Child, Command};

pub fn git(cwd: &Path, args: &[&str]) -> String {
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

pub struct Daemon(pub Child);

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub struct World {
    pub tmp: tempfile::TempDir,
    pub port: u16,
    pub daemon: Option<Daemon>,
}

impl World {
    pub fn new() -> Self {
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

    pub fn path(&self, rel: &str) -> PathBuf {
        self.tmp.path().join(rel)
    }

    pub fn start(&mut self) {
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
    pub fn push(&self, signer: Option<&str>, message: &str, force: bool) -> String {
        let commit = self.commit(signer, message);
        self.push_main(force);
        commit
    }

    /// Commits every change of the work tree (signed by `signer`), and returns the commit.
    pub fn commit(&self, signer: Option<&str>, message: &str) -> String {
        let work = self.path("work");
        git(&work, &["add", "-A"]);
        let key = signer.map(|s| format!("--gpg-sign={}", self.path(s).display()));
        let mut args = vec!["commit", "-q", "-m", message];
        if let Some(k) = &key {
            args.push(k);
        }
        git(&work, &args);
        git(&work, &["rev-parse", "HEAD"])
    }

    /// `git push origin main` to the daemon.
    pub fn push_main(&self, force: bool) {
        git(
            &self.path("work"),
            &["push", "-q", if force { "-f" } else { "-q" }, "origin", "main"],
        );
    }

    pub fn apply(&self, date: &str, extra: &[&str]) -> super::Run {
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
        super::mailops(&args)
    }
}

impl World {
    /// The daemon's URL of the repository.
    pub fn url(&self) -> String {
        format!("git://127.0.0.1:{}/staff.git", self.port)
    }

    /// Stops the daemon (the repository stays).
    pub fn stop(&mut self) {
        self.daemon = None;
    }
}
