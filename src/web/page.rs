//! What a page answers: HTML rendered with the common context (the visitor's anti-forgery
//! token, who is signed in, the menu), a redirect after a form, or an error page in Chinese.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, HttpResponseBuilder, ResponseError};
use minijinja::{context, Value};

use super::render;
use super::session::Visitor;
use crate::domain::workflow::Role;
use crate::http::problem::ApiError;
use crate::security::SecretKey;
use crate::service::auth::Principal;
use crate::service::ServiceError;

/// Pages load their style and script from this service only; forms post only here.
pub const CSP: &str = "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' \
                       data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// A page that could not be shown, answered as an HTML page (or a redirect).
#[derive(Debug)]
pub enum WebError {
    /// Not signed in (or the session ended): to the sign-in page, then back to this path.
    SignIn(String),
    /// An applicant page without an open tracking session: to the tracking form.
    Track,
    /// Signed in, but the role may not open this page.
    Forbidden,
    /// A form without this visitor's anti-forgery token.
    Csrf,
    /// Any refusal of a use case, shown with its Chinese message.
    Problem(ApiError),
}

impl std::fmt::Display for WebError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::SignIn(next) => write!(f, "sign-in required for {next}"),
            Self::Track => f.write_str("no tracking session"),
            Self::Forbidden => f.write_str("forbidden"),
            Self::Csrf => f.write_str("missing or wrong csrf token"),
            Self::Problem(p) => write!(f, "{p}"),
        }
    }
}

impl From<ServiceError> for WebError {
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::Unauthenticated => Self::SignIn("/console/".to_owned()),
            e => Self::Problem(for_pages(e.into())),
        }
    }
}

impl From<ApiError> for WebError {
    fn from(e: ApiError) -> Self {
        Self::Problem(for_pages(e))
    }
}

/// A refusal as a person at a page reads it: the API's version numbers ("案件已是第 3 版，不是第 1
/// 版") mean nothing to someone whose page is out of date.
fn for_pages(mut e: ApiError) -> ApiError {
    if e.code == crate::domain::problem_code::ProblemCode::VersionConflict {
        e.detail.zh = "案件已有更新，请重新打开页面后再操作".into();
    }
    e
}

impl From<actix_web::error::BlockingError> for WebError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        Self::Problem(e.into())
    }
}

impl ResponseError for WebError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::SignIn(_) | Self::Track => StatusCode::SEE_OTHER,
            Self::Forbidden | Self::Csrf => StatusCode::FORBIDDEN,
            Self::Problem(p) => {
                StatusCode::from_u16(p.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
            }
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            Self::SignIn(next) => {
                let next = percent_encode(next, b"/");
                redirect(&format!("/console/login?next={next}"))
            }
            Self::Track => redirect("/track"),
            Self::Forbidden => error_page(
                StatusCode::FORBIDDEN,
                "无权访问",
                "您的角色不能打开此页面。",
            ),
            Self::Csrf => error_page(
                StatusCode::FORBIDDEN,
                "表单已失效",
                "表单缺少有效的安全校验码（可能已过期或来自其他网站）。请返回上一页，刷新后重新提交。",
            ),
            Self::Problem(p) => {
                let status = self.status_code();
                if status.is_server_error() {
                    tracing::error!(error = %p, "a page failed");
                }
                let title = crate::http::problem::title(
                    status.as_u16(),
                    crate::domain::message::Language::Zh,
                );
                // A refusal naming fields (「请修改以下字段：row」) says on the page what is
                // wrong with each instead: the page has no input to show it beside.
                let detail = if p.errors.is_empty() {
                    p.detail.zh.to_string()
                } else {
                    let mut said: Vec<String> = Vec::new();
                    for f in &p.errors {
                        let m = f.message.zh.to_string();
                        if !said.contains(&m) {
                            said.push(m);
                        }
                    }
                    said.join("；")
                };
                error_page(status, title, &detail)
            }
        }
    }
}

/// Percent-encodes a value for a link's query string: UTF-8 bytes outside the unreserved set
/// (RFC 3986), and those outside `also_kept` (a path keeps its `/` readable: `next=/console/`).
pub fn percent_encode(value: &str, also_kept: &[u8]) -> String {
    value
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) || also_kept.contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// An error page's words, kept on the response: a page under `/console/` is drawn again in the
/// console's frame by `console_errors` (the error itself does not know the path).
#[derive(Debug, Clone)]
struct Shown {
    title: String,
    detail: String,
}

fn error_page(status: StatusCode, title: &str, detail: &str) -> HttpResponse {
    error_page_in(false, status, title, detail)
}

/// An error page in the applicants' frame (a link to `/`) or in the console's (a link to
/// `/console/`).
pub fn error_page_in(console: bool, status: StatusCode, title: &str, detail: &str) -> HttpResponse {
    let template = if console {
        "console/error.html"
    } else {
        "error.html"
    };
    let body = render::render(
        template,
        context! { title => title, detail => detail, status => status.as_u16() },
    )
    .unwrap_or_else(|_| format!("{title}：{detail}"));
    let mut res = HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header(("Content-Security-Policy", CSP))
        .body(body);
    res.extensions_mut().insert(Shown {
        title: title.to_owned(),
        detail: detail.to_owned(),
    });
    res
}

