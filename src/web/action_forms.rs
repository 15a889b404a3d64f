//! The form of each workflow action on the case page: its inputs named by the action's JSON
//! body (`src/domain/actions.rs`), with Chinese labels, help and the choices the API accepts.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

use crate::domain::actions::{ConsultationReply, ConsultedParty, ReceivedDocument};
use crate::domain::case::{ChallengeKind, ChallengeResult, DeliveryMethod, Outcome};
use crate::domain::fees::FeeScale;
use crate::domain::labels;
use crate::domain::workflow::ActionKind;

/// One input of an action's form.
#[derive(Debug, Clone, Serialize)]
pub struct Field {
    /// The JSON path of the action's body (`items[]` for a list).
    pub name: String,
    /// Unique on the page: `{action}-{name}`.
    pub id: String,
    pub label: &'static str,
    pub help: &'static str,
    /// `text`, `textarea`, `date`, `number`, `checkbox`, `select`.
    pub input: &'static str,
    pub required: bool,
    pub options: Vec<(String, String)>,
    pub value: String,
    pub error: Option<String>,
}

/// An action's whole form, as the template draws it.
#[derive(Debug, Clone, Serialize)]
pub struct ActionForm {
    pub action: &'static str,
    pub label: &'static str,
    pub help: &'static str,
    /// Ask before taking it (it closes the case or cannot be undone).
    pub confirm: bool,
    pub fields: Vec<Field>,
    /// A refusal not tied to one input (a stale version, a workflow rule).
    pub error: Option<String>,
    /// Drawn open: the form that was just refused.
    pub open: bool,
}

/// A refused action, its errors by input name, and the values typed.
pub type RefusedInput<'a> = (
    &'a str,
    &'a BTreeMap<String, String>,
    &'a BTreeMap<String, String>,
);

/// What the forms are filled from: the case, today, and a refused submission to draw again.
pub struct Fill<'a> {
    /// How the applicant wants the answer (the delivery form's default).
    pub delivery_wanted: DeliveryMethod,
    /// The fee asked, in fen (the payment form's default).
    pub fee_fen: Option<i64>,
    pub today: NaiveDate,
    /// The refused action, its errors by input name, and the values typed.
    pub refused: Option<RefusedInput<'a>>,
}

fn opts<T: Copy>(
    all: &[T],
    code: fn(T) -> &'static str,
    label: fn(T) -> &'static str,
) -> Vec<(String, String)> {
    all.iter()
        .map(|v| (code(*v).to_owned(), label(*v).to_owned()))
        .collect()
}

struct B {
    fields: Vec<Field>,
}

impl B {
    fn f(
        mut self,
        name: &str,
        label: &'static str,
        input: &'static str,
        required: bool,
        help: &'static str,
    ) -> Self {
        self.fields.push(Field {
            name: name.to_owned(),
            id: String::new(),
            label,
            help,
            input,
            required,
            options: Vec::new(),
            value: String::new(),
            error: None,
        });
        self
    }

    fn select(
        mut self,
        name: &str,
        label: &'static str,
        required: bool,
        options: Vec<(String, String)>,
        help: &'static str,
    ) -> Self {
        self = self.f(name, label, "select", required, help);
        if let Some(last) = self.fields.last_mut() {
            last.options = options;
        }
        self
    }

    fn value(mut self, v: impl Into<String>) -> Self {
        if let Some(last) = self.fields.last_mut() {
            last.value = v.into();
        }
        self
    }
}

fn b() -> B {
    B { fields: Vec::new() }
}

const NOTE: &str = "内部备注，申请人看不到。";

