//! WIP (issue 15): the PostfixAdmin backend against PostfixAdmin 3.3's own schema on a real PostgreSQL
//! (tests/support/postfixadmin.sh up; its env.sh gives POSTFIXADMIN_URL, POSTFIXADMIN_PASSWORD,
//! POSTFIXADMIN_CLI).

use std::process::Command;

use mailops::backend::postfixadmin::{PostfixAdminBackend, PostfixAdminConfig};
use mailops::backend::{AccountUpdate, MailBackend, NewAccount, Secret};
use mailops::desired::Address;

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!("{name} is unset: run tests/support/postfixadmin.sh up and source target/postfixadmin/env.sh")
    })
}

fn cli(args: &[&str]) -> String {
    let cli = env("POSTFIXADMIN_CLI");
    let mut parts = cli.split(' ');
    let out = Command::new(parts.next().unwrap())
        .args(parts)
        .args(args)
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).to_string()
}

fn a(s: &str) -> Address {
    s.parse().unwrap()
}

#[tokio::test]
async fn create_rename_suspend_delete_as_postfixadmin_sees_them() {
    let domain = "bdt.pfa-lifecycle.test";
    cli(&["domain", "add", domain, "--aliases", "0", "--mailboxes", "0"]);
    let config = PostfixAdminConfig::from_url(&env("POSTFIXADMIN_URL")).unwrap();
    let b = PostfixAdminBackend::new(
        config,
        &Secret::new(env("POSTFIXADMIN_PASSWORD")),
        vec![domain.into()],
    );
    let an = a(&format!("anvtt@{domain}"));
    for x in b.observe().await.unwrap().accounts {
        b.delete(&x.address).await.unwrap();
    }
    b.create(
        &NewAccount {
            address: an.clone(),
            display_name: "Võ Thị Thu An".into(),
            given_name: None,
            family_name: None,
            quota: Some("2048000000B".parse().unwrap()),
            aliases: [a(&format!("an.vo@{domain}"))].into(),
            enabled: true,
        },
        &Secret::new("Mat-khau-ban-dau-2026".into()),
    )
    .await
    .unwrap();
    let view = cli(&["mailbox", "view", an.as_str()]);
    assert!(view.contains("Name: Võ Thị Thu An"), "{view}");
    assert!(view.contains("Quota: 2000"), "{view}");
    assert!(view.contains("Active: YES"), "{view}");
    let o = b.observe().await.unwrap();
    assert_eq!(o.accounts.len(), 1);
    assert_eq!(o.accounts[0].aliases.len(), 1);

    b.suspend(&an).await.unwrap();
    assert!(cli(&["mailbox", "view", an.as_str()]).contains("Active: NO"));
    b.resume(&an).await.unwrap();

    let renamed = a(&format!("anvtt.ctt@{domain}"));
    b.rename(&an, &renamed, true).await.unwrap();
    let o = b.observe().await.unwrap();
    assert_eq!(o.accounts.len(), 1);
    assert_eq!(o.accounts[0].address, renamed);
    assert!(
        o.accounts[0].aliases.contains(&an),
        "the old address kept as an alias"
    );
    assert!(cli(&["mailbox", "view", renamed.as_str()]).contains("Name: Võ Thị Thu An"));

    b.update(
        &renamed,
        &AccountUpdate {
            display_name: Some("Võ Thị Thu Ân".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert!(cli(&["mailbox", "view", renamed.as_str()]).contains("Name: Võ Thị Thu Ân"));
    b.delete(&renamed).await.unwrap();
    assert!(b.observe().await.unwrap().accounts.is_empty());
}
