//! `GET /api/v1/applications`: the clerk queue, with filters, deadlines and cursor pages.

use actix_web::{web, HttpResponse};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::extract::BearerToken;
use super::problem::ApiError;
use super::views::{self, ApplicationView};
use crate::db::cases::{Cursor, Sort};
use crate::domain::case::{ApplicantKind, Status};
use crate::msg;
use crate::service::{cases, FieldError, Services};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SortParam {
    Newest,
    Deadline,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListParams {
    status: Option<String>,
    #[serde(default, with = "crate::domain::date::strict_option")]
    received_from: Option<NaiveDate>,
    #[serde(default, with = "crate::domain::date::strict_option")]
    received_to: Option<NaiveDate>,
    applicant_kind: Option<ApplicantKind>,
    q: Option<String>,
    agency: Option<String>,
    due_within: Option<u32>,
    overdue: Option<bool>,
    /// `me`, `none` (unassigned) or a user's id.
    assignee: Option<String>,
    /// A division's code: the cases forwarded to it.
    division: Option<String>,
    internal_due_within: Option<u32>,
    internal_overdue: Option<bool>,
    /// Drafts waiting at this approval level (1 or 2).
    awaiting_approval_level: Option<u8>,
    sort: Option<SortParam>,
    cursor: Option<String>,
    limit: Option<i64>,
}

fn invalid_query(errors: Vec<FieldError>) -> ApiError {
    ApiError {
        code: crate::domain::problem_code::ProblemCode::InvalidQuery,
        ..ApiError::invalid(errors)
    }
}

impl ListParams {
    fn into_query(self) -> Result<cases::Query, ApiError> {
        let mut errors = Vec::new();
        let statuses = self.statuses(&mut errors);
        let limit = self.limit.unwrap_or(50);
        self.check_bounds(limit, &mut errors);
        let (sort, cursor) = self.sort_and_cursor(&mut errors);
        let assignee = self.assignee(&mut errors);
        if self.internal_due_within.is_some_and(|n| n > 250) {
            errors.push(FieldError::new(
                "internal_due_within",
                "range",
                msg!(
                    "internal_due_within 最多 250 个工作日",
                    "internal_due_within is at most 250 working days"
                ),
            ));
        }
        if self
            .awaiting_approval_level
            .is_some_and(|n| !(1..=2).contains(&n))
        {
            errors.push(FieldError::new(
                "awaiting_approval_level",
                "range",
                msg!("审批级别为 1 或 2", "approval levels are 1 and 2"),
            ));
        }
        if !errors.is_empty() {
            return Err(invalid_query(errors));
        }
        Ok(cases::Query {
            statuses,
            received_from: self.received_from,
            received_to: self.received_to,
            applicant_kind: self.applicant_kind,
            text: self
                .q
                .filter(|q| !q.trim().is_empty())
                .map(|q| q.trim().to_owned()),
            agency_code: self.agency,
            cursor,
            limit,
            due_within: self.due_within,
            overdue: self.overdue,
            extension_requested: false,
            assignee,
            division: self.division.filter(|d| !d.trim().is_empty()),
            internal_due_within: self.internal_due_within,
            internal_overdue: self.internal_overdue,
            awaiting_level: self.awaiting_approval_level,
            sort,
        })
    }

    /// `assignee=me`, `none`, or a user's id.
    fn assignee(&self, errors: &mut Vec<FieldError>) -> Option<cases::AssigneeFilter> {
        use cases::AssigneeFilter as A;
        match self.assignee.as_deref().map(str::trim) {
            None | Some("") => None,
            Some("me") => Some(A::Me),
            Some("none") => Some(A::Nobody),
            Some(id) if crate::domain::case::UserId::parse(id).is_some() => {
                Some(A::User(id.to_owned()))
            }
            Some(other) => {
                errors.push(FieldError::new(
                    "assignee",
                    "invalid",
                    msg!(
                        "assignee 须为 me、none 或用户的 id（{other:?} 都不是）",
                        "assignee is me, none or a user's id ({other:?} is none of them)"
                    ),
                ));
                None
            }
        }
    }

    /// `status=accepted,correction` (or the parameter repeated): each one a status.
    fn statuses(&self, errors: &mut Vec<FieldError>) -> Vec<Status> {
        self.status
            .iter()
            .flat_map(|s| s.split(','))
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .filter_map(|s| {
                let parsed = Status::parse(s);
                if parsed.is_none() {
                    errors.push(FieldError::new(
                        "status",
                        "unknown_status",
                        msg!("{s:?} 不是有效的状态", "{s:?} is not a status"),
                    ));
                }
                parsed
            })
            .collect()
    }

    /// The limits of a page, a date range, the search text and the deadline window.
    fn check_bounds(&self, limit: i64, errors: &mut Vec<FieldError>) {
        if !(1..=200).contains(&limit) {
            errors.push(FieldError::new(
                "limit",
                "range",
                msg!("limit 须为 1 至 200", "limit must be 1 to 200"),
            ));
        }
        if let (Some(from), Some(to)) = (self.received_from, self.received_to) {
            if from > to {
                errors.push(FieldError::new(
                    "received_from",
                    "range",
                    msg!(
                        "received_from 晚于 received_to",
                        "received_from is after received_to"
                    ),
                ));
            }
        }
        if self.q.as_ref().is_some_and(|q| q.chars().count() > 200) {
            errors.push(FieldError::new(
                "q",
                "length",
                msg!(
                    "搜索文字最多 200 个字符",
                    "search text is at most 200 characters"
                ),
            ));
        }
        if self.due_within.is_some_and(|n| n > 250) {
            errors.push(FieldError::new(
                "due_within",
                "range",
                msg!(
                    "due_within 须为 0 至 250 个工作日",
                    "due_within is 0 to 250 working days"
                ),
            ));
        }
    }

    /// The order of the list, and where a page goes on from.
    fn sort_and_cursor(&self, errors: &mut Vec<FieldError>) -> (Sort, Option<Cursor>) {
        // Asked what is due or overdue, a clerk wants the soonest first (and that order is the
        // deadline index's own, so a page is read without scanning the office's history).
        let by_deadline = self.due_within.is_some() || self.overdue == Some(true);
        let sort = match self.sort {
            Some(SortParam::Deadline) => Sort::Deadline,
            Some(SortParam::Newest) => Sort::Newest,
            None if by_deadline => Sort::Deadline,
            None => Sort::Newest,
        };
        let cursor = match &self.cursor {
            None => None,
            Some(c) => {
                let parsed = Cursor::parse(sort, c);
                if parsed.is_none() {
                    errors.push(FieldError::new(
                        "cursor",
                        "invalid",
                        msg!(
                            "请使用上一页返回的 next_cursor，并保持相同的排序",
                            "use the next_cursor of the previous page, with the same sort"
                        ),
                    ));
                }
                parsed
            }
        };
        (sort, cursor)
    }
}

#[derive(Serialize)]
struct ListPage<'a> {
    items: Vec<ApplicationView<'a>>,
    next_cursor: Option<String>,
}

pub async fn list(
    token: BearerToken,
    services: web::Data<Services>,
    params: web::Query<ListParams>,
) -> Result<HttpResponse, ApiError> {
    let token = Some(token.0);
    let query = params.into_inner().into_query()?;
    let page = web::block(move || cases::list(&services, token.as_deref(), &query)).await??;
    let items = page
        .items
        .iter()
        .map(|i| {
            views::application(
                &i.case,
                &i.agency_code,
                &page.principal,
                i.next_deadline.as_ref(),
                i.allowed.clone(),
                Some(&i.extras),
            )
        })
        .collect();
    Ok(HttpResponse::Ok().json(ListPage {
        items,
        next_cursor: page.next_cursor.clone(),
    }))
}
