//! The inputs of the actions that record what happened outside the service (fees, notices
//! received, challenges, replies) and the office's own decisions on periods.

use super::action_fields::{b, opts, B};
use super::action_forms::Fill;
use crate::domain::actions::ReceivedDocument;
use crate::domain::case::{ChallengeKind, ChallengeResult};
use crate::domain::fees::FeeScale;
use crate::domain::labels;
use crate::domain::workflow::ActionKind;

/// The inputs of the actions not in `action_fields::fields`.
pub(super) fn fields(kind: ActionKind, fill: &Fill<'_>) -> B {
    use ActionKind as A;
    let today = fill.today.to_string();
    match kind {
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
        _ => b(),
    }
}
