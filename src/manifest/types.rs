//! The resource kinds as written in YAML (`apiVersion: mailops.dev/v1alpha1`).
//!
//! These are the raw, syntax-checked types: every field the user may write, nothing derived. They reject
//! unknown fields and stay structural-schema friendly (no untagged enums, no unsigned integers, no free-form
//! values) because the same spec types become the Kubernetes CRDs.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The API group and version of every mailops resource.
pub const API_VERSION: &str = "mailops.dev/v1alpha1";

/// Standard object metadata: the subset of Kubernetes `ObjectMeta` that a manifest may carry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, Default)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ObjectMeta {
    /// Stable identity of the resource (a DNS-1123 label such as `vo-thi-thu-an`). For a Mailbox it never
    /// changes, even when the person's address does: a new address with the same name is a rename.
    #[schemars(regex(pattern = r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$"))]
    pub name: String,
    /// Kubernetes namespace (CRD mode only; ignored in git mode).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Free-form labels.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
    /// Free-form annotations.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
}

/// The agency: its domains, units, naming policy, protected addresses, safety limits and attachment policy.
/// Exactly one per repository (in CRD mode: one per namespace).
// kube's printer columns repeat `type_`, which clippy mistakes for a duplicated attribute.
#[allow(clippy::duplicated_attributes)]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, kube::CustomResource)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[kube(
    group = "mailops.dev",
    version = "v1alpha1",
    kind = "Organization",
    root = "OrganizationResource"
)]
#[kube(
    namespaced,
    status = "crate::k8s::crd::OrganizationStatus",
    shortname = "mailorg",
    category = "mailops"
)]
#[kube(printcolumn(name = "Server", type_ = "string", json_path = ".status.server"))]
#[kube(printcolumn(name = "Mailboxes", type_ = "integer", json_path = ".status.managedMailboxes"))]
#[kube(printcolumn(
    name = "Ready",
    type_ = "string",
    json_path = ".status.conditions[?(@.type==\"Ready\")].status"
))]
#[kube(printcolumn(
    name = "Synced",
    type_ = "string",
    json_path = ".status.conditions[?(@.type==\"Synced\")].status"
))]
#[kube(printcolumn(name = "Age", type_ = "date", json_path = ".metadata.creationTimestamp"))]
pub struct OrganizationSpec {
    /// Official name of the agency, e.g. `Ban Dân tộc tỉnh Bình Thuận`.
    pub display_name: String,
    /// The agency's short name (e.g. `bdt`). Never allowed as an address extension (rule II.2).
    pub short_name: String,
    /// Mail domains served for the agency. Every address, alias and protected address must be in one of them.
    pub domains: Vec<DomainSpec>,
    /// Units (phòng ban, đơn vị trực thuộc) in directory order.
    pub units: Vec<UnitSpec>,
    /// How personal addresses are formed (rule II.2).
    pub naming: NamingPolicySpec,
    /// Addresses that mailops never suspends or deletes (postmaster, the agency mailbox, ...).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub protected_addresses: Vec<String>,
    /// Limits that stop a mistaken commit from removing many mailboxes at once.
    #[serde(default)]
    pub safety: SafetySpec,
    /// Attachment file types allowed and forbidden (rule III.3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attachments: Option<AttachmentPolicySpec>,
    /// Working days and holidays (rule III.4's "working day", for the usage report).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calendar: Option<CalendarSpec>,
    /// Defaults applied to every Mailbox that does not set the field itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub defaults: Option<MailboxDefaultsSpec>,
}

/// One mail domain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct DomainSpec {
    /// The domain name, e.g. `bdt.binhthuan.gov.vn`.
    pub name: String,
    /// What the domain is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// One unit of the agency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct UnitSpec {
    /// Identifier used by `Mailbox.spec.unit` (a DNS-1123 label, e.g. `trung-tam-dvmn`).
    pub id: String,
    /// Name of the unit, e.g. `Trung tâm Dịch vụ miền núi`.
    pub name: String,
    /// Heading of the unit's group in the staff directory; defaults to the name in capitals.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub heading: Option<String>,
    /// The unit this one belongs to (đơn vị trực thuộc), by id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
}

/// Rule II.2: `<given name><initial of family name><initials of middle names>[.<extension>]@<domain>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct NamingPolicySpec {
    /// Domain of personal addresses, e.g. `bdt.binhthuan.gov.vn`.
    pub domain: String,
    /// Longest extension allowed after the dot (rule II.2: 6).
    #[serde(default = "default_max_extension")]
    #[schemars(range(min = 1, max = 32))]
    pub max_extension_length: i32,
    /// Extensions refused besides the agency's short name (e.g. other spellings of the agency's name).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reserved_extensions: Vec<String>,
    /// When an address changes (a name correction), the old address keeps delivering as an alias of the
    /// new one, so that mail sent to it is not lost (default `true`).
    #[serde(default = "default_true")]
    pub keep_old_address_as_alias: bool,
}

