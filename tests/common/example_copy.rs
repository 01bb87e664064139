//! A copy of the example agency in a temporary folder, with a working folder beside it for the state,
//! credentials and audit files of the runs against it (tests/modoboa.rs, tests/postfixadmin.rs).

use std::path::PathBuf;

/// The example's repository copied, and a working folder.
pub struct ExampleCopy {
    pub repo: tempfile::TempDir,
    pub work: tempfile::TempDir,
}

impl ExampleCopy {
    /// The example, with `binhthuan.gov.vn` replaced by `domain` everywhere (None: as it is).
    pub fn new(domain: Option<&str>) -> Self {
        let repo = tempfile::tempdir().unwrap();
        super::copy_dir(&super::root().join(super::EXAMPLE), repo.path());
        if let Some(domain) = domain {
            for e in super::files_below(repo.path()) {
                let t = std::fs::read_to_string(&e).unwrap();
                std::fs::write(&e, t.replace("binhthuan.gov.vn", domain)).unwrap();
            }
        }
        Self {
            repo,
            work: tempfile::tempdir().unwrap(),
        }
    }

    /// `mailops apply` of the copy to `server` as of `date`, the files in the working folder.
    pub fn apply_args(&self, server: &str, date: &str) -> Vec<String> {
        let w = self.work.path();
        [
            "apply",
            &self.repo.path().display().to_string(),
            "--server",
            server,
            "--state",
            &w.join("state.json").display().to_string(),
            "--credentials",
            &w.join("credentials.txt").display().to_string(),
            "--audit-log",
            &w.join("audit.jsonl").display().to_string(),
            "--date",
            date,
            "--color",
            "never",
        ]
        .map(str::to_string)
        .to_vec()
    }

    pub fn file(&self, rel: &str) -> PathBuf {
        self.repo.path().join(rel)
    }

    /// Replaces `from` by `to` in a file of the copy, which must contain it.
    pub fn edit(&self, rel: &str, from: &str, to: &str) {
        let t = std::fs::read_to_string(self.file(rel)).unwrap();
        assert!(t.contains(from), "{rel} has no `{from}`");
        std::fs::write(self.file(rel), t.replace(from, to)).unwrap();
    }

    /// (mailbox, password, holder) per line of the credentials file.
    pub fn credentials(&self) -> Vec<(String, String, String)> {
        std::fs::read_to_string(self.work.path().join("credentials.txt"))
            .unwrap_or_default()
            .lines()
            .map(|l| {
                let f: Vec<&str> = l.split('\t').collect();
                (f[0].to_string(), f[1].to_string(), f[2].to_string())
            })
            .collect()
    }
}
