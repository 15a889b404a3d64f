// The tables as both backends see them: only types both share (Text, Integer, BigInt, Bool, Date,
// Timestamp, Binary).

diesel::table! {
    agencies (id) {
        id -> Text,
        code -> Text,
        name -> Text,
        created_at -> Timestamp,
        art35_monthly_threshold -> Integer,
        sender_email -> Nullable<Text>,
        sender_name -> Nullable<Text>,
        signature -> Nullable<Text>,
        letter_prefix -> Nullable<Text>,
        reconsideration_body -> Nullable<Text>,
        court -> Nullable<Text>,
        payee -> Nullable<Text>,
        payment_account -> Nullable<Text>,
        payment_channel -> Nullable<Text>,
        reopen_working_days -> Integer,
        approval_levels -> Integer,
        forwarding_working_days -> Integer,
        divisions_see_applicant -> Bool,
        register_review_threshold -> Integer,
    }
}

diesel::table! {
    users (id) {
        id -> Text,
        name -> Text,
        role -> Text,
        agency_id -> Nullable<Text>,
        token_hash -> Text,
        created_at -> Timestamp,
        email -> Nullable<Text>,
        disabled_at -> Nullable<Timestamp>,
        last_used_on -> Nullable<Date>,
        login -> Nullable<Text>,
        password_hash -> Nullable<Text>,
        division_id -> Nullable<Text>,
        division_head -> Bool,
        approval_level -> Integer,
    }
}

diesel::table! {
    sessions (id_hash) {
        id_hash -> Text,
        user_id -> Nullable<Text>,
        application_id -> Nullable<Text>,
        created_at -> Timestamp,
        last_seen_at -> Timestamp,
    }
}

diesel::table! {
    sign_in_attempts (id) {
        id -> Text,
        login -> Text,
        address -> Text,
        attempted_at -> Timestamp,
        succeeded -> Bool,
    }
}

diesel::table! {
    applications (id) {
        id -> Text,
        agency_id -> Text,
        tracking_number -> Text,
        channel -> Text,
        status -> Text,
        version -> Integer,
        applicant_kind -> Text,
        organisation_type -> Nullable<Text>,
        applicant_name -> Text,
        id_document_type -> Text,
        id_number_hash -> Text,
        id_number_masked -> Text,
        phone -> Text,
        email -> Nullable<Text>,
        address -> Nullable<Text>,
        description -> Text,
        document_number -> Nullable<Text>,
        information_form -> Text,
        delivery_wanted -> Text,
        assistance_needed -> Nullable<Text>,
        access_token_hash -> Text,
        registered_by -> Nullable<Text>,
        registered_at -> Timestamp,
        registered_on -> Date,
        received_on -> Nullable<Date>,
        correction_requested_on -> Nullable<Date>,
        correction_period_days -> Nullable<Integer>,
        corrected_received_on -> Nullable<Date>,
        consultation_letter_on -> Nullable<Date>,
        outcome -> Nullable<Text>,
        decision_drafted_by -> Nullable<Text>,
        approved_by -> Nullable<Text>,
        delivered_on -> Nullable<Date>,
        delivery_method -> Nullable<Text>,
        closed_on -> Nullable<Date>,
        updated_at -> Timestamp,
        clock_pauses -> Text,
        next_deadline_kind -> Nullable<Text>,
        next_deadline_on -> Nullable<Date>,
        next_deadline_provisional -> Bool,
        decision -> Nullable<Text>,
        extension_state -> Nullable<Text>,
        extension_days -> Nullable<Integer>,
        extension_requested_by -> Nullable<Text>,
        office_set_period -> Nullable<Integer>,
        fee_scale -> Nullable<Text>,
        fee_amount_fen -> Nullable<BigInt>,
        fee_notice_on -> Nullable<Date>,
        fee_received_on -> Nullable<Date>,
        fee_paid_on -> Nullable<Date>,
        event_seq -> Integer,
        correction_notice_received_on -> Nullable<Date>,
        posted_on -> Nullable<Date>,
        reasons_asked_on -> Nullable<Date>,
        reasons_replied_on -> Nullable<Date>,
        reopened_on -> Nullable<Date>,
        final_clock -> Nullable<Text>,
        final_answer_due_on -> Nullable<Date>,
        fee_waived_on -> Nullable<Date>,
        assignee_id -> Nullable<Text>,
        approval_stage -> Nullable<Integer>,
        first_approved_by -> Nullable<Text>,
        internal_due_on -> Nullable<Date>,
    }
}

