//! A real Postfix and a real rspamd (Debian's packages, installed by tests/run.sh), each started on
//! 127.0.0.1 in a folder of the test's own and stopped when dropped.

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

/// A free port on 127.0.0.1.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn wait_for_port(port: u16, what: &str, within: Duration, log: &Path) {
    let deadline = Instant::now() + within;
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "{what} did not start within {within:?}: {}",
            std::fs::read_to_string(log).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn need_root(what: &str) {
    let uid = Command::new("id").arg("-u").output().expect("id");
    assert_eq!(
        String::from_utf8_lossy(&uid.stdout).trim(),
        "0",
        "{what} is started as root (its own config folder, its own users): run ./tests/run.sh as root"
    );
}

/// A Postfix instance that accepts mail for the example's domains from 127.0.0.1 and discards it after the
/// content checks.
pub struct Postfix {
    /// Its configuration folder (`postfix -c`).
    pub conf: PathBuf,
    /// The SMTP port.
    pub port: u16,
    /// Its log file.
    pub log: PathBuf,
}

impl Postfix {
    /// Starts Postfix in `work`, with `mime_header_checks = TABLE` (e.g. `pcre:/…/x.pcre`).
    pub fn start(work: &Path, mime_header_checks: &str) -> Self {
        Self::start_with(work, &[("mime_header_checks", mime_header_checks)])
    }

    /// Starts Postfix in `work` with these `main.cf` settings added.
    pub fn start_with(work: &Path, settings: &[(&str, &str)]) -> Self {
        need_root("Postfix");
        assert!(
            Path::new("/usr/sbin/postfix").exists(),
            "Postfix is not installed: run ./tests/run.sh, which installs postfix and postfix-pcre"
        );
        let conf = work.join("postfix");
        let queue = work.join("queue");
        let data = work.join("data");
        for d in [&conf, &queue, &data] {
            std::fs::create_dir_all(d).unwrap();
        }
        // Postfix's own processes reach their folders as the `postfix` user.
        for d in [work, conf.as_path(), queue.as_path()] {
            std::fs::set_permissions(d, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
        }
        let status = Command::new("chown").arg("postfix").arg(&data).status().unwrap();
        assert!(status.success());
        let port = free_port();
        let log = work.join("maillog");
        std::fs::write(
            conf.join("main.cf"),
            format!(
                "compatibility_level = 3.6\n\
                 queue_directory = {queue}\n\
                 data_directory = {data}\n\
                 mail_owner = postfix\n\
                 setgid_group = postdrop\n\
                 myhostname = mail.bdt.binhthuan.gov.vn\n\
                 mydomain = bdt.binhthuan.gov.vn\n\
                 inet_interfaces = 127.0.0.1\n\
                 inet_protocols = ipv4\n\
                 mynetworks = 127.0.0.0/8\n\
                 mydestination =\n\
                 relay_domains = bdt.binhthuan.gov.vn binhthuan.gov.vn\n\
                 smtpd_recipient_restrictions = permit_mynetworks, reject\n\
                 default_transport = discard\n\
                 relay_transport = discard\n\
                 local_transport = discard\n\
                 smtputf8_enable = no\n\
                 {settings}\
                 maillog_file_prefixes = {work}\n\
                 maillog_file = {log}\n",
                queue = queue.display(),
                data = data.display(),
                work = work.display(),
                log = log.display(),
                settings = settings
                    .iter()
                    .map(|(k, v)| format!("{k} = {v}\n"))
                    .collect::<String>(),
            ),
        )
        .unwrap();
        std::fs::write(
            conf.join("master.cf"),
            format!(
                "127.0.0.1:{port} inet n - n - - smtpd\n\
                 pickup unix n - n 60 1 pickup\n\
                 cleanup unix n - n - 0 cleanup\n\
                 qmgr unix n - n 300 1 qmgr\n\
                 rewrite unix - - n - - trivial-rewrite\n\
                 bounce unix - - n - 0 bounce\n\
                 defer unix - - n - 0 bounce\n\
                 trace unix - - n - 0 bounce\n\
                 verify unix - - n - 1 verify\n\
                 proxymap unix - - n - - proxymap\n\
                 showq unix n - n - - showq\n\
                 error unix - - n - - error\n\
                 retry unix - - n - - error\n\
                 discard unix - - n - - discard\n\
                 anvil unix - - n - 1 anvil\n\
                 scache unix - - n - 1 scache\n\
                 postlog unix-dgram n - n - 1 postlogd\n"
            ),
        )
        .unwrap();
        let pf = Postfix { conf, port, log };
        let out = Command::new("postfix")
            .arg("-c")
            .arg(&pf.conf)
            .arg("start")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "postfix start failed: {}{}",
            String::from_utf8_lossy(&out.stderr),
            std::fs::read_to_string(&pf.log).unwrap_or_default()
        );
        wait_for_port(port, "Postfix", Duration::from_secs(30), &pf.log);
        pf
    }

