//! The drafted answer: one outcome of the annual-report rows and what that outcome needs
//! (art. 36, 37; RULES §5).

use super::message::Message;
use serde::{Deserialize, Serialize};
use validator::Validate;

use super::case::Outcome;
use super::workflow::WorkflowError;

/// A part of the information withheld, with its ground and reasons (art. 37).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct WithheldPart {
    #[validate(
        length(min = 1, max = 1000),
        custom(function = "super::text::visible_text")
    )]
    pub part: String,
    /// One of the eight withheld_* rows of the annual report.
    pub ground: Outcome,
    #[validate(custom(function = "super::text::reason_text"))]
    pub legal_basis: String,
    #[validate(custom(function = "super::text::written_text"))]
    pub reasoning: String,
}

/// The drafted answer: one outcome from the annual-report rows and what that outcome needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct ProposeDecision {
    pub outcome: Outcome,
    #[validate(custom(function = "super::text::written_text"))]
    pub reasoning: String,
    #[validate(custom(function = "super::text::reason_text"))]
    pub legal_basis: Option<String>,
    /// Partly disclosed (art. 37): every withheld part with its ground, basis and reasons.
    #[serde(default)]
    #[validate(length(max = 50), nested)]
    pub withheld: Vec<WithheldPart>,
    /// Art. 36(1): where information already made public can be found.
    #[validate(custom(function = "super::text::reason_text"))]
    pub public_location: Option<String>,
    /// Art. 36(5): the information is not this office's to disclose (counted as not held).
    #[serde(default)]
    pub not_this_office: bool,
    /// Art. 36(5): the office responsible, where known, and how to reach it.
    #[validate(
        length(min = 1, max = 200),
        custom(function = "super::text::visible_text")
    )]
    pub responsible_office: Option<String>,
    #[validate(
        length(min = 1, max = 500),
        custom(function = "super::text::visible_text")
    )]
    pub responsible_contact: Option<String>,
    /// Art. 36(7): the statutory procedure through which the information is obtained instead.
    #[validate(custom(function = "super::text::reason_text"))]
    pub other_procedure: Option<String>,
    /// The division's reply (`f1`, …) the office drafted this answer from, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(custom(function = "super::text::label_text"))]
    pub from_forwarding: Option<String>,
    /// Art. 36(6): the tracking number of the earlier answer to the same applicant.
    #[validate(custom(function = "super::text::label_text"))]
    pub earlier_application: Option<String>,
    /// 便民答复: an extra, non-binding helpful reply, for the outcomes where it is allowed.
    #[validate(custom(function = "super::text::written_text"))]
    pub convenience_reply: Option<String>,
    /// Art. 32: a partly disclosed answer that withholds what an objecting third party asked to
    /// keep back; otherwise the party is told before the answer is delivered.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub third_party_objection_upheld: bool,
}

impl ProposeDecision {
    /// An answer with an outcome and reasons and nothing else.
    pub fn new(outcome: Outcome, reasoning: impl Into<String>) -> Self {
        Self {
            outcome,
            reasoning: reasoning.into(),
            legal_basis: None,
            withheld: Vec::new(),
            public_location: None,
            not_this_office: false,
            responsible_office: None,
            responsible_contact: None,
            other_procedure: None,
            from_forwarding: None,
            earlier_application: None,
            convenience_reply: None,
            third_party_objection_upheld: false,
        }
    }

    /// Checks that the outcome has what it needs and nothing it may not have (RULES §5).
    pub fn check(&self) -> Result<(), WorkflowError> {
        let bad = |field: &'static str, zh: &'static str, en: &'static str| {
            Err(WorkflowError::InvalidInput {
                field,
                message: Message::new(zh, en),
            })
        };
        let o = self.outcome;
        if !o.is_proposable() {
            return bad(
                "outcome",
                "该答复结果由系统在期限届满时自动设定",
                "this outcome is set by the service when a period lapses",
            );
        }
        if o == Outcome::PartlyDisclosed && self.withheld.is_empty() {
            return bad(
                "withheld",
                "部分公开的答复须逐项列明不予公开的部分及理由（第三十七条）",
                "a partly disclosed answer lists every withheld part with its reasons (art. 37)",
            );
        }
        if o != Outcome::PartlyDisclosed && !self.withheld.is_empty() {
            return bad(
                "withheld",
                "只有部分公开的答复才列明不予公开的部分",
                "withheld parts belong to a partly disclosed answer only",
            );
        }
        if self.withheld.iter().any(|w| !w.ground.is_withheld()) {
            return bad(
                "withheld",
                "每一项不予公开的部分都须选择一项 withheld_* 理由",
                "every withheld part needs one of the withheld_* grounds",
            );
        }
        if o.is_withheld() && self.legal_basis.is_none() {
            return bad(
                "legal_basis",
                "不予公开的答复须写明法律依据",
                "an answer withholding information states its legal basis",
            );
        }
        // Art. 39 ¶2: for a public publication the office may say where to get it.
        if self.public_location.is_some()
            && !matches!(
                o,
                Outcome::Disclosed | Outcome::PartlyDisclosed | Outcome::NotProcessedPublication
            )
        {
            return bad(
                "public_location",
                "只有予以公开（第三十六条第一项）或属于公开出版物（第三十九条第二款）时才告知获取途径", "where public information is found goes with a disclosure (art. 36(1)) or a public publication (art. 39 ¶2)",
            );
        }
        if self.not_this_office && o != Outcome::UnavailableNotHeld {
            return bad("not_this_office", "不属于本机关负责公开的信息，按 unavailable_not_held 答复（第三十六条第五项）", "information that is not this office's is answered as unavailable_not_held (art. 36(5))");
        }
        if (self.responsible_office.is_some() || self.responsible_contact.is_some())
            && !self.not_this_office
        {
            return bad("responsible_office", "只有信息不属于本机关负责公开时才写明负责机关（第三十六条第五项）", "name the responsible office only when the information is not this office's (art. 36(5))");
        }
        if self.other_procedure.is_some() && o != Outcome::Other {
            return bad(
                "other_procedure",
                "其他法定程序（第三十六条第七项）按 other 答复",
                "another statutory procedure (art. 36(7)) is answered under the outcome other",
            );
        }
        if o == Outcome::NotProcessedRepeat && self.earlier_application.is_none() {
            return bad(
                "earlier_application",
                "重复申请须指明此前的答复（第三十六条第六项）",
                "a repeat application points to the earlier answer (art. 36(6))",
            );
        }
        if self.earlier_application.is_some() && o != Outcome::NotProcessedRepeat {
            return bad(
                "earlier_application",
                "只有 not_processed_repeat 才填写此前的申请",
                "the earlier application goes with not_processed_repeat only",
            );
        }
        if self.third_party_objection_upheld && o != Outcome::PartlyDisclosed {
            return bad(
                "third_party_objection_upheld",
                "采纳第三方异议只适用于部分公开的答复（其余部分公开）",
                "an upheld objection goes with a partly disclosed answer (the rest is disclosed)",
            );
        }
        if self.convenience_reply.is_some() && !o.allows_convenience_reply() {
            return bad(
                "convenience_reply",
                "便民答复只适用于信息不存在、需要加工、补正后仍不明确或不属于本机关负责公开的情形", "a convenience reply goes with not held, needs creation, unclear after correction or not this office's",
            );
        }
        Ok(())
    }
}
