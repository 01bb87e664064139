//! The staff directory of rule II.3 and the regulation's appendix: grouped by unit, with account, full name,
//! title and backup e-mail, as CSV, Markdown, HTML, vCard or LDIF. Rendering is pure: the same state, language and
//! date give byte-identical output.

mod html;
pub mod ldif;
mod vcard;

use chrono::NaiveDate;

use crate::desired::{DesiredMailbox, DesiredSharedMailbox, DesiredState, Unit};

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Comma-separated values, one row per person, with the unit as a column.
    Csv,
    /// A Markdown table with a heading row per unit (the appendix's layout).
    Markdown,
    /// A standalone, printable HTML page.
    Html,
    /// vCard 4.0 (RFC 6350), one card per person and one for the agency mailbox.
    Vcard,
    /// LDIF (RFC 2849) for an LDAP directory: inetOrgPerson entries below organizationalUnit ones.
    Ldif,
}

/// Language of headers and labels (names, titles and units are data and stay as written). The directory
/// and the reports are the agency's documents: Vietnamese unless `--lang` asks otherwise.
pub use crate::i18n::Lang;

/// Fixed texts in one language.
#[derive(Debug, Clone, Copy)]
pub struct Labels {
    /// Document title.
    pub title: &'static str,
    /// Column: account.
    pub account: &'static str,
    /// Column: full name.
    pub full_name: &'static str,
    /// Column: title.
    pub job_title: &'static str,
    /// Column: backup e-mail.
    pub backup: &'static str,
    /// Column: unit (CSV only).
    pub unit: &'static str,
    /// "Agency mailbox".
    pub agency_mailbox: &'static str,
    /// "managed by".
    pub managed_by: &'static str,
    /// "delegates".
    pub delegates: &'static str,
    /// "as of".
    pub as_of: &'static str,
    /// "people".
    pub people: &'static str,
    /// "subordinate unit of".
    pub subordinate: &'static str,
}

impl Lang {
    /// The labels of this language.
    #[must_use]
    pub const fn labels(self) -> Labels {
        match self {
            Lang::Vi => Labels {
                title: "Danh sách email của công chức, viên chức",
                account: "Tài khoản người dùng",
                full_name: "Họ và tên",
                job_title: "Chức vụ",
                backup: "Email dự phòng",
                unit: "Đơn vị",
                agency_mailbox: "Hộp thư điện tử cơ quan",
                managed_by: "quản lý",
                delegates: "ủy quyền",
                as_of: "Cập nhật ngày",
                people: "người",
                subordinate: "đơn vị trực thuộc",
            },
            Lang::En => Labels {
                title: "Staff e-mail directory",
                account: "Account",
                full_name: "Full name",
                job_title: "Title",
                backup: "Backup e-mail",
                unit: "Unit",
                agency_mailbox: "Agency mailbox",
                managed_by: "managed by",
                delegates: "delegates",
                as_of: "As of",
                people: "people",
                subordinate: "subordinate unit of",
            },
        }
    }

    /// BCP 47 tag.
    #[must_use]
    pub const fn tag(self) -> &'static str {
        match self {
            Lang::Vi => "vi",
            Lang::En => "en",
        }
    }

    /// A date written the local way: 29/11/2026 or 2026-11-29.
    #[must_use]
    pub fn date(self, d: NaiveDate) -> String {
        match self {
            Lang::Vi => d.format("%d/%m/%Y").to_string(),
            Lang::En => d.format("%Y-%m-%d").to_string(),
        }
    }
}

/// One unit with its current staff, in directory order.
#[derive(Debug, Clone)]
pub struct Group<'a> {
    /// The unit.
    pub unit: &'a Unit,
    /// Its people.
    pub people: Vec<&'a DesiredMailbox>,
}

/// The directory as data: the groups of people on staff on a day, and the agency mailboxes.
#[derive(Debug, Clone)]
pub struct Directory<'a> {
    /// The state it is drawn from.
    pub state: &'a DesiredState,
    /// Units with at least one person, in the Organization's order.
    pub groups: Vec<Group<'a>>,
    /// Agency mailboxes.
    pub shared: &'a [DesiredSharedMailbox],
    /// The day it describes.
    pub as_of: NaiveDate,
    /// Language.
    pub lang: Lang,
}

