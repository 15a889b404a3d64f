//! The form of each workflow action on the case page: its inputs named by the action's JSON
//! body (`src/domain/actions.rs`), with Chinese labels, help and the choices the API accepts.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

use crate::domain::case::DeliveryMethod;
use crate::domain::labels;
use crate::domain::workflow::ActionKind;

/// One input of an action's form.
#[derive(Debug, Clone, Serialize)]
pub struct Field {
    /// The JSON path of the action's body (`items[]` for a list).
    pub name: String,
    /// Unique on the page: `{action}-{name}`.
    pub id: String,
    pub label: &'static str,
    pub help: &'static str,
    /// `text`, `textarea`, `date`, `number`, `checkbox`, `select`, `checkboxes` (one box per
    /// option, all named `name`; `value` holds the ticked ones, one a line).
    pub input: &'static str,
    pub required: bool,
    pub options: Vec<(String, String)>,
    pub value: String,
    pub error: Option<String>,
}

/// An action's whole form, as the template draws it.
#[derive(Debug, Clone, Serialize)]
pub struct ActionForm {
    pub action: &'static str,
    pub label: &'static str,
    pub help: &'static str,
    /// Ask before taking it (it closes the case or cannot be undone).
    pub confirm: bool,
    pub fields: Vec<Field>,
    /// A refusal not tied to one input (a stale version, a workflow rule).
    pub error: Option<String>,
    /// Drawn open: the form that was just refused.
    pub open: bool,
}

/// A refused action, its errors by input name, and the values typed.
pub type RefusedInput<'a> = (
    &'a str,
    &'a BTreeMap<String, String>,
    &'a BTreeMap<String, String>,
);

/// What the forms are filled from: the case, today, and a refused submission to draw again.
pub struct Fill<'a> {
    /// How the applicant wants the answer (the delivery form's default).
    pub delivery_wanted: DeliveryMethod,
    /// The fee asked, in fen (the payment form's default).
    pub fee_fen: Option<i64>,
    pub today: NaiveDate,
    /// The refused action, its errors by input name, and the values typed.
    pub refused: Option<RefusedInput<'a>>,
    /// Inside the office: whom a case may be assigned to, the divisions, the forwardings.
    pub choices: Choices,
}

/// The choices of the forms for the handling inside the office (`assign`, `forward`,
/// `reply_to_forwarding`, `propose_decision`'s `from_forwarding`), each (value, label).
#[derive(Debug, Clone, Default)]
pub struct Choices {
    /// The office's own clerks and approvers (not divisions' staff), by user id.
    pub handlers: Vec<(String, String)>,
    /// The office's divisions, by code.
    pub divisions: Vec<(String, String)>,
    /// Forwardings still waiting for a reply (a division's staff: their own), by id.
    pub open_forwardings: Vec<(String, String)>,
    /// Forwardings replied to, by id (to draft the answer from one).
    pub replied_forwardings: Vec<(String, String)>,
}

/// A form's values by input name, each entry of a list (`items[]`) under `items[]#0`, … so
/// that a form drawn again shows every entry where it was typed.
pub fn typed_values(form: &[(String, String)]) -> BTreeMap<String, String> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    form.iter()
        .map(|(k, v)| {
            if k.ends_with("[]") {
                let n = counts.entry(k).or_default();
                *n += 1;
                (format!("{k}#{}", *n - 1), v.clone())
            } else {
                (k.clone(), v.clone())
            }
        })
        .collect()
}

/// The Chinese label of each input of `action`'s form, by input name (for a refusal shown
/// away from the form, e.g. from the approver's inbox).
pub fn input_labels(action: &str) -> BTreeMap<String, &'static str> {
    let Some(kind) = ActionKind::parse(action) else {
        return BTreeMap::new();
    };
    let fill = Fill {
        delivery_wanted: DeliveryMethod::Post,
        fee_fen: None,
        today: NaiveDate::default(),
        refused: None,
        choices: Choices::default(),
    };
    super::action_fields::fields(kind, &fill)
        .fields
        .into_iter()
        .map(|f| (f.name.trim_end_matches("[]").to_owned(), f.label))
        .collect()
}

/// The forms of the actions the workflow allows now, in its order, filled from a refusal.
/// Actions that close the case or cannot be undone: asked before they are taken.
pub fn asks_first(kind: ActionKind) -> bool {
    matches!(
        kind,
        ActionKind::Withdraw | ActionKind::AbandonNoCorrection | ActionKind::AbandonFeeUnpaid
    )
}

