//! The LDAP backend against a real OpenLDAP (Debian's slapd, in a folder of the test's own on 127.0.0.1) and a
//! real Dovecot authenticating the accounts (dovecot-ldap); what mailops wrote is read back with `ldapsearch`.
//! - The plain `inetOrgPerson` profile: slapd with the ppolicy overlay, Dovecot binding as the accounts.
//! - The `mailUser` profile (iRedMail's attribute names): slapd with a stand-in of iRedMail's schema
//!   (tests/fixtures/ldap/mailuser.schema says why it is not iRedMail's file), Dovecot configured as iRedMail
//!   configures it, with the quota plugin.

mod common;

use std::process::Command;

use common::dovecot::{
    Dovecot, id, imap_login, imap_session, lmtp_deliver, start_dovecot_ldap, start_dovecot_mailuser,
};
use common::ldap::{ADMIN_PASSWORD, Slapd};
use mailops::backend::ldap::{LdapBackend, LdapConfig, Profile};
use mailops::backend::{AccountUpdate, MailBackend, NewAccount, Secret};
use mailops::desired::{Address, Quota};

const SUFFIX: &str = "dc=mailops,dc=test";
const BASE: &str = "ou={domain},dc=mailops,dc=test";

fn a(s: &str) -> Address {
    s.parse().unwrap()
}

/// slapd with a base per domain for `profile`, and Dovecot on it, the mail under `work/mail` owned by vmail.
fn servers_for(work: &std::path::Path, domains: &[&str], profile: Profile) -> (Slapd, Dovecot) {
    let stand_in =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/ldap/mailuser.schema");
    let nis = std::path::Path::new("/etc/ldap/schema/nis.schema");
    let slapd = match profile {
        Profile::InetOrgPerson => Slapd::start_with(work, SUFFIX, &[], true),
        Profile::MailUser => Slapd::start_with(work, SUFFIX, &[nis, &stand_in], false),
    };
    for d in domains {
        let added = slapd.add(&format!(
            "dn: ou={d},{SUFFIX}\nobjectClass: organizationalUnit\nou: {d}\n"
        ));
        assert!(
            added.status.success(),
            "{}",
            String::from_utf8_lossy(&added.stderr)
        );
    }
    let uid = id("-u", "vmail");
    let mail = work.join("mail");
    std::fs::create_dir_all(&mail).unwrap();
    for p in [work, &mail] {
        std::os::unix::fs::chown(p, Some(uid), Some(id("-g", "vmail"))).unwrap();
    }
    let bind = (slapd.admin.as_str(), ADMIN_PASSWORD);
    let base = format!("ou=%d,{SUFFIX}");
    let dovecot = match profile {
        Profile::InetOrgPerson => start_dovecot_ldap(work, uid, &slapd.url, bind, &base, &mail),
        Profile::MailUser => start_dovecot_mailuser(work, uid, &slapd.url, bind, &base),
    };
    (slapd, dovecot)
}

fn servers(work: &std::path::Path, domains: &[&str]) -> (Slapd, Dovecot) {
    servers_for(work, domains, Profile::InetOrgPerson)
}

/// The URL of the `mailUser` profile, the mail stores below `work/mail/vmail1`.
fn mailuser_url(slapd: &Slapd, work: &std::path::Path) -> String {
    format!(
        "{}&profile=mailuser&mail-root={}",
        url(slapd),
        work.join("mail/vmail1").display()
    )
}

fn url(slapd: &Slapd) -> String {
    format!("{}/?bind-dn={}&base-dn={BASE}", slapd.url, slapd.admin)
}

fn backend(slapd: &Slapd, domains: &[&str]) -> LdapBackend {
    backend_at(&url(slapd), domains)
}

fn backend_at(url: &str, domains: &[&str]) -> LdapBackend {
    LdapBackend::new(
        LdapConfig::from_url(url).unwrap(),
        Secret::new(ADMIN_PASSWORD.into()),
        domains.iter().map(|d| (*d).to_string()).collect(),
    )
}

