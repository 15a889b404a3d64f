//! Taking a workflow action from a page: the form read as the action's JSON body, parsed and
//! taken by the same code as `POST /api/v1/applications/{id}/actions/{action}`.

use actix_web::http::Method;
use actix_web::{web, HttpResponse};
use minijinja::context;

use super::form::Form;
use super::page::{self, WebError};
use super::session::Visitor;
use super::PageRoute;
use crate::domain::problem_code::ProblemCode;
use crate::domain::workflow::ActionKind;
use crate::http::applications::parse_action;
use crate::http::problem::ApiError;
use crate::msg;
use crate::service::{cases, Services};

/// Inputs holding whole numbers, by their last path segment.
const NUMBERS: &[&str] = &[
    "version",
    "period_working_days",
    "working_days",
    "pages",
    "reduction_fen",
    "amount_fen",
];
/// Checkboxes.
const BOOLEANS: &[&str] = &[
    "by_post",
    "after_reconsideration",
    "not_this_office",
    "third_party_objection_upheld",
];

pub fn routes() -> Vec<PageRoute> {
    vec![(
        "/console/cases/{id}/actions/{action}",
        Method::POST,
        web::post().to(staff_action),
    )]
}

/// Takes `action` on case `id` with the form's fields, as the holder of `credential` (a
/// checked session's secret). The form carries `version`, the case's version as shown.
pub async fn take(
    services: &web::Data<Services>,
    credential: String,
    id: String,
    action: &str,
    form: &Form,
) -> Result<cases::Visible, WebError> {
    let kind = ActionKind::parse(action).ok_or_else(|| {
        ApiError::new(
            ProblemCode::UnknownAction,
            msg!(
                "没有名为 {action:?} 的操作",
                "there is no action {action:?}"
            ),
        )
    })?;
    let mut body = form.to_json(NUMBERS, BOOLEANS);
    numbered_lists(&mut body);
    let version = body
        .as_object_mut()
        .and_then(|o| o.get("version").cloned())
        .and_then(|v| v.as_i64())
        .and_then(|v| i32::try_from(v).ok());
    if let Some(o) = body.as_object_mut() {
        o.remove("version");
    }
    let Some(version) = version else {
        return Err(ApiError::new(
            ProblemCode::VersionRequired,
            msg!(
                "表单缺少案件版本号，请重新打开案件页面后再提交",
                "the form lacks the case's version: open the case again"
            ),
        )
        .into());
    };
    let (action, _) = parse_action(kind, body)?;
    let services = services.clone();
    let v = web::block(move || {
        cases::act(
            &services,
            Some(&credential),
            &id,
            &action,
            version,
            services.now(),
        )
    })
    .await??;
    Ok(v)
}

/// Inputs named `withheld[0].part` arrive as the key `withheld[0]`: such numbered entries
/// become the list `withheld`, in their order (an entry left wholly blank is absent).
fn numbered_lists(body: &mut serde_json::Value) {
    let Some(map) = body.as_object_mut() else {
        return;
    };
    let numbered: Vec<(String, String, usize)> = map
        .keys()
        .filter_map(|k| {
            let (name, rest) = k.split_once('[')?;
            let n = rest.strip_suffix(']')?.parse().ok()?;
            Some((k.clone(), name.to_owned(), n))
        })
        .collect();
    let mut lists: std::collections::BTreeMap<String, Vec<(usize, serde_json::Value)>> =
        std::collections::BTreeMap::new();
    for (key, name, n) in numbered {
        if let Some(v) = map.remove(&key) {
            lists.entry(name).or_default().push((n, v));
        }
    }
    for (name, mut items) in lists {
        items.sort_by_key(|(n, _)| *n);
        let list = items.into_iter().map(|(_, v)| v).collect();
        map.insert(name, serde_json::Value::Array(list));
    }
}

/// Where a console form returns to: a console path it names (`_back`), else the case page.
pub fn back_to(form: &Form, id: &str) -> String {
    match form.get("_back") {
        Some(b) if b.starts_with("/console/") && !b.starts_with("//") && !b.contains('\\') => {
            b.to_owned()
        }
        _ => format!("/console/cases/{id}"),
    }
}

/// `POST /console/cases/{id}/actions/{action}`: a staff member's action from any console page
/// (the case page, the approver's inbox). Refusals are shown with their Chinese message.
async fn staff_action(
    visitor: Visitor,
    services: web::Data<Services>,
    path: web::Path<(String, String)>,
    form: Form,
) -> Result<HttpResponse, WebError> {
    let me = visitor.staff(&services, &[]).await?;
    visitor.check_csrf(&services.key, form.csrf())?;
    let (id, action) = path.into_inner();
    let back = back_to(&form, &id);
    // What cannot be undone is asked first: by the script's dialog, or (without it) by a page.
    if let Some(kind) = ActionKind::parse(&action).filter(|k| super::action_forms::asks_first(*k)) {
        if !page::confirmed(&form) {
            let label = crate::domain::labels::action_label(kind);
            let question = format!("确定要{label}吗？此操作不能撤销。");
            let target = format!("/console/cases/{id}/actions/{action}");
            let ask = page::Ask {
                question: &question,
                button: label,
                action: &target,
                back: &format!("/console/cases/{id}"),
            };
            return page::confirm_page(&visitor, &services.key, Some(&me.principal), &ask, &form);
        }
    }
    match take(&services, me.secret.clone(), id.clone(), &action, &form).await {
        Ok(_) => Ok(page::redirect(&back)),
        Err(e) => {
            let status = match &e {
                WebError::Problem(p) => actix_web::http::StatusCode::from_u16(p.status()).ok(),
                _ => None,
            }
            .unwrap_or(actix_web::http::StatusCode::UNPROCESSABLE_ENTITY);
            let errors = page::form_errors(e)?;
            if form.get("_back").is_none() {
                // From the case page: drawn again with the errors beside the action's inputs.
                let refused = super::case_page::Refused {
                    action,
                    errors,
                    values: super::action_forms::typed_values(&form.0),
                };
                return super::case_page::draw(&visitor, &services, &me, id, Some(refused), status)
                    .await;
            }
            page::html_status(
                actix_web::http::StatusCode::UNPROCESSABLE_ENTITY,
                &visitor,
                &services.key,
                Some(&me.principal),
                "console/action_refused.html",
                context! { labels => super::action_forms::input_labels(&action), errors => errors, back => back, action => action, id => id },
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn numbered_entries_become_a_list_in_their_order() {
        let mut body = json!({
            "outcome": "partly_disclosed",
            "withheld[1]": { "part": "第二项" },
            "withheld[0]": { "part": "第一项", "ground": "withheld_state_secret" },
        });
        super::numbered_lists(&mut body);
        assert_eq!(
            body,
            json!({
                "outcome": "partly_disclosed",
                "withheld": [
                    { "part": "第一项", "ground": "withheld_state_secret" },
                    { "part": "第二项" },
                ],
            })
        );
    }
}