impl<'a> Directory<'a> {
    /// Builds the directory of the people on staff on `as_of` (active, started, not ended).
    #[must_use]
    pub fn new(state: &'a DesiredState, as_of: NaiveDate, lang: Lang) -> Self {
        let groups = state
            .organization
            .units
            .iter()
            .map(|unit| Group {
                unit,
                people: state
                    .mailboxes
                    .iter()
                    .filter(|m| m.unit == unit.id && m.is_current(as_of))
                    .map(|m| &**m)
                    .collect(),
            })
            .filter(|g| !g.people.is_empty())
            .collect();
        Self {
            state,
            groups,
            shared: &state.shared_mailboxes,
            as_of,
            lang,
        }
    }

    /// Full name of a Mailbox by identity (for owners and delegates).
    fn person(&self, name: &str) -> String {
        self.state
            .mailbox(name)
            .map_or_else(|| name.to_string(), |m| m.full_name.clone())
    }

    /// "bdt@binhthuan.gov.vn — Ban Dân tộc tỉnh Bình Thuận (quản lý: Mai Sên; ủy quyền: …)".
    fn shared_line(&self, s: &DesiredSharedMailbox) -> String {
        let l = self.lang.labels();
        let mut who = format!("{}: {}", l.managed_by, self.person(&s.owner));
        if !s.delegates.is_empty() {
            let names: Vec<String> = s.delegates.iter().map(|d| self.person(d)).collect();
            who.push_str(&format!("; {}: {}", l.delegates, names.join(", ")));
        }
        format!("{} — {} ({who})", s.address, s.display_name)
    }

    /// Renders in a format.
    #[must_use]
    pub fn render(&self, format: Format) -> String {
        match format {
            Format::Csv => self.csv(),
            Format::Markdown => self.markdown(),
            Format::Html => html::render(self),
            Format::Vcard => vcard::render(self),
            Format::Ldif => self.ldif(None),
        }
    }

    /// LDIF below `base` (default: the naming domain's `dc=` components); `base` must have passed
    /// [`ldif::check_base`].
    #[must_use]
    pub fn ldif(&self, base: Option<&str>) -> String {
        let default = ldif::default_base(&self.state.organization.naming_domain);
        ldif::render(self, base.unwrap_or(&default))
    }

    /// CSV for spreadsheets: a cell a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, a tab or a
    /// carriage return first) is written as text, with a leading `'` (OWASP's CSV injection advice).
    fn csv(&self) -> String {
        let l = self.lang.labels();
        let mut w = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(Vec::new());
        let _ = w.write_record([l.unit, l.account, l.full_name, l.job_title, l.backup]);
        for g in &self.groups {
            for p in &g.people {
                let address = p.address.to_string();
                let _ = w.write_record(
                    [
                        inert(g.unit.name.as_str()),
                        inert(address.as_str()),
                        inert(p.full_name.as_str()),
                        inert(p.title.as_deref().unwrap_or("")),
                        inert(p.backup_email.as_deref().unwrap_or("")),
                    ]
                    .iter()
                    .map(|c| c.as_bytes()),
                );
            }
        }
        String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
    }

    fn markdown(&self) -> String {
        let l = self.lang.labels();
        let cell = crate::markdown::text;
        let mut out = format!(
            "# {} — {}\n\n",
            l.title,
            cell(&self.state.organization.display_name)
        );
        out.push_str(&format!("{} {}.\n\n", l.as_of, self.lang.date(self.as_of)));
        for s in self.shared {
            out.push_str(&format!(
                "{}: {}\n\n",
                l.agency_mailbox,
                cell(&self.shared_line(s))
            ));
        }
        out.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            l.account, l.full_name, l.job_title, l.backup
        ));
        out.push_str("| --- | --- | --- | --- |\n");
        for g in &self.groups {
            out.push_str(&format!("| **{}** | | | |\n", cell(&g.unit.heading)));
            for p in &g.people {
                out.push_str(&format!(
                    "| {} | {} | {} | {} |\n",
                    p.address,
                    cell(&p.full_name),
                    cell(p.title.as_deref().unwrap_or("")),
                    cell(p.backup_email.as_deref().unwrap_or(""))
                ));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests;

/// A CSV cell that no spreadsheet reads as a formula (for every CSV mailops writes).
#[must_use]
pub fn inert_cell(cell: &str) -> std::borrow::Cow<'_, str> {
    inert(cell)
}

/// A CSV cell that no spreadsheet reads as a formula.
fn inert(cell: &str) -> std::borrow::Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}
