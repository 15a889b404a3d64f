//! The documents a case names, with the answer's outcome for each: an internal event of the case.

use super::*;

// ---- Cases name documents -----------------------------------------------------------------

/// One document a case names, as asked.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Naming {
    pub document_id: String,
    #[serde(default)]
    pub outcome: Option<Outcome>,
}

/// The documents a case names, for the staff's view of the case.
pub fn named_of_case(
    conn: &mut DbConnection,
    application_id: &str,
) -> Result<Vec<NamedDocument>, ServiceError> {
    Ok(db::of_case(conn, application_id)?
        .into_iter()
        .map(|(link, e)| NamedDocument {
            document_id: e.id,
            document_number: e.document_number,
            title: e.title,
            status: e.status,
            outcome: link.outcome,
        })
        .collect())
}

/// Sets the documents a case concerns (replacing those named before), with the answer's
/// outcome for each where it differs from the case's: an internal event of the case's chain
/// (`name_documents`; domain::visibility keeps it from the applicant).
pub fn name_documents(
    services: &Services,
    token: Option<&str>,
    id: &str,
    items: Vec<Naming>,
) -> Result<Vec<NamedDocument>, ServiceError> {
    let conn = &mut *services.conn()?;
    let principal = authenticate(conn, token)?;
    // A division's staff (and anybody outside the office) are refused before the case is read.
    let me = require_staff(&principal, NAMERS)?.clone();
    let case = crate::service::cases::visible(conn, &principal, id)?;
    let mut errors = Vec::new();
    let mut seen = HashSet::new();
    let mut named = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let entry =
            db::by_id(conn, item.document_id.trim())?.filter(|e| e.agency_id == case.agency_id);
        match entry {
            None => errors.push(FieldError::new(
                format!("[{i}].document_id"),
                "unknown_document",
                msg!(
                    "本机关的台账中没有该公文",
                    "the office's register has no such document"
                ),
            )),
            Some(e) if !seen.insert(e.id.clone()) => errors.push(FieldError::new(
                format!("[{i}].document_id"),
                "duplicate",
                msg!("同一公文列了两次", "the same document is named twice"),
            )),
            Some(e) => named.push((e, item.outcome)),
        }
    }
    if !errors.is_empty() {
        return Err(ServiceError::Invalid(errors));
    }
    let now = services.now().naive_utc();
    let application_id = case.id.clone();
    write_tx(conn, |conn| {
        let links: Vec<LinkRow> = named
            .iter()
            .map(|(e, outcome)| LinkRow {
                application_id: application_id.to_string(),
                entry_id: e.id.clone(),
                outcome: outcome.map(|o| o.as_str().to_owned()),
            })
            .collect();
        // The event's number first: it locks the case's row, so two namings take turns.
        let (seq, status) = cases::next_event_seq(conn, &application_id)?;
        db::replace_case_links(conn, application_id.as_str(), &links)?;
        let documents: Vec<_> = named
            .iter()
            .map(|(e, outcome)| {
                json!({
                    "document_id": e.id, "document_number": e.document_number,
                    "title": e.title, "outcome": outcome,
                })
            })
            .collect();
        events::insert(
            conn,
            &EventRow {
                id: uuid::Uuid::now_v7().to_string(),
                application_id: application_id.clone(),
                seq,
                occurred_at: now,
                actor_role: me.role,
                actor_id: Some(me.id.clone()),
                actor_name: Some(me.name.clone()),
                action: NAME_DOCUMENTS.into(),
                status_before: Some(status),
                status_after: status,
                payload: json!({ "documents": documents }).to_string(),
                prev_hash: None,
                hash: None,
            },
        )?;
        Ok::<_, ServiceError>(())
    })?;
    named_of_case(conn, application_id.as_str())
}

/// The case event that names its documents.
pub const NAME_DOCUMENTS: &str = "name_documents";
