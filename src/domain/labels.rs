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

// ---- The clerk's console (issue 15): the choices of its forms and the facts of a case. ----

use super::actions::{ConsultationReply, ConsultedParty, ReceivedDocument};
use super::case::{
    ApplicantKind, ChallengeKind, ChallengeResult, DeliveryMethod, InformationForm,
    OrganisationType,
};
use super::clock::DeadlineState;
use super::fees::FeeScale;
use super::identity::IdDocumentType;

pub fn delivery_method_label(m: DeliveryMethod) -> &'static str {
    match m {
        DeliveryMethod::Post => "邮寄",
        DeliveryMethod::Email => "电子邮件",
        DeliveryMethod::PickUp => "当面领取",
        DeliveryMethod::Online => "网上查阅",
    }
}

pub fn information_form_label(f: InformationForm) -> &'static str {
    match f {
        InformationForm::Paper => "纸质",
        InformationForm::Electronic => "电子数据",
        InformationForm::InspectionOrCopying => "查阅或复制",
    }
}

pub fn applicant_kind_label(k: ApplicantKind) -> &'static str {
    match k {
        ApplicantKind::NaturalPerson => "自然人",
        ApplicantKind::Organisation => "法人或其他组织",
    }
}

pub fn organisation_type_label(t: OrganisationType) -> &'static str {
    match t {
        OrganisationType::CommercialEnterprise => "商业企业",
        OrganisationType::ResearchInstitution => "科研机构",
        OrganisationType::PublicInterestOrganisation => "社会公益组织",
        OrganisationType::LegalServicesOrganisation => "法律服务机构",
        OrganisationType::Other => "其他",
    }
}

pub fn id_document_type_label(t: IdDocumentType) -> &'static str {
    match t {
        IdDocumentType::ResidentIdCard => "居民身份证",
        IdDocumentType::UnifiedSocialCreditCode => "统一社会信用代码",
        IdDocumentType::Passport => "护照",
        IdDocumentType::HkMacaoPermit => "港澳居民来往内地通行证",
        IdDocumentType::TaiwanPermit => "台湾居民来往大陆通行证",
        IdDocumentType::ForeignPermanentResidentId => "外国人永久居留身份证",
        IdDocumentType::Other => "其他证件",
    }
}

pub fn fee_scale_label(s: FeeScale) -> &'static str {
    match s {
        FeeScale::PerApplication => "按件计收",
        FeeScale::PerPage => "按量计收",
    }
}

pub fn challenge_kind_label(k: ChallengeKind) -> &'static str {
    match k {
        ChallengeKind::Reconsideration => "行政复议",
        ChallengeKind::Litigation => "行政诉讼",
    }
}

pub fn challenge_result_label(r: ChallengeResult) -> &'static str {
    match r {
        ChallengeResult::Upheld => "维持",
        ChallengeResult::Corrected => "纠正",
        ChallengeResult::Other => "其他结果",
    }
}

pub fn consulted_party_label(p: ConsultedParty) -> &'static str {
    match p {
        ConsultedParty::ThirdParty => "第三方",
        ConsultedParty::Agency => "其他机关",
    }
}

pub fn consultation_reply_label(r: ConsultationReply) -> &'static str {
    match r {
        ConsultationReply::Consent => "同意公开",
        ConsultationReply::Objection => "不同意公开",
        ConsultationReply::NoReply => "逾期未答复",
    }
}

pub fn received_document_label(d: ReceivedDocument) -> &'static str {
    match d {
        ReceivedDocument::CorrectionNotice => "补正告知书",
        ReceivedDocument::FeeNotice => "收费通知书",
        ReceivedDocument::ConsultationLetter => "征求意见函",
        ReceivedDocument::Answer => "答复书",
    }
}

pub fn deadline_state_label(s: DeadlineState) -> &'static str {
    match s {
        DeadlineState::Open => "进行中",
        DeadlineState::Overdue => "已逾期",
        DeadlineState::Paused => "已暂停",
        DeadlineState::Met => "已按期完成",
        DeadlineState::Missed => "逾期完成",
        DeadlineState::Moot => "不再适用",
        DeadlineState::Lapsed => "期限届满",
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