/// The inputs of `kind`'s body, with defaults from the case.
fn fields(kind: ActionKind, fill: &Fill<'_>) -> B {
    use ActionKind as A;
    let today = fill.today.to_string();
    match kind {
        A::ConfirmReceipt => b()
            .f(
                "received_on",
                "收到申请日期",
                "date",
                true,
                "依条例第三十一条确定的收到申请之日（如邮件签收日）。",
            )
            .value(&today)
            .f(
                "basis",
                "确认依据",
                "text",
                false,
                "如：收发室签收、与申请人电话确认。",
            ),
        A::Accept | A::Approve | A::GrantExtension => {
            b().f("note", "备注", "textarea", false, NOTE)
        }
        A::RequestCorrection => b()
            .f(
                "items[]",
                "需补正事项 1",
                "textarea",
                true,
                "依条例第三十条，一次性告知全部需补正的事项。",
            )
            .f("items[]", "需补正事项 2", "textarea", false, "")
            .f("items[]", "需补正事项 3", "textarea", false, "")
            .f(
                "period_working_days",
                "补正期限（工作日）",
                "number",
                true,
                "给予申请人的合理补正期限，1 至 60 个工作日。",
            )
            .value("15")
            .f(
                "by_post",
                "告知书邮寄送达",
                "checkbox",
                false,
                "邮寄的，补正期限自申请人签收之日起算，签收后请登记送达日期。",
            ),
        A::SubmitCorrection => b()
            .f(
                "statement",
                "补正说明",
                "textarea",
                true,
                "申请人对补正告知书的答复。",
            )
            .f(
                "description",
                "补正后的申请内容",
                "textarea",
                false,
                "填写后将替换原申请内容。",
            )
            .f("document_number", "文号", "text", false, "")
            .f(
                "received_on",
                "收到补正日期",
                "date",
                false,
                "纸质补正：本机关收到之日。",
            ),
        A::StartConsultation => b()
            .select(
                "party_kind",
                "征求对象类型",
                true,
                opts(
                    ConsultedParty::ALL,
                    ConsultedParty::as_str,
                    labels::consulted_party_label,
                ),
                "",
            )
            .f("party_name", "征求对象名称", "text", true, "")
            .f(
                "party_email",
                "征求对象电子邮箱",
                "text",
                false,
                "填写后征求意见函将以电子邮件发送。",
            )
            .f("letter_date", "征求意见函日期", "date", true, "")
            .value(&today)
            .f(
                "letter_received_on",
                "对方签收日期",
                "date",
                false,
                "第三方答复期限（15个工作日）自签收之日起算（第三十二条）。",
            )
            .f("note", "备注", "textarea", false, NOTE),
        A::EndConsultation => b()
            .f(
                "consultation_id",
                "征求意见编号",
                "text",
                false,
                "同时有多项征求意见时填写，如 c1、c2。",
            )
            .select(
                "reply",
                "答复结果",
                true,
                opts(
                    ConsultationReply::ALL,
                    ConsultationReply::as_str,
                    labels::consultation_reply_label,
                ),
                "",
            )
            .f(
                "reply_date",
                "答复日期",
                "date",
                true,
                "逾期未答复的，填期限届满之日。",
            )
            .value(&today)
            .f("reply_summary", "答复要点", "textarea", false, ""),
        A::ProposeDecision => decision_fields(),
        A::Return | A::RefuseExtension => {
            b().f("reason", "理由", "textarea", true, "将告知拟稿人。")
        }
        A::Deliver => b()
            .select(
                "method",
                "送达方式",
                true,
                opts(
                    DeliveryMethod::ALL,
                    DeliveryMethod::as_str,
                    labels::delivery_method_label,
                ),
                "",
            )
            .value(fill.delivery_wanted.as_str())
            .f(
                "posted_on",
                "交邮日期",
                "date",
                false,
                "邮寄送达的，以交邮之日为答复之日。",
            )
            .f("delivered_on", "送达（签收或发送）日期", "date", false, "")
            .value(&today)
            .f("note", "备注", "textarea", false, NOTE),
        A::Withdraw => b().f(
            "reason",
            "撤回理由",
            "textarea",
            false,
            "申请人撤回申请的理由（如有）。",
        ),
        A::RequestExtension => b()
            .f(
                "working_days",
                "延长工作日数",
                "number",
                true,
                "依条例第三十三条，延长不超过 20 个工作日，须经负责人同意。",
            )
            .value("20")
            .f("reason", "延期理由", "textarea", true, "将告知申请人。"),
        A::SetAnswerPeriod => b()
            .f(
                "working_days",
                "答复期限（工作日）",
                "number",
                true,
                "第三十五条：21 至 120 个工作日。",
            )
            .f("reason", "理由", "textarea", true, ""),
        A::AskForReasons => b().f(
            "questions",
            "要求说明的事项",
            "textarea",
            true,
            "第三十五条：申请数量、频次明显超过合理范围的，可要求说明理由。",
        ),
        A::IssueFeeNotice => b()
            .select(
                "scale",
                "计收方式",
                true,
                opts(FeeScale::ALL, FeeScale::as_str, labels::fee_scale_label),
                "",
            )
            .f("pages", "页数", "number", false, "按量计收时填写。")
            .f(
                "reduction_fen",
                "减免金额（分）",
                "number",
                false,
                "以分为单位，如 10.50 元填 1050。",
            )
            .f("reduction_reason", "减免理由", "text", false, "")
            .f(
                "notice_received_on",
                "申请人收到通知日期",
                "date",
                false,
                "网上或电子邮件送达的，默认为今天。",
            )
            .f(
                "by_post",
                "通知书邮寄送达",
                "checkbox",
                false,
                "邮寄的，缴费期限自签收之日起算。",
            ),
        A::RecordPayment => b()
            .f("paid_on", "缴费日期", "date", true, "")
            .value(&today)
            .f(
                "amount_fen",
                "缴费金额（分）",
                "number",
                true,
                "以分为单位，须与通知金额一致。",
            )
            .value(fill.fee_fen.map(|a| a.to_string()).unwrap_or_default())
            .f("receipt_number", "票据号码", "text", false, ""),
        A::AbandonNoCorrection | A::AbandonFeeUnpaid => b(),
        A::RecordChallenge => b()
            .select(
                "kind",
                "类型",
                true,
                opts(
                    ChallengeKind::ALL,
                    ChallengeKind::as_str,
                    labels::challenge_kind_label,
                ),
                "",
            )
            .f(
                "after_reconsideration",
                "复议后起诉",
                "checkbox",
                false,
                "仅行政诉讼：经复议后提起的诉讼。",
            )
            .f("filed_on", "提起日期", "date", true, "")
            .f("authority", "复议机关或法院", "text", false, "")
            .f("reference", "案号", "text", false, ""),
        A::RecordChallengeResult => b()
            .f(
                "challenge_id",
                "复议或诉讼编号",
                "text",
                true,
                "见本页“复议和诉讼”一节。",
            )
            .select(
                "result",
                "结果",
                true,
                opts(
                    ChallengeResult::ALL,
                    ChallengeResult::as_str,
                    labels::challenge_result_label,
                ),
                "",
            )
            .f("decided_on", "审结日期", "date", true, ""),
        A::RecordNoticeReceived => b()
            .select(
                "document",
                "文书",
                true,
                opts(
                    ReceivedDocument::ALL,
                    ReceivedDocument::as_str,
                    labels::received_document_label,
                ),
                "",
            )
            .f(
                "consultation_id",
                "征求意见编号",
                "text",
                false,
                "征求意见函：如 c1。",
            )
            .f(
                "received_on",
                "签收日期",
                "date",
                true,
                "回执上的签收日期。",
            ),
        A::WaiveFee => b()
            .select(
                "scale",
                "本应适用的计收方式",
                true,
                opts(FeeScale::ALL, FeeScale::as_str, labels::fee_scale_label),
                "",
            )
            .f("pages", "页数", "number", false, "按量计收时填写。")
            .f("reason", "减免理由", "textarea", true, ""),
        A::ReplyToReasons => b().f("reply", "申请人的说明", "textarea", true, "").f(
            "received_on",
            "收到日期",
            "date",
            false,
            "纸质答复：本机关收到之日。",
        ),
        A::Reopen => b()
            .f(
                "reason",
                "正当理由",
                "textarea",
                true,
                "第三十条：申请人有正当理由逾期补正的。",
            )
            .f("statement", "补正说明", "textarea", true, "")
            .f("description", "补正后的申请内容", "textarea", false, ""),
        A::NotifyThirdParty => b()
            .f(
                "consultation_id",
                "征求意见编号",
                "text",
                false,
                "仅一方反对时可不填。",
            )
            .f("content", "拟公开的内容", "textarea", true, "")
            .f(
                "reasons",
                "公开理由",
                "textarea",
                true,
                "第三十二条：决定公开的，书面告知第三方。",
            ),
    }
}

