//! A real OpenLDAP server (Debian's `slapd`, installed by tests/run.sh) on 127.0.0.1 with a configuration
//! folder and a database of the test's own, and the client tools (`ldapadd`, `ldapsearch`).

use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use super::mta::free_port;

/// The administrator's password of test servers (not a secret: the server lives for one test).
pub const ADMIN_PASSWORD: &str = "test-admin-password";

/// A running slapd.
pub struct Slapd {
    child: Child,
    /// The URL, `ldap://127.0.0.1:PORT`.
    pub url: String,
    /// The suffix it serves.
    pub suffix: String,
    /// The administrator's DN.
    pub admin: String,
    /// Its folder.
    pub dir: PathBuf,
}

impl Slapd {
    /// Starts slapd for `suffix` with the core, cosine and inetOrgPerson schemas (and `extra_schemas`),
    /// and adds the suffix's own entry.
    pub fn start(work: &Path, suffix: &str, extra_schemas: &[&Path]) -> Self {
        Self::start_with(work, suffix, extra_schemas, false)
    }

    /// Like [`Slapd::start`], with OpenLDAP's ppolicy overlay when `ppolicy` (its schema is built in since
    /// 2.5: `pwdAccountLockedTime` locks an account) and an index on `uid`.
    pub fn start_with(work: &Path, suffix: &str, extra_schemas: &[&Path], ppolicy: bool) -> Self {
        assert!(
            Path::new("/usr/sbin/slapd").exists(),
            "slapd is not installed: run ./tests/run.sh, which installs slapd and ldap-utils"
        );
        let dir = work.join("slapd");
        let db = dir.join("db");
        std::fs::create_dir_all(&db).unwrap();
        let port = free_port();
        let admin = format!("cn=admin,{suffix}");
        let mut schemas: Vec<PathBuf> = ["core", "cosine", "inetorgperson"]
            .iter()
            .map(|s| PathBuf::from(format!("/etc/ldap/schema/{s}.schema")))
            .collect();
        schemas.extend(extra_schemas.iter().map(|p| p.to_path_buf()));
        let includes: String = schemas
            .iter()
            .map(|s| format!("include {}\n", s.display()))
            .collect();
        let conf = dir.join("slapd.conf");
        std::fs::write(
            &conf,
            format!(
                "{includes}pidfile {dir}/slapd.pid\nmodulepath /usr/lib/ldap\nmoduleload back_mdb\n{module}\
                 database mdb\nsuffix \"{suffix}\"\nrootdn \"{admin}\"\nrootpw {ADMIN_PASSWORD}\n\
                 directory {db}\nmaxsize 10485760\nindex objectClass eq\nindex mail eq\nindex uid eq\n{overlay}",
                dir = dir.display(),
                db = db.display(),
                module = if ppolicy { "moduleload ppolicy\n" } else { "" },
                overlay = if ppolicy { "overlay ppolicy\n" } else { "" },
            ),
        )
        .unwrap();
        let url = format!("ldap://127.0.0.1:{port}");
        let child = Command::new("/usr/sbin/slapd")
            .args(["-d", "0", "-f"])
            .arg(&conf)
            .args(["-h", &format!("{url}/")])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("start slapd");
        let slapd = Slapd {
            child,
            url,
            suffix: suffix.to_string(),
            admin,
            dir,
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "slapd did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        let first = suffix.split(',').next().unwrap();
        let (attr, value) = first.split_once('=').unwrap();
        let base = match attr {
            "dc" => format!(
                "dn: {suffix}\nobjectClass: dcObject\nobjectClass: organization\ndc: {value}\no: {value}\n"
            ),
            _ => format!("dn: {suffix}\nobjectClass: organizationalUnit\nou: {value}\n"),
        };
        let added = slapd.add(&base);
        assert!(
            added.status.success(),
            "{}",
            String::from_utf8_lossy(&added.stderr)
        );
        slapd
    }

    /// Its process id (a test freezes it with SIGSTOP to hold a request unanswered).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// `ldapadd` of LDIF text, as the administrator.
    pub fn add(&self, ldif: &str) -> std::process::Output {
        let file = self.dir.join(format!("add-{}.ldif", std::process::id()));
        std::fs::write(&file, ldif).unwrap();
        let out = Command::new("ldapadd")
            .args([
                "-x",
                "-H",
                &self.url,
                "-D",
                &self.admin,
                "-w",
                ADMIN_PASSWORD,
                "-f",
            ])
            .arg(&file)
            .output()
            .expect("ldapadd");
        let _ = std::fs::remove_file(&file);
        out
    }

    /// `ldapsearch -LLL` below the suffix: the entries, each as (dn, [(attribute, value)]) with base64 values
    /// decoded and folded lines joined.
    pub fn search(&self, filter: &str) -> Vec<(String, Vec<(String, String)>)> {
        self.search_attrs(filter, &[])
    }

    /// Like [`Slapd::search`], asking for `attrs` (`+` for the operational ones, `*` for the others).
    pub fn search_attrs(&self, filter: &str, attrs: &[&str]) -> Vec<(String, Vec<(String, String)>)> {
        let out = Command::new("ldapsearch")
            .args([
                "-LLL",
                "-o",
                "ldif-wrap=no",
                "-x",
                "-H",
                &self.url,
                "-D",
                &self.admin,
                "-w",
                ADMIN_PASSWORD,
            ])
            .args(["-b", &self.suffix, filter])
            .args(attrs)
            .output()
            .expect("ldapsearch");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let text = String::from_utf8(out.stdout).unwrap();
        text.split("\n\n")
            .filter(|e| !e.trim().is_empty())
            .map(|entry| {
                let mut attrs: Vec<(String, String)> = entry
                    .lines()
                    .filter_map(|l| {
                        use base64ct::Encoding;
                        if let Some((a, v)) = l.split_once(":: ") {
                            let bytes = base64ct::Base64::decode_vec(v).unwrap();
                            Some((a.to_string(), String::from_utf8(bytes).unwrap()))
                        } else {
                            l.split_once(": ").map(|(a, v)| (a.to_string(), v.to_string()))
                        }
                    })
                    .collect();
                let dn = attrs.remove(0).1;
                (dn, attrs)
            })
            .collect()
    }
}

impl Drop for Slapd {
    fn drop(&mut self) {
        super::mta::terminate(&mut self.child);
    }
}
