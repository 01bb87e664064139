//! Working days (rule III.4 asks for mail to be checked several times "a working day"): Monday to Friday,
//! less the Organization's holidays, plus the weekend days worked in exchange for a day off (ngày làm bù).

use std::collections::BTreeSet;

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, TimeZone, Utc, Weekday};
use serde::Serialize;

/// Most dates in each of `holidays` and `workingWeekends` (decades of public holidays).
pub const MAX_CALENDAR_DATES: usize = 1_000;

/// The agency's working days.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Calendar {
    /// Weekdays off.
    pub holidays: BTreeSet<NaiveDate>,
    /// Weekend days worked.
    pub working_weekends: BTreeSet<NaiveDate>,
    /// The agency's offset from UTC (`None`: the machine's time zone).
    #[serde(serialize_with = "offset_text")]
    pub utc_offset: Option<FixedOffset>,
}

impl Calendar {
    /// Whether `day` is a working day.
    #[must_use]
    pub fn is_working_day(&self, day: NaiveDate) -> bool {
        if self.working_weekends.contains(&day) {
            return true;
        }
        !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) && !self.holidays.contains(&day)
    }

    /// The agency's offset at `at` (the Organization's, else the machine's).
    #[must_use]
    pub fn offset_at(&self, at: DateTime<Utc>) -> FixedOffset {
        self.utc_offset
            .unwrap_or_else(|| *chrono::Local.from_utc_datetime(&at.naive_utc()).offset())
    }

    /// `at` in the agency's time.
    #[must_use]
    pub fn local(&self, at: DateTime<Utc>) -> DateTime<FixedOffset> {
        at.with_timezone(&self.offset_at(at))
    }

    /// The first instant of `day` in the agency's time.
    #[must_use]
    pub fn start_of(&self, day: NaiveDate) -> DateTime<Utc> {
        let naive = day.and_hms_opt(0, 0, 0).unwrap_or_default();
        let offset = self.utc_offset.unwrap_or_else(|| {
            chrono::Local
                .from_local_datetime(&naive)
                .earliest()
                .map_or(chrono::Offset::fix(&Utc), |d| *d.offset())
        });
        offset
            .from_local_datetime(&naive)
            .single()
            .map_or_else(|| naive.and_utc(), |d| d.with_timezone(&Utc))
    }

    /// The last working day strictly before `day` (at most a year back: a calendar of only holidays has
    /// none, and then `None`).
    #[must_use]
    pub fn working_day_before(&self, day: NaiveDate) -> Option<NaiveDate> {
        let mut d = day;
        for _ in 0..366 {
            d = d.pred_opt()?;
            if self.is_working_day(d) {
                return Some(d);
            }
        }
        None
    }
}

/// A problem of `spec.calendar`: whether it is an error, the field, the code, the message and a hint.
pub(super) type Problem = (
    bool,
    String,
    &'static str,
    crate::diagnostics::Text,
    crate::diagnostics::Text,
);

/// Checks `spec.calendar`; problems go to `found`.
pub(super) fn check(spec: Option<&crate::manifest::CalendarSpec>, found: &mut Vec<Problem>) -> Calendar {
    let mut error = |field: &str, code, message| {
        found.push((true, field.to_string(), code, message, hint(code).into()));
    };
    let mut calendar = Calendar::default();
    let Some(spec) = spec else {
        return calendar;
    };
    let mut problems: Vec<Problem> = Vec::new();
    let mut warning = |field: &str, code, message| {
        problems.push((false, field.to_string(), code, message, hint(code).into()));
    };
    for (list, dates) in [
        ("holidays", &spec.holidays),
        ("workingWeekends", &spec.working_weekends),
    ] {
        if dates.len() > MAX_CALENDAR_DATES {
            error(
                &format!("spec.calendar.{list}"),
                "too-many-items",
                crate::msg!(
                    "diag-too-many-dates",
                    count = dates.len(),
                    max = MAX_CALENDAR_DATES
                )
                .into(),
            );
            continue;
        }
        for (i, text) in dates.iter().enumerate() {
            let field = format!("spec.calendar.{list}[{i}]");
            let day = match super::values::parse_date(text) {
                Ok(d) => d,
                Err(e) => {
                    error(&field, "invalid-date", e.into());
                    continue;
                }
            };
            let weekend = matches!(day.weekday(), Weekday::Sat | Weekday::Sun);
            let set = if list == "holidays" {
                if weekend {
                    warning(
                        &field,
                        "holiday-on-weekend",
                        crate::msg!("diag-holiday-on-weekend", day = day, weekday = day.format("%a")).into(),
                    );
                }
                &mut calendar.holidays
            } else {
                if !weekend {
                    error(
                        &field,
                        "not-a-weekend-day",
                        crate::msg!("diag-not-a-weekend-day", day = day, weekday = day.format("%a")).into(),
                    );
                    continue;
                }
                &mut calendar.working_weekends
            };
            if !set.insert(day) {
                warning(
                    &field,
                    "duplicate-date",
                    crate::msg!("diag-listed-twice", item = day).into(),
                );
            }
        }
    }
    if let Some(text) = &spec.utc_offset {
        match parse_offset(text) {
            Some(offset) => calendar.utc_offset = Some(offset),
            None => error(
                "spec.calendar.utcOffset",
                "invalid-utc-offset",
                crate::msg!(
                    "diag-invalid-utc-offset",
                    offset = crate::diagnostics::escape_controls(text)
                )
                .into(),
            ),
        }
    }
    found.extend(problems);
    calendar
}

