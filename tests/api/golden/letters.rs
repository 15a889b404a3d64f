//! The answer letter (政府信息公开申请答复书) for every outcome a clerk may propose, as
//! `domain::letter` renders it at delivery; and one letter as the API serves it.

use chrono::NaiveDate;
use gongkai::domain::case::Outcome;
use gongkai::domain::letter::{self, LetterInput};
use gongkai::domain::workflow::ProposeDecision;
use serde_json::json;

use crate::answers::decision_for;
use crate::helpers::{file_one, office, Action, TestApp};

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn input<'a>(decision: &'a ProposeDecision, numbered: bool) -> LetterInput<'a> {
    LetterInput {
        agency_name: "北京市海淀区人民政府",
        tracking_number: "BJHD-2026-000001",
        document_number: numbered.then_some("海政信复〔2026〕4号"),
        reconsideration_body: numbered.then_some("北京市海淀区人民政府"),
        court: numbered.then_some("北京市海淀区人民法院"),
        applicant_name: "王五",
        received_on: Some(day("2026-11-02")),
        description: "2025年海淀区道路维修工程合同",
        decision,
        delivered_on: day("2026-11-25"),
        files: &[],
    }
}

fn decision(outcome: Outcome) -> ProposeDecision {
    serde_json::from_value(decision_for(outcome, "BJHD-2026-000001")).unwrap()
}

#[test]
fn every_outcome_s_letter_reads_as_approved() {
    let _s = super::settings().bind_to_scope();
    let proposable = Outcome::ALL.iter().filter(|o| o.is_proposable());
    for &outcome in proposable {
        let d = decision(outcome);
        insta::assert_snapshot!(format!("letter_{outcome}"), letter::text(&input(&d, true)));
    }
}

#[test]
fn a_letter_without_office_settings_carries_the_tracking_number_and_generic_remedies() {
    let _s = super::settings().bind_to_scope();
    let d = decision(Outcome::Disclosed);
    insta::assert_snapshot!("letter_unnumbered", letter::text(&input(&d, false)));
}

#[test]
fn the_printable_letter_is_laid_out_as_an_official_document() {
    let _s = super::settings().bind_to_scope();
    let d = decision(Outcome::PartlyDisclosed);
    insta::assert_snapshot!(
        "letter_partly_disclosed_html",
        letter::html(&input(&d, true))
    );
}

#[actix_rt::test]
async fn the_letter_endpoint_serves_the_delivered_letter() {
    let _s = super::settings().bind_to_scope();
    let app = TestApp::spawn().await;
    let o = office(&app, "BJHD");
    let (id, applicant) = file_one(&app, "BJHD").await;
    let clerk = o.clerk();
    clerk.act_ok(&id, Action::Accept, json!({})).await;
    let refusal = decision_for(Outcome::WithheldStateSecret, "");
    clerk.act_ok(&id, Action::ProposeDecision, refusal).await;
    o.approver().act_ok(&id, Action::Approve, json!({})).await;
    let delivered = json!({ "method": "email", "delivered_on": "2026-11-25" });
    clerk.act_ok(&id, Action::Deliver, delivered).await;
    let r = app
        .as_(&applicant)
        .get(&format!("/api/v1/applications/{id}/letter"))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["kind"], "answer_letter");
    // No prefix set: the tracking number stands in for the document number.
    assert_eq!(r.body["document_number"], json!(null));
    let text = r.body["text"].as_str().unwrap();
    insta::assert_snapshot!("letter_endpoint_withheld_state_secret", text);
}