    /// `postfix reload`, as the operator's reload command would run it.
    pub fn reload_command(&self) -> String {
        format!("postfix -c {} reload", self.conf.display())
    }
}

impl Drop for Postfix {
    fn drop(&mut self) {
        let _ = Command::new("postfix")
            .arg("-c")
            .arg(&self.conf)
            .arg("stop")
            .output();
    }
}

/// An rspamd with Debian's stock configuration and a local configuration folder of the test's own
/// (`$LOCAL_CONFDIR`, where mailops writes `local.d/…`), its normal worker on 127.0.0.1.
pub struct Rspamd {
    child: Child,
    /// The normal worker's HTTP port (`/checkv2`).
    pub port: u16,
    /// The proxy worker's port in milter mode (Postfix's `smtpd_milters = inet:127.0.0.1:PORT`).
    pub milter_port: u16,
    /// Its log.
    pub log: PathBuf,
}

impl Rspamd {
    /// Starts rspamd with `local` as its local configuration folder. Its first start compiles its regular
    /// expressions (about 30 s on 2 cores).
    pub fn start(work: &Path, local: &Path) -> Self {
        need_root("rspamd");
        assert!(
            Path::new("/usr/bin/rspamd").exists(),
            "rspamd is not installed: run ./tests/run.sh, which installs it"
        );
        let port = free_port();
        let milter_port = free_port();
        let dirs: Vec<PathBuf> = ["run", "db", "log"].iter().map(|d| work.join(d)).collect();
        for d in &dirs {
            std::fs::create_dir_all(d).unwrap();
            let status = Command::new("chown")
                .arg("_rspamd:_rspamd")
                .arg(d)
                .status()
                .unwrap();
            assert!(status.success());
        }
        for d in [work, local] {
            std::fs::set_permissions(d, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
        }
        let conf = work.join("rspamd.conf");
        // No DNS here: lookups go to a closed local port and fail at once.
        std::fs::write(
            &conf,
            format!(
                ".include \"$CONFDIR/common.conf\"\n\
                 options {{\n  pidfile = \"$RUNDIR/rspamd.pid\";\n  .include \"$CONFDIR/options.inc\"\n  \
                 dns {{ nameserver = [\"127.0.0.1:1\"]; timeout = 0.1s; retransmits = 0; }}\n}}\n\
                 logging {{\n  type = \"file\";\n  filename = \"$LOGDIR/rspamd.log\";\n  level = \"info\";\n}}\n\
                 worker \"normal\" {{\n  bind_socket = \"127.0.0.1:{port}\";\n  .include \"$CONFDIR/worker-normal.inc\"\n}}\n\
                 worker \"rspamd_proxy\" {{\n  bind_socket = \"127.0.0.1:{milter_port}\";\n  milter = yes;\n  timeout = 120s;\n  \
                 count = 1;\n  upstream \"local\" {{\n    default = yes;\n    self_scan = yes;\n  }}\n}}\n"
            ),
        )
        .unwrap();
        let var = |k: &str, v: &Path| format!("{k}={}", v.display());
        let child = Command::new("rspamd")
            .args(["-f", "-u", "_rspamd", "-g", "_rspamd", "-c"])
            .arg(&conf)
            .arg("--var")
            .arg(var("LOCAL_CONFDIR", local))
            .arg("--var")
            .arg(var("RUNDIR", &dirs[0]))
            .arg("--var")
            .arg(var("DBDIR", &dirs[1]))
            .arg("--var")
            .arg(var("LOGDIR", &dirs[2]))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("start rspamd");
        let r = Rspamd {
            child,
            port,
            milter_port,
            log: dirs[2].join("rspamd.log"),
        };
        wait_for_port(port, "rspamd", Duration::from_secs(180), &r.log);
        wait_for_port(milter_port, "rspamd's proxy", Duration::from_secs(60), &r.log);
        r
    }
}

/// Stops a server the way its init script would: SIGTERM (its main process stops its workers first), at
/// most 10 s, then SIGKILL.
pub fn terminate(child: &mut Child) {
    let _ = Command::new("kill").arg(child.id().to_string()).status();
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = child.kill();
    let _ = child.wait();
}

impl Drop for Rspamd {
    fn drop(&mut self) {
        terminate(&mut self.child);
    }
}
