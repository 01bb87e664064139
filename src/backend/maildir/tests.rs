use super::*;
use crate::desired::Quota;

fn addr(s: &str) -> Address {
    s.parse().unwrap()
}

fn new(a: &str) -> NewAccount {
    NewAccount {
        address: addr(a),
        display_name: "Võ Thị Thu An".into(),
        given_name: Some("An".into()),
        family_name: Some("Võ Thị Thu".into()),
        quota: Some("2GiB".parse().unwrap()),
        aliases: BTreeSet::from([addr("ketoan@bdt.binhthuan.gov.vn")]),
        enabled: true,
    }
}

fn pw() -> Secret {
    Secret::new("Mật-khẩu-ban-đầu-42".into())
}

fn deliver(b: &MaildirBackend, a: &Address, name: &str) -> PathBuf {
    let path = b.home(a).join("Maildir/new").join(name);
    std::fs::write(&path, "Subject: Lịch họp\r\n\r\nHọp giao ban thứ Hai.\r\n").unwrap();
    path
}

#[tokio::test]
async fn create_then_observe_round_trips_through_the_files() {
    let dir = tempfile::tempdir().unwrap();
    let b = MaildirBackend::open(dir.path()).unwrap();
    b.create(&new("anvtt@bdt.binhthuan.gov.vn"), &pw()).await.unwrap();
    let passwd = std::fs::read_to_string(dir.path().join("passwd")).unwrap();
    assert!(
        passwd.starts_with("anvtt@bdt.binhthuan.gov.vn:{SHA512-CRYPT}$6$"),
        "{passwd}"
    );
    assert!(passwd.contains("userdb_quota_rule=*:storage=2048M"));
    assert!(
        !passwd.contains("Mật-khẩu"),
        "the password itself is never written"
    );
    let virt = std::fs::read_to_string(dir.path().join("virtual")).unwrap();
    assert!(virt.contains("ketoan@bdt.binhthuan.gov.vn anvtt@bdt.binhthuan.gov.vn"));
    assert!(
        b.home(&addr("anvtt@bdt.binhthuan.gov.vn"))
            .join("Maildir/new")
            .is_dir()
    );
    let o = b.observe().await.unwrap();
    let acc = &o.accounts[0];
    assert_eq!(acc.display_name, "Võ Thị Thu An");
    assert_eq!(acc.quota, Some(Quota::Bytes(2 << 30)));
    assert!(acc.enabled);
    assert_eq!(acc.aliases.len(), 1);
    assert_eq!(acc.id.as_deref(), Some("1"));
    assert!(matches!(
        b.create(&new("anvtt@bdt.binhthuan.gov.vn"), &pw()).await,
        Err(BackendError::AlreadyExists(_))
    ));
}

#[tokio::test]
async fn the_hash_verifies_the_password() {
    let dir = tempfile::tempdir().unwrap();
    let b = MaildirBackend::open(dir.path()).unwrap();
    b.create(&new("anvtt@bdt.binhthuan.gov.vn"), &pw()).await.unwrap();
    let passwd = std::fs::read_to_string(dir.path().join("passwd")).unwrap();
    let hash = passwd
        .split(':')
        .nth(1)
        .unwrap()
        .strip_prefix("{SHA512-CRYPT}")
        .unwrap();
    assert!(sha_crypt::sha512_check(pw().expose(), hash).is_ok());
    assert!(sha_crypt::sha512_check("wrong", hash).is_err());
}

