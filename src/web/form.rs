//! A submitted form (`application/x-www-form-urlencoded`) read as the API's JSON: inputs are
//! named by JSON paths (`applicant.name`, `request.description`), so the use cases' field
//! errors name the very input to show them beside.

use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest};
use serde_json::{Map, Value};
use std::future::Future;
use std::pin::Pin;

use super::page::WebError;
use super::session::CSRF_FIELD;
use crate::domain::problem_code::ProblemCode;
use crate::http::problem::ApiError;
use crate::msg;

/// A form's fields in the order sent (a name may repeat, for lists).
#[derive(Debug, Clone, Default)]
pub struct Form(pub Vec<(String, String)>);

/// Forms are small: a long description and a few fields.
const FORM_LIMIT: usize = 256 * 1024;

impl FromRequest for Form {
    type Error = WebError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, WebError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let fut = web::Form::<Vec<(String, String)>>::from_request(req, payload);
        Box::pin(async move {
            match fut.await {
                Ok(f) => Ok(Self(f.into_inner())),
                Err(e) => {
                    // The parser's reason is for the log; the person reads what to do.
                    tracing::info!(error = %e, "a form could not be read");
                    Err(WebError::Problem(ApiError::new(
                        ProblemCode::UnreadableBody,
                        msg!(
                            "无法读取提交的内容：请从本网站的页面填写表单后提交（表单不能超过 256 KB）",
                            "the form could not be read: {e}"
                        ),
                    )))
                }
            }
        })
    }
}

/// The limit on a form's size, for the app's data.
pub fn config() -> web::FormConfig {
    web::FormConfig::default().limit(FORM_LIMIT)
}

/// A page's query string: a blank input of a form sent by GET (`year=` when the optional year
/// was left empty) is absent, as in `Form`; a query that still does not read is refused with a
/// Chinese error page, never the API's JSON.
#[derive(Debug)]
pub struct PageQuery<T>(pub T);

impl<T> PageQuery<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> std::ops::Deref for PageQuery<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: serde::de::DeserializeOwned> FromRequest for PageQuery<T> {
    type Error = WebError;
    type Future = std::future::Ready<Result<Self, WebError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(read_query(req.query_string()).map(Self))
    }
}

fn read_query<T: serde::de::DeserializeOwned>(query: &str) -> Result<T, WebError> {
    let refused = |e: &dyn std::fmt::Display| {
        tracing::info!(error = %e, query, "a page's query string could not be read");
        WebError::Problem(ApiError::new(
            ProblemCode::InvalidQuery,
            msg!(
                "网址中的查询条件有误，请回到上一页重新选择后再试",
                "the query string is not valid: {e}"
            ),
        ))
    };
    let pairs = web::Query::<Vec<(String, String)>>::from_query(query)
        .map_err(|e| refused(&e))?
        .into_inner();
    let enc = |s: &str| super::page::percent_encode(s, b"");
    let kept = pairs
        .iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&");
    web::Query::<T>::from_query(&kept)
        .map(web::Query::into_inner)
        .map_err(|e| refused(&e))
}

/// An optional year typed in a page's form: blank is none; anything but a number is refused
/// in words the person reads.
pub fn optional_year(given: Option<&str>) -> Result<Option<i32>, WebError> {
    let Some(text) = given.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    text.parse::<i32>().map(Some).map_err(|_| {
        let shown: String = text.chars().take(20).collect();
        WebError::Problem(ApiError::new(
            ProblemCode::InvalidQuery,
            msg!(
                "年份应为四位数字（如 2026），收到的是“{shown}”",
                "the year must be a number such as 2026, not \"{shown}\""
            ),
        ))
    })
}

impl Form {
    /// A form sent either way: URL-encoded, or as `multipart/form-data` when it carries a
    /// small text file (read under its input's name, within the same 256 KB).
    pub async fn read(req: &HttpRequest, payload: web::Payload) -> Result<Self, WebError> {
        if crate::http::attachments::is_multipart(req) {
            let fields = crate::http::attachments::read_text_form(req, payload, FORM_LIMIT)
                .await
                .map_err(WebError::Problem)?;
            return Ok(Self(fields));
        }
        Self::from_request(req, &mut payload.into_inner()).await
    }

