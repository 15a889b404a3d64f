//! Validation at the edge: JSON bodies with the path of every bad field, bearer tokens, versions.

use crate::security::SESSION_PREFIX;
use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpRequest};
use serde::de::DeserializeOwned;
use std::future::Future;
use std::pin::Pin;
use validator::Validate;

use super::collect;
use super::problem::ApiError;
use crate::domain::problem_code::ProblemCode;
use crate::msg;
use crate::service::forms::Form;
use crate::service::FieldError;

/// The largest body any endpoint takes: an application is a few kilobytes.
pub const BODY_LIMIT: usize = 64 * 1024;

/// How long a request body may take to arrive once its head has come: a client that stalls
/// (or trickles) is answered 408 and its connection closed, so it cannot hold a worker.
pub const BODY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// Reads the raw body within the limit, refusing anything that is not JSON.
pub async fn json_bytes(req: &HttpRequest, payload: &mut Payload) -> Result<web::Bytes, ApiError> {
    let read = web::Bytes::from_request(req, payload);
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
    let bytes = read.map_err(|e| {
        let status = e.as_response_error().status_code();
        if status == actix_web::http::StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(
                ProblemCode::PayloadTooLarge,
                msg!(
                    "请求体不能超过 {BODY_LIMIT} 字节",
                    "bodies are limited to {BODY_LIMIT} bytes"
                ),
            )
        } else {
            ApiError::new(
                ProblemCode::UnreadableBody,
                msg!("无法读取请求体", "the body could not be read: {e}"),
            )
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
                ProblemCode::UnsupportedMediaType,
                msg!(
                    "请以 application/json 格式发送请求体",
                    "send the body as application/json"
                ),
            ));
        }
    }
    Ok(bytes)
}

/// Parses JSON: a syntax error is a 400; a well-formed body of the wrong shape is a 422 naming
/// every field at fault (not only the first serde meets), with the field rules checked too.
pub fn parse_value<T: DeserializeOwned + Validate>(
    value: serde_json::Value,
) -> Result<T, ApiError> {
    collect::checked(value, |_: &T, _: &dyn Fn(&str) -> bool| Vec::new())
}

/// Parses a JSON body: malformed JSON, or an object naming a key twice, is a 400 (serde_json
/// would silently keep the last one, so two readers could see two different requests); a NUL
/// character in any string is a 422 naming the field (no database stores it as text).
pub fn parse_json_value(bytes: &[u8]) -> Result<serde_json::Value, ApiError> {
    if bytes.is_empty() {
        return Ok(serde_json::Value::Object(Default::default()));
    }
    let value = serde_json::from_slice::<UniqueKeys>(bytes)
        .map_err(|e| {
            let (line, column) = (e.line(), e.column());
            if e.to_string().starts_with(DUPLICATE_KEY) {
                ApiError::new(
                    ProblemCode::DuplicateKey,
                    msg!(
                        "请求体中的对象重复列出了同一个键（第 {line} 行第 {column} 列）",
                        "the body is not valid JSON: {e}"
                    ),
                )
            } else {
                ApiError::new(
                    ProblemCode::MalformedJson,
                    msg!(
                        "请求体不是有效的 JSON（第 {line} 行第 {column} 列附近）",
                        "the body is not valid JSON: {e}"
                    ),
                )
            }
        })?
        .0;
    let mut errors = Vec::new();
    find_nul(&value, &mut String::new(), &mut errors);
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    Ok(value)
}

const DUPLICATE_KEY: &str = "duplicate key";

/// A JSON value whose objects name each key once.
struct UniqueKeys(serde_json::Value);

impl<'de> serde::Deserialize<'de> for UniqueKeys {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(UniqueKeysVisitor).map(UniqueKeys)
    }
}

struct UniqueKeysVisitor;

