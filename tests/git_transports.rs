//! `--git` over HTTPS and SSH against real servers on 127.0.0.1: nginx with TLS and basic auth in front of
//! `git http-backend` (through fcgiwrap), and OpenSSH's sshd. A token and a key are accepted, a wrong token
//! is refused without being shown, an untrusted certificate and an unknown or changed host key stop the
//! fetch before anything is read.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::gitserver::{Daemon, World, git};
use common::watcher::free_port;

const TOKEN: &str = "glpat-0123456789abcdef";

fn run(cmd: &mut Command) {
    let out = cmd.output().expect("spawn");
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn spawn(cmd: &mut Command) -> Daemon {
    let child: Child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("{cmd:?}: {e} (tests/run.sh installs nginx, fcgiwrap, openssh-server)"));
    Daemon(child)
}

fn wait_port(port: u16) {
    for _ in 0..200 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("nothing listens on 127.0.0.1:{port}");
}

/// nginx (TLS, basic auth `x-access-token:TOKEN`) → fcgiwrap → git http-backend, serving the world's `srv`.
struct Https {
    _nginx: Daemon,
    _fcgi: Daemon,
    port: u16,
    dir: PathBuf,
}

impl Https {
    fn start(w: &World) -> Self {
        let dir = w.path("https");
        std::fs::create_dir_all(dir.join("tmp")).unwrap();
        run(Command::new("openssl")
            .args([
                "req",
                "-x509",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:prime256v1",
                "-nodes",
            ])
            .args([
                "-days",
                "2",
                "-subj",
                "/CN=127.0.0.1",
                "-addext",
                "subjectAltName=IP:127.0.0.1",
            ])
            .arg("-keyout")
            .arg(dir.join("key.pem"))
            .arg("-out")
            .arg(dir.join("cert.pem")));
        std::fs::write(dir.join("htpasswd"), format!("x-access-token:{{PLAIN}}{TOKEN}\n")).unwrap();
        let socket = dir.join("fcgi.sock");
        let fcgi = spawn(
            Command::new("fcgiwrap")
                .arg("-s")
                .arg(format!("unix:{}", socket.display())),
        );
        for _ in 0..100 {
            if socket.exists() {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let port = free_port();
        let exec_path = git(Path::new("/"), &["--exec-path"]);
        let d = dir.display();
        let conf = format!(
            r#"daemon off;
master_process off;
pid {d}/nginx.pid;
error_log {d}/error.log;
events {{ worker_connections 64; }}
http {{
  access_log {d}/access.log;
  client_body_temp_path {d}/tmp/body; fastcgi_temp_path {d}/tmp/fastcgi; proxy_temp_path {d}/tmp/proxy;
  uwsgi_temp_path {d}/tmp/uwsgi; scgi_temp_path {d}/tmp/scgi;
  server {{
    listen 127.0.0.1:{port} ssl;
    ssl_certificate {d}/cert.pem;
    ssl_certificate_key {d}/key.pem;
    location / {{
      auth_basic "staff";
      auth_basic_user_file {d}/htpasswd;
      include /etc/nginx/fastcgi_params;
      fastcgi_param SCRIPT_FILENAME {exec_path}/git-http-backend;
      fastcgi_param GIT_PROJECT_ROOT {srv};
      fastcgi_param GIT_HTTP_EXPORT_ALL "";
      fastcgi_param PATH_INFO $uri;
      fastcgi_param REMOTE_USER $remote_user;
      fastcgi_pass unix:{d}/fcgi.sock;
    }}
  }}
}}
"#,
            srv = w.path("srv").display()
        );
        std::fs::write(dir.join("nginx.conf"), conf).unwrap();
        let nginx = spawn(
            Command::new("nginx")
                .arg("-c")
                .arg(dir.join("nginx.conf"))
                .arg("-p")
                .arg(&dir),
        );
        wait_port(port);
        Self {
            _nginx: nginx,
            _fcgi: fcgi,
            port,
            dir,
        }
    }
}

/// OpenSSH's sshd on 127.0.0.1, letting the world's `officer` key in as the current user.
struct Ssh {
    _sshd: Daemon,
    port: u16,
    host_key: String,
}

impl Ssh {
    fn start(w: &World) -> Self {
        let dir = w.path("ssh");
        std::fs::create_dir_all(&dir).unwrap();
        // sshd's privilege separation folder.
        std::fs::create_dir_all("/run/sshd").unwrap();
        run(Command::new("ssh-keygen")
            .args(["-q", "-t", "ed25519", "-N", "", "-f"])
            .arg(dir.join("host")));
        std::fs::copy(w.path("officer.pub"), dir.join("authorized_keys")).unwrap();
        let port = free_port();
        let d = dir.display();
        std::fs::write(
            dir.join("sshd_config"),
            format!(
                "Port {port}\nListenAddress 127.0.0.1\nHostKey {d}/host\nPidFile {d}/sshd.pid\n\
                 AuthorizedKeysFile {d}/authorized_keys\nPasswordAuthentication no\n\
                 KbdInteractiveAuthentication no\nUsePAM no\nPermitRootLogin prohibit-password\n\
                 StrictModes no\n"
            ),
        )
        .unwrap();
        let sshd = spawn(
            Command::new("/usr/sbin/sshd")
                .args(["-D", "-e", "-f"])
                .arg(dir.join("sshd_config")),
        );
        wait_port(port);
        let host_key = std::fs::read_to_string(dir.join("host.pub")).unwrap();
        Self {
            _sshd: sshd,
            port,
            host_key: host_key.split_whitespace().take(2).collect::<Vec<_>>().join(" "),
        }
    }
}

fn user() -> String {
    String::from_utf8(Command::new("id").arg("-un").output().unwrap().stdout)
        .unwrap()
        .trim()
        .to_string()
}

/// `mailops apply --git URL` into the world's maildir, with extra arguments and environment.
fn apply(w: &World, url: &str, extra: &[&str], env: &[(&str, &str)]) -> common::Run {
    let cache = w.path("cache").display().to_string();
    let server = format!("maildir:{}", w.path("mail").display());
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_mailops"));
    cmd.args([
        "apply",
        "agency",
        "--git",
        url,
        "--git-cache",
        &cache,
        "--server",
        &server,
    ])
    .args(["--date", "2026-12-01", "--color", "never"])
    .args(extra)
    .env_remove("RUST_LOG")
    .env_remove("SSL_CERT_FILE")
    .env_remove("MAILOPS_GIT_TOKEN")
    .env_remove("SSH_AUTH_SOCK")
    .env("HOME", w.path("home"));
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    common::Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[test]
fn https_with_a_token_and_a_private_ca() {
    let w = World::new();
    common::copy_dir(&common::root().join(common::EXAMPLE), &w.path("work/agency"));
    let commit = w.push(None, "The agency", false);
    let https = Https::start(&w);
    let url = format!("https://127.0.0.1:{}/staff.git", https.port);
    let token_file = w.path("token");
    std::fs::write(&token_file, format!("{TOKEN}\n")).unwrap();
    let token_arg = token_file.display().to_string();
    let ca = https.dir.join("cert.pem").display().to_string();

    // The server's certificate is not trusted by the system: refused before any credential is sent.
    let untrusted = apply(&w, &url, &["--git-token-file", &token_arg], &[]);
    assert_eq!(untrusted.code, 1, "{}", untrusted.stderr);
    assert!(
        untrusted.stderr.to_lowercase().contains("certificate"),
        "{}",
        untrusted.stderr
    );
    let log = std::fs::read_to_string(https.dir.join("access.log")).unwrap_or_default();
    assert!(log.is_empty(), "no request reached the server: {log}");

    // A wrong token: refused, and neither token appears anywhere.
    let wrong = w.path("wrong-token");
    std::fs::write(&wrong, "glpat-wrong-wrong-wrong").unwrap();
    let refused = apply(
        &w,
        &url,
        &["--git-token-file", &wrong.display().to_string()],
        &[("SSL_CERT_FILE", &ca)],
    );
    assert_eq!(refused.code, 1, "{}", refused.stderr);
    assert!(refused.stderr.contains("cannot fetch"), "{}", refused.stderr);
    assert!(!refused.stderr.contains("glpat-"), "{}", refused.stderr);

    // No token: a clear error.
    let none = apply(&w, &url, &[], &[("SSL_CERT_FILE", &ca)]);
    assert_eq!(none.code, 1);
    assert!(none.stderr.contains("none were given"), "{}", none.stderr);

    // The token from a file, then from MAILOPS_GIT_TOKEN.
    let applied = apply(
        &w,
        &url,
        &["--git-token-file", &token_arg],
        &[("SSL_CERT_FILE", &ca)],
    );
    assert_eq!(applied.code, 0, "{}{}", applied.stdout, applied.stderr);
    assert!(applied.stdout.contains("Apply: 27 applied"), "{}", applied.stdout);
    let audit = std::fs::read_to_string(w.path("mail/mailops-audit.jsonl")).unwrap();
    assert!(audit.lines().all(|l| l.contains(&commit)));
    let again = apply(
        &w,
        &url,
        &[],
        &[("SSL_CERT_FILE", &ca), ("MAILOPS_GIT_TOKEN", TOKEN)],
    );
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert!(again.stdout.contains("No changes."), "{}", again.stdout);
    // Both fetches went through nginx's basic auth as the token's user.
    let log = std::fs::read_to_string(https.dir.join("access.log")).unwrap();
    assert!(
        log.lines()
            .filter(|l| l.contains("x-access-token") && l.contains("git-upload-pack"))
            .count()
            >= 2,
        "{log}"
    );

    // A token over plain http:// is refused outright.
    let plain = apply(
        &w,
        &format!("http://127.0.0.1:{}/staff.git", https.port),
        &["--git-token-file", &token_arg],
        &[],
    );
    assert_eq!(plain.code, 1);
    assert!(
        plain.stderr.contains("never sent over plain http"),
        "{}",
        plain.stderr
    );
}

#[test]
fn ssh_with_a_key_and_known_hosts() {
    let w = World::new();
    common::copy_dir(&common::root().join(common::EXAMPLE), &w.path("work/agency"));
    w.push(None, "The agency", false);
    let ssh = Ssh::start(&w);
    let url = format!(
        "ssh://{}@127.0.0.1:{}{}",
        user(),
        ssh.port,
        w.path("srv/staff.git").display()
    );
    let key = w.path("officer").display().to_string();
    let known = w.path("known_hosts");
    let known_arg = known.display().to_string();
    let args = ["--git-ssh-key", &key, "--git-known-hosts", &known_arg];

    // An unknown host: refused, with its fingerprint and how to add it.
    std::fs::write(&known, "").unwrap();
    let unknown = apply(&w, &url, &args, &[]);
    assert_eq!(unknown.code, 1, "{}", unknown.stderr);
    assert!(unknown.stderr.contains("is not in"), "{}", unknown.stderr);
    assert!(unknown.stderr.contains("SHA256:"), "{}", unknown.stderr);
    assert!(
        unknown
            .stderr
            .contains(&format!("ssh-keyscan -p {} 127.0.0.1", ssh.port)),
        "{}",
        unknown.stderr
    );

    // Another key on record for this host: refused as a possible man in the middle.
    let other = w.path("stranger.pub");
    let other_key: String = std::fs::read_to_string(other)
        .unwrap()
        .split_whitespace()
        .take(2)
        .collect::<Vec<_>>()
        .join(" ");
    std::fs::write(&known, format!("[127.0.0.1]:{} {other_key}\n", ssh.port)).unwrap();
    let mismatch = apply(&w, &url, &args, &[]);
    assert_eq!(mismatch.code, 1);
    assert!(mismatch.stderr.contains("does not match"), "{}", mismatch.stderr);
    assert!(!w.path("mail/passwd").exists(), "nothing applied");

    // The right host key: fetched with the key and applied.
    std::fs::write(&known, format!("[127.0.0.1]:{} {}\n", ssh.port, ssh.host_key)).unwrap();
    let applied = apply(&w, &url, &args, &[]);
    assert_eq!(applied.code, 0, "{}{}", applied.stdout, applied.stderr);
    assert!(applied.stdout.contains("Apply: 27 applied"), "{}", applied.stdout);

    // A key the server does not know: refused.
    let stranger = w.path("stranger").display().to_string();
    let denied = apply(
        &w,
        &url,
        &["--git-ssh-key", &stranger, "--git-known-hosts", &known_arg],
        &[],
    );
    assert_eq!(denied.code, 1);
    assert!(denied.stderr.contains("cannot fetch"), "{}", denied.stderr);
}
