//! The inputs of each workflow action's form (the JSON body of `src/domain/actions.rs`), with
//! Chinese labels, help, choices and defaults: the steps of handling a case.

use super::action_forms::{Field, Fill};
use crate::domain::actions::{ConsultationReply, ConsultedParty};
use crate::domain::case::{DeliveryMethod, Outcome};
use crate::domain::labels;
use crate::domain::workflow::ActionKind;

pub(super) fn opts<T: Copy>(
    all: &[T],
    code: fn(T) -> &'static str,
    label: fn(T) -> &'static str,
) -> Vec<(String, String)> {
    all.iter()
        .map(|v| (code(*v).to_owned(), label(*v).to_owned()))
        .collect()
}

pub(super) struct B {
    pub(super) fields: Vec<Field>,
}

impl B {
    pub(super) fn f(
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

    pub(super) fn select(
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

    pub(super) fn value(mut self, v: impl Into<String>) -> Self {
        if let Some(last) = self.fields.last_mut() {
            last.value = v.into();
        }
        self
    }
}

pub(super) fn b() -> B {
    B { fields: Vec::new() }
}

pub(super) const NOTE: &str = "内部备注，申请人看不到。";

/// The inputs of `kind`'s body, with defaults from the case.
pub(super) fn fields(kind: ActionKind, fill: &Fill<'_>) -> B {
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
        A::ProposeDecision => {
            let mut d = decision_fields();
            if !fill.choices.replied_forwardings.is_empty() {
                // The division's reply the draft follows (the page can pre-fill from it).
                d = d.select(
                    "from_forwarding",
                    "依据的处室办理意见",
                    false,
                    fill.choices.replied_forwardings.clone(),
                    "选择后记录本答复依据哪个处室的办理意见；点“内部办理”中的“据此拟定答复”可预填答复类型、理由和法律依据。",
                );
            }
            d
        }
        A::Assign | A::Reassign | A::Forward | A::ReplyToForwarding => {
            super::action_fields_inside::fields(kind, fill)
        }
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
        _ => super::action_fields_records::fields(kind, fill),
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
pub(super) fn help(kind: ActionKind) -> &'static str {
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
        A::Assign => "指定本机关的一名经办人或审批人专门负责办理本案。",
        A::Reassign => "改由他人承办，须写明理由。",
        A::Forward => "请相关处室提出办理意见；内部期限不是法定期限，不影响答复期限的计算。",
        A::ReplyToForwarding => "本处室对转办事项的办理意见，供公开工作机构拟定答复。",
        _ => "",
    }
}
