use super::*;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn case(
    column: usize,
    received: NaiveDate,
    finished: Option<NaiveDate>,
    o: Option<Outcome>,
) -> CaseFacts {
    CaseFacts {
        column,
        received_on: Some(received),
        finished_on: finished,
        outcome: o,
    }
}

#[test]
fn the_table_has_the_national_rows_and_columns() {
    assert_eq!(ROWS.iter().filter(|r| r.level == 2).count(), 19);
    // Every result a case can have is a row of its own, keyed by the outcome's name.
    for o in Outcome::ALL {
        let r = ROWS.iter().find(|r| r.key == o.as_str()).unwrap();
        assert!(r.counted, "{o}");
    }
    assert_eq!(
        COLUMNS.map(|c| c.1),
        [
            "自然人",
            "商业企业",
            "科研机构",
            "社会公益组织",
            "法律服务机构",
            "其他",
            "总计"
        ]
    );
    assert_eq!(column(ApplicantKind::NaturalPerson, None), 0);
    assert_eq!(
        column(
            ApplicantKind::Organisation,
            Some(OrganisationType::LegalServicesOrganisation)
        ),
        4
    );
    assert_eq!(column(ApplicantKind::Organisation, None), 5);
}

#[test]
fn a_year_across_new_year_counts_each_case_where_the_form_says() {
    let cases = [
        // Received in 2025, answered in January 2026: carried over into 2026, a 2026 result.
        case(
            0,
            d(2025, 12, 29),
            Some(d(2026, 1, 20)),
            Some(Outcome::Disclosed),
        ),
        // Received and answered in 2025: not in 2026 at all.
        case(
            0,
            d(2025, 3, 2),
            Some(d(2025, 3, 20)),
            Some(Outcome::Disclosed),
        ),
        // New in 2026 and answered in it.
        case(
            1,
            d(2026, 2, 3),
            Some(d(2026, 2, 27)),
            Some(Outcome::WithheldStateSecret),
        ),
        case(2, d(2026, 5, 6), Some(d(2026, 5, 7)), None), // withdrawn: （六）3
        // New in 2026, still open at its end: carried forward.
        case(3, d(2026, 12, 30), None, None),
        // New in 2026, answered in 2027: carried forward in 2026, a 2027 result.
        case(
            4,
            d(2026, 12, 15),
            Some(d(2027, 1, 8)),
            Some(Outcome::NotProcessedRepeat),
        ),
        // Received in 2027: nothing in 2026.
        case(5, d(2027, 1, 4), None, None),
    ];
    let t = Table::of(&cases, 2026);
    let n = |k: &str| *t.get(k).unwrap();
    assert_eq!(n("new"), [0, 1, 1, 1, 1, 0, 4]);
    assert_eq!(n("carried_over"), [1, 0, 0, 0, 0, 0, 1]);
    assert_eq!(n("disclosed"), [1, 0, 0, 0, 0, 0, 1]);
    assert_eq!(n("withheld_state_secret"), [0, 1, 0, 0, 0, 0, 1]);
    assert_eq!(n("other"), [0, 0, 1, 0, 0, 0, 1]);
    assert_eq!(n("not_processed_repeat"), [0; 7]);
    assert_eq!(n("results_total"), [1, 1, 1, 0, 0, 0, 3]);
    assert_eq!(n("carried_forward"), [0, 0, 0, 1, 1, 0, 2]);
    assert!(t.check_holds(), "{:?}", t.check());
    assert_eq!(t.check()[6], (5, 5));

    // The next year starts from what this one carried forward.
    let next = Table::of(&cases, 2027);
    assert_eq!(next.get("carried_over"), t.get("carried_forward"));
    assert_eq!(
        *next.get("not_processed_repeat").unwrap(),
        [0, 0, 0, 0, 1, 0, 1]
    );
    assert_eq!(*next.get("new").unwrap(), [0, 0, 0, 0, 0, 1, 1]);
    assert!(next.check_holds());
    // Headings carry no numbers.
    let printed: Vec<_> = t
        .printed()
        .filter(|(_, n)| n.is_none())
        .map(|(r, _)| r.key)
        .collect();
    assert_eq!(
        printed,
        [
            "results",
            "withheld",
            "unavailable",
            "not_processed",
            "other_handling"
        ]
    );
}

