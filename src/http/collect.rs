//! Every fault of a body in one answer. serde stops at the first fault; so each fault is recorded,
//! a placeholder of the kind the field takes is put in its place (or an unknown field removed),
//! and the body parsed again, until it parses. The field rules and the checks across fields then
//! run on the whole, leaving out what rests on a placeholder.

use serde::de::DeserializeOwned;
use serde_json::Value;
use serde_path_to_error::Segment;
use validator::Validate;

use super::problem::ApiError;
use super::serde_errors::{self, Fault};
use crate::msg;
use crate::service::forms::field_errors;
use crate::service::FieldError;

/// How often a body is parsed again at most (a body has a few dozen fields).
const MAX_ROUNDS: usize = 64;

/// Placeholders tried, in turn, when serde does not say what a field takes.
fn fallback(n: usize) -> Option<Value> {
    use serde_json::json;
    [
        json!(null),
        json!("x"),
        json!(1),
        json!(false),
        json!({}),
        json!([]),
        json!("2000-01-01"),
    ]
    .get(n)
    .cloned()
}

/// A parse that went through placeholders: the faults found, and the paths filled in.
pub struct Collected<T> {
    /// The body with placeholders where faults were, when it could be made to parse.
    pub value: Option<T>,
    pub errors: Vec<FieldError>,
    pub filled: Vec<String>,
}

impl<T> Collected<T> {
    /// Whether `field` is, or lies within, a filled-in path (so its checks mean nothing).
    pub fn rests_on_placeholder(&self, field: &str) -> bool {
        self.filled.iter().any(|p| within(field, p))
    }
}

/// `a.b[0]` lies within `a` and `a.b`, and `a.b` within itself; `a.bc` does not lie within `a.b`.
pub fn within(field: &str, path: &str) -> bool {
    path.is_empty()
        || field == path
        || field
            .strip_prefix(path)
            .is_some_and(|rest| rest.starts_with('.') || rest.starts_with('['))
}

/// Parses `value` into `T`, collecting every fault serde finds on the way.
pub fn parse<T: DeserializeOwned>(mut value: Value) -> Collected<T> {
    let mut errors = Vec::new();
    // Each filled path with the placeholders tried there.
    let mut filled: Vec<(String, Vec<Value>)> = Vec::new();
    for _ in 0..MAX_ROUNDS {
        let e = match serde_path_to_error::deserialize::<_, T>(value.clone()) {
            Ok(t) => {
                return Collected {
                    value: Some(t),
                    errors,
                    filled: filled.into_iter().map(|(p, _)| p).collect(),
                }
            }
            Err(e) => e,
        };
        let message = e.inner().to_string();
        let Some(mut steps) = steps(e.path()) else {
            break;
        };
        let fault = serde_errors::fault(&message);
        if let Fault::Missing(name) | Fault::Unknown(name) = &fault {
            if steps.last() != Some(&Step::Key(name.clone())) {
                steps.push(Step::Key(name.clone()));
            }
        }
        let field = dotted(&steps);
        let known = filled.iter().position(|(p, _)| *p == field);
        if known.is_none() && !filled.iter().any(|(p, _)| within(&field, p)) {
            errors.push(serde_errors::field_error(&field, &message));
        }
        if let Fault::Unknown(_) = fault {
            if !remove(&mut value, &steps) {
                break;
            }
            filled.push((field, Vec::new()));
            continue;
        }
        let index = known.unwrap_or_else(|| {
            filled.push((field, Vec::new()));
            filled.len() - 1
        });
        let tried = &mut filled[index].1;
        let hinted = match fault {
            Fault::Invalid { hint } => hint.filter(|h| !tried.contains(h)),
            _ => None,
        };
        let Some(next) = hinted.or_else(|| (0..).map_while(fallback).find(|v| !tried.contains(v)))
        else {
            break;
        };
        tried.push(next.clone());
        if !put(&mut value, &steps, next) {
            break;
        }
    }
    Collected {
        value: None,
        errors,
        filled: filled.into_iter().map(|(p, _)| p).collect(),
    }
}

