//! serde's wording ("unknown variant `身份证`, expected one of …", "invalid type: integer `3`,
//! expected a string") turned into a field error a clerk understands, in Chinese and English,
//! naming the field and what it takes.

use crate::domain::message::Message;
use crate::service::FieldError;

/// What kind of fault serde reported, with what a placeholder for the field could be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// `missing field `x``: the name of the missing field.
    Missing(String),
    /// `unknown field `x``: the name of the field not taken.
    Unknown(String),
    /// Any other fault at the path; `hint` is a value of the kind the field takes, if told.
    Invalid { hint: Option<serde_json::Value> },
}

/// The fault of a serde message and, for missing or unknown fields, the name it is about.
pub fn fault(message: &str) -> Fault {
    let quoted = |m: &str| m.split('`').nth(1).map(str::to_owned);
    if message.starts_with("missing field") {
        if let Some(name) = quoted(message) {
            return Fault::Missing(name);
        }
    }
    if message.starts_with("unknown field") {
        if let Some(name) = quoted(message) {
            return Fault::Unknown(name);
        }
    }
    Fault::Invalid {
        hint: hint(expected(message)),
    }
}

/// The part after ", expected " (or after "expected "), e.g. "a string" or "one of `a`, `b`".
fn expected(message: &str) -> &str {
    message
        .split_once("expected ")
        .map_or("", |(_, rest)| rest.trim())
}

/// A value of the expected kind, to put in the field's place and parse on.
fn hint(expected: &str) -> Option<serde_json::Value> {
    use serde_json::json;
    let first_named = expected.split('`').nth(1);
    Some(match expected {
        e if e.starts_with("one of") || e.starts_with('`') => json!(first_named?),
        e if e == crate::domain::date::EXPECTED => json!("2000-01-01"),
        "a string" | "a character" => json!("x"),
        "a boolean" => json!(false),
        "a sequence" => json!([]),
        e if e.starts_with("struct") || e == "a map" => json!({}),
        e if is_number(e) => json!(1),
        _ => return None,
    })
}

fn is_number(expected: &str) -> bool {
    matches!(
        expected,
        "u8" | "u16" | "u32" | "u64" | "usize" | "i8" | "i16" | "i32" | "i64" | "f32" | "f64"
    ) || expected.contains("integer")
}

/// The field error for a serde message at `field` (a dotted path, the field itself included).
pub fn field_error(field: &str, message: &str) -> FieldError {
    let shown = if field.is_empty() { "请求体" } else { field };
    let shown_en = if field.is_empty() { "the body" } else { field };
    match fault(message) {
        Fault::Missing(_) => FieldError::new(
            field,
            "required",
            crate::msg!("缺少必填项 {shown}", "{shown_en} is required"),
        ),
        Fault::Unknown(name) => {
            let names = listed_names(message);
            let (zh_list, en_list) = (names.join("、"), names.join(", "));
            FieldError::new(
                field,
                "unknown_field",
                crate::msg!(
                    "不接受字段 {name}；可用的字段：{zh_list}",
                    "{name} is not a field here; the fields are: {en_list}"
                ),
            )
        }
        Fault::Invalid { .. } => {
            FieldError::new(field, "invalid", invalid(shown, shown_en, message))
        }
    }
}

/// The fields serde lists in an unknown-field message ("expected one of `a`, `b`").
pub fn listed_names(message: &str) -> Vec<&str> {
    expected(message).split('`').skip(1).step_by(2).collect()
}

fn invalid(shown: &str, shown_en: &str, message: &str) -> Message {
    let wanted = expected(message);
    let given = given(message);
    let (given_zh, given_en) = given
        .as_ref()
        .map_or((String::new(), String::new()), |(zh, en)| {
            (format!("，收到的是{zh}"), format!(", not {en}"))
        });
    if message.starts_with("unknown variant") {
        let names = listed_names(message);
        // People read the values' Chinese names; the API's clients read the codes in English.
        let zh = crate::domain::labels::wire_labels(&names)
            .map_or_else(|| names.join("、"), |labels| labels.join("、"));
        let en = names.join(", ");
        let value = message.split('`').nth(1).unwrap_or_default();
        return crate::msg!(
            "{shown} 的值“{value}”无效，可选的值：{zh}",
            "{shown_en}: \"{value}\" is not allowed; the values are: {en}"
        );
    }
    let Some((want_zh, want_en)) = kind(wanted) else {
        return Message::new(
            format!("{shown} 的值无效"),
            format!("{shown_en}: {message}"),
        );
    };
    if wanted == crate::domain::date::EXPECTED {
        return crate::msg!(
            "{shown} 应为 YYYY-MM-DD 格式的真实日期（如 2026-02-13）{given_zh}",
            "{shown_en} must be a real date written YYYY-MM-DD (e.g. 2026-02-13){given_en}"
        );
    }
    crate::msg!(
        "{shown} 应为{want_zh}{given_zh}",
        "{shown_en} must be {want_en}{given_en}"
    )
}

