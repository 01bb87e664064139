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

/// What the dict file's text holds.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Parsed {
    /// The last login of each account.
    pub last: std::collections::BTreeMap<Address, DateTime<Utc>>,
    /// Lines left out: a stray line, a key without its value, a key of another dict or a value that is no
    /// time.
    pub ignored: usize,
    /// Logins dated after `now` (more than a few minutes: clocks differ a little), left out.
    pub future: usize,
}

/// How far ahead of the reader's clock a login may be dated (the two clocks may differ a little).
const SKEW: chrono::TimeDelta = chrono::TimeDelta::minutes(5);

/// Whether a line is a dict key (Dovecot's `file:` dict writes `shared/KEY` or `priv/KEY`, never a value
/// starting so: values are numbers).
fn is_key(line: &str) -> bool {
    line.starts_with("shared/") || line.starts_with("priv/")
}

/// Parses the dict file's text as key and value pairs, as of `now`. A line that is not where a pair puts it
/// (a stray line, a key whose value is missing) is left out on its own, so the pairs after it are read in
/// step.
#[must_use]
pub fn parse(text: &str, now: DateTime<Utc>) -> Parsed {
    let mut out = Parsed::default();
    let lines: Vec<&str> = text.lines().collect();
    let mut i = 0;
    while i < lines.len() {
        let key = lines[i];
        let value = lines.get(i + 1).copied().filter(|v| !is_key(v));
        let (true, Some(value)) = (is_key(key), value) else {
            out.ignored += 1;
            i += 1;
            continue;
        };
        i += 2;
        let parsed = key
            .strip_prefix(KEY_PREFIX)
            .and_then(|user| user.parse::<Address>().ok())
            .zip(time(value));
        match parsed {
            Some((_, at)) if at > now + SKEW => out.future += 1,
            Some((address, at)) => {
                let entry = out.last.entry(address).or_insert(at);
                if *entry < at {
                    *entry = at;
                }
            }
            None => out.ignored += 2,
        }
    }
    out
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
    // Without waiting for a writer: a named pipe put at the dict's place must not hang the report.
    let opened = {
        use std::os::unix::fs::OpenOptionsExt;
        std::fs::File::options()
            .read(true)
            .custom_flags(libc::O_NONBLOCK | libc::O_NOFOLLOW)
            .open(&path)
    };
    let file = match opened {
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
    let regular = file.metadata().is_ok_and(|m| m.file_type().is_file());
    if !regular {
        return Err(BackendError::Server(format!(
            "{} is not a regular file (Dovecot's dict is one); it is not read",
            path.display()
        )));
    }
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
    let parsed = parse(&String::from_utf8_lossy(&bytes), Utc::now());
    Ok(Logins {
        source: Some(source),
        unavailable: None,
        last: parsed.last,
        ignored_lines: parsed.ignored,
        future: parsed.future,
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
        let now = DateTime::from_timestamp(1_796_143_900, 0).unwrap();
        let Parsed { last, ignored, .. } = parse(text, now);
        assert_eq!(last.len(), 2);
        let an: Address = "anvtt@bdt.binhthuan.gov.vn".parse().unwrap();
        assert_eq!(last[&an].timestamp(), 1_796_143_819, "the latest of two");
        let sen: Address = "senm@bdt.binhthuan.gov.vn".parse().unwrap();
        assert_eq!(last[&sen].timestamp_millis(), 1_796_143_819_123, "milliseconds");
        assert_eq!(ignored, 7);
    }

    #[test]
    fn a_stray_line_does_not_shift_the_pairs_after_it_and_future_times_are_left_out() {
        let now = DateTime::from_timestamp(1_796_143_900, 0).unwrap();
        let text = "shared/last-login/anvtt@bdt.binhthuan.gov.vn\n1796143819\n\
                    a stray line a person added\n\
                    shared/last-login/senm@bdt.binhthuan.gov.vn\n1796143800\n\
                    shared/last-login/haitt@bdt.binhthuan.gov.vn\n\
                    shared/last-login/lehtk@bdt.binhthuan.gov.vn\n1796143700\n\
                    shared/last-login/remk@bdt.binhthuan.gov.vn\n1896143819\n";
        let p = parse(text, now);
        let read: Vec<&str> = p.last.keys().map(Address::as_str).collect();
        assert_eq!(
            read,
            [
                "anvtt@bdt.binhthuan.gov.vn",
                "lehtk@bdt.binhthuan.gov.vn",
                "senm@bdt.binhthuan.gov.vn"
            ]
        );
        assert_eq!(p.ignored, 2, "the stray line and the key without its value");
        assert_eq!(p.future, 1, "remk's login in 2030");
    }

    #[test]
    fn a_named_pipe_at_the_dicts_place_is_refused_at_once() {
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir(root.path().join(FOLDER)).unwrap();
        let fifo = root.path().join(FOLDER).join(FILE);
        let made = std::process::Command::new("mkfifo").arg(&fifo).status().unwrap();
        assert!(made.success());
        // With nobody writing to it, a blocking open would never return.
        let err = read(root.path()).unwrap_err();
        assert!(err.to_string().contains("not a regular file"), "{err}");
    }
}