pub fn forms(allowed: &[&str], fill: &Fill<'_>) -> Vec<ActionForm> {
    allowed
        .iter()
        .filter_map(|a| ActionKind::parse(a))
        .map(|kind| form(kind, fill))
        .collect()
}

fn form(kind: ActionKind, fill: &Fill<'_>) -> ActionForm {
    let action = kind.as_str();
    let refused = fill.refused.filter(|(a, _, _)| *a == action);
    let mut fields = super::action_fields::fields(kind, fill).fields;
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for f in &mut fields {
        let n = seen.entry(f.name.clone()).or_default();
        f.id = format!("{action}-{}-{n}", f.name.replace(['[', ']', '.'], "_"));
        *n += 1;
        if let Some((_, errors, values)) = refused {
            let base = f.name.trim_end_matches("[]");
            f.error = errors
                .iter()
                .find(|(k, _)| {
                    *k == base || k.strip_prefix(base).is_some_and(|r| r.starts_with('['))
                })
                .map(|(_, m)| m.clone())
                .filter(|_| *n == 1);
            // A list's entries are typed as `items[]#0`, `items[]#1`, … (see `typed_values`).
            let key = if f.name.ends_with("[]") {
                format!("{}#{}", f.name, *n - 1)
            } else {
                f.name.clone()
            };
            f.value = if f.input == "checkboxes" {
                // Every box ticked, one a line (the template marks each one found).
                let ticked: Vec<&str> = values
                    .iter()
                    .filter(|(k, _)| {
                        k.strip_prefix(f.name.as_str())
                            .is_some_and(|r| r.starts_with('#'))
                    })
                    .map(|(_, v)| v.as_str())
                    .collect();
                format!("\n{}\n", ticked.join("\n"))
            } else {
                values.get(&key).cloned().unwrap_or_default()
            };
        }
    }
    let error = refused.and_then(|(_, errors, _)| {
        let named: Vec<&str> = fields
            .iter()
            .map(|f| f.name.trim_end_matches("[]"))
            .collect();
        let rest: Vec<&str> = errors
            .iter()
            .filter(|(k, _)| {
                !named
                    .iter()
                    .any(|n| k.as_str() == *n || k.starts_with(&format!("{n}[")))
            })
            .map(|(_, m)| m.as_str())
            .collect();
        (!rest.is_empty()).then(|| rest.join("；"))
    });
    ActionForm {
        action,
        label: labels::action_label(kind),
        help: super::action_fields::help(kind),
        confirm: asks_first(kind),
        fields,
        error,
        open: refused.is_some(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_has_a_form_in_chinese_with_unique_input_ids() {
        let fill = Fill {
            delivery_wanted: DeliveryMethod::Post,
            fee_fen: None,
            today: NaiveDate::from_ymd_opt(2026, 11, 25).unwrap(),
            refused: None,
            choices: Choices::default(),
        };
        let all: Vec<&str> = ActionKind::ALL.iter().map(|k| k.as_str()).collect();
        let forms = forms(&all, &fill);
        assert_eq!(forms.len(), ActionKind::ALL.len());
        let mut ids = std::collections::BTreeSet::new();
        for f in &forms {
            for x in &f.fields {
                assert!(
                    !x.label.chars().any(|c| c.is_ascii_alphabetic()),
                    "{}",
                    x.label
                );
                assert!(ids.insert(x.id.clone()), "{}", x.id);
                for (_, label) in &x.options {
                    assert!(!label.chars().any(|c| c.is_ascii_alphabetic()), "{label}");
                }
            }
        }
    }

    #[test]
    fn a_refusal_lands_beside_its_input_and_the_rest_above_the_form() {
        let errors = BTreeMap::from([
            (
                "period_working_days".to_owned(),
                "须在 1 至 60 之间".to_owned(),
            ),
            ("".to_owned(), "案件已是第 3 版".to_owned()),
        ]);
        let values = BTreeMap::from([("period_working_days".to_owned(), "0".to_owned())]);
        let fill = Fill {
            delivery_wanted: DeliveryMethod::Post,
            fee_fen: None,
            today: NaiveDate::from_ymd_opt(2026, 11, 25).unwrap(),
            refused: Some(("request_correction", &errors, &values)),
            choices: Choices::default(),
        };
        let f = &forms(&["accept", "request_correction"], &fill)[1];
        assert!(f.open);
        let period = f
            .fields
            .iter()
            .find(|x| x.name == "period_working_days")
            .unwrap();
        assert_eq!(period.error.as_deref(), Some("须在 1 至 60 之间"));
        assert_eq!(period.value, "0");
        assert_eq!(f.error.as_deref(), Some("案件已是第 3 版"));
    }
}