/// `parse_value`, and when anything is wrong, the checks across fields too (`cross`, told
/// which fields hold placeholders), so that one answer lists every fault.
pub fn checked<T: DeserializeOwned + Validate>(
    value: serde_json::Value,
    cross: impl Fn(&T, &dyn Fn(&str) -> bool) -> Vec<FieldError>,
) -> Result<T, ApiError> {
    // serde would read a struct from an array too, field by field: every body here is an object.
    if !value.is_object() {
        return Err(ApiError::invalid(vec![FieldError::new(
            "",
            "invalid",
            msg!("请求体须为 JSON 对象", "the body must be a JSON object"),
        )]));
    }
    let collected = parse::<T>(value);
    let placeholder = |field: &str| collected.rests_on_placeholder(field);
    let mut errors = collected.errors.clone();
    let Some(parsed) = collected.value.as_ref() else {
        return Err(ApiError::invalid(errors));
    };
    if let Err(e) = parsed.validate() {
        errors.extend(
            field_errors(&e)
                .into_iter()
                .filter(|e| !placeholder(&e.field)),
        );
    }
    if errors.is_empty() {
        return collected.value.ok_or_else(|| ApiError::invalid(Vec::new()));
    }
    errors.extend(cross(parsed, &placeholder));
    errors.sort_by(|a, b| a.field.cmp(&b.field));
    errors.dedup_by(|a, b| a.field == b.field && a.code == b.code);
    Err(ApiError::invalid(errors))
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    Key(String),
    Index(usize),
}

/// The path as steps into the JSON value; `None` for a path through an enum variant.
fn steps(path: &serde_path_to_error::Path) -> Option<Vec<Step>> {
    path.iter()
        .map(|s| match s {
            Segment::Map { key } => Some(Step::Key(key.clone())),
            Segment::Seq { index } => Some(Step::Index(*index)),
            Segment::Enum { .. } | Segment::Unknown => None,
        })
        .collect()
}

/// `applicant.id_number`, `items[2]`: the field as problems name it.
fn dotted(steps: &[Step]) -> String {
    let mut out = String::new();
    for s in steps {
        match s {
            Step::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            Step::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

/// The value holding the last step (the whole body for an empty path).
fn parent<'a>(value: &'a mut Value, steps: &[Step]) -> Option<&'a mut Value> {
    let (_, init) = steps.split_last()?;
    init.iter().try_fold(value, |v, s| match s {
        Step::Key(k) => v.get_mut(k.as_str()),
        Step::Index(i) => v.get_mut(*i),
    })
}

fn put(value: &mut Value, steps: &[Step], new: Value) -> bool {
    if steps.is_empty() {
        *value = new;
        return true;
    }
    match (parent(value, steps), steps.last()) {
        (Some(Value::Object(map)), Some(Step::Key(k))) => {
            map.insert(k.clone(), new);
            true
        }
        (Some(Value::Array(items)), Some(Step::Index(i))) if *i < items.len() => {
            items[*i] = new;
            true
        }
        _ => false,
    }
}

fn remove(value: &mut Value, steps: &[Step]) -> bool {
    match (parent(value, steps), steps.last()) {
        (Some(Value::Object(map)), Some(Step::Key(k))) => map.remove(k).is_some(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use serde_json::json;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        kind: crate::domain::case::ApplicantKind,
        n: u32,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Outer {
        name: String,
        #[serde(with = "crate::domain::date::strict")]
        on: chrono::NaiveDate,
        inner: Inner,
        items: Vec<String>,
    }

    fn fields<T>(c: &Collected<T>) -> Vec<(&str, &str)> {
        let mut f: Vec<_> = c
            .errors
            .iter()
            .map(|e| (e.field.as_str(), e.code.as_str()))
            .collect();
        f.sort();
        f
    }

    #[test]
    fn every_fault_is_found_in_one_parse() {
        let c = parse::<Outer>(json!({
            "on": "2026/02/13",
            "inner": { "kind": "alien", "n": -1, "extra": 1 },
            "items": ["a", 2],
        }));
        assert!(c.value.is_some());
        assert_eq!(
            fields(&c),
            [
                ("inner.extra", "unknown_field"),
                ("inner.kind", "invalid"),
                ("inner.n", "invalid"),
                ("items[1]", "invalid"),
                ("name", "required"),
                ("on", "invalid"),
            ]
        );
        assert!(c.rests_on_placeholder("inner.kind"));
        assert!(!c.rests_on_placeholder("inner"));
    }

    #[test]
    fn a_missing_object_is_one_fault_not_one_per_field_inside() {
        let c = parse::<Outer>(json!({ "name": "x", "on": "2026-02-13", "items": [] }));
        assert_eq!(fields(&c), [("inner", "required")]);
        assert!(c.rests_on_placeholder("inner.kind"));
    }

    #[test]
    fn a_body_of_the_wrong_kind_is_one_fault() {
        let c = parse::<Outer>(json!("text"));
        assert_eq!(fields(&c), [("", "invalid")]);
    }

    #[test]
    fn within_is_by_whole_segments() {
        assert!(within("a.b[0]", "a"));
        assert!(within("a.b", "a.b"));
        assert!(!within("a.bc", "a.b"));
        assert!(within("anything", ""));
    }
}