#[tokio::test]
async fn rename_moves_the_mailbox_and_keeps_every_message() {
    let dir = tempfile::tempdir().unwrap();
    let b = MaildirBackend::open(dir.path()).unwrap();
    let old = addr("nhungvt@bdt.binhthuan.gov.vn");
    let new_address = addr("nhungvtt@bdt.binhthuan.gov.vn");
    b.create(
        &NewAccount {
            aliases: BTreeSet::new(),
            ..new(old.as_str())
        },
        &pw(),
    )
    .await
    .unwrap();
    deliver(&b, &old, "1700000000.M1P1.host");
    deliver(&b, &old, "1700000001.M2P1.host");
    b.grant(&addr("anvtt@bdt.binhthuan.gov.vn"), &old, AccessLevel::Delegate)
        .await
        .unwrap_err();
    b.rename(&old, &new_address, true).await.unwrap();
    let moved: Vec<_> = std::fs::read_dir(b.home(&new_address).join("Maildir/new"))
        .unwrap()
        .collect();
    assert_eq!(moved.len(), 2, "both messages kept");
    assert!(!b.home(&old).exists());
    let o = b.observe().await.unwrap();
    assert_eq!(o.accounts.len(), 1);
    assert_eq!(o.accounts[0].address, new_address);
    assert!(
        o.accounts[0].aliases.contains(&old),
        "the old address keeps delivering"
    );
    assert_eq!(o.accounts[0].id.as_deref(), Some("1"), "identity kept");
}

#[tokio::test]
async fn suspend_sets_nologin_and_keeps_the_mail() {
    let dir = tempfile::tempdir().unwrap();
    let b = MaildirBackend::open(dir.path()).unwrap();
    let a = addr("anvtt@bdt.binhthuan.gov.vn");
    b.create(&new(a.as_str()), &pw()).await.unwrap();
    let msg = deliver(&b, &a, "1700000000.M1P1.host");
    b.suspend(&a).await.unwrap();
    let passwd = std::fs::read_to_string(dir.path().join("passwd")).unwrap();
    assert!(passwd.contains("nologin=y reason=account-suspended"), "{passwd}");
    assert!(msg.exists());
    assert!(!b.observe().await.unwrap().accounts[0].enabled);
    let before = std::fs::read(dir.path().join("passwd")).unwrap();
    b.suspend(&a).await.unwrap();
    assert_eq!(
        std::fs::read(dir.path().join("passwd")).unwrap(),
        before,
        "idempotent"
    );
    b.resume(&a).await.unwrap();
    assert!(b.observe().await.unwrap().accounts[0].enabled);
}