fn decision_fields() -> B {
    let outcomes = opts(Outcome::ALL, Outcome::as_str, Outcome::label);
    let grounds: Vec<_> = Outcome::ALL
        .iter()
        .filter(|o| o.is_withheld())
        .map(|o| (o.as_str().to_owned(), o.label().to_owned()))
        .collect();
    let mut d = b()
        .select(
            "outcome",
            "答复类型",
            true,
            outcomes,
            "按年度报告第三部分的分类选择一项。",
        )
        .f("reasoning", "理由", "textarea", true, "")
        .f("legal_basis", "法律依据", "text", false, "")
        .f(
            "public_location",
            "已公开信息的获取途径",
            "text",
            false,
            "第三十六条第一项。",
        )
        .f(
            "not_this_office",
            "不属于本机关负责公开",
            "checkbox",
            false,
            "第三十六条第五项。",
        )
        .f("responsible_office", "负责公开的机关", "text", false, "")
        .f("responsible_contact", "该机关联系方式", "text", false, "")
        .f(
            "other_procedure",
            "其他法定途径",
            "text",
            false,
            "第三十六条第七项。",
        )
        .f(
            "earlier_application",
            "此前答复的申请编号",
            "text",
            false,
            "第三十六条第六项：重复申请。",
        )
        .f(
            "convenience_reply",
            "便民答复",
            "textarea",
            false,
            "仅限信息不存在、需另行制作、补正后仍不明确的答复。",
        )
        .f(
            "third_party_objection_upheld",
            "采纳第三方不同意公开的意见",
            "checkbox",
            false,
            "",
        );
    for i in 0..2 {
        d = d
            .f(
                &format!("withheld[{i}].part"),
                "不予公开的部分",
                "text",
                false,
                "部分公开时，逐项写明不予公开的部分。",
            )
            .select(
                &format!("withheld[{i}].ground"),
                "不予公开的理由类别",
                false,
                grounds.clone(),
                "",
            )
            .f(
                &format!("withheld[{i}].legal_basis"),
                "该部分的法律依据",
                "text",
                false,
                "",
            )
            .f(
                &format!("withheld[{i}].reasoning"),
                "该部分的理由",
                "textarea",
                false,
                "",
            );
    }
    d
}

