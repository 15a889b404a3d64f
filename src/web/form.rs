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
                Err(e) => Err(WebError::Problem(ApiError::new(
                    ProblemCode::UnreadableBody,
                    msg!("无法读取提交的表单：{e}", "the form could not be read: {e}"),
                ))),
            }
        })
    }
}

/// The limit on a form's size, for the app's data.
pub fn config() -> web::FormConfig {
    web::FormConfig::default().limit(FORM_LIMIT)
}

impl Form {
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
}
