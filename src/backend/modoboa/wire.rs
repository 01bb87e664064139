//! Modoboa's wire formats: the API's JSON objects, quotas as Modoboa writes them, the import CSV, the
//! server's password scheme.

use super::*;

/// One account of `/api/v2/accounts/`.
#[derive(Debug, Deserialize)]
pub(super) struct ApiAccount {
    pub(super) pk: u64,
    pub(super) username: String,
    #[serde(default)]
    pub(super) first_name: String,
    #[serde(default)]
    pub(super) last_name: String,
    pub(super) is_active: bool,
    pub(super) mailbox: Option<ApiMailbox>,
    #[serde(default)]
    pub(super) aliases: Vec<String>,
    #[serde(default)]
    pub(super) last_login: Option<chrono::DateTime<chrono::Utc>>,
}

#[derive(Debug, Deserialize)]
pub(super) struct ApiMailbox {
    #[serde(default)]
    pub(super) use_domain_quota: bool,
    pub(super) quota: Value,
}

#[derive(Debug, Deserialize)]
pub(super) struct Page<T> {
    #[serde(default)]
    pub(super) next: Option<String>,
    pub(super) results: Vec<T>,
}

#[derive(Debug, Deserialize)]
pub(super) struct ApiDomain {
    pub(super) pk: u64,
    pub(super) name: String,
}

#[derive(Debug, Deserialize)]
pub(super) struct ApiAlias {
    pub(super) pk: u64,
    pub(super) address: String,
    pub(super) enabled: bool,
    #[serde(default)]
    pub(super) recipients: Vec<String>,
}

/// The quota as Modoboa writes it: whole megabytes, `0` for unlimited.
pub(super) fn quota_text(q: Quota) -> Result<String, BackendError> {
    match q {
        Quota::Unlimited => Ok("0".into()),
        Quota::Bytes(b) if b % (1 << 20) == 0 => Ok((b >> 20).to_string()),
        Quota::Bytes(_) => Err(BackendError::Rejected(format!(
            "Modoboa stores quotas in whole MiB; {q} is not (write it in MiB or GiB)"
        ))),
    }
}

pub(super) fn quota_from(value: &Value) -> Option<Quota> {
    let mb: u64 = match value {
        Value::String(s) => s.parse().ok()?,
        Value::Number(n) => n.as_u64()?,
        _ => return None,
    };
    Some(if mb == 0 {
        Quota::Unlimited
    } else {
        Quota::Bytes(mb << 20)
    })
}

/// How the server hashes passwords, when mailops can hash the same way: (scheme, rounds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Scheme {
    Sha512(u32),
    Sha256(u32),
}

impl Scheme {
    pub(super) fn hash(self, password: &Secret) -> Option<String> {
        match self {
            Scheme::Sha512(rounds) => {
                let h = crate::backend::crypt::sha512(password, rounds as usize).ok()?;
                Some(format!("{{SHA512-CRYPT}}{h}"))
            }
            Scheme::Sha256(rounds) => {
                let h = crate::backend::crypt::sha256(password, rounds as usize).ok()?;
                Some(format!("{{SHA256-CRYPT}}{h}"))
            }
        }
    }
}

/// The import's CSV: account rows, then alias rows (Modoboa's format, `;`-separated). `None` when an account
/// cannot be written so (an unlimited quota reads as "the domain's default" there).
pub(crate) fn import_csv(rows: &[(&NewAccount, String)]) -> Option<String> {
    let mut w = csv::WriterBuilder::new()
        .delimiter(b';')
        .has_headers(false)
        .flexible(true)
        .from_writer(Vec::new());
    for (a, password) in rows {
        let quota = match a.quota {
            None => "0".to_string(),
            Some(Quota::Unlimited) => return None,
            Some(q) => quota_text(q).ok()?,
        };
        let (first, last) =
            ModoboaBackend::names(a.given_name.as_deref(), a.family_name.as_deref(), &a.display_name);
        let enabled = if a.enabled { "True" } else { "False" };
        let address = a.address.as_str();
        let row = [
            "account",
            address,
            password,
            &first,
            &last,
            enabled,
            "SimpleUsers",
            address,
            &quota,
        ];
        w.write_record(row).ok()?;
    }
    for (a, _) in rows {
        for alias in &a.aliases {
            w.write_record(["alias", alias.as_str(), "True", a.address.as_str()])
                .ok()?;
        }
    }
    String::from_utf8(w.into_inner().ok()?).ok()
}
