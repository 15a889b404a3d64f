//! What applicants and clerks send to open a case, and its validation (art. 29).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use validator::{Validate, ValidationErrors, ValidationErrorsKind};

use super::FieldError;
use crate::domain::case::{
    ApplicantKind, Channel, DeliveryMethod, InformationForm, OrganisationType,
};
use crate::domain::identity::{IdDocumentType, IdNumber, IdNumberError};
use crate::domain::message::Message;
use crate::msg;

/// The applicant as they describe themselves (art. 29(1)).
#[derive(Clone, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct ApplicantForm {
    pub kind: ApplicantKind,
    /// Required for organisations: the report column they count under.
    pub organisation_type: Option<OrganisationType>,
    #[validate(length(min = 1, max = 200), custom(function = "one_line_text"))]
    pub name: String,
    pub id_document_type: IdDocumentType,
    #[validate(length(min = 1, max = 64))]
    pub id_number: String,
    #[validate(length(min = 5, max = 30), custom(function = "phone_chars"))]
    pub phone: String,
    #[validate(email, length(max = 254), custom(function = "mail_address"))]
    pub email: Option<String>,
    #[validate(length(min = 1, max = 500), custom(function = "visible_text"))]
    pub address: Option<String>,
}

/// Identity numbers are never printed, not even in debug logs.
impl std::fmt::Debug for ApplicantForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApplicantForm")
            .field("kind", &self.kind)
            .field("name", &self.name)
            .field("id_number", &self.unchecked_id_number())
            .finish_non_exhaustive()
    }
}

impl ApplicantForm {
    /// The identity number, parsed and checked for its document type.
    pub fn id_number(&self) -> Result<IdNumber, IdNumberError> {
        IdNumber::parse(self.id_document_type, &self.id_number)
    }

    /// The identity number normalised but not checked (rate limits run before the checks).
    pub fn unchecked_id_number(&self) -> IdNumber {
        IdNumber::unchecked(self.id_document_type, &self.id_number)
    }
}

fn phone_chars(phone: &str) -> Result<(), validator::ValidationError> {
    let ok = phone
        .chars()
        .all(|c| c.is_ascii_digit() || " +-()".contains(c))
        && phone.chars().filter(char::is_ascii_digit).count() >= 5;
    if ok {
        Ok(())
    } else {
        Err(validator::ValidationError::new("phone")
            .with_message("a phone number has digits, spaces, +, - and brackets only".into()))
    }
}

pub use crate::domain::text::{is_invisible, mail_address, one_line_text, visible_text};

/// The information sought and how the applicant wants it (art. 29(2), (3)).
#[derive(Debug, Clone, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct RequestForm {
    #[validate(length(min = 1, max = 10000), custom(function = "visible_text"))]
    pub description: String,
    /// 文号, when the applicant knows it.
    #[validate(length(min = 1, max = 200), custom(function = "one_line_text"))]
    pub document_number: Option<String>,
    pub information_form: InformationForm,
    pub delivery_method: DeliveryMethod,
}

/// An application filed online by the applicant.
#[derive(Debug, Clone, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct OnlineFiling {
    #[validate(length(min = 1, max = 32))]
    pub agency_code: String,
    #[validate(nested)]
    pub applicant: ApplicantForm,
    #[validate(nested)]
    pub request: RequestForm,
    /// Art. 43: help the applicant needs with reading, sight or hearing.
    #[validate(length(min = 1, max = 1000), custom(function = "visible_text"))]
    pub assistance_needed: Option<String>,
}

/// An application a clerk registers from another channel (an oral one is typed in: in person).
#[derive(Debug, Clone, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct Registration {
    pub channel: Channel,
    /// The legal date of receipt (art. 31); may be left for later where the office must still
    /// confirm receipt with the applicant (ordinary letters, fax, e-mail).
    #[serde(default, with = "crate::domain::date::strict_option")]
    pub received_on: Option<NaiveDate>,
    #[validate(nested)]
    pub applicant: ApplicantForm,
    #[validate(nested)]
    pub request: RequestForm,
    #[validate(length(min = 1, max = 1000), custom(function = "visible_text"))]
    pub assistance_needed: Option<String>,
}

