//! `GET /api/v1/applications/{id}/clock`: every deadline of a case and how it was counted.

use actix_web::{web, HttpResponse};
use chrono::NaiveDate;
use serde::Serialize;

use super::extract::BearerToken;
use super::problem::ApiError;
use crate::domain::clock::{self, Deadline};
use crate::service::{clock as service, Services};

#[derive(Serialize)]
struct ClockView<'a> {
    application_id: &'a str,
    tracking_number: &'a str,
    status: crate::domain::case::Status,
    /// The legal date (China) the clock was read on.
    today: NaiveDate,
    /// For a closed case, its deadlines as they stood when it closed.
    deadlines: serde_json::Value,
    next_deadline: Option<&'a Deadline>,
    /// The day a closed case closed: its clock is kept as it stood then.
    #[serde(skip_serializing_if = "Option::is_none")]
    as_closed_on: Option<NaiveDate>,
    /// Years whose official notice is loaded; other years count weekends only (provisional).
    calendar_years: &'a [i32],
    rules: &'static str,
    /// Staff only: the divisions' internal due days (issue 16), never statutory deadlines.
    #[serde(skip_serializing_if = "Option::is_none")]
    internal_deadlines: Option<&'a [service::InternalDeadlineView]>,
}

const RULES: &str = "收到申请之日不计算在内，自次一工作日起算，期限届满日为第N个工作日；\
工作日以国务院办公厅公布的节假日安排为准（含调休上班日），未公布年份暂按周末计算并标注为暂定。\
征求第三方或其他机关意见所需时间、收费通知至缴费期间不计算在答复期限内（条例第三十三条第二款）。";

pub async fn clock(
    token: BearerToken,
    services: web::Data<Services>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let c = web::block(move || service::case_clock(&services, Some(&token.0), &id, services.now()))
        .await??;
    let view = ClockView {
        application_id: c.case.id.as_str(),
        tracking_number: &c.case.tracking_number,
        status: c.case.status(),
        today: c.today,
        deadlines: match &c.at_closure {
            Some(frozen) => frozen.clone(),
            None => serde_json::to_value(&c.deadlines).expect("deadlines serialise"),
        },
        next_deadline: clock::next_deadline(&c.deadlines),
        as_closed_on: c.at_closure.as_ref().and(c.case.clock.closed_on),
        calendar_years: &c.loaded_years,
        rules: RULES,
        internal_deadlines: c.internal.as_deref(),
    };
    Ok(HttpResponse::Ok().json(view))
}
