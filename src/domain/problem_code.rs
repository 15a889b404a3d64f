//! Every `code` the API answers a problem with, and the HTTP status each one goes with. The
//! workflow's refusals carry these codes too, so they live here, free of I/O. The table in
//! `api/openapi.yaml` ("Errors") lists exactly these (checked by `tests/api/problems.rs`).

use super::str_enum;

str_enum! {
    pub enum ProblemCode {
        // 400
        MalformedJson = "malformed_json",
        DuplicateKey = "duplicate_key",
        MalformedRequest = "malformed_request",
        UnreadableBody = "unreadable_body",
        InvalidQuery = "invalid_query",
        InvalidHeader = "invalid_header",
        /// A multipart upload that is not well formed or ends before its closing boundary.
        MalformedUpload = "malformed_upload",
        // 401, 403
        Unauthenticated = "unauthenticated",
        Forbidden = "forbidden",
        RoleNotAllowed = "role_not_allowed",
        DivisionStaffOnly = "division_staff_only",
        // 404, 405
        NotFound = "not_found",
        UnknownAgency = "unknown_agency",
        NoLetter = "no_letter",
        RouteNotFound = "route_not_found",
        UnknownAction = "unknown_action",
        MethodNotAllowed = "method_not_allowed",
        // 408, 413, 415, 431
        BodyTimeout = "body_timeout",
        RequestTimeout = "request_timeout",
        PayloadTooLarge = "payload_too_large",
        /// One file over the per-file limit (issue 17).
        FileTooLarge = "file_too_large",
        /// The case's files would pass the per-case limit.
        CaseStorageFull = "case_storage_full",
        /// A file whose content is none of the allowed kinds, whatever its name says.
        FileTypeNotAllowed = "file_type_not_allowed",
        UnsupportedMediaType = "unsupported_media_type",
        HeadersTooLarge = "headers_too_large",
        // 409: the state of things
        VersionConflict = "version_conflict",
        ActionNotAllowed = "action_not_allowed",
        OwnAccount = "own_account",
        LastUnboundAdmin = "last_unbound_admin",
        AgencyExists = "agency_exists",
        NoticeNotFailed = "notice_not_failed",
        /// A closed case takes no more files.
        FilesClosed = "files_closed",
        // 409: the workflow's refusals (domain/workflow_guards.rs, workflow_steps.rs)
        ReceiptDateMissing = "receipt_date_missing",
        ReceiptDateFixed = "receipt_date_fixed",
        CorrectionAlreadyRequested = "correction_already_requested",
        CorrectionNoticeLate = "correction_notice_late",
        DrafterCannotApprove = "drafter_cannot_approve",
        FeeUnpaid = "fee_unpaid",
        OutcomePrecondition = "outcome_precondition",
        ExtensionAlreadyRequested = "extension_already_requested",
        ExtensionAlreadyGranted = "extension_already_granted",
        AnswerPeriodExpired = "answer_period_expired",
        NoExtensionRequested = "no_extension_requested",
        RequesterCannotDecide = "requester_cannot_decide",
        AnswerPeriodAlreadySet = "answer_period_already_set",
        ReasonsNotAsked = "reasons_not_asked",
        ReasonsNotGiven = "reasons_not_given",
        ReasonsAlreadyAsked = "reasons_already_asked",
        ReasonsAlreadyGiven = "reasons_already_given",
        FeeNoticeAlreadyIssued = "fee_notice_already_issued",
        FeeWaived = "fee_waived",
        PaymentDetailsMissing = "payment_details_missing",
        NoFeeDue = "no_fee_due",
        NothingAwaitsReceipt = "nothing_awaits_receipt",
        NoThirdPartyToTell = "no_third_party_to_tell",
        ThirdPartyNotTold = "third_party_not_told",
        AlreadyReopened = "already_reopened",
        ReopenPeriodExpired = "reopen_period_expired",
        // 409: inside the office (domain/workflow_inside.rs)
        NoEligibleApprover = "no_eligible_approver",
        NotYourApprovalLevel = "not_your_approval_level",
        AlreadyAssigned = "already_assigned",
        NotAssigned = "not_assigned",
        AlreadyForwarded = "already_forwarded",
        NoForwardingOpen = "no_forwarding_open",
        NoDivisions = "no_divisions",
        StillAssigned = "still_assigned",
        DivisionExists = "division_exists",
        // 409: the register of documents (domain/register.rs)
        DocumentNumberTaken = "document_number_taken",
        NotUnderReview = "not_under_review",
        // 422, 428, 429
        ValidationFailed = "validation_failed",
        IdempotencyKeyReused = "idempotency_key_reused",
        VersionRequired = "version_required",
        RateLimited = "rate_limited",
        // 500, 503
        Internal = "internal",
        Unavailable = "unavailable",
        Overloaded = "overloaded",
    }
}

impl ProblemCode {
    /// The HTTP status this code is always answered with.
    pub fn status(self) -> u16 {
        use ProblemCode as C;
        match self {
            C::MalformedJson
            | C::DuplicateKey
            | C::MalformedRequest
            | C::UnreadableBody
            | C::InvalidQuery
            | C::InvalidHeader
            | C::MalformedUpload => 400,
            C::Unauthenticated => 401,
            C::Forbidden | C::RoleNotAllowed | C::DivisionStaffOnly => 403,
            C::NotFound | C::UnknownAgency | C::NoLetter | C::RouteNotFound | C::UnknownAction => {
                404
            }
            C::MethodNotAllowed => 405,
            C::BodyTimeout | C::RequestTimeout => 408,
            C::PayloadTooLarge | C::FileTooLarge | C::CaseStorageFull => 413,
            C::UnsupportedMediaType | C::FileTypeNotAllowed => 415,
            C::HeadersTooLarge => 431,
            C::ValidationFailed | C::IdempotencyKeyReused => 422,
            C::VersionRequired => 428,
            C::RateLimited => 429,
            C::Internal => 500,
            C::Unavailable | C::Overloaded => 503,
            _ => 409,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::ProblemCode;

    #[test]
    fn codes_are_unique_snake_case_and_round_trip() {
        let mut seen = std::collections::HashSet::new();
        for c in ProblemCode::ALL {
            assert!(seen.insert(c.as_str()), "{c} twice");
            assert!(c
                .as_str()
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b == b'_'));
            assert_eq!(ProblemCode::parse(c.as_str()), Some(*c));
            assert_eq!(serde_json::to_value(c).unwrap(), c.as_str());
            assert!((400..600).contains(&c.status()));
        }
    }
}