diesel::table! {
    divisions (id) {
        id -> Text,
        agency_id -> Text,
        code -> Text,
        name -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    forwardings (application_id, label) {
        application_id -> Text,
        label -> Text,
        division_id -> Text,
        asked -> Text,
        forwarded_on -> Date,
        forwarded_by -> Nullable<Text>,
        due_on -> Date,
        replied_on -> Nullable<Date>,
        replied_by -> Nullable<Text>,
        reply -> Nullable<Text>,
    }
}

diesel::table! {
    events (id) {
        id -> Text,
        application_id -> Text,
        seq -> Integer,
        occurred_at -> Timestamp,
        actor_role -> Text,
        actor_id -> Nullable<Text>,
        actor_name -> Nullable<Text>,
        action -> Text,
        status_before -> Nullable<Text>,
        status_after -> Text,
        payload -> Text,
        prev_hash -> Nullable<Text>,
        hash -> Nullable<Text>,
    }
}

diesel::table! {
    challenges (id) {
        id -> Text,
        application_id -> Text,
        agency_id -> Text,
        kind -> Text,
        after_reconsideration -> Bool,
        filed_on -> Date,
        result -> Nullable<Text>,
        decided_on -> Nullable<Date>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    calendar_years (year) {
        year -> Integer,
        source -> Nullable<Text>,
        notice -> Text,
        loaded_at -> Timestamp,
        loaded_by -> Nullable<Text>,
        loaded_via -> Nullable<Text>,
    }
}

diesel::table! {
    calendar_loads (id) {
        id -> Text,
        loaded_at -> Timestamp,
        via -> Text,
        actor_id -> Nullable<Text>,
        actor_name -> Text,
        actor_role -> Nullable<Text>,
        actor_agency_id -> Nullable<Text>,
        agency_id -> Nullable<Text>,
        year -> Integer,
        changes -> Text,
    }
}

diesel::table! {
    local_days_off (agency_id, date) {
        agency_id -> Text,
        date -> Date,
        name -> Text,
    }
}

diesel::table! {
    documents (id) {
        id -> Text,
        application_id -> Text,
        kind -> Text,
        html -> Text,
        text -> Text,
        sha256 -> Text,
        created_at -> Timestamp,
        document_number -> Nullable<Text>,
    }
}

diesel::table! {
    notices (id) {
        id -> Text,
        dedup_key -> Text,
        application_id -> Nullable<Text>,
        agency_id -> Text,
        template -> Text,
        recipient -> Text,
        recipient_role -> Text,
        subject -> Text,
        body_text -> Text,
        body_html -> Text,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        claimed_until -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        message_id -> Text,
        created_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    tracking_counters (agency_id, year) {
        agency_id -> Text,
        year -> Integer,
        last_number -> Integer,
    }
}

diesel::table! {
    letter_counters (agency_id, year) {
        agency_id -> Text,
        year -> Integer,
        last_number -> Integer,
    }
}

diesel::table! {
    idempotency_keys (key) {
        key -> Text,
        request_hash -> Text,
        application_id -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    settings (name) {
        name -> Text,
        value -> Text,
    }
}

diesel::table! {
    files (sha256) {
        sha256 -> Text,
        size -> BigInt,
        chunks -> Integer,
        created_at -> Timestamp,
    }
}

diesel::table! {
    file_chunks (sha256, seq) {
        sha256 -> Text,
        seq -> Integer,
        data -> Binary,
    }
}

diesel::table! {
    attachments (id) {
        id -> Text,
        application_id -> Text,
        sha256 -> Text,
        name -> Text,
        kind -> Text,
        size -> BigInt,
        source -> Text,
        purpose -> Text,
        redacts -> Nullable<Text>,
        staff_only -> Bool,
        uploaded_at -> Timestamp,
        uploaded_by_role -> Text,
        uploaded_by_id -> Nullable<Text>,
        uploaded_by_name -> Nullable<Text>,
        event_seq -> Integer,
        delivered_at -> Nullable<Timestamp>,
        delivered_seq -> Nullable<Integer>,
    }
}

diesel::table! {
    notice_attachments (notice_id, attachment_id) {
        notice_id -> Text,
        attachment_id -> Text,
    }
}

diesel::table! {
    register_entries (id) {
        id -> Text,
        agency_id -> Text,
        document_number -> Text,
        title -> Text,
        issued_by -> Text,
        division_id -> Nullable<Text>,
        issued_on -> Date,
        status -> Text,
        grounds -> Nullable<Text>,
        reasons -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    register_status_changes (entry_id, seq) {
        entry_id -> Text,
        seq -> Integer,
        status -> Text,
        grounds -> Nullable<Text>,
        reasons -> Nullable<Text>,
        source -> Text,
        changed_by -> Nullable<Text>,
        changed_by_name -> Nullable<Text>,
        changed_at -> Timestamp,
    }
}

diesel::table! {
    case_register_entries (application_id, entry_id) {
        application_id -> Text,
        entry_id -> Text,
        outcome -> Nullable<Text>,
    }
}

diesel::table! {
    register_review_decisions (id) {
        id -> Text,
        agency_id -> Text,
        entry_id -> Text,
        decision -> Text,
        reason -> Text,
        decided_by -> Nullable<Text>,
        decided_by_name -> Nullable<Text>,
        decided_at -> Timestamp,
    }
}

diesel::joinable!(applications -> agencies (agency_id));
diesel::joinable!(attachments -> applications (application_id));
diesel::joinable!(attachments -> files (sha256));
diesel::joinable!(file_chunks -> files (sha256));
diesel::joinable!(notice_attachments -> attachments (attachment_id));
diesel::joinable!(events -> applications (application_id));
diesel::joinable!(challenges -> applications (application_id));
diesel::joinable!(users -> agencies (agency_id));
diesel::joinable!(divisions -> agencies (agency_id));
diesel::joinable!(forwardings -> applications (application_id));
diesel::joinable!(forwardings -> divisions (division_id));
diesel::joinable!(register_entries -> agencies (agency_id));
diesel::joinable!(register_status_changes -> register_entries (entry_id));
diesel::joinable!(case_register_entries -> register_entries (entry_id));
diesel::joinable!(case_register_entries -> applications (application_id));
diesel::joinable!(register_review_decisions -> register_entries (entry_id));

diesel::allow_tables_to_appear_in_same_query!(
    agencies,
    users,
    sessions,
    sign_in_attempts,
    applications,
    events,
    tracking_counters,
    letter_counters,
    idempotency_keys,
    settings,
    calendar_years,
    calendar_loads,
    local_days_off,
    documents,
    notices,
    challenges,
    divisions,
    forwardings,
    files,
    file_chunks,
    attachments,
    notice_attachments,
    register_entries,
    register_status_changes,
    case_register_entries,
    register_review_decisions,
);
