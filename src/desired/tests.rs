use std::path::{Path, PathBuf};

use super::*;
use crate::manifest::{LoadOptions, load_texts};

const ORG: &str = "apiVersion: mailops.dev/v1alpha1
kind: Organization
metadata:
  name: agency
spec:
  displayName: Ban Dân tộc
  shortName: bdt
  domains:
    - name: bdt.binhthuan.gov.vn
    - name: binhthuan.gov.vn
  units:
    - id: ban-dan-toc
      name: Ban Dân tộc
    - id: trung-tam-dvmn
      name: Trung tâm Dịch vụ miền núi
      parent: ban-dan-toc
  naming:
    domain: bdt.binhthuan.gov.vn
";

fn mailbox(name: &str, full_name: &str, extra: &str) -> String {
    format!(
        "apiVersion: mailops.dev/v1alpha1\nkind: Mailbox\nmetadata:\n  name: {name}\nspec:\n  fullName: {full_name}\n  unit: ban-dan-toc\n{extra}"
    )
}

fn run(files: &[(&str, String)]) -> Validated {
    let owned: Vec<(PathBuf, Vec<u8>)> = files
        .iter()
        .map(|(p, t)| (PathBuf::from(p), t.clone().into_bytes()))
        .collect();
    let repo = load_texts(
        Path::new("r"),
        owned.iter().map(|(p, b)| (p.clone(), b.as_slice())),
        LoadOptions::default(),
    );
    validate(&repo)
}

fn codes(v: &Validated) -> Vec<&'static str> {
    v.diagnostics.sorted().iter().map(|d| d.code).collect()
}

#[test]
fn a_valid_repository_derives_addresses() {
    let v = run(&[
        ("r/org.yaml", ORG.into()),
        ("r/an.yaml", mailbox("vo-thi-thu-an", "Võ Thị Thu An", "")),
    ]);
    assert!(v.is_valid(), "{:?}", v.diagnostics);
    let state = v.state.unwrap();
    assert_eq!(
        state.mailboxes[0].address.to_string(),
        "anvtt@bdt.binhthuan.gov.vn"
    );
    assert!(state.mailboxes[0].derived);
}

#[test]
fn a_collision_names_the_holder_and_suggests_free_extensions() {
    let v = run(&[
        ("r/org.yaml", ORG.into()),
        ("r/a.yaml", mailbox("vo-thi-thu-an", "Võ Thị Thu An", "")),
        (
            "r/b.yaml",
            mailbox(
                "vu-thi-thu-an",
                "Vũ Thị Thu An",
                "  title: Chánh Thanh tra\n  startDate: 2024-01-02\n",
            ),
        ),
    ]);
    assert_eq!(codes(&v), vec!["address-collision"]);
    let d = v.diagnostics.sorted()[0].clone();
    assert_eq!(d.resource.as_deref(), Some("Mailbox/vu-thi-thu-an"));
    assert_eq!(d.location.to_string(), "r/b.yaml:6:13");
    assert!(
        d.hint
            .as_deref()
            .unwrap()
            .contains("`ctt` (anvtt.ctt@bdt.binhthuan.gov.vn)"),
        "{:?}",
        d.hint
    );
    // The later person is left out of the state; the first keeps the address.
    let state = v.state.unwrap();
    assert_eq!(state.mailboxes.len(), 1);
    assert_eq!(state.mailboxes[0].name, "vo-thi-thu-an");
}

#[test]
fn an_extension_resolves_the_collision() {
    let v = run(&[
        ("r/org.yaml", ORG.into()),
        ("r/a.yaml", mailbox("vo-thi-thu-an", "Võ Thị Thu An", "")),
        (
            "r/b.yaml",
            mailbox("vu-thi-thu-an", "Vũ Thị Thu An", "  extension: ctt\n"),
        ),
    ]);
    assert!(v.is_valid(), "{:?}", v.diagnostics);
    let state = v.state.unwrap();
    assert_eq!(
        state.mailbox("vu-thi-thu-an").unwrap().address.to_string(),
        "anvtt.ctt@bdt.binhthuan.gov.vn"
    );
}

#[test]
fn an_explicit_address_needs_a_reason() {
    let without = run(&[
        ("r/org.yaml", ORG.into()),
        (
            "r/a.yaml",
            mailbox("a", "Võ Thị Thu An", "  address: an.vo@bdt.binhthuan.gov.vn\n"),
        ),
    ]);
    assert_eq!(codes(&without), vec!["address-convention"]);
    let with = run(&[
        ("r/org.yaml", ORG.into()),
        (
            "r/a.yaml",
            mailbox(
                "a",
                "Võ Thị Thu An",
                "  address: an.vo@bdt.binhthuan.gov.vn\n  reason: kept from the 2008 system\n",
            ),
        ),
    ]);
    assert!(with.is_valid(), "{:?}", with.diagnostics);
    assert!(!with.state.unwrap().mailboxes[0].derived);
}

#[test]
fn every_problem_is_reported_at_once() {
    let v = run(&[
        ("r/org.yaml", ORG.into()),
        (
            "r/a.yaml",
            mailbox(
                "a",
                "Võ Thị Thu An",
                "  quota: lots\n  startDate: 2024-13-01\n  backupEmail: not-an-email\n  delegates: [nobody]\n",
            ),
        ),
        (
            "r/b.yaml",
            mailbox(
                "b",
                "Mai Sên",
                "  aliases: [anvtt@bdt.binhthuan.gov.vn]\n  extension: x1\n",
            ),
        ),
    ]);
    let mut c = codes(&v);
    c.sort_unstable();
    assert_eq!(
        c,
        vec![
            "alias-conflict",
            "invalid-date",
            "invalid-email",
            "invalid-extension",
            "invalid-quota",
            "unknown-mailbox"
        ]
    );
}

#[test]
fn a_missing_organization_is_one_clear_error() {
    let v = run(&[("r/a.yaml", mailbox("a", "Võ Thị Thu An", ""))]);
    assert_eq!(codes(&v), vec!["no-organization"]);
    assert!(v.state.is_none());
}

#[test]
fn a_name_with_no_address_under_the_rule_takes_an_explicit_address_with_a_reason() {
    let with = |extra: &str| {
        run(&[
            ("r/org.yaml", ORG.into()),
            ("r/li.yaml", mailbox("ly-tieu-long", "李小龍", extra)),
        ])
    };
    // Without an address: the name gives none.
    assert_eq!(codes(&with("")), ["unfoldable-name"]);
    // An explicit address is an exception to the convention like any other: it needs a reason.
    assert_eq!(
        codes(&with("  address: long@bdt.binhthuan.gov.vn\n")),
        ["address-convention"]
    );
    let v = with("  address: long@bdt.binhthuan.gov.vn\n  reason: the name is written in Chinese\n");
    assert!(v.is_valid(), "{:?}", v.diagnostics);
    assert_eq!(
        v.state.unwrap().mailboxes[0].address.to_string(),
        "long@bdt.binhthuan.gov.vn"
    );
}
