//! What applicants and clerks send to open a case, and its validation (art. 29).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use validator::{Validate, ValidationErrors, ValidationErrorsKind};

use super::FieldError;
use crate::domain::case::{
    ApplicantKind, Channel, DeliveryMethod, InformationForm, OrganisationType,
};
use crate::domain::identity::{IdDocumentType, IdNumber, IdNumberError};

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
    let mut errors = Vec::new();
    let organisation = applicant.kind == ApplicantKind::Organisation;
    match (organisation, applicant.organisation_type) {
        (true, None) => errors.push(FieldError::new(
            "applicant.organisation_type",
            "required",
            "an organisation must say which kind it is",
        )),
        (false, Some(_)) => errors.push(FieldError::new(
            "applicant.organisation_type",
            "not_applicable",
            "only organisations have an organisation type",
        )),
        _ => {}
    }
    if !applicant.id_document_type.fits(organisation) {
        errors.push(FieldError::new(
            "applicant.id_document_type",
            "wrong_document",
            format!(
                "a {} cannot identify with {}",
                applicant.kind,
                applicant.id_document_type.as_str()
            ),
        ));
    }
    if let Err(e) = applicant.id_number() {
        errors.push(FieldError::new(
            "applicant.id_number",
            "invalid_id_number",
            e.to_string(),
        ));
    }
    if request.delivery_method == DeliveryMethod::Email && applicant.email.is_none() {
        errors.push(FieldError::new(
            "applicant.email",
            "required",
            "an e-mail address is needed to deliver by e-mail",
        ));
    }
    if request.delivery_method == DeliveryMethod::Post && applicant.address.is_none() {
        errors.push(FieldError::new(
            "applicant.address",
            "required",
            "a postal address is needed to deliver by post",
        ));
    }
    errors
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
            ValidationErrorsKind::Field(list) => out.extend(list.iter().map(|e| {
                let message = e
                    .message
                    .as_ref()
                    .map(|m| m.to_string())
                    .unwrap_or_else(|| describe(&e.code, &e.params));
                FieldError::new(path.clone(), e.code.to_string(), message)
            })),
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

fn describe(
    code: &str,
    params: &std::collections::HashMap<std::borrow::Cow<'static, str>, serde_json::Value>,
) -> String {
    let p = |k: &str| params.get(k).map(|v| v.to_string());
    match code {
        "length" => match (p("min"), p("max")) {
            (Some(min), Some(max)) => format!("must be {min} to {max} long"),
            (None, Some(max)) => format!("must be at most {max} long"),
            (Some(min), None) => format!("must be at least {min} long"),
            _ => "has the wrong length".into(),
        },
        "range" => match (p("min"), p("max")) {
            (Some(min), Some(max)) => format!("must be between {min} and {max}"),
            _ => "is out of range".into(),
        },
        "email" => "is not an e-mail address".into(),
        other => format!("is not valid ({other})"),
    }
}
