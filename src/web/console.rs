//! The clerk's console: `/console/`, the queue of cases sorted by the next deadline, with
//! badges, filters, search and pages (the same query as `GET /api/v1/applications`).

use actix_web::http::Method;
use actix_web::{web, HttpResponse};
use minijinja::{context, Value};
use serde::Deserialize;
use serde_json::json;

use super::case_view;
use super::form::PageQuery;
use super::page::{self, WebError};
use super::session::Visitor;
use super::PageRoute;
use crate::db::cases::{Cursor, Sort};
use crate::domain::case::Status;
use crate::http::views;
use crate::service::{cases, Services};

pub fn routes() -> Vec<PageRoute> {
    vec![("/console/", Method::GET, web::get().to(queue))]
}

/// The queue's filters as a GET form sends them (blank inputs are "any").
#[derive(Debug, Default, Deserialize)]
pub struct QueueParams {
    status: Option<String>,
    due_within: Option<String>,
    overdue: Option<String>,
    agency: Option<String>,
    q: Option<String>,
    sort: Option<String>,
    cursor: Option<String>,
    /// Rows a page (1 to 200; default 50), as the API's `limit`.
    limit: Option<String>,
    /// Inside the office: `me` (我承办的) or `none` (未分配).
    assignee: Option<String>,
    /// Cases forwarded to this division (its code).
    division: Option<String>,
    /// An open internal due day within this many working days (overdue ones included).
    internal_due_within: Option<String>,
    /// Only cases with a division's reply overdue.
    internal_overdue: Option<String>,
}

const PAGE_SIZE: i64 = 50;

fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

impl QueueParams {
    /// The use case's query, or the Chinese message of each filter that is wrong.
    fn query(&self) -> Result<cases::Query, Vec<String>> {
        let mut errors = Vec::new();
        let statuses = match given(&self.status) {
            None => Vec::new(),
            Some(s) => match Status::parse(s) {
                Some(st) => vec![st],
                None => {
                    errors.push("请选择列表中的状态".to_owned());
                    Vec::new()
                }
            },
        };
        let due_within = match given(&self.due_within) {
            None => None,
            Some(n) => match n.parse::<u32>() {
                Ok(n) if n <= 250 => Some(n),
                _ => {
                    errors.push("“到期工作日”须为 0 至 250 的整数".to_owned());
                    None
                }
            },
        };
        let limit = match given(&self.limit) {
            None => PAGE_SIZE,
            Some(n) => match n.parse::<i64>() {
                Ok(n) if (1..=200).contains(&n) => n,
                _ => {
                    errors.push("每页条数须为 1 至 200".to_owned());
                    PAGE_SIZE
                }
            },
        };
        let internal_due_within = match given(&self.internal_due_within) {
            None => None,
            Some(n) => match n.parse::<u32>() {
                Ok(n) if n <= 250 => Some(n),
                _ => {
                    errors.push("“内部期限几个工作日内到期”须为 0 至 250 的整数".to_owned());
                    None
                }
            },
        };
        let assignee = match given(&self.assignee) {
            None => None,
            Some("me") => Some(cases::AssigneeFilter::Me),
            Some("none") => Some(cases::AssigneeFilter::Nobody),
            Some(_) => {
                errors.push("请选择“我承办的”或“未分配”".to_owned());
                None
            }
        };
        let text = given(&self.q).map(str::to_owned);
        if text.as_ref().is_some_and(|t| t.chars().count() > 200) {
            errors.push("搜索文字最多 200 个字符".to_owned());
        }
        let sort = match given(&self.sort) {
            Some("newest") => Sort::Newest,
            _ => Sort::Deadline,
        };
        let cursor = match given(&self.cursor) {
            None => None,
            Some(c) => {
                let parsed = Cursor::parse(sort, c);
                if parsed.is_none() {
                    errors.push("翻页位置无效，请从第一页重新查看".to_owned());
                }
                parsed
            }
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(cases::Query {
            statuses,
            text,
            agency_code: given(&self.agency).map(str::to_owned),
            cursor,
            limit,
            due_within,
            overdue: given(&self.overdue).map(|_| true),
            assignee,
            division: given(&self.division).map(str::to_owned),
            internal_due_within,
            internal_overdue: given(&self.internal_overdue).map(|_| true),
            sort,
            ..cases::Query::default()
        })
    }

    /// The filters as a query string, for the next page's link (without the cursor).
    fn link(&self) -> String {
        let pairs = [
            ("status", &self.status),
            ("due_within", &self.due_within),
            ("overdue", &self.overdue),
            ("agency", &self.agency),
            ("q", &self.q),
            ("sort", &self.sort),
            ("limit", &self.limit),
            ("assignee", &self.assignee),
            ("division", &self.division),
            ("internal_due_within", &self.internal_due_within),
            ("internal_overdue", &self.internal_overdue),
        ];
        pairs
            .iter()
            .filter_map(|(k, v)| given(v).map(|v| format!("{k}={}", encode(v))))
            .collect::<Vec<_>>()
            .join("&")
    }

    fn values(&self) -> Value {
        context! {
            status => given(&self.status),
            due_within => given(&self.due_within),
            overdue => given(&self.overdue).is_some(),
            agency => given(&self.agency),
            q => given(&self.q),
            sort => given(&self.sort).unwrap_or("deadline"),
            assignee => given(&self.assignee),
            division => given(&self.division),
            internal_due_within => given(&self.internal_due_within),
            internal_overdue => given(&self.internal_overdue).is_some(),
        }
    }
}

/// Percent-encodes a query value.
fn encode(s: &str) -> String {
    super::page::percent_encode(s, b"")
}

/// The first `n` characters of a text, with an ellipsis when there is more.
fn short(text: &str, n: usize) -> String {
    match text.char_indices().nth(n) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_owned(),
    }
}

