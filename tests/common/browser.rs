//! A real browser for the pages mailops serves: Debian's `chromium`, headless (installed by tests/run.sh).
//! Each call is a fresh process with a profile of its own, bounded to 60 s.

use std::path::Path;
use std::process::Command;

/// Headless Chromium with a throw-away profile.
pub struct Chromium {
    profile: tempfile::TempDir,
}

impl Chromium {
    /// Chromium, or a panic that says how to get it.
    pub fn new() -> Self {
        let found = Command::new("chromium").arg("--version").output();
        assert!(
            found.as_ref().is_ok_and(|o| o.status.success()),
            "chromium is missing: run ./tests/run.sh, which installs Debian's chromium ({found:?})"
        );
        Self {
            profile: tempfile::tempdir().unwrap(),
        }
    }

    fn run(&self, accept_language: &str, extra: &[&str], url: &str) -> std::process::Output {
        let profile = format!("--user-data-dir={}", self.profile.path().display());
        let lang = format!("--accept-lang={accept_language}");
        let out = Command::new("timeout")
            .args(["60", "chromium", "--headless", "--disable-gpu", "--no-first-run"])
            // Root in a container has no user namespaces for the sandbox.
            .arg("--no-sandbox")
            .args([
                "--disable-extensions",
                "--disable-background-networking",
                "--hide-scrollbars",
            ])
            .args([profile.as_str(), lang.as_str()])
            .args(extra)
            .arg(url)
            .output()
            .expect("chromium");
        assert!(
            out.status.success(),
            "chromium failed on {url}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }

    /// The page's DOM once loaded, as a browser whose languages are `accept_language` sees it.
    pub fn dom(&self, url: &str, accept_language: &str) -> String {
        String::from_utf8(self.run(accept_language, &["--dump-dom"], url).stdout).unwrap()
    }

    /// A PNG of the page in a window `width`×`height`.
    pub fn screenshot(&self, url: &str, accept_language: &str, to: &Path, width: u32, height: u32) {
        let shot = format!("--screenshot={}", to.display());
        let size = format!("--window-size={width},{height}");
        self.run(accept_language, &[shot.as_str(), size.as_str()], url);
        let png = std::fs::read(to).unwrap();
        assert!(png.starts_with(b"\x89PNG"), "not a PNG: {}", to.display());
    }
}

/// The text a person reads in a page's body (what is rendered, not the markup), whitespace collapsed.
pub fn visible_text(html: &str) -> String {
    let doc = scraper::Html::parse_document(html);
    let body = scraper::Selector::parse("body").unwrap();
    doc.select(&body)
        .flat_map(|b| b.text())
        .collect::<Vec<_>>()
        .join(" ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}
