//! What each person may see of a case: the one definition of the applicant's view of every
//! step, applied by every endpoint that shows a case's history. Staff see everything of their
//! office's cases; the applicant sees the steps that concern them, with only the fields they
//! may read: never internal notes, drafts, returns, approvers' comments, an extension request
//! before it is decided, whom the office consulted or what they said, or staff names.

use serde_json::{Map, Value};

use super::case::Status;

/// The fields of each step the applicant may read; a step not listed is internal as a whole.
/// Unknown steps are internal too: a new step is shown only once it is listed here.
const APPLICANT: &[(&str, &[&str])] = &[
    // What they filed (identity masked) and the legal date of receipt (art. 31).
    (
        "file",
        &[
            "tracking_number",
            "channel",
            "received_on",
            "applicant",
            "request",
        ],
    ),
    (
        "register",
        &[
            "tracking_number",
            "channel",
            "received_on",
            "applicant",
            "request",
        ],
    ),
    ("confirm_receipt", &["received_on"]),
    ("accept", &[]),
    // Art. 30: the notice, and their correction.
    (
        "request_correction",
        &["items", "period_working_days", "by_post"],
    ),
    (
        "submit_correction",
        &["statement", "description", "document_number", "received_on"],
    ),
    // A consultation paused the clock (art. 33 ¶2); never with whom, nor what was said.
    ("start_consultation", &["letter_date"]),
    ("end_consultation", &[]),
    // Art. 33 ¶1: the extension as notified to them.
    ("grant_extension", &["working_days", "reason"]),
    // Art. 35: the questions, their reply, the longer period as notified.
    ("ask_for_reasons", &["questions"]),
    ("reply_to_reasons", &["reply", "received_on"]),
    ("set_answer_period", &["working_days", "reason"]),
    // Fee Measures: the notice with its breakdown, their payment, a waiver in their favour.
    (
        "issue_fee_notice",
        &[
            "scale",
            "pages",
            "reduction_fen",
            "reduction_reason",
            "quote",
            "amount_fen",
            "by_post",
        ],
    ),
    (
        "record_payment",
        &["paid_on", "amount_fen", "receipt_number"],
    ),
    ("waive_fee", &[]),
    // The answer reaches them with its letter; the draft and its approval do not.
    (
        "deliver",
        &["method", "posted_on", "delivered_on", "attachments"],
    ),
    ("withdraw", &["reason"]),
    ("abandon_no_correction", &[]),
    ("abandon_fee_unpaid", &[]),
    ("reopen", &["statement", "description"]),
    (
        "record_challenge",
        &[
            "kind",
            "after_reconsideration",
            "filed_on",
            "authority",
            "reference",
            "challenge_id",
        ],
    ),
    (
        "record_challenge_result",
        &["challenge_id", "result", "decided_on"],
    ),
    // Their own request for a new access token (never the token).
    ("reset_access_token", &["sent_to"]),
];

/// Steps appended outside the workflow that the applicant never reads: placed here on purpose,
/// though an unlisted step is internal anyway. `name_documents`: the documents of the office's
/// register the case concerns, with the answer's outcome for each (issue 17) — the office's
/// own bookkeeping for the annual review (art. 44).
pub const INTERNAL_EVENTS: &[&str] = &["name_documents"];

/// Whether the applicant may read the case's outcome: once the application is answered (the
/// letter delivered) or closed with one (deemed abandoned; older closings), never a draft and
/// never what was drafted before a withdrawal.
pub fn applicant_sees_outcome(status: Status) -> bool {
    matches!(
        status,
        Status::Delivered
            | Status::ClosedWithoutProcessing
            | Status::AbandonedNoCorrection
            | Status::AbandonedFeeUnpaid
    )
}

/// The applicant's view of one step: `None` when the step is internal, else its payload with
/// only the fields they may read. A return receipt is theirs only for what was sent to them; a
/// notice is theirs only when it was sent to them.
pub fn applicant_view(action: &str, payload: &Value) -> Option<Value> {
    let fields: &[&str] = match action {
        "record_notice_received" => match payload["document"].as_str() {
            Some("correction_notice" | "fee_notice" | "answer") => &["document", "received_on"],
            _ => return None,
        },
        // Their own files; the office's reach them listed in the delivery.
        "attach_file" => match payload["source"].as_str() {
            Some("applicant") => &["attachment_id", "name", "kind", "size", "sha256", "purpose"],
            _ => return None,
        },
        "notice_sent" => match payload["recipient_role"].as_str() {
            Some("applicant") => &["template", "message_id"],
            _ => return None,
        },
        _ if INTERNAL_EVENTS.contains(&action) => return None,
        _ => APPLICANT.iter().find(|(a, _)| *a == action)?.1,
    };
    let mut out = Map::new();
    for f in fields {
        if let Some(v) = payload.get(*f).filter(|v| !v.is_null()) {
            out.insert((*f).to_owned(), v.clone());
        }
    }
    Some(Value::Object(out))
}

