//! The Chinese names people read for the codes the service stores: actions and channels (the
//! statuses' names are `service::templates::status_label`, outcomes' `Outcome::label`).

use super::actions::{ConsultationReply, ConsultedParty, ReceivedDocument};
use super::case::{
    ApplicantKind, ChallengeKind, ChallengeResult, Channel, DeliveryMethod, InformationForm,
    OrganisationType, Status,
};
use super::clock::DeadlineState;
use super::fees::FeeScale;
use super::identity::IdDocumentType;
use super::workflow::ActionKind;

/// What a clerk, approver or applicant sees on the button or in the history for an action.
pub fn action_label(kind: ActionKind) -> &'static str {
    use ActionKind as A;
    match kind {
        A::ConfirmReceipt => "确认收到申请",
        A::Accept => "受理",
        A::RequestCorrection => "要求补正",
        A::SubmitCorrection => "提交补正",
        // A third party (art. 32) or another agency (art. 34): the label names neither.
        A::StartConsultation => "征求意见",
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
        A::Assign => "指定承办人",
        A::Reassign => "改派承办人",
        A::Forward => "转办处室",
        A::ReplyToForwarding => "处室回复办理意见",
    }
}

/// A step of a case's history by its stored name: the workflow's actions, and the steps that
/// are not actions (filing, registration, a new access token). None for a name not known.
pub fn step_label(step: &str) -> Option<&'static str> {
    match step {
        "file" => Some("提交申请"),
        "register" => Some("登记申请"),
        "reset_access_token" => Some("重新发放访问码"),
        "notice_sent" => Some("发送通知"),
        "attach_file" => Some("上传文件"),
        other => ActionKind::parse(other).map(action_label),
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

/// Who applies (art. 27): a citizen, or a legal person or other organisation.
pub fn applicant_kind_label(kind: ApplicantKind) -> &'static str {
    match kind {
        ApplicantKind::NaturalPerson => "公民（自然人）",
        ApplicantKind::Organisation => "法人或者其他组织",
    }
}

/// The kinds of organisation the annual report counts.
pub fn organisation_type_label(t: OrganisationType) -> &'static str {
    match t {
        OrganisationType::CommercialEnterprise => "商业企业",
        OrganisationType::ResearchInstitution => "科研机构",
        OrganisationType::PublicInterestOrganisation => "社会公益组织",
        OrganisationType::LegalServicesOrganisation => "法律服务机构",
        OrganisationType::Other => "其他",
    }
}

/// The identity documents an applicant may present.
pub fn id_document_label(t: IdDocumentType) -> &'static str {
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

/// The form in which the information is wanted (art. 29).
pub fn information_form_label(f: InformationForm) -> &'static str {
    match f {
        InformationForm::Paper => "纸质",
        InformationForm::Electronic => "电子数据",
        InformationForm::InspectionOrCopying => "查阅或者抄录",
    }
}

/// How the answer reaches the applicant.
pub fn delivery_method_label(m: DeliveryMethod) -> &'static str {
    match m {
        DeliveryMethod::Post => "邮寄",
        DeliveryMethod::Email => "电子邮件",
        DeliveryMethod::PickUp => "当面领取",
        DeliveryMethod::Online => "网上查看",
    }
}

/// A case's status as its applicant reads it: the office's internal steps (a draft awaiting
/// approval, an approved answer not yet sent) are all "being handled" to them.
pub fn applicant_status_label(status: Status) -> &'static str {
    match status {
        Status::Registered => "已登记",
        Status::Accepted | Status::Decision | Status::Approved => "办理中",
        Status::Correction => "待补正",
        Status::Consultation => "办理中（征求意见）",
        Status::Delivered => "已答复",
        Status::Withdrawn => "已撤回",
        Status::AbandonedNoCorrection => "视为放弃申请（逾期未补正）",
        Status::AbandonedFeeUnpaid => "视为放弃申请（逾期未缴费）",
        Status::ClosedWithoutProcessing => "已办结（不予处理）",
    }
}

