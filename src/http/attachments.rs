//! Files on a case over the API (issue 17): `multipart/form-data` uploads read as they stream
//! in — the kind judged from the first bytes, the size checked on every chunk, nothing stored
//! until the whole file has arrived and passed — and downloads streamed chunk by chunk.

use actix_multipart::Multipart;
use actix_web::http::header::{self, ContentDisposition, DispositionParam, DispositionType};
use actix_web::{web, HttpRequest, HttpResponse};
use futures_util::StreamExt;
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::extract::{BearerToken, BODY_TIMEOUT};
use super::problem::ApiError;
use crate::db::attachments::{AttachmentRow, CHUNK};
use crate::domain::attachment::{self, Purpose, Refusal};
use crate::domain::problem_code::ProblemCode;
use crate::msg;
use crate::service::attachments::{self as service, Admission, Intent, Received};
use crate::service::auth::Principal;
use crate::service::{FieldError, Services};

/// A file as the API shows it. Staff also see who gave it and whether it is theirs only.
#[derive(Serialize)]
pub struct AttachmentView<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub kind: attachment::Kind,
    pub media_type: &'static str,
    pub size: i64,
    pub sha256: &'a str,
    pub source: attachment::Source,
    pub purpose: Purpose,
    pub uploaded_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delivered_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redacts: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub staff_only: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uploaded_by: Option<&'a str>,
}

fn instant(t: chrono::NaiveDateTime) -> String {
    t.and_utc()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

pub fn view<'a>(a: &'a AttachmentRow, principal: &Principal) -> AttachmentView<'a> {
    let staff = principal.staff().is_some();
    AttachmentView {
        id: &a.id,
        name: &a.name,
        kind: a.kind,
        media_type: a.kind.media_type(),
        size: a.size,
        sha256: &a.sha256,
        source: a.source,
        purpose: a.purpose,
        uploaded_at: instant(a.uploaded_at),
        delivered_at: a.delivered_at.map(instant),
        redacts: a.redacts.as_deref().filter(|_| staff),
        staff_only: staff.then_some(a.staff_only),
        uploaded_by: a.uploaded_by_name.as_deref().filter(|_| staff),
    }
}

fn malformed(detail: impl std::fmt::Display) -> ApiError {
    ApiError::new(
        ProblemCode::MalformedUpload,
        msg!(
            "上传的内容不完整或格式有误，未保存任何文件",
            "the upload is incomplete or malformed; nothing was stored: {detail}"
        ),
    )
}

fn field(field: &str, code: &str, zh: &str, en: &str) -> ApiError {
    ApiError::invalid(vec![FieldError::new(
        field,
        code,
        crate::domain::message::Message::new(zh.to_owned(), en.to_owned()),
    )])
}

/// The form's parts: the file, what it is for, what it redacts, and (from a web page) the
/// anti-forgery token.
#[derive(Default)]
pub struct Parts {
    pub file: Option<Received>,
    pub purpose: Option<String>,
    pub redacts: Option<String>,
    pub csrf_token: Option<String>,
}

/// A short text part (at most 200 bytes).
async fn text_part(
    part: &mut actix_multipart::Field,
    ended: &std::cell::Cell<bool>,
) -> Result<String, ApiError> {
    text_part_within(part, ended, 200).await
}

async fn text_part_within(
    part: &mut actix_multipart::Field,
    ended: &std::cell::Cell<bool>,
    limit: usize,
) -> Result<String, ApiError> {
    let mut out = Vec::new();
    while let Some(chunk) = next_chunk(part, ended).await? {
        out.extend_from_slice(&chunk);
        if out.len() > limit {
            return Err(malformed(format!(
                "a text part is longer than {limit} bytes"
            )));
        }
    }
    String::from_utf8(out).map_err(|_| malformed("a text part is not UTF-8"))
}

/// The request body, telling when it has ended: a form cut off before its closing boundary
/// leaves the multipart reader waiting for bytes that will never come.
struct Watched<S> {
    inner: S,
    ended: std::rc::Rc<std::cell::Cell<bool>>,
}

impl<S: futures_util::Stream + Unpin> futures_util::Stream for Watched<S> {
    type Item = S::Item;

    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<S::Item>> {
        let polled = std::pin::Pin::new(&mut self.inner).poll_next(cx);
        if let std::task::Poll::Ready(None) = polled {
            self.ended.set(true);
        }
        polled
    }
}

/// How often a waiting read looks whether the body has ended.
const LOOK: std::time::Duration = std::time::Duration::from_millis(100);

fn stalled() -> ApiError {
    let secs = BODY_TIMEOUT.as_secs();
    ApiError::new(
        ProblemCode::BodyTimeout,
        msg!(
            "上传中断超过 {secs} 秒，未保存任何文件",
            "the upload stalled for {secs} s; nothing was stored"
        ),
    )
}