fn offset_text<S: serde::Serializer>(offset: &Option<FixedOffset>, s: S) -> Result<S::Ok, S::Error> {
    match offset {
        Some(o) => s.serialize_some(&o.to_string()),
        None => s.serialize_none(),
    }
}

fn hint(code: &str) -> crate::i18n::Msg {
    match code {
        "invalid-date" => crate::msg!("hint-calendar-date"),
        "not-a-weekend-day" => crate::msg!("hint-not-a-weekend-day"),
        "holiday-on-weekend" => crate::msg!("hint-holiday-on-weekend"),
        "duplicate-date" => crate::msg!("hint-duplicate-date"),
        "invalid-utc-offset" => crate::msg!("hint-utc-offset"),
        _ => crate::msg!("hint-too-many-dates"),
    }
}

/// `+07:00`, `-03:30`, `+00:00` (hours up to 14).
fn parse_offset(text: &str) -> Option<FixedOffset> {
    let b = text.as_bytes();
    if b.len() != 6 || b[3] != b':' || !matches!(b[0], b'+' | b'-') {
        return None;
    }
    let hours: i32 = text.get(1..3)?.parse().ok()?;
    let minutes: i32 = text.get(4..6)?.parse().ok()?;
    if hours > 14
        || minutes > 59
        || !text[1..3]
            .bytes()
            .chain(text[4..6].bytes())
            .all(|c| c.is_ascii_digit())
    {
        return None;
    }
    let secs = (hours * 60 + minutes) * 60;
    FixedOffset::east_opt(if b[0] == b'-' { -secs } else { secs })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn weekends_holidays_and_make_up_days() {
        let cal = Calendar {
            holidays: [d("2026-09-02")].into(),
            working_weekends: [d("2026-08-29")].into(),
            utc_offset: parse_offset("+07:00"),
        };
        assert_eq!(
            cal.start_of(d("2026-12-01")).to_rfc3339(),
            "2026-11-30T17:00:00+00:00"
        );
        assert!(
            parse_offset("+7:00").is_none()
                && parse_offset("+15:00").is_none()
                && parse_offset("+07:0x").is_none()
        );
        assert!(cal.is_working_day(d("2026-09-01")));
        assert!(!cal.is_working_day(d("2026-09-02")), "a holiday");
        assert!(!cal.is_working_day(d("2026-08-30")), "a Sunday");
        assert!(cal.is_working_day(d("2026-08-29")), "a Saturday worked");
        // Monday 2026-11-30: the working day before is Friday 27.
        assert_eq!(cal.working_day_before(d("2026-11-30")), Some(d("2026-11-27")));
        // Thursday 2026-09-03: Wednesday is a holiday, so Tuesday.
        assert_eq!(cal.working_day_before(d("2026-09-03")), Some(d("2026-09-01")));
        // Monday 2026-08-31: Saturday 29 was worked.
        assert_eq!(cal.working_day_before(d("2026-08-31")), Some(d("2026-08-29")));
    }
}
