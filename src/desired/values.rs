//! Small validated value types: addresses, quotas, dates.

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

pub use crate::address::{Address, AddressError, is_valid_domain};

/// A storage quota. Serialised as its text (`2GiB`, `unlimited`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Quota {
    /// No limit.
    Unlimited,
    /// A limit in bytes.
    Bytes(u64),
}

/// Why a quota is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QuotaError {
    /// Not `<number><unit>`.
    #[error("`{0}` is not a quota: write a number and a unit, e.g. `2GiB`, `500MiB` or `unlimited`")]
    Syntax(String),
    /// A number without unit.
    #[error("`{0}` has no unit: write `{0}MiB` or `{0}GiB`")]
    NoUnit(String),
    /// Zero.
    #[error("a quota of zero would refuse all mail; use `unlimited` for no limit")]
    Zero,
    /// Above 1 PiB.
    #[error("`{0}` is larger than 1 PiB")]
    TooLarge(String),
}

const UNITS: [(&str, u64); 17] = [
    ("B", 1),
    ("KB", 1000),
    ("MB", 1000u64.pow(2)),
    ("GB", 1000u64.pow(3)),
    ("TB", 1000u64.pow(4)),
    ("K", 1000),
    ("M", 1000u64.pow(2)),
    ("G", 1000u64.pow(3)),
    ("T", 1000u64.pow(4)),
    ("KIB", 1 << 10),
    ("MIB", 1 << 20),
    ("GIB", 1 << 30),
    ("TIB", 1 << 40),
    ("KI", 1 << 10),
    ("MI", 1 << 20),
    ("GI", 1 << 30),
    ("TI", 1 << 40),
];

impl FromStr for Quota {
    type Err = QuotaError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        if t.eq_ignore_ascii_case("unlimited") {
            return Ok(Quota::Unlimited);
        }
        let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
        let (number, unit) = t.split_at(split);
        if number.is_empty() {
            return Err(QuotaError::Syntax(s.to_string()));
        }
        if unit.is_empty() {
            return Err(QuotaError::NoUnit(s.to_string()));
        }
        let unit = unit.trim_start().to_ascii_uppercase();
        let factor = UNITS
            .iter()
            .find(|(u, _)| *u == unit)
            .map(|(_, f)| *f)
            .ok_or_else(|| QuotaError::Syntax(s.to_string()))?;
        let n: u64 = number.parse().map_err(|_| QuotaError::TooLarge(s.to_string()))?;
        let bytes = n
            .checked_mul(factor)
            .ok_or_else(|| QuotaError::TooLarge(s.to_string()))?;
        if bytes == 0 {
            return Err(QuotaError::Zero);
        }
        if bytes > bounds::MAX_QUOTA {
            return Err(QuotaError::TooLarge(s.to_string()));
        }
        Ok(Quota::Bytes(bytes))
    }
}

impl TryFrom<String> for Quota {
    type Error = QuotaError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<Quota> for String {
    fn from(q: Quota) -> String {
        q.to_string()
    }
}

impl Quota {
    /// The limit in whole mebibytes, rounded up (what most mail servers store); `None` for unlimited.
    #[must_use]
    pub fn mebibytes(self) -> Option<u64> {
        match self {
            Quota::Unlimited => None,
            Quota::Bytes(b) => Some(b.div_ceil(1 << 20)),
        }
    }
}

impl fmt::Display for Quota {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Quota::Unlimited => f.write_str("unlimited"),
            Quota::Bytes(b) => {
                for (unit, factor) in [
                    ("TiB", 1u64 << 40),
                    ("GiB", 1 << 30),
                    ("MiB", 1 << 20),
                    ("KiB", 1 << 10),
                ] {
                    if b % factor == 0 {
                        return write!(f, "{}{unit}", b / factor);
                    }
                }
                for (unit, factor) in [
                    ("TB", 1000u64.pow(4)),
                    ("GB", 1000u64.pow(3)),
                    ("MB", 1000u64.pow(2)),
                    ("KB", 1000),
                ] {
                    if b % factor == 0 {
                        return write!(f, "{}{unit}", b / factor);
                    }
                }
                write!(f, "{b}B")
            }
        }
    }
}

/// The documented ranges of every number a person gives mailops (README, "Limits"): outside them a value is
/// refused with its range, so that no arithmetic on it can overflow.
pub mod bounds {
    use std::time::Duration;

    use chrono::NaiveDate;

    /// The first day mailops plans for or reads from a manifest.
    pub const FIRST_DATE: NaiveDate = NaiveDate::from_ymd_opt(1900, 1, 1).expect("a date");
    /// The last one.
    pub const LAST_DATE: NaiveDate = NaiveDate::from_ymd_opt(2199, 12, 31).expect("a date");
    /// The longest grace period, in days (ten years).
    pub const MAX_GRACE_DAYS: i32 = 3650;
    /// The most removals one run may be allowed.
    pub const MAX_DELETIONS: i32 = 1_000_000;
    /// The largest quota: 1 PiB.
    pub const MAX_QUOTA: u64 = 1 << 50;
    /// The shortest interval, requeue or backoff.
    pub const MIN_WAIT: Duration = Duration::from_secs(1);
    /// The longest one (a day).
    pub const MAX_WAIT: Duration = Duration::from_secs(86_400);
    /// The most changes carried out at the same time.
    pub const MAX_CONCURRENCY: usize = 64;