/// Waits for the next item of the form or of a part: 408 after `BODY_TIMEOUT` without one,
/// 400 at once when the body has ended without the form's closing boundary.
macro_rules! next_within {
    ($stream:expr, $ended:expr) => {{
        let mut waited = std::time::Duration::ZERO;
        loop {
            match actix_web::rt::time::timeout(LOOK, $stream.next()).await {
                Ok(item) => break Ok(item),
                Err(_) if $ended.get() => {
                    break Err(malformed(
                        "the body ended before the form's closing boundary",
                    ))
                }
                Err(_) if waited >= BODY_TIMEOUT => break Err(stalled()),
                Err(_) => waited += LOOK,
            }
        }
    }};
}

/// A multipart reader over the request's body, and the flag telling when that body ended.
fn watched_form(
    req: &HttpRequest,
    payload: web::Payload,
) -> (Multipart, std::rc::Rc<std::cell::Cell<bool>>) {
    let ended = std::rc::Rc::new(std::cell::Cell::new(false));
    let body = Watched {
        inner: payload,
        ended: ended.clone(),
    };
    (Multipart::new(req.headers(), body), ended)
}

/// The next piece of a part (see `next_within`); nothing of a failed upload is kept.
async fn next_chunk(
    part: &mut actix_multipart::Field,
    ended: &std::cell::Cell<bool>,
) -> Result<Option<web::Bytes>, ApiError> {
    match next_within!(part, ended)? {
        None => Ok(None),
        Some(Err(e)) => Err(malformed(e)),
        Some(Ok(bytes)) => Ok(Some(bytes)),
    }
}

/// Reads the file part: its kind from its first bytes, its size against the limits on every
/// piece, its SHA-256 as it comes, kept once in chunks of `CHUNK` bytes.
async fn file_part(
    part: &mut actix_multipart::Field,
    name: String,
    (admission, ended): (&Admission, &std::cell::Cell<bool>),
) -> Result<Received, ApiError> {
    let mut hasher = Sha256::new();
    let mut chunks: Vec<Vec<u8>> = Vec::new();
    let mut current: Vec<u8> = Vec::new();
    let (mut size, mut kind) = (0u64, None);
    while let Some(piece) = next_chunk(part, ended).await? {
        size += piece.len() as u64;
        admission
            .limits
            .check(size, admission.held)
            .map_err(|r| ApiError::from(service::refused(r)))?;
        hasher.update(&piece);
        let mut rest: &[u8] = &piece;
        while !rest.is_empty() {
            let room = CHUNK - current.len();
            let (now, later) = rest.split_at(room.min(rest.len()));
            current.extend_from_slice(now);
            rest = later;
            if current.len() == CHUNK {
                chunks.push(std::mem::take(&mut current));
            }
        }
        if kind.is_none() && size >= attachment::HEAD_BYTES as u64 {
            let head = chunks.first().unwrap_or(&current);
            kind = Some(sniffed(&head[..attachment::HEAD_BYTES])?);
        }
    }
    if !current.is_empty() {
        chunks.push(current);
    }
    let kind = match kind {
        Some(k) => k,
        None => sniffed(chunks.first().map_or(&[][..], |c| &c[..]))?,
    };
    Ok(Received {
        name,
        kind,
        sha256: hex::encode(hasher.finalize()),
        size,
        chunks,
    })
}

fn sniffed(head: &[u8]) -> Result<attachment::Kind, ApiError> {
    attachment::sniff(head).ok_or_else(|| service::refused(Refusal::KindNotAllowed).into())
}

/// Whether the request's body is a `multipart/form-data` form.
pub fn is_multipart(req: &HttpRequest) -> bool {
    let essence = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase());
    essence.as_deref() == Some("multipart/form-data")
}

/// The most files one online filing carries.
const FILING_FILES: usize = 10;

