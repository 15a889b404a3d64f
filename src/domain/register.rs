//! The register of documents (公文公开属性台账): each document an office issues, with its
//! disclosure status — 主动公开 (proactive), 依申请公开 (on request) or 不予公开 (withheld) — and,
//! for the last two, the grounds and reasons (认定依据和理由必须充分).
//!
//! Every November the office reviews the documents it holds on request or withheld (art. 44:
//! information that several applicants asked for and that may be disclosed can be moved to
//! proactive disclosure). The counting is here, free of I/O: for each document, the cases that
//! named it in the 12 months before the review day, how many distinct applicants filed them (by
//! the keyed hash of their identity number), the answers given, and whether the count reaches
//! the office's threshold.

use std::collections::{BTreeMap, HashSet};

use chrono::{Months, NaiveDate};
use serde::Serialize;

use super::str_enum;

/// Distinct applicants from which a document is proposed for proactive disclosure, until the
/// office sets its own.
pub const DEFAULT_REVIEW_THRESHOLD: i32 = 3;

str_enum! {
    /// A document's disclosure status (公开属性).
    pub enum DisclosureStatus {
        /// 主动公开: published by the office of its own accord.
        Proactive = "proactive",
        /// 依申请公开: disclosed to whoever asks.
        OnRequest = "on_request",
        /// 不予公开: not disclosed (arts. 14–16).
        Withheld = "withheld",
    }
}

impl DisclosureStatus {
    /// On request and withheld need their grounds and reasons; proactive needs none.
    pub fn needs_grounds(self) -> bool {
        !matches!(self, Self::Proactive)
    }

    /// The status's name in Chinese, as the register and its CSV write it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Proactive => "主动公开",
            Self::OnRequest => "依申请公开",
            Self::Withheld => "不予公开",
        }
    }

    /// The status from its code or its Chinese name (a spreadsheet's cell).
    pub fn parse_any(s: &str) -> Option<Self> {
        let s = s.trim();
        Self::parse(s).or_else(|| Self::ALL.iter().copied().find(|v| v.label() == s))
    }

    /// Whether the annual review looks at a document of this status.
    pub fn under_review(self) -> bool {
        self.needs_grounds()
    }
}

str_enum! {
    /// What the annual review decided for one document.
    pub enum ReviewDecision {
        /// Moved to 主动公开 (art. 44).
        MoveToProactive = "move_to_proactive",
        /// Kept as it is, with the reasons.
        Keep = "keep",
    }
}

str_enum! {
    /// How a status change came about.
    pub enum ChangeSource {
        /// The document was entered in the register.
        Created = "created",
        /// A clerk changed its status.
        Changed = "changed",
        /// A CSV import set it.
        Imported = "imported",
        /// The annual review moved it.
        Review = "review",
    }
}

/// The first day of the 12 months before `as_of`: the same day a year earlier (29 February
/// gives 28 February). A case received on that day is counted, one received the day before is
/// not.
pub fn window_start(as_of: NaiveDate) -> NaiveDate {
    as_of
        .checked_sub_months(Months::new(12))
        .unwrap_or(NaiveDate::MIN)
}

/// Whether a case received on `received_on` falls in the review's 12 months before `as_of`
/// (both ends included).
pub fn in_window(received_on: NaiveDate, as_of: NaiveDate) -> bool {
    (window_start(as_of)..=as_of).contains(&received_on)
}

/// One case naming one document, as the review reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Naming {
    pub document_id: String,
    pub application_id: String,
    /// The case's legal date of receipt (its registration day while none is known).
    pub received_on: NaiveDate,
    /// The keyed hash of the applicant's identity number: who filed, never the number.
    pub applicant: String,
    /// The answer given for this document, once the case is answered: the outcome named for
    /// the document, or else the case's.
    pub answer: Option<String>,
}

/// What the review finds for one document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReviewCount {
    pub document_id: String,
    /// Cases that named the document in the 12 months.
    pub applications: u32,
    /// Distinct applicants among them.
    pub applicants: u32,
    /// Answers given in those cases that were answered, by outcome.
    pub answers: BTreeMap<String, u32>,
    /// Distinct applicants reached the office's threshold: proposed for proactive disclosure.
    pub proposed: bool,
}

