//! The usage report as data: pure, from the desired state, the observation, the server's logins and the
//! inventory, for one day.
//!
//! What can be observed: the server keeps only each account's *last* login. Rule III.4 asks for several
//! checks a working day; the least that can be seen is whether a person logged in on or after the last
//! working day before the report's day. A report for a past day counts later logins as checks.

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset, NaiveDate, Timelike, Utc};
use serde::Serialize;

use crate::backend::{Logins, Observation};
use crate::desired::{Address, DesiredState};
use crate::manifest::MailboxState;
use crate::state::Inventory;

/// Format version of the JSON report.
pub const VERSION: u32 = 1;

/// What a person's row is flagged with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Flag {
    /// No login recorded.
    Never,
    /// The last login is before the last working day.
    NotSinceLastWorkingDay,
    /// Login refused (suspended in the repository or on the server).
    Suspended,
    /// Not created on the server yet.
    NotOnServer,
}

/// One person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PersonUsage {
    /// The Mailbox's metadata.name.
    pub name: String,
    /// Full name.
    pub full_name: String,
    /// Address.
    pub address: Address,
    /// Title.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The last login the server knows, in the agency's time (`None`: none, or no data: see `loginData`).
    pub last_login: Option<DateTime<FixedOffset>>,
    /// Flags, in a fixed order.
    pub flags: Vec<Flag>,
}

impl PersonUsage {
    /// Whether the person checked mail on or after the last working day.
    #[must_use]
    pub fn checked(&self) -> bool {
        self.last_login.is_some() && self.flags.is_empty()
    }
}

/// Counts of a unit (or of everyone).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    /// People on staff.
    pub staff: usize,
    /// Of them, active on the server: the ones who can check mail.
    pub can_log_in: usize,
    /// Of those, logged in on or after the last working day.
    pub checked: usize,
    /// Never logged in.
    pub never: usize,
    /// Not since the last working day.
    pub not_since_last_working_day: usize,
    /// Suspended.
    pub suspended: usize,
    /// Not on the server yet.
    pub not_on_server: usize,
}

impl Summary {
    fn add(&mut self, p: &PersonUsage) {
        self.staff += 1;
        let blocked = p.flags.contains(&Flag::Suspended) || p.flags.contains(&Flag::NotOnServer);
        if !blocked {
            self.can_log_in += 1;
        }
        if !blocked && p.checked() {
            self.checked += 1;
        }
        for f in &p.flags {
            match f {
                Flag::Never => self.never += 1,
                Flag::NotSinceLastWorkingDay => self.not_since_last_working_day += 1,
                Flag::Suspended => self.suspended += 1,
                Flag::NotOnServer => self.not_on_server += 1,
            }
        }
    }

    /// The share of those who can log in who checked mail, in percent (`None` when nobody can).
    #[must_use]
    pub fn share(&self) -> Option<f64> {
        (self.can_log_in > 0).then(|| 100.0 * self.checked as f64 / self.can_log_in as f64)
    }
}

/// One unit.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UnitUsage {
    /// Unit id.
    pub id: String,
    /// Unit name.
    pub name: String,
    /// The parent unit's name, for a subordinate unit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    /// Its people, in directory order.
    pub people: Vec<PersonUsage>,
    /// Counts.
    pub summary: Summary,
}

/// An agency mailbox (rule III.4: checked at least twice a working day).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AgencyUsage {
    /// Address.
    pub address: Address,
    /// Name.
    pub display_name: String,
    /// The owner's full name.
    pub owner: String,
    /// Last login in the agency's time.
    pub last_login: Option<DateTime<FixedOffset>>,
    /// Whether it was checked on the report's day (`None`: no login data, not a working day, or not on the
    /// server).
    pub checked_today: Option<bool>,
    /// Whether the server has it.
    pub on_server: bool,
}

/// An account mailops suspended as the first stage of its removal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PendingDeletion {
    /// Address.
    pub address: Address,
    /// The resource's name.
    pub name: String,
    /// Suspended on.
    pub suspended_on: NaiveDate,
    /// Deleted from (suspension + graceDays).
    pub deletion_due: NaiveDate,
}

/// Where the login times come from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LoginData {
    /// Whether the server gave login times.
    pub available: bool,
    /// What they measure, or why there are none.
    pub source: crate::backend::Text,
    /// Lines of the server's data left out because they could not be read.
    #[serde(skip_serializing_if = "is_zero")]
    pub ignored_lines: usize,
    /// Logins dated in the future (a wrong clock on the server), left out.
    #[serde(skip_serializing_if = "is_zero")]
    pub future: usize,
}

