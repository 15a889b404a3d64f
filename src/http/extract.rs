//! Validation at the edge: JSON bodies with the path of every bad field, bearer tokens, versions.

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpRequest};
use serde::de::DeserializeOwned;
use std::future::Future;
use std::pin::Pin;
use validator::Validate;

use super::problem::ApiError;
use crate::service::forms::field_errors;
use crate::service::FieldError;

/// The largest body any endpoint takes: an application is a few kilobytes.
pub const BODY_LIMIT: usize = 64 * 1024;

/// Reads the raw body within the limit, refusing anything that is not JSON.
pub async fn json_bytes(req: &HttpRequest, payload: &mut Payload) -> Result<web::Bytes, ApiError> {
    let bytes = web::Bytes::from_request(req, payload).await.map_err(|e| {
        let status = e.as_response_error().status_code();
        if status == actix_web::http::StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(
                status,
                "payload_too_large",
                format!("bodies are limited to {BODY_LIMIT} bytes"),
            )
        } else {
            ApiError::bad_request("unreadable_body", e.to_string())
        }
    })?;
    if !bytes.is_empty() {
        let ct = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let essence = ct
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        if essence != "application/json" && !essence.ends_with("+json") {
            return Err(ApiError::new(
                actix_web::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "send the body as application/json",
            ));
        }
    }
    Ok(bytes)
}

/// Parses JSON: a syntax error is a 400; a well-formed body of the wrong shape is a 422 naming
/// the field; then the field rules are checked.
pub fn parse_value<T: DeserializeOwned + Validate>(
    value: serde_json::Value,
) -> Result<T, ApiError> {
    let parsed: T = serde_path_to_error::deserialize(value).map_err(|e| {
        let message = e.inner().to_string();
        let path = e.path().to_string();
        let mut field = if path == "." { String::new() } else { path };
        // serde names a missing or unknown field in its message, not in the path.
        let (code, named) = match message.split('`').collect::<Vec<_>>().as_slice() {
            [m, name, ..] if m.starts_with("missing field") => ("required", Some(*name)),
            [m, name, ..] if m.starts_with("unknown field") => ("unknown_field", Some(*name)),
            _ => ("invalid", None),
        };
        match named {
            Some(name) if field.is_empty() => field = name.to_owned(),
            Some(name) if !field.ends_with(name) => field = format!("{field}.{name}"),
            _ => {}
        }
        ApiError::invalid(vec![FieldError::new(field, code, message)])
    })?;
    parsed
        .validate()
        .map_err(|e| ApiError::invalid(field_errors(&e)))?;
    Ok(parsed)
}

pub fn parse_json_value(bytes: &[u8]) -> Result<serde_json::Value, ApiError> {
    if bytes.is_empty() {
        return Ok(serde_json::Value::Object(Default::default()));
    }
    serde_json::from_slice(bytes).map_err(|e| {
        ApiError::bad_request("malformed_json", format!("the body is not valid JSON: {e}"))
    })
}

/// A validated JSON body.
pub struct JsonBody<T>(pub T);

impl<T: DeserializeOwned + Validate + 'static> FromRequest for JsonBody<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let mut payload = payload.take();
        Box::pin(async move {
            let bytes = json_bytes(&req, &mut payload).await?;
            if bytes.is_empty() {
                return Err(ApiError::bad_request("malformed_json", "the body is empty"));
            }
            parse_value(parse_json_value(&bytes)?).map(JsonBody)
        })
    }
}

/// A JSON body not yet parsed, for endpoints whose body shape depends on the path.
pub struct RawJson(pub web::Bytes);

impl FromRequest for RawJson {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let mut payload = payload.take();
        Box::pin(async move { json_bytes(&req, &mut payload).await.map(RawJson) })
    }
}

/// The bearer token, required: a request without one is a 401 before anything else is read.
/// Whether it is valid is checked against the database inside the handler's one blocking call.
pub struct BearerToken(pub String);

impl FromRequest for BearerToken {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let token = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, token)| token.trim())
            .filter(|token| !token.is_empty());
        std::future::ready(match token {
            Some(t) => Ok(Self(t.to_owned())),
            None => Err(ApiError::new(
                actix_web::http::StatusCode::UNAUTHORIZED,
                "unauthenticated",
                "send a token as Authorization: Bearer TOKEN",
            )),
        })
    }
}

/// `If-Match: "3"` (also `W/"3"` or `3`): the version the client last saw.
pub fn if_match(req: &HttpRequest) -> Result<Option<i32>, ApiError> {
    let Some(value) = req.headers().get(header::IF_MATCH) else {
        return Ok(None);
    };
    let raw = value.to_str().unwrap_or("").trim();
    let raw = raw.strip_prefix("W/").unwrap_or(raw).trim_matches('"');
    raw.parse::<i32>().map(Some).map_err(|_| {
        ApiError::bad_request(
            "invalid_header",
            "If-Match must be the case's ETag, e.g. \"3\"",
        )
    })
}

/// `Idempotency-Key`: 1 to 200 visible ASCII characters.
pub fn idempotency_key(req: &HttpRequest) -> Result<Option<String>, ApiError> {
    let Some(value) = req.headers().get("idempotency-key") else {
        return Ok(None);
    };
    match value.to_str() {
        Ok(k) if (1..=200).contains(&k.len()) && k.bytes().all(|b| b.is_ascii_graphic()) => {
            Ok(Some(k.to_owned()))
        }
        _ => Err(ApiError::bad_request(
            "invalid_header",
            "Idempotency-Key must be 1 to 200 visible ASCII characters",
        )),
    }
}

/// The ETag of a case at a version.
pub fn etag(version: i32) -> (header::HeaderName, String) {
    (header::ETAG, format!("\"{version}\""))
}
