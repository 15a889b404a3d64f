//! Setting up offices and staff (from the command line).

use super::ServiceError;
use crate::db::models::{Agency, User};
use crate::db::staff::{self, now};
use crate::db::{is_unique_violation, write_tx, DbConnection};
use crate::domain::case::{AgencyCode, UserId};
use crate::domain::workflow::Role;
use crate::msg;
use crate::security::{new_token, token_hash, STAFF_TOKEN_PREFIX};

/// Agency codes start tracking numbers (`CODE-2026-000001`): 2 to 16 capitals, digits or dashes.
pub fn normalise_agency_code(code: &str) -> Result<AgencyCode, ServiceError> {
    AgencyCode::parse(code).ok_or_else(|| {
        let code = code.trim().to_uppercase();
        ServiceError::invalid(
            "code",
            "invalid_agency_code",
            msg!(
                "机关代码 {code:?} 须为 2 至 16 个大写字母、数字或中间的短横线",
                "agency code {code:?} must be 2 to 16 letters, digits or inner dashes"
            ),
        )
    })
}

pub fn add_agency(conn: &mut DbConnection, code: &str, name: &str) -> Result<Agency, ServiceError> {
    let code = normalise_agency_code(code)?;
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(ServiceError::invalid(
            "name",
            "length",
            msg!(
                "机关名称须为 1 至 200 个字符",
                "the agency name must be 1 to 200 characters"
            ),
        ));
    }
    let agency = Agency {
        id: uuid::Uuid::now_v7().to_string(),
        code: code.clone(),
        name: name.to_owned(),
        created_at: now(),
        art35_monthly_threshold: 10,
        sender_email: None,
        sender_name: None,
        signature: None,
        letter_prefix: None,
        reconsideration_body: None,
        court: None,
        payee: None,
        payment_account: None,
        payment_channel: None,
        reopen_working_days: 20,
        approval_levels: 1,
        forwarding_working_days: crate::domain::handling::DEFAULT_FORWARDING_WORKING_DAYS,
        divisions_see_applicant: false,
        register_review_threshold: crate::domain::register::DEFAULT_REVIEW_THRESHOLD,
    };
    write_tx(conn, |conn| match staff::insert_agency(conn, &agency) {
        Err(e) if is_unique_violation(&e) => Err(ServiceError::AgencyExists(code.to_string())),
        other => Ok(other?),
    })?;
    Ok(agency)
}

/// Sets an office's art. 35 threshold (applications by one applicant in a calendar month).
pub fn set_art35_threshold(
    conn: &mut DbConnection,
    code: &str,
    threshold: i32,
) -> Result<Agency, ServiceError> {
    if !(1..=10_000).contains(&threshold) {
        return Err(ServiceError::invalid(
            "threshold",
            "range",
            msg!("数量须为 1 至 10000", "the threshold must be 1 to 10000"),
        ));
    }
    let code = normalise_agency_code(code)?;
    let agency = staff::agency_by_code(conn, code.as_str())?
        .ok_or_else(|| ServiceError::UnknownAgency(code.to_string()))?;
    write_tx(conn, |conn| {
        staff::set_art35_threshold(conn, &agency.id, threshold)
    })?;
    Ok(Agency {
        art35_monthly_threshold: threshold,
        ..agency
    })
}

/// Sets the sender and signature of an office's notices (issue 5: each office its own).
pub fn set_sender(
    conn: &mut DbConnection,
    code: &str,
    email: &str,
    name: Option<&str>,
    signature: Option<&str>,
) -> Result<Agency, ServiceError> {
    if email.parse::<lettre::Address>().is_err() {
        return Err(ServiceError::invalid(
            "email",
            "email",
            msg!(
                "{email:?} 不是有效的电子邮箱地址",
                "{email:?} is not an e-mail address"
            ),
        ));
    }
    // The name heads every notice's From: one visible line, or no notice could be sent.
    if let Some(Err(_)) = name.map(super::forms::one_line_text) {
        return Err(ServiceError::invalid(
            "name",
            "control_character",
            msg!(
                "发件人名称 {name:?} 须为一行可见的文字",
                "the sender name {name:?} must be one line of visible text"
            ),
        ));
    }
    let code = normalise_agency_code(code)?;
    let agency = staff::agency_by_code(conn, code.as_str())?
        .ok_or_else(|| ServiceError::UnknownAgency(code.to_string()))?;
    write_tx(conn, |conn| {
        staff::set_sender(conn, &agency.id, email, name, signature)
    })?;
    Ok(Agency {
        sender_email: Some(email.to_owned()),
        sender_name: name.map(str::to_owned),
        signature: signature.map(str::to_owned),
        ..agency
    })
}

/// The office with this code (an error naming the code when there is none).
pub fn agency_by_code(conn: &mut DbConnection, code: &str) -> Result<Agency, ServiceError> {
    agency_of(conn, code)
}

fn agency_of(conn: &mut DbConnection, code: &str) -> Result<Agency, ServiceError> {
    let code = normalise_agency_code(code)?;
    staff::agency_by_code(conn, code.as_str())?
        .ok_or_else(|| ServiceError::UnknownAgency(code.to_string()))
}

