//! The annual review (art. 44): what was asked for in the last 12 months, and the decisions.

use super::*;

// ---- The annual review (art. 44) -----------------------------------------------------------

#[derive(Debug, Clone, Serialize)]
pub struct ReviewItem {
    pub document: EntryView,
    pub applications: u32,
    pub applicants: u32,
    pub answers: BTreeMap<String, u32>,
    pub proposed: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Review {
    pub agency_code: String,
    pub as_of: NaiveDate,
    /// The first day counted: the same day a year before `as_of`.
    pub from: NaiveDate,
    pub threshold: i32,
    pub items: Vec<ReviewItem>,
}

/// The review as of a day: every document held on request or withheld, with the cases that
/// named it in the 12 months before, their distinct applicants and answers, and whether it is
/// proposed for proactive disclosure.
pub fn review(
    conn: &mut DbConnection,
    agency: &Agency,
    as_of: NaiveDate,
) -> Result<Review, ServiceError> {
    let held: Vec<EntryRow> = db::of_agency(conn, &agency.id, None)?
        .into_iter()
        .filter(|e| DisclosureStatus::parse(&e.status).is_some_and(DisclosureStatus::under_review))
        .collect();
    let from = rules::window_start(as_of);
    let namings: Vec<rules::Naming> = db::namings(conn, &agency.id, from)?
        .into_iter()
        .map(|n| {
            let answered = Status::parse(&n.status)
                .is_some_and(crate::domain::visibility::applicant_sees_outcome);
            rules::Naming {
                document_id: n.entry_id,
                application_id: n.application_id,
                received_on: n.received_on.unwrap_or(n.registered_on),
                applicant: n.id_number_hash,
                answer: answered.then(|| n.link_outcome.or(n.outcome)).flatten(),
            }
        })
        .collect();
    let ids: Vec<String> = held.iter().map(|e| e.id.clone()).collect();
    let threshold = u32::try_from(agency.register_review_threshold).unwrap_or(0);
    let counts = rules::review(&ids, &namings, as_of, threshold);
    let mut items = Vec::with_capacity(held.len());
    for (e, c) in held.into_iter().zip(counts) {
        items.push(ReviewItem {
            document: view(conn, agency, e)?,
            applications: c.applications,
            applicants: c.applicants,
            answers: c.answers,
            proposed: c.proposed,
        });
    }
    Ok(Review {
        agency_code: agency.code.to_string(),
        as_of,
        from,
        threshold: agency.register_review_threshold,
        items,
    })
}

/// One decision of the review, as asked.
#[derive(Debug, Clone, Serialize, serde::Deserialize, validator::Validate)]
#[serde(deny_unknown_fields)]
pub struct DecisionInput {
    #[validate(length(min = 1, max = 64))]
    pub document_id: String,
    pub decision: ReviewDecision,
    #[validate(custom(function = "crate::domain::text::reason_text"))]
    pub reason: String,
}

/// Records the review's decisions, all or none: moving a document to proactive disclosure
/// changes its status (a history row); only a document held on request or withheld is decided.
pub fn decide(
    conn: &mut DbConnection,
    agency: &Agency,
    list: &[DecisionInput],
    who: &Who,
    now: DateTime<Utc>,
) -> Result<Vec<DecisionView>, ServiceError> {
    let mut errors = Vec::new();
    let mut entries = Vec::new();
    let mut seen = HashSet::new();
    for (i, d) in list.iter().enumerate() {
        match db::by_id(conn, d.document_id.trim())?.filter(|e| e.agency_id == agency.id) {
            None => errors.push(FieldError::new(
                format!("decisions[{i}].document_id"),
                "unknown_document",
                msg!(
                    "本机关的台账中没有该公文",
                    "the office's register has no such document"
                ),
            )),
            Some(e) if !seen.insert(e.id.clone()) => errors.push(FieldError::new(
                format!("decisions[{i}].document_id"),
                "duplicate",
                msg!("同一公文决定了两次", "the same document is decided twice"),
            )),
            Some(e) => entries.push(e),
        }
    }
    if list.is_empty() {
        errors.push(FieldError::new(
            "decisions",
            "empty",
            msg!("至少一项决定", "at least one decision"),
        ));
    }
    if !errors.is_empty() {
        return Err(ServiceError::Invalid(errors));
    }
    if let Some(e) = entries
        .iter()
        .find(|e| !DisclosureStatus::parse(&e.status).is_some_and(DisclosureStatus::under_review))
    {
        let number = e.document_number.clone();
        return Err(ServiceError::Conflict(
            ProblemCode::NotUnderReview,
            msg!(
                "{number} 已是主动公开：年度审查只决定依申请公开和不予公开的公文",
                "{number} is already proactive: the review decides documents held on request \
                 or withheld only"
            ),
        ));
    }
    let now = now.naive_utc();
    write_tx(conn, |conn| {
        let mut out = Vec::new();
        for (d, e) in list.iter().zip(&entries) {
            // Read again inside the transaction: another decision may have moved it meanwhile.
            let current = db::by_id(conn, &e.id)?.ok_or(ServiceError::NoSuchDocument)?;
            if current.status == DisclosureStatus::Proactive.as_str() {
                let number = current.document_number.clone();
                return Err(ServiceError::Conflict(
                    ProblemCode::NotUnderReview,
                    msg!("{number} 已是主动公开", "{number} is already proactive"),
                ));
            }
            let row = DecisionRow {
                id: uuid::Uuid::now_v7().to_string(),
                agency_id: agency.id.clone(),
                entry_id: e.id.clone(),
                decision: d.decision.as_str().to_owned(),
                reason: d.reason.trim().to_owned(),
                decided_by: who.id.clone(),
                decided_by_name: who.name.clone(),
                decided_at: now,
            };
            db::insert_decision(conn, &row)?;
            if d.decision == ReviewDecision::MoveToProactive {
                let seq = db::next_seq(conn, &e.id)?;
                let change = change_row(
                    &e.id,
                    seq,
                    StatusInput {
                        status: DisclosureStatus::Proactive,
                        grounds: None,
                        reasons: Some(row.reason.clone()),
                    },
                    ChangeSource::Review,
                    who,
                    now,
                );
                db::set_status(conn, &change)?;
            }
            out.push(decision_view(row));
        }
        Ok::<_, ServiceError>(out)
    })
}

/// Sets the distinct applicants from which the review proposes a document (1 to 1,000).
pub fn set_review_threshold(
    conn: &mut DbConnection,
    code: &str,
    applicants: i32,
) -> Result<Agency, ServiceError> {
    if !(1..=1000).contains(&applicants) {
        return Err(ServiceError::invalid(
            "applicants",
            "range",
            msg!(
                "审查门槛须为 1 至 1000 个申请人",
                "the review threshold is 1 to 1,000 applicants"
            ),
        ));
    }
    let agency = crate::service::admin::agency_by_code(conn, code)?;
    write_tx(conn, |conn| {
        db::set_review_threshold(conn, &agency.id, applicants)
    })?;
    Ok(Agency {
        register_review_threshold: applicants,
        ..agency
    })
}

/// The office by its code, for the command line.
pub fn office(conn: &mut DbConnection, code: &str) -> Result<Agency, ServiceError> {
    crate::service::admin::agency_by_code(conn, code)
}
