//! `apply --git`: the example agency pushed to a real `git daemon` on 127.0.0.1, fetched into a cache,
//! verified against an allowed-signers file (keys from `ssh-keygen`, commits signed by `git commit -S`), and
//! applied to the maildir backend. Refused: an unsigned commit, a force-push, a revision that deletes
//! every manifest, an unreachable server.

mod common;

use common::gitserver::{World, git};

#[test]
fn a_pushed_signed_commit_reaches_the_mail_server_and_nothing_else_does() {
    let mut w = World::new();
    common::copy_dir(&common::root().join(common::EXAMPLE), &w.path("work/agency"));
    let first = w.push(Some("officer"), "The agency as published", false);

    let applied = w.apply("2026-12-01", &[]);
    assert_eq!(applied.code, 0, "{}{}", applied.stdout, applied.stderr);
    assert!(applied.stdout.contains("Apply: 27 applied"), "{}", applied.stdout);
    let audit = std::fs::read_to_string(w.path("mail/mailops-audit.jsonl")).unwrap();
    assert!(
        audit
            .lines()
            .all(|l| l.contains(&format!("\"revision\":\"{first}\""))),
        "every audit entry carries the commit"
    );
    assert!(w.apply("2026-12-01", &[]).stdout.contains("No changes."));

    // An unsigned commit (a new hire) is never applied.
    let hire = w.path("work/agency/staff/ban-dan-toc/nguyen-van-binh.yaml");
    std::fs::write(
        &hire,
        common::new_hire("nguyen-van-binh", "Nguyễn Văn Bình", "ban-dan-toc"),
    )
    .unwrap();
    w.push(None, "Unsigned hire", false);
    let refused = w.apply("2026-12-01", &[]);
    assert_eq!(refused.code, 1, "{}", refused.stdout);
    assert!(refused.stderr.contains("is not signed"), "{}", refused.stderr);
    let passwd = std::fs::read_to_string(w.path("mail/passwd")).unwrap();
    assert!(!passwd.contains("binhnv@"));

    // The officer replaces it with a signed commit (force-pushed over the unsigned one, which was never
    // applied): it descends from the last applied commit and is applied.
    git(&w.path("work"), &["reset", "-q", "--soft", "HEAD~1"]);
    let signed = w.push(Some("officer"), "Signed hire", true);
    let hired = w.apply("2026-12-01", &[]);
    assert_eq!(hired.code, 0, "{}{}", hired.stdout, hired.stderr);
    assert!(
        hired.stdout.contains("binhnv@bdt.binhthuan.gov.vn"),
        "{}",
        hired.stdout
    );
    let audit = std::fs::read_to_string(w.path("mail/mailops-audit.jsonl")).unwrap();
    assert!(audit.lines().last().unwrap().contains(&signed));

    // A force-push that drops an applied commit is refused until allowed.
    git(&w.path("work"), &["reset", "-q", "--hard", &first]);
    std::fs::write(w.path("work/NOTES"), "elsewhere\n").unwrap();
    let elsewhere = w.push(Some("officer"), "Elsewhere", true);
    let rewritten = w.apply("2026-12-01", &[]);
    assert_eq!(rewritten.code, 1, "{}", rewritten.stdout);
    assert!(rewritten.stderr.contains("was rewritten"), "{}", rewritten.stderr);
    let allowed = w.apply("2026-12-01", &["--allow-history-rewrite"]);
    assert_eq!(allowed.code, 0, "{}{}", allowed.stdout, allowed.stderr);
    assert!(
        allowed
            .stdout
            .contains("binhnv@bdt.binhthuan.gov.vn [Mailbox/nguyen-van-binh] suspend"),
        "{}",
        allowed.stdout
    );
    git(&w.path("work"), &["reset", "-q", "--hard", &signed]);
    git(&w.path("work"), &["push", "-q", "-f", "origin", "main"]);
    assert_eq!(w.apply("2026-12-01", &["--allow-history-rewrite"]).code, 0);
    let _ = elsewhere;

    // A signed commit by a key that is not allowed is refused.
    std::fs::remove_file(&hire).unwrap();
    w.push(Some("stranger"), "Remove the hire", false);
    let stranger = w.apply("2026-12-01", &[]);
    assert_eq!(stranger.code, 1);
    assert!(
        stranger.stderr.contains("not in the allowed signers"),
        "{}",
        stranger.stderr
    );
    git(&w.path("work"), &["reset", "-q", "--hard", &signed]);
    git(&w.path("work"), &["push", "-q", "-f", "origin", "main"]);

    // A signed commit that deletes every manifest is never applied.
    std::fs::remove_dir_all(w.path("work/agency")).unwrap();
    std::fs::write(w.path("work/README"), "moved\n").unwrap();
    w.push(Some("officer"), "Delete everything", false);
    let empty = w.apply("2026-12-01", &[]);
    assert_eq!(empty.code, 1);
    assert!(empty.stderr.contains("holds no manifests"), "{}", empty.stderr);
    let passwd = std::fs::read_to_string(w.path("mail/passwd")).unwrap();
    assert!(
        !passwd
            .lines()
            .any(|l| l.starts_with("anvtt@") && l.contains("nologin")),
        "nobody suspended"
    );

    // The git server down: a clear error, nothing applied; back up: the fetch works again.
    w.stop();
    let down = w.apply("2026-12-01", &[]);
    assert_eq!(down.code, 1);
    assert!(
        down.stderr.contains("cannot fetch git://127.0.0.1:"),
        "{}",
        down.stderr
    );
    w.start();
    let up = w.apply("2026-12-01", &[]);
    assert!(up.stderr.contains("holds no manifests"), "{}", up.stderr);
}