/// Rules across fields that the derive cannot express.
pub fn check_application(applicant: &ApplicantForm, request: &RequestForm) -> Vec<FieldError> {
    checks(applicant, request)
        .into_iter()
        .map(|(e, _)| e)
        .collect()
}

/// A body checked across its fields, also when some of them are wrong (see
/// `http::extract::JsonForm`): a check reading a field that holds a placeholder is left out.
pub trait Form: serde::de::DeserializeOwned + Validate {
    fn cross_check(&self, placeholder: &dyn Fn(&str) -> bool) -> Vec<FieldError>;
}

fn cross_checked(
    applicant: &ApplicantForm,
    request: &RequestForm,
    placeholder: &dyn Fn(&str) -> bool,
) -> Vec<FieldError> {
    checks(applicant, request)
        .into_iter()
        .filter(|(_, read)| !read.iter().any(|f| placeholder(f)))
        .map(|(e, _)| e)
        .collect()
}

impl Form for OnlineFiling {
    fn cross_check(&self, placeholder: &dyn Fn(&str) -> bool) -> Vec<FieldError> {
        cross_checked(&self.applicant, &self.request, placeholder)
    }
}

impl Form for Registration {
    fn cross_check(&self, placeholder: &dyn Fn(&str) -> bool) -> Vec<FieldError> {
        cross_checked(&self.applicant, &self.request, placeholder)
    }
}