/// Whether the applicant may read (list, download) a file on their case: what they gave
/// themselves, and what the office delivered to them with the answer; never a staff-only file
/// (a working file, or an original whose redacted version was delivered, art. 37), and nothing
/// of the office's before delivery (a draft's material is not yet an answer).
pub fn applicant_may_read_attachment(
    source: super::attachment::Source,
    staff_only: bool,
    delivered: bool,
) -> bool {
    !staff_only
        && match source {
            super::attachment::Source::Applicant => true,
            super::attachment::Source::Office => delivered,
        }
}

/// What staff of a division (处室) read of a case forwarded to their division: the request (the
/// applicant too when the office allows it), their division's forwardings and replies, and of
/// the history only those steps. Nothing else of the office: no drafts, approvals,
/// consultations, notices, letters, printable documents, clock details or other divisions.
pub fn division_may_open(part: Part) -> bool {
    matches!(part, Part::Case | Part::History)
}

super::str_enum! {
    /// The parts of a case an endpoint or page opens.
    pub enum Part {
        Case = "case",
        History = "history",
        Clock = "clock",
        Notices = "notices",
        Letter = "letter",
        Printable = "printable",
        ApplicantHistory = "applicant_history",
        /// The files attached to the case (a division reads none: it answers the office).
        Attachments = "attachments",
    }
}