/// Whether a path is the staff console's (`/console` and below).
pub fn in_console(path: &str) -> bool {
    path == "/console" || path.starts_with("/console/")
}

/// Whether a path is the JSON API's (`/api` and below), whose clients get problem+json.
pub fn in_api(path: &str) -> bool {
    path == "/api" || path.starts_with("/api/")
}

/// The console's error pages (403, 404, 409 … under `/console/`) in the console's frame, with
/// its link back to `/console/` instead of the applicants' home page.
pub async fn console_errors(
    req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody + 'static>,
) -> Result<actix_web::dev::ServiceResponse<actix_web::body::BoxBody>, actix_web::Error> {
    let console = in_console(req.path());
    let res = next.call(req).await?;
    let shown = if console {
        res.response().extensions().get::<Shown>().cloned()
    } else {
        None
    };
    let Some(shown) = shown else {
        return Ok(res.map_into_boxed_body());
    };
    let status = res.status();
    let (req, old) = res.into_parts();
    let mut again = error_page_in(true, status, &shown.title, &shown.detail);
    for (name, value) in old.headers() {
        if !again.headers().contains_key(name) || name == actix_web::http::header::SET_COOKIE {
            again.headers_mut().append(name.clone(), value.clone());
        }
    }
    Ok(actix_web::dev::ServiceResponse::new(req, again).map_into_boxed_body())
}

/// A page address nothing answers, asked for by a browser (it accepts HTML; not under
/// `/api/`): a few addresses people type lead to their page, others are a Chinese 404 page.
/// None for the API's clients, who keep their problem+json.
pub fn not_found(req: &actix_web::HttpRequest) -> Option<HttpResponse> {
    use actix_web::http::{header, Method};
    let path = req.path();
    if in_api(path) {
        return None;
    }
    if matches!(*req.method(), Method::GET | Method::HEAD) {
        let to = match path {
            "/console" => Some("/console/"),
            "/apply" | "/apply/" => Some("/"),
            "/track/" => Some("/track"),
            _ => None,
        };
        if let Some(to) = to {
            let to = match req.query_string() {
                "" => to.to_owned(),
                q if to != "/" => format!("{to}?{q}"),
                _ => to.to_owned(),
            };
            return Some(
                HttpResponse::PermanentRedirect()
                    .insert_header((header::LOCATION, to))
                    .finish(),
            );
        }
    }
    let browser = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"));
    if !browser {
        return None;
    }
    let console = in_console(path);
    let detail = if console {
        "没有这个页面。请从工作台的菜单进入。"
    } else {
        "没有这个页面。请从首页进入，或核对网址。"
    };
    Some(error_page_in(
        console,
        StatusCode::NOT_FOUND,
        "页面不存在",
        detail,
    ))
}

/// 303 See Other: where a form goes after it was taken (post/redirect/get).
pub fn redirect(to: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header(("Location", to))
        .finish()
}

/// The signed-in person as templates see them: name, role and its Chinese name.
fn me(principal: Option<&Principal>) -> Value {
    match principal {
        Some(Principal::Staff(s)) => context! {
            name => s.name,
            role => s.role.as_str(),
            role_label => role_label(s.role),
            staff => true,
            // A division's staff: their menu holds their queue only.
            division => s.division_id.is_some(),
        },
        Some(Principal::Applicant { .. }) => context! { applicant => true },
        None => Value::from(()),
    }
}

pub fn role_label(role: Role) -> &'static str {
    match role {
        Role::Clerk => "经办人",
        Role::Approver => "审批人",
        Role::Auditor => "审计人员",
        Role::Admin => "管理员",
        Role::Applicant => "申请人",
        Role::System => "系统",
    }
}

/// A page: the template rendered with `ctx` plus `csrf_token`, `me` and `path`, with the
/// pages' security policy and the form cookie when this visit set it.
/// The hidden input a form that asks first carries: set by the script once the person said yes
/// in its dialog; without the script, the page below asks.
pub const CONFIRMED_FIELD: &str = "_confirmed";

/// Whether the person already said yes to a form that asks first.
pub fn confirmed(form: &super::form::Form) -> bool {
    form.get(CONFIRMED_FIELD) == Some("1")
}

/// What a confirmation page asks: the question, the button's words, where the form posts, and
/// where "cancel" leads.
pub struct Ask<'a> {
    pub question: &'a str,
    pub button: &'a str,
    pub action: &'a str,
    pub back: &'a str,
}

