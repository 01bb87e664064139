//! A real Dovecot (Debian's dovecot-core and dovecot-imapd, installed by tests/run.sh) on 127.0.0.1 for a
//! maildir backend's passwd-file or for PostfixAdmin's SQL tables (dovecot-pgsql, dovecot-mysql), a minimal
//! IMAP client and an LMTP delivery.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use super::mta::free_port;

pub fn id(flag: &str, user: &str) -> u32 {
    let out = Command::new("id").args([flag, user]).output().expect("id");
    assert!(
        out.status.success(),
        "user {user} is missing: run ./tests/run.sh, which creates it"
    );
    String::from_utf8_lossy(&out.stdout).trim().parse().unwrap()
}

pub struct Dovecot {
    child: Child,
    /// The IMAP port.
    pub port: u16,
    /// Its log.
    pub log: PathBuf,
    /// The LMTP port (with the last_login plugin).
    pub lmtp_port: Option<u16>,
}

impl Drop for Dovecot {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts Dovecot for the passwd-file `passwd`, with IMAP on 127.0.0.1.
pub fn start_dovecot(work: &Path, passwd: &Path, uid: u32) -> Dovecot {
    start_dovecot_with(work, passwd, uid, None)
}

/// Like [`start_dovecot`], with the last_login plugin writing to the dict file `last_login` when given
/// (IMAP only, as the README sets it up).
pub fn start_dovecot_with(work: &Path, passwd: &Path, uid: u32, last_login: Option<&Path>) -> Dovecot {
    let accounts = format!(
        "mail_location = maildir:~/Maildir\n\
         passdb {{\n  driver = passwd-file\n  args = scheme=SHA512-CRYPT {passwd}\n}}\n\
         userdb {{\n  driver = passwd-file\n  args = {passwd}\n}}\n",
        passwd = passwd.display()
    );
    let plugin = last_login.map_or_else(String::new, |dict| {
        format!(
            "protocol imap {{\n  mail_plugins = $mail_plugins last_login\n}}\n\
             plugin {{\n  last_login_dict = file:{}\n}}\n",
            dict.display()
        )
    });
    start(work, uid, &accounts, last_login.is_some(), &plugin)
}

/// Starts Dovecot with IMAP and LMTP on 127.0.0.1 for the accounts of PostfixAdmin's tables, as
/// PostfixAdmin's documentation sets it up: `driver` is `pgsql` or `mysql`, `connect` its connect string.
/// The password query asks for an active mailbox; the user query's home is `mail_root` + the `maildir`
/// column, so the mail follows the column, not the address.
pub fn start_dovecot_sql(work: &Path, uid: u32, driver: &str, connect: &str, mail_root: &Path) -> Dovecot {
    let (active, home) = match driver {
        "pgsql" => ("active = true", format!("'{}/' || maildir", mail_root.display())),
        _ => (
            "active = 1",
            format!("CONCAT('{}/', maildir)", mail_root.display()),
        ),
    };
    let sql = work.join("dovecot-sql.conf.ext");
    std::fs::write(
        &sql,
        format!(
            "driver = {driver}\nconnect = {connect}\ndefault_pass_scheme = SHA512-CRYPT\n\
             password_query = SELECT username AS user, password FROM mailbox WHERE username = '%u' AND {active}\n\
             user_query = SELECT {home} AS home, {uid} AS uid, {uid} AS gid FROM mailbox WHERE username = '%u' AND {active}\n"
        ),
    )
    .unwrap();
    let accounts = format!(
        "mail_location = maildir:~/\n\
         passdb {{\n  driver = sql\n  args = {sql}\n}}\n\
         userdb {{\n  driver = sql\n  args = {sql}\n}}\n",
        sql = sql.display()
    );
    start(work, uid, &accounts, true, "")
}

/// Starts Dovecot with IMAP and LMTP on 127.0.0.1 for the accounts of an LDAP directory (dovecot-ldap), as
/// the README sets it up for the `inetOrgPerson` profile: the entry found by `uid` below `base` (`%d` for the
/// domain), the password checked by binding as it (`auth_bind`), a locked entry (`pwdAccountLockedTime`)
/// refused, and the home keyed by `entryUUID`, which a rename keeps.
pub fn start_dovecot_ldap(
    work: &Path,
    uid: u32,
    uri: &str,
    bind: (&str, &str),
    base: &str,
    mail_root: &Path,
) -> Dovecot {
    let conf = work.join("dovecot-ldap.conf.ext");
    std::fs::write(
        &conf,
        format!(
            "uris = {uri}\ndn = {dn}\ndnpass = {pass}\nauth_bind = yes\nbase = {base}\nscope = onelevel\n\
             pass_filter = (&(objectClass=inetOrgPerson)(uid=%n)(!(pwdAccountLockedTime=*)))\n\
             pass_attrs = =user=%u\n\
             user_filter = (&(objectClass=inetOrgPerson)(uid=%n))\n\
             user_attrs = =home={root}/%{{ldap:entryUUID}}, =uid={uid}, =gid={uid}\n",
            dn = bind.0,
            pass = bind.1,
            root = mail_root.display(),
        ),
    )
    .unwrap();
    let accounts = format!(
        "mail_location = maildir:~/\n\
         passdb {{\n  driver = ldap\n  args = {conf}\n}}\n\
         userdb {{\n  driver = ldap\n  args = {conf}\n}}\n",
        conf = conf.display()
    );
    start(work, uid, &accounts, true, "")
}

/// Starts Dovecot on an LDAP directory of iRedMail's `mailUser` entries, configured as iRedMail configures it:
/// Dovecot reads `userPassword` ({CRYPT}) itself, only `accountStatus: active` entries with the `mail`
/// service log in, the home is `homeDirectory`, and the quota plugin enforces `mailQuota` (bytes) and reports
/// it over IMAP (GETQUOTAROOT).
pub fn start_dovecot_mailuser(work: &Path, uid: u32, uri: &str, bind: (&str, &str), base: &str) -> Dovecot {
    let conf = work.join("dovecot-ldap.conf.ext");
    let filter = "(&(objectClass=mailUser)(accountStatus=active)(enabledService=mail)(mail=%u))";
    std::fs::write(
        &conf,
        format!(
            "uris = {uri}\ndn = {dn}\ndnpass = {pass}\nauth_bind = no\nbase = {base}\nscope = onelevel\n\
             default_pass_scheme = CRYPT\n\
             pass_filter = {filter}\n\
             pass_attrs = mail=user,userPassword=password\n\
             user_filter = {filter}\n\
             user_attrs = mail=user,homeDirectory=home,=uid={uid},=gid={uid},mailQuota=quota_rule=*:bytes=%$\n",
            dn = bind.0,
            pass = bind.1,
        ),
    )
    .unwrap();
    let accounts = format!(
        "mail_location = maildir:~/Maildir\n\
         mail_plugins = $mail_plugins quota\n\
         passdb {{\n  driver = ldap\n  args = {conf}\n}}\n\
         userdb {{\n  driver = ldap\n  args = {conf}\n}}\n",
        conf = conf.display()
    );
    let plugin = "protocol imap {\n  mail_plugins = $mail_plugins imap_quota\n}\n\
                  plugin {\n  quota = maildir:User quota\n}\n";
    start(work, uid, &accounts, true, plugin)
}

fn start(work: &Path, uid: u32, accounts: &str, lmtp: bool, plugin: &str) -> Dovecot {
    let dovecot = Path::new("/usr/sbin/dovecot");
    assert!(
        dovecot.exists(),
        "Dovecot is not installed: run ./tests/run.sh, which installs dovecot-core and dovecot-imapd"
    );
    let port = free_port();
    let lmtp_port = lmtp.then(free_port);
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
protocols = {protocols}
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
# A refused login answers at once (2 s by default): tests check many refusals.
auth_failure_delay = 0
default_login_user = dovenull
default_internal_user = dovecot
first_valid_uid = {uid}
{accounts}service auth {{
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
{plugin}{lmtp}"#,
            run = run.display(),
            log = log.display(),
            protocols = if lmtp { "imap lmtp" } else { "imap" },
            lmtp = lmtp_port.map_or_else(String::new, |port| format!(
                "service lmtp {{\n  inet_listener lmtp {{\n    address = 127.0.0.1\n    port = {port}\n  }}\n}}\n"
            )),
        ),
    )
    .unwrap();
    let child = Command::new(dovecot)
        .args(["-F", "-c"])
        .arg(&conf)
        .spawn()
        .expect("start dovecot");
    let d = Dovecot {
        child,
        port,
        log,
        lmtp_port,
    };
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
pub fn imap_login(port: u16, user: &str, password: &str) -> (String, Option<u32>) {
    let (login, lines) = imap_session(port, user, password, "SELECT INBOX");
    let exists = lines.and_then(|lines| {
        lines
            .iter()
            .find_map(|l| l.strip_suffix(" EXISTS")?.strip_prefix("* ")?.parse().ok())
    });
    (login, exists)
}

/// LOGIN, then `command`; returns the tagged LOGIN reply and, when the login worked, the untagged lines of the
/// command's answer.
pub fn imap_session(port: u16, user: &str, password: &str, command: &str) -> (String, Option<Vec<String>>) {
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
            // End of stream: the server hung up (its log says why); never a busy loop.
            assert!(
                reader.read_line(&mut l).unwrap() > 0,
                "Dovecot closed the connection after `{command}`"
            );
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
    let (_, lines) = tagged("a2", command);
    let _ = tagged("a3", "LOGOUT");
    (login, Some(lines))
}

/// Delivers one message over LMTP (Dovecot's delivery protocol), with `subject`.
pub fn lmtp_deliver(port: u16, to: &str, subject: &str) {
    let stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut writer = stream;
    let mut expect = |code: &str| loop {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        assert!(line.starts_with(code), "expected {code}: {line}");
        if line.as_bytes().get(3) == Some(&b' ') {
            break;
        }
    };
    expect("220");
    for (command, code) in [
        ("LHLO test".to_string(), "250"),
        ("MAIL FROM:<bdt@binhthuan.gov.vn>".to_string(), "250"),
        (format!("RCPT TO:<{to}>"), "250"),
        ("DATA".to_string(), "354"),
        (
            format!("From: bdt@binhthuan.gov.vn\r\nSubject: {subject}\r\n\r\nHop giao ban.\r\n."),
            "250",
        ),
        ("QUIT".to_string(), "221"),
    ] {
        writer.write_all(format!("{command}\r\n").as_bytes()).unwrap();
        expect(code);
    }
}