    /// Parses a duration (`30s`, `5m`) between [`MIN_WAIT`] and [`MAX_WAIT`].
    ///
    /// # Errors
    /// Not a duration, or out of range.
    pub fn wait(s: &str) -> Result<Duration, String> {
        let d = humantime::parse_duration(s)
            .map_err(|e| format!("`{s}` is not a duration such as 30s or 5m ({e})"))?;
        if !(MIN_WAIT..=MAX_WAIT).contains(&d) {
            return Err(format!("`{s}` is out of range (1s to 24h)"));
        }
        Ok(d)
    }

    /// Parses a number of changes at the same time, 1 to [`MAX_CONCURRENCY`].
    ///
    /// # Errors
    /// Not a number, or out of range.
    pub fn concurrency(s: &str) -> Result<usize, String> {
        let n: usize = s.parse().map_err(|_| format!("`{s}` is not a number"))?;
        if !(1..=MAX_CONCURRENCY).contains(&n) {
            return Err(format!("`{s}` is out of range (1 to {MAX_CONCURRENCY})"));
        }
        Ok(n)
    }
}

/// Parses a calendar date written `YYYY-MM-DD`, between [`bounds::FIRST_DATE`] and [`bounds::LAST_DATE`].
///
/// # Errors
/// A message naming the expected form.
pub fn parse_date(s: &str) -> Result<NaiveDate, String> {
    let ok_shape = s.len() == 10 && s.as_bytes()[4] == b'-' && s.as_bytes()[7] == b'-';
    match NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        Ok(d) if ok_shape && !(bounds::FIRST_DATE..=bounds::LAST_DATE).contains(&d) => Err(format!(
            "`{s}` is out of range ({} to {})",
            bounds::FIRST_DATE,
            bounds::LAST_DATE
        )),
        Ok(d) if ok_shape => Ok(d),
        Ok(_) => Err(format!("`{s}` is not written YYYY-MM-DD")),
        Err(e) => Err(format!("`{s}` is not a date in the form YYYY-MM-DD ({e})")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotas_take_binary_and_decimal_units() {
        assert_eq!("2GiB".parse::<Quota>().unwrap(), Quota::Bytes(2 << 30));
        assert_eq!("2Gi".parse::<Quota>().unwrap(), Quota::Bytes(2 << 30));
        assert_eq!("500 MiB".parse::<Quota>().unwrap(), Quota::Bytes(500 << 20));
        assert_eq!("1GB".parse::<Quota>().unwrap(), Quota::Bytes(1_000_000_000));
        assert_eq!("unlimited".parse::<Quota>().unwrap(), Quota::Unlimited);
        assert_eq!("2GiB".parse::<Quota>().unwrap().to_string(), "2GiB");
        assert_eq!("1GB".parse::<Quota>().unwrap().to_string(), "1GB");
        assert_eq!("1GB".parse::<Quota>().unwrap().mebibytes(), Some(954));
        assert!(matches!("500".parse::<Quota>(), Err(QuotaError::NoUnit(_))));
        assert!(matches!("0MiB".parse::<Quota>(), Err(QuotaError::Zero)));
        assert!(matches!("2 gigs".parse::<Quota>(), Err(QuotaError::Syntax(_))));
        assert!(matches!("-1GiB".parse::<Quota>(), Err(QuotaError::Syntax(_))));
        assert!(matches!("1.5GiB".parse::<Quota>(), Err(QuotaError::Syntax(_))));
        assert!(matches!(
            "99999999TiB".parse::<Quota>(),
            Err(QuotaError::TooLarge(_))
        ));
    }

    #[test]
    fn dates_are_iso_calendar_dates() {
        assert_eq!(
            parse_date("2012-04-11").unwrap(),
            NaiveDate::from_ymd_opt(2012, 4, 11).unwrap()
        );
        assert!(parse_date("2012-02-30").is_err());
        assert!(parse_date("11/04/2012").is_err());
        assert!(parse_date("2012-4-11").is_err());
        assert!(parse_date("9999-12-31").unwrap_err().contains("out of range"));
        assert!(parse_date("0001-01-01").is_err());
    }

    #[test]
    fn waits_and_concurrency_have_ranges() {
        assert_eq!(bounds::wait("30s").unwrap(), std::time::Duration::from_secs(30));
        assert!(bounds::wait("0s").unwrap_err().contains("out of range"));
        assert!(bounds::wait("999999999999h").is_err());
        assert!(bounds::wait("25h").is_err());
        assert_eq!(bounds::concurrency("4").unwrap(), 4);
        assert!(bounds::concurrency("0").is_err());
        assert!(bounds::concurrency("65").is_err());
    }
}
