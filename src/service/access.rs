//! A lost access token: the applicant gives the tracking number and their identity number; when
//! the pair matches (by keyed hash, never in clear), a new token goes to the contact on file
//! through the outbox and the old one stops working. The answer is the same either way, so it
//! tells nobody whether a number belongs to a case.

use chrono::{DateTime, Utc};
use serde_json::json;

use super::{ServiceError, Services};
use crate::db::models::EventRow;
use crate::db::schema::applications as a;
use crate::db::{cases, events, staff};
use crate::domain::identity::IdNumber;
use crate::domain::workflow::Role;
use crate::security::{new_token, token_hash, ACCESS_TOKEN_PREFIX};

/// Sends a new access token when `id_number` is the case's; does nothing visible otherwise.
pub fn reset(
    services: &Services,
    key: &str,
    id_number: &str,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    let (key, id_number) = (key.to_owned(), id_number.to_owned());
    let s = services.clone();
    services.write(move |conn| {
        use diesel::prelude::*;
        let Some(case) = cases::by_id_or_tracking_number(conn, &key)? else {
            return Ok(());
        };
        let given = s.key.identity_hash(&IdNumber::unchecked(
            case.applicant.id_document_type,
            &id_number,
        ));
        // Only a contact on file can receive it; without an e-mail the office helps in person.
        let (true, Some(email)) = (
            given == case.applicant.id_number_hash,
            case.applicant.email.as_deref(),
        ) else {
            return Ok(());
        };
        let token = new_token(ACCESS_TOKEN_PREFIX);
        diesel::update(a::table.find(&case.id))
            .set(a::access_token_hash.eq(token_hash(&token)))
            .execute(conn)?;
        // Whoever opened the tracking page with the old token is out with it.
        crate::db::sessions::delete_of_application(conn, case.id.as_str())?;
        let (seq, status) = cases::next_event_seq(conn, &case.id)?;
        events::insert(
            conn,
            &EventRow {
                id: uuid::Uuid::now_v7().to_string(),
                application_id: case.id.clone(),
                seq,
                occurred_at: now.naive_utc(),
                actor_role: Role::Applicant,
                actor_id: None,
                actor_name: None,
                action: "reset_access_token".into(),
                status_before: Some(status),
                status_after: status,
                // Never the token itself.
                payload: json!({ "sent_to": "email" }).to_string(),
                prev_hash: None,
                hash: None,
            },
        )?;
        let agency = staff::agency_by_id(conn, &case.agency_id)?;
        super::notices::access_token(conn, &s, &agency, &case, email, &token, seq, now)?;
        Ok(())
    })
}
