//! The auditor's pages (`/console/audit`): verifying the record's hash chains, with a result
//! page naming the first broken link, and downloading the event and case exports in the
//! API's formats (`/api/v1/audit/*`) with the console's session.

use actix_web::http::Method;
use actix_web::{web, HttpResponse};
use minijinja::context;
use serde::Deserialize;

use super::form::PageQuery;
use super::page::{self, WebError};
use super::session::Visitor;
use super::PageRoute;
use crate::domain::audit::Problem;
use crate::domain::workflow::Role;
use crate::http::audit::stream;
use crate::service::audit::{audit_scope, verify};
use crate::service::export::{self, CaseFilter, EventFilter, Format};
use crate::service::{admin, report, Services};

const AUDITORS: &[Role] = &[Role::Auditor, Role::Admin];

pub fn routes() -> Vec<PageRoute> {
    vec![
        ("/console/audit", Method::GET, web::get().to(audit_home)),
        (
            "/console/audit/verify",
            Method::GET,
            web::get().to(verify_page),
        ),
        ("/console/audit/events", Method::GET, web::get().to(events)),
        ("/console/audit/cases", Method::GET, web::get().to(cases)),
    ]
}

#[derive(Deserialize, Default)]
pub struct Scope {
    agency: Option<String>,
    format: Option<String>,
    /// Typed in the form: read by `super::form::optional_year` (blank is every year).
    year: Option<String>,
}

impl Scope {
    /// A blank choice in a form means every office the auditor may see.
    fn agency(&self) -> Option<String> {
        self.agency
            .as_deref()
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .map(str::to_owned)
    }
}

/// Offices to choose from: (code, name).
pub type Offices = Vec<(String, String)>;

/// The offices to choose from (the session's office alone for bound staff).
pub fn offices(services: &Services, own: Option<&str>) -> Result<Offices, WebError> {
    let conn = &mut *services.conn()?;
    Ok(admin::agencies(conn)?
        .into_iter()
        .filter(|a| own.is_none_or(|o| o == a.id))
        .map(|a| (a.code.to_string(), a.name))
        .collect())
}

async fn audit_home(
    visitor: Visitor,
    services: web::Data<Services>,
) -> Result<HttpResponse, WebError> {
    let me = visitor.staff(&services, AUDITORS).await?;
    let list = {
        let (services, own) = (services.clone(), me.staff.agency_id.clone());
        web::block(move || offices(&services, own.as_deref())).await??
    };
    let year = chrono::Datelike::year(&crate::domain::time::legal_date(services.now()));
    page::html(
        &visitor,
        &services.key,
        Some(&me.principal),
        "console/audit.html",
        context! { offices => list, bound => me.staff.agency_id.is_some(), year => year },
    )
}

/// What is wrong at a broken link, in an auditor's words.
fn problem_label(p: &Problem) -> String {
    match p {
        Problem::HashMismatch => "事件内容与其哈希值不符（记录被修改）".to_owned(),
        Problem::BrokenLink => "事件未指向前一事件的哈希值（有事件被删除或调换顺序）".to_owned(),
        Problem::SequenceGap { expected } => {
            format!("事件序号不连续（此处应为第 {expected} 号，有事件被删除或插入）")
        }
        Problem::CountMismatch { recorded, found } => {
            format!("案件记录的事件数为 {recorded}，实际找到 {found}")
        }
        Problem::Unchained => "事件尚未计算哈希值".to_owned(),
        Problem::MissingCase { tracking_number } => {
            format!("受理编号 {tracking_number} 在本机关的编号序列中缺失（有案件被删除）")
        }
        Problem::AttachmentNotAsRecorded { attachment_id } => {
            format!("文件 {attachment_id} 的记录与其上传事件不符（文件记录被修改）")
        }
        Problem::FileAltered { sha256 } => {
            format!("所存文件的内容与其 SHA-256 值 {sha256} 不符（文件内容被修改）")
        }
    }
}