fn default_true() -> bool {
    true
}

fn default_max_extension() -> i32 {
    6
}

/// Safety limits for removals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SafetySpec {
    /// Most mailboxes one run may suspend or delete.
    #[serde(default = "default_max_deletions")]
    #[schemars(range(min = 0, max = 1_000_000))]
    pub max_deletions: i32,
    /// Most mailboxes one run may suspend or delete, as a percentage of the managed mailboxes.
    #[serde(default = "default_max_deletion_percent")]
    #[schemars(range(min = 0, max = 100))]
    pub max_deletion_percent: i32,
    /// Days between the suspension of a removed mailbox and its deletion.
    #[serde(default = "default_grace_days")]
    #[schemars(range(min = 0, max = 3650))]
    pub grace_days: i32,
}

fn default_max_deletions() -> i32 {
    3
}
fn default_max_deletion_percent() -> i32 {
    10
}
fn default_grace_days() -> i32 {
    30
}

impl Default for SafetySpec {
    fn default() -> Self {
        Self {
            max_deletions: default_max_deletions(),
            max_deletion_percent: default_max_deletion_percent(),
            grace_days: default_grace_days(),
        }
    }
}

/// Attachment policy (rule III.3), as file extensions without the dot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct AttachmentPolicySpec {
    /// Document types that may be attached.
    #[serde(default)]
    pub allowed: Vec<String>,
    /// Archive types that may be attached.
    #[serde(default)]
    pub compressed: Vec<String>,
    /// Types that must never be attached (executables).
    #[serde(default)]
    pub forbidden: Vec<String>,
    /// What happens to a type in none of the lists (rule III.3 lists what is allowed: `reject` by default).
    #[serde(default)]
    pub unlisted: UnlistedAttachments,
    /// The rule cited in a rejection (e.g. `III.3`): letters, digits, spaces and `.,:;()/-` only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
}

/// What the mail server does with an attachment whose type is in none of the policy's lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum UnlistedAttachments {
    /// Refused, as the regulation's list of allowed types implies.
    #[default]
    Reject,
    /// Let through (only the forbidden types are refused).
    Accept,
}

/// Working days, for the usage report (rule III.4): Monday to Friday, less holidays, plus working weekend days.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CalendarSpec {
    /// Days off that fall on a weekday (YYYY-MM-DD): public holidays, Tết.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub holidays: Vec<String>,
    /// Saturdays or Sundays worked in exchange for a day off (ngày làm bù), YYYY-MM-DD.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub working_weekends: Vec<String>,
    /// The agency's offset from UTC, `+07:00` for Vietnam (default: the machine's time zone).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub utc_offset: Option<String>,
}

/// Defaults for every Mailbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct MailboxDefaultsSpec {
    /// Default quota, e.g. `2GiB`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quota: Option<String>,
}

/// Whether a mailbox may log in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, Default)]
#[serde(rename_all = "lowercase")]
pub enum MailboxState {
    /// Login allowed, mail delivered.
    #[default]
    Active,
    /// Login refused, mail kept and still delivered.
    Suspended,
}

/// What deleting a Mailbox or SharedMailbox resource does to the account (CRD mode; in git mode removing
/// the file always removes the account in stages).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, Default)]
pub enum DeletionPolicy {
    /// The account is suspended (login refused, mail kept and still delivered) and no longer managed.
    #[default]
    Suspend,
    /// The account is suspended, then deleted after the Organization's `graceDays` (as in git mode).
    Delete,
    /// The account is left as it is and no longer managed.
    Orphan,
}

