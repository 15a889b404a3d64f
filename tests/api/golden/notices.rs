//! Every notice template (`templates/`, `service::templates`) rendered with fixed sample values
//! shaped as `service::notices` and `service::reminders` give them: subject, text and HTML.

use gongkai::service::templates::Templates;
use serde_json::{json, Value};

/// What every notice about a case sees (`service::notices::context_of`).
fn case_context() -> Value {
    json!({
        "agency": {
            "name": "北京市海淀区人民政府",
            "signature": "北京市海淀区人民政府办公室",
            "payment": { "payee": "北京市海淀区财政局", "account": "中国工商银行北京海淀支行 0200 0000 1111",
                         "channel": "北京市非税收入缴费平台" },
        },
        "case": {
            "tracking_number": "BJHD-2026-000001",
            "applicant_name": "王五",
            "description": "2025年海淀区道路维修工程合同",
            "received_on": "2026-11-02",
            "registered_on": "2026-11-02",
            "corrected_received_on": "2026-11-16",
            "channel": "online",
            "filed_online": true,
            "status": "accepted",
        },
        "provisional": false,
        "correction_provisional": false,
        "fee_provisional": false,
        "reply_provisional": false,
        "answer_due": "2026-11-30",
        "correction_due": "2026-11-16",
        "fee_due": "2026-12-23",
        "reply_due": "2026-12-16",
        "extension_days": 20,
        "reopen_until": "2026-12-23",
    })
}

/// The values a template gets beyond the case's (the step's payload and the like).
fn extra(template: &str) -> Value {
    match template {
        "receipt" | "access_token" => json!({ "access_token": "gka_0000-sample-token" }),
        "correction_notice" => json!({ "payload": {
            "items": ["请写明合同所涉路段", "请写明合同签订年份"], "period_working_days": 10 } }),
        "extension_notice" => json!({ "extension_reason": "需调取档案馆存档材料" }),
        "fee_notice" => json!({
            "payload": { "scale": "per_page", "pages": 240, "amount_fen": 11_000,
                         "quote": { "breakdown": [
                             { "from": 101, "to": 200, "units": 100, "rate_fen": 10, "subtotal_fen": 1_000 },
                             { "from": 201, "to": 240, "units": 40, "rate_fen": 250, "subtotal_fen": 10_000 } ] } },
            "fee_scale_label": "按量计收", "fee_unit": "页" }),
        "answer" => {
            json!({ "letter_text": "（答复书正文）", "letter_html": "<p>（答复书正文）</p>" })
        }
        "abandoned" => json!({ "case": { "status": "abandoned_no_correction" } }),
        "consultation_letter" => json!({ "payload": {
            "party_kind": "third_party", "party_name": "某建设工程有限公司" } }),
        "reasons_request" => json!({ "payload": { "questions": "请说明申请获取上述信息的用途" } }),
        "answer_period_set" => json!({ "payload": {
            "working_days": 30, "reason": "申请数量明显超过合理范围" } }),
        "third_party_disclosure" => json!({ "party_name": "某建设工程有限公司", "payload": {
            "content": "合同总价", "reasons": "不公开可能对公共利益造成重大影响" } }),
        "deadline_moved" => json!({ "before": "2026-11-27" }),
        "overdue_alert" => json!({
            "person": "张三",
            "case": { "status": "受理" },
            "deadline": "答复期限", "due_on": "2026-11-24" }),
        "staff_digest" => {
            let c = |n: u32, status: &str, deadline: &str, due: &str, left: Value| {
                json!({
                "tracking_number": format!("BJHD-2026-00000{n}"), "applicant_name": "王五",
                "status": status, "deadline": deadline, "due_on": due, "working_days_left": left })
            };
            json!({
                "person": "李四", "today": "2026-11-25", "horizon": 3,
                "overdue": [c(1, "受理", "答复期限", "2026-11-24", json!(null))],
                "due_soon": [c(2, "补正", "补正期限", "2026-11-27", json!(2))],
                "awaiting_approval": [c(3, "待审批", "答复期限", "2026-12-09", json!(10))],
                "extensions_requested": [c(4, "受理", "答复期限", "2026-11-30", json!(3))],
                "unassigned": [c(5, "已登记", "确认收到日期", "2026-11-27", json!(2))],
                "forwardings_late": [{ "tracking_number": "BJHD-2026-000006", "applicant_name": "王五",
                    "forwarding_id": "f1", "division": "法规处", "division_code": "FGC",
                    "asked": "请提出是否公开的意见", "due_on": "2026-11-24", "working_days_left": -1 }],
            })
        }
        // A division's staff: what is forwarded to their division, without the applicant.
        "staff_digest_division" => json!({
            "person": "周七", "today": "2026-11-25", "horizon": 3, "division": "法规处",
            "forwarded_due": [
                { "tracking_number": "BJHD-2026-000001", "applicant_name": null,
                  "description": "2025年海淀区道路维修工程合同", "forwarding_id": "f1",
                  "asked": "请提出是否公开的意见", "due_on": "2026-11-24", "overdue": true,
                  "working_days_left": -1 },
                { "tracking_number": "BJHD-2026-000002", "applicant_name": null,
                  "description": "2026年海淀区绿化养护合同", "forwarding_id": "f2",
                  "asked": "请核实合同是否涉及商业秘密", "due_on": "2026-11-27", "overdue": false,
                  "working_days_left": 2 },
            ],
        }),
        "internal_overdue_alert" => json!({
            "person": "周七", "to_division": true, "division": "法规处", "division_code": "FGC",
            "forwarding_id": "f1", "asked": "请提出是否公开的意见", "forwarded_on": "2026-11-17",
            "due_on": "2026-11-24", "working_days_late": 1, "answer_deadline": "答复期限",
            "answer_due": "2026-11-30", "case": { "applicant_name": null } }),
        "internal_overdue_alert_assignee" => json!({
            "person": "张三", "to_division": false, "division": "法规处", "division_code": "FGC",
            "forwarding_id": "f1", "asked": "请提出是否公开的意见", "forwarded_on": "2026-11-17",
            "due_on": "2026-11-24", "working_days_late": 1, "answer_deadline": "答复期限",
            "answer_due": "2026-11-30" }),
        "case_forwarded" => json!({
            "person": "周七", "division": "法规处", "division_code": "FGC", "forwarding_id": "f1",
            "asked": "请提出是否公开的意见，并说明依据", "forwarded_on": "2026-11-17",
            "due_on": "2026-11-24", "link": "https://gongkai.example.gov.cn/console/cases/0190-sample",
            "case": { "applicant_name": null } }),
        "case_assigned" => json!({
            "person": "赵六", "reassigned": true, "reason": "张三休假，改由赵六承办",
            "link": "https://gongkai.example.gov.cn/console/cases/0190-sample" }),
        _ => json!({}),
    }
}

