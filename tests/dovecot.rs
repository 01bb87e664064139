//! The maildir backend with a real Dovecot (Debian `dovecot-core` + `dovecot-imapd`, installed by
//! tests/run.sh, with mail owned by the `vmail` user): an account mailops creates logs in over IMAP, a
//! suspended one is refused, a message delivered before a rename is read after it, and a deleted mailbox
//! comes back from its archive.
//!
//! Dovecot listens on 127.0.0.1 on a free port and is stopped when the test ends.

mod common;

use std::time::Duration;

use common::dovecot::{id, imap_login, start_dovecot};

use mailops::backend::maildir::MaildirBackend;
use mailops::backend::{MailBackend, NewAccount, Secret};
use mailops::desired::Address;

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
