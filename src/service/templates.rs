//! Notice templates: one subject, plain-text and HTML template per notice, in Chinese, built in
//! from `templates/` and overridable file by file from a directory (GONGKAI_TEMPLATE_DIR).

use std::path::Path;

use minijinja::Environment;

/// The notices the service sends, each with `NAME.subject`, `NAME.txt` and `NAME.html`.
const BUILT_IN: &[(&str, &str, &str, &str)] = &[
    t(
        "receipt",
        include_str!("../../templates/receipt.subject"),
        include_str!("../../templates/receipt.txt"),
        include_str!("../../templates/receipt.html"),
    ),
    t(
        "correction_notice",
        include_str!("../../templates/correction_notice.subject"),
        include_str!("../../templates/correction_notice.txt"),
        include_str!("../../templates/correction_notice.html"),
    ),
    t(
        "extension_notice",
        include_str!("../../templates/extension_notice.subject"),
        include_str!("../../templates/extension_notice.txt"),
        include_str!("../../templates/extension_notice.html"),
    ),
    t(
        "fee_notice",
        include_str!("../../templates/fee_notice.subject"),
        include_str!("../../templates/fee_notice.txt"),
        include_str!("../../templates/fee_notice.html"),
    ),
    t(
        "answer",
        include_str!("../../templates/answer.subject"),
        include_str!("../../templates/answer.txt"),
        include_str!("../../templates/answer.html"),
    ),
    t(
        "abandoned",
        include_str!("../../templates/abandoned.subject"),
        include_str!("../../templates/abandoned.txt"),
        include_str!("../../templates/abandoned.html"),
    ),
    t(
        "withdrawal",
        include_str!("../../templates/withdrawal.subject"),
        include_str!("../../templates/withdrawal.txt"),
        include_str!("../../templates/withdrawal.html"),
    ),
    t(
        "consultation_letter",
        include_str!("../../templates/consultation_letter.subject"),
        include_str!("../../templates/consultation_letter.txt"),
        include_str!("../../templates/consultation_letter.html"),
    ),
    t(
        "access_token",
        include_str!("../../templates/access_token.subject"),
        include_str!("../../templates/access_token.txt"),
        include_str!("../../templates/access_token.html"),
    ),
    t(
        "receipt_confirmed",
        include_str!("../../templates/receipt_confirmed.subject"),
        include_str!("../../templates/receipt_confirmed.txt"),
        include_str!("../../templates/receipt_confirmed.html"),
    ),
    t(
        "reasons_request",
        include_str!("../../templates/reasons_request.subject"),
        include_str!("../../templates/reasons_request.txt"),
        include_str!("../../templates/reasons_request.html"),
    ),
    t(
        "answer_period_set",
        include_str!("../../templates/answer_period_set.subject"),
        include_str!("../../templates/answer_period_set.txt"),
        include_str!("../../templates/answer_period_set.html"),
    ),
    t(
        "third_party_disclosure",
        include_str!("../../templates/third_party_disclosure.subject"),
        include_str!("../../templates/third_party_disclosure.txt"),
        include_str!("../../templates/third_party_disclosure.html"),
    ),
    t(
        "deadline_moved",
        include_str!("../../templates/deadline_moved.subject"),
        include_str!("../../templates/deadline_moved.txt"),
        include_str!("../../templates/deadline_moved.html"),
    ),
    t(
        "reopened",
        include_str!("../../templates/reopened.subject"),
        include_str!("../../templates/reopened.txt"),
        include_str!("../../templates/reopened.html"),
    ),
    // To staff (issue 5): the immediate overdue alert and the daily digest.
    t(
        "overdue_alert",
        include_str!("../../templates/overdue_alert.subject"),
        include_str!("../../templates/overdue_alert.txt"),
        include_str!("../../templates/overdue_alert.html"),
    ),
    t(
        "staff_digest",
        include_str!("../../templates/staff_digest.subject"),
        include_str!("../../templates/staff_digest.txt"),
        include_str!("../../templates/staff_digest.html"),
    ),
    // Inside the office (issue 16): a division's internal due day passed unreplied, a case
    // forwarded to a division, a case assigned to a person.
    t(
        "internal_overdue_alert",
        include_str!("../../templates/internal_overdue_alert.subject"),
        include_str!("../../templates/internal_overdue_alert.txt"),
        include_str!("../../templates/internal_overdue_alert.html"),
    ),
    t(
        "case_forwarded",
        include_str!("../../templates/case_forwarded.subject"),
        include_str!("../../templates/case_forwarded.txt"),
        include_str!("../../templates/case_forwarded.html"),
    ),
    t(
        "case_assigned",
        include_str!("../../templates/case_assigned.subject"),
        include_str!("../../templates/case_assigned.txt"),
        include_str!("../../templates/case_assigned.html"),
    ),
];

