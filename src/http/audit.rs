//! Auditors' endpoints: verifying the chain, streaming exports, and the annual report.

use std::pin::Pin;
use std::task::{Context, Poll};

use actix_web::body::{BodySize, MessageBody};
use actix_web::web::Bytes;
use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use tokio::sync::mpsc;

use super::extract::BearerToken;
use super::problem::ApiError;
use crate::service::audit::{audit_scope, verify};
use crate::service::export::{self, CaseFilter, EventFilter, Format};
use crate::service::{report, report_format, ServiceError, Services};

/// A response body fed from a bounded channel: the export thread waits while the client is
/// slow, so memory stays flat however large the export.
struct Channel(mpsc::Receiver<Bytes>);

impl MessageBody for Channel {
    type Error = std::convert::Infallible;

    fn size(&self) -> BodySize {
        BodySize::Stream
    }

    fn poll_next(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Bytes, Self::Error>>> {
        self.0.poll_recv(cx).map(|chunk| chunk.map(Ok))
    }
}

/// Runs `export` on a blocking thread, sending each chunk as it is written.
pub(crate) fn stream<F>(format: Format, filename: &str, export: F) -> HttpResponse
where
    F: FnOnce(&mut dyn FnMut(Vec<u8>) -> bool) -> Result<usize, ServiceError> + Send + 'static,
{
    let (tx, rx) = mpsc::channel::<Bytes>(8);
    actix_web::rt::task::spawn_blocking(move || {
        let mut sink = |chunk: Vec<u8>| tx.blocking_send(Bytes::from(chunk)).is_ok();
        if let Err(e) = export(&mut sink) {
            // The status is sent; a cut-off body (no closing line) tells the reader it failed.
            tracing::error!(error = %e, "an export failed part-way");
        }
    });
    HttpResponse::Ok()
        .content_type(format.content_type())
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"{filename}\""),
        ))
        .body(Channel(rx))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerifyParams {
    agency: Option<String>,
}

/// `GET /api/v1/audit/verify`
pub async fn verify_chain(
    token: BearerToken,
    services: web::Data<Services>,
    q: web::Query<VerifyParams>,
) -> Result<HttpResponse, ApiError> {
    let result = web::block(move || {
        let conn = &mut *services.conn()?;
        let (_, agency) = audit_scope(conn, Some(&token.0), q.agency.as_deref())?;
        verify(conn, agency.as_deref(), None)
    })
    .await??;
    Ok(HttpResponse::Ok().json(result))
}

#[derive(Deserialize, Clone, Copy)]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    Jsonl,
    Csv,
    Json,
}

impl From<ExportFormat> for Format {
    fn from(f: ExportFormat) -> Self {
        match f {
            ExportFormat::Jsonl => Format::Jsonl,
            ExportFormat::Csv => Format::Csv,
            ExportFormat::Json => Format::Json,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventParams {
    agency: Option<String>,
    application: Option<String>,
    actor: Option<String>,
    action: Option<String>,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
    format: Option<ExportFormat>,
}

/// `GET /api/v1/audit/events`
pub async fn events(
    token: BearerToken,
    services: web::Data<Services>,
    q: web::Query<EventParams>,
) -> Result<HttpResponse, ApiError> {
    let q = q.into_inner();
    let format: Format = q.format.unwrap_or(ExportFormat::Jsonl).into();
    if format == Format::Json {
        return Err(ServiceError::Invalid(vec![crate::service::FieldError::new(
            "format",
            "unsupported",
            crate::msg!(
                "事件只能导出为 jsonl 或 csv",
                "events are exported as jsonl or csv"
            ),
        )])
        .into());
    }
    let s = services.clone();
    let agency_id = web::block(move || {
        let conn = &mut *s.conn()?;
        audit_scope(conn, Some(&token.0), q.agency.as_deref()).map(|(_, a)| a)
    })
    .await??;
    let filter = EventFilter {
        agency_id,
        application: q.application,
        actor: q.actor,
        action: q.action,
        from: q.from,
        to: q.to,
    };
    let name = if format == Format::Csv {
        "events.csv"
    } else {
        "events.jsonl"
    };
    Ok(stream(format, name, move |sink| {
        let conn = &mut *services.conn()?;
        export::events(conn, &filter, format, sink, None)
    }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseParams {
    agency: Option<String>,
    year: Option<i32>,
    format: Option<ExportFormat>,
}

/// `GET /api/v1/audit/cases`
pub async fn cases(
    token: BearerToken,
    services: web::Data<Services>,
    q: web::Query<CaseParams>,
) -> Result<HttpResponse, ApiError> {
    let q = q.into_inner();
    let format: Format = q.format.unwrap_or(ExportFormat::Csv).into();
    if let Some(y) = q.year {
        report::check_year(y)?;
    }
    let s = services.clone();
    let agency_id = web::block(move || {
        let conn = &mut *s.conn()?;
        audit_scope(conn, Some(&token.0), q.agency.as_deref()).map(|(_, a)| a)
    })
    .await??;
    let filter = CaseFilter {
        agency_id,
        year: q.year,
        ..CaseFilter::default()
    };
    let name = format.file_name("cases");
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

#[derive(Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum ReportFormat {
    Json,
    Csv,
    Html,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnnualParams {
    agency: String,
    year: i32,
    format: Option<ReportFormat>,
}

/// `GET /api/v1/reports/annual`
pub async fn annual(
    token: BearerToken,
    services: web::Data<Services>,
    q: web::Query<AnnualParams>,
) -> Result<HttpResponse, ApiError> {
    let q = q.into_inner();
    let year = report::check_year(q.year)?;
    let r = web::block(move || {
        let conn = &mut *services.conn()?;
        let agency = report::scope(conn, Some(&token.0), &q.agency)?;
        report::annual(conn, agency, year, None)
    })
    .await??;
    let name = format!("{}-{}-annual-report", r.agency.code, r.year);
    let attach = |ext: &str| {
        (
            "Content-Disposition",
            format!("inline; filename=\"{name}.{ext}\""),
        )
    };
    Ok(match q.format.unwrap_or(ReportFormat::Json) {
        ReportFormat::Json => HttpResponse::Ok().json(report_format::json(&r)),
        ReportFormat::Csv => HttpResponse::Ok()
            .content_type("text/csv; charset=utf-8")
            .insert_header(attach("csv"))
            .body(report_format::csv(&r).map_err(ServiceError::Internal)?),
        ReportFormat::Html => HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .body(report_format::html(&r).map_err(ServiceError::Internal)?),
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CellParams {
    agency: String,
    year: i32,
    row: String,
    column: String,
}

/// `GET /api/v1/reports/annual/cases`
pub async fn annual_cases(
    token: BearerToken,
    services: web::Data<Services>,
    q: web::Query<CellParams>,
) -> Result<HttpResponse, ApiError> {
    let q = q.into_inner();
    let year = report::check_year(q.year)?;
    let list = web::block(move || {
        let conn = &mut *services.conn()?;
        let agency = report::scope(conn, Some(&token.0), &q.agency)?;
        report::cell_cases(conn, &agency.id, year, &q.row, &q.column)
            .map(|items| serde_json::json!({ "row": q.row, "column": q.column, "count": items.len(), "items": items }))
    })
    .await??;
    Ok(HttpResponse::Ok().json(list))
}
