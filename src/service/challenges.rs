//! Challenges to a decision (art. 51): administrative reconsideration and litigation, recorded
//! on the case by a clerk with their results, for part 四 of the annual report.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::ServiceError;
use crate::db::models::{ApplicationRow, Challenge};
use crate::db::schema::challenges as c;
use crate::db::DbConnection;
use crate::domain::case::{ApplicationId, ChallengeKind};
use crate::domain::message::Message;
use crate::domain::workflow::{Action, WorkflowError};
use crate::msg;

/// What an action does to the case's challenges, checked before anything is written.
pub enum Step {
    New(Challenge),
    Result(Challenge),
}

fn invalid(field: &'static str, message: Message) -> ServiceError {
    ServiceError::Workflow {
        error: WorkflowError::InvalidInput { field, message },
        allowed: vec![],
    }
}

pub fn prepare(
    conn: &mut DbConnection,
    case: &ApplicationRow,
    action: &Action,
    now: DateTime<Utc>,
) -> Result<Option<Step>, ServiceError> {
    match action {
        Action::RecordChallenge(i) => Ok(Some(Step::New(Challenge {
            id: uuid::Uuid::now_v7().to_string(),
            application_id: case.id.clone(),
            agency_id: case.agency_id.clone(),
            kind: i.kind,
            after_reconsideration: i.kind == ChallengeKind::Litigation && i.after_reconsideration,
            filed_on: i.filed_on,
            result: None,
            decided_on: None,
            created_at: now.naive_utc(),
        }))),
        Action::RecordChallengeResult(i) => {
            let found: Option<Challenge> = c::table
                .find(&i.challenge_id)
                .filter(c::application_id.eq(&case.id))
                .select(Challenge::as_select())
                .first(conn)
                .optional()?;
            let Some(mut ch) = found else {
                return Err(invalid(
                    "challenge_id",
                    msg!(
                        "本案没有该编号的复议或诉讼",
                        "no such challenge on this case"
                    ),
                ));
            };
            if ch.result.is_some() {
                return Err(invalid(
                    "challenge_id",
                    msg!(
                        "该复议或诉讼的结果已经登记",
                        "this challenge's result is recorded"
                    ),
                ));
            }
            if i.decided_on < ch.filed_on {
                return Err(invalid("decided_on", {
                    let filed = ch.filed_on;
                    msg!(
                        "该复议或诉讼于 {filed} 提起",
                        "the challenge was filed on {filed}"
                    )
                }));
            }
            ch.result = Some(i.result);
            ch.decided_on = Some(i.decided_on);
            Ok(Some(Step::Result(ch)))
        }
        _ => Ok(None),
    }
}

pub fn write(conn: &mut DbConnection, step: &Step) -> QueryResult<()> {
    match step {
        Step::New(ch) => diesel::insert_into(c::table).values(ch).execute(conn)?,
        Step::Result(ch) => diesel::update(c::table.find(&ch.id))
            .filter(c::result.is_null())
            .set((c::result.eq(ch.result), c::decided_on.eq(ch.decided_on)))
            .execute(conn)?,
    };
    Ok(())
}

/// A case's challenges, oldest first.
pub fn of_case(
    conn: &mut DbConnection,
    application_id: &ApplicationId,
) -> QueryResult<Vec<Challenge>> {
    c::table
        .filter(c::application_id.eq(application_id))
        .order(c::id.asc())
        .select(Challenge::as_select())
        .load(conn)
}