fn logs_in(dovecot: &Dovecot, user: &str, password: &str) -> Option<u32> {
    let (reply, exists) = imap_login(dovecot.port, user, password);
    reply.starts_with("a1 OK").then(|| exists.unwrap_or(0))
}

/// The values of `attr` of the entry `uid=LOCAL` (user and operational attributes).
fn attr(slapd: &Slapd, local: &str, attr: &str) -> Vec<String> {
    slapd
        .search_attrs(&format!("(uid={local})"), &["*", "+"])
        .into_iter()
        .flat_map(|(_, attrs)| attrs)
        .filter(|(a, _)| a == attr)
        .map(|(_, v)| v)
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn accounts_log_in_and_keep_their_mail_across_a_rename() {
    let work = tempfile::tempdir().unwrap();
    let d = "bdt.ldap.test";
    let (slapd, dovecot) = servers(work.path(), &[d]);
    let b = backend(&slapd, &[d]);
    let an = a(&format!("anvtt@{d}"));
    let password = "Mat-khau-ban-dau-2026";
    b.create(
        &NewAccount {
            address: an.clone(),
            display_name: "Võ Thị Thu An".into(),
            given_name: Some("An".into()),
            family_name: Some("Võ Thị Thu".into()),
            quota: None,
            aliases: [a(&format!("an.vo@{d}"))].into(),
            enabled: true,
        },
        &Secret::new(password.into()),
    )
    .await
    .unwrap();
    assert_eq!(attr(&slapd, "anvtt", "cn"), ["Võ Thị Thu An"]);
    assert_eq!(attr(&slapd, "anvtt", "sn"), ["Võ Thị Thu"]);
    assert_eq!(attr(&slapd, "anvtt", "givenName"), ["An"]);
    let mut mail = attr(&slapd, "anvtt", "mail");
    mail.sort();
    assert_eq!(mail, [format!("an.vo@{d}"), an.to_string()]);
    let hash = attr(&slapd, "anvtt", "userPassword");
    assert!(hash[0].starts_with("{CRYPT}$6$"), "{hash:?}");
    assert_eq!(
        logs_in(&dovecot, an.as_str(), password),
        Some(0),
        "slapd checks the {{CRYPT}} hash"
    );
    assert_eq!(logs_in(&dovecot, an.as_str(), "wrong"), None);
    let o = b.observe().await.unwrap();
    assert_eq!(o.accounts.len(), 1);
    let uuid = o.accounts[0].id.clone().expect("entryUUID");
    assert_eq!(o.accounts[0].aliases.len(), 1);

    b.suspend(&an).await.unwrap();
    assert_eq!(attr(&slapd, "anvtt", "pwdAccountLockedTime"), ["000001010000Z"]);
    assert_eq!(
        logs_in(&dovecot, an.as_str(), password),
        None,
        "refused while locked"
    );
    assert!(!b.observe().await.unwrap().accounts[0].enabled);
    b.resume(&an).await.unwrap();
    assert!(attr(&slapd, "anvtt", "pwdAccountLockedTime").is_empty());
    assert_eq!(logs_in(&dovecot, an.as_str(), password), Some(0));

    lmtp_deliver(dovecot.lmtp_port.unwrap(), an.as_str(), "Truoc khi doi ten");
    let renamed = a(&format!("anvtt.ctt@{d}"));
    b.rename(&an, &renamed, true).await.unwrap();
    let o = b.observe().await.unwrap();
    assert_eq!(o.accounts.len(), 1);
    assert_eq!(o.accounts[0].address, renamed);
    assert_eq!(o.accounts[0].id.as_ref(), Some(&uuid), "the same entry");
    assert!(
        o.accounts[0].aliases.contains(&an),
        "the old address kept as an alias"
    );
    assert_eq!(
        logs_in(&dovecot, renamed.as_str(), password),
        Some(1),
        "the mail delivered before the rename is read under the new name"
    );
    assert_eq!(logs_in(&dovecot, an.as_str(), password), None);

    // Values are escaped where they go: a name of DN and filter metacharacters is stored as given.
    let tricky = "O'Brien, \"Ngọc\" + <x>; \\ *)(uid=*";
    b.update(
        &renamed,
        &AccountUpdate {
            display_name: Some(tricky.into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(attr(&slapd, "anvtt.ctt", "cn"), [tricky]);
    assert_eq!(b.observe().await.unwrap().accounts[0].display_name, tricky);

    b.delete(&renamed).await.unwrap();
    assert!(b.observe().await.unwrap().accounts.is_empty());
    assert_eq!(logs_in(&dovecot, renamed.as_str(), password), None);
    assert!(
        work.path().join("mail").join(&uuid).is_dir(),
        "the mail folder stays on disk"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn entries_mailops_does_not_manage_are_left_as_they_are() {
    let work = tempfile::tempdir().unwrap();
    let d = "bdt.hand.test";
    let (slapd, _dovecot) = servers(work.path(), &[d]);
    let hand = format!(
        "dn: cn=printer,ou={d},{SUFFIX}\nobjectClass: organizationalRole\ncn: printer\n\n\
         dn: uid=Old User,ou={d},{SUFFIX}\nobjectClass: inetOrgPerson\nuid: Old User\ncn: Old\nsn: User\n"
    );
    let added = slapd.add(&hand);
    assert!(
        added.status.success(),
        "{}",
        String::from_utf8_lossy(&added.stderr)
    );
    let before = slapd.search_attrs("(|(cn=printer)(uid=Old User))", &["*", "+"]);
    let b = backend(&slapd, &[d]);
    let o = b.observe().await.unwrap();
    assert!(o.accounts.is_empty());
    assert!(
        o.problems.iter().any(|p| p.contains("Old User")),
        "{:?}",
        o.problems
    );
    b.create(
        &NewAccount {
            address: a(&format!("lannt@{d}")),
            display_name: "Nguyễn Thị Lan".into(),
            given_name: None,
            family_name: None,
            quota: None,
            aliases: Default::default(),
            enabled: false,
        },
        &Secret::new("Mat-khau-2026".into()),
    )
    .await
    .unwrap();
    assert!(
        !b.observe().await.unwrap().accounts[0].enabled,
        "created suspended"
    );
    b.delete(&a(&format!("lannt@{d}"))).await.unwrap();
    assert_eq!(
        slapd.search_attrs("(|(cn=printer)(uid=Old User))", &["*", "+"]),
        before
    );
}

/// The `mailUser` profile: quota, aliases and status in iRedMail's attributes, honoured by a Dovecot configured
/// as iRedMail configures it; a rename keeps `homeDirectory` and so the mail; hand-made entries stay as they
/// are.
#[tokio::test(flavor = "multi_thread")]
async fn mailuser_entries_carry_the_quota_the_aliases_and_the_status_dovecot_enforces() {
    let work = tempfile::tempdir().unwrap();
    let d = "bdt.mailuser.test";
    let (slapd, dovecot) = servers_for(work.path(), &[d], Profile::MailUser);
    let hand = format!(
        "dn: mail=ke.toan@other.test,ou={d},{SUFFIX}\nobjectClass: inetOrgPerson\nobjectClass: mailUser\n\
         mail: ke.toan@other.test\nuid: ke.toan\ncn: Ke toan\nsn: Toan\naccountStatus: active\n\n\
         dn: cn=printer,ou={d},{SUFFIX}\nobjectClass: organizationalRole\ncn: printer\n"
    );
    let added = slapd.add(&hand);
    assert!(
        added.status.success(),
        "{}",
        String::from_utf8_lossy(&added.stderr)
    );
    // In DN order: slapd's own order changes as entries come and go.
    let untouched = || {
        let mut e = slapd.search_attrs("(|(cn=printer)(uid=ke.toan))", &["*", "+"]);
        e.sort();
        e
    };
    let before = untouched();
    let b = backend_at(&mailuser_url(&slapd, work.path()), &[d]);
    assert!(b.capabilities().quotas);
    let o = b.observe().await.unwrap();
    assert!(o.accounts.is_empty());
    assert!(
        o.problems.iter().any(|p| p.contains("ke.toan@other.test")),
        "{:?}",
        o.problems
    );

    let an = a(&format!("anvtt@{d}"));
    let password = "Mat-khau-ban-dau-2026";
    let gib = 1u64 << 30;
    b.create(
        &NewAccount {
            address: an.clone(),
            display_name: "Võ Thị Thu An".into(),
            given_name: Some("An".into()),
            family_name: Some("Võ Thị Thu".into()),
            quota: Some(Quota::Bytes(gib)),
            aliases: [a(&format!("an.vo@{d}"))].into(),
            enabled: true,
        },
        &Secret::new(password.into()),
    )
    .await
    .unwrap();
    let entry = slapd.search_attrs("(uid=anvtt)", &["*", "+"]);
    assert_eq!(entry.len(), 1);
    assert_eq!(entry[0].0, format!("mail={an},ou={d},{SUFFIX}"));
    let classes = attr(&slapd, "anvtt", "objectClass");
    assert!(classes.contains(&"mailUser".to_string()), "{classes:?}");
    assert_eq!(attr(&slapd, "anvtt", "mail"), [an.to_string()]);
    assert_eq!(attr(&slapd, "anvtt", "shadowAddress"), [format!("an.vo@{d}")]);
    assert_eq!(attr(&slapd, "anvtt", "accountStatus"), ["active"]);
    assert_eq!(attr(&slapd, "anvtt", "mailQuota"), [gib.to_string()]);
    assert!(attr(&slapd, "anvtt", "userPassword")[0].starts_with("{CRYPT}$6$"));
    let services = attr(&slapd, "anvtt", "enabledService");
    for s in ["mail", "imap", "lmtp", "shadowaddress"] {
        assert!(services.contains(&s.to_string()), "{services:?}");
    }
    let home = attr(&slapd, "anvtt", "homeDirectory");
    let root = work.path().join("mail/vmail1");
    assert!(
        home[0].starts_with(&format!("{}/{d}/anvtt-", root.display())),
        "{home:?}"
    );
    let store = attr(&slapd, "anvtt", "mailMessageStore");
    assert_eq!(
        format!(
            "{}/{}",
            attr(&slapd, "anvtt", "storageBaseDirectory")[0],
            store[0]
        ),
        home[0]
    );
    assert_eq!(untouched(), before, "hand-made entries unchanged");

    // Dovecot checks the {CRYPT} hash itself and enforces the quota mailops wrote (GETQUOTAROOT in KiB).
    assert_eq!(logs_in(&dovecot, an.as_str(), password), Some(0));
    assert_eq!(logs_in(&dovecot, an.as_str(), "wrong"), None);
    let quota = |user: &Address| {
        let (login, lines) = imap_session(dovecot.port, user.as_str(), password, "GETQUOTAROOT INBOX");
        assert!(login.starts_with("a1 OK"), "{login}");
        lines
            .unwrap()
            .into_iter()
            .find(|l| l.starts_with("* QUOTA "))
            .unwrap_or_default()
    };
    assert!(quota(&an).ends_with("(STORAGE 0 1048576)"), "{}", quota(&an));
    let o = b.observe().await.unwrap();
    assert_eq!(o.accounts.len(), 1);
    assert_eq!(o.accounts[0].quota, Some(Quota::Bytes(gib)));
    assert_eq!(o.accounts[0].aliases.len(), 1);
    let uuid = o.accounts[0].id.clone().expect("entryUUID");

    b.suspend(&an).await.unwrap();
    assert_eq!(attr(&slapd, "anvtt", "accountStatus"), ["disabled"]);
    assert_eq!(
        logs_in(&dovecot, an.as_str(), password),
        None,
        "refused while disabled"
    );
    assert!(!b.observe().await.unwrap().accounts[0].enabled);
    b.resume(&an).await.unwrap();
    assert_eq!(logs_in(&dovecot, an.as_str(), password), Some(0));

    lmtp_deliver(dovecot.lmtp_port.unwrap(), an.as_str(), "Truoc khi doi ten");
    let renamed = a(&format!("anvtt.ctt@{d}"));
    b.rename(&an, &renamed, true).await.unwrap();
    let o = b.observe().await.unwrap();
    assert_eq!(o.accounts[0].address, renamed);
    assert_eq!(o.accounts[0].id.as_ref(), Some(&uuid), "the same entry");
    assert!(
        o.accounts[0].aliases.contains(&an),
        "the old address kept as an alias"
    );
    assert_eq!(
        attr(&slapd, "anvtt.ctt", "homeDirectory"),
        home,
        "the mail store unchanged"
    );
    assert_eq!(attr(&slapd, "anvtt.ctt", "mail"), [renamed.to_string()]);
    assert_eq!(
        logs_in(&dovecot, renamed.as_str(), password),
        Some(1),
        "the mail delivered before the rename is read under the new name"
    );

    b.update(
        &renamed,
        &AccountUpdate {
            quota: Some(Quota::Bytes(2 * gib)),
            aliases: Some(Default::default()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(attr(&slapd, "anvtt.ctt", "mailQuota"), [(2 * gib).to_string()]);
    assert!(attr(&slapd, "anvtt.ctt", "shadowAddress").is_empty());
    // One message is stored (1 KiB in use); the limit is the new one.
    assert!(quota(&renamed).ends_with(" 2097152)"), "{}", quota(&renamed));

    b.delete(&renamed).await.unwrap();
    assert!(b.observe().await.unwrap().accounts.is_empty());
    assert_eq!(logs_in(&dovecot, renamed.as_str(), password), None);
    assert!(
        std::path::Path::new(&home[0]).join("Maildir").is_dir(),
        "the mail stays on disk"
    );
    assert_eq!(untouched(), before, "hand-made entries unchanged");
}

/// The example's life through the binary: created (every password logs in), a second apply writes nothing, a
/// rename keeps the entry and the mail, an entry renamed by hand is renamed back, a transfer out is locked
/// then deleted, the agency mailbox's password is rotated on a handover.
#[test]
fn the_example_applies_and_reapplies_to_no_change() {
    example_lifecycle(Profile::InetOrgPerson);
}

/// The same life on the `mailUser` profile, where the quotas are set and a suspension is `accountStatus`.
#[test]
fn the_example_applies_and_reapplies_to_no_change_on_mailuser() {
    example_lifecycle(Profile::MailUser);
}

fn example_lifecycle(profile: Profile) {
    let work = tempfile::tempdir().unwrap();
    let base = match profile {
        Profile::InetOrgPerson => "ldap.example.test",
        Profile::MailUser => "mailuser.example.test",
    };
    let (slapd, dovecot) = servers_for(work.path(), &[&format!("bdt.{base}"), base], profile);
    let server = match profile {
        Profile::InetOrgPerson => url(&slapd),
        Profile::MailUser => mailuser_url(&slapd, work.path()),
    };
    let example = common::example_copy::ExampleCopy::new(Some(base));
    let run = |date: &str| {
        let out = Command::new(env!("CARGO_BIN_EXE_mailops"))
            .env("MAILOPS_TODAY", date)
            .args(example.apply_args(&server, date))
            .env_remove("RUST_LOG")
            .env("NO_COLOR", "1")
            .env("MAILOPS_TOKEN", ADMIN_PASSWORD)
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr),
        )
    };
    let (code, out) = run("2026-12-01");
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("Apply: 27 applied, 0 blocked, 0 failed."), "{out}");
    // The last password handed out for each mailbox is the one that opens it.
    let last: std::collections::BTreeMap<String, String> = example
        .credentials()
        .into_iter()
        .map(|(m, p, _)| (m, p))
        .collect();
    assert_eq!(last.len(), 25);
    for (mailbox, password) in &last {
        assert_eq!(logs_in(&dovecot, mailbox, password), Some(0), "{mailbox}");
    }
    let everything = || slapd.search_attrs("(objectClass=*)", &["*", "+"]);
    let before = everything();
    let (code, out) = run("2026-12-01");
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("No changes."), "{out}");
    assert_eq!(
        out.contains("this server cannot enforce quotas: 25 mailbox(es) ask for them"),
        profile == Profile::InetOrgPerson,
        "{out}"
    );
    if profile == Profile::MailUser {
        let quotas = slapd.search_attrs("(objectClass=mailUser)", &["mailQuota"]);
        assert_eq!(quotas.len(), 25);
        for (dn, attrs) in quotas {
            let q: u64 = attrs[0].1.parse().unwrap();
            assert!(q >= 1 << 20, "{dn}: the quota set, {q} bytes");
        }
    }
    assert_eq!(
        everything(),
        before,
        "not one entry written (modifyTimestamp, entryCSN unchanged)"
    );

    // A name correction: a rename (modrdn), the same entry, password and mail.
    let d = format!("bdt.{base}");
    let nhung = format!("nhungvt@{d}");
    lmtp_deliver(dovecot.lmtp_port.unwrap(), &nhung, "Thu gui chi Nhung");
    let uuid = attr(&slapd, "nhungvt", "entryUUID");
    example.edit(
        "staff/ban-dan-toc/vo-thuy-nhung.yaml",
        "fullName: Võ Thùy Nhung",
        "fullName: Võ Thị Thùy Nhung",
    );
    let (code, out) = run("2026-12-01");
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains(&format!("rename {nhung} → nhungvtt@{d}")), "{out}");
    assert_eq!(attr(&slapd, "nhungvtt", "entryUUID"), uuid);
    assert_eq!(
        logs_in(&dovecot, &format!("nhungvtt@{d}"), &last[&nhung]),
        Some(1)
    );

    // Renamed by hand in the directory: recognised by its entryUUID, renamed back, not recreated.
    let lien = attr(&slapd, "liendtm", "entryUUID");
    let (dn, rdn) = match profile {
        Profile::InetOrgPerson => (format!("uid=liendtm,ou={d},{SUFFIX}"), "uid=lien.tmp".to_string()),
        Profile::MailUser => (
            format!("mail=liendtm@{d},ou={d},{SUFFIX}"),
            format!("mail=lien.tmp@{d}"),
        ),
    };
    let moved = Command::new("ldapmodrdn")
        .args([
            "-x",
            "-H",
            &slapd.url,
            "-D",
            &slapd.admin,
            "-w",
            ADMIN_PASSWORD,
            "-r",
        ])
        .args([dn.as_str(), rdn.as_str()])
        .output()
        .unwrap();
    assert!(
        moved.status.success(),
        "{}",
        String::from_utf8_lossy(&moved.stderr)
    );
    let (code, out) = run("2026-12-01");
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("the server's account id"), "{out}");
    assert_eq!(attr(&slapd, "liendtm", "entryUUID"), lien);
    assert!(
        attr(&slapd, "liendtm", "mail").contains(&format!("liendtm@{d}")),
        "renamed back"
    );

    // A transfer out: locked now (login refused), deleted after the grace period.
    std::fs::remove_file(example.file("staff/ban-dan-toc/mai-dac-hoa.yaml")).unwrap();
    let hoa = format!("hoamd@{d}");
    let (code, out) = run("2026-12-01");
    assert_eq!(code, Some(0), "{out}");
    match profile {
        Profile::InetOrgPerson => {
            assert_eq!(attr(&slapd, "hoamd", "pwdAccountLockedTime"), ["000001010000Z"])
        }
        Profile::MailUser => assert_eq!(attr(&slapd, "hoamd", "accountStatus"), ["disabled"]),
    }
    assert_eq!(logs_in(&dovecot, &hoa, &last[&hoa]), None);
    let (code, out) = run("2027-01-01");
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("the mail stays on the server's disk"), "{out}");
    assert!(attr(&slapd, "hoamd", "uid").is_empty(), "the entry is gone");

    // The head of the agency replaced: the agency mailbox's password rotated, the old one void.
    let agency = format!("bdt@{base}");
    example.edit("agency-mailbox.yaml", "owner: mai-sen", "owner: truong-ngoc-phuc");
    let (code, out) = run("2027-01-02");
    assert_eq!(code, Some(0), "{out}");
    let new = example.credentials().last().unwrap().1.clone();
    assert_ne!(new, last[&agency]);
    assert_eq!(logs_in(&dovecot, &agency, &new), Some(0));
    assert_eq!(logs_in(&dovecot, &agency, &last[&agency]), None);
    let (_, out) = run("2027-01-02");
    assert!(out.contains("No changes."), "{out}");
}

/// `kill -9` of mailops in the middle of the example's creation, with the directory frozen (SIGSTOP) while
/// it holds a request unanswered, so the kill lands inside an LDAP operation that slapd may still carry out
/// when it resumes: the next run converges, every mailbox exists once, and the one password handed out for
/// it is the one slapd checks.
#[test]
fn kill_9_inside_an_ldap_operation_delivers_every_password_once() {
    let mut rng_state: u64 = 0x6c64_6170;
    let mut next_rand = |n: u64| {
        rng_state = rng_state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        (rng_state >> 33) % n
    };
    // Three rounds on the plain profile, two on the `mailUser` one.
    for round in 0..5 {
        let profile = if round < 3 {
            Profile::InetOrgPerson
        } else {
            Profile::MailUser
        };
        let work = tempfile::tempdir().unwrap();
        let base = format!("kill{round}.ldap.test");
        let d = format!("bdt.{base}");
        let (slapd, dovecot) = servers_for(work.path(), &[&d, &base], profile);
        let server = match profile {
            Profile::InetOrgPerson => url(&slapd),
            Profile::MailUser => mailuser_url(&slapd, work.path()),
        };
        let example = common::example_copy::ExampleCopy::new(Some(&base));
        let mut args = example.apply_args(&server, "2026-12-01");
        args.extend(["--concurrency".to_string(), "1".to_string()]);
        let mut child = Command::new(env!("CARGO_BIN_EXE_mailops"))
            .envs(common::calendar_env(&args))
            .args(&args)
            .env_remove("RUST_LOG")
            .env("MAILOPS_TOKEN", ADMIN_PASSWORD)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let count = || {
            slapd
                .search(&format!("(&(objectClass=inetOrgPerson)(mail=*@{d}))"))
                .len()
        };
        let wanted = 1 + next_rand(20) as usize;
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        while count() < wanted && std::time::Instant::now() < deadline {
            assert!(
                child.try_wait().unwrap().is_none(),
                "round {round}: ended before the kill"
            );
        }
        let signal = |sig: &str| {
            let ok = Command::new("kill")
                .args([sig, &slapd.pid().to_string()])
                .status()
                .unwrap();
            assert!(ok.success());
        };
        signal("-STOP");
        std::thread::sleep(std::time::Duration::from_millis(next_rand(40)));
        child.kill().unwrap();
        child.wait().unwrap();
        signal("-CONT");
        let made = count();

        let out = Command::new(env!("CARGO_BIN_EXE_mailops"))
            .env("MAILOPS_TODAY", "2026-12-01")
            .args(example.apply_args(&server, "2026-12-01"))
            .env_remove("RUST_LOG")
            .env("MAILOPS_TOKEN", ADMIN_PASSWORD)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "round {round}: {text}");
        let mut by_mailbox: std::collections::BTreeMap<String, Vec<String>> = Default::default();
        for (mailbox, password, _) in example.credentials() {
            by_mailbox.entry(mailbox).or_default().push(password);
        }
        let entries = slapd.search(&format!("(&(objectClass=inetOrgPerson)(mail=*@{d}))"));
        assert_eq!(entries.len(), 24, "round {round}: every person once");
        for (dn, _) in &entries {
            // `uid=LOCAL,…` or `mail=LOCAL@DOMAIN,…`.
            let value = dn.split(',').next().unwrap().split_once('=').unwrap().1;
            let address = format!("{}@{d}", value.trim_end_matches(&format!("@{d}")));
            let got = by_mailbox.get(&address).map_or(0, Vec::len);
            assert_eq!(got, 1, "round {round}: {address} has {got} passwords");
            assert_eq!(
                logs_in(&dovecot, &address, &by_mailbox[&address][0]),
                Some(0),
                "round {round}: the password handed out for {address} opens it"
            );
        }
        assert!(!example.work.path().join("state.json.journal").exists());
        eprintln!(
            "round {round} ({profile:?}): killed inside an operation after {wanted} entries, {made} made: ok"
        );
    }
}