/// The question before something that cannot be undone, as a page (works without script): the
/// same form again, with its fields hidden and `_confirmed=1`, and a way back.
pub fn confirm_page(
    visitor: &Visitor,
    key: &SecretKey,
    principal: Option<&Principal>,
    ask: &Ask<'_>,
    form: &super::form::Form,
) -> Result<HttpResponse, WebError> {
    let Ask {
        question,
        button,
        action,
        back,
    } = ask;
    let fields: Vec<(String, String)> = form
        .0
        .iter()
        .filter(|(k, _)| k != super::session::CSRF_FIELD && k != CONFIRMED_FIELD)
        .cloned()
        .collect();
    html(
        visitor,
        key,
        principal,
        "console/confirm.html",
        context! {
            question => question, button => button, action => action, back => back,
            fields => fields, confirmed_field => CONFIRMED_FIELD,
        },
    )
}

pub fn html(
    visitor: &Visitor,
    key: &SecretKey,
    principal: Option<&Principal>,
    template: &str,
    ctx: Value,
) -> Result<HttpResponse, WebError> {
    html_status(StatusCode::OK, visitor, key, principal, template, ctx)
}

pub fn html_status(
    status: StatusCode,
    visitor: &Visitor,
    key: &SecretKey,
    principal: Option<&Principal>,
    template: &str,
    ctx: Value,
) -> Result<HttpResponse, WebError> {
    let common = context! {
        csrf_token => visitor.csrf_token(key),
        me => me(principal),
        path => visitor.here.split('?').next().unwrap_or("/"),
    };
    let body = render::render(template, context! { ..ctx, ..common })?;
    let mut res = HttpResponse::build(status);
    respond_html(&mut res, visitor);
    Ok(res.body(body))
}

fn respond_html(res: &mut HttpResponseBuilder, visitor: &Visitor) {
    res.content_type("text/html; charset=utf-8")
        .insert_header(("Content-Security-Policy", CSP));
    visitor.keep_cookies(res);
}

/// A use case's field errors by input name (the API's JSON paths), in Chinese, for the form
/// to show each next to its input; a refusal without fields under `""`.
pub fn field_errors(e: &ApiError) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for f in &e.errors {
        out.entry(f.field.clone())
            .or_insert_with(|| beside_input(&f.field, &f.message.zh));
    }
    if out.is_empty() {
        out.insert(String::new(), e.detail.zh.to_string());
    }
    out
}

/// A use case's message as shown beside its input: the API's messages name the JSON path
/// ("缺少必填项 applicant.name", "applicant.email 应为…"), which the input's own label already
/// says. Only the first mention outside quotes is taken out (a leading one becomes 「此项」);
/// what the person typed, quoted in the message, is never rewritten.
fn beside_input(path: &str, message: &str) -> String {
    if path.is_empty() {
        return message.to_owned();
    }
    let Some(at) = unquoted_mention(message, path) else {
        return message.to_owned();
    };
    let (before, after) = (&message[..at], &message[at + path.len()..]);
    if before.trim().is_empty() {
        return format!("此项{}", after.trim_start());
    }
    format!("{}{after}", before.trim_end())
}

/// Where `path` is first named as a field in `message`: a whole word (not part of a longer
/// name or value) outside “…” and "…" quotes.
fn unquoted_mention(message: &str, path: &str) -> Option<usize> {
    let word = |c: char| c.is_ascii_alphanumeric() || "._[]".contains(c);
    let mut quoted = false;
    for (i, c) in message.char_indices() {
        match c {
            '“' => quoted = true,
            '”' => quoted = false,
            '"' => quoted = !quoted,
            _ => {}
        }
        if quoted || !message[i..].starts_with(path) {
            continue;
        }
        let prev_ok = !message[..i].chars().next_back().is_some_and(word);
        let next_ok = !message[i + path.len()..]
            .chars()
            .next()
            .is_some_and(|n| n.is_ascii_alphanumeric() || n == '_' || n == '[');
        if prev_ok && next_ok {
            return Some(i);
        }
    }
    None
}

/// A refusal that a form shows beside its inputs (422 with fields, 409 of the workflow): the
/// page is drawn again with the errors; anything else is an error page.
pub fn form_errors(e: WebError) -> Result<BTreeMap<String, String>, WebError> {
    match e {
        WebError::Problem(p) if matches!(p.status(), 400 | 409 | 422) => Ok(field_errors(&p)),
        e => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::{beside_input, percent_encode};

    #[test]
    fn only_the_leading_field_mention_is_replaced_never_the_input_quoted() {
        assert_eq!(
            beside_input("email", "email 应为电子邮件地址，收到的是“notanemail”"),
            "此项应为电子邮件地址，收到的是“notanemail”"
        );
        assert_eq!(
            beside_input("applicant.name", "缺少必填项 applicant.name"),
            "缺少必填项"
        );
        assert_eq!(
            beside_input("applicant.kind", "applicant.kind 的值“bogus”无效"),
            "此项的值“bogus”无效"
        );
        assert_eq!(
            beside_input("row", "“arrow” 不是表格的行"),
            "“arrow” 不是表格的行"
        );
    }

    #[test]
    fn a_query_value_is_percent_encoded_and_a_path_keeps_its_slashes() {
        assert_eq!(
            percent_encode("/console/cases/1?a=b", b"/"),
            "/console/cases/1%3Fa%3Db"
        );
        assert_eq!(percent_encode("a/b 受", b""), "a%2Fb%20%E5%8F%97");
    }
}
