//! The maildir backend with a real Dovecot (Debian `dovecot-core` + `dovecot-imapd`, installed by
//! tests/run.sh, with mail owned by the `vmail` user): an account mailops creates logs in over IMAP, a
//! suspended one is refused, a message delivered before a rename is read after it, and a deleted mailbox
//! comes back from its archive.
//!
//! Dovecot listens on 127.0.0.1 on a free port and is stopped when the test ends.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use mailops::backend::maildir::MaildirBackend;
use mailops::backend::{MailBackend, NewAccount, Secret};
use mailops::desired::Address;

fn id(flag: &str, user: &str) -> u32 {
    let out = Command::new("id").args([flag, user]).output().expect("id");
    assert!(
        out.status.success(),
        "user {user} is missing: run ./tests/run.sh, which creates it"
    );
    String::from_utf8_lossy(&out.stdout).trim().parse().unwrap()
}

struct Dovecot {
    child: Child,
    port: u16,
    log: PathBuf,
}

impl Drop for Dovecot {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn start_dovecot(work: &Path, passwd: &Path, uid: u32) -> Dovecot {
    let dovecot = Path::new("/usr/sbin/dovecot");
    assert!(
        dovecot.exists(),
        "Dovecot is not installed: run ./tests/run.sh, which installs dovecot-core and dovecot-imapd"
    );
    let port = free_port();
    let run = work.join("run");
    std::fs::create_dir_all(&run).unwrap();
    let log = work.join("dovecot.log");
    let conf = work.join("dovecot.conf");
    std::fs::write(
        &conf,
        format!(
            r#"base_dir = {run}
state_dir = {run}
log_path = {log}
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_login_user = dovenull
default_internal_user = dovecot
first_valid_uid = {uid}
mail_location = maildir:~/Maildir
passdb {{
  driver = passwd-file
  args = scheme=SHA512-CRYPT {passwd}
}}
userdb {{
  driver = passwd-file
  args = {passwd}
}}
service auth {{
  user = root
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service pop3-login {{
  inet_listener pop3 {{
    port = 0
  }}
}}
"#,
            run = run.display(),
            log = log.display(),
            passwd = passwd.display(),
            uid = uid,
        ),
    )
    .unwrap();
    let child = Command::new(dovecot)
        .args(["-F", "-c"])
        .arg(&conf)
        .spawn()
        .expect("start dovecot");
    let d = Dovecot { child, port, log };
    let deadline = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "Dovecot did not start: {}",
            std::fs::read_to_string(&d.log).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    d
}

/// A minimal IMAP session: LOGIN, then SELECT INBOX; returns the tagged LOGIN reply and the EXISTS count.
fn imap_login(port: u16, user: &str, password: &str) -> (String, Option<u32>) {
    let stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut writer = stream;
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    assert!(line.starts_with("* OK"), "greeting: {line}");
    let mut tagged = |tag: &str, command: &str| -> (String, Vec<String>) {
        writer
            .write_all(format!("{tag} {command}\r\n").as_bytes())
            .unwrap();
        let mut untagged = Vec::new();
        loop {
            let mut l = String::new();
            reader.read_line(&mut l).unwrap();
            if l.starts_with(&format!("{tag} ")) {
                return (l.trim().to_string(), untagged);
            }
            untagged.push(l.trim().to_string());
        }
    };
    let (login, _) = tagged("a1", &format!("LOGIN \"{user}\" \"{password}\""));
    if !login.starts_with("a1 OK") {
        return (login, None);
    }
    let (_, lines) = tagged("a2", "SELECT INBOX");
    let exists = lines
        .iter()
        .find_map(|l| l.strip_suffix(" EXISTS")?.strip_prefix("* ")?.parse().ok());
    let _ = tagged("a3", "LOGOUT");
    (login, exists)
}

fn deliver(b: &MaildirBackend, a: &Address, uid: u32, gid: u32) {
    let path = b.home(a).join("Maildir/new/1700000000.M1P1.mailops-test");
    std::fs::write(
        &path,
        "From: bdt@binhthuan.gov.vn\r\nSubject: Lich hop\r\n\r\nHop giao ban thu Hai.\r\n",
    )
    .unwrap();
    std::os::unix::fs::chown(&path, Some(uid), Some(gid)).unwrap();
}

#[tokio::test]
async fn dovecot_serves_what_the_maildir_backend_writes() {
    let (uid, gid) = (id("-u", "vmail"), id("-g", "vmail"));
    let work = tempfile::tempdir().unwrap();
    let root = work.path().join("mail-root");
    std::fs::create_dir_all(&root).unwrap();
    // Dovecot's mail processes run as vmail: they must reach the mail folders.
    for p in [work.path(), root.as_path()] {
        std::fs::set_permissions(p, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    }
    let b = MaildirBackend::open(&root).unwrap().with_owner(uid, gid);
    let address: Address = "anvtt@bdt.binhthuan.gov.vn".parse().unwrap();
    let password = "Mat-khau-ban-dau-2026";
    b.create(
        &NewAccount {
            address: address.clone(),
            display_name: "Võ Thị Thu An".into(),
            given_name: Some("An".into()),
            family_name: Some("Võ Thị Thu".into()),
            quota: Some("2GiB".parse().unwrap()),
            aliases: Default::default(),
            enabled: true,
        },
        &Secret::new(password.into()),
    )
    .await
    .unwrap();
    deliver(&b, &address, uid, gid);
    let dovecot = start_dovecot(work.path(), &root.join("passwd"), uid);
    let log = || std::fs::read_to_string(&dovecot.log).unwrap_or_default();

    let (login, exists) = imap_login(dovecot.port, address.as_str(), password);
    assert!(login.starts_with("a1 OK"), "{login}\n{}", log());
    assert_eq!(exists, Some(1), "the delivered message is in INBOX");
    let (wrong, _) = imap_login(dovecot.port, address.as_str(), "not-the-password");
    assert!(wrong.starts_with("a1 NO"), "{wrong}");

    // Dovecot re-reads a changed passwd-file at most once a second.
    let settle = || std::thread::sleep(Duration::from_millis(1100));
    b.suspend(&address).await.unwrap();
    settle();
    let (suspended, _) = imap_login(dovecot.port, address.as_str(), password);
    assert!(
        suspended.starts_with("a1 NO"),
        "a suspended account is refused: {suspended}\n{}",
        log()
    );

    b.resume(&address).await.unwrap();
    let renamed: Address = "anvtt.ctt@bdt.binhthuan.gov.vn".parse().unwrap();
    b.rename(&address, &renamed, true).await.unwrap();
    settle();
    let (after, exists) = imap_login(dovecot.port, renamed.as_str(), password);
    let passwd = std::fs::read_to_string(root.join("passwd")).unwrap_or_default();
    assert!(after.starts_with("a1 OK"), "{after}\n{passwd}\n{}", log());
    assert_eq!(
        exists,
        Some(1),
        "the message delivered before the rename is read after it"
    );
    let (old, _) = imap_login(dovecot.port, address.as_str(), password);
    assert!(
        old.starts_with("a1 NO"),
        "the old login is gone (it is an alias now): {old}"
    );

    // Deleted: archived first. Restored by unpacking the archive into place and creating the account again.
    b.delete(&renamed).await.unwrap();
    settle();
    let (gone, _) = imap_login(dovecot.port, renamed.as_str(), password);
    assert!(gone.starts_with("a1 NO"), "{gone}");
    let archive_dir = root.join("archive/bdt.binhthuan.gov.vn");
    let archive = std::fs::read_dir(&archive_dir)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let home = b.home(&renamed);
    let parent = home.parent().unwrap().to_path_buf();
    std::fs::create_dir_all(&parent).unwrap();
    let gz = flate2::read::GzDecoder::new(std::fs::File::open(&archive).unwrap());
    tar::Archive::new(gz).unpack(&parent).unwrap();
    for entry in common::files_below(&home) {
        std::os::unix::fs::chown(&entry, Some(uid), Some(gid)).unwrap();
    }
    b.create(
        &NewAccount {
            address: renamed.clone(),
            display_name: "Võ Thị Thu An".into(),
            given_name: None,
            family_name: None,
            quota: None,
            aliases: Default::default(),
            enabled: true,
        },
        &Secret::new(password.into()),
    )
    .await
    .unwrap();
    settle();
    let (restored, exists) = imap_login(dovecot.port, renamed.as_str(), password);
    assert!(restored.starts_with("a1 OK"), "{restored}\n{}", log());
    assert_eq!(exists, Some(1), "the archived message is back");
}