// serde's skip_serializing_if passes a reference.
#[allow(clippy::trivially_copy_pass_by_ref)]
const fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// The report.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Usage {
    /// Format version.
    pub version: u32,
    /// The agency's official name.
    pub organization: String,
    /// The server (credentials removed).
    pub server: String,
    /// The day reported on.
    pub on: NaiveDate,
    /// Whether that day is a working day.
    pub working_day: bool,
    /// The last working day before it.
    pub last_working_day: Option<NaiveDate>,
    /// When the report was made, in the agency's time.
    pub generated_at: DateTime<FixedOffset>,
    /// The login data.
    pub login_data: LoginData,
    /// Units in directory order (those with people).
    pub units: Vec<UnitUsage>,
    /// Everyone.
    pub total: Summary,
    /// Agency mailboxes.
    pub agency_mailboxes: Vec<AgencyUsage>,
    /// Accounts being removed.
    pub pending_deletion: Vec<PendingDeletion>,
}

/// What the report is made from.
#[derive(Debug, Clone, Copy)]
pub struct Sources<'a> {
    /// The repository.
    pub desired: &'a DesiredState,
    /// The server's accounts.
    pub observation: &'a Observation,
    /// The server's logins.
    pub logins: &'a Logins,
    /// mailops's inventory (staged removals).
    pub inventory: Option<&'a Inventory>,
    /// The server, as shown.
    pub server: &'a str,
}

impl Usage {
    /// The report for `on`, made at `now`.
    #[must_use]
    pub fn build(src: Sources<'_>, on: NaiveDate, now: DateTime<Utc>) -> Self {
        let org = &src.desired.organization;
        let cal = &org.calendar;
        let last_working_day = cal.working_day_before(on);
        let since = last_working_day.map(|d| cal.start_of(d));
        let available = src.logins.unavailable.is_none();
        let accounts: BTreeMap<&Address, &crate::backend::ObservedAccount> =
            src.observation.accounts.iter().map(|a| (&a.address, a)).collect();
        let login = |a: &Address| src.logins.last.get(a).copied();
        let mut units: Vec<UnitUsage> = Vec::new();
        let mut total = Summary::default();
        for unit in &org.units {
            let mut people = Vec::new();
            let mut summary = Summary::default();
            // On staff that day, suspended or not.
            let on_staff = |m: &&crate::desired::DesiredMailbox| {
                m.unit == unit.id
                    && m.start_date.is_none_or(|d| d <= on)
                    && m.end_date.is_none_or(|d| d >= on)
            };
            for m in src.desired.mailboxes.iter().map(|m| &**m).filter(on_staff) {
                let account = accounts.get(&m.address);
                let last = login(&m.address);
                let mut flags = Vec::new();
                if available && account.is_some() {
                    match (last, since) {
                        (None, _) => flags.push(Flag::Never),
                        (Some(t), Some(s)) if t < s => flags.push(Flag::NotSinceLastWorkingDay),
                        _ => {}
                    }
                }
                if m.state == MailboxState::Suspended || account.is_some_and(|a| !a.enabled) {
                    flags.push(Flag::Suspended);
                }
                if account.is_none() {
                    flags.push(Flag::NotOnServer);
                }
                flags.sort();
                let p = PersonUsage {
                    name: m.name.clone(),
                    full_name: m.full_name.clone(),
                    address: m.address.clone(),
                    title: m.title.clone(),
                    last_login: last.map(|t| cal.local(t)),
                    flags,
                };
                summary.add(&p);
                total.add(&p);
                people.push(p);
            }
            if !people.is_empty() {
                units.push(UnitUsage {
                    id: unit.id.clone(),
                    name: unit.name.clone(),
                    parent: unit
                        .parent
                        .as_deref()
                        .and_then(|p| org.unit(p))
                        .map(|p| p.name.clone()),
                    people,
                    summary,
                });
            }
        }
        let working_day = cal.is_working_day(on);
        let start_of_day = cal.start_of(on);
        let agency_mailboxes = src
            .desired
            .shared_mailboxes
            .iter()
            .map(|s| {
                let on_server = accounts.contains_key(&s.address);
                let last = login(&s.address);
                AgencyUsage {
                    address: s.address.clone(),
                    display_name: s.display_name.clone(),
                    owner: src
                        .desired
                        .mailbox(&s.owner)
                        .map_or_else(|| s.owner.clone(), |m| m.full_name.clone()),
                    last_login: last.map(|t| cal.local(t)),
                    checked_today: (available && working_day && on_server)
                        .then(|| last.is_some_and(|t| t >= start_of_day)),
                    on_server,
                }
            })
            .collect();
        let grace = i64::from(org.safety.grace_days);
        let mut pending_deletion: Vec<PendingDeletion> = src
            .inventory
            .map(|inv| {
                inv.entries
                    .values()
                    .filter_map(|e| {
                        let suspended_on = e.suspended_on?;
                        Some(PendingDeletion {
                            address: e.address.clone(),
                            name: e.name.clone(),
                            suspended_on,
                            deletion_due: suspended_on + chrono::Duration::days(grace),
                        })
                    })
                    .collect()
            })
            .unwrap_or_default();
        pending_deletion.sort_by(|a, b| (a.deletion_due, &a.address).cmp(&(b.deletion_due, &b.address)));
        let source = match (&src.logins.source, &src.logins.unavailable) {
            (_, Some(why)) => why.clone(),
            (Some(s), None) => s.clone(),
            (None, None) => crate::backend::Text::default(),
        };
        Self {
            version: VERSION,
            organization: org.display_name.clone(),
            server: src.server.to_string(),
            on,
            working_day,
            last_working_day,
            generated_at: cal.local(now.with_nanosecond(0).unwrap_or(now)),
            login_data: LoginData {
                available,
                source,
                ignored_lines: src.logins.ignored_lines,
                future: src.logins.future,
            },
            units,
            total,
            agency_mailboxes,
            pending_deletion,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::{ObservedAccount, Text};

    fn example() -> DesiredState {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/bdt-binhthuan");
        crate::source::revision::folder(&root).unwrap()
    }

    fn observed(state: &DesiredState) -> Observation {
        let accounts = state
            .mailboxes
            .iter()
            .map(|m| (&m.address, &m.full_name))
            .chain(
                state
                    .shared_mailboxes
                    .iter()
                    .map(|s| (&s.address, &s.display_name)),
            )
            .map(|(address, name)| ObservedAccount {
                id: None,
                address: address.clone(),
                display_name: name.clone(),
                given_name: None,
                family_name: None,
                enabled: true,
                quota: None,
                aliases: Default::default(),
                access: Default::default(),
                last_login: None,
            })
            .collect();
        Observation::complete(accounts)
    }

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn a(s: &str) -> Address {
        s.parse().unwrap()
    }

    fn person<'a>(r: &'a Usage, address: &str) -> &'a PersonUsage {
        r.units
            .iter()
            .flat_map(|u| &u.people)
            .find(|p| p.address.as_str() == address)
            .unwrap()
    }