/// Each rule's fault with the fields it read.
fn checks(
    applicant: &ApplicantForm,
    request: &RequestForm,
) -> Vec<(FieldError, [&'static str; 2])> {
    const KIND: &str = "applicant.kind";
    const DELIVERY: &str = "request.delivery_method";
    let mut errors = Vec::new();
    let organisation = applicant.kind == ApplicantKind::Organisation;
    let org_type = "applicant.organisation_type";
    match (organisation, applicant.organisation_type) {
        (true, None) => errors.push((
            FieldError::new(
                org_type,
                "required",
                msg!(
                    "法人或者其他组织须选择组织类型",
                    "an organisation must say which kind it is"
                ),
            ),
            [KIND, org_type],
        )),
        (false, Some(_)) => errors.push((
            FieldError::new(
                org_type,
                "not_applicable",
                msg!(
                    "只有法人或者其他组织才填写组织类型",
                    "only organisations have an organisation type"
                ),
            ),
            [KIND, org_type],
        )),
        _ => {}
    }
    let doc = "applicant.id_document_type";
    if !applicant.id_document_type.fits(organisation) {
        let (kind, document) = (applicant.kind, applicant.id_document_type.as_str());
        let shown = crate::domain::labels::id_document_label(applicant.id_document_type);
        let who = if organisation {
            "法人或者其他组织"
        } else {
            "公民"
        };
        errors.push((
            FieldError::new(
                doc,
                "wrong_document",
                msg!(
                    "{who}不能使用{shown}作为身份证明",
                    "a {kind} cannot identify with {document}"
                ),
            ),
            [KIND, doc],
        ));
    }
    if let Err(e) = applicant.id_number() {
        let id = "applicant.id_number";
        errors.push((
            FieldError::new(id, "invalid_id_number", id_number_message(&e)),
            [doc, id],
        ));
    }
    if request.delivery_method == DeliveryMethod::Email && applicant.email.is_none() {
        errors.push((
            FieldError::new(
                "applicant.email",
                "required",
                msg!(
                    "选择电子邮件送达，须填写电子邮箱",
                    "an e-mail address is needed to deliver by e-mail"
                ),
            ),
            [DELIVERY, "applicant.email"],
        ));
    }
    if request.delivery_method == DeliveryMethod::Post && applicant.address.is_none() {
        errors.push((
            FieldError::new(
                "applicant.address",
                "required",
                msg!(
                    "选择邮寄送达，须填写通信地址",
                    "a postal address is needed to deliver by post"
                ),
            ),
            [DELIVERY, "applicant.address"],
        ));
    }
    errors
}

pub fn id_number_message(e: &IdNumberError) -> Message {
    match e {
        IdNumberError::Length(n) => msg!(
            "证件号码须为 {n} 位",
            "the number must be {n} characters long"
        ),
        IdNumberError::LengthRange => msg!(
            "证件号码须为 4 至 32 位",
            "the number must be 4 to 32 characters long"
        ),
        IdNumberError::Characters => msg!(
            "证件号码含有该类证件不使用的字符",
            "the number contains characters this document does not use"
        ),
        IdNumberError::BirthDate => msg!(
            "证件号码中的出生日期不是真实的日期",
            "the date of birth in the number is not a real date"
        ),
        IdNumberError::Checksum => msg!(
            "证件号码的校验码不符，请检查是否输错",
            "the check character does not match: the number is mistyped"
        ),
    }
}

/// Flattens validator's nested errors into one list keyed by JSON path.
pub fn field_errors(errors: &ValidationErrors) -> Vec<FieldError> {
    let mut out = Vec::new();
    flatten("", errors, &mut out);
    out
}

fn flatten(prefix: &str, errors: &ValidationErrors, out: &mut Vec<FieldError>) {
    for (field, kind) in errors.errors() {
        let path = if prefix.is_empty() {
            field.to_string()
        } else {
            format!("{prefix}.{field}")
        };
        match kind {
            ValidationErrorsKind::Field(list) => out.extend(
                list.iter()
                    .map(|e| FieldError::new(path.clone(), e.code.to_string(), describe(e))),
            ),
            ValidationErrorsKind::Struct(inner) => flatten(&path, inner, out),
            ValidationErrorsKind::List(items) => {
                for (i, inner) in items {
                    flatten(&format!("{path}[{i}]"), inner, out);
                }
            }
        }
    }
    out.sort_by(|a, b| a.field.cmp(&b.field));
}

/// A validator fault in both languages, by its code (the custom checks' English messages are
/// the `en` side).
fn describe(e: &validator::ValidationError) -> Message {
    let p = |k: &str| e.params.get(k).map(|v| v.to_string());
    let en_given = e.message.as_ref().map(|m| m.to_string());
    let fixed = |zh: &'static str, en: &'static str| {
        Message::new(zh, en_given.clone().unwrap_or_else(|| en.to_owned()))
    };
    match e.code.as_ref() {
        "length" => match (p("min"), p("max")) {
            (Some(min), Some(max)) => {
                msg!("长度须为 {min} 至 {max}", "must be {min} to {max} long")
            }
            (None, Some(max)) => msg!("长度最多为 {max}", "must be at most {max} long"),
            (Some(min), None) => msg!("长度至少为 {min}", "must be at least {min} long"),
            _ => msg!("长度不符合要求", "has the wrong length"),
        },
        "range" => match (p("min"), p("max")) {
            (Some(min), Some(max)) => msg!(
                "须在 {min} 至 {max} 之间",
                "must be between {min} and {max}"
            ),
            _ => msg!("超出允许的范围", "is out of range"),
        },
        "email" => fixed("不是可用的电子邮箱地址", "is not an e-mail address"),
        "blank" => fixed(
            "须含有可见的文字，不能只有空格或不可见字符",
            "must contain visible characters",
        ),
        "control_character" => fixed("须为一行，不能含有控制字符", "must be one line"),
        "phone" => fixed(
            "电话号码只能含有数字、空格、+、- 和括号",
            "a phone number has digits, spaces, +, - and brackets only",
        ),
        "blank_or_long_item" => fixed(
            "每一项须为 1 至 10000 个字符",
            "every item must be 1 to 10000 characters",
        ),
        "blank_or_long_document" => fixed(
            "每份文件的名称须为 1 至 500 个字符",
            "every document must be named in 1 to 500 characters",
        ),
        other => Message::new(
            format!("不符合要求（{other}）"),
            en_given.unwrap_or_else(|| format!("is not valid ({other})")),
        ),
    }
}