/// An online filing sent as a form: the application, as the JSON the API takes, in the part
/// `application`, and the applicant's files in parts `file` (at most `FILING_FILES`), each
/// checked as an upload is, the per-case limit counting them together.
pub async fn read_filing(
    req: &HttpRequest,
    payload: web::Payload,
    limits: attachment::Limits,
) -> Result<(web::Bytes, Vec<Received>), ApiError> {
    let (mut form, ended) = watched_form(req, payload);
    let (mut application, mut files) = (None, Vec::<Received>::new());
    while let Some(part) = next_within!(form, ended)? {
        let mut part = part.map_err(malformed)?;
        let disposition = part.content_disposition().cloned();
        let name = disposition
            .as_ref()
            .and_then(|d| d.get_name())
            .unwrap_or("")
            .to_owned();
        match name.as_str() {
            "application" => {
                let limit = super::extract::BODY_LIMIT;
                application = Some(text_part_within(&mut part, &ended, limit).await?);
            }
            "file" if files.len() == FILING_FILES => {
                return Err(field(
                    "file",
                    "too_many_files",
                    "一次申请最多附 10 个文件，其余可在提交后补充",
                    "a filing carries at most 10 files; add the others afterwards",
                ))
            }
            "file" => {
                let given = disposition
                    .as_ref()
                    .and_then(file_name_of)
                    .and_then(|n| attachment::file_name(&n))
                    .ok_or_else(|| {
                        field(
                            "file",
                            "name_missing",
                            "文件需要文件名",
                            "the file needs a file name",
                        )
                    })?;
                let admission = Admission {
                    source: attachment::Source::Applicant,
                    held: files.iter().map(|f| f.size).sum(),
                    limits,
                };
                files.push(file_part(&mut part, given, (&admission, &ended)).await?);
            }
            other => {
                return Err(field(
                    other,
                    "unknown_field",
                    "表单中有未知的部分（只接受 application 和 file）",
                    "unknown part (application and file are taken)",
                ))
            }
        }
    }
    let Some(application) = application else {
        return Err(field(
            "application",
            "required",
            "缺少申请内容（表单部分 application，JSON 格式）",
            "the form has no application (part `application`, as JSON)",
        ));
    };
    Ok((web::Bytes::from(application), files))
}

/// Reads the form: one `file`, `purpose`, and optionally `redacts` (and `csrf_token`, from a
/// page). Unknown parts are refused.
pub async fn read_form(
    req: &HttpRequest,
    payload: web::Payload,
    admission: &Admission,
) -> Result<Parts, ApiError> {
    if !is_multipart(req) {
        return Err(ApiError::new(
            ProblemCode::UnsupportedMediaType,
            msg!(
                "请以 multipart/form-data 格式上传文件",
                "upload files as multipart/form-data"
            ),
        ));
    }
    let (mut form, ended) = watched_form(req, payload);
    let mut parts = Parts::default();
    while let Some(part) = next_within!(form, ended)? {
        let mut part = part.map_err(malformed)?;
        let disposition = part.content_disposition().cloned();
        let name = disposition
            .as_ref()
            .and_then(|d| d.get_name())
            .unwrap_or("")
            .to_owned();
        match name.as_str() {
            "file" if parts.file.is_some() => {
                return Err(field(
                    "file",
                    "one_file",
                    "每次上传一个文件",
                    "upload one file at a time",
                ))
            }
            "file" => {
                let given = disposition
                    .as_ref()
                    .and_then(file_name_of)
                    .and_then(|n| attachment::file_name(&n));
                let Some(given) = given else {
                    return Err(field(
                        "file",
                        "name_missing",
                        "文件需要文件名",
                        "the file needs a file name",
                    ));
                };
                parts.file = Some(file_part(&mut part, given, (admission, &ended)).await?);
            }
            "purpose" => parts.purpose = Some(text_part(&mut part, &ended).await?),
            "redacts" => parts.redacts = Some(text_part(&mut part, &ended).await?),
            "csrf_token" => parts.csrf_token = Some(text_part(&mut part, &ended).await?),
            other => {
                return Err(field(
                    other,
                    "unknown_field",
                    "表单中有未知的部分（只接受 file、purpose、redacts）",
                    "unknown part (file, purpose and redacts are taken)",
                ))
            }
        }
    }
    Ok(parts)
}

/// A page's small form sent as `multipart/form-data` because it carries a text file (a holiday
/// notice): every part read as UTF-8 text, a file under its input's name, in the order sent,
/// all of it within `limit` bytes.
pub async fn read_text_form(
    req: &HttpRequest,
    payload: web::Payload,
    limit: usize,
) -> Result<Vec<(String, String)>, ApiError> {
    let (mut form, ended) = watched_form(req, payload);
    let mut fields = Vec::new();
    let mut left = limit;
    while let Some(part) = next_within!(form, ended)? {
        let mut part = part.map_err(malformed)?;
        let name = part
            .content_disposition()
            .and_then(|d| d.get_name())
            .unwrap_or("")
            .to_owned();
        let value = text_part_within(&mut part, &ended, left).await?;
        left -= value.len();
        fields.push((name, value));
    }
    Ok(fields)
}

/// The file name a part gives: `filename*` (RFC 5987, UTF-8) before `filename`.
fn file_name_of(d: &ContentDisposition) -> Option<String> {
    if let Some(ext) = d.get_filename_ext() {
        if let Ok(s) = String::from_utf8(ext.value.clone()) {
            return Some(s);
        }
    }
    d.get_filename().map(str::to_owned)
}

