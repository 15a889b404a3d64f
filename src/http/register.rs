//! The register of documents (公文公开属性台账) over the API: the office's documents, their
//! status and its history, CSV in and out, the documents a case names, and the annual review.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use serde::Deserialize;
use validator::Validate;

use super::extract::{parse_json_value, BearerToken, JsonBody, RawJson, BODY_TIMEOUT};
use super::problem::ApiError;
use crate::domain::case::Outcome;
use crate::domain::problem_code::ProblemCode;
use crate::domain::register::DisclosureStatus;
use crate::msg;
use crate::service::register::{api, DecisionInput, EntryInput, Naming};
use crate::service::{register, FieldError, ServiceError, Services};

/// The largest CSV an import takes: some ten thousand documents.
pub const CSV_LIMIT: usize = 4 * 1024 * 1024;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    status: Option<DisclosureStatus>,
}

/// `GET /api/v1/agencies/{code}/documents[?status=…]`
pub async fn list(
    token: BearerToken,
    services: web::Data<Services>,
    code: web::Path<String>,
    q: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let (code, status) = (code.into_inner(), q.into_inner().status);
    let items = web::block(move || api::list(&services, Some(&token.0), &code, status)).await??;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "items": items })))
}

#[derive(Debug, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct NewEntry {
    #[validate(length(min = 1, max = 100))]
    document_number: String,
    #[validate(length(min = 1, max = 300))]
    title: String,
    #[validate(length(min = 1, max = 100))]
    issued_by: String,
    #[serde(with = "crate::domain::date::strict")]
    issued_on: NaiveDate,
    status: DisclosureStatus,
    #[serde(default)]
    #[validate(length(max = 2000))]
    grounds: Option<String>,
    #[serde(default)]
    #[validate(length(max = 2000))]
    reasons: Option<String>,
}

/// `POST /api/v1/agencies/{code}/documents` (clerks, admins): 201 with the document.
pub async fn create(
    token: BearerToken,
    services: web::Data<Services>,
    code: web::Path<String>,
    body: JsonBody<NewEntry>,
) -> Result<HttpResponse, ApiError> {
    let code = code.into_inner();
    let b = body.0;
    let input = EntryInput {
        document_number: b.document_number,
        title: b.title,
        issued_by: b.issued_by,
        issued_on: Some(b.issued_on),
        status: Some(b.status),
        grounds: b.grounds,
        reasons: b.reasons,
    };
    let at = code.clone();
    let entry = web::block(move || api::create(&services, Some(&token.0), &code, &input)).await??;
    Ok(HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!("/api/v1/agencies/{at}/documents/{}", entry.id),
        ))
        .json(entry))
}

/// `GET /api/v1/agencies/{code}/documents/{id}`: the document with its status history and the
/// review's decisions on it.
pub async fn get(
    token: BearerToken,
    services: web::Data<Services>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (code, id) = path.into_inner();
    let entry = web::block(move || api::get(&services, Some(&token.0), &code, &id)).await??;
    Ok(HttpResponse::Ok().json(entry))
}

#[derive(Debug, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct NewStatus {
    status: DisclosureStatus,
    #[serde(default)]
    #[validate(length(max = 2000))]
    grounds: Option<String>,
    #[serde(default)]
    #[validate(length(max = 2000))]
    reasons: Option<String>,
}

/// `POST /api/v1/agencies/{code}/documents/{id}/status` (clerks, admins): a new row of the
/// document's history.
pub async fn change_status(
    token: BearerToken,
    services: web::Data<Services>,
    path: web::Path<(String, String)>,
    body: JsonBody<NewStatus>,
) -> Result<HttpResponse, ApiError> {
    let (code, id) = path.into_inner();
    let b = body.0;
    let given = register::StatusInput {
        status: b.status,
        grounds: b.grounds,
        reasons: b.reasons,
    };
    let entry =
        web::block(move || api::change_status(&services, Some(&token.0), &code, &id, &given))
            .await??;
    Ok(HttpResponse::Ok().json(entry))
}

/// `GET /api/v1/agencies/{code}/documents.csv`: the register as CSV (UTF-8 with a BOM).
pub async fn export(
    token: BearerToken,
    services: web::Data<Services>,
    code: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let code = code.into_inner();
    let name = format!("{code}-documents.csv");
    let bytes = web::block(move || api::export_csv(&services, Some(&token.0), &code)).await??;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/csv; charset=utf-8"))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}\""),
        ))
        .body(bytes))
}

/// Reads a CSV body: `text/csv`, within `CSV_LIMIT` and the body timeout.
async fn csv_body(req: &HttpRequest, payload: web::Payload) -> Result<Vec<u8>, ApiError> {
    let essence = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if essence != "text/csv" {
        return Err(ApiError::new(
            ProblemCode::UnsupportedMediaType,
            msg!(
                "请以 text/csv 格式发送台账",
                "send the register as text/csv"
            ),
        ));
    }
    let read = async {
        match payload.to_bytes_limited(CSV_LIMIT).await {
            Err(_) => Err(ApiError::new(
                ProblemCode::PayloadTooLarge,
                msg!(
                    "CSV 不能超过 {CSV_LIMIT} 字节",
                    "the CSV is limited to {CSV_LIMIT} bytes"
                ),
            )),
            Ok(Err(e)) => Err(ApiError::new(
                ProblemCode::UnreadableBody,
                msg!("无法读取请求体", "the body could not be read: {e}"),
            )),
            Ok(Ok(bytes)) => Ok(bytes.to_vec()),
        }
    };
    let Ok(read) = actix_web::rt::time::timeout(BODY_TIMEOUT, read).await else {
        let secs = BODY_TIMEOUT.as_secs();
        return Err(ApiError::new(
            ProblemCode::BodyTimeout,
            msg!(
                "请求体未在 {secs} 秒内到达",
                "the body did not arrive within {secs} s"
            ),
        ));
    };
    read
}