const fn t(
    name: &'static str,
    subject: &'static str,
    text: &'static str,
    html: &'static str,
) -> (&'static str, &'static str, &'static str, &'static str) {
    (name, subject, text, html)
}

/// Integer fen as exact yuan: 1050 → "10.50".
/// The names of the notices the service sends (each a `template` of `GET /api/v1/notices`).
pub fn notice_names() -> impl Iterator<Item = &'static str> {
    BUILT_IN.iter().map(|(name, ..)| *name)
}

pub fn yuan(fen: i64) -> String {
    format!(
        "{}{}.{:02}",
        if fen < 0 { "-" } else { "" },
        fen.abs() / 100,
        fen.abs() % 100
    )
}

/// A date (`2026-11-27`, or a timestamp starting with one) as 2026年11月27日; none or undefined
/// as the empty string; anything else unchanged.
pub fn cn_date(value: minijinja::Value) -> String {
    if value.is_undefined() || value.is_none() {
        return String::new();
    }
    let s = value.to_string();
    match s
        .get(..10)
        .and_then(|d| d.parse::<chrono::NaiveDate>().ok())
    {
        Some(d) => crate::domain::letter::cn_date(d),
        None => s,
    }
}

/// The Chinese name of a case status (RULES §3), for staff e-mails; an unknown string as is.
pub fn status_label(status: &str) -> &str {
    use crate::domain::case::Status;
    match Status::parse(status) {
        Some(Status::Registered) => "已登记",
        Some(Status::Accepted) => "已受理",
        Some(Status::Correction) => "待补正",
        Some(Status::Consultation) => "征求意见中",
        Some(Status::Decision) => "待审批",
        Some(Status::Approved) => "已批准待送达",
        Some(Status::Delivered) => "已送达",
        Some(Status::Withdrawn) => "已撤回",
        Some(Status::AbandonedNoCorrection) => "视为放弃（逾期未补正）",
        Some(Status::AbandonedFeeUnpaid) => "视为放弃（逾期未缴费）",
        Some(Status::ClosedWithoutProcessing) => "不予处理",
        None => status,
    }
}

pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

pub struct Templates {
    env: Environment<'static>,
}