#[test]
fn a_case_answered_in_a_year_before_it_was_received_fails_the_check() {
    let bad = [case(
        0,
        d(2027, 1, 5),
        Some(d(2026, 12, 31)),
        Some(Outcome::Disclosed),
    )];
    let t = Table::of(&bad, 2026);
    assert!(!t.check_holds());
    assert_eq!(t.check()[0], (0, 1));
}

#[test]
fn challenges_are_counted_by_the_year_filed_and_the_result_at_its_end() {
    let c = |kind, after, filed, result| ChallengeFacts {
        kind,
        after_reconsideration: after,
        filed_on: filed,
        result,
    };
    use ChallengeKind::*;
    let list = [
        c(
            Reconsideration,
            false,
            d(2026, 3, 1),
            Some((ChallengeResult::Upheld, d(2026, 5, 1))),
        ),
        c(
            Reconsideration,
            false,
            d(2026, 11, 1),
            Some((ChallengeResult::Corrected, d(2027, 1, 9))),
        ),
        c(
            Litigation,
            false,
            d(2026, 4, 1),
            Some((ChallengeResult::Other, d(2026, 9, 1))),
        ),
        c(Litigation, true, d(2026, 6, 1), None),
        c(Litigation, true, d(2025, 6, 1), None),
    ];
    let t = challenges(&list, 2026);
    assert_eq!(
        t[0],
        [1, 0, 0, 1, 2],
        "decided in 2027: still pending at the end of 2026"
    );
    assert_eq!(t[1], [0, 0, 1, 0, 1]);
    assert_eq!(t[2], [0, 0, 0, 1, 1]);
}

#[test]
fn a_convenience_reply_is_counted_when_the_answer_carries_one() {
    assert!(has_convenience_reply(
        r#"{"outcome":"unavailable_not_held","reasoning":"x","convenience_reply":"可向区交通委申请"}"#
    ));
    assert!(!has_convenience_reply(
        r#"{"outcome":"unavailable_not_held","reasoning":"x","convenience_reply":null}"#
    ));
    assert!(!has_convenience_reply(
        r#"{"outcome":"disclosed","reasoning":"x"}"#
    ));
    assert!(!has_convenience_reply(r#"{"convenience_reply":"  "}"#));
    assert!(!has_convenience_reply("not json"));
}

mod sides {
    use super::*;
    use proptest::prelude::*;

    fn any_day() -> impl Strategy<Value = NaiveDate> {
        // 2023-06-01 .. 2029-06-30: years around the ones asked, and their first and last days.
        (0u64..2222).prop_map(|n| d(2023, 6, 1) + chrono::Days::new(n))
    }

    fn any_case() -> impl Strategy<Value = CaseFacts> {
        (
            0usize..6,
            proptest::option::of(any_day()),
            proptest::option::of(any_day()),
            proptest::option::of(proptest::sample::select(Outcome::ALL.to_vec())),
        )
            .prop_map(|(column, received_on, finished_on, outcome)| CaseFacts {
                column,
                received_on,
                finished_on,
                outcome,
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(5000))]

        /// The aggregated report counts a group at its sides' days: every case must fall in
        /// the same rows there as at its own dates, including cases finished before they were
        /// received (which make the check fail, and must still fail it).
        #[test]
        fn a_case_counts_the_same_at_its_sides(c in any_case(), year in 2024i32..2029) {
            prop_assert_eq!(rows_of(&c.at_sides(year), year), rows_of(&c, year));
        }
    }

    #[test]
    fn the_sides_of_a_year_end_where_the_year_does() {
        assert_eq!(Side::of(d(2025, 12, 31), 2026), Side::Before);
        assert_eq!(Side::of(d(2026, 1, 1), 2026), Side::In);
        assert_eq!(Side::of(d(2026, 12, 31), 2026), Side::In);
        assert_eq!(Side::of(d(2027, 1, 1), 2026), Side::After);
        for s in [Side::Before, Side::In, Side::After] {
            assert_eq!(Side::of(s.day(2026), 2026), s);
        }
    }

    #[test]
    fn a_group_of_n_cases_counts_as_n_cases() {
        let c = case(
            3,
            d(2025, 11, 2),
            Some(d(2026, 2, 1)),
            Some(Outcome::Disclosed),
        );
        let mut grouped = Table::of([], 2026);
        grouped.add_many(&c, 2026, 4);
        assert_eq!(grouped.counts, Table::of(&[c; 4], 2026).counts);
        assert_eq!(*grouped.get("carried_over").unwrap(), [0, 0, 0, 4, 0, 0, 4]);
    }
}