    /// The first value of `name`, trimmed; none when absent or blank.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    }

    pub fn csrf(&self) -> Option<&str> {
        self.get(CSRF_FIELD)
    }

    /// The fields as they were typed, by name (the last of a repeated name), to fill a form
    /// drawn again with its errors.
    pub fn values(&self) -> std::collections::BTreeMap<String, String> {
        self.0.iter().cloned().collect()
    }

    /// The form as the API's JSON body. Blank inputs are left out (as an absent field); names
    /// ending in `[]` collect into a list; `numbers` and `booleans` name the paths whose text
    /// is a number or a checkbox (`on`/`true`), by full path or by last segment. Inputs whose name starts with `_` (page state)
    /// and the anti-forgery token are not part of the body.
    pub fn to_json(&self, numbers: &[&str], booleans: &[&str]) -> Value {
        let mut root = Value::Object(Map::new());
        for (name, value) in &self.0 {
            let value = value.trim();
            if name == CSRF_FIELD || name.starts_with('_') || value.is_empty() {
                continue;
            }
            let (path, list) = match name.strip_suffix("[]") {
                Some(p) => (p, true),
                None => (name.as_str(), false),
            };
            let last = path.rsplit('.').next().unwrap_or(path);
            let named = |list: &[&str]| list.contains(&path) || list.contains(&last);
            let typed = if named(numbers) {
                value
                    .parse::<i64>()
                    .map(Value::from)
                    .unwrap_or_else(|_| Value::from(value))
            } else if named(booleans) {
                Value::Bool(matches!(value, "on" | "true" | "1" | "yes"))
            } else {
                Value::from(value)
            };
            insert(&mut root, path, typed, list);
        }
        root
    }
}

fn insert(root: &mut Value, path: &str, value: Value, list: bool) {
    let mut node = root;
    let mut parts = path.split('.').peekable();
    while let Some(part) = parts.next() {
        let Value::Object(map) = node else { return };
        if parts.peek().is_none() {
            if list {
                let entry = map
                    .entry(part.to_owned())
                    .or_insert_with(|| Value::Array(Vec::new()));
                if let Value::Array(items) = entry {
                    items.push(value);
                }
            } else {
                map.insert(part.to_owned(), value);
            }
            return;
        }
        node = map
            .entry(part.to_owned())
            .or_insert_with(|| Value::Object(Map::new()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> Form {
        Form(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        )
    }

    #[test]
    fn dotted_names_nest_and_lists_collect_and_blanks_are_absent() {
        let f = form(&[
            ("csrf_token", "x"),
            ("_page", "2"),
            ("applicant.name", " 张三 "),
            ("applicant.email", ""),
            ("request.forms[]", "paper"),
            ("request.forms[]", "electronic"),
            ("fee.amount_fen", "1050"),
            ("fee.waived", "on"),
        ]);
        let json = f.to_json(&["fee.amount_fen"], &["fee.waived"]);
        assert_eq!(
            json,
            serde_json::json!({
                "applicant": { "name": "张三" },
                "request": { "forms": ["paper", "electronic"] },
                "fee": { "amount_fen": 1050, "waived": true }
            })
        );
    }

    #[test]
    fn a_number_that_is_not_one_stays_text_for_the_use_case_to_refuse() {
        let json = form(&[("version", "abc")]).to_json(&["version"], &[]);
        assert_eq!(json, serde_json::json!({ "version": "abc" }));
    }

    #[derive(serde::Deserialize, Debug)]
    struct Scope {
        agency: Option<String>,
        year: Option<i32>,
        format: Option<String>,
    }

    #[test]
    fn a_blank_query_field_is_absent() {
        let q: Scope = read_query("agency=&year=&format=csv").unwrap();
        assert_eq!(
            (q.agency, q.year, q.format.as_deref()),
            (None, None, Some("csv"))
        );
        assert!(read_query::<Scope>("year=abc").is_err());
        assert_eq!(optional_year(Some(" ")).unwrap(), None);
        assert_eq!(optional_year(Some("2026")).unwrap(), Some(2026));
        assert!(optional_year(Some("abc")).is_err());
    }
}