/// A staff account as created (from the command line or the API), with its token: shown once,
/// only its hash kept.
fn new_user(
    name: &str,
    role: Role,
    agency_id: Option<String>,
    email: Option<String>,
) -> (User, String) {
    let token = new_token(STAFF_TOKEN_PREFIX);
    let user = User {
        id: UserId::from_uuid(uuid::Uuid::now_v7()),
        name: name.to_owned(),
        role,
        agency_id,
        token_hash: token_hash(&token),
        created_at: now(),
        email,
        disabled_at: None,
        last_used_on: None,
        login: None,
        password_hash: None,
        division_id: None,
        division_head: false,
        approval_level: 1,
    };
    (user, token)
}

/// A setting given on the command line: `None` leaves it as it is, an empty string clears it.
fn setting(
    name: &str,
    given: Option<&str>,
    current: Option<String>,
    max_chars: usize,
) -> Result<Option<String>, ServiceError> {
    let Some(v) = given.map(str::trim) else {
        return Ok(current);
    };
    if v.chars().count() > max_chars || v.chars().any(char::is_control) {
        return Err(ServiceError::invalid(
            name,
            "length",
            msg!(
                "{name} 须为一行，最多 {max_chars} 个字符",
                "{name} must be at most {max_chars} characters on one line"
            ),
        ));
    }
    Ok((!v.is_empty()).then(|| v.to_owned()))
}

/// What an office's answer letters say of it (GB/T 9704; shared/domain/official-documents.md):
/// the document-number prefix (海政信复 gives 海政信复〔2026〕4号) and the reconsideration body
/// and court named in the remedies. Options not given keep their value; "" clears one.
pub fn set_letter(
    conn: &mut DbConnection,
    code: &str,
    prefix: Option<&str>,
    reconsideration_body: Option<&str>,
    court: Option<&str>,
) -> Result<Agency, ServiceError> {
    let agency = agency_of(conn, code)?;
    let prefix = setting("prefix", prefix, agency.letter_prefix.clone(), 20)?;
    if let Some(p) = &prefix {
        // The year and the number follow the prefix: it may hold neither brackets nor blanks.
        if p.chars()
            .any(|c| c.is_whitespace() || "〔〕[]()（）【】".contains(c))
        {
            return Err(ServiceError::invalid(
                "prefix",
                "invalid",
                msg!(
                    "发文字号前缀 {p:?} 只写机关代字（如 海政信复），不含括号、年份或空格",
                    "the prefix {p:?} is the office's code only (e.g. 海政信复), without \
                     brackets, year or blanks"
                ),
            ));
        }
    }
    let body = setting(
        "reconsideration_body",
        reconsideration_body,
        agency.reconsideration_body.clone(),
        100,
    )?;
    let court = setting("court", court, agency.court.clone(), 100)?;
    write_tx(conn, |conn| {
        staff::set_letter(
            conn,
            &agency.id,
            prefix.as_deref(),
            body.as_deref(),
            court.as_deref(),
        )
    })?;
    Ok(Agency {
        letter_prefix: prefix,
        reconsideration_body: body,
        court,
        ..agency
    })
}

/// How applicants pay the office's processing fees: the payee and a bank account, a payment
/// channel (e.g. a payment platform and its reference), or both (RULES §8, fee notice).
pub fn set_payment(
    conn: &mut DbConnection,
    code: &str,
    payee: &str,
    account: Option<&str>,
    channel: Option<&str>,
) -> Result<Agency, ServiceError> {
    let agency = agency_of(conn, code)?;
    let payee = setting("payee", Some(payee), None, 100)?.ok_or_else(|| {
        ServiceError::invalid(
            "payee",
            "required",
            msg!("收款单位不能为空", "the payee must not be empty"),
        )
    })?;
    let account = setting("account", account, agency.payment_account.clone(), 200)?;
    let channel = setting("channel", channel, agency.payment_channel.clone(), 500)?;
    if account.is_none() && channel.is_none() {
        return Err(ServiceError::invalid(
            "account",
            "required",
            msg!(
                "请填写银行账户（--account）、缴费渠道（--channel）或两者",
                "give the bank account (--account), the payment channel (--channel) or both"
            ),
        ));
    }
    write_tx(conn, |conn| {
        staff::set_payment(
            conn,
            &agency.id,
            &payee,
            account.as_deref(),
            channel.as_deref(),
        )
    })?;
    Ok(Agency {
        payee: Some(payee),
        payment_account: account,
        payment_channel: channel,
        ..agency
    })
}

/// The working days a case reopened after a justified late correction gets (default 20).
pub fn set_reopen_working_days(
    conn: &mut DbConnection,
    code: &str,
    days: i32,
) -> Result<Agency, ServiceError> {
    if !(1..=60).contains(&days) {
        return Err(ServiceError::invalid(
            "working_days",
            "range",
            msg!(
                "恢复办理的期限须为 1 至 60 个工作日",
                "the reopening period must be 1 to 60 working days"
            ),
        ));
    }
    let agency = agency_of(conn, code)?;
    write_tx(conn, |conn| {
        staff::set_reopen_working_days(conn, &agency.id, days)
    })?;
    Ok(Agency {
        reopen_working_days: days,
        ..agency
    })
}

