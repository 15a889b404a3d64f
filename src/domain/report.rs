//! The statutory annual report, part 三 (收到和处理政府信息公开申请情况) and part 四 (行政复议、
//! 行政诉讼), exactly as the national format lays them out (国办公开办函〔2021〕30号; see
//! shared/domain/annual-report.md). Pure: cases in, counts out.
//!
//! Year boundaries: new = received (legal receipt date, art. 31) in the year; carried over =
//! received before the year and not finished before it; results = finished (delivered, or
//! closed by abandonment, withdrawal or without processing) in the year; carried forward =
//! received by the year's end and not finished by it. A withdrawal counts under （六）3 其他.

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use super::case::{ApplicantKind, ChallengeKind, ChallengeResult, OrganisationType, Outcome};

/// The seven number columns (申请人情况); the last is the total of the other six.
pub const COLUMNS: [(&str, &str); 7] = [
    ("natural_person", "自然人"),
    ("commercial_enterprise", "商业企业"),
    ("research_institution", "科研机构"),
    ("public_interest_organisation", "社会公益组织"),
    ("legal_services_organisation", "法律服务机构"),
    ("other_organisation", "其他"),
    ("total", "总计"),
];
const TOTAL: usize = 6;

/// The column an applicant is counted in.
pub fn column(kind: ApplicantKind, org: Option<OrganisationType>) -> usize {
    match (kind, org) {
        (ApplicantKind::NaturalPerson, _) => 0,
        (_, Some(OrganisationType::CommercialEnterprise)) => 1,
        (_, Some(OrganisationType::ResearchInstitution)) => 2,
        (_, Some(OrganisationType::PublicInterestOrganisation)) => 3,
        (_, Some(OrganisationType::LegalServicesOrganisation)) => 4,
        (_, Some(OrganisationType::Other) | None) => 5,
    }
}

/// A row of the table: its stable key, its label as printed, and whether it holds numbers
/// (the group headings 三、（三）（四）（五）（六） do not).
#[derive(Debug, Clone, Copy, Serialize)]
pub struct RowDef {
    pub key: &'static str,
    pub label: &'static str,
    /// 0 for 一、二、三、四; 1 for （一）…（七）; 2 for the numbered leaves.
    pub level: u8,
    pub counted: bool,
}

const fn row(key: &'static str, label: &'static str, level: u8, counted: bool) -> RowDef {
    RowDef {
        key,
        label,
        level,
        counted,
    }
}

pub const ROWS: [RowDef; 30] = [
    row("new", "一、本年新收政府信息公开申请数量", 0, true),
    row("carried_over", "二、上年结转政府信息公开申请数量", 0, true),
    row("results", "三、本年度办理结果", 0, false),
    row("disclosed", "（一）予以公开", 1, true),
    row(
        "partly_disclosed",
        "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
        1,
        true,
    ),
    row("withheld", "（三）不予公开", 1, false),
    row("withheld_state_secret", "1.属于国家秘密", 2, true),
    row("withheld_other_law", "2.其他法律行政法规禁止公开", 2, true),
    row(
        "withheld_security_stability",
        "3.危及“三安全一稳定”",
        2,
        true,
    ),
    row(
        "withheld_third_party_rights",
        "4.保护第三方合法权益",
        2,
        true,
    ),
    row(
        "withheld_internal_affairs",
        "5.属于三类内部事务信息",
        2,
        true,
    ),
    row(
        "withheld_process_information",
        "6.属于四类过程性信息",
        2,
        true,
    ),
    row("withheld_enforcement_files", "7.属于行政执法案卷", 2, true),
    row(
        "withheld_administrative_query",
        "8.属于行政查询事项",
        2,
        true,
    ),
    row("unavailable", "（四）无法提供", 1, false),
    row(
        "unavailable_not_held",
        "1.本机关不掌握相关政府信息",
        2,
        true,
    ),
    row(
        "unavailable_needs_creation",
        "2.没有现成信息需要另行制作",
        2,
        true,
    ),
    row(
        "unavailable_unclear_after_correction",
        "3.补正后申请内容仍不明确",
        2,
        true,
    ),
    row("not_processed", "（五）不予处理", 1, false),
    row("not_processed_petition", "1.信访举报投诉类申请", 2, true),
    row("not_processed_repeat", "2.重复申请", 2, true),
    row("not_processed_publication", "3.要求提供公开出版物", 2, true),
    row(
        "not_processed_excessive",
        "4.无正当理由大量反复申请",
        2,
        true,
    ),
    row(
        "not_processed_confirmation",
        "5.要求行政机关确认或重新出具已获取信息",
        2,
        true,
    ),
    row("other_handling", "（六）其他处理", 1, false),
    row(
        "other_no_correction",
        "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
        2,
        true,
    ),
    row(
        "other_fee_unpaid",
        "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
        2,
        true,
    ),
    row("other", "3.其他", 2, true),
    row("results_total", "（七）总计", 1, true),
    row("carried_forward", "四、结转下年度继续办理", 0, true),
];

