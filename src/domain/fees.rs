//! Information-processing fees (art. 42; 政府信息公开信息处理费管理办法, RULES §6). Money is
//! integer fen. Two progressive scales; an office charges by one of them per application.

use super::message::Message;
use crate::msg;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::actions::{IssueFeeNotice, WaiveFee};
use super::str_enum;

str_enum! {
    pub enum FeeScale {
        /// 按件计收: by the applicant's rank among their applications in a calendar month.
        PerApplication = "per_application",
        /// 按量计收: by pages (paper copies, e-mail or copied electronic data).
        PerPage = "per_page",
    }
}

/// One band of a scale as applied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Band {
    /// First and last unit (application rank or page) of the band that was charged.
    pub from: u32,
    pub to: u32,
    pub units: u32,
    pub rate_fen: i64,
    pub subtotal_fen: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quote {
    pub scale: FeeScale,
    /// The application's rank in the month, or the number of pages.
    pub quantity: u32,
    pub amount_fen: i64,
    pub breakdown: Vec<Band>,
}

const YUAN: i64 = 100;

/// The fee for an applicant's `rank`-th application in a calendar month: 1–10 free; 11–30
/// ¥100; from 31 each further band of 10 raises the rate by ¥100 (31–40 ¥200, 41–50 ¥300, …).
pub fn per_application(rank: u32) -> Quote {
    let (band_from, band_to, rate) = match rank {
        0..=10 => (1, 10, 0),
        11..=30 => (11, 30, 100 * YUAN),
        r => {
            let band = (r - 31) / 10; // 0 for 31–40
            (
                31 + band * 10,
                40 + band * 10,
                i64::from(band + 2) * 100 * YUAN,
            )
        }
    };
    let breakdown = vec![Band {
        from: band_from,
        to: band_to,
        units: 1,
        rate_fen: rate,
        subtotal_fen: rate,
    }];
    Quote {
        scale: FeeScale::PerApplication,
        quantity: rank,
        amount_fen: rate,
        breakdown,
    }
}

/// The fee for `pages` pages, progressive like tax brackets: 1–30 free; 31–100 ¥10 a page;
/// 101–200 ¥20 a page; 201 and more ¥40 a page.
pub fn per_page(pages: u32) -> Quote {
    const BANDS: [(u32, u32, i64); 4] = [
        (1, 30, 0),
        (31, 100, 10 * YUAN),
        (101, 200, 20 * YUAN),
        (201, u32::MAX, 40 * YUAN),
    ];
    let mut breakdown = Vec::new();
    for (from, to, rate) in BANDS {
        if pages < from {
            break;
        }
        let last = pages.min(to);
        let units = last - from + 1;
        breakdown.push(Band {
            from,
            to: last,
            units,
            rate_fen: rate,
            subtotal_fen: rate * i64::from(units),
        });
    }
    let amount_fen = breakdown.iter().map(|b| b.subtotal_fen).sum();
    Quote {
        scale: FeeScale::PerPage,
        quantity: pages,
        amount_fen,
        breakdown,
    }
}

pub fn quote(scale: FeeScale, quantity: u32) -> Quote {
    match scale {
        FeeScale::PerApplication => per_application(quantity),
        FeeScale::PerPage => per_page(quantity),
    }
}

/// A fee notice and its payment (Fee Measures).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fee {
    pub scale: FeeScale,
    pub amount_fen: i64,
    pub notice_on: NaiveDate,
    /// The day the applicant received the notice: the payment period runs from the day after.
    /// Unknown for a posted notice until its return receipt is recorded.
    pub received_on: Option<NaiveDate>,
    pub paid_on: Option<NaiveDate>,
}

impl Fee {
    pub fn unpaid(&self) -> bool {
        self.paid_on.is_none()
    }
}

/// How many units the scale counts: pages, or the application's rank in the applicant's month.
fn quantity(
    scale: FeeScale,
    pages: Option<u32>,
    month_rank: u32,
) -> Result<u32, (&'static str, Message)> {
    Ok(match (scale, pages) {
        (FeeScale::PerPage, Some(p)) => p,
        (FeeScale::PerPage, None) => {
            return Err((
                "pages",
                msg!(
                    "按页计收须填写页数",
                    "the per-page scale needs the number of pages"
                ),
            ))
        }
        (FeeScale::PerApplication, None) => month_rank.max(1),
        (FeeScale::PerApplication, Some(_)) => {
            return Err((
                "pages",
                msg!(
                    "按件计收按申请件数计算，不填页数",
                    "the per-application scale counts applications, not pages"
                ),
            ))
        }
    })
}