    #[test]
    fn flags_follow_the_working_days_of_the_agency() {
        let desired = example();
        let mut observation = observed(&desired);
        // Hoa suspended on the server; Trang not created yet.
        for acc in &mut observation.accounts {
            if acc.address.as_str() == "hoabtq@bdt.binhthuan.gov.vn" {
                acc.enabled = false;
            }
        }
        observation
            .accounts
            .retain(|x| x.address.as_str() != "trangnhq@bdt.binhthuan.gov.vn");
        let logins = Logins {
            source: Some(Text::new("test", "thử")),
            unavailable: None,
            last: [
                // Monday 2026-11-30 08:00 in Vietnam (01:00 UTC): on the last working day before Tuesday.
                (a("anvtt@bdt.binhthuan.gov.vn"), at("2026-11-30T08:00:00+07:00")),
                // Friday 27th: before it.
                (a("senm@bdt.binhthuan.gov.vn"), at("2026-11-27T16:00:00+07:00")),
                // Sunday night 29th 23:30 in Vietnam, Sunday 16:30 UTC: still before Monday.
                (a("phuctn@bdt.binhthuan.gov.vn"), at("2026-11-29T23:30:00+07:00")),
                // Monday 00:30 in Vietnam is Sunday 17:30 UTC: on Monday, the agency's day.
                (a("remk@bdt.binhthuan.gov.vn"), at("2026-11-30T00:30:00+07:00")),
                (a("bdt@binhthuan.gov.vn"), at("2026-11-30T09:00:00+07:00")),
            ]
            .into(),
            ignored_lines: 0,
            future: 0,
        };
        let src = Sources {
            desired: &desired,
            observation: &observation,
            logins: &logins,
            inventory: None,
            server: "maildir:/srv/mail",
        };
        let tuesday: NaiveDate = "2026-12-01".parse().unwrap();
        let r = Usage::build(src, tuesday, at("2026-12-01T10:00:00+07:00"));
        assert_eq!(r.last_working_day, Some("2026-11-30".parse().unwrap()));
        assert!(person(&r, "anvtt@bdt.binhthuan.gov.vn").flags.is_empty());
        assert!(person(&r, "remk@bdt.binhthuan.gov.vn").flags.is_empty());
        assert_eq!(
            person(&r, "senm@bdt.binhthuan.gov.vn").flags,
            [Flag::NotSinceLastWorkingDay]
        );
        assert_eq!(
            person(&r, "phuctn@bdt.binhthuan.gov.vn").flags,
            [Flag::NotSinceLastWorkingDay]
        );
        assert_eq!(
            person(&r, "hoabtq@bdt.binhthuan.gov.vn").flags,
            [Flag::Never, Flag::Suspended]
        );
        assert_eq!(
            person(&r, "trangnhq@bdt.binhthuan.gov.vn").flags,
            [Flag::NotOnServer]
        );
        assert_eq!(r.total.staff, 24);
        assert_eq!(r.total.can_log_in, 22);
        assert_eq!(r.total.checked, 2);
        // The agency mailbox was checked Monday, not yet on Tuesday.
        assert_eq!(r.agency_mailboxes[0].checked_today, Some(false));

        // Monday: the last working day is Friday; Saturday and Sunday are skipped.
        let monday: NaiveDate = "2026-11-30".parse().unwrap();
        let r = Usage::build(src, monday, at("2026-11-30T10:00:00+07:00"));
        assert_eq!(r.last_working_day, Some("2026-11-27".parse().unwrap()));
        assert!(person(&r, "senm@bdt.binhthuan.gov.vn").flags.is_empty());
        assert_eq!(r.agency_mailboxes[0].checked_today, Some(true));
        // A Saturday is not a working day: the agency mailbox is not judged.
        let saturday: NaiveDate = "2026-11-28".parse().unwrap();
        let r = Usage::build(src, saturday, at("2026-11-28T10:00:00+07:00"));
        assert!(!r.working_day);
        assert_eq!(r.agency_mailboxes[0].checked_today, None);
        // 2027-01-04 (Monday): New Year's Day (Friday) is a holiday in the example, so Thursday.
        let r = Usage::build(
            src,
            "2027-01-04".parse().unwrap(),
            at("2027-01-04T10:00:00+07:00"),
        );
        assert_eq!(r.last_working_day, Some("2026-12-31".parse().unwrap()));
    }

