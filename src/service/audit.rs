//! Verifying the record: every case's hash chain, its count of events, and each office's
//! gapless series of tracking numbers (domain::audit says why these three together).

use diesel::prelude::*;
use serde::Serialize;

use super::auth::{authenticate, require_staff, Principal};
use super::ServiceError;
use crate::db::models::EventRow;
use crate::db::schema::{agencies, applications as a, events as e, tracking_counters as t};
use crate::db::{staff, write_tx, DbConnection};
use crate::domain::audit::{ChainCheck, Problem};
use crate::domain::workflow::Role;

/// Cases read per page: memory stays flat however many there are.
const PAGE: i64 = 500;

#[derive(Debug, Clone, Serialize)]
pub struct Verification {
    pub ok: bool,
    pub cases: usize,
    pub events: usize,
    /// The first broken link, in the order cases were filed.
    pub first_broken: Option<Broken>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Broken {
    pub application_id: Option<String>,
    pub tracking_number: Option<String>,
    pub seq: Option<i32>,
    pub event_id: Option<String>,
    pub problem: Problem,
}

/// Who may audit: auditors and admins; one bound to an office audits that office only.
pub fn audit_scope(
    conn: &mut DbConnection,
    token: Option<&str>,
    agency_code: Option<&str>,
) -> Result<(Principal, Option<String>), ServiceError> {
    let principal = authenticate(conn, token)?;
    let s = require_staff(&principal, &[Role::Auditor, Role::Admin])?;
    let asked = match agency_code {
        Some(code) => Some(
            staff::agency_by_code(conn, code)?
                .ok_or(ServiceError::NoSuchAgency)?
                .id,
        ),
        None => None,
    };
    let agency_id = match (&s.agency_id, asked) {
        (Some(own), Some(asked)) if *own != asked => {
            return Err(ServiceError::Forbidden(
                crate::domain::message::Message::new(
                    "绑定机关的审计人员只能审计本机关",
                    "an auditor bound to an office audits that office only",
                ),
            ))
        }
        (Some(own), _) => Some(own.clone()),
        (None, asked) => asked,
    };
    Ok((principal, agency_id))
}

/// Checks every case of one office (or all), page by page, and stops at the first break.
/// `progress`, if given, hears the number of cases checked after each page.
pub fn verify(
    conn: &mut DbConnection,
    agency_id: Option<&str>,
    mut progress: Option<&mut dyn FnMut(usize)>,
) -> Result<Verification, ServiceError> {
    // One snapshot: a case's count and its events are read in separate queries, and an event
    // written between the two (a notice sent meanwhile) must not look like tampering.
    crate::db::read_snapshot(conn, |conn| verify_in(conn, agency_id, &mut progress))
}

fn verify_in(
    conn: &mut DbConnection,
    agency_id: Option<&str>,
    progress: &mut Option<&mut dyn FnMut(usize)>,
) -> Result<Verification, ServiceError> {
    let mut v = Verification {
        ok: true,
        cases: 0,
        events: 0,
        first_broken: None,
    };
    let mut after = String::new();
    // Files already found intact (a file attached to several cases is read once).
    let mut hashed = std::collections::HashSet::new();
    loop {
        let mut q = a::table
            .filter(a::id.gt(&after))
            .order(a::id.asc())
            .limit(PAGE)
            .select((a::id, a::tracking_number, a::event_seq))
            .into_boxed();
        if let Some(agency) = agency_id {
            q = q.filter(a::agency_id.eq(agency.to_owned()));
        }
        let cases: Vec<(String, String, i32)> = q.load(conn)?;
        let Some(last) = cases.last() else { break };
        after = last.0.clone();
        let ids: Vec<&str> = cases.iter().map(|c| c.0.as_str()).collect();
        let events: Vec<EventRow> = e::table
            .filter(e::application_id.eq_any(&ids))
            .order((e::application_id.asc(), e::seq.asc()))
            .select(EventRow::as_select())
            .load(conn)?;
        let page_events = &events;
        let mut events = events.iter().peekable();
        for (id, tracking, recorded) in &cases {
            v.cases += 1;
            let mut chain = ChainCheck::default();
            let broken = |ev: Option<&EventRow>, problem| Broken {
                application_id: Some(id.clone()),
                tracking_number: Some(tracking.clone()),
                seq: ev.map(|x| x.seq),
                event_id: ev.map(|x| x.id.clone()),
                problem,
            };
            while let Some(ev) = events.next_if(|ev| ev.application_id.as_str() == id) {
                v.events += 1;
                let checked =
                    chain.next(&ev.content(), ev.prev_hash.as_deref(), ev.hash.as_deref());
                if let Err(p) = checked {
                    return Ok(v.broken(broken(Some(ev), p)));
                }
            }
            if let Err(p) = chain.finish(*recorded) {
                return Ok(v.broken(broken(None, p)));
            }
        }
        if let Some(b) = files_as_recorded(conn, (&cases, page_events), &mut hashed)? {
            return Ok(v.broken(b));
        }
        if let Some(report) = progress {
            report(v.cases);
        }
    }
    if let Some(gap) = missing_case(conn, agency_id)? {
        return Ok(v.broken(gap));
    }
    Ok(v)
}

/// The files of a page of cases: each record as its upload event recorded it (the chain, just
/// verified, covers the event), and each content still hashing to its SHA-256, read a chunk at
/// a time.
fn files_as_recorded(
    conn: &mut DbConnection,
    (cases, events): (&[(String, String, i32)], &[EventRow]),
    hashed: &mut std::collections::HashSet<String>,
) -> Result<Option<Broken>, ServiceError> {
    use crate::db::schema::attachments as f;
    use crate::domain::audit::attachment_as_recorded;
    let ids: Vec<&str> = cases.iter().map(|c| c.0.as_str()).collect();
    let files: Vec<crate::db::attachments::AttachmentRow> = f::table
        .filter(f::application_id.eq_any(&ids))
        .order(f::id.asc())
        .select(crate::db::attachments::AttachmentRow::as_select())
        .load(conn)?;
    for file in files {
        let tracking = cases
            .iter()
            .find(|c| c.0 == file.application_id.as_str())
            .map(|c| c.1.clone());
        let broken = |problem| Broken {
            application_id: Some(file.application_id.to_string()),
            tracking_number: tracking.clone(),
            seq: Some(file.event_seq),
            event_id: None,
            problem,
        };
        // The upload event, among the page's events already read and verified.
        let event = events
            .iter()
            .find(|ev| ev.application_id == file.application_id && ev.seq == file.event_seq);
        let as_recorded = event.is_some_and(|ev| {
            let payload = serde_json::from_str(&ev.payload).unwrap_or_default();
            attachment_as_recorded(
                (&file.id, &file.name, file.size, &file.sha256),
                &ev.action,
                &payload,
            )
        });
        if !as_recorded {
            return Ok(Some(broken(Problem::AttachmentNotAsRecorded {
                attachment_id: file.id.clone(),
            })));
        }
        if hashed.contains(&file.sha256) {
            continue;
        }
        if content_hash(conn, &file.sha256)? != Some((file.sha256.clone(), file.size)) {
            return Ok(Some(broken(Problem::FileAltered {
                sha256: file.sha256.clone(),
            })));
        }
        hashed.insert(file.sha256.clone());
    }
    Ok(None)
}

/// The SHA-256 and length of a stored file's content, as read now.
fn content_hash(conn: &mut DbConnection, sha256: &str) -> QueryResult<Option<(String, i64)>> {
    use sha2::Digest;
    let Ok(count) = crate::db::attachments::chunk_count(conn, sha256) else {
        return Ok(None);
    };
    let (mut hasher, mut size) = (sha2::Sha256::new(), 0i64);
    for seq in 0..count {
        let Some(chunk) = crate::db::attachments::chunk(conn, sha256, seq)? else {
            return Ok(None);
        };
        size += i64::try_from(chunk.len()).unwrap_or(i64::MAX);
        hasher.update(&chunk);
    }
    Ok(Some((hex::encode(hasher.finalize()), size)))
}

impl Verification {
    fn broken(mut self, b: Broken) -> Self {
        self.ok = false;
        self.first_broken = Some(b);
        self
    }
}

/// A tracking number handed out (the counter moved past it) that no case carries.
fn missing_case(conn: &mut DbConnection, agency_id: Option<&str>) -> QueryResult<Option<Broken>> {
    let mut q = t::table
        .inner_join(agencies::table.on(agencies::id.eq(t::agency_id)))
        .select((t::agency_id, agencies::code, t::year, t::last_number))
        .order((agencies::code.asc(), t::year.asc()))
        .into_boxed();
    if let Some(agency) = agency_id {
        q = q.filter(t::agency_id.eq(agency.to_owned()));
    }
    for (agency, code, year, last) in q.load::<(String, String, i32, i32)>(conn)? {
        let prefix = format!("{code}-{year}-");
        let numbers: Vec<String> = a::table
            .filter(a::agency_id.eq(&agency))
            .filter(a::tracking_number.like(format!("{prefix}%")))
            .select(a::tracking_number)
            .load(conn)?;
        if numbers.len() as i64 == i64::from(last) {
            continue;
        }
        let mut seen = vec![false; last.max(0) as usize + 1];
        for n in &numbers {
            if let Some(i) = n[prefix.len()..]
                .parse::<usize>()
                .ok()
                .filter(|i| *i < seen.len())
            {
                seen[i] = true;
            }
        }
        let first = (1..seen.len()).find(|i| !seen[*i]).unwrap_or(last as usize);
        return Ok(Some(Broken {
            application_id: None,
            tracking_number: None,
            seq: None,
            event_id: None,
            problem: Problem::MissingCase {
                tracking_number: format!("{prefix}{first:06}"),
            },
        }));
    }
    Ok(None)
}

/// Gives events written before the chain existed their hashes, once (the only change the
/// database lets anyone make to an event). Returns how many it chained.
pub fn chain_unchained(conn: &mut DbConnection) -> Result<usize, ServiceError> {
    write_tx(conn, |conn| {
        let cases: Vec<crate::domain::case::ApplicationId> = e::table
            .filter(e::hash.is_null())
            .select(e::application_id)
            .distinct()
            .load(conn)?;
        let mut chained = 0;
        for case in cases {
            let mut prev: Option<String> = None;
            for mut ev in crate::db::events::for_application(conn, &case)? {
                if ev.hash.is_none() {
                    ev.chain_to(prev.as_deref());
                    diesel::update(e::table.find(&ev.id))
                        .set((e::prev_hash.eq(&ev.prev_hash), e::hash.eq(&ev.hash)))
                        .execute(conn)?;
                    chained += 1;
                }
                prev = ev.hash;
            }
        }
        Ok::<_, ServiceError>(chained)
    })
}