/// One person's mailbox.
// kube's printer columns repeat `type_`, which clippy mistakes for a duplicated attribute.
#[allow(clippy::duplicated_attributes)]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, kube::CustomResource)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[kube(
    group = "mailops.dev",
    version = "v1alpha1",
    kind = "Mailbox",
    root = "MailboxResource"
)]
#[kube(
    namespaced,
    status = "crate::k8s::crd::MailboxStatus",
    shortname = "mbx",
    category = "mailops"
)]
#[kube(printcolumn(name = "Address", type_ = "string", json_path = ".status.address"))]
#[kube(printcolumn(
    name = "Ready",
    type_ = "string",
    json_path = ".status.conditions[?(@.type==\"Ready\")].status"
))]
#[kube(printcolumn(
    name = "Synced",
    type_ = "string",
    json_path = ".status.conditions[?(@.type==\"Synced\")].status"
))]
#[kube(printcolumn(name = "Age", type_ = "date", json_path = ".metadata.creationTimestamp"))]
pub struct MailboxSpec {
    /// Full name as written, in Vietnamese, family name first: `Võ Thị Thu An`.
    pub full_name: String,
    /// The given name (tên), for names that do not follow the Kinh order (family, middle, given). Must be
    /// one or more consecutive words of `fullName`; the address starts with it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub given_name: Option<String>,
    /// The family name (họ), when it is not the first word of `fullName`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family_name: Option<String>,
    /// The unit, by its id in the Organization.
    pub unit: String,
    /// Title (chức vụ), e.g. `Chuyên viên`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Position in the staff directory within the unit (lower first); unset entries follow, by given name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0))]
    pub order: Option<i32>,
    /// Extension agreed with the IT officer when the derived address is taken: 1 to 6 ASCII letters, no
    /// digits, never the agency's short name. `anvtt` + `ctt` gives `anvtt.ctt@…`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^[a-z]{1,32}$"))]
    pub extension: Option<String>,
    /// Domain of the address, when not the naming policy's domain.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    /// An explicit address. Normally left out: the address is derived from the name. One that breaks the
    /// naming convention needs a `reason`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// Why an explicit `address` departs from the naming convention (required in that case).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Backup e-mail (email dự phòng) for recovery and notices, outside the mailbox itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backup_email: Option<String>,
    /// Further addresses delivering to this mailbox.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// Addresses this mailbox had before (after a name correction); used to recognise a rename.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub former_addresses: Vec<String>,
    /// Storage quota, e.g. `2GiB`, `500MiB`, `1GB` or `unlimited`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^(unlimited|[0-9]+ ?([KMGTkmgt][Ii]?)?[Bb]?)$"))]
    pub quota: Option<String>,
    /// `active` (default) or `suspended`.
    #[serde(default)]
    pub state: MailboxState,
    /// First working day (YYYY-MM-DD); the mailbox is created from this day on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"))]
    pub start_date: Option<String>,
    /// Last working day (YYYY-MM-DD); after it the mailbox is removed in stages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"))]
    pub end_date: Option<String>,
    /// Mailboxes (by metadata.name) allowed to read this one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub delegates: Vec<String>,
    /// CRD mode: what deleting this resource does to the account (`Suspend`, the default; `Delete`, staged;
    /// `Orphan`). Git mode ignores it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deletion_policy: Option<DeletionPolicy>,
}

/// The agency (representative) mailbox, e.g. `bdt@binhthuan.gov.vn` (rule IV.3).
// kube's printer columns repeat `type_`, which clippy mistakes for a duplicated attribute.
#[allow(clippy::duplicated_attributes)]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, kube::CustomResource)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[kube(
    group = "mailops.dev",
    version = "v1alpha1",
    kind = "SharedMailbox",
    root = "SharedMailboxResource"
)]
#[kube(
    namespaced,
    status = "crate::k8s::crd::MailboxStatus",
    shortname = "smbx",
    category = "mailops"
)]
#[kube(printcolumn(name = "Address", type_ = "string", json_path = ".status.address"))]
#[kube(printcolumn(
    name = "Ready",
    type_ = "string",
    json_path = ".status.conditions[?(@.type==\"Ready\")].status"
))]
#[kube(printcolumn(
    name = "Synced",
    type_ = "string",
    json_path = ".status.conditions[?(@.type==\"Synced\")].status"
))]
#[kube(printcolumn(name = "Age", type_ = "date", json_path = ".metadata.creationTimestamp"))]
pub struct SharedMailboxSpec {
    /// The mailbox's address.
    pub address: String,
    /// Name shown to recipients.
    pub display_name: String,
    /// The head of the agency (a Mailbox, by metadata.name). A change of owner is a handover: access moves,
    /// the data stays.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// People the owner has delegated to manage the mailbox (Mailboxes, by metadata.name).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub delegates: Vec<String>,
    /// Further addresses delivering to this mailbox.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// Addresses this mailbox had before.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub former_addresses: Vec<String>,
    /// Storage quota, e.g. `5GiB`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quota: Option<String>,
    /// CRD mode: what deleting this resource does to the account (`Suspend`, the default; `Delete`, staged;
    /// `Orphan`). Git mode ignores it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deletion_policy: Option<DeletionPolicy>,
}