/// What each action is for, shown above its form.
fn help(kind: ActionKind) -> &'static str {
    use ActionKind as A;
    match kind {
        A::ConfirmReceipt => "邮寄、传真等申请，确认依法收到申请之日后，答复期限开始计算。",
        A::Accept => "申请内容明确、完整的，予以受理。",
        A::RequestCorrection => "申请内容不明确的，一次性告知补正；答复期限自收到补正之日起计算。",
        A::ProposeDecision => "拟定答复，提交审批人审批（审批人不能是拟稿人本人）。",
        A::Deliver => "答复经批准后送达申请人；送达后生成答复书。",
        A::IssueFeeNotice => "发出收费通知后，至缴费之日的期间不计入答复期限。",
        A::StartConsultation => "征求第三方或其他机关意见的期间不计入答复期限。",
        A::Withdraw => "申请人撤回申请，案件结束。",
        A::AbandonNoCorrection | A::AbandonFeeUnpaid => "期限届满，视为放弃申请，案件结束。",
        _ => "",
    }
}

/// A form's values by input name, each entry of a list (`items[]`) under `items[]#0`, … so
/// that a form drawn again shows every entry where it was typed.
pub fn typed_values(form: &[(String, String)]) -> BTreeMap<String, String> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    form.iter()
        .map(|(k, v)| {
            if k.ends_with("[]") {
                let n = counts.entry(k).or_default();
                *n += 1;
                (format!("{k}#{}", *n - 1), v.clone())
            } else {
                (k.clone(), v.clone())
            }
        })
        .collect()
}

/// The Chinese label of each input of `action`'s form, by input name (for a refusal shown
/// away from the form, e.g. from the approver's inbox).
pub fn input_labels(action: &str) -> BTreeMap<String, &'static str> {
    let Some(kind) = ActionKind::parse(action) else {
        return BTreeMap::new();
    };
    let fill = Fill {
        delivery_wanted: DeliveryMethod::Post,
        fee_fen: None,
        today: NaiveDate::default(),
        refused: None,
    };
    fields(kind, &fill)
        .fields
        .into_iter()
        .map(|f| (f.name.trim_end_matches("[]").to_owned(), f.label))
        .collect()
}