/// `POST /api/v1/applications/{id}/attachments`: the applicant (access token) or a clerk or
/// approver of the office attaches one file. 201 with the file as listed.
pub async fn upload(
    token: BearerToken,
    services: web::Data<Services>,
    path: web::Path<String>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    // Who may attach, and what the case holds, before a byte of the file is read.
    let admission = {
        let (s, t, id) = (services.clone(), token.0.clone(), id.clone());
        web::block(move || service::admit(&s, Some(&t), &id)).await??
    };
    let parts = read_form(&req, payload, &admission).await?;
    let (intent, file) = intent_of(parts)?;
    let (s, t, case) = (services.clone(), token.0.clone(), id.clone());
    let (row, principal) =
        web::block(move || service::attach(&s, Some(&t), &case, intent, file, s.now())).await??;
    Ok(HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!("/api/v1/applications/{id}/attachments/{}", row.id),
        ))
        .json(view(&row, &principal)))
}

/// What an upload form says: its file, and what the file is for.
pub fn intent_of(parts: Parts) -> Result<(Intent, Received), ApiError> {
    let Some(file) = parts.file else {
        return Err(field(
            "file",
            "required",
            "缺少文件（表单部分 file）",
            "the form has no file (part `file`)",
        ));
    };
    let purpose = match parts.purpose.as_deref().map(str::trim) {
        None | Some("") => return Err(field(
            "purpose",
            "required",
            "请说明文件用途：request、correction、proof、disclosure、annex 或 working",
            "say what the file is for: request, correction, proof, disclosure, annex or working",
        )),
        Some(p) => Purpose::parse(p).ok_or_else(|| {
            field(
                "purpose",
                "unknown_value",
                "文件用途只能是 request、correction、proof、disclosure、annex 或 working",
                "purpose is one of request, correction, proof, disclosure, annex, working",
            )
        })?,
    };
    let intent = Intent {
        purpose,
        redacts: parts
            .redacts
            .map(|r| r.trim().to_owned())
            .filter(|r| !r.is_empty()),
    };
    Ok((intent, file))
}

/// `GET /api/v1/applications/{id}/attachments`: the files the caller may read.
pub async fn list(
    token: BearerToken,
    services: web::Data<Services>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let (principal, rows) =
        web::block(move || service::list(&services, Some(&token.0), &id)).await??;
    let items: Vec<_> = rows.iter().map(|a| view(a, &principal)).collect();
    Ok(HttpResponse::Ok().json(serde_json::json!({ "items": items })))
}

/// `GET /api/v1/applications/{id}/attachments/{attachment_id}`: the file itself, streamed a
/// chunk at a time, with its type, its name and its SHA-256 (`Digest`).
pub async fn download(
    token: BearerToken,
    services: web::Data<Services>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (id, attachment_id) = path.into_inner();
    let s = services.clone();
    let row = web::block(move || service::one(&s, Some(&token.0), &id, &attachment_id)).await??;
    Ok(file_response(services.get_ref().clone(), &row))
}

/// A file as a download: its media type, `Content-Disposition: attachment` with its name
/// (RFC 6266, UTF-8), its length and SHA-256, the content read chunk by chunk off the workers.
pub fn file_response(services: Services, row: &AttachmentRow) -> HttpResponse {
    let sha256 = row.sha256.clone();
    let chunks = futures_util::stream::unfold(0i32, move |seq| {
        let (s, sha) = (services.clone(), sha256.clone());
        async move {
            let read = web::block(move || service::content(&s, &sha, seq)).await;
            match read {
                Ok(Ok(Some(bytes))) => Some((Ok(web::Bytes::from(bytes)), seq + 1)),
                Ok(Ok(None)) => None,
                Ok(Err(e)) => Some((Err(actix_web::error::ErrorInternalServerError(e)), i32::MAX)),
                Err(e) => Some((Err(actix_web::error::ErrorInternalServerError(e)), i32::MAX)),
            }
        }
    });
    let disposition = ContentDisposition {
        disposition: DispositionType::Attachment,
        parameters: vec![DispositionParam::FilenameExt(
            actix_web::http::header::ExtendedValue {
                charset: actix_web::http::header::Charset::Ext("UTF-8".into()),
                language_tag: None,
                value: row.name.as_bytes().to_vec(),
            },
        )],
    };
    HttpResponse::Ok()
        .content_type(row.kind.media_type())
        .insert_header((header::CONTENT_DISPOSITION, disposition))
        .insert_header(("X-Content-SHA256", row.sha256.clone()))
        .insert_header((header::ETAG, format!("\"{}\"", row.sha256)))
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .no_chunking(u64::try_from(row.size).unwrap_or(0))
        .streaming(chunks)
}