/// Every office with its settings.
pub fn agencies(conn: &mut DbConnection) -> Result<Vec<Agency>, ServiceError> {
    Ok(staff::agencies(conn)?)
}

/// Creates a staff user and returns it with its API token, which is not stored and cannot be
/// shown again.
pub fn add_user(
    conn: &mut DbConnection,
    name: &str,
    role: Role,
    agency_code: Option<&str>,
    email: Option<&str>,
) -> Result<(User, String), ServiceError> {
    let placement = super::divisions::Placement::default();
    add_placed_user(conn, name, role, agency_code, email, &placement)
}

/// `add_user`, with the user's division or approval level (domain::handling).
pub fn add_placed_user(
    conn: &mut DbConnection,
    name: &str,
    role: Role,
    agency_code: Option<&str>,
    email: Option<&str>,
    placement: &super::divisions::Placement<'_>,
) -> Result<(User, String), ServiceError> {
    let email = email.map(staff_email).transpose()?;
    if !matches!(
        role,
        Role::Clerk | Role::Approver | Role::Auditor | Role::Admin
    ) {
        return Err(ServiceError::invalid(
            "role",
            "unknown_role",
            msg!(
                "工作人员的角色只能是经办人（clerk）、审批人（approver）、审计人员（auditor）或管理员（admin）",
                "staff roles are clerk, approver, auditor and admin"
            ),
        ));
    }
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(ServiceError::invalid(
            "name",
            "length",
            msg!(
                "用户名须为 1 至 200 个字符",
                "the user name must be 1 to 200 characters"
            ),
        ));
    }
    let agency = match agency_code {
        Some(code) => Some(
            staff::agency_by_code(conn, normalise_agency_code(code)?.as_str())?
                .ok_or_else(|| ServiceError::UnknownAgency(code.to_string()))?,
        ),
        None if matches!(role, Role::Clerk | Role::Approver) => {
            return Err(ServiceError::invalid(
                "agency",
                "required",
                msg!(
                    "{role} 须属于某个机关（--agency CODE）",
                    "a {role} must belong to an agency (--agency CODE)"
                ),
            ))
        }
        None => None,
    };
    let agency_id = agency.as_ref().map(|a| a.id.as_str());
    let (division_id, head, level) = super::divisions::placement(conn, agency_id, role, placement)
        .map_err(ServiceError::Invalid)?;
    let (mut user, token) = new_user(name, role, agency.map(|a| a.id), email);
    user.division_id = division_id;
    user.division_head = head;
    user.approval_level = level;
    write_tx(conn, |conn| staff::insert_user(conn, &user))?;
    Ok((user, token))
}

/// A staff address for reminders, checked the way applicants' addresses are.
fn staff_email(email: &str) -> Result<String, ServiceError> {
    use validator::ValidateEmail;
    let email = email.trim();
    if email.len() <= 254 && email.validate_email() {
        Ok(email.to_owned())
    } else {
        Err(ServiceError::invalid(
            "email",
            "email",
            msg!(
                "{email:?} 不是有效的电子邮箱地址",
                "{email:?} is not an e-mail address"
            ),
        ))
    }
}

/// Sets or clears the address a staff user's digest and alerts go to.
pub fn set_user_email(
    conn: &mut DbConnection,
    user_id: &str,
    email: Option<&str>,
) -> Result<(), ServiceError> {
    let email = email.map(staff_email).transpose()?;
    let n = match UserId::parse(user_id) {
        Some(id) => write_tx(conn, |conn| {
            staff::set_user_email(conn, &id, email.as_deref())
        })?,
        None => 0,
    };
    if n == 0 {
        return Err(ServiceError::UnknownUser(user_id.to_owned()));
    }
    Ok(())
}

/// The office's settings the workflow reads (RULES §8: a fee notice says how to pay; a closure
/// for no correction may be reopened within the office's reasonable time).
pub fn office_settings(
    conn: &mut DbConnection,
    agency_id: &str,
) -> Result<crate::domain::workflow::Office, ServiceError> {
    let agency = staff::agency_by_id(conn, agency_id)?;
    office_of(conn, &agency)
}

/// `office_settings` of an office already read.
pub fn office_of(
    conn: &mut DbConnection,
    agency: &crate::db::models::Agency,
) -> Result<crate::domain::workflow::Office, ServiceError> {
    let agency_id = agency.id.as_str();
    Ok(crate::domain::workflow::Office {
        has_payment_details: staff::payment_details(agency).is_some(),
        reopen_working_days: agency.reopen_working_days,
        approval_levels: u8::try_from(agency.approval_levels).unwrap_or(1),
        forwarding_working_days: agency.forwarding_working_days,
        divisions_see_applicant: agency.divisions_see_applicant,
        staffing: Some(crate::db::divisions::staffing(conn, agency_id)?),
    })
}

#[path = "accounts.rs"]
mod accounts;
pub use accounts::*;
