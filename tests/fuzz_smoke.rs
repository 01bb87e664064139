//! The fuzz targets' bodies (`mailops::fuzzing`, run coverage-guided by `cargo fuzz`, see `fuzz/`) over the
//! checked-in seed corpus and over random inputs: a bounded smoke run in the test command. And the property
//! of the address grammar: anything it accepts goes through every backend's files unchanged.

use std::path::Path;

use mailops::address::Address;
use proptest::prelude::*;

fn corpus(target: &str) -> Vec<Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(target);
    let mut out: Vec<Vec<u8>> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| std::fs::read(e.unwrap().path()).unwrap())
        .collect();
    assert!(!out.is_empty(), "no seeds for {target}");
    out.sort();
    out
}

#[test]
fn every_target_runs_over_its_seed_corpus() {
    type Target = (&'static str, fn(&[u8]));
    let targets: [Target; 5] = [
        ("manifest", mailops::fuzzing::manifest),
        ("address", mailops::fuzzing::address),
        ("passwd", mailops::fuzzing::passwd),
        ("virtual_map", mailops::fuzzing::virtual_map),
        ("webhook", mailops::fuzzing::webhook),
    ];
    for (name, run) in targets {
        for seed in corpus(name) {
            run(&seed);
            // And every truncation of it (cheap mutations the fuzzer also tries first).
            for cut in (0..seed.len()).step_by(seed.len() / 16 + 1) {
                run(&seed[..cut]);
            }
        }
    }
}

/// A local part and a domain from the grammar's alphabet, often valid, sometimes not.
fn near_addresses() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9._+-]{0,66}@[a-z0-9-]{0,20}(\\.[a-z0-9-]{0,20}){0,3}"
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn accepted_addresses_round_trip_through_every_backend_file(s in near_addresses()) {
        mailops::fuzzing::address(s.as_bytes());
        if let Ok(a) = s.parse::<Address>() {
            prop_assert_eq!(mailops::fuzzing::storable_everywhere(&a), Ok(()));
        }
    }

    #[test]
    fn any_text_is_safe_for_every_parser(s in ".{0,200}") {
        mailops::fuzzing::address(s.as_bytes());
        mailops::fuzzing::passwd(s.as_bytes());
        mailops::fuzzing::virtual_map(s.as_bytes());
        mailops::fuzzing::webhook(s.as_bytes());
    }

    #[test]
    fn passwd_like_lines_round_trip(fields in proptest::collection::vec("[ -~]{0,12}", 1..10)) {
        let line = fields.join(":");
        mailops::fuzzing::passwd(format!("{line}\n{line}\r\n# c\n").as_bytes());
    }

    /// Account lines mailops reads (a user of the address grammar, a home under the root or none), with
    /// whatever a person puts in the other fields: spaces around a comment, extra fields, Windows line
    /// ends. Each is written back byte for byte.
    #[test]
    fn account_lines_round_trip_byte_for_byte(
        local in "[a-z0-9][a-z0-9._+-]{0,12}[a-z0-9]",
        gecos in "[ -9;-~]{0,16}",
        uid in "[0-9]{0,5}",
        extra in "[ -~]{0,30}",
        home in proptest::bool::ANY,
        crlf in proptest::bool::ANY,
    ) {
        let Ok(a) = format!("{local}@bdt.binhthuan.gov.vn").parse::<Address>() else {
            return Ok(());
        };
        let home = if home { format!("/srv/mail/mail/bdt.binhthuan.gov.vn/{}", a.local()) } else { String::new() };
        let end = if crlf { "\r\n" } else { "\n" };
        let text = format!("# tay\n{a}:{{PLAIN}}x:{uid}:{uid}: {gecos} :{home}::{extra}{end}{a}x:y{end}");
        mailops::fuzzing::passwd(text.as_bytes());
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Through the real maildir backend: created, read back, renamed, as itself.
    #[test]
    fn accepted_addresses_round_trip_through_the_maildir_backend(
        local in "[a-z0-9][a-z0-9._+-]{0,20}[a-z0-9]",
        alias in "[a-z0-9][a-z0-9_+-]{0,10}",
    ) {
        let (Ok(a), Ok(al)) = (
            format!("{local}@bdt.binhthuan.gov.vn").parse::<Address>(),
            format!("{alias}.x@bdt.binhthuan.gov.vn").parse::<Address>(),
        ) else {
            return Ok(());
        };
        let dir = tempfile::tempdir().unwrap();
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async {
            use mailops::backend::MailBackend;
            let b = mailops::backend::maildir::MaildirBackend::open(dir.path()).unwrap();
            let new = mailops::backend::NewAccount {
                address: a.clone(),
                display_name: "X".into(),
                given_name: None,
                family_name: None,
                quota: None,
                aliases: std::collections::BTreeSet::from([al.clone()]),
                enabled: true,
            };
            b.create(&new, &mailops::backend::Secret::new("pw".into())).await.unwrap();
            let seen = b.observe().await.unwrap();
            assert_eq!(seen.accounts.len(), 1);
            assert_eq!(seen.accounts[0].address, a);
            assert!(seen.accounts[0].aliases.contains(&al));
            assert!(b.home(&a).join("Maildir/new").is_dir());
            assert!(b.home(&a).starts_with(dir.path().join("mail/bdt.binhthuan.gov.vn")));
        });
    }
}
