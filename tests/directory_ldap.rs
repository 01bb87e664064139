//! Rule II.3's provincial electronic directory: `mailops directory --format ldif` of the example loads into
//! a real OpenLDAP (Debian's slapd, with the standard schemas, which check every entry) and reads back with
//! `ldapsearch` as the manifests say: every person's mail, cn, sn, givenName, title and unit.

mod common;

use common::ldap::Slapd;
use common::{EXAMPLE, mailops};

fn value<'a>(attrs: &'a [(String, String)], name: &str) -> Vec<&'a str> {
    attrs
        .iter()
        .filter(|(a, _)| a == name)
        .map(|(_, v)| v.as_str())
        .collect()
}

#[test]
fn the_example_loads_into_openldap_and_reads_back_as_written() {
    let work = tempfile::tempdir().unwrap();
    let suffix = "dc=bdt,dc=binhthuan,dc=gov,dc=vn";
    let slapd = Slapd::start(work.path(), suffix, &[]);
    let run = mailops(&["directory", EXAMPLE, "--format", "ldif", "--on", "2026-12-01"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let added = slapd.add(&run.stdout);
    assert!(
        added.status.success(),
        "ldapadd refused the LDIF: {}",
        String::from_utf8_lossy(&added.stderr)
    );

    let people = slapd.search("(objectClass=inetOrgPerson)");
    assert_eq!(people.len(), 24 + 1, "24 people and the agency mailbox");
    let units = slapd.search("(objectClass=organizationalUnit)");
    let unit_dns: Vec<&str> = units.iter().map(|(dn, _)| dn.as_str()).collect();
    assert_eq!(
        unit_dns,
        [
            "ou=ban-dan-toc,dc=bdt,dc=binhthuan,dc=gov,dc=vn",
            "ou=trung-tam-dvmn,ou=ban-dan-toc,dc=bdt,dc=binhthuan,dc=gov,dc=vn"
        ],
        "the subordinate unit is below its parent"
    );

    // Every person as the appendix (and so the manifests) has them.
    let repo = mailops::manifest::load_repository(&common::root().join(EXAMPLE), Default::default());
    let desired = mailops::desired::validate(&repo).state.unwrap();
    let mut checked = 0;
    for row in common::appendix() {
        let common::AppendixRow::Person {
            account,
            full_name,
            title,
            ..
        } = row
        else {
            continue;
        };
        checked += 1;
        let found = slapd.search(&format!("(mail={account})"));
        assert_eq!(found.len(), 1, "{account}");
        let (dn, attrs) = &found[0];
        assert!(
            dn.starts_with(&format!("uid={},ou=", account.split('@').next().unwrap())),
            "{dn}"
        );
        assert_eq!(value(attrs, "cn"), [full_name.as_str()], "{dn}");
        assert_eq!(value(attrs, "title"), [title.as_str()], "{dn}");
        // The names as mailops reads them (K'Rẻm: family name K, given name Rẻm, address remk).
        let m = desired
            .mailboxes
            .iter()
            .find(|m| m.address.as_str() == account)
            .unwrap();
        assert_eq!(
            value(attrs, "sn"),
            [m.family_name.as_deref().unwrap()],
            "{dn}: the family name"
        );
        assert_eq!(
            value(attrs, "givenName"),
            [m.given_name.as_str()],
            "{dn}: the given name"
        );
        assert_eq!(value(attrs, "ou").len(), 1, "{dn}");
        assert_eq!(value(attrs, "o"), ["Ban Dân tộc tỉnh Bình Thuận"], "{dn}");
    }
    assert_eq!(checked, 24);
    let an = &slapd.search("(mail=anvtt@bdt.binhthuan.gov.vn)")[0].1;
    assert_eq!(value(an, "ou"), ["Ban Dân tộc"]);
    assert_eq!(value(an, "cn"), ["Võ Thị Thu An"]);
    let (dn, trang) = &slapd.search("(mail=trangnhq@bdt.binhthuan.gov.vn)")[0];
    assert!(
        dn.starts_with("uid=trangnhq,ou=trung-tam-dvmn,ou=ban-dan-toc,"),
        "{dn}"
    );
    assert_eq!(value(trang, "ou"), ["Trung tâm Dịch vụ miền núi"]);

    // A base DN of the operator's own; a base that would break the LDIF is refused.
    let run = mailops(&[
        "directory",
        EXAMPLE,
        "--format",
        "ldif",
        "--base-dn",
        "ou=bdt,dc=binhthuan,dc=gov,dc=vn",
    ]);
    assert_eq!(run.code, 0);
    assert!(
        run.stdout
            .contains("dn: uid=trangnhq,ou=trung-tam-dvmn,ou=ban-dan-toc,ou=bdt,dc=binhthuan,dc=gov,dc=vn")
    );
    let run = mailops(&[
        "directory",
        EXAMPLE,
        "--format",
        "ldif",
        "--base-dn",
        "dc=x\ndn: cn=admin",
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("not a base DN"), "{}", run.stderr);
}

#[test]
fn a_local_part_with_a_plus_is_escaped_in_its_dn_and_loads_into_openldap() {
    let work = tempfile::tempdir().unwrap();
    let copy = common::example_copy::ExampleCopy::new(None);
    // The grammar allows `+` in a local part; in a DN it starts a second attribute of the RDN.
    copy.edit(
        "staff/ban-dan-toc/vo-thi-thu-an.yaml",
        "  title: Phụ trách CNTT\n",
        "  title: Phụ trách CNTT\n  address: an+cntt@bdt.binhthuan.gov.vn\n  reason: kept from the old server\n",
    );
    let repo = copy.repo.path().display().to_string();
    let run = mailops(&["directory", &repo, "--format", "ldif", "--on", "2026-12-01"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("dn: uid=an\\2bcntt,ou=ban-dan-toc,"),
        "{}",
        run.stdout
    );
    let slapd = Slapd::start(work.path(), "dc=bdt,dc=binhthuan,dc=gov,dc=vn", &[]);
    let added = slapd.add(&run.stdout);
    assert!(
        added.status.success(),
        "ldapadd refused the LDIF: {}",
        String::from_utf8_lossy(&added.stderr)
    );
    let found = slapd.search("(mail=an+cntt@bdt.binhthuan.gov.vn)");
    assert_eq!(found.len(), 1);
    assert_eq!(value(&found[0].1, "uid"), ["an+cntt"]);
    assert_eq!(
        slapd.search("(objectClass=inetOrgPerson)").len(),
        25,
        "every entry after it too"
    );
}