    #[test]
    fn no_login_data_flags_nothing_it_cannot_know() {
        let desired = example();
        let observation = observed(&desired);
        let logins = Logins::unavailable(Text::new("no", "không"));
        let mut inventory = Inventory::default();
        let entry = crate::state::InventoryEntry {
            kind: crate::manifest::Kind::Mailbox,
            name: "nguoi-da-chuyen".into(),
            address: a("chuyen@bdt.binhthuan.gov.vn"),
            backend_id: None,
            origin: crate::state::EntryOrigin::Created,
            last_revision: None,
            suspended_on: Some("2026-11-20".parse().unwrap()),
            kept_aliases: Default::default(),
            holders: Default::default(),
        };
        inventory.entries.insert(entry.id(), entry);
        let r = Usage::build(
            Sources {
                desired: &desired,
                observation: &observation,
                logins: &logins,
                inventory: Some(&inventory),
                server: "x",
            },
            "2026-12-01".parse().unwrap(),
            at("2026-12-01T10:00:00+07:00"),
        );
        assert!(!r.login_data.available);
        assert!(r.units.iter().flat_map(|u| &u.people).all(|p| p.flags.is_empty()));
        assert_eq!(r.agency_mailboxes[0].checked_today, None);
        assert_eq!(r.pending_deletion.len(), 1);
        assert_eq!(
            r.pending_deletion[0].deletion_due,
            "2026-12-20".parse::<NaiveDate>().unwrap()
        );
        let md = super::super::render(&r, super::super::Format::Markdown, crate::directory::Lang::En);
        assert!(
            md.contains("| chuyen@bdt.binhthuan.gov.vn | 2026-11-20 | 2026-12-20 |"),
            "{md}"
        );
        assert!(
            md.contains("| **Whole agency** | 24 | 24 | not available | not available |"),
            "{md}"
        );
    }
}