/// `POST /api/v1/agencies/{code}/documents/import` (clerks, admins): a CSV body creating or
/// updating documents by their number, all rows or none.
pub async fn import(
    token: BearerToken,
    services: web::Data<Services>,
    code: web::Path<String>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let bytes = csv_body(&req, payload).await?;
    let code = code.into_inner();
    let summary =
        web::block(move || api::import_csv(&services, Some(&token.0), &code, &bytes)).await??;
    Ok(HttpResponse::Ok().json(summary))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReviewQuery {
    #[serde(default, with = "crate::domain::date::strict_option")]
    as_of: Option<NaiveDate>,
}

/// `GET /api/v1/agencies/{code}/documents/review?as_of=YYYY-MM-DD`: the annual review.
pub async fn review(
    token: BearerToken,
    services: web::Data<Services>,
    code: web::Path<String>,
    q: web::Query<ReviewQuery>,
) -> Result<HttpResponse, ApiError> {
    let (code, as_of) = (code.into_inner(), q.into_inner().as_of);
    let r = web::block(move || api::review(&services, Some(&token.0), &code, as_of)).await??;
    Ok(HttpResponse::Ok().json(r))
}

#[derive(Debug, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct Decisions {
    #[validate(length(min = 1, max = 500), nested)]
    decisions: Vec<DecisionInput>,
}

/// `POST /api/v1/agencies/{code}/documents/review/decisions` (approvers): 201 with the
/// decisions recorded.
pub async fn decide(
    token: BearerToken,
    services: web::Data<Services>,
    code: web::Path<String>,
    body: JsonBody<Decisions>,
) -> Result<HttpResponse, ApiError> {
    let code = code.into_inner();
    let list = body.0.decisions;
    let items = web::block(move || api::decide(&services, Some(&token.0), &code, &list)).await??;
    Ok(HttpResponse::Created().json(serde_json::json!({ "items": items })))
}

/// `PUT /api/v1/applications/{id}/documents` (the office's clerks and approvers): the
/// documents the case concerns, `[{document_id, outcome?}]`, replacing those named before.
pub async fn name_documents(
    token: BearerToken,
    services: web::Data<Services>,
    id: web::Path<String>,
    body: RawJson,
) -> Result<HttpResponse, ApiError> {
    if body.0.is_empty() {
        return Err(ApiError::new(
            ProblemCode::MalformedJson,
            msg!("请求体为空", "the body is empty"),
        ));
    }
    let value = parse_json_value(&body.0)?;
    let items = namings(value)?;
    let id = id.into_inner();
    let named = web::block(move || register::name_documents(&services, Some(&token.0), &id, items))
        .await??;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "items": named })))
}

/// The body of `name_documents`: an array of `{document_id, outcome?}`, each fault named by
/// its place (`[2].outcome`).
fn namings(value: serde_json::Value) -> Result<Vec<Naming>, ApiError> {
    let serde_json::Value::Array(list) = value else {
        return Err(ServiceError::invalid(
            "",
            "array",
            msg!(
                "请求体须为数组：[{{\"document_id\": …, \"outcome\": …}}]",
                "the body is an array: [{{\"document_id\": …, \"outcome\": …}}]"
            ),
        )
        .into());
    };
    let mut errors = Vec::new();
    let mut out = Vec::new();
    if list.len() > 500 {
        errors.push(FieldError::new(
            "",
            "length",
            msg!("至多 500 项", "at most 500 documents"),
        ));
    }
    for (i, item) in list.into_iter().enumerate() {
        let Some(obj) = item.as_object() else {
            errors.push(FieldError::new(
                format!("[{i}]"),
                "object",
                msg!("须为对象", "must be an object"),
            ));
            continue;
        };
        for key in obj
            .keys()
            .filter(|k| *k != "document_id" && *k != "outcome")
        {
            errors.push(FieldError::new(
                format!("[{i}].{key}"),
                "unknown_field",
                msg!("不认识的字段", "unknown field"),
            ));
        }
        let document_id = match obj.get("document_id").and_then(|v| v.as_str()) {
            Some(s) if !s.trim().is_empty() && s.len() <= 64 => Some(s.to_owned()),
            _ => {
                errors.push(FieldError::new(
                    format!("[{i}].document_id"),
                    "required",
                    msg!(
                        "须为台账中公文的编号",
                        "must be the id of a document in the register"
                    ),
                ));
                None
            }
        };
        let outcome = match obj.get("outcome") {
            None | Some(serde_json::Value::Null) => Some(None),
            Some(v) => match v.as_str().and_then(Outcome::parse) {
                Some(o) => Some(Some(o)),
                None => {
                    errors.push(FieldError::new(
                        format!("[{i}].outcome"),
                        "unknown_variant",
                        msg!("不认识的答复结果", "not an outcome the service knows"),
                    ));
                    None
                }
            },
        };
        if let (Some(document_id), Some(outcome)) = (document_id, outcome) {
            out.push(Naming {
                document_id,
                outcome,
            });
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(ApiError::invalid(errors))
    }
}
