//! What an import found, for the person who reviews it: counted, listed, and written out in Vietnamese or
//! English.

use serde::Serialize;

use crate::desired::Address;

/// An address that departs from rule II.2, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Exception {
    /// The Mailbox.
    pub name: String,
    /// The address.
    pub address: Address,
    /// What the rule gives for the name, when it gives anything.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub derived: Option<Address>,
    /// The `reason` written.
    pub reason: String,
}

/// Several people whose names give the same address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Collision {
    /// The address the rule gives.
    pub derived: Address,
    /// The addresses they have.
    pub addresses: Vec<Address>,
}

/// A person whose name on the server and in the list differ.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NameDifference {
    /// The account.
    pub address: Address,
    /// The server's name.
    pub server: String,
    /// The list's name (the one written).
    pub list: String,
}

/// A person of the list who has no account yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NewHire {
    /// The row of the list.
    pub row: usize,
    /// The Mailbox.
    pub name: String,
    /// The address apply creates.
    pub address: Address,
}

/// What the import found, for the person who reviews it (`--output json` prints it).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    /// [`REPORT_VERSION`].
    pub version: u32,
    /// Accounts read from the server.
    pub accounts: usize,
    /// People read from the staff list.
    pub rows: usize,
    /// Mailbox manifests written.
    pub mailboxes: usize,
    /// SharedMailbox manifests written.
    pub shared_mailboxes: usize,
    /// The naming domain chosen.
    pub naming_domain: String,
    /// People whose address rule II.2 derives from the name (with or without an extension).
    pub follow_rule: usize,
    /// Of those, the ones with an extension.
    pub extensions: Vec<Address>,
    /// Addresses that need a reason, with the reason written.
    pub need_reason: Vec<Exception>,
    /// Names that give the same address.
    pub collisions: Vec<Collision>,
    /// Accounts the server knows no name for (their fullName is the address's local part).
    pub without_name: Vec<Address>,
    /// People with no unit (in the `unassigned` unit).
    pub units_to_assign: Vec<Address>,
    /// People of the list without an account: apply creates them.
    pub new_hires: Vec<NewHire>,
    /// Accounts the list does not have (imported into `unassigned`, never dropped).
    pub not_in_list: Vec<Address>,
    /// Names that differ between the server and the list (the list's is written).
    pub names_differ: Vec<NameDifference>,
    /// Agency mailboxes, with how they were recognised.
    pub shared: Vec<String>,
    /// Values of the Organization to check (`spec.shortName: guessed from …`).
    pub review: Vec<String>,
}

/// A list of addresses, or "—".
fn listed(items: &[String]) -> String {
    if items.is_empty() {
        "—".into()
    } else {
        items.join(", ")
    }
}

impl Report {
    /// The report for people, in Vietnamese or English: counts first, then every item to review.
    #[must_use]
    pub fn text(&self, lang: crate::directory::Lang) -> String {
        use crate::directory::Lang;
        let vi = lang == Lang::Vi;
        let t = |v: &str, e: &str| if vi { v.to_string() } else { e.to_string() };
        let mut out = String::new();
        let mut line = |s: String| {
            out.push_str(&s);
            out.push('\n');
        };
        line(if vi {
            format!(
                "Nhập: {} tài khoản từ máy chủ, {} người từ danh sách → {} hộp thư cá nhân, {} hộp thư cơ quan.",
                self.accounts, self.rows, self.mailboxes, self.shared_mailboxes
            )
        } else {
            format!(
                "Imported: {} account(s) from the server, {} person(s) from the list → {} Mailbox(es), {} agency mailbox(es).",
                self.accounts, self.rows, self.mailboxes, self.shared_mailboxes
            )
        });
        line(if vi {
            format!(
                "Quy tắc II.2 (@{}): {} địa chỉ theo quy tắc ({} có phần mở rộng), {} cần lý do.",
                self.naming_domain,
                self.follow_rule,
                self.extensions.len(),
                self.need_reason.len()
            )
        } else {
            format!(
                "Rule II.2 (@{}): {} address(es) follow the rule ({} with an extension), {} need a reason.",
                self.naming_domain,
                self.follow_rule,
                self.extensions.len(),
                self.need_reason.len()
            )
        });
        for e in &self.need_reason {
            line(format!("  ! {} ({}): {}", e.address, e.name, e.reason));
        }
        for c in &self.collisions {
            let list: Vec<String> = c.addresses.iter().map(ToString::to_string).collect();
            line(format!(
                "  {} {}: {}",
                t("trùng tên, cùng địa chỉ", "collision, same derived address"),
                c.derived,
                list.join(", ")
            ));
        }
        let addresses = |v: &[Address]| listed(&v.iter().map(ToString::to_string).collect::<Vec<_>>());
        if !self.without_name.is_empty() {
            line(format!(
                "{} ({}): {}",
                t("Tài khoản không có tên", "Accounts without a name"),
                self.without_name.len(),
                addresses(&self.without_name)
            ));
        }
        if !self.units_to_assign.is_empty() {
            line(format!(
                "{} ({}): {}",
                t("Chưa phân đơn vị", "Units to assign"),
                self.units_to_assign.len(),
                addresses(&self.units_to_assign)
            ));
        }
        if !self.not_in_list.is_empty() {
            line(format!(
                "{} ({}): {}",
                t(
                    "Tài khoản không có trong danh sách",
                    "Accounts the list does not have"
                ),
                self.not_in_list.len(),
                addresses(&self.not_in_list)
            ));
        }
        for h in &self.new_hires {
            line(format!(
                "  + {} {}: {} ({})",
                t("dòng", "row"),
                h.row,
                h.address,
                t(
                    "chưa có tài khoản: apply sẽ tạo",
                    "no account yet: apply creates it"
                )
            ));
        }
        for d in &self.names_differ {
            line(format!(
                "  ~ {}: {} “{}”, {} “{}”",
                d.address,
                t("máy chủ", "server"),
                d.server,
                t("danh sách", "list"),
                d.list
            ));
        }
        for s in &self.shared {
            line(format!("{}: {s}", t("Hộp thư cơ quan", "Agency mailbox")));
        }
        for r in &self.review {
            line(format!("{}: {r}", t("Cần xem lại", "Review")));
        }
        out
    }
}
