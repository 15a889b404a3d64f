//! The vocabulary of a case file: who applied, how, what for, and where the case stands.

use super::{str_enum, uuid_id};

str_enum! {
    /// Where a case stands (RULES §3). The last four are terminal exits.
    pub enum Status {
        /// 登记: recorded, the legal receipt date may still be pending (art. 31).
        Registered = "registered",
        /// 受理: being handled.
        Accepted = "accepted",
        /// 补正: waiting for the applicant's correction (art. 30).
        Correction = "correction",
        /// 征求意见: waiting for a third party or another agency (art. 32, 34).
        Consultation = "consultation",
        /// 提出办理意见: a drafted answer waits for approval.
        Decision = "decision",
        /// 报批: approved, to be delivered.
        Approved = "approved",
        /// 送达: the written answer was delivered.
        Delivered = "delivered",
        Withdrawn = "withdrawn",
        /// Deemed abandoned: no correction in time (art. 30; report 其他处理 1).
        AbandonedNoCorrection = "abandoned_no_correction",
        /// Deemed abandoned: fee not paid in time (Fee Measures; report 其他处理 2).
        AbandonedFeeUnpaid = "abandoned_fee_unpaid",
        ClosedWithoutProcessing = "closed_without_processing",
    }
}

impl Status {
    /// The terminal states: no running deadline, no further workflow action.
    pub const TERMINAL: [Status; 5] = [
        Self::Delivered,
        Self::Withdrawn,
        Self::AbandonedNoCorrection,
        Self::AbandonedFeeUnpaid,
        Self::ClosedWithoutProcessing,
    ];

    /// The states of a case that was answered (the applicant's earlier answers, RULES §6).
    pub const ANSWERED: [Status; 2] = [Self::Delivered, Self::ClosedWithoutProcessing];

    /// A case in a terminal state takes no further workflow action.
    pub fn is_terminal(self) -> bool {
        Self::TERMINAL.contains(&self)
    }
}

str_enum! {
    /// How the application reached the office (RULES §1; art. 31 sets the receipt date per channel).
    pub enum Channel {
        InPerson = "in_person",
        Mail = "mail",
        Online = "online",
        Fax = "fax",
    }
}

str_enum! {
    /// Applicant kinds: the columns of the annual report.
    pub enum ApplicantKind {
        NaturalPerson = "natural_person",
        Organisation = "organisation",
    }
}

str_enum! {
    /// Sub-types of 法人或其他组织 (annual report columns).
    pub enum OrganisationType {
        CommercialEnterprise = "commercial_enterprise",
        ResearchInstitution = "research_institution",
        PublicInterestOrganisation = "public_interest_organisation",
        LegalServicesOrganisation = "legal_services_organisation",
        Other = "other",
    }
}

str_enum! {
    /// The form in which the information is wanted (art. 29).
    pub enum InformationForm {
        Paper = "paper",
        Electronic = "electronic",
        InspectionOrCopying = "inspection_or_copying",
    }
}

str_enum! {
    /// How the applicant wants to receive the answer (art. 29), and how it was delivered.
    pub enum DeliveryMethod {
        Post = "post",
        Email = "email",
        PickUp = "pick_up",
        Online = "online",
    }
}

str_enum! {
    /// The 27 leaf rows of part 三 of the annual report: every answer has exactly one (RULES §5).
    pub enum Outcome {
        Disclosed = "disclosed",
        PartlyDisclosed = "partly_disclosed",
        WithheldStateSecret = "withheld_state_secret",
        WithheldOtherLaw = "withheld_other_law",
        WithheldSecurityStability = "withheld_security_stability",
        WithheldThirdPartyRights = "withheld_third_party_rights",
        WithheldInternalAffairs = "withheld_internal_affairs",
        WithheldProcessInformation = "withheld_process_information",
        WithheldEnforcementFiles = "withheld_enforcement_files",
        WithheldAdministrativeQuery = "withheld_administrative_query",
        UnavailableNotHeld = "unavailable_not_held",
        UnavailableNeedsCreation = "unavailable_needs_creation",
        UnavailableUnclearAfterCorrection = "unavailable_unclear_after_correction",
        NotProcessedPetition = "not_processed_petition",
        NotProcessedRepeat = "not_processed_repeat",
        NotProcessedPublication = "not_processed_publication",
        NotProcessedExcessive = "not_processed_excessive",
        NotProcessedConfirmation = "not_processed_confirmation",
        OtherNoCorrection = "other_no_correction",
        OtherFeeUnpaid = "other_fee_unpaid",
        Other = "other",
    }
}

impl Outcome {
    /// The 不予处理 rows: the grounds on which a case may be closed without processing.
    pub fn is_not_processed(self) -> bool {
        matches!(
            self,
            Self::NotProcessedPetition
                | Self::NotProcessedRepeat
                | Self::NotProcessedPublication
                | Self::NotProcessedExcessive
                | Self::NotProcessedConfirmation
        )
    }

    /// The 不予公开 rows (art. 36(3)).
    pub fn is_withheld(self) -> bool {
        self.as_str().starts_with("withheld_")
    }

