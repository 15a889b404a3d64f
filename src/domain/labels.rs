//! The Chinese names people read for the codes the service stores: actions and channels (the
//! statuses' names are `service::templates::status_label`, outcomes' `Outcome::label`).

use super::case::Channel;
use super::workflow::ActionKind;

/// What a clerk, approver or applicant sees on the button or in the history for an action.
pub fn action_label(kind: ActionKind) -> &'static str {
    use ActionKind as A;
    match kind {
        A::ConfirmReceipt => "确认收到申请",
        A::Accept => "受理",
        A::RequestCorrection => "要求补正",
        A::SubmitCorrection => "提交补正",
        A::StartConsultation => "征求第三方意见",
        A::EndConsultation => "结束征求意见",
        A::ProposeDecision => "拟定答复",
        A::Approve => "批准答复",
        A::Return => "退回修改",
        A::Deliver => "送达答复",
        A::Withdraw => "撤回申请",
        A::RequestExtension => "申请延期答复",
        A::GrantExtension => "批准延期",
        A::RefuseExtension => "不批准延期",
        A::SetAnswerPeriod => "确定答复期限",
        A::AskForReasons => "要求说明理由",
        A::IssueFeeNotice => "发出收费通知",
        A::RecordPayment => "登记缴费",
        A::AbandonNoCorrection => "视为放弃（逾期未补正）",
        A::AbandonFeeUnpaid => "视为放弃（逾期未缴费）",
        A::RecordChallenge => "登记复议或诉讼",
        A::RecordChallengeResult => "登记复议或诉讼结果",
        A::RecordNoticeReceived => "登记通知送达日期",
        A::WaiveFee => "减免费用",
        A::ReplyToReasons => "答复理由说明",
        A::Reopen => "重新办理",
        A::NotifyThirdParty => "告知第三方决定",
    }
}

/// How an application reached the office.
pub fn channel_label(channel: Channel) -> &'static str {
    match channel {
        Channel::InPerson => "当面提交",
        Channel::Mail => "邮寄",
        Channel::Online => "网上申请",
        Channel::Fax => "传真",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_has_a_chinese_name_without_latin_letters() {
        for kind in ActionKind::ALL {
            let label = action_label(*kind);
            assert!(!label.is_empty() && !label.chars().any(|c| c.is_ascii_alphabetic()));
        }
    }
}