/// The review of `documents` (those held on request or withheld) as of `as_of`, from every case
/// naming them: each document once, in the order given.
pub fn review(
    documents: &[String],
    namings: &[Naming],
    as_of: NaiveDate,
    threshold: u32,
) -> Vec<ReviewCount> {
    documents
        .iter()
        .map(|doc| {
            let mut cases = HashSet::new();
            let mut people = HashSet::new();
            let mut answers = BTreeMap::new();
            for n in namings
                .iter()
                .filter(|n| n.document_id == *doc && in_window(n.received_on, as_of))
            {
                if !cases.insert(n.application_id.as_str()) {
                    continue;
                }
                people.insert(n.applicant.as_str());
                if let Some(a) = &n.answer {
                    *answers.entry(a.clone()).or_insert(0) += 1;
                }
            }
            let applicants = u32::try_from(people.len()).unwrap_or(u32::MAX);
            ReviewCount {
                document_id: doc.clone(),
                applications: u32::try_from(cases.len()).unwrap_or(u32::MAX),
                applicants,
                answers,
                proposed: threshold > 0 && applicants >= threshold,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn naming(doc: &str, case: &str, on: &str, who: &str, answer: Option<&str>) -> Naming {
        Naming {
            document_id: doc.into(),
            application_id: case.into(),
            received_on: day(on),
            applicant: who.into(),
            answer: answer.map(str::to_owned),
        }
    }

    #[test]
    fn the_window_is_the_twelve_months_before_the_review_day_both_ends_included() {
        let as_of = day("2026-11-15");
        assert_eq!(window_start(as_of), day("2025-11-15"));
        assert!(
            in_window(day("2025-11-15"), as_of),
            "exactly 12 months before"
        );
        assert!(!in_window(day("2025-11-14"), as_of), "one day earlier");
        assert!(in_window(as_of, as_of));
        assert!(!in_window(day("2026-11-16"), as_of), "after the review day");
        // 29 February: a year earlier has none, the 28th is the first day.
        assert_eq!(window_start(day("2028-02-29")), day("2027-02-28"));
    }

    #[test]
    fn the_edge_of_the_window_decides_whether_a_case_counts() {
        let docs = vec!["d".to_owned()];
        let as_of = day("2026-11-15");
        let at_edge = [naming("d", "c1", "2025-11-15", "a", None)];
        let before = [naming("d", "c1", "2025-11-14", "a", None)];
        assert_eq!(review(&docs, &at_edge, as_of, 3)[0].applications, 1);
        assert_eq!(review(&docs, &before, as_of, 3)[0].applications, 0);
    }

    #[test]
    fn the_same_applicant_twice_counts_once() {
        let docs = vec!["d".to_owned(), "e".to_owned()];
        let namings = [
            naming("d", "c1", "2026-03-01", "a", Some("disclosed")),
            naming("d", "c2", "2026-04-01", "a", Some("disclosed")),
            naming("d", "c3", "2026-05-01", "b", None),
            naming("d", "c3", "2026-05-01", "b", None),
            naming("e", "c1", "2026-03-01", "a", Some("withheld_state_secret")),
        ];
        let r = review(&docs, &namings, day("2026-11-15"), 3);
        assert_eq!((r[0].applications, r[0].applicants), (3, 2));
        assert_eq!(r[0].answers.get("disclosed"), Some(&2));
        assert_eq!(r[0].answers.len(), 1, "the unanswered case gives no answer");
        assert!(!r[0].proposed);
        assert_eq!((r[1].applications, r[1].applicants), (1, 1));
        assert_eq!(r[1].answers.get("withheld_state_secret"), Some(&1));
    }

    #[test]
    fn a_document_is_proposed_from_the_threshold_on() {
        let docs = vec!["d".to_owned()];
        let as_of = day("2026-11-15");
        let mut namings = vec![
            naming("d", "c1", "2026-01-01", "a", None),
            naming("d", "c2", "2026-01-02", "b", None),
        ];
        assert!(!review(&docs, &namings, as_of, 3)[0].proposed, "2 of 3");
        namings.push(naming("d", "c3", "2026-01-03", "c", None));
        assert!(review(&docs, &namings, as_of, 3)[0].proposed, "3 of 3");
        assert!(!review(&docs, &namings, as_of, 4)[0].proposed, "3 of 4");
        namings.push(naming("d", "c4", "2026-01-04", "c", None));
        assert!(
            !review(&docs, &namings, as_of, 4)[0].proposed,
            "c twice is 3"
        );
    }

    #[test]
    fn a_document_nobody_named_is_listed_with_zeros() {
        let r = review(&["d".to_owned()], &[], day("2026-11-15"), 3);
        assert_eq!(r[0].applications, 0);
        assert!(!r[0].proposed);
    }

    #[test]
    fn statuses_read_in_english_or_chinese() {
        assert_eq!(
            DisclosureStatus::parse_any("依申请公开"),
            Some(DisclosureStatus::OnRequest)
        );
        assert_eq!(
            DisclosureStatus::parse_any(" withheld "),
            Some(DisclosureStatus::Withheld)
        );
        assert_eq!(DisclosureStatus::parse_any("公开"), None);
        assert!(!DisclosureStatus::Proactive.needs_grounds());
        assert!(DisclosureStatus::Withheld.needs_grounds());
    }
}