/// What a fee notice charges: the quote for the chosen scale (the per-application scale
/// counts the application's `month_rank`), less any reduction. Refused with (field, reason)
/// when the scale lacks its quantity or there is nothing to charge.
pub fn charge(
    i: &IssueFeeNotice,
    month_rank: u32,
) -> Result<(Quote, i64), (&'static str, Message)> {
    let quantity = quantity(i.scale, i.pages, month_rank)?;
    if i.reduction_fen.is_some() != i.reduction_reason.is_some() {
        return Err((
            "reduction_reason",
            msg!(
                "减收须同时填写金额和理由",
                "a reduction is recorded with its reason, and a reason with its amount"
            ),
        ));
    }
    let q = quote(i.scale, quantity);
    let amount = q.amount_fen - i.reduction_fen.unwrap_or(0);
    if amount <= 0 {
        let (reduced_zh, reduced) = if i.reduction_fen.is_some() {
            ("（减收前）", " before the reduction")
        } else {
            ("", "")
        };
        let quoted = q.amount_fen;
        return Err((
            "scale",
            msg!(
                "无需收费：计费金额{reduced_zh}为 {quoted} 分，不必发出收费通知",
                "nothing to charge: the quote is {quoted} fen{reduced}; no notice is needed"
            ),
        ));
    }
    Ok((q, amount))
}

/// What a full waiver forgoes: the quote for the chosen scale, which must charge something.
pub fn waived(i: &WaiveFee, month_rank: u32) -> Result<Quote, (&'static str, Message)> {
    let q = quote(i.scale, quantity(i.scale, i.pages, month_rank)?);
    if q.amount_fen <= 0 {
        return Err((
            "scale",
            msg!(
                "本来就不收费，无费可免",
                "nothing would be charged: there is no fee to waive"
            ),
        ));
    }
    Ok(q)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn per_application_boundaries() {
        for (rank, yuan) in [
            (1, 0),
            (10, 0),
            (11, 100),
            (30, 100),
            (31, 200),
            (40, 200),
            (41, 300),
            (50, 300),
            (51, 400),
            (95, 800),
        ] {
            assert_eq!(per_application(rank).amount_fen, yuan * 100, "rank {rank}");
        }
        let q = per_application(41);
        assert_eq!((q.breakdown[0].from, q.breakdown[0].to), (41, 50));
    }

    #[test]
    fn per_page_boundaries() {
        for (pages, yuan) in [
            (0, 0),
            (1, 0),
            (30, 0),
            (31, 10),
            (100, 700),
            (101, 720),
            (200, 2700),
            (201, 2740),
            (250, 2700 + 50 * 40),
        ] {
            assert_eq!(per_page(pages).amount_fen, yuan * 100, "{pages} pages");
        }
        let q = per_page(201);
        let units: Vec<u32> = q.breakdown.iter().map(|b| b.units).collect();
        assert_eq!(units, [30, 70, 100, 1]);
    }

    /// Page by page, the obvious way.
    fn reference_per_page(pages: u32) -> i64 {
        (1..=pages)
            .map(|p| match p {
                1..=30 => 0,
                31..=100 => 1000,
                101..=200 => 2000,
                _ => 4000,
            })
            .sum()
    }

    proptest! {
        #[test]
        fn per_page_matches_charging_page_by_page(pages in 0u32..2000) {
            let q = per_page(pages);
            prop_assert_eq!(q.amount_fen, reference_per_page(pages));
            prop_assert_eq!(q.breakdown.iter().map(|b| b.subtotal_fen).sum::<i64>(), q.amount_fen);
            prop_assert_eq!(q.breakdown.iter().map(|b| b.units).sum::<u32>(), pages);
        }

        #[test]
        fn fees_never_fall_as_the_quantity_grows(n in 0u32..5000) {
            prop_assert!(per_page(n + 1).amount_fen >= per_page(n).amount_fen);
            prop_assert!(per_application(n + 1).amount_fen >= per_application(n).amount_fen);
            // Per application, the rate rises by ¥100 every ten applications from the 31st.
            if n >= 31 {
                prop_assert_eq!(per_application(n).amount_fen, i64::from((n - 31) / 10 + 2) * 10_000);
            }
        }
    }
}