#[tokio::test]
async fn delete_archives_the_mail_first_and_the_archive_restores_it() {
    let dir = tempfile::tempdir().unwrap();
    let b = MaildirBackend::open(dir.path()).unwrap();
    let a = addr("hoamd@bdt.binhthuan.gov.vn");
    b.create(
        &NewAccount {
            aliases: BTreeSet::new(),
            ..new(a.as_str())
        },
        &pw(),
    )
    .await
    .unwrap();
    deliver(&b, &a, "1700000000.M1P1.host");
    b.delete(&a).await.unwrap();
    assert!(!b.home(&a).exists());
    assert!(b.observe().await.unwrap().accounts.is_empty());
    let archives: Vec<PathBuf> = std::fs::read_dir(dir.path().join("archive/bdt.binhthuan.gov.vn"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(archives.len(), 1);
    let restore = tempfile::tempdir().unwrap();
    let gz = flate2::read::GzDecoder::new(File::open(&archives[0]).unwrap());
    tar::Archive::new(gz).unpack(restore.path()).unwrap();
    let text =
        std::fs::read_to_string(restore.path().join("hoamd/Maildir/new/1700000000.M1P1.host")).unwrap();
    assert!(text.contains("Họp giao ban"));
    assert!(matches!(b.delete(&a).await, Err(BackendError::NotFound(_))));
}

#[tokio::test]
async fn grants_become_dovecot_acl_files() {
    let dir = tempfile::tempdir().unwrap();
    let b = MaildirBackend::open(dir.path()).unwrap();
    let shared = addr("bdt@binhthuan.gov.vn");
    let head = addr("senm@bdt.binhthuan.gov.vn");
    b.create(
        &NewAccount {
            aliases: BTreeSet::new(),
            ..new(shared.as_str())
        },
        &pw(),
    )
    .await
    .unwrap();
    b.grant(&shared, &head, AccessLevel::Owner).await.unwrap();
    let acl = b.home(&shared).join("Maildir/dovecot-acl");
    assert_eq!(
        std::fs::read_to_string(&acl).unwrap(),
        "user=senm@bdt.binhthuan.gov.vn lrwstipekxa\n"
    );
    assert_eq!(
        b.observe().await.unwrap().accounts[0].access.get(&head),
        Some(&AccessLevel::Owner)
    );
    b.revoke(&shared, &head).await.unwrap();
    assert!(!acl.exists());
}

#[test]
fn passwd_lines_round_trip() {
    let line = "anvtt@bdt.binhthuan.gov.vn:{SHA512-CRYPT}$6$salt$hash:5000:5000::/srv/mail/x::userdb_mail=maildir:~/Maildir userdb_quota_rule=*:storage=2048M nologin=y reason=account-suspended";
    let e = PasswdEntry::parse(line, 1, 0, Path::new("/srv/mail"), |_| PathBuf::new())
        .unwrap()
        .unwrap();
    assert!(e.nologin);
    assert_eq!(e.quota, Some(Quota::Bytes(2 << 30)));
    assert_eq!(e.line(), line);
}

/// What people wrote by hand stays as they wrote it, whatever mailops changes around it.
#[tokio::test]
async fn hand_made_lines_are_kept_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let home = root.join("mail/bdt.binhthuan.gov.vn/tay");
    let passwd = format!(
        "# Dovecot users, edited by hand\n\ntay@bdt.binhthuan.gov.vn:{{PLAIN}}x:::::: allow_nets=10.0.0.0/8 userdb_mail=maildir:{}/Maildir userdb_quota_rule=*:storage=100M\npostmaster:{{PLAIN}}y:1:1::{}::\n",
        home.display(),
        root.display()
    );
    let virt = "# hand-made\nabuse@bdt.binhthuan.gov.vn root\n@bdt.binhthuan.gov.vn tay@bdt.binhthuan.gov.vn\nsales@bdt.binhthuan.gov.vn tay@bdt.binhthuan.gov.vn, anvtt@bdt.binhthuan.gov.vn\n";
    std::fs::write(root.join("passwd"), &passwd).unwrap();
    std::fs::write(root.join("virtual"), virt).unwrap();
    let b = MaildirBackend::open(root).unwrap();
    let seen = b.observe().await.unwrap();
    assert_eq!(
        seen.accounts.len(),
        1,
        "the hand-made account is read, postmaster is not"
    );
    assert_eq!(seen.accounts[0].quota, Some(Quota::Bytes(100 << 20)));
    let a = addr("anvtt@bdt.binhthuan.gov.vn");
    b.create(&new(a.as_str()), &pw()).await.unwrap();
    b.suspend(&a).await.unwrap();
    b.rename(&a, &addr("an.vtt@bdt.binhthuan.gov.vn"), true)
        .await
        .unwrap();
    let after = std::fs::read_to_string(root.join("passwd")).unwrap();
    assert!(
        after.starts_with(&passwd),
        "the hand-made lines first, unchanged:\n{after}"
    );
    assert_eq!(after.lines().count(), passwd.lines().count() + 1);
    let after = std::fs::read_to_string(root.join("virtual")).unwrap();
    assert!(after.starts_with(virt), "{after}");
    // A change of the hand-made account replaces only the field it changes.
    b.update(
        &addr("tay@bdt.binhthuan.gov.vn"),
        &AccountUpdate {
            quota: Some(Quota::Bytes(200 << 20)),
            ..AccountUpdate::default()
        },
    )
    .await
    .unwrap();
    let line = std::fs::read_to_string(root.join("passwd"))
        .unwrap()
        .lines()
        .find(|l| l.starts_with("tay@"))
        .unwrap()
        .to_string();
    assert!(
        line.contains("allow_nets=10.0.0.0/8") && line.contains("storage=200M") && line.contains(":::::"),
        "{line}"
    );
}

/// A copy of another folder's passwd-file (homes elsewhere) is refused: nothing of the other folder is
/// touched, and the error shows no hash.
#[tokio::test]
async fn homes_outside_the_folder_are_refused() {
    let prod = tempfile::tempdir().unwrap();
    let staging = tempfile::tempdir().unwrap();
    let p = MaildirBackend::open(prod.path()).unwrap();
    let a = addr("anvtt@bdt.binhthuan.gov.vn");
    p.create(&new(a.as_str()), &pw()).await.unwrap();
    let mail = deliver(&p, &a, "1.eml");
    std::fs::copy(prod.path().join("passwd"), staging.path().join("passwd")).unwrap();
    let s = MaildirBackend::open(staging.path()).unwrap();
    let e = s.observe().await.unwrap_err().to_string();
    assert!(e.contains("line 1: its home is outside"), "{e}");
    // Nothing of the line is shown: neither its hash nor its fields.
    assert!(
        !e.contains("SHA512") && !e.contains("anvtt") && !e.contains(&prod.path().display().to_string()),
        "{e}"
    );
    assert!(s.delete(&a).await.is_err());
    assert!(mail.exists(), "prod's mail is untouched");
}

/// A passwd-file with Windows line ends (saved by a Windows editor): every line keeps its `\r`, the lines
/// mailops changes too, through the real backend's changes.
#[tokio::test]
async fn a_crlf_passwd_file_keeps_its_line_ends() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let passwd = "# sửa bằng tay\r\ntay@bdt.binhthuan.gov.vn:{PLAIN}x::: Tay Nguyen :::userdb_quota_rule=*:storage=100M\r\nkhac@bdt.binhthuan.gov.vn:{PLAIN}y::::::nologin=y\r\n";
    std::fs::write(root.join("passwd"), passwd).unwrap();
    let b = MaildirBackend::open(root).unwrap();
    let tay = addr("tay@bdt.binhthuan.gov.vn");
    let seen = b.observe().await.unwrap();
    assert_eq!(seen.accounts.len(), 2);
    b.create(&new("anvtt@bdt.binhthuan.gov.vn"), &pw()).await.unwrap();
    let after = std::fs::read_to_string(root.join("passwd")).unwrap();
    assert!(after.starts_with(passwd), "the lines as they were:\n{after:?}");
    // A change of each hand-made account: its line keeps its end, and its comment its spaces.
    b.update(
        &tay,
        &AccountUpdate {
            quota: Some(Quota::Bytes(200 << 20)),
            ..AccountUpdate::default()
        },
    )
    .await
    .unwrap();
    b.resume(&addr("khac@bdt.binhthuan.gov.vn")).await.unwrap();
    let after = std::fs::read_to_string(root.join("passwd")).unwrap();
    let lines: Vec<&str> = after.split_inclusive('\n').collect();
    assert_eq!(lines[0], "# sửa bằng tay\r\n");
    assert_eq!(
        lines[1], "tay@bdt.binhthuan.gov.vn:{PLAIN}x::: Tay Nguyen :::userdb_quota_rule=*:storage=200M\r\n",
        "{after:?}"
    );
    assert_eq!(
        lines[2], "khac@bdt.binhthuan.gov.vn:{PLAIN}y::::::\r\n",
        "{after:?}"
    );
    assert!(
        lines[3].starts_with("anvtt@") && lines[3].ends_with("\r\n"),
        "a new line in the file's style: {after:?}"
    );
    let seen = b.observe().await.unwrap();
    let t = seen.accounts.iter().find(|a| a.address == tay).unwrap();
    assert_eq!(t.quota, Some(Quota::Bytes(200 << 20)));
    assert_eq!(t.display_name, "Tay Nguyen");
}