/// What the status means for the applicant, in a sentence.
pub fn applicant_status_text(status: Status) -> &'static str {
    match status {
        Status::Registered => "机关已登记您的申请，正在审查是否受理。",
        Status::Accepted | Status::Decision | Status::Approved => {
            "机关正在办理您的申请，答复作出后将按您选择的方式送达。"
        }
        Status::Correction => "机关要求您补正申请，请在补正期限内提交补正内容。",
        Status::Consultation => "机关正在依法征求意见，办理完毕后将作出答复。",
        Status::Delivered => "机关已作出答复并送达，您可以在本页阅读和打印答复书。",
        Status::Withdrawn => "您已撤回申请，机关不再办理。",
        Status::AbandonedNoCorrection => {
            "您未在补正期限内补正，视为放弃申请（第三十条）。如仍需要该信息，可以重新提出申请。"
        }
        Status::AbandonedFeeUnpaid => {
            "您未在期限内缴纳信息处理费，视为放弃申请。如仍需要该信息，可以重新提出申请。"
        }
        Status::ClosedWithoutProcessing => "机关已依法对您的申请作出处理，请阅读答复书。",
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

/// The Chinese names of the values of one of the enums above, given as they are written on the
/// wire (`natural_person`, `organisation`): the enum whose values these all are, so that a
/// message listing them (or quoting one) says 公民（自然人）、法人或者其他组织. None when no
/// labelled enum takes them all.
pub fn wire_labels(values: &[&str]) -> Option<Vec<&'static str>> {
    fn all<T>(
        values: &[&str],
        parse: fn(&str) -> Option<T>,
        label: fn(T) -> &'static str,
    ) -> Option<Vec<&'static str>> {
        values.iter().map(|v| parse(v).map(label)).collect()
    }
    if values.is_empty() {
        return None;
    }
    all(values, ApplicantKind::parse, applicant_kind_label)
        .or_else(|| all(values, IdDocumentType::parse, id_document_label))
        .or_else(|| all(values, OrganisationType::parse, organisation_type_label))
        .or_else(|| all(values, InformationForm::parse, information_form_label))
        .or_else(|| all(values, DeliveryMethod::parse, delivery_method_label))
        .or_else(|| all(values, Channel::parse, channel_label))
        .or_else(|| all(values, FeeScale::parse, fee_scale_label))
        .or_else(|| all(values, ChallengeKind::parse, challenge_kind_label))
        .or_else(|| all(values, ChallengeResult::parse, challenge_result_label))
        .or_else(|| all(values, ConsultedParty::parse, consulted_party_label))
        .or_else(|| all(values, ConsultationReply::parse, consultation_reply_label))
        .or_else(|| all(values, ReceivedDocument::parse, received_document_label))
        .or_else(|| all(values, ActionKind::parse, action_label))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_step_an_applicant_may_see_has_a_chinese_name() {
        for step in [
            "file",
            "register",
            "reset_access_token",
            "notice_sent",
            "accept",
            "deliver",
        ] {
            let label = step_label(step).unwrap();
            assert!(
                !label.chars().any(|c| c.is_ascii_alphabetic()),
                "{step}: {label}"
            );
        }
        assert_eq!(step_label("no_such_step"), None);
    }

    #[test]
    fn every_action_has_a_chinese_name_without_latin_letters() {
        for kind in ActionKind::ALL {
            let label = action_label(*kind);
            assert!(!label.is_empty() && !label.chars().any(|c| c.is_ascii_alphabetic()));
        }
    }

    #[test]
    fn every_applicant_facing_code_has_a_chinese_name() {
        let names = ApplicantKind::ALL
            .iter()
            .map(|k| applicant_kind_label(*k))
            .chain(
                OrganisationType::ALL
                    .iter()
                    .map(|t| organisation_type_label(*t)),
            )
            .chain(IdDocumentType::ALL.iter().map(|t| id_document_label(*t)))
            .chain(
                InformationForm::ALL
                    .iter()
                    .map(|f| information_form_label(*f)),
            )
            .chain(
                DeliveryMethod::ALL
                    .iter()
                    .map(|m| delivery_method_label(*m)),
            )
            .chain(Status::ALL.iter().map(|s| applicant_status_label(*s)))
            .chain(Status::ALL.iter().map(|s| applicant_status_text(*s)));
        for label in names {
            assert!(!label.is_empty() && !label.chars().any(|c| c.is_ascii_alphabetic()));
        }
    }

    #[test]
    fn wire_values_get_the_chinese_names_of_the_enum_they_belong_to() {
        assert_eq!(
            wire_labels(&["natural_person", "organisation"]),
            Some(vec!["公民（自然人）", "法人或者其他组织"])
        );
        assert_eq!(
            wire_labels(&["unified_social_credit_code"]),
            Some(vec!["统一社会信用代码"])
        );
        assert_eq!(wire_labels(&["bogus"]), None);
    }
}