/// The forms of the actions the workflow allows now, in its order, filled from a refusal.
pub fn forms(allowed: &[&str], fill: &Fill<'_>) -> Vec<ActionForm> {
    allowed
        .iter()
        .filter_map(|a| ActionKind::parse(a))
        .map(|kind| form(kind, fill))
        .collect()
}

fn form(kind: ActionKind, fill: &Fill<'_>) -> ActionForm {
    let action = kind.as_str();
    let refused = fill.refused.filter(|(a, _, _)| *a == action);
    let mut fields = fields(kind, fill).fields;
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for f in &mut fields {
        let n = seen.entry(f.name.clone()).or_default();
        f.id = format!("{action}-{}-{n}", f.name.replace(['[', ']', '.'], "_"));
        *n += 1;
        if let Some((_, errors, values)) = refused {
            let base = f.name.trim_end_matches("[]");
            f.error = errors
                .iter()
                .find(|(k, _)| {
                    *k == base || k.strip_prefix(base).is_some_and(|r| r.starts_with('['))
                })
                .map(|(_, m)| m.clone())
                .filter(|_| *n == 1);
            // A list's entries are typed as `items[]#0`, `items[]#1`, … (see `typed_values`).
            let key = if f.name.ends_with("[]") {
                format!("{}#{}", f.name, *n - 1)
            } else {
                f.name.clone()
            };
            f.value = values.get(&key).cloned().unwrap_or_default();
        }
    }
    let error = refused.and_then(|(_, errors, _)| {
        let named: Vec<&str> = fields
            .iter()
            .map(|f| f.name.trim_end_matches("[]"))
            .collect();
        let rest: Vec<&str> = errors
            .iter()
            .filter(|(k, _)| {
                !named
                    .iter()
                    .any(|n| k.as_str() == *n || k.starts_with(&format!("{n}[")))
            })
            .map(|(_, m)| m.as_str())
            .collect();
        (!rest.is_empty()).then(|| rest.join("；"))
    });
    ActionForm {
        action,
        label: labels::action_label(kind),
        help: help(kind),
        confirm: matches!(
            kind,
            ActionKind::Withdraw | ActionKind::AbandonNoCorrection | ActionKind::AbandonFeeUnpaid
        ),
        fields,
        error,
        open: refused.is_some(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_has_a_form_in_chinese_with_unique_input_ids() {
        let fill = Fill {
            delivery_wanted: DeliveryMethod::Post,
            fee_fen: None,
            today: NaiveDate::from_ymd_opt(2026, 11, 25).unwrap(),
            refused: None,
        };
        let all: Vec<&str> = ActionKind::ALL.iter().map(|k| k.as_str()).collect();
        let forms = forms(&all, &fill);
        assert_eq!(forms.len(), ActionKind::ALL.len());
        let mut ids = std::collections::BTreeSet::new();
        for f in &forms {
            for x in &f.fields {
                assert!(
                    !x.label.chars().any(|c| c.is_ascii_alphabetic()),
                    "{}",
                    x.label
                );
                assert!(ids.insert(x.id.clone()), "{}", x.id);
                for (_, label) in &x.options {
                    assert!(!label.chars().any(|c| c.is_ascii_alphabetic()), "{label}");
                }
            }
        }
    }

    #[test]
    fn a_refusal_lands_beside_its_input_and_the_rest_above_the_form() {
        let errors = BTreeMap::from([
            (
                "period_working_days".to_owned(),
                "须在 1 至 60 之间".to_owned(),
            ),
            ("".to_owned(), "案件已是第 3 版".to_owned()),
        ]);
        let values = BTreeMap::from([("period_working_days".to_owned(), "0".to_owned())]);
        let fill = Fill {
            delivery_wanted: DeliveryMethod::Post,
            fee_fen: None,
            today: NaiveDate::from_ymd_opt(2026, 11, 25).unwrap(),
            refused: Some(("request_correction", &errors, &values)),
        };
        let f = &forms(&["accept", "request_correction"], &fill)[1];
        assert!(f.open);
        let period = f
            .fields
            .iter()
            .find(|x| x.name == "period_working_days")
            .unwrap();
        assert_eq!(period.error.as_deref(), Some("须在 1 至 60 之间"));
        assert_eq!(period.value, "0");
        assert_eq!(f.error.as_deref(), Some("案件已是第 3 版"));
    }
}
