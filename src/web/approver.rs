//! The approver's inbox (`/console/inbox`): the drafts awaiting approval in the approver's
//! office, each shown whole with the case's clock, and the extension requests awaiting a
//! decision. The forms post to the console's action endpoint (`web::actions`) and offer only
//! what the case's `allowed_actions` holds for this approver (four eyes is the service's).

use actix_web::http::Method;
use actix_web::{web, HttpResponse};
use minijinja::context;
use serde_json::{json, Value};

use super::page::{self, WebError};
use super::session::{SignedIn, Visitor};
use super::PageRoute;
use crate::domain::case::Status;
use crate::domain::clock::DeadlineKind;
use crate::domain::workflow::Role;
use crate::http::views;
use crate::service::{cases, clock, ServiceError, Services};

/// The most cases the inbox lists in each of its two parts.
const LIMIT: i64 = 200;

pub fn routes() -> Vec<PageRoute> {
    vec![("/console/inbox", Method::GET, web::get().to(inbox))]
}

async fn inbox(visitor: Visitor, services: web::Data<Services>) -> Result<HttpResponse, WebError> {
    let me = visitor.staff(&services, &[Role::Approver]).await?;
    let (drafts, extensions, more, level) = {
        let services = services.clone();
        let me = me.clone();
        web::block(move || waiting(&services, &me)).await??
    };
    page::html(
        &visitor,
        &services.key,
        Some(&me.principal),
        "console/inbox.html",
        context! {
            drafts => drafts, extensions => extensions, more => more, limit => LIMIT,
            level => level.level, levels => level.levels,
        },
    )
}

/// The level an approver acts at in their office (domain::handling::level_of: 1 in a
/// one-level office), read from their user row and their office.
struct Level {
    level: u8,
    levels: u8,
}

fn level_of(services: &Services, me: &SignedIn) -> Result<Level, ServiceError> {
    let conn = &mut *services.conn()?;
    let levels = match &me.staff.agency_id {
        Some(a) => crate::db::staff::agency_by_id(conn, a)?.approval_levels,
        None => 1,
    };
    let own = crate::domain::case::UserId::parse(&me.staff.id)
        .map(|id| crate::db::staff::user_by_id(conn, &id))
        .transpose()?
        .flatten()
        .map_or(1, |u| u.approval_level);
    let levels = u8::try_from(levels).unwrap_or(1);
    Ok(Level {
        level: crate::domain::handling::level_of(levels, u8::try_from(own).unwrap_or(1)),
        levels,
    })
}

/// The drafts waiting at the approver's own level (cases in `decision`) and the open cases
/// with an extension requested, each as the staff view of the case plus its clock.
fn waiting(
    services: &Services,
    me: &SignedIn,
) -> Result<(Vec<Value>, Vec<Value>, bool, Level), ServiceError> {
    let credential = me.credential();
    let level = level_of(services, me)?;
    let open: Vec<Status> = Status::ALL
        .iter()
        .copied()
        .filter(|s| !s.is_terminal())
        .collect();
    // Both lists are filtered in the query (indexed by office and deadline), nearest deadline
    // first; an inbox longer than LIMIT says so.
    let list = |statuses: Vec<Status>, extension_requested: bool, awaiting_level: Option<u8>| {
        cases::list(
            services,
            credential,
            &cases::Query {
                statuses,
                extension_requested,
                awaiting_level,
                limit: LIMIT,
                ..cases::Query::default()
            },
        )
    };
    let mut drafts = Vec::new();
    // Only the drafts waiting at this approver's level: a level-2 leader does not see drafts
    // the head of the unit has not approved yet, and the other way round.
    let page = list(vec![Status::Decision], false, Some(level.level))?;
    let more_drafts = page.next_cursor.is_some();
    for item in page.items {
        drafts.push(shown(services, credential, item.case.id.as_str())?);
    }
    let mut extensions = Vec::new();
    let page = list(open, true, None)?;
    let more_extensions = page.next_cursor.is_some();
    for item in page.items {
        extensions.push(shown(services, credential, item.case.id.as_str())?);
    }
    Ok((drafts, extensions, more_drafts || more_extensions, level))
}

/// A staff member's name for the id at `pointer` in the staff view (which carries ids).
fn name_at(
    services: &Services,
    view: &Value,
    pointer: &str,
) -> Result<Option<String>, ServiceError> {
    let Some(id) = view
        .pointer(pointer)
        .and_then(Value::as_str)
        .and_then(crate::domain::case::UserId::parse)
    else {
        return Ok(None);
    };
    let user = crate::db::staff::user_by_id(&mut *services.conn()?, &id)?;
    Ok(user.map(|u| u.name))
}

/// One case as the inbox shows it: the staff view (`views::application`), the Chinese name of
/// its next deadline, and its answer's due day.
fn shown(services: &Services, credential: Option<&str>, id: &str) -> Result<Value, ServiceError> {
    let v = cases::get(services, credential, id)?;
    let view = views::application(
        &v.case,
        &v.agency_code,
        &v.principal,
        v.next_deadline.as_ref(),
        v.allowed.clone(),
        Some(&v.extras),
    );
    let mut out = serde_json::to_value(&view).map_err(|e| ServiceError::Internal(e.to_string()))?;
    let clock = clock::case_clock(services, credential, id, services.now())?;
    let answer = clock
        .deadlines
        .iter()
        .rfind(|d| d.kind == DeadlineKind::Answer)
        .and_then(|d| d.due_on);
    out["answer_due_on"] = json!(answer);
    // The whole clock, as the case page draws it: what approving now would answer against.
    out["timeline"] = super::case_view::timeline(&clock);
    out["drafter_name"] = json!(name_at(services, &out, "/decision/drafted_by")?);
    out["extension_requester_name"] =
        json!(name_at(services, &out, "/internal/extension/requested_by")?);
    out["next_deadline_label"] = json!(v.next_deadline.as_ref().map(|n| n.kind.label()));
    // The approval chain: the level the draft waits at, and who approved it at level 1, when.
    let inside = v.extras.inside.as_ref();
    out["awaiting_level"] = json!(inside.and_then(|i| i.awaiting_approval_level));
    if let Some(first) = inside.and_then(|i| i.first_approved_by.as_ref()) {
        let (_, events) = cases::history(services, credential, id)?;
        let at = events
            .iter()
            .rev()
            .find(|e| e.action == "approve" && e.actor_id.as_deref() == Some(first.id.as_str()))
            .map(|e| {
                e.occurred_at
                    .and_utc()
                    .with_timezone(&crate::domain::time::cst())
                    .format("%Y年%-m月%-d日 %H:%M")
                    .to_string()
            });
        out["first_approval"] = json!({ "name": first.name, "at": at });
    }
    let can = |a: &str| v.allowed.contains(&a);
    out["can"] = json!({
        "approve": can("approve"),
        "return": can("return"),
        "grant_extension": can("grant_extension"),
        "refuse_extension": can("refuse_extension"),
    });
    Ok(out)
}