/// What the report reads of a case.
#[derive(Debug, Clone, Copy)]
pub struct CaseFacts {
    pub column: usize,
    pub received_on: Option<NaiveDate>,
    /// The day it was finished: delivered, or closed.
    pub finished_on: Option<NaiveDate>,
    /// The result row; `None` for a finished case means a withdrawal (（六）3).
    pub outcome: Option<Outcome>,
}

/// The rows a case is counted in for `year`, each by its own definition, so that the legal
/// check below compares independent counts (a case finished in the year but received after it,
/// for instance, shows as a failed check instead of being silently absorbed).
pub fn rows_of(c: &CaseFacts, year: i32) -> Vec<&'static str> {
    let (first, last) = year_bounds(year);
    let open_at = |day: NaiveDate| c.finished_on.is_none_or(|f| f > day);
    let mut rows = vec![];
    if let Some(received) = c.received_on {
        if received.year() == year {
            rows.push("new");
        }
        if received < first && open_at(first - chrono::Days::new(1)) {
            rows.push("carried_over");
        }
        if received <= last && open_at(last) {
            rows.push("carried_forward");
        }
    }
    if c.finished_on.is_some_and(|f| f.year() == year) {
        rows.push(c.outcome.map_or("other", Outcome::as_str));
        rows.push("results_total");
    }
    rows
}

/// Where a date falls against a report's year. `rows_of` compares a case's dates only with the
/// year's first and last days, so this is all it needs of them: the report is counted from
/// groups of cases alike in column, result and sides, not from every case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Side {
    Before,
    In,
    After,
}

impl Side {
    pub fn of(day: NaiveDate, year: i32) -> Self {
        let (first, last) = year_bounds(year);
        if day < first {
            Side::Before
        } else if day <= last {
            Side::In
        } else {
            Side::After
        }
    }

    /// A day that stands for every day on this side of `year` (the day before it, its first
    /// day, the day after it).
    pub fn day(self, year: i32) -> NaiveDate {
        let (first, last) = year_bounds(year);
        match self {
            Side::Before => first - chrono::Days::new(1),
            Side::In => first,
            Side::After => last + chrono::Days::new(1),
        }
    }
}

impl CaseFacts {
    /// The same case with each date replaced by the day standing for its side of `year`: it is
    /// counted in the same rows of `year` (checked by a property test).
    pub fn at_sides(self, year: i32) -> Self {
        let side = |d: Option<NaiveDate>| d.map(|d| Side::of(d, year).day(year));
        Self {
            received_on: side(self.received_on),
            finished_on: side(self.finished_on),
            ..self
        }
    }
}

fn year_bounds(year: i32) -> (NaiveDate, NaiveDate) {
    (
        NaiveDate::from_ymd_opt(year, 1, 1).expect("a valid year"),
        NaiveDate::from_ymd_opt(year, 12, 31).expect("a valid year"),
    )
}

/// Part 三 as counts, row by row (in `ROWS` order), seven columns each.
#[derive(Debug, Clone, Serialize)]
pub struct Table {
    pub counts: Vec<[u64; 7]>,
}