/// `base` with `extra` laid over it, objects merged key by key.
fn merged(mut base: Value, extra: Value) -> Value {
    if let (Some(b), Value::Object(e)) = (base.as_object_mut(), extra) {
        for (k, v) in e {
            let slot = b.entry(k).or_insert(Value::Null);
            *slot = if slot.is_object() && v.is_object() {
                merged(slot.take(), v)
            } else {
                v
            };
        }
    }
    base
}

/// The notices the service ships: one per `templates/NAME.subject`, so that a new template has
/// no snapshot, and fails, until its wording is reviewed.
fn template_names() -> Vec<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| {
            let name = e.unwrap().file_name().into_string().unwrap();
            name.strip_suffix(".subject").map(str::to_owned)
        })
        .collect();
    names.sort();
    names
}

#[test]
fn every_notice_reads_as_reviewed() {
    let _s = super::settings().bind_to_scope();
    let templates = Templates::built_in();
    let names = template_names();
    assert_eq!(names.len(), 20, "{names:?}");
    // Some templates read differently to different people: each way is reviewed.
    let variants = [
        ("staff_digest_division", "staff_digest"),
        ("internal_overdue_alert_assignee", "internal_overdue_alert"),
    ];
    let all = names
        .iter()
        .map(|n| (n.clone(), n.clone()))
        .chain(variants.map(|(v, n)| (v.to_owned(), n.to_owned())));
    for (name, template) in all {
        let ctx = merged(case_context(), extra(&name));
        let r = templates.render(&template, &ctx).unwrap();
        let page = format!(
            "Subject: {}\n\n{}\n----- html -----\n{}",
            r.subject, r.text, r.html
        );
        insta::assert_snapshot!(format!("notice_{name}"), page);
    }
}
