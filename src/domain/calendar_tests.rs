use proptest::prelude::*;

use super::*;

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn shipped_notices() -> Vec<YearNotice> {
    (2019..=2026)
        .map(|y| {
            let path = format!("{}/calendar/cn/{y}.json", env!("CARGO_MANIFEST_DIR"));
            YearNotice::parse(&std::fs::read_to_string(path).unwrap(), Some(y)).unwrap()
        })
        .collect()
}

/// The national calendar as shipped, 2019–2026 (built once for all tests).
pub fn official() -> &'static Calendar {
    static CAL: std::sync::OnceLock<Calendar> = std::sync::OnceLock::new();
    CAL.get_or_init(|| Calendar::new(&shipped_notices(), &[]))
}

/// Day by day, the obvious way.
fn reference_working(cal: &Calendar, day: NaiveDate) -> bool {
    match cal.notes.get(&day) {
        Some(n) => n.working,
        None => !weekend(day),
    }
}

fn reference_add(cal: &Calendar, from: NaiveDate, n: u32) -> NaiveDate {
    let mut day = from;
    let mut left = n;
    while left > 0 {
        day = day.succ_opt().unwrap();
        if reference_working(cal, day) {
            left -= 1;
        }
    }
    day
}

fn reference_between(cal: &Calendar, from: NaiveDate, to: NaiveDate) -> i64 {
    let (lo, hi, sign) = if from <= to {
        (from, to, 1)
    } else {
        (to, from, -1)
    };
    let mut n = 0;
    let mut day = lo;
    while day < hi {
        day = day.succ_opt().unwrap();
        if reference_working(cal, day) {
            n += 1;
        }
    }
    sign * n
}

#[test]
fn real_deadlines_across_holidays() {
    let cal = official();
    // (received, working days, due): the receipt day is not counted; day 1 is the next working day.
    let table = [
        // Spring Festival 2026 (Feb 15–23 off, Sat Feb 14 and Sat Feb 28 make-up days).
        ("2026-02-10", 20, "2026-03-16"),
        ("2026-02-13", 1, "2026-02-14"),
        ("2026-02-13", 2, "2026-02-24"),
        ("2026-02-13", 7, "2026-03-02"),
        // National Day 2025 (Oct 1–8 off, Sat Sep 28 and Sat Oct 11 make-up days).
        ("2025-09-26", 1, "2025-09-28"),
        ("2025-09-30", 1, "2025-10-09"),
        ("2025-09-30", 20, "2025-11-04"),
        // 2020's extended Spring Festival (Jan 24 – Feb 2 off, Sun Jan 19 and Mon Feb 3 working).
        ("2020-01-17", 1, "2020-01-19"),
        ("2020-01-23", 1, "2020-02-03"),
        ("2020-01-23", 7, "2020-02-11"),
        // New Year 2019 announced in the 2019 notice: Sat 2018-12-29 worked, Dec 30 – Jan 1 off.
        ("2018-12-28", 1, "2018-12-29"),
        ("2018-12-29", 1, "2019-01-02"),
        // Across the year end into 2026, whose Jan 4 (Sunday) is a make-up day.
        ("2025-12-31", 1, "2026-01-04"),
        ("2025-12-26", 7, "2026-01-07"),
        // 2024: Spring Festival eight days, Sunday Feb 4 and Sunday Feb 18 worked.
        ("2024-02-02", 1, "2024-02-04"),
        ("2024-02-08", 2, "2024-02-18"),
        ("2024-02-09", 15, "2024-03-07"),
        // A weekend receipt: counting starts the next working day.
        ("2023-07-01", 7, "2023-07-11"),
    ];
    for (from, n, due) in table {
        assert_eq!(cal.add(d(from), n).unwrap(), d(due), "{from} + {n}");
        assert_eq!(
            cal.between(d(from), d(due)).unwrap(),
            i64::from(n),
            "{from}..{due}"
        );
        assert!(!cal.is_provisional(d(from), d(due)) || from.starts_with("2018"));
    }
}

#[test]
fn years_without_a_notice_count_weekends_only_and_are_provisional() {
    let cal = official();
    // 2027 has no notice: Fri 2027-01-01 is counted as a working day, provisionally.
    assert_eq!(cal.add(d("2026-12-31"), 1).unwrap(), d("2027-01-01"));
    assert!(cal.is_provisional(d("2026-12-31"), d("2027-01-01")));
    assert!(!cal.is_provisional(d("2026-12-01"), d("2026-12-31")));
    let with_2027 = {
        let mut notices = shipped_notices();
        let n2027 = r#"{"year":2027,"days":[{"name":"元旦","date":"2027-01-01","isOffDay":true}]}"#;
        notices.push(YearNotice::parse(n2027, None).unwrap());
        Calendar::new(&notices, &[])
    };
    assert_eq!(with_2027.add(d("2026-12-31"), 1).unwrap(), d("2027-01-04"));
    assert!(!with_2027.is_provisional(d("2026-12-31"), d("2027-01-04")));
}

#[test]
fn local_days_off_are_added_to_the_national_calendar() {
    let notices: Vec<YearNotice> = Vec::new();
    let local = [LocalDayOff {
        date: d("2026-03-03"),
        name: "三月三".into(),
    }];
    let cal = Calendar::new(&notices, &local);
    assert!(!cal.is_working(d("2026-03-03")).unwrap());
    assert_eq!(cal.add(d("2026-03-02"), 1).unwrap(), d("2026-03-04"));
    assert_eq!(
        cal.notes_between(d("2026-03-01"), d("2026-03-31"))[0].name,
        "三月三"
    );
}

#[test]
fn the_ends_of_the_calendar_are_errors_not_panics() {
    let cal = Calendar::weekends_only();
    assert!(cal.add(d("1999-12-31"), 1).is_err());
    assert!(cal.add(d("2099-12-30"), 5).is_err());
    assert!(cal.between(d("2000-01-01"), d("2100-01-01")).is_err());
    assert_eq!(cal.add(d("2099-12-30"), 1).unwrap(), d("2099-12-31"));
}

fn any_date() -> impl Strategy<Value = NaiveDate> {
    // 2018-06-01 .. 2028-12-31: every loaded year, its neighbours and weekend-only years.
    (0i64..3866).prop_map(|n| d("2018-06-01") + chrono::Duration::days(n))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn add_matches_counting_day_by_day(from in any_date(), n in 0u32..120) {
        let cal = official();
        prop_assert_eq!(cal.add(from, n).unwrap(), reference_add(cal, from, n));
    }

    #[test]
    fn between_matches_counting_day_by_day(a in any_date(), b in any_date()) {
        let cal = official();
        prop_assert_eq!(cal.between(a, b).unwrap(), reference_between(cal, a, b));
    }

    #[test]
    fn add_and_between_are_inverse(from in any_date(), n in 1u32..120, to in any_date()) {
        let cal = official();
        let due = cal.add(from, n).unwrap();
        prop_assert_eq!(cal.between(from, due).unwrap(), i64::from(n));
        prop_assert!(cal.is_working(due).unwrap());
        let is_add = cal.add(from, n).unwrap() == to;
        let counts = cal.between(from, to).unwrap() == i64::from(n) && cal.is_working(to).unwrap();
        prop_assert_eq!(is_add, counts);
    }
}
