//! A case as filed: the applicant's columns, and the one constructor of a new application's
//! row that intake, the benchmarks and the seed all use.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::case_row::{
    ApplicationRow, ClockColumns, ExtensionColumns, FeeColumns, HandlingColumns, NextDeadline,
};
use super::schema::applications;
use crate::domain::case::{
    ApplicantKind, Channel, DeliveryMethod, InformationForm, OrganisationType,
};
use crate::domain::case::{ApplicationId, Status};
use crate::domain::identity::IdDocumentType;

/// Who applied (art. 29(1)): never the identity number itself, only its keyed hash and its
/// masked form.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = applications)]
pub struct ApplicantColumns {
    #[diesel(column_name = applicant_kind)]
    pub kind: ApplicantKind,
    pub organisation_type: Option<OrganisationType>,
    #[diesel(column_name = applicant_name)]
    pub name: String,
    pub id_document_type: IdDocumentType,
    pub id_number_hash: String,
    pub id_number_masked: String,
    pub phone: String,
    pub email: Option<String>,
    pub address: Option<String>,
}

/// What a new case is opened with (RULES §3: 登记); the rest of its row starts empty.
#[derive(Debug, Clone)]
pub struct NewApplication {
    pub id: ApplicationId,
    pub agency_id: String,
    pub tracking_number: String,
    pub channel: Channel,
    pub applicant: ApplicantColumns,
    pub request: Request,
    pub access_token_hash: String,
    /// The registering clerk; none for an online filing.
    pub registered_by: Option<String>,
    /// When the case was opened, and that day in China.
    pub opened_at: NaiveDateTime,
    pub opened_on: NaiveDate,
    /// The legal date of receipt (art. 31), when known.
    pub received_on: Option<NaiveDate>,
}

/// What is asked for (art. 29(2)), in which form and how the answer is wanted (art. 29(3)).
#[derive(Debug, Clone)]
pub struct Request {
    pub description: String,
    pub document_number: Option<String>,
    pub information_form: InformationForm,
    pub delivery_wanted: DeliveryMethod,
    pub assistance_needed: Option<String>,
}

impl ApplicationRow {
    /// A case just registered: version 1, its first event to come, no deadline computed yet.
    pub fn new(n: NewApplication) -> Self {
        Self {
            id: n.id,
            agency_id: n.agency_id,
            tracking_number: n.tracking_number,
            channel: n.channel,
            version: 1,
            applicant: n.applicant,
            information_form: n.request.information_form,
            delivery_wanted: n.request.delivery_wanted,
            assistance_needed: n.request.assistance_needed,
            access_token_hash: n.access_token_hash,
            registered_by: n.registered_by.clone(),
            registered_at: n.opened_at,
            registered_on: n.opened_on,
            updated_at: n.opened_at,
            event_seq: 1,
            clock: ClockColumns {
                status: Status::Registered,
                received_on: n.received_on,
                correction_requested_on: None,
                correction_period_days: None,
                correction_notice_received_on: None,
                corrected_received_on: None,
                clock_pauses: "[]".into(),
                delivered_on: None,
                delivery_method: None,
                posted_on: None,
                closed_on: None,
                office_set_period: None,
                fee: FeeColumns::default(),
                extension: ExtensionColumns::default(),
                next: NextDeadline::default(),
            },
            handling: HandlingColumns {
                description: n.request.description,
                document_number: n.request.document_number,
                consultation_letter_on: None,
                outcome: None,
                decision_drafted_by: None,
                approved_by: None,
                decision: None,
                reasons_asked_on: None,
                reasons_replied_on: None,
                reopened_on: None,
                fee_waived_on: None,
                final_clock: None,
                final_answer_due_on: None,
                // The registering clerk handles the case until it is assigned to another.
                assignee_id: n.registered_by.clone(),
                approval_stage: None,
                first_approved_by: None,
                internal_due_on: None,
            },
        }
    }
}
