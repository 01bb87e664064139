//! Today's date, the one wall clock of mailops.
//!
//! `--date` and a saved plan's day are days to reason for (which removals are due, whose contract has
//! ended); the day a change *happened* is recorded from the clock, never from them: a suspension applied
//! with `--date` in the past is recorded as of today, so that its grace period is never shortened.
//! `MAILOPS_TODAY=YYYY-MM-DD` sets the clock's day for a whole process, as faketime would (reproducible
//! runs, the tests' calendars).

use chrono::NaiveDate;

/// The variable that sets today's date.
pub const TODAY_VAR: &str = "MAILOPS_TODAY";

/// Today in the local time zone, or the day `MAILOPS_TODAY` sets.
#[must_use]
pub fn today() -> NaiveDate {
    std::env::var(TODAY_VAR)
        .ok()
        .and_then(|d| NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d").ok())
        .unwrap_or_else(|| chrono::Local::now().date_naive())
}

/// The day a change made while reasoning for `day` is recorded as: `day`, but never before today.
#[must_use]
pub fn recorded(day: NaiveDate) -> NaiveDate {
    day.max(today())
}
