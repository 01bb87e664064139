//! Working days (rule III.4 asks for mail to be checked several times "a working day"): Monday to Friday,
//! less the Organization's holidays, plus the weekend days worked in exchange for a day off (ngày làm bù).

use std::collections::BTreeSet;

use chrono::{Datelike, NaiveDate, Weekday};
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

/// A problem of `spec.calendar`: whether it is an error, the field, the code and the message.
pub(super) type Problem = (bool, String, &'static str, String);

/// Checks `spec.calendar`; problems go to `found`.
pub(super) fn check(spec: Option<&crate::manifest::CalendarSpec>, found: &mut Vec<Problem>) -> Calendar {
    let mut error = |field: &str, code, message| found.push((true, field.to_string(), code, message));
    let mut calendar = Calendar::default();
    let Some(spec) = spec else {
        return calendar;
    };
    let mut problems: Vec<Problem> = Vec::new();
    let mut warning = |field: &str, code, message| problems.push((false, field.to_string(), code, message));
    for (list, dates) in [
        ("holidays", &spec.holidays),
        ("workingWeekends", &spec.working_weekends),
    ] {
        if dates.len() > MAX_CALENDAR_DATES {
            error(
                &format!("spec.calendar.{list}"),
                "too-many-items",
                format!(
                    "{} dates, more than the {MAX_CALENDAR_DATES} allowed",
                    dates.len()
                ),
            );
            continue;
        }
        for (i, text) in dates.iter().enumerate() {
            let field = format!("spec.calendar.{list}[{i}]");
            let day = match super::values::parse_date(text) {
                Ok(d) => d,
                Err(e) => {
                    error(&field, "invalid-date", e);
                    continue;
                }
            };
            let weekend = matches!(day.weekday(), Weekday::Sat | Weekday::Sun);
            let set = if list == "holidays" {
                if weekend {
                    warning(
                        &field,
                        "holiday-on-weekend",
                        format!("{day} is a {}: already not a working day", day.weekday()),
                    );
                }
                &mut calendar.holidays
            } else {
                if !weekend {
                    error(
                        &field,
                        "not-a-weekend-day",
                        format!("{day} is a {}, not a Saturday or Sunday", day.weekday()),
                    );
                    continue;
                }
                &mut calendar.working_weekends
            };
            if !set.insert(day) {
                warning(&field, "duplicate-date", format!("{day} is listed twice"));
            }
        }
    }
    found.extend(problems);
    calendar
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
        };
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
