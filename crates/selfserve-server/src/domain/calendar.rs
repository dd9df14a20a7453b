//! Calendar arithmetic on unix seconds (UTC), for billing periods. Monthly renewals keep the
//! anchor day: a subscription bought on 31 January renews on 28 (or 29) February, then on
//! 31 March, because every period end is computed from the anchor, not from the last end.

const SECONDS_PER_DAY: i64 = 86_400;

/// A date in the proleptic Gregorian calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date {
    /// Year, e.g. 2026.
    pub year: i64,
    /// 1–12.
    pub month: u32,
    /// 1–31.
    pub day: u32,
}

/// Days since 1970-01-01 of a date (Howard Hinnant's `days_from_civil`).
pub fn days_from_civil(date: Date) -> i64 {
    let year = if date.month <= 2 {
        date.year - 1
    } else {
        date.year
    };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month = i64::from(date.month);
    let day_of_year =
        (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + i64::from(date.day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The date of a day number (inverse of [`days_from_civil`]).
pub fn civil_from_days(days: i64) -> Date {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    Date { year, month, day }
}

/// The number of days in a month.
pub fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        _ => 28,
    }
}

/// `anchor` moved `months` calendar months ahead, at the same time of day, the day clamped to
/// the target month's length.
pub fn add_months(anchor: i64, months: u32) -> i64 {
    let days = anchor.div_euclid(SECONDS_PER_DAY);
    let time_of_day = anchor.rem_euclid(SECONDS_PER_DAY);
    let date = civil_from_days(days);
    let month_index = date.year * 12 + i64::from(date.month - 1) + i64::from(months);
    let year = month_index.div_euclid(12);
    let month = (month_index.rem_euclid(12) + 1) as u32;
    let day = date.day.min(days_in_month(year, month));
    days_from_civil(Date { year, month, day }) * SECONDS_PER_DAY + time_of_day
}

/// The date of a timestamp.
pub fn date_of(timestamp: i64) -> Date {
    civil_from_days(timestamp.div_euclid(SECONDS_PER_DAY))
}

/// `YYYY-MM-DD`, for invoices, CSV and logs.
pub fn iso_date(timestamp: i64) -> String {
    let date = date_of(timestamp);
    format!("{:04}-{:02}-{:02}", date.year, date.month, date.day)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(year: i64, month: u32, day: u32) -> i64 {
        days_from_civil(Date { year, month, day }) * SECONDS_PER_DAY
    }

    #[test]
    fn day_numbers_round_trip_across_centuries() {
        assert_eq!(
            days_from_civil(Date {
                year: 1970,
                month: 1,
                day: 1
            }),
            0
        );
        assert_eq!(
            days_from_civil(Date {
                year: 2000,
                month: 3,
                day: 1
            }),
            11_017
        );
        for days in (-800_000..800_000).step_by(997) {
            assert_eq!(days_from_civil(civil_from_days(days)), days);
        }
    }

    #[test]
    fn months_keep_the_anchor_day_and_clamp_short_months() {
        let anchor = at(2026, 1, 31) + 3_600 * 9 + 15;
        assert_eq!(iso_date(add_months(anchor, 1)), "2026-02-28");
        assert_eq!(iso_date(add_months(anchor, 2)), "2026-03-31");
        assert_eq!(iso_date(add_months(anchor, 13)), "2027-02-28");
        assert_eq!(iso_date(add_months(at(2027, 1, 30), 1)), "2027-02-28");
        assert_eq!(
            iso_date(add_months(at(2028, 1, 31), 1)),
            "2028-02-29",
            "leap year"
        );
        assert_eq!(iso_date(add_months(at(2026, 11, 24), 1)), "2026-12-24");
        assert_eq!(iso_date(add_months(at(2026, 12, 24), 1)), "2027-01-24");
        assert_eq!(
            add_months(anchor, 1).rem_euclid(SECONDS_PER_DAY),
            3_600 * 9 + 15
        );
        assert_eq!(add_months(anchor, 0), anchor);
    }

    #[test]
    fn month_lengths() {
        assert_eq!(days_in_month(2024, 2), 29);
        assert_eq!(days_in_month(1900, 2), 28);
        assert_eq!(days_in_month(2000, 2), 29);
        assert_eq!(days_in_month(2026, 4), 30);
    }
}
