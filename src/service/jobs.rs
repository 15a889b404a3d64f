//! The scheduled job: deadlines that passed give way to the next one (a consulted party's window
//! closing lets the answer clock run again), and cases whose correction period or fee payment
//! period has lapsed are deemed abandoned (art. 30; Fee Measures). Each closure goes through the same conditional
//! write as any action, so several instances running the job at once close a case once.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;

use super::cases::{apply_action, Act, By};
use super::{ServiceError, Services};
use crate::db::models::ApplicationRow;
use crate::db::schema::applications;
use crate::db::write_tx;
use crate::domain::case::Status;
use crate::domain::clock::{self, DeadlineKind, DeadlineState};
use crate::domain::time::legal_date;
use crate::domain::workflow::{Action, Actor, Role};

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Lapsed {
    pub abandoned_no_correction: usize,
    pub abandoned_fee_unpaid: usize,
    /// Open cases whose passed deadline gave way to the next (a consultation window closed).
    pub deadlines_rolled: usize,
}

/// The open cases that may have lapsed: waiting for a correction, or with a fee notice unpaid.
/// Each half is read through an index holding only such cases, so that the job, every few
/// minutes, does not read every case (it did: 0.08 s and the whole file mapped in at 140,000).
fn lapse_candidates(conn: &mut crate::db::DbConnection) -> QueryResult<Vec<ApplicationRow>> {
    let mut rows: Vec<ApplicationRow> = applications::table
        .filter(applications::status.eq(Status::Correction))
        // True of every open case (a closed clock is kept only on closing); it is the condition
        // of the index `applications_clock_to_keep` (status, id), which this reads.
        .filter(applications::final_clock.is_null())
        .select(ApplicationRow::as_select())
        .load(conn)?;
    // The index `applications_fee_unpaid` holds the cases these two conditions name.
    let unpaid: Vec<ApplicationRow> = applications::table
        .filter(applications::fee_notice_on.is_not_null())
        .filter(applications::fee_paid_on.is_null())
        .filter(applications::status.ne_all(Status::TERMINAL))
        .filter(applications::status.ne(Status::Correction))
        .select(ApplicationRow::as_select())
        .load(conn)?;
    rows.extend(unpaid);
    Ok(rows)
}

/// Closes every case whose period lapsed before `now`'s legal date.
pub fn close_lapsed(services: &Services, now: DateTime<Utc>) -> Result<Lapsed, ServiceError> {
    let rolled = super::clock::roll_passed_deadlines(services, now)?;
    let conn = &mut *services.conn()?;
    let today = legal_date(now);
    let candidates = lapse_candidates(conn)?;
    let system = Actor {
        id: None,
        role: Role::System,
    };
    let by = By {
        actor: &system,
        name: None,
    };
    let mut done = Lapsed {
        deadlines_rolled: rolled.changed_cases,
        ..Lapsed::default()
    };
    let mut calendars = services.calendars.batch();
    for row in candidates {
        let cal = calendars.get(conn, &row.agency_id)?;
        let deadlines = clock::deadlines(&cal, &row.case()?.clock_facts(), today).map_err(|e| {
            ServiceError::Internal(format!("the deadlines of case {}: {e}", row.id))
        })?;
        let lapsed = |kind| {
            deadlines
                .iter()
                .any(|d| d.kind == kind && d.state == DeadlineState::Overdue)
        };
        let action = if lapsed(DeadlineKind::CorrectionPeriod) {
            Action::AbandonNoCorrection
        } else if lapsed(DeadlineKind::FeePayment) {
            Action::AbandonFeeUnpaid
        } else {
            continue;
        };
        let result = write_tx(conn, |conn| {
            // Read again inside the transaction: another instance may have acted meanwhile.
            match crate::db::cases::application(conn, &row.id)? {
                Some(fresh) => {
                    // Unchanged since it was read: its deadlines are the ones just computed.
                    let act = Act {
                        action: &action,
                        expected_version: fresh.version,
                        now,
                        deadlines: (fresh.version == row.version).then_some(&deadlines[..]),
                    };
                    apply_action(conn, services, &fresh, &by, &act).map(Some)
                }
                None => Ok(None),
            }
        });
        match result {
            Ok(Some(_)) => match action {
                Action::AbandonNoCorrection => done.abandoned_no_correction += 1,
                _ => done.abandoned_fee_unpaid += 1,
            },
            // Someone else closed it, or it moved on (corrected, paid): nothing to do.
            Ok(None)
            | Err(ServiceError::VersionConflict { .. })
            | Err(ServiceError::Workflow { .. }) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(done)
}
