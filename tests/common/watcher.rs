//! A `mailops watch` process under test: started with arguments, read through its HTTP endpoint, stopped with
//! SIGTERM. Every wait is bounded.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// A running `mailops watch`.
pub struct Watcher {
    child: Option<Child>,
    /// Its endpoint, `http://127.0.0.1:PORT`.
    pub base: String,
    logs: tempfile::TempDir,
    http: reqwest::blocking::Client,
}

impl Drop for Watcher {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// A free port on 127.0.0.1.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Watcher {
    /// Starts `mailops watch ARGS --listen 127.0.0.1:PORT` with these environment variables, and waits (at
    /// most 20 s) until its endpoint answers.
    pub fn start(args: &[&str], env: &[(&str, &str)]) -> Self {
        let port = free_port();
        let logs = tempfile::tempdir().unwrap();
        let listen = format!("127.0.0.1:{port}");
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_mailops"));
        cmd.arg("watch")
            .args(args)
            .args(["--listen", &listen, "--color", "never"])
            .env_remove("RUST_LOG")
            .env_remove("MAILOPS_WEBHOOK_SECRET")
            // English unless a test asks otherwise, whatever the machine's locale.
            .env("LANG", "C.UTF-8")
            .env_remove("LC_ALL")
            .env_remove("LC_MESSAGES")
            .env("NO_COLOR", "1")
            .stdout(std::fs::File::create(logs.path().join("stdout")).unwrap())
            .stderr(std::fs::File::create(logs.path().join("stderr")).unwrap())
            .stdin(Stdio::null());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = cmd.spawn().expect("mailops watch");
        let w = Self {
            child: Some(child),
            base: format!("http://{listen}"),
            logs,
            http: reqwest::blocking::Client::builder()
                .timeout(Duration::from_secs(10))
                .build()
                .unwrap(),
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if w.http.get(format!("{}/healthz", w.base)).send().is_ok() {
                return w;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("mailops watch did not start:\n{}", w.stderr());
    }

    /// Its resident memory, in bytes (from /proc).
    pub fn rss(&self) -> u64 {
        let pid = self.child.as_ref().map_or(0, Child::id);
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            .map_or(0, |kb| kb * 1024)
    }

    /// What it printed on stderr.
    pub fn stderr(&self) -> String {
        std::fs::read_to_string(self.logs.path().join("stderr")).unwrap_or_default()
    }

    /// What it printed on stdout (plans and apply results).
    pub fn stdout(&self) -> String {
        std::fs::read_to_string(self.logs.path().join("stdout")).unwrap_or_default()
    }

    /// `GET path`: the status code and the body.
    pub fn get(&self, path: &str) -> (u16, String) {
        let r = self.http.get(format!("{}{path}", self.base)).send().unwrap();
        (r.status().as_u16(), r.text().unwrap())
    }

    /// `/status` as JSON.
    pub fn status(&self) -> Value {
        serde_json::from_str(&self.get("/status").1).unwrap()
    }

    /// `/metrics`.
    pub fn metrics(&self) -> String {
        self.get("/metrics").1
    }

    /// The value of one metric line (`name{labels}`), 0 when absent.
    pub fn metric(&self, series: &str) -> f64 {
        self.metrics()
            .lines()
            .find_map(|l| l.strip_prefix(series).and_then(|v| v.strip_prefix(' ')))
            .map_or(0.0, |v| v.trim().parse().unwrap())
    }

    /// `POST /hooks/git` with these headers and body.
    pub fn hook(&self, headers: &[(&str, &str)], body: &str) -> (u16, Value) {
        let mut req = self
            .http
            .post(format!("{}/hooks/git", self.base))
            .header("content-type", "application/json")
            .body(body.to_string());
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let r = req.send().unwrap();
        let code = r.status().as_u16();
        (
            code,
            serde_json::from_str(&r.text().unwrap()).unwrap_or(Value::Null),
        )
    }

    /// Polls `/status` until `pred` holds (at most `secs` seconds); the last status otherwise, with the logs.
    pub fn wait_for(&self, what: &str, secs: u64, pred: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + Duration::from_secs(secs);
        let mut last = Value::Null;
        while Instant::now() < deadline {
            last = self.status();
            if pred(&last) {
                return last;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!(
            "timed out after {secs} s waiting for {what}\nstatus: {last:#}\nstderr:\n{}\nstdout:\n{}",
            self.stderr(),
            self.stdout()
        );
    }

    /// Waits until the revision in force is `commit`.
    pub fn wait_revision(&self, commit: &str, secs: u64) -> Value {
        self.wait_for(&format!("revision {commit}"), secs, |s| s["revision"] == commit)
    }

    /// Waits until the last error is of `kind`.
    pub fn wait_error(&self, kind: &str, secs: u64) -> Value {
        self.wait_for(&format!("an error of kind {kind}"), secs, |s| {
            s["lastError"]["kind"] == kind
        })
    }

    /// SIGKILL (no chance to finish anything); waits for the exit.
    pub fn kill9(mut self) {
        let mut child = self.child.take().unwrap();
        child.kill().unwrap();
        child.wait().unwrap();
    }

    /// SIGTERM, then waits (at most 30 s) for the exit; returns the exit code and what it printed on stderr.
    pub fn stop(mut self) -> (i32, String) {
        let mut child = self.child.take().unwrap();
        let status = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        let deadline = Instant::now() + Duration::from_secs(30);
        let mut stopped = None;
        while stopped.is_none() && Instant::now() < deadline {
            stopped = child.try_wait().unwrap();
            std::thread::sleep(Duration::from_millis(50));
        }
        if stopped.is_none() {
            let _ = child.kill();
        }
        let status = child.wait().unwrap();
        assert!(
            stopped.is_some(),
            "mailops watch did not stop within 30 s of SIGTERM:\n{}",
            self.stderr()
        );
        (status.code().unwrap_or(-1), self.stderr())
    }
}