/// A division's view of a case's history, step by step (`None`: not theirs to read). A
/// forwarding step shows only the forwardings to their division; a reply only when it answers
/// one of them.
pub fn division_history(steps: &[(&str, &Value)], division_code: &str) -> Vec<Option<Value>> {
    let mut theirs: Vec<String> = Vec::new();
    steps
        .iter()
        .map(|(action, payload)| match *action {
            "forward" => {
                let mine: Vec<Value> = payload["forwardings"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter(|f| f["division"].as_str() == Some(division_code))
                    .cloned()
                    .collect();
                if mine.is_empty() {
                    return None;
                }
                theirs.extend(
                    mine.iter()
                        .filter_map(|f| f["forwarding_id"].as_str().map(str::to_owned)),
                );
                Some(serde_json::json!({
                    "asked": payload["asked"], "due_on": payload["due_on"], "forwardings": mine,
                }))
            }
            "reply_to_forwarding" => {
                let id = payload["forwarding_id"].as_str()?;
                theirs.iter().any(|t| t == id).then(|| (*payload).clone())
            }
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::workflow::ActionKind;
    use serde_json::json;

    #[test]
    fn internal_steps_are_hidden_whole() {
        for action in [
            "propose_decision",
            "approve",
            "return",
            "request_extension",
            "refuse_extension",
            "notify_third_party",
            "recompute_deadlines",
            "something_new",
        ] {
            assert_eq!(
                applicant_view(action, &json!({ "reasoning": "x" })),
                None,
                "{action}"
            );
        }
    }

    #[test]
    fn the_documents_a_case_names_are_the_office_s_own() {
        let named = json!({ "documents": [{ "document_id": "d1", "document_number": "海政发〔2026〕1号",
                                            "title": "某文件", "outcome": "withheld_state_secret" }] });
        assert_eq!(applicant_view("name_documents", &named), None);
        assert!(INTERNAL_EVENTS
            .iter()
            .all(|a| !APPLICANT.iter().any(|(listed, _)| listed == a)));
        let steps = [("name_documents", &named)];
        assert_eq!(division_history(&steps, "FGC"), [None]);
    }

    #[test]
    fn consultations_show_that_the_clock_paused_never_with_whom() {
        let letter = json!({ "party_kind": "third_party", "party_name": "某公司",
                             "party_email": "a@b.example", "letter_date": "2026-09-08",
                             "note": "内部", "consultation_id": "c1" });
        assert_eq!(
            applicant_view("start_consultation", &letter),
            Some(json!({ "letter_date": "2026-09-08" }))
        );
        let reply =
            json!({ "reply": "objection", "reply_summary": "不同意", "reply_date": "2026-09-10" });
        assert_eq!(applicant_view("end_consultation", &reply), Some(json!({})));
        let receipt = json!({ "document": "consultation_letter", "received_on": "2026-09-10" });
        assert_eq!(applicant_view("record_notice_received", &receipt), None);
        let to_party = json!({ "recipient_role": "consulted_party", "recipient": "a@b.example" });
        assert_eq!(applicant_view("notice_sent", &to_party), None);
    }

    #[test]
    fn notes_and_comments_never_reach_the_applicant() {
        assert_eq!(
            applicant_view("accept", &json!({ "note": "内部意见" })),
            Some(json!({}))
        );
        assert_eq!(
            applicant_view(
                "grant_extension",
                &json!({ "note": "同意", "working_days": 10, "reason": "材料多" })
            ),
            Some(json!({ "working_days": 10, "reason": "材料多" }))
        );
        assert_eq!(
            applicant_view(
                "confirm_receipt",
                &json!({ "received_on": "2026-09-01", "basis": "收发室" })
            ),
            Some(json!({ "received_on": "2026-09-01" }))
        );
    }

    #[test]
    fn a_division_reads_only_its_own_forwardings_and_replies() {
        let forward = json!({ "asked": "请提出意见", "due_on": "2026-03-09", "divisions": ["FGC", "CWC"],
            "forwardings": [
                { "forwarding_id": "f1", "division": "FGC", "due_on": "2026-03-09" },
                { "forwarding_id": "f2", "division": "CWC", "due_on": "2026-03-09" }] });
        let reply_fgc =
            json!({ "forwarding_id": "f1", "outcome": "disclosed", "reasoning": "可公开" });
        let reply_cwc = json!({ "forwarding_id": "f2", "outcome": "not_held", "reasoning": "无" });
        let draft = json!({ "outcome": "disclosed", "reasoning": "草稿" });
        let steps = [
            ("file", &json!({ "applicant": { "name": "张三" } })),
            ("forward", &forward),
            ("reply_to_forwarding", &reply_cwc),
            ("reply_to_forwarding", &reply_fgc),
            ("propose_decision", &draft),
            ("approve", &json!({ "note": "同意" })),
        ];
        let seen = division_history(&steps, "FGC");
        assert_eq!(seen[0], None, "the filing carries the applicant");
        let fwd = seen[1].as_ref().expect("their forwarding");
        assert_eq!(fwd["forwardings"].as_array().unwrap().len(), 1);
        assert_eq!(fwd["forwardings"][0]["division"], "FGC");
        assert_eq!(seen[2], None, "another division's reply");
        assert_eq!(seen[3], Some(reply_fgc.clone()));
        assert_eq!((seen[4].clone(), seen[5].clone()), (None, None));
        assert!(division_history(&steps, "XYZ").iter().all(Option::is_none));
        assert!(division_may_open(Part::Case) && division_may_open(Part::History));
        for p in [
            Part::Clock,
            Part::Notices,
            Part::Letter,
            Part::Printable,
            Part::ApplicantHistory,
            Part::Attachments,
        ] {
            assert!(!division_may_open(p), "{p}");
        }
    }

    #[test]
    fn the_applicant_reads_their_own_files_and_what_was_delivered_to_them_only() {
        use crate::domain::attachment::Source::{Applicant, Office};
        assert!(applicant_may_read_attachment(Applicant, false, false));
        assert!(applicant_may_read_attachment(Office, false, true));
        // The office's information before delivery, a working file, a withheld original: no.
        assert!(!applicant_may_read_attachment(Office, false, false));
        assert!(!applicant_may_read_attachment(Office, true, false));
        assert!(!applicant_may_read_attachment(Office, true, true));
        // An upload event of theirs shows; the office's does not (the delivery lists those).
        let own = json!({"source": "applicant", "name": "身份证.pdf", "sha256": "ab", "uploaded_by_name": "x"});
        let seen = applicant_view("attach_file", &own).unwrap();
        assert_eq!(seen["name"], "身份证.pdf");
        assert!(seen.get("uploaded_by_name").is_none());
        let office = json!({"source": "office", "name": "原件.pdf", "staff_only": true});
        assert_eq!(applicant_view("attach_file", &office), None);
    }

    #[test]
    fn every_action_the_workflow_knows_has_a_decided_view() {
        // A new action must be placed on one side of the line on purpose.
        let internal = [
            ActionKind::ProposeDecision,
            ActionKind::Approve,
            ActionKind::Return,
            ActionKind::RequestExtension,
            ActionKind::RefuseExtension,
            ActionKind::NotifyThirdParty,
            ActionKind::RecordNoticeReceived,
            // Inside the office (domain::handling): never the applicant's.
            ActionKind::Assign,
            ActionKind::Reassign,
            ActionKind::Forward,
            ActionKind::ReplyToForwarding,
        ];
        for kind in ActionKind::ALL {
            let listed = APPLICANT.iter().any(|(a, _)| *a == kind.as_str());
            assert!(
                listed ^ internal.contains(kind),
                "{kind}: decide whether the applicant sees it"
            );
        }
    }
}