    /// 便民答复 goes with: not held (incl. not this office's, art. 36(5)), needs creation,
    /// unclear after correction (RULES §5).
    pub fn allows_convenience_reply(self) -> bool {
        matches!(
            self,
            Self::UnavailableNotHeld
                | Self::UnavailableNeedsCreation
                | Self::UnavailableUnclearAfterCorrection
        )
    }

    /// The row of part 三 of the annual report.
    pub fn label(self) -> &'static str {
        match self {
            Self::Disclosed => "予以公开",
            Self::PartlyDisclosed => "部分公开",
            Self::WithheldStateSecret => "不予公开（属于国家秘密）",
            Self::WithheldOtherLaw => "不予公开（其他法律行政法规禁止公开）",
            Self::WithheldSecurityStability => "不予公开（危及“三安全一稳定”）",
            Self::WithheldThirdPartyRights => "不予公开（保护第三方合法权益）",
            Self::WithheldInternalAffairs => "不予公开（属于三类内部事务信息）",
            Self::WithheldProcessInformation => "不予公开（属于四类过程性信息）",
            Self::WithheldEnforcementFiles => "不予公开（属于行政执法案卷）",
            Self::WithheldAdministrativeQuery => "不予公开（属于行政查询事项）",
            Self::UnavailableNotHeld => "无法提供（本机关不掌握相关政府信息）",
            Self::UnavailableNeedsCreation => "无法提供（没有现成信息需要另行制作）",
            Self::UnavailableUnclearAfterCorrection => "无法提供（补正后申请内容仍不明确）",
            Self::NotProcessedPetition => "不予处理（信访举报投诉类申请）",
            Self::NotProcessedRepeat => "不予处理（重复申请）",
            Self::NotProcessedPublication => "不予处理（要求提供公开出版物）",
            Self::NotProcessedExcessive => "不予处理（无正当理由大量反复申请）",
            Self::NotProcessedConfirmation => "不予处理（要求行政机关确认或重新出具已获取信息）",
            Self::OtherNoCorrection => "其他处理（申请人逾期不补正）",
            Self::OtherFeeUnpaid => "其他处理（申请人逾期未缴纳信息处理费）",
            Self::Other => "其他处理",
        }
    }

    /// Outcomes a clerk may propose as an answer; the abandonment rows are reached only by the
    /// system when a period lapses.
    pub fn is_proposable(self) -> bool {
        !matches!(self, Self::OtherNoCorrection | Self::OtherFeeUnpaid)
    }
}

str_enum! {
    /// How a decision was challenged (part 四 of the annual report).
    pub enum ChallengeKind {
        /// 行政复议
        Reconsideration = "reconsideration",
        /// 行政诉讼
        Litigation = "litigation",
    }
}

str_enum! {
    /// How a challenge ended: 维持, 纠正, 其他结果 (pending: 尚未审结).
    pub enum ChallengeResult {
        Upheld = "upheld",
        Corrected = "corrected",
        Other = "other",
    }
}

uuid_id! {
    /// An application's id (ids sort by filing time).
    pub struct ApplicationId;
}

uuid_id! {
    /// A staff user's id.
    pub struct UserId;
}

/// An office's code, which starts its tracking numbers (`BJHD-2026-000001`): 2 to 16
/// capitals, digits or inner dashes. Whatever is typed is normalised by this one rule
/// (trimmed, upper-cased) and checked once, where it comes in.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct AgencyCode(String);

impl AgencyCode {
    pub fn parse(code: &str) -> Option<Self> {
        let code = code.trim().to_uppercase();
        let ok = (2..=16).contains(&code.len())
            && code
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-')
            && !code.starts_with('-')
            && !code.ends_with('-');
        ok.then_some(Self(code))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for AgencyCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(&self.0)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn agency_codes_are_normalised_by_one_rule() {
        assert_eq!(
            super::AgencyCode::parse(" bjhd-2 ").map(|c| c.to_string()),
            Some("BJHD-2".into())
        );
        for bad in ["B", "-BJHD", "BJHD-", "北京", "B J", "ABCDEFGHIJKLMNOPQ"] {
            assert_eq!(super::AgencyCode::parse(bad), None, "{bad}");
        }
    }

    use super::*;

    #[test]
    fn statuses_round_trip_and_terminals() {
        for s in Status::ALL {
            assert_eq!(Status::parse(s.as_str()), Some(*s));
            let json = serde_json::to_string(s).unwrap();
            assert_eq!(json, format!("\"{}\"", s.as_str()));
        }
        let terminal: Vec<_> = Status::ALL.iter().filter(|s| s.is_terminal()).collect();
        assert_eq!(terminal.len(), 5);
        assert_eq!(Status::ALL.len(), 11);
    }

    #[test]
    fn outcome_rows() {
        // 1 + 1 + 8 + 3 + 5 + 3 leaf rows of the annual report.
        assert_eq!(Outcome::ALL.len(), 21);
        assert_eq!(
            Outcome::ALL.iter().filter(|o| o.is_not_processed()).count(),
            5
        );
        assert!(!Outcome::OtherFeeUnpaid.is_proposable());
        assert!(Outcome::Other.is_proposable());
    }
}
