//! A year's official holiday notice (国务院办公厅关于…部分节假日安排的通知) as data: days off and
//! make-up working days (调休上班). Two file formats are read: ours, and holiday-cn's.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

/// What a notice says of one day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DayKind {
    /// A day off, even on a weekday.
    Off,
    /// A make-up working day, always on a weekend.
    Working,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeDay {
    pub date: NaiveDate,
    pub kind: DayKind,
    /// The holiday it belongs to, e.g. 春节.
    pub name: String,
}

/// A validated notice for one year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct YearNotice {
    pub year: i32,
    pub source: Option<String>,
    /// Sorted by date, one entry per date.
    pub days: Vec<NoticeDay>,
}

/// Our format: one entry per holiday, as the notices print them.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct OwnFormat {
    #[allow(dead_code)]
    format: Option<String>,
    year: i32,
    source: Option<String>,
    /// A remark on the data, kept with the file only.
    #[allow(dead_code)]
    note: Option<String>,
    holidays: Vec<OwnHoliday>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct OwnHoliday {
    name: String,
    off: Range,
    #[serde(default)]
    make_up_working_days: Vec<NaiveDate>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Range {
    from: NaiveDate,
    to: NaiveDate,
}

/// holiday-cn (github.com/NateScarlet/holiday-cn): `{"year", "papers", "days": [{"name", "date", "isOffDay"}]}`.
#[derive(Debug, Deserialize)]
struct HolidayCn {
    year: i32,
    #[serde(default)]
    papers: Vec<String>,
    days: Vec<HolidayCnDay>,
}

#[derive(Debug, Deserialize)]
struct HolidayCnDay {
    name: String,
    date: NaiveDate,
    #[serde(rename = "isOffDay")]
    is_off_day: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoticeError {
    #[error("the file is not a calendar in either accepted format: {0}")]
    Format(String),
    #[error("the year must be between 2000 and 2099, not {0}")]
    Year(i32),
    #[error("{date} is outside {year} and its neighbouring December and January")]
    OutsideYear { date: NaiveDate, year: i32 },
    #[error("{0} is listed both as a day off and as a working day")]
    BothKinds(NaiveDate),
    #[error("{0} is a make-up working day but not a Saturday or Sunday")]
    MakeUpOnWeekday(NaiveDate),
    #[error("the holiday {name} ends ({to}) before it starts ({from})")]
    BackwardsRange {
        name: String,
        from: NaiveDate,
        to: NaiveDate,
    },
    #[error("the notice for {0} lists no days")]
    Empty(i32),
}

/// The days a notice for `year` may name: the year, and the neighbouring December and January.
fn window(year: i32) -> std::ops::RangeInclusive<NaiveDate> {
    let y = year.clamp(2000, 2099);
    let first = NaiveDate::from_ymd_opt(y - 1, 12, 1).expect("valid");
    let last = NaiveDate::from_ymd_opt(y + 1, 1, 31).expect("valid");
    first..=last
}

impl YearNotice {
    /// Reads either format and checks it; the year in the file must be the one expected, if given.
    pub fn parse(json: &str, expected_year: Option<i32>) -> Result<Self, NoticeError> {
        let value: serde_json::Value =
            serde_json::from_str(json).map_err(|e| NoticeError::Format(e.to_string()))?;
        let (year, source, days) = if value.get("days").is_some() {
            let f: HolidayCn = serde_json::from_value(value)
                .map_err(|e| NoticeError::Format(format!("holiday-cn: {e}")))?;
            let days = f
                .days
                .into_iter()
                .map(|d| NoticeDay {
                    date: d.date,
                    kind: if d.is_off_day {
                        DayKind::Off
                    } else {
                        DayKind::Working
                    },
                    name: d.name,
                })
                .collect();
            let source = (!f.papers.is_empty()).then(|| f.papers.join("; "));
            (f.year, source, days)
        } else {
            let f: OwnFormat = serde_json::from_value(value)
                .map_err(|e| NoticeError::Format(format!("gongkai-calendar: {e}")))?;
            let mut days = Vec::new();
            for h in f.holidays {
                if h.off.to < h.off.from {
                    return Err(NoticeError::BackwardsRange {
                        name: h.name,
                        from: h.off.from,
                        to: h.off.to,
                    });
                }
                // Checked before the range is expanded day by day, so no range is ever long.
                if !(2000..=2099).contains(&f.year) {
                    return Err(NoticeError::Year(f.year));
                }
                for date in [h.off.from, h.off.to] {
                    if !window(f.year).contains(&date) {
                        return Err(NoticeError::OutsideYear { date, year: f.year });
                    }
                }
                let mut d = h.off.from;
                while d <= h.off.to {
                    days.push(NoticeDay {
                        date: d,
                        kind: DayKind::Off,
                        name: h.name.clone(),
                    });
                    d = d.succ_opt().expect("dates inside 2000-2099");
                }
                days.extend(h.make_up_working_days.into_iter().map(|date| NoticeDay {
                    date,
                    kind: DayKind::Working,
                    name: h.name.clone(),
                }));
            }
            (f.year, f.source, days)
        };
        if let Some(expected) = expected_year {
            if expected != year {
                return Err(NoticeError::Format(format!(
                    "the file is for {year}, not {expected}"
                )));
            }
        }
        Self::new(year, source, days)
    }

    /// How many days of a kind the notice announces.
    pub fn count(&self, kind: DayKind) -> usize {
        self.days.iter().filter(|d| d.kind == kind).count()
    }

    /// Checks the facts: inside the year (notices may name the neighbouring December and
    /// January), no day both off and working, make-up days only on weekends.
    pub fn new(
        year: i32,
        source: Option<String>,
        days: Vec<NoticeDay>,
    ) -> Result<Self, NoticeError> {
        if !(2000..=2099).contains(&year) {
            return Err(NoticeError::Year(year));
        }
        if days.is_empty() {
            return Err(NoticeError::Empty(year));
        }
        let mut by_date: BTreeMap<NaiveDate, NoticeDay> = BTreeMap::new();
        for day in days {
            if !window(year).contains(&day.date) {
                return Err(NoticeError::OutsideYear {
                    date: day.date,
                    year,
                });
            }
            if day.kind == DayKind::Working
                && !matches!(day.date.weekday(), Weekday::Sat | Weekday::Sun)
            {
                return Err(NoticeError::MakeUpOnWeekday(day.date));
            }
            match by_date.get(&day.date) {
                Some(existing) if existing.kind != day.kind => {
                    return Err(NoticeError::BothKinds(day.date))
                }
                Some(_) => {}
                None => {
                    by_date.insert(day.date, day);
                }
            }
        }
        Ok(Self {
            year,
            source,
            days: by_date.into_values().collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn both_formats_say_the_same() {
        let own =
            YearNotice::parse(include_str!("../../calendar/cn/2026.json"), Some(2026)).unwrap();
        let cn = r#"{"year":2026,"papers":["http://www.gov.cn/x"],"days":[
            {"name":"元旦","date":"2026-01-01","isOffDay":true},
            {"name":"元旦","date":"2026-01-02","isOffDay":true},
            {"name":"元旦","date":"2026-01-03","isOffDay":true},
            {"name":"元旦","date":"2026-01-04","isOffDay":false}]}"#;
        let cn = YearNotice::parse(cn, None).unwrap();
        assert_eq!(&own.days[..4], &cn.days[..]);
        assert_eq!(cn.source.as_deref(), Some("http://www.gov.cn/x"));
        // 2026: 3+9+3+5+3+3+7 days off and 6 make-up days.
        assert_eq!(
            own.days.iter().filter(|x| x.kind == DayKind::Off).count(),
            33
        );
        assert_eq!(
            own.days
                .iter()
                .filter(|x| x.kind == DayKind::Working)
                .count(),
            6
        );
    }

    #[test]
    fn the_2019_notice_names_days_of_december_2018() {
        let n = YearNotice::parse(include_str!("../../calendar/cn/2019.json"), Some(2019)).unwrap();
        assert_eq!(
            n.days[0],
            NoticeDay {
                date: d("2018-12-29"),
                kind: DayKind::Working,
                name: "元旦".into()
            }
        );
    }

    #[test]
    fn bad_notices_are_refused_with_the_reason() {
        let one = |date: &str, off: bool| {
            format!(r#"{{"year":2027,"days":[{{"name":"x","date":"{date}","isOffDay":{off}}}]}}"#)
        };
        assert_eq!(
            YearNotice::parse(&one("2027-03-03", false), None),
            Err(NoticeError::MakeUpOnWeekday(d("2027-03-03")))
        );
        assert!(matches!(
            YearNotice::parse(&one("2028-03-04", true), None),
            Err(NoticeError::OutsideYear { .. })
        ));
        assert!(YearNotice::parse(&one("2026-12-31", true), None).is_ok());
        let both = r#"{"year":2027,"days":[{"name":"a","date":"2027-02-06","isOffDay":true},
            {"name":"b","date":"2027-02-06","isOffDay":false}]}"#;
        assert_eq!(
            YearNotice::parse(both, None),
            Err(NoticeError::BothKinds(d("2027-02-06")))
        );
        assert!(matches!(
            YearNotice::parse("{\"year\": 2027}", None),
            Err(NoticeError::Format(_))
        ));
        assert!(matches!(
            YearNotice::parse("not json", None),
            Err(NoticeError::Format(_))
        ));
        assert!(matches!(
            YearNotice::parse(&one("2027-03-03", true), Some(2028)),
            Err(NoticeError::Format(_))
        ));
        let backwards = r#"{"year":2027,"holidays":[{"name":"春节","off":{"from":"2027-02-10","to":"2027-02-05"}}]}"#;
        assert!(matches!(
            YearNotice::parse(backwards, None),
            Err(NoticeError::BackwardsRange { .. })
        ));
        let endless = r#"{"year":2027,"holidays":[{"name":"x","off":{"from":"2027-01-01","to":"9999-12-31"}}]}"#;
        assert!(matches!(
            YearNotice::parse(endless, None),
            Err(NoticeError::OutsideYear { .. })
        ));
        let far = r#"{"year":12027,"holidays":[{"name":"x","off":{"from":"2027-01-01","to":"2027-01-02"}}]}"#;
        assert_eq!(YearNotice::parse(far, None), Err(NoticeError::Year(12027)));
    }

    #[test]
    fn every_shipped_year_is_valid() {
        for year in 2019..=2026 {
            let path = format!("{}/calendar/cn/{year}.json", env!("CARGO_MANIFEST_DIR"));
            let text = std::fs::read_to_string(path).unwrap();
            YearNotice::parse(&text, Some(year)).unwrap();
        }
    }
}
