//! Synthetic agencies for the plan benchmarks: realistic Vietnamese names over several domains and units,
//! and a 1% churn (hires, renames after name corrections, removals, access changes).
#![allow(dead_code)]

use std::path::PathBuf;

use mailops::backend::Observation;
use mailops::desired::{
    Address, DesiredMailbox, DesiredSharedMailbox, DesiredState, Organization, SafetyLimits, Unit,
};
use mailops::manifest::{MailboxState, Origin};
use mailops::naming::{self, ExtensionRules};
use mailops::state::Inventory;

const FAMILY: [&str; 16] = [
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô",
    "Dương", "Lý",
];
const MIDDLE: [&str; 12] = [
    "Văn", "Thị", "Hữu", "Đức", "Minh", "Ngọc", "Thanh", "Quốc", "Kim", "Thu", "Hoài", "Xuân",
];
const GIVEN: [&str; 32] = [
    "An", "Bình", "Châu", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hiền", "Hoa", "Hùng", "Khánh", "Lan",
    "Linh", "Long", "Mai", "Minh", "Nam", "Nga", "Nhung", "Phúc", "Phương", "Quân", "Sơn", "Tâm", "Thảo",
    "Trang", "Trung", "Tuấn", "Vy", "Yến", "Đạt",
];
const DOMAINS: [&str; 4] = [
    "sotttt.binhthuan.gov.vn",
    "sotc.binhthuan.gov.vn",
    "soyt.binhthuan.gov.vn",
    "sogd.binhthuan.gov.vn",
];
const UNITS: usize = 24;

/// Letters for a number: 0 → a, 25 → z, 26 → ba … (extensions may not hold digits).
fn letters(mut n: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'a' + (n % 26) as u8);
        n /= 26;
        if n == 0 {
            break;
        }
    }
    s.reverse();
    String::from_utf8(s).unwrap()
}

fn person(i: usize, salt: usize) -> DesiredMailbox {
    let h = i.wrapping_mul(2_654_435_761).wrapping_add(salt);
    let family = FAMILY[h % FAMILY.len()];
    let middle = MIDDLE[(h / 7) % MIDDLE.len()];
    let given = GIVEN[(h / 101) % GIVEN.len()];
    let full_name = format!("{family} {middle} {given}");
    let parts = naming::split_name(&full_name, None, None).unwrap();
    let local = naming::derive_local_part(&parts).unwrap();
    let domain = DOMAINS[i % DOMAINS.len()];
    // Everyone gets an extension so that 100k people in a few domains never collide.
    let ext = letters(i);
    let address: Address = format!("{local}.{ext}@{domain}").parse().unwrap();
    DesiredMailbox {
        name: format!("p-{i}"),
        full_name,
        given_name: given.into(),
        family_name: Some(family.into()),
        middle_names: vec![middle.into()],
        address,
        extension: Some(ext),
        derived: true,
        unit: format!("unit-{}", i % UNITS),
        title: Some("Chuyên viên".into()),
        order: None,
        backup_email: None,
        aliases: Vec::new(),
        former_addresses: Vec::new(),
        quota: Some("2GiB".parse().unwrap()),
        state: MailboxState::Active,
        start_date: None,
        end_date: None,
        delegates: Vec::new(),
        origin: Origin {
            file: PathBuf::from(format!("staff/p-{i}.yaml")),
            start: Default::default(),
            spans: Default::default(),
        },
    }
}

/// An agency of `n` people, a few agency mailboxes, `UNITS` units over several domains.
pub fn agency(n: usize) -> DesiredState {
    let units = (0..UNITS)
        .map(|u| Unit {
            id: format!("unit-{u}"),
            name: format!("Phòng {}", letters(u).to_uppercase()),
            heading: format!("PHÒNG {}", letters(u).to_uppercase()),
            heading_written: false,
            parent: None,
        })
        .collect();
    let organization = Organization {
        name: "tinh-binh-thuan".into(),
        display_name: "UBND tỉnh Bình Thuận".into(),
        short_name: "ubnd".into(),
        domains: DOMAINS.iter().map(|d| d.to_string()).collect(),
        units,
        naming_domain: DOMAINS[0].into(),
        extension_rules: ExtensionRules::default(),
        protected_addresses: Vec::new(),
        safety: SafetyLimits {
            max_deletions: 100_000,
            max_deletion_percent: 5,
            grace_days: 30,
        },
        attachments: None,
        calendar: Default::default(),
        default_quota: None,
        keep_old_address_as_alias: true,
    };
    let mailboxes: Vec<Box<DesiredMailbox>> = (0..n).map(|i| Box::new(person(i, 0))).collect();
    let shared_mailboxes = DOMAINS
        .iter()
        .enumerate()
        .map(|(k, d)| DesiredSharedMailbox {
            name: format!("agency-{k}"),
            address: format!("vanthu@{d}").parse().unwrap(),
            display_name: format!("Văn thư {d}"),
            owner: format!("p-{k}"),
            delegates: vec![format!("p-{}", k + 10)],
            aliases: Vec::new(),
            former_addresses: Vec::new(),
            quota: None,
            origin: Origin {
                file: PathBuf::from(format!("agency-{k}.yaml")),
                start: Default::default(),
                spans: Default::default(),
            },
        })
        .collect();
    DesiredState {
        organization,
        mailboxes,
        shared_mailboxes,
    }
}

/// The base agency and the same agency after a 1% churn.
pub fn churned(n: usize) -> (DesiredState, DesiredState) {
    (agency(n), changed(n))
}

/// The agency after a 1% churn: a quarter of it hires, a quarter name corrections (renames), a quarter
/// removals, a quarter new delegations (access changes).
pub fn changed(n: usize) -> DesiredState {
    let mut next = agency(n);
    let churn = (n / 100).max(4);
    let q = churn / 4;
    let index: std::collections::HashMap<String, usize> = next
        .mailboxes
        .iter()
        .enumerate()
        .map(|(k, m)| (m.name.clone(), k))
        .collect();
    // Renames: a name correction changes the given name, so the address.
    for k in 0..q {
        let i = (3 + k * 89) % n;
        let m = &mut next.mailboxes[index[&format!("p-{i}")]];
        let corrected = person(i, 13);
        m.full_name = corrected.full_name;
        m.given_name = corrected.given_name;
        m.address = corrected.address;
    }
    // Access changes: delegations.
    for k in 0..q {
        let i = (5 + k * 83) % n;
        next.mailboxes[index[&format!("p-{i}")]]
            .delegates
            .push(format!("p-{}", (i + 1) % n));
    }
    // Removals.
    let removed: std::collections::HashSet<String> =
        (0..q).map(|k| format!("p-{}", 1 + k * 97 % n)).collect();
    next.mailboxes.retain(|m| !removed.contains(&m.name));
    // Hires.
    for k in 0..q {
        next.mailboxes.push(Box::new(person(n + k, 0)));
    }
    next
}

/// The server and inventory as the base left them.
pub fn server(base: &DesiredState) -> (Observation, Inventory) {
    mailops::plan::synthesize(base)
}