impl Table {
    pub fn of<'a>(cases: impl IntoIterator<Item = &'a CaseFacts>, year: i32) -> Self {
        let mut t = Self {
            counts: vec![[0; 7]; ROWS.len()],
        };
        for c in cases {
            t.add(c, year);
        }
        t
    }

    pub fn add(&mut self, c: &CaseFacts, year: i32) {
        self.add_many(c, year, 1);
    }

    /// Counts `n` cases alike in what the report reads of them.
    pub fn add_many(&mut self, c: &CaseFacts, year: i32, n: u64) {
        for key in rows_of(c, year) {
            let i = ROWS.iter().position(|r| r.key == key).expect("a known row");
            self.counts[i][c.column] += n;
            self.counts[i][TOTAL] += n;
        }
    }

    pub fn get(&self, key: &str) -> Option<&[u64; 7]> {
        ROWS.iter()
            .position(|r| r.key == key)
            .map(|i| &self.counts[i])
    }

    /// The rows with their numbers (`None` for headings).
    pub fn printed(&self) -> impl Iterator<Item = (&RowDef, Option<&[u64; 7]>)> {
        ROWS.iter()
            .zip(&self.counts)
            .map(|(r, n)| (r, r.counted.then_some(n)))
    }

    /// The legal check 一+二 = 三（七）+四, column by column: (left, right) per column.
    pub fn check(&self) -> [(u64, u64); 7] {
        let row = |k| self.get(k).expect("a known row");
        let (new, over, total, forward) = (
            row("new"),
            row("carried_over"),
            row("results_total"),
            row("carried_forward"),
        );
        std::array::from_fn(|i| (new[i] + over[i], total[i] + forward[i]))
    }

    pub fn check_holds(&self) -> bool {
        self.check().iter().all(|(l, r)| l == r)
    }
}

/// Part 四: 行政复议, 行政诉讼 未经复议直接起诉, 行政诉讼 复议后起诉; each 维持, 纠正, 其他结果,
/// 尚未审结, 总计.
pub const CHALLENGE_GROUPS: [(&str, &str); 3] = [
    ("reconsideration", "行政复议"),
    ("litigation_direct", "行政诉讼（未经复议直接起诉）"),
    ("litigation_after_reconsideration", "行政诉讼（复议后起诉）"),
];
pub const CHALLENGE_COLUMNS: [(&str, &str); 5] = [
    ("upheld", "结果维持"),
    ("corrected", "结果纠正"),
    ("other", "其他结果"),
    ("pending", "尚未审结"),
    ("total", "总计"),
];

#[derive(Debug, Clone, Copy)]
pub struct ChallengeFacts {
    pub kind: ChallengeKind,
    pub after_reconsideration: bool,
    pub filed_on: NaiveDate,
    /// As at the report's end of year: a result decided later is still pending then.
    pub result: Option<(ChallengeResult, NaiveDate)>,
}

/// Challenges filed in the year, by group and by how they stood at the year's end.
pub fn challenges<'a>(
    list: impl IntoIterator<Item = &'a ChallengeFacts>,
    year: i32,
) -> [[u64; 5]; 3] {
    let mut t = [[0; 5]; 3];
    for c in list.into_iter().filter(|c| c.filed_on.year() == year) {
        let g = match (c.kind, c.after_reconsideration) {
            (ChallengeKind::Reconsideration, _) => 0,
            (ChallengeKind::Litigation, false) => 1,
            (ChallengeKind::Litigation, true) => 2,
        };
        let col = match c.result {
            Some((r, on)) if on.year() <= year => match r {
                ChallengeResult::Upheld => 0,
                ChallengeResult::Corrected => 1,
                ChallengeResult::Other => 2,
            },
            _ => 3,
        };
        t[g][col] += 1;
        t[g][4] += 1;
    }
    t
}

/// Whether a stored answer (the decision JSON) carried a 便民答复 (RULES §5: shown in the letter
/// and counted in reports). Read loosely, as JSON, so that answers stored under an older or a
/// newer shape of the decision count the same.
pub fn has_convenience_reply(decision_json: &str) -> bool {
    serde_json::from_str::<serde_json::Value>(decision_json).is_ok_and(|d| {
        d["convenience_reply"]
            .as_str()
            .is_some_and(|c| !c.trim().is_empty())
    })
}

#[cfg(test)]
#[path = "report_tests.rs"]
mod tests;
