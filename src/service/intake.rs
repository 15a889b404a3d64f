//! Opening a case: online filing by the applicant, registration by a clerk (登记制, RULES §3).

use chrono::{DateTime, Datelike, Utc};

use super::auth::{require_staff, Principal};
use super::clock::next_info;
use super::forms::{check_application, ApplicantForm, OnlineFiling, Registration, RequestForm};
use super::{FieldError, ServiceError, Services};
use crate::db::models::{
    Agency, ApplicantColumns, ApplicationRow, EventRow, NewApplication, Request,
};
use crate::db::{cases, events, staff, write_tx, DbConnection};
use crate::domain::case::{ApplicationId, Channel};
use crate::domain::identity::IdNumber;
use crate::domain::time::legal_date;
use crate::domain::workflow::{self, Role};
use crate::msg;
use crate::security::{new_token, sha256_hex, token_hash, ACCESS_TOKEN_PREFIX};

/// A case just opened, with the applicant's access token (shown this once).
#[derive(Debug)]
pub struct Opened {
    pub case: ApplicationRow,
    pub agency_code: String,
    pub access_token: String,
    /// True when an earlier request with the same Idempotency-Key is being answered again.
    pub replayed: bool,
    /// Who the answer is for: the applicant filing online, or the registering clerk.
    pub viewer: Principal,
    pub next_deadline: Option<super::clock::NextDeadlineInfo>,
    pub allowed: Vec<&'static str>,
}

