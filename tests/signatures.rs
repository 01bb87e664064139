//! Signed commits, made for real: keys from `ssh-keygen`, commits signed by `git commit -S` with
//! `gpg.format=ssh`, checked by `mailops verify` (in Rust, no ssh-keygen at verification time).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::mailops;

struct Repo {
    dir: tempfile::TempDir,
    keys: tempfile::TempDir,
}

fn run(cwd: &Path, program: &str, args: &[&str]) -> String {
    let out = Command::new(program)
        .args(args)
        .current_dir(cwd)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .unwrap_or_else(|e| panic!("{program}: {e}"));
    assert!(
        out.status.success(),
        "{program} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

impl Repo {
    fn new() -> Self {
        let r = Self {
            dir: tempfile::tempdir().unwrap(),
            keys: tempfile::tempdir().unwrap(),
        };
        run(r.dir.path(), "git", &["init", "-q", "-b", "main"]);
        run(r.dir.path(), "git", &["config", "user.name", "IT officer"]);
        run(
            r.dir.path(),
            "git",
            &["config", "user.email", "it@bdt.binhthuan.gov.vn"],
        );
        run(r.dir.path(), "git", &["config", "gpg.format", "ssh"]);
        for name in ["officer", "clerk", "stranger"] {
            run(
                r.keys.path(),
                "ssh-keygen",
                &["-q", "-t", "ed25519", "-N", "", "-C", name, "-f", name],
            );
        }
        r
    }

    fn key(&self, name: &str) -> PathBuf {
        self.keys.path().join(name)
    }

    fn public(&self, name: &str) -> String {
        std::fs::read_to_string(self.key(name).with_extension("pub"))
            .unwrap()
            .trim()
            .to_string()
    }

    /// Writes the files and commits them, signed by `signer` (None: unsigned). Returns the commit id.
    fn commit(&self, files: &[(&str, &str)], signer: Option<&str>, message: &str) -> String {
        for (path, text) in files {
            let p = self.dir.path().join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        run(self.dir.path(), "git", &["add", "-A"]);
        let mut args = vec!["commit".to_string(), "-q".into(), "-m".into(), message.into()];
        if let Some(s) = signer {
            args.push(format!("--gpg-sign={}", self.key(s).display()));
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        run(self.dir.path(), "git", &args);
        run(self.dir.path(), "git", &["rev-parse", "HEAD"])
    }

    fn signers(&self, text: &str) -> PathBuf {
        let path = self.keys.path().join("allowed_signers");
        std::fs::write(&path, text).unwrap();
        path
    }

    fn verify(&self, signers: &Path, extra: &[&str]) -> common::Run {
        let dir = self.dir.path().to_str().unwrap().to_string();
        let signers = signers.to_str().unwrap().to_string();
        let mut args = vec!["verify", &dir, "--allowed-signers", &signers, "--color", "never"];
        args.extend_from_slice(extra);
        mailops(&args)
    }
}

#[test]
fn only_commits_signed_by_allowed_keys_within_their_paths_pass() {
    let r = Repo::new();
    let signers = r.signers(&format!(
        "# the IT officer may change anything; the HR clerk only staff files\n\
         it@bdt.binhthuan.gov.vn namespaces=\"git\" {}\n\
         hr@bdt.binhthuan.gov.vn namespaces=\"git\",mailops-paths=\"staff/**\" {}\n",
        r.public("officer"),
        r.public("clerk")
    ));
    let first = r.commit(
        &[
            ("organization.yaml", "kind: Organization\n"),
            ("staff/a.yaml", "a\n"),
        ],
        Some("officer"),
        "Agency and first staff",
    );
    let ok = r.verify(&signers, &[]);
    assert_eq!(ok.code, 0, "{}{}", ok.stdout, ok.stderr);
    assert!(
        ok.stdout
            .contains("Agency and first staff — signed by it@bdt.binhthuan.gov.vn"),
        "{}",
        ok.stdout
    );

    // The clerk adds a person: allowed.
    let hire = r.commit(&[("staff/b.yaml", "b\n")], Some("clerk"), "New hire");
    let ok = r.verify(&signers, &["--since", &first]);
    assert_eq!(ok.code, 0, "{}{}", ok.stdout, ok.stderr);
    assert!(ok.stdout.contains("1 commit(s) verified."), "{}", ok.stdout);

    // The clerk raises the safety limits in the Organization: refused, with the path named.
    r.commit(
        &[("organization.yaml", "kind: Organization\nmaxDeletions: 100\n")],
        Some("clerk"),
        "More deletions",
    );
    let scoped = r.verify(&signers, &["--since", &hire]);
    assert_eq!(scoped.code, 1);
    assert!(
        scoped
            .stderr
            .contains("changes organization.yaml, outside what this signer may change (staff/**)"),
        "{}",
        scoped.stderr
    );
    // Checked from the first commit, the clerk's out-of-scope commit is found behind the good one.
    let range = r.verify(&signers, &["--since", &first]);
    assert_eq!(range.code, 1);
    assert!(range.stderr.contains("organization.yaml"), "{}", range.stderr);

    // Checked alone, a clerk's commit cannot vouch for the whole tree.
    let alone = r.verify(&signers, &["--rev", &hire]);
    assert_eq!(alone.code, 1);
    assert!(alone.stderr.contains("the whole tree"), "{}", alone.stderr);

    // An unknown key and an unsigned commit are refused.
    let stranger = r.commit(&[("staff/c.yaml", "c\n")], Some("stranger"), "Stranger");
    let unknown = r.verify(
        &signers,
        &["--rev", &stranger, "--since", &format!("{stranger}~1")],
    );
    assert_eq!(unknown.code, 1);
    assert!(
        unknown.stderr.contains("not in the allowed signers (SHA256:"),
        "{}",
        unknown.stderr
    );
    let unsigned = r.commit(&[("staff/d.yaml", "d\n")], None, "Unsigned");
    let refused = r.verify(&signers, &["--rev", &unsigned, "--since", &stranger]);
    assert_eq!(refused.code, 1);
    assert!(refused.stderr.contains("is not signed"), "{}", refused.stderr);

    // A key allowed only for another namespace, or not yet valid, does not sign commits.
    let file_only = r.signers(&format!(
        "it@bdt.binhthuan.gov.vn namespaces=\"file\" {}\nit@bdt.binhthuan.gov.vn valid-after=\"29990101\" {}\n",
        r.public("officer"),
        r.public("officer")
    ));
    let ns = r.verify(&file_only, &["--rev", &first]);
    assert_eq!(ns.code, 1);
    assert!(ns.stderr.contains("not in the allowed signers"), "{}", ns.stderr);

    // History rewritten: the new tip does not descend from the last verified commit.
    run(r.dir.path(), "git", &["reset", "-q", "--hard", &first]);
    let other = r.commit(&[("staff/e.yaml", "e\n")], Some("officer"), "Elsewhere");
    let rewritten = r.verify(&signers, &["--rev", &other, "--since", &hire]);
    assert_eq!(rewritten.code, 1);
    assert!(
        rewritten.stderr.contains("history rewritten"),
        "{}",
        rewritten.stderr
    );
}

#[test]
fn a_broken_allowed_signers_file_is_named_with_its_line() {
    let r = Repo::new();
    r.commit(&[("a.yaml", "a\n")], Some("officer"), "One");
    let signers = r.signers("# ok\nit@x.vn ssh-ed25519 AAAA\n");
    let run = r.verify(&signers, &[]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("allowed_signers:2: the key cannot be read"),
        "{}",
        run.stderr
    );
}