/// Each row of a page as the queue shows it.
fn rows(page: &cases::Page) -> Vec<serde_json::Value> {
    page.items
        .iter()
        .map(|i| {
            let v = views::application(
                &i.case,
                &i.agency_code,
                &page.principal,
                i.next_deadline.as_ref(),
                Vec::new(),
                None,
            );
            let inside = i.extras.inside.as_ref();
            // The divisions consulted, each with its own late badge (内部逾期, never the
            // statutory 已逾期).
            let forwarded: Vec<serde_json::Value> = inside
                .map(|x| x.forwardings.as_slice())
                .unwrap_or_default()
                .iter()
                .map(|f| {
                    json!({
                        "name": f.division_name,
                        "replied": f.replied_on.is_some(),
                        "overdue": f.late && f.replied_on.is_none(),
                    })
                })
                .collect();
            json!({
                "assignee": inside.and_then(|x| x.assignee.as_ref()).map(|p| &p.name),
                "forwarded": forwarded,
                "internal_due_on": inside.and_then(|x| x.internal_due_on),
                "id": v.id,
                "tracking_number": v.tracking_number,
                "agency_code": v.agency_code,
                "status": v.status.as_str(),
                "applicant": v.applicant.as_ref().map_or("—", |a| a.name),
                "description": short(v.request.description, 40),
                "channel": v.channel.as_str(),
                "received_on": v.received_on,
                "next": case_view::next_deadline(i.next_deadline.as_ref()),
                "badges": case_view::badges(&i.case, i.next_deadline.as_ref()),
            })
        })
        .collect()
}

/// The statuses offered by the filter, with their names.
fn statuses() -> Vec<(&'static str, &'static str)> {
    Status::ALL
        .iter()
        .map(|s| {
            (
                s.as_str(),
                crate::service::templates::status_label(s.as_str()),
            )
        })
        .collect()
}

async fn queue(
    visitor: Visitor,
    services: web::Data<Services>,
    params: PageQuery<QueueParams>,
) -> Result<HttpResponse, WebError> {
    let me = visitor.staff(&services, &[]).await?;
    let params = params.into_inner();
    let (items, next, errors) = match params.query() {
        Ok(query) => {
            let s = services.clone();
            let secret = me.secret.clone();
            let found = web::block(move || cases::list(&s, Some(&secret), &query)).await?;
            match found {
                Ok(p) => (rows(&p), p.next_cursor, Vec::new()),
                Err(e) => match page::form_errors(e.into()) {
                    Ok(errs) => (Vec::new(), None, errs.into_values().collect()),
                    Err(e) => return Err(e),
                },
            }
        }
        Err(errors) => (Vec::new(), None, errors),
    };
    // The office's divisions for the filter (the office's own staff; a division's staff see
    // their division's cases only, so the filter is not offered to them).
    let divisions: Vec<(String, String)> = match (&me.staff.agency_id, &me.staff.division_id) {
        (Some(agency), None) => {
            let (s, agency) = (services.clone(), agency.clone());
            web::block(move || {
                let conn = &mut *s.conn()?;
                Ok::<_, crate::service::ServiceError>(
                    crate::db::divisions::of_agency(conn, &agency)?
                        .into_iter()
                        .map(|d| (d.code, d.name))
                        .collect(),
                )
            })
            .await??
        }
        _ => Vec::new(),
    };
    let link = params.link();
    let next_link = next.map(|c| {
        let sep = if link.is_empty() { "" } else { "&" };
        format!("/console/?{link}{sep}cursor={}", encode(&c))
    });
    page::html(
        &visitor,
        &services.key,
        Some(&me.principal),
        "console/queue.html",
        context! {
            items => Value::from_serialize(&items),
            next_link => next_link,
            first_page => params.cursor.is_some().then(|| format!("/console/?{link}")),
            errors => errors,
            filters => params.values(),
            statuses => statuses(),
            unbound => me.staff.agency_id.is_none(),
            divisions => divisions,
            division_staff => me.staff.division_id.is_some(),
        },
    )
}