async fn verify_page(
    visitor: Visitor,
    services: web::Data<Services>,
    q: PageQuery<Scope>,
) -> Result<HttpResponse, WebError> {
    let me = visitor.staff(&services, AUDITORS).await?;
    let asked = q.agency();
    let result = {
        let (services, secret) = (services.clone(), me.secret.clone());
        web::block(move || {
            let conn = &mut *services.conn()?;
            let (_, agency) = audit_scope(conn, Some(&secret), asked.as_deref())?;
            verify(conn, agency.as_deref(), None)
        })
        .await??
    };
    let problem = result
        .first_broken
        .as_ref()
        .map(|b| problem_label(&b.problem));
    page::html(
        &visitor,
        &services.key,
        Some(&me.principal),
        "console/audit_verify.html",
        context! { result => result, problem => problem, agency => q.agency() },
    )
}

/// The scope's office id, as the API's audit scope decides it for this session.
async fn scoped(
    services: &web::Data<Services>,
    secret: String,
    agency: Option<String>,
) -> Result<Option<String>, WebError> {
    let services = services.clone();
    Ok(web::block(move || {
        let conn = &mut *services.conn()?;
        audit_scope(conn, Some(&secret), agency.as_deref()).map(|(_, a)| a)
    })
    .await??)
}

/// An export format the page does not offer: said, not silently replaced by another.
fn unknown_format(zh: &str, en: &str) -> WebError {
    WebError::Problem(crate::http::problem::ApiError::invalid(vec![
        crate::service::FieldError::new(
            "format",
            "unsupported",
            crate::domain::message::Message::new(
                format!("导出格式只能是 {zh}"),
                format!("the export format is {en}"),
            ),
        ),
    ]))
}

/// `GET /console/audit/events?format=csv|jsonl[&agency=]`: the events, as the API exports them.
async fn events(
    visitor: Visitor,
    services: web::Data<Services>,
    q: PageQuery<Scope>,
) -> Result<HttpResponse, WebError> {
    let me = visitor.staff(&services, AUDITORS).await?;
    let format = match q.format.as_deref().map(str::trim) {
        Some("csv") => Format::Csv,
        None | Some("" | "jsonl") => Format::Jsonl,
        Some(_) => return Err(unknown_format("csv 或 jsonl", "csv or jsonl")),
    };
    let agency_id = scoped(&services, me.secret.clone(), q.agency()).await?;
    let filter = EventFilter {
        agency_id,
        ..EventFilter::default()
    };
    let name = if format == Format::Csv {
        "events.csv"
    } else {
        "events.jsonl"
    };
    let services = services.into_inner();
    Ok(stream(format, name, move |sink| {
        let conn = &mut *services.conn()?;
        export::events(conn, &filter, format, sink, None)
    }))
}

/// `GET /console/audit/cases?format=csv|json|jsonl[&year=][&agency=]`: the case list; the CSV
/// is headed in Chinese, for people opening it in a spreadsheet.
async fn cases(
    visitor: Visitor,
    services: web::Data<Services>,
    q: PageQuery<Scope>,
) -> Result<HttpResponse, WebError> {
    let me = visitor.staff(&services, AUDITORS).await?;
    let format = match q.format.as_deref().map(str::trim) {
        Some("json") => Format::Json,
        Some("jsonl") => Format::Jsonl,
        None | Some("" | "csv") => Format::Csv,
        Some(_) => return Err(unknown_format("csv、json 或 jsonl", "csv, json or jsonl")),
    };
    let year = super::form::optional_year(q.year.as_deref())?;
    if let Some(y) = year {
        report::check_year(y)?;
    }
    let agency_id = scoped(&services, me.secret.clone(), q.agency()).await?;
    let filter = CaseFilter {
        agency_id,
        year,
        heading: export::Heading::Chinese(export::CASE_HEADINGS),
    };
    let name = format.file_name("cases");
    let services = services.into_inner();
    Ok(stream(format, &name, move |sink| {
        let conn = &mut *services.conn()?;
        export::cases(
            conn,
            &services.calendars,
            &filter,
            format,
            services.now(),
            sink,
            None,
        )
    }))
}
