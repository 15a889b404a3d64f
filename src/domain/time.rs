//! Legal dates are calendar dates in China Standard Time; instants are UTC (README, "Dates").

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};

/// China Standard Time, UTC+8, with no daylight saving since 1991.
pub fn cst() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset")
}

/// The calendar date in China at an instant: a filing at 23:30 UTC is the next day in Beijing.
pub fn legal_date(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&cst()).date_naive()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn legal_date_is_beijing_date() {
        let late_utc = Utc.with_ymd_and_hms(2026, 1, 4, 16, 30, 0).unwrap();
        assert_eq!(
            legal_date(late_utc),
            NaiveDate::from_ymd_opt(2026, 1, 5).unwrap()
        );
        let early_utc = Utc.with_ymd_and_hms(2026, 1, 4, 15, 59, 59).unwrap();
        assert_eq!(
            legal_date(early_utc),
            NaiveDate::from_ymd_opt(2026, 1, 4).unwrap()
        );
    }
}