impl<'de> serde::de::Visitor<'de> for UniqueKeysVisitor {
    type Value = serde_json::Value;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Self::Value, E> {
        Ok(v.into())
    }
    fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
        Ok(v.into())
    }
    fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
        Ok(v.into())
    }
    fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(serde_json::Value::Null, Into::into))
    }
    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(v.into())
    }
    fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
        Ok(v.into())
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(serde_json::Value::Null)
    }
    fn visit_none<E>(self) -> Result<Self::Value, E> {
        Ok(serde_json::Value::Null)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut items = Vec::new();
        while let Some(UniqueKeys(v)) = seq.next_element()? {
            items.push(v);
        }
        Ok(serde_json::Value::Array(items))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut object = serde_json::Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let UniqueKeys(value) = map.next_value()?;
            if object.contains_key(&key) {
                return Err(serde::de::Error::custom(format_args!(
                    "{DUPLICATE_KEY} {key:?}"
                )));
            }
            object.insert(key, value);
        }
        Ok(serde_json::Value::Object(object))
    }
}

/// Every string (value or key) holding U+0000, by the path of its field.
fn find_nul(value: &serde_json::Value, path: &mut String, out: &mut Vec<FieldError>) {
    use serde_json::Value;
    match value {
        Value::String(s) if s.contains('\0') => out.push(FieldError::new(
            path.clone(),
            "nul_character",
            msg!(
                "文字中不能含有 NUL 字符（U+0000）",
                "text must not contain the NUL character (U+0000)"
            ),
        )),
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                find_nul(v, path, out);
                path.truncate(len);
            }
        }
        Value::Object(map) => {
            for (k, v) in map {
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(&k.replace('\0', "\\u0000"));
                if k.contains('\0') {
                    out.push(FieldError::new(
                        path.clone(),
                        "nul_character",
                        msg!(
                            "键名中不能含有 NUL 字符（U+0000）",
                            "a key must not contain the NUL character (U+0000)"
                        ),
                    ));
                }
                find_nul(v, path, out);
                path.truncate(len);
            }
        }
        _ => {}
    }
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
                return Err(empty_body());
            }
            parse_value(parse_json_value(&bytes)?).map(JsonBody)
        })
    }
}

/// An application form: like `JsonBody`, and when anything is wrong the checks across its
/// fields (an identity number's checksum, the address a delivery needs) join the same answer.
pub struct JsonForm<T>(pub T);

impl<T: Form + 'static> FromRequest for JsonForm<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let mut payload = payload.take();
        Box::pin(async move {
            let bytes = json_bytes(&req, &mut payload).await?;
            if bytes.is_empty() {
                return Err(empty_body());
            }
            collect::checked(parse_json_value(&bytes)?, T::cross_check).map(JsonForm)
        })
    }
}

fn empty_body() -> ApiError {
    ApiError::new(
        ProblemCode::MalformedJson,
        msg!("请求体为空", "the body is empty"),
    )
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
            // A web page's session secret is for the cookie of its pages, which check its idle
            // time; it is no API token.
            .filter(|token| !token.is_empty() && !token.starts_with(SESSION_PREFIX));
        std::future::ready(match token {
            Some(t) => Ok(Self(t.to_owned())),
            None => Err(ApiError::new(
                ProblemCode::Unauthenticated,
                msg!(
                    "请以 Authorization: Bearer TOKEN 的形式提供令牌",
                    "send a token as Authorization: Bearer TOKEN"
                ),
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
        ApiError::new(
            ProblemCode::InvalidHeader,
            msg!(
                "If-Match 须为案件的 ETag，如 \"3\"",
                "If-Match must be the case's ETag, e.g. \"3\""
            ),
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
        _ => Err(ApiError::new(
            ProblemCode::InvalidHeader,
            msg!(
                "Idempotency-Key 须为 1 至 200 个可见的 ASCII 字符",
                "Idempotency-Key must be 1 to 200 visible ASCII characters"
            ),
        )),
    }
}

/// The ETag of a case at a version.
pub fn etag(version: i32) -> (header::HeaderName, String) {
    (header::ETAG, format!("\"{version}\""))
}