impl Templates {
    /// The built-in templates, with any file of the same name in `dir` taking precedence.
    pub fn load(dir: Option<&Path>) -> anyhow::Result<Self> {
        let mut env = Environment::new();
        // Money is integer fen (RULES §6); shown as exact yuan, e.g. 1050 → "10.50".
        env.add_filter("yuan", yuan);
        // Dates as official documents write them: 2026年1月5日, never 2026-01-05 (GB/T 9704).
        env.add_filter("cn_date", cn_date);
        // Staff never see the status codes, only their Chinese names.
        env.add_filter("status_label", |s: String| status_label(&s).to_owned());
        for (name, subject, text, html) in BUILT_IN {
            for (ext, built_in) in [("subject", subject), ("txt", text), ("html", html)] {
                let file = format!("{name}.{ext}");
                let source: &'static str = match dir.map(|d| d.join(&file)).filter(|p| p.exists()) {
                    // Loaded once at start-up and kept for the life of the service.
                    Some(path) => Box::leak(std::fs::read_to_string(&path)?.into_boxed_str()),
                    None => built_in,
                };
                let file: &'static str = Box::leak(file.into_boxed_str());
                env.add_template(file, source)
                    .map_err(|e| anyhow::anyhow!("template {file} does not parse: {e}"))?;
            }
        }
        Ok(Self { env })
    }

    pub fn built_in() -> Self {
        Self::load(None).expect("the built-in templates parse")
    }

    /// Renders a notice; HTML templates escape their values (by the `.html` name).
    pub fn render(&self, name: &str, context: &serde_json::Value) -> Result<Rendered, String> {
        let render = |ext: &str| {
            self.env
                .get_template(&format!("{name}.{ext}"))
                .and_then(|t| t.render(context))
                .map_err(|e| format!("rendering {name}.{ext}: {e}"))
        };
        Ok(Rendered {
            subject: render("subject")?.trim().to_owned(),
            text: render("txt")?,
            html: render("html")?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_built_in_template_renders_and_html_is_escaped() {
        let t = Templates::built_in();
        let ctx = serde_json::json!({
            "agency": { "name": "某区政府", "signature": "某区政府办公室" },
            "case": { "tracking_number": "BJHD-2026-000001", "applicant_name": "<王五>", "description": "合同",
                      "received_on": "2026-03-02", "status": "abandoned_no_correction" },
            "payload": { "items": ["写明名称"], "period_working_days": 10, "party_name": "某公司",
                         "quote": { "breakdown": [{ "from": 31, "to": 31, "units": 1, "rate_fen": 1000, "subtotal_fen": 1000 }] },
                         "amount_fen": 1000 },
            "answer_due": "2026-03-30", "correction_due": "2026-03-16", "fee_due": "2026-04-01", "reply_due": "2026-03-23",
            "extension_days": 20, "extension_reason": "需调取档案", "fee_scale_label": "按量计收", "fee_unit": "页",
            "letter_text": "答复书", "letter_html": "<p>答复书</p>",
        });
        let to_applicants = BUILT_IN.iter().filter(|(n, ..)| !STAFF.contains(n));
        for (name, ..) in to_applicants {
            let r = t.render(name, &ctx).unwrap();
            assert!(r.subject.contains("某区政府"), "{name}: {}", r.subject);
            assert!(!r.html.contains("<王五>"), "{name} escapes values in HTML");
        }
        let fee = t.render("fee_notice", &ctx).unwrap();
        assert!(fee.text.contains("应缴金额：10.00元"), "{}", fee.text);
        assert!(fee.text.contains("1 × 10.00元 = 10.00元"), "{}", fee.text);
        let answer = t.render("answer", &ctx).unwrap();
        assert!(answer.html.contains("<p>答复书</p>"));
    }

    #[test]
    fn dates_are_written_without_leading_zeros_in_every_notice() {
        let t = Templates::built_in();
        let ctx = serde_json::json!({
            "agency": { "name": "某区政府", "signature": "某区政府办公室" },
            "case": { "tracking_number": "BJHD-N1", "applicant_name": "王五", "description": "合同",
                      "received_on": "2026-03-02", "registered_on": "2026-03-01", "status": "accepted" },
            "payload": { "items": ["写明名称"], "period_working_days": 10, "party_name": "某公司",
                         "quote": { "breakdown": [] }, "amount_fen": 1000 },
            "answer_due": "2026-03-30", "correction_due": "2026-03-06", "fee_due": "2026-04-01",
            "reply_due": "2026-03-23", "extension_days": 20, "extension_reason": "需调取档案",
            "fee_scale_label": "按量计收", "fee_unit": "页", "letter_text": "", "letter_html": "",
            "person": "张三", "today": "2026-03-05", "deadline": "答复期限", "due_on": "2026-03-04",
            "horizon": 3, "overdue": [{ "tracking_number": "A-1", "applicant_name": "王五",
                "deadline": "答复期限", "due_on": "2026-03-04", "working_days_left": -1, "status": "accepted" }],
            "due_soon": [], "awaiting_approval": [], "extensions_requested": [],
        });
        for (name, ..) in BUILT_IN {
            let r = t.render(name, &ctx).unwrap();
            for body in [&r.subject, &r.text, &r.html] {
                assert!(!body.contains("2026-0"), "{name}: {body}");
                assert!(
                    !body.contains("月0") && !body.contains("年0"),
                    "{name}: {body}"
                );
            }
        }
        let dated = |name: &str, needle: &str| {
            let r = t.render(name, &ctx).unwrap();
            assert!(
                r.text.contains(needle),
                "{name}: {needle} not in {}",
                r.text
            );
            assert!(
                r.html.contains(needle),
                "{name}: {needle} not in {}",
                r.html
            );
        };
        dated("receipt", "2026年3月2日");
        dated("receipt", "2026年3月30日");
        dated("correction_notice", "2026年3月6日");
        dated("extension_notice", "2026年3月30日");
        dated("fee_notice", "2026年4月1日");
        dated("consultation_letter", "2026年3月23日");
        dated("overdue_alert", "2026年3月4日");
        dated("staff_digest", "2026年3月5日");
        // The filter itself: none is empty, anything not a date passes unchanged.
        let mut env = Environment::new();
        env.add_filter("cn_date", cn_date);
        let render = |src: &str, v: serde_json::Value| {
            env.render_str(src, serde_json::json!({ "v": v })).unwrap()
        };
        assert_eq!(render("{{ v | cn_date }}", serde_json::json!(null)), "");
        assert_eq!(
            render("{{ missing | cn_date }}", serde_json::json!(null)),
            ""
        );
        assert_eq!(
            render("{{ v | cn_date }}", serde_json::json!("2026-12-01")),
            "2026年12月1日"
        );
        assert_eq!(
            render("{{ v | cn_date }}", serde_json::json!("待定")),
            "待定"
        );
    }

    #[test]
    fn extensions_cite_art_33_paragraph_1() {
        let t = Templates::built_in();
        let ctx = serde_json::json!({
            "agency": { "name": "某区政府", "signature": "某区政府" },
            "case": { "tracking_number": "N1", "applicant_name": "王五" },
            "answer_due": "2026-03-30", "extension_days": 20, "extension_reason": "需调取档案",
        });
        let r = t.render("extension_notice", &ctx).unwrap();
        for body in [&r.text, &r.html] {
            assert!(body.contains("条例》第三十三条第一款"), "{body}");
            assert!(!body.contains("第三十三条第二款"), "{body}");
        }
    }

    #[test]
    fn the_fee_notice_says_whom_to_pay_and_how() {
        let t = Templates::built_in();
        let mut ctx = serde_json::json!({
            "agency": { "name": "某区政府", "signature": "某区政府",
                        "payment": { "payee": "某区财政局", "account": "工商银行 6222 0000", "channel": null } },
            "case": { "tracking_number": "N1", "applicant_name": "王五" },
            "payload": { "quote": { "breakdown": [] }, "amount_fen": 1000 }, "fee_due": "2026-04-01",
        });
        let r = t.render("fee_notice", &ctx).unwrap();
        for body in [&r.text, &r.html] {
            assert!(body.contains("收款单位：某区财政局"), "{body}");
            assert!(body.contains("收款账号：工商银行 6222 0000"), "{body}");
            assert!(!body.contains("缴费渠道"), "{body}");
            assert!(body.contains("注明申请编号N1"), "{body}");
        }
        ctx["agency"]["payment"] = serde_json::json!({ "payee": "某区财政局", "account": null,
                                                       "channel": "“某某缴费”平台，缴费码见短信" });
        let r = t.render("fee_notice", &ctx).unwrap();
        assert!(
            r.text.contains("缴费渠道：“某某缴费”平台，缴费码见短信"),
            "{}",
            r.text
        );
        assert!(!r.text.contains("收款账号"), "{}", r.text);
    }

    #[test]
    fn every_status_has_a_chinese_label() {
        use crate::domain::case::Status;
        for s in Status::ALL {
            let label = status_label(s.as_str());
            assert_ne!(label, s.as_str(), "{s}");
            assert!(!label.is_ascii(), "{s}: {label}");
        }
        assert_eq!(
            status_label("abandoned_fee_unpaid"),
            "视为放弃（逾期未缴费）"
        );
        assert_eq!(status_label("已受理"), "已受理");
    }

    const STAFF: [&str; 5] = [
        "overdue_alert",
        "staff_digest",
        "internal_overdue_alert",
        "case_forwarded",
        "case_assigned",
    ];

    #[test]
    fn staff_reminders_list_each_case_once_with_its_deadline() {
        let t = Templates::built_in();
        let row = |n: &str, left: i64| {
            serde_json::json!({ "tracking_number": n, "applicant_name": "<王五>", "deadline": "答复期限",
                                "due_on": "2026-03-30", "working_days_left": left, "status": "consultation" })
        };
        let ctx = serde_json::json!({
            "person": "张三", "today": "2026-03-25", "horizon": 3, "approver": false,
            "overdue": [row("A-1", -2)], "due_soon": [row("A-2", 3), row("A-3", 0)],
            "awaiting_approval": [], "extensions_requested": [row("A-4", 5)],
        });
        let d = t.render("staff_digest", &ctx).unwrap();
        assert_eq!(
            d.subject,
            "【每日提醒】2026年3月25日：逾期1件，3个工作日内到期2件，待审批0件"
        );
        for n in ["A-1", "A-2", "A-3", "A-4"] {
            assert_eq!(d.text.matches(n).count(), 1, "{n} in {}", d.text);
            assert_eq!(d.html.matches(n).count(), 1, "{n} in {}", d.html);
        }
        assert!(d.text.contains("还剩3个工作日"), "{}", d.text);
        for body in [&d.text, &d.html] {
            assert!(
                body.contains("征求意见中") && !body.contains("consultation"),
                "{body}"
            );
            assert!(
                body.contains("2026年3月30日") && !body.contains("2026-03"),
                "{body}"
            );
            assert!(!body.contains("第三十三条第二款"), "{body}");
        }
        assert!(
            !d.text.contains("答复待负责人审批"),
            "empty sections are left out"
        );
        assert!(!d.html.contains("<王五>"));
        let alert = serde_json::json!({ "person": "张三", "deadline": "答复期限（第三十三条）", "due_on": "2026-03-30",
            "case": { "tracking_number": "A-1", "applicant_name": "王五", "description": "合同", "status": "accepted" } });
        let a = t.render("overdue_alert", &alert).unwrap();
        assert_eq!(
            a.subject,
            "【逾期提醒】A-1 答复期限（第三十三条）已于2026年3月30日届满"
        );
        for body in [&a.text, &a.html] {
            assert!(body.contains("目前状态为“已受理”"), "{body}");
            assert!(body.contains("已于"), "{body}");
            // Once a period has passed the service refuses extensions: never suggest one.
            assert!(!body.contains("延长") && !body.contains("延期"), "{body}");
            assert!(!body.contains("accepted"), "{body}");
        }
    }

    #[test]
    fn a_template_file_in_the_directory_overrides_the_built_in_one() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("receipt.subject"),
            "收到了 {{ case.tracking_number }}",
        )
        .unwrap();
        let t = Templates::load(Some(dir.path())).unwrap();
        let ctx =
            serde_json::json!({ "agency": { "name": "x" }, "case": { "tracking_number": "N1" } });
        assert_eq!(t.render("receipt", &ctx).unwrap().subject, "收到了 N1");
        std::fs::write(dir.path().join("receipt.txt"), "{% if %}").unwrap();
        assert!(Templates::load(Some(dir.path())).is_err());
    }
}
