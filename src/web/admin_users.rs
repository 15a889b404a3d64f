//! The admin's users (`/console/admin/users`): list, add (role, office, e-mail, login and
//! password), disable and re-enable, rotate the API token (shown once), set a password. The
//! account rules are `service::accounts`'s: an admin bound to an office manages its users only.

use std::collections::BTreeMap;

use actix_web::http::{Method, StatusCode};
use actix_web::{web, HttpResponse};
use minijinja::{context, Value};

use super::form::Form;
use super::page::{self, WebError};
use super::session::{SignedIn, Visitor};
use super::PageRoute;
use crate::db::sessions;
use crate::domain::case::UserId;
use crate::domain::workflow::Role;
use crate::http::problem::ApiError;
use crate::service::admin::{self, AccountError, Manager, NewUser, UserView};
use crate::service::{sign_in, ServiceError, Services};

pub fn routes() -> Vec<PageRoute> {
    vec![
        ("/console/admin/users", Method::GET, web::get().to(list)),
        ("/console/admin/users", Method::POST, web::post().to(create)),
        (
            "/console/admin/users/{id}/{op}",
            Method::POST,
            web::post().to(operate),
        ),
    ]
}

fn account(e: AccountError) -> WebError {
    WebError::Problem(ApiError::from(e))
}

/// The users page, with a form's errors and values when it is drawn again.
async fn draw(
    visitor: &Visitor,
    services: &web::Data<Services>,
    me: &SignedIn,
    status: StatusCode,
    extra: Value,
) -> Result<HttpResponse, WebError> {
    let (users, offices, divisions) = {
        let (services, staff) = (services.clone(), me.staff.clone());
        web::block(move || {
            let conn = &mut *services.conn()?;
            let users = admin::list_users(conn, Manager::Admin(&staff), None)?;
            let agencies: Vec<_> = admin::agencies(conn)?
                .into_iter()
                .filter(|a| staff.agency_id.as_ref().is_none_or(|o| *o == a.id))
                .collect();
            // Each office's divisions, for the new user's division select: (code, label).
            let mut divisions: Vec<(String, String)> = Vec::new();
            for a in &agencies {
                for d in crate::db::divisions::of_agency(conn, &a.id)? {
                    let label = format!("{}（{}，{}）", d.name, d.code, a.name);
                    divisions.push((d.code, label));
                }
            }
            let offices: Vec<(String, String)> = agencies
                .into_iter()
                .map(|a| (a.code.to_string(), a.name))
                .collect();
            Ok::<_, ServiceError>((users, offices, divisions))
        })
        .await??
    };
    let users: Vec<Value> = users.iter().map(user_value).collect();
    page::html_status(
        status,
        visitor,
        &services.key,
        Some(&me.principal),
        "console/admin_users.html",
        context! { users => users, offices => offices, divisions => divisions, ..extra },
    )
}

fn user_value(u: &UserView) -> Value {
    context! {
        id => u.id.to_string(), name => u.name, role => u.role.as_str(),
        role_label => page::role_label(u.role), agency => u.agency, email => u.email,
        disabled => u.disabled, last_used_on => u.last_used_on,
        division => u.division, division_head => u.division_head,
        approval_level => u.approval_level,
    }
}

async fn list(visitor: Visitor, services: web::Data<Services>) -> Result<HttpResponse, WebError> {
    let me = visitor.staff(&services, &[Role::Admin]).await?;
    let done = visitor
        .here
        .split_once("done=")
        .map(|(_, d)| d.split('&').next().unwrap_or_default().to_owned());
    draw(
        &visitor,
        &services,
        &me,
        StatusCode::OK,
        context! { done => done },
    )
    .await
}

/// Checks the login and password a new user is to get before the user is added, so that a
/// refusal adds nobody.
fn check_sign_in(
    conn: &mut crate::db::DbConnection,
    login: Option<&str>,
    password: Option<&str>,
) -> Result<(), ServiceError> {
    if let Some(login) = login {
        let login = sign_in::normalise_login(login)?;
        if sessions::user_by_login(conn, &login)?.is_some() {
            return Err(ServiceError::invalid(
                "login",
                "taken",
                crate::msg!("登录名 {login} 已被他人使用", "the login {login} is taken"),
            ));
        }
    }
    if let Some(p) = password {
        sign_in::check_password(p)?;
    }
    Ok(())
}