/// Files an application online. The office's receipt is this answer itself, so the legal date
/// of receipt is today in China (art. 31: online, the day both sides confirm receipt).
pub fn file_online(
    services: &Services,
    form: &OnlineFiling,
    idempotency_key: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Opened, ServiceError> {
    file_online_with(services, form, idempotency_key, Vec::new(), now)
}

/// `file_online`, with the files sent along (a scan of a paper form, a sketch): checked before
/// (their kinds and sizes, by the HTTP layer) and attached in the filing's own transaction, so
/// the case and its files are opened together or not at all.
pub fn file_online_with(
    services: &Services,
    form: &OnlineFiling,
    idempotency_key: Option<&str>,
    files: Vec<super::attachments::Received>,
    now: DateTime<Utc>,
) -> Result<Opened, ServiceError> {
    let errors = check_application(&form.applicant, &form.request);
    if !errors.is_empty() {
        return Err(ServiceError::Invalid(errors));
    }
    // Only a request with an Idempotency-Key is compared with an earlier one (its files by
    // their hashes).
    let request_hash = idempotency_key.map(|_| {
        let mut bytes = serde_json::to_vec(form).expect("forms serialise");
        for f in &files {
            bytes.extend_from_slice(f.sha256.as_bytes());
        }
        sha256_hex(&bytes)
    });
    let files = std::sync::Arc::new(files);
    let limits = services.files.limits;
    let (s, form, key) = (
        services.clone(),
        form.clone(),
        idempotency_key.map(str::to_owned),
    );
    // The office and its divisions are read before the write, on a connection of the pool:
    // they change only by an admin's hand, so reading them a moment early is as if the filing
    // had come a moment earlier, and the one writer is spared two reads. What the stored case
    // depends on (the calendar, the next number) is read inside the write.
    let (agency, office) = {
        let conn = &mut *services.conn()?;
        let agency = staff::agency_by_code(conn, &form.agency_code)?
            .ok_or_else(|| unknown_agency(&form.agency_code))?;
        let office = super::admin::office_of(conn, &agency)?;
        (agency, office)
    };
    let lane = form.agency_code.clone();
    services.write_for_office(&lane, move |conn| {
        let (services, form) = (&s, &form);
        let idempotency = key.as_deref().zip(request_hash.as_deref());
        if let Some((key, hash)) = idempotency {
            if let Some(replay) = replay(services, conn, key, hash)? {
                return Ok(replay);
            }
        }
        let new = NewCase {
            id: ApplicationId::from_uuid(uuid::Uuid::now_v7()),
            agency: &agency,
            channel: Channel::Online,
            received_on: Some(legal_date(now)),
            registered_by: None,
            applicant: &form.applicant,
            id_number: id_number(&form.applicant)?,
            request: &form.request,
            assistance_needed: form.assistance_needed.clone(),
        };
        let opened = open(services, conn, &new, now, idempotency, office.clone())?;
        let applicant = Principal::Applicant {
            application_id: opened.case.id.clone(),
        };
        let request = super::attachments::Intent {
            purpose: crate::domain::attachment::Purpose::Request,
            redacts: None,
        };
        for file in files.iter() {
            super::attachments::record(
                conn,
                &opened.case,
                &applicant,
                &request,
                file,
                (limits, now),
            )?;
        }
        Ok(opened)
    })
}

/// No office has the code a filing names.
fn unknown_agency(code: &str) -> ServiceError {
    ServiceError::Invalid(vec![FieldError::new(
        "agency_code",
        crate::domain::problem_code::ProblemCode::UnknownAgency.as_str(),
        msg!(
            "没有代码为 {code:?} 的机关",
            "no office has the code {code:?}"
        ),
    )])
}

/// The keyed hash an applicant's identity document is known by (never the number itself).
pub fn identity_key(services: &Services, applicant: &ApplicantForm) -> String {
    services.key.identity_hash(&applicant.unchecked_id_number())
}

/// The identity number of a form that passed `check_application`.
fn id_number(applicant: &ApplicantForm) -> Result<IdNumber, ServiceError> {
    applicant.id_number().map_err(|e| {
        ServiceError::Invalid(vec![FieldError::new(
            "applicant.id_number",
            "invalid_id_number",
            super::forms::id_number_message(&e),
        )])
    })
}

/// Registers an application that came by mail, in person or fax (art. 31 decides its date).
/// A clerk registers an application that came on paper, by mail, by fax or in person. With an
/// idempotency key (the console's form carries one), the same form sent again opens nothing
/// new: it answers the first case, with the same access token.
pub fn register(
    services: &Services,
    token: Option<&str>,
    form: &Registration,
    idempotency_key: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Opened, ServiceError> {
    let conn = &mut *services.conn()?;
    let principal = super::auth::authenticate(conn, token)?;
    let clerk = require_staff(&principal, &[Role::Clerk])?;
    let agency_id = clerk.agency_id.clone().ok_or(ServiceError::Forbidden(
        crate::domain::message::Message::new(
            "登记人员须属于某个机关",
            "clerks belong to an agency",
        ),
    ))?;
    let mut errors = check_application(&form.applicant, &form.request);
    let today = legal_date(now);
    match form.received_on {
        Some(d) => {
            if let Err((code, message)) = workflow::past_date(d, today) {
                errors.push(FieldError::new("received_on", code, message));
            }
        }
        None if form.channel == Channel::InPerson => errors.push(FieldError::new(
            "received_on",
            "required",
            msg!(
                "当面提交的申请以当日为收到日期，请填写日期（第三十一条）",
                "an application handed in is received that day: give the date (art. 31)"
            ),
        )),
        _ => {}
    }
    if !errors.is_empty() {
        return Err(ServiceError::Invalid(errors));
    }
    let request_hash =
        idempotency_key.map(|_| sha256_hex(&serde_json::to_vec(form).expect("forms serialise")));
    let idempotency = idempotency_key.zip(request_hash.as_deref());
    write_tx(conn, |conn| {
        if let Some((key, hash)) = idempotency {
            if let Some(replay) = replay(services, conn, key, hash)? {
                // Only the office's own form replays (a key is its form's, never shared).
                if replay.case.agency_id != agency_id {
                    return Err(ServiceError::IdempotencyKeyReused);
                }
                return Ok(replay);
            }
        }
        let agency = staff::agency_by_id(conn, &agency_id)?;
        let office = super::admin::office_of(conn, &agency)?;
        let new = NewCase {
            id: ApplicationId::from_uuid(uuid::Uuid::now_v7()),
            agency: &agency,
            channel: form.channel,
            received_on: form.received_on,
            registered_by: Some((&principal, clerk.name.as_str())),
            applicant: &form.applicant,
            id_number: id_number(&form.applicant)?,
            request: &form.request,
            assistance_needed: form.assistance_needed.clone(),
        };
        open(services, conn, &new, now, idempotency, office)
    })
}

fn replay(
    services: &Services,
    conn: &mut DbConnection,
    key: &str,
    request_hash: &str,
) -> Result<Option<Opened>, ServiceError> {
    let Some(record) = cases::idempotency_record(conn, key)? else {
        return Ok(None);
    };
    if record.request_hash != request_hash {
        return Err(ServiceError::IdempotencyKeyReused);
    }
    let case = cases::application(conn, &record.application_id)?.ok_or(ServiceError::NotFound)?;
    let agency = staff::agency_by_id(conn, &case.agency_id)?;
    let access_token = services.key.derived_access_token(case.id.as_str(), key);
    let viewer = Principal::Applicant {
        application_id: case.id.clone(),
    };
    let cal = services.calendars.get(conn, Some(&case.agency_id))?;
    let today = legal_date(services.now());
    let next_deadline = next_info(&cal, &case, today);
    let case_row = case.clone();
    Ok(Some(Opened {
        case,
        agency_code: agency.code.to_string(),
        access_token,
        replayed: true,
        allowed: super::cases::allowed(conn, services, &case_row, &viewer, today)?,
        viewer,
        next_deadline,
    }))
}

struct NewCase<'a> {
    /// The case's id (time-ordered), fixed first: a derived access token depends on it.
    id: ApplicationId,
    agency: &'a Agency,
    channel: Channel,
    received_on: Option<chrono::NaiveDate>,
    registered_by: Option<(&'a Principal, &'a str)>,
    applicant: &'a ApplicantForm,
    /// The applicant's identity number, parsed once the form passed its checks.
    id_number: IdNumber,
    request: &'a RequestForm,
    assistance_needed: Option<String>,
}

/// The legal date of receipt (art. 31): as the clerk gave it, or for an online filing the day
/// both sides can confirm it (31(3)) — a filing made on a day off is received the next working
/// day.
fn legal_receipt(
    cal: &crate::domain::calendar::Calendar,
    new: &NewCase<'_>,
    today: chrono::NaiveDate,
) -> Option<chrono::NaiveDate> {
    match (new.channel, new.registered_by) {
        (Channel::Online, None) => Some(crate::domain::workflow::online_receipt(cal, today)),
        _ => new.received_on,
    }
}

/// The row of a new case: numbered in the office's yearly series, the identity number kept
/// only as its keyed hash and masked form, the legal date of receipt as art. 31 gives it.
fn new_row(
    services: &Services,
    conn: &mut DbConnection,
    new: &NewCase<'_>,
    received_on: Option<chrono::NaiveDate>,
    now: DateTime<Utc>,
    access_token: &str,
) -> Result<ApplicationRow, ServiceError> {
    let today = legal_date(now);
    let number = cases::next_tracking_number(conn, &new.agency.id, today.year())?;
    let (a, request) = (new.applicant, new.request);
    Ok(ApplicationRow::new(NewApplication {
        id: new.id.clone(),
        agency_id: new.agency.id.clone(),
        tracking_number: format!("{}-{}-{number:06}", new.agency.code, today.year()),
        channel: new.channel,
        applicant: ApplicantColumns {
            kind: a.kind,
            organisation_type: a.organisation_type,
            name: a.name.trim().into(),
            id_document_type: a.id_document_type,
            id_number_hash: services.key.identity_hash(&new.id_number),
            id_number_masked: new.id_number.masked(),
            phone: a.phone.trim().into(),
            email: a.email.clone(),
            address: a.address.clone(),
        },
        request: Request {
            description: request.description.clone(),
            document_number: request.document_number.clone(),
            information_form: request.information_form,
            delivery_wanted: request.delivery_method,
            assistance_needed: new.assistance_needed.clone(),
        },
        access_token_hash: token_hash(access_token),
        registered_by: new.registered_by.and_then(|(p, _)| p.actor().id),
        opened_at: now.naive_utc(),
        opened_on: today,
        received_on,
    }))
}

/// The case's first event: what was filed, with the identity number masked.
fn first_event(new: &NewCase<'_>, row: &ApplicationRow, now: DateTime<Utc>) -> EventRow {
    let a = new.applicant;
    let payload = serde_json::json!({
        "tracking_number": row.tracking_number,
        "channel": new.channel,
        "received_on": row.clock.received_on,
        "applicant": {
            "kind": a.kind,
            "organisation_type": a.organisation_type,
            "name": row.applicant.name,
            "id_document_type": a.id_document_type,
            "id_number_masked": row.applicant.id_number_masked,
        },
        "request": new.request,
        "assistance_needed": new.assistance_needed,
    });
    let (actor_role, actor_id, actor_name, action) = match new.registered_by {
        Some((p, name)) => (p.role(), p.actor().id, Some(name.to_owned()), "register"),
        None => (Role::Applicant, None, None, "file"),
    };
    EventRow {
        id: uuid::Uuid::now_v7().to_string(),
        application_id: row.id.clone(),
        seq: 1,
        occurred_at: now.naive_utc(),
        actor_role,
        actor_id,
        actor_name,
        action: action.into(),
        status_before: None,
        status_after: row.status(),
        payload: payload.to_string(),
        prev_hash: None,
        hash: None,
    }
}

fn open(
    services: &Services,
    conn: &mut DbConnection,
    new: &NewCase<'_>,
    now: DateTime<Utc>,
    idempotency: Option<(&str, &str)>,
    office: crate::domain::workflow::Office,
) -> Result<Opened, ServiceError> {
    let today = legal_date(now);
    let access_token = match idempotency {
        Some((key, _)) => services.key.derived_access_token(new.id.as_str(), key),
        None => new_token(ACCESS_TOKEN_PREFIX),
    };
    let cal = services.calendars.get(conn, Some(&new.agency.id))?;
    let received_on = legal_receipt(&cal, new, today);
    let mut row = new_row(services, conn, new, received_on, now, &access_token)?;
    row.clock.next = super::clock::next_for(&cal, &row.case()?, now)?;
    cases::insert_application(conn, &row)?;
    events::insert(conn, &first_event(new, &row, now))?;
    if let Some((key, hash)) = idempotency {
        cases::insert_idempotency_record(conn, key, hash, &row.id, now.naive_utc())?;
    }
    super::notices::receipt(conn, services, (new.agency, &cal), &row, &access_token, now)?;
    let viewer = match new.registered_by {
        Some((p, _)) => p.clone(),
        None => Principal::Applicant {
            application_id: row.id.clone(),
        },
    };
    let next_deadline = next_info(&cal, &row, today);
    // The case as the workflow sees it, from what this filing has read already: a new case has
    // no forwardings yet.
    let mut case = row.case()?;
    case.office = office;
    let allowed = workflow::allowed_actions(&case, &viewer.actor(), &cal, today)
        .iter()
        .map(|k| k.as_str())
        .collect();
    Ok(Opened {
        case: row,
        agency_code: new.agency.code.to_string(),
        access_token,
        replayed: false,
        viewer,
        next_deadline,
        allowed,
    })
}
