//! Last logins from Dovecot's `last_login` plugin writing to a `file:` dict beside the mail
//! (`ROOT/logins/last-login.dict`; README, "Usage report"). The file is Dovecot's: it is read, bounded,
//! never written, and a line that cannot be read is counted and left out.
//!
//! The dict file holds a key line and a value line per entry: `shared/last-login/USER` then the time in
//! seconds since 1970 (or in ms, µs or ns when `last_login_precision` says so, told apart by magnitude).

use std::io::Read;
use std::path::Path;

use chrono::{DateTime, Utc};

use crate::backend::{BackendError, Logins, Text};
use crate::desired::Address;

/// The folder Dovecot's mail processes write into (owned by the mail user), below the backend's root.
pub const FOLDER: &str = "logins";
/// The dict file.
pub const FILE: &str = "last-login.dict";
/// The longest dict file read (a line pair per account: far above a province's accounts).
const MAX_BYTES: u64 = 64 << 20;
/// The key prefix of the plugin's default `last_login_key = last-login/%u` in a shared dict.
const KEY_PREFIX: &str = "shared/last-login/";

fn time(value: &str) -> Option<DateTime<Utc>> {
    let n: i64 = value.trim().parse().ok()?;
    let (secs, nanos) = match n {
        n if n >= 1_000_000_000_000_000_000 => (n / 1_000_000_000, n % 1_000_000_000),
        n if n >= 1_000_000_000_000_000 => (n / 1_000_000, (n % 1_000_000) * 1_000),
        n if n >= 1_000_000_000_000 => (n / 1_000, (n % 1_000) * 1_000_000),
        n if n >= 0 => (n, 0),
        _ => return None,
    };
    DateTime::from_timestamp(secs, u32::try_from(nanos).ok()?)
}

/// Parses the dict file's text.
#[must_use]
pub fn parse(text: &str) -> (std::collections::BTreeMap<Address, DateTime<Utc>>, usize) {
    let mut last = std::collections::BTreeMap::new();
    let mut ignored = 0;
    let mut lines = text.lines();
    while let Some(key) = lines.next() {
        let Some(value) = lines.next() else {
            ignored += 1;
            break;
        };
        let parsed = key
            .strip_prefix(KEY_PREFIX)
            .and_then(|user| user.parse::<Address>().ok())
            .zip(time(value));
        match parsed {
            Some((address, at)) => {
                let entry = last.entry(address).or_insert(at);
                if *entry < at {
                    *entry = at;
                }
            }
            None => ignored += 2,
        }
    }
    (last, ignored)
}

/// Reads the logins below `root`.
///
/// # Errors
/// When the file exists and cannot be read, or is larger than the bound.
pub fn read(root: &Path) -> Result<Logins, BackendError> {
    let folder = root.join(FOLDER);
    let path = folder.join(FILE);
    let source = Text::new(
        format!(
            "Dovecot's last_login plugin: IMAP and POP3 logins, not deliveries ({})",
            path.display()
        ),
        format!(
            "plugin last_login của Dovecot: đăng nhập IMAP và POP3, không tính thư được gửi đến ({})",
            path.display()
        ),
    );
    if !folder.is_dir() {
        return Ok(Logins::unavailable(Text::new(
            format!(
                "Dovecot's last_login plugin is not set up: {} does not exist (README, \"Usage report\")",
                folder.display()
            ),
            format!(
                "chưa cấu hình plugin last_login của Dovecot: không có thư mục {} (README, \"Usage report\")",
                folder.display()
            ),
        )));
    }
    let file = match std::fs::File::open(&path) {
        Ok(f) => f,
        // Set up, and nobody has logged in yet.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(Logins {
                source: Some(source),
                ..Logins::default()
            });
        }
        Err(source) => {
            return Err(BackendError::Io {
                context: format!("cannot read {}", path.display()),
                source,
            });
        }
    };
    let mut bytes = Vec::new();
    file.take(MAX_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|source| BackendError::Io {
            context: format!("cannot read {}", path.display()),
            source,
        })?;
    if bytes.len() as u64 > MAX_BYTES {
        return Err(BackendError::Server(format!(
            "{} is larger than {} MiB; it is not read",
            path.display(),
            MAX_BYTES >> 20
        )));
    }
    let (last, ignored_lines) = parse(&String::from_utf8_lossy(&bytes));
    Ok(Logins {
        source: Some(source),
        unavailable: None,
        last,
        ignored_lines,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_dovecot_lines_and_leaves_out_the_rest() {
        let text = "shared/last-login/anvtt@bdt.binhthuan.gov.vn\n1796143819\n\
                    shared/last-login/senm@bdt.binhthuan.gov.vn\n1796143819123\n\
                    shared/last-login/not an address\n1\n\
                    shared/other/x@y.vn\n5\n\
                    shared/last-login/haitt@bdt.binhthuan.gov.vn\nyesterday\n\
                    shared/last-login/anvtt@bdt.binhthuan.gov.vn\n1796000000\n\
                    dangling";
        let (last, ignored) = parse(text);
        assert_eq!(last.len(), 2);
        let an: Address = "anvtt@bdt.binhthuan.gov.vn".parse().unwrap();
        assert_eq!(last[&an].timestamp(), 1_796_143_819, "the latest of two");
        let sen: Address = "senm@bdt.binhthuan.gov.vn".parse().unwrap();
        assert_eq!(last[&sen].timestamp_millis(), 1_796_143_819_123, "milliseconds");
        assert_eq!(ignored, 7);
    }
}