async fn create(
    visitor: Visitor,
    services: web::Data<Services>,
    form: Form,
) -> Result<HttpResponse, WebError> {
    let me = visitor.staff(&services, &[Role::Admin]).await?;
    visitor.check_csrf(&services.key, form.csrf())?;
    let new = NewUser {
        name: form.get("name").unwrap_or_default().to_owned(),
        role: form.get("role").unwrap_or_default().to_owned(),
        agency: form.get("agency").map(str::to_owned),
        email: form.get("email").map(str::to_owned),
        division: form.get("division").map(str::to_owned),
        division_head: form
            .get("division_head")
            .is_some_and(|v| v == "true" || v == "on"),
        approval_level: form
            .get("approval_level")
            .and_then(|v| v.trim().parse().ok()),
    };
    let login = form.get("login").map(str::to_owned);
    let password = form.get("password").map(str::to_owned);
    let staff = me.staff.clone();
    let s = services.clone();
    let made = web::block(move || {
        let conn = &mut *s.conn()?;
        check_sign_in(conn, login.as_deref(), password.as_deref())?;
        let (user, token) = admin::create_user(conn, Manager::Admin(&staff), &new)?;
        if let Some(l) = &login {
            sign_in::set_login(conn, &user.id, l)?;
        }
        if let Some(p) = &password {
            sign_in::set_password(conn, &user.id, p)?;
        }
        Ok::<_, ServiceError>((user, token))
    })
    .await?;
    match made.map_err(WebError::from) {
        Ok((user, token)) => token_page(&visitor, &services, &me, &user, &token, true),
        Err(e) => {
            let errors = page::form_errors(e)?;
            let values: BTreeMap<String, String> = form
                .values()
                .into_iter()
                .filter(|(k, _)| k != "password")
                .collect();
            let extra = context! { errors => errors, values => values };
            draw(
                &visitor,
                &services,
                &me,
                StatusCode::UNPROCESSABLE_ENTITY,
                extra,
            )
            .await
        }
    }
}

/// The page that shows a new API token, this once.
fn token_page(
    visitor: &Visitor,
    services: &web::Data<Services>,
    me: &SignedIn,
    user: &UserView,
    token: &str,
    created: bool,
) -> Result<HttpResponse, WebError> {
    let mut res = page::html(
        visitor,
        &services.key,
        Some(&me.principal),
        "console/admin_user_token.html",
        context! { user => user_value(user), token => token, created => created },
    )?;
    res.headers_mut().insert(
        actix_web::http::header::CACHE_CONTROL,
        actix_web::http::header::HeaderValue::from_static("no-store"),
    );
    Ok(res)
}

/// `POST /console/admin/users/{id}/{disable|enable|rotate|password}`.
async fn operate(
    visitor: Visitor,
    services: web::Data<Services>,
    path: web::Path<(String, String)>,
    form: Form,
) -> Result<HttpResponse, WebError> {
    let me = visitor.staff(&services, &[Role::Admin]).await?;
    visitor.check_csrf(&services.key, form.csrf())?;
    let (id, op) = path.into_inner();
    let question = match op.as_str() {
        "disable" => Some((
            "确定停用这个账户吗？停用后该用户立即退出登录，不能再使用。",
            "停用",
        )),
        "rotate" => Some(("更换后旧的 API 令牌立即失效。确定更换吗？", "更换 API 令牌")),
        _ => None,
    };
    if let Some((question, button)) = question.filter(|_| !page::confirmed(&form)) {
        let target = format!("/console/admin/users/{id}/{op}");
        let ask = page::Ask {
            question,
            button,
            action: &target,
            back: "/console/admin/users",
        };
        return page::confirm_page(&visitor, &services.key, Some(&me.principal), &ask, &form);
    }
    let (s, staff) = (services.clone(), me.staff.clone());
    let password = form.get("password").map(str::to_owned);
    let login = form.get("login").map(str::to_owned);
    let done = web::block(move || {
        let conn = &mut *s.conn()?;
        let by = Manager::Admin(&staff);
        match op.as_str() {
            "disable" => admin::disable_user(conn, by, &id, s.now()).map(|_| None),
            "enable" => admin::enable_user(conn, by, &id).map(|_| None),
            "rotate" => admin::rotate_token(conn, by, &id).map(Some),
            "sign-in" => set_sign_in(conn, by, &id, login.as_deref(), password.as_deref()),
            _ => Err(AccountError::NoSuchUser),
        }
    })
    .await?;
    match done {
        Ok(Some((user, token))) => token_page(&visitor, &services, &me, &user, &token, false),
        Ok(None) => Ok(page::redirect("/console/admin/users?done=1")),
        Err(e) => {
            let errors = page::form_errors(account(e))?;
            let extra = context! { errors => errors, failed_user => path_id(&visitor) };
            draw(
                &visitor,
                &services,
                &me,
                StatusCode::UNPROCESSABLE_ENTITY,
                extra,
            )
            .await
        }
    }
}

/// Gives a user the admin manages a login, a password, or both (the password checked first,
/// so that a refused one changes nothing).
fn set_sign_in(
    conn: &mut crate::db::DbConnection,
    by: Manager<'_>,
    id: &str,
    login: Option<&str>,
    password: Option<&str>,
) -> Result<Option<(UserView, String)>, AccountError> {
    let user = admin::get_user(conn, by, id)?;
    let uid: &UserId = &user.id;
    match password {
        Some(p) => sign_in::check_password(p)?,
        None if login.is_none() => {
            return Err(AccountError::Service(ServiceError::invalid(
                "password",
                "required",
                crate::msg!("请填写新密码", "a password is required"),
            )))
        }
        None => {}
    }
    if let Some(l) = login {
        sign_in::set_login(conn, uid, l)?;
    }
    if let Some(p) = password {
        sign_in::set_password(conn, uid, p)?;
    }
    Ok(None)
}

/// The user a failed form was about, to show its errors beside that user's inputs.
fn path_id(visitor: &Visitor) -> Option<String> {
    visitor
        .here
        .strip_prefix("/console/admin/users/")
        .and_then(|r| r.split('/').next())
        .map(str::to_owned)
}