/// What serde expected, in words.
fn kind(expected: &str) -> Option<(&'static str, &'static str)> {
    Some(match expected {
        "a string" | "a character" => ("文本", "text"),
        "a boolean" => ("true 或 false", "true or false"),
        "a sequence" => ("列表（JSON 数组）", "a list (a JSON array)"),
        "a map" => ("对象（JSON 对象）", "an object (a JSON object)"),
        e if e.starts_with("struct") => ("对象（JSON 对象）", "an object (a JSON object)"),
        "u8" | "u16" | "u32" | "u64" | "usize" => ("不小于 0 的整数", "a whole number, 0 or more"),
        "i8" | "i16" | "i32" | "i64" => ("整数", "a whole number"),
        "f32" | "f64" => ("数字", "a number"),
        e if e == crate::domain::date::EXPECTED => ("日期", "a date"),
        e if e.contains("integer") => ("整数", "a whole number"),
        _ => return None,
    })
}

/// What the client sent, from "invalid type: integer `3`" or "invalid value: string \"x\"".
fn given(message: &str) -> Option<(String, String)> {
    let rest = message
        .strip_prefix("invalid type: ")
        .or_else(|| message.strip_prefix("invalid value: "))?;
    let what = rest.split(", expected").next()?.trim();
    let quoted = what
        .split_once(' ')
        .map(|(_, v)| v.trim_matches(['`', '"']))
        .unwrap_or_default();
    Some(match what.split(' ').next()? {
        "integer" | "floating" => (format!("数字 {quoted}"), format!("the number {quoted}")),
        "string" => (format!("“{quoted}”"), format!("\"{quoted}\"")),
        "boolean" => (quoted.to_owned(), quoted.to_owned()),
        "null" | "unit" => ("空值 null".to_owned(), "null".to_owned()),
        "sequence" => ("列表".to_owned(), "a list".to_owned()),
        "map" => ("对象".to_owned(), "an object".to_owned()),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::message::Language;

    fn both(e: &FieldError) -> (&str, &str) {
        (e.message.get(Language::Zh), e.message.get(Language::En))
    }

    #[test]
    fn an_unknown_variant_names_the_field_and_the_values() {
        let e = field_error(
            "applicant.id_document_type",
            "unknown variant `身份证`, expected one of `resident_id`, `passport`",
        );
        assert_eq!(e.code, "invalid");
        assert_eq!(
            both(&e),
            (
                "applicant.id_document_type 的值“身份证”无效，可选的值：resident_id、passport",
                "applicant.id_document_type: \"身份证\" is not allowed; the values are: \
                 resident_id, passport"
            )
        );
    }

    #[test]
    fn a_wrong_type_says_what_was_wanted_and_given() {
        let e = field_error("name", "invalid type: integer `3`, expected a string");
        assert_eq!(
            both(&e),
            (
                "name 应为文本，收到的是数字 3",
                "name must be text, not the number 3"
            )
        );
        let e = field_error(
            "received_on",
            "invalid value: string \"2026/02/13\", expected a date written YYYY-MM-DD",
        );
        assert!(both(&e).0.contains("YYYY-MM-DD"), "{e:?}");
        assert!(both(&e).1.contains("\"2026/02/13\""), "{e:?}");
    }

    #[test]
    fn hints_are_values_of_the_expected_kind() {
        assert_eq!(
            fault("unknown variant `x`, expected one of `a`, `b`"),
            Fault::Invalid {
                hint: Some(serde_json::json!("a"))
            }
        );
        assert_eq!(
            fault("missing field `phone`"),
            Fault::Missing("phone".into())
        );
        assert_eq!(
            fault("invalid type: null, expected u32"),
            Fault::Invalid {
                hint: Some(serde_json::json!(1))
            }
        );
    }
}
