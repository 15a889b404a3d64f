//! The HTTP layer: routes, extractors, views and errors. Handlers stay thin.

pub mod access;
pub mod admission;
pub mod answers;
pub mod applications;
pub mod attachments;
pub mod audit;
pub mod calendar;
pub mod clock;
pub mod collect;
pub mod divisions;
pub mod extract;
pub mod language;
pub mod limits;
pub mod metrics;
pub mod notices;
pub mod observe;
pub mod problem;
pub mod queue;
pub mod register;
pub mod serde_errors;
pub mod users;
pub mod views;
pub mod wire;

use actix_web::http::Method;
use actix_web::{web, HttpRequest, HttpResponse, Route};

use crate::domain::problem_code::ProblemCode;
use problem::ApiError;

/// Every served route, in one table: the app is built from it and the OpenAPI test reads it.
fn routes() -> Vec<(&'static str, Method, Route)> {
    use applications as a;
    vec![
        ("/healthz", Method::GET, web::get().to(healthz)),
        ("/metrics", Method::GET, web::get().to(metrics::metrics)),
        ("/api/v1/openapi.yaml", Method::GET, web::get().to(openapi)),
        (
            "/api/v1/applications",
            Method::POST,
            web::post().to(a::file),
        ),
        (
            "/api/v1/applications",
            Method::GET,
            web::get().to(queue::list),
        ),
        (
            "/api/v1/registrations",
            Method::POST,
            web::post().to(a::register),
        ),
        (
            "/api/v1/applications/{id}",
            Method::GET,
            web::get().to(a::get),
        ),
        (
            "/api/v1/applications/{id}/events",
            Method::GET,
            web::get().to(a::events),
        ),
        (
            "/api/v1/applications/{id}/actions/{action}",
            Method::POST,
            web::post().to(a::act),
        ),
        (
            "/api/v1/applications/{id}/access-token",
            Method::POST,
            web::post().to(access::reset),
        ),
        (
            "/api/v1/applications/{id}/documents",
            Method::PUT,
            web::put().to(register::name_documents),
        ),
        (
            "/api/v1/applications/{id}/clock",
            Method::GET,
            web::get().to(clock::clock),
        ),
        (
            "/api/v1/applications/{id}/attachments",
            Method::GET,
            web::get().to(attachments::list),
        ),
        (
            "/api/v1/applications/{id}/attachments",
            Method::POST,
            web::post().to(attachments::upload),
        ),
        (
            "/api/v1/applications/{id}/attachments/{attachment_id}",
            Method::GET,
            web::get().to(attachments::download),
        ),
        (
            "/api/v1/applications/{id}/letter",
            Method::GET,
            web::get().to(answers::letter),
        ),
        (
            "/api/v1/applications/{id}/applicant-history",
            Method::GET,
            web::get().to(answers::applicant_history),
        ),
        (
            "/api/v1/fees/quote",
            Method::GET,
            web::get().to(answers::quote),
        ),
        (
            "/api/v1/applications/{id}/notices",
            Method::GET,
            web::get().to(notices::of_case),
        ),
        ("/api/v1/notices", Method::GET, web::get().to(notices::list)),
        (
            "/api/v1/notices/{id}/retry",
            Method::POST,
            web::post().to(notices::retry),
        ),
        (
            "/api/v1/calendar/add",
            Method::GET,
            web::get().to(calendar::add),
        ),
        (
            "/api/v1/calendar/between",
            Method::GET,
            web::get().to(calendar::between),
        ),
        (
            "/api/v1/calendar/years",
            Method::GET,
            web::get().to(calendar::years),
        ),
        (
            "/api/v1/calendar/years/{year}",
            Method::PUT,
            web::put().to(calendar::put_year),
        ),
        (
            "/api/v1/agencies/{code}/divisions",
            Method::GET,
            web::get().to(divisions::list),
        ),
        (
            "/api/v1/agencies/{code}/divisions",
            Method::POST,
            web::post().to(divisions::add),
        ),
        (
            "/api/v1/agencies/{code}/divisions/turnaround",
            Method::GET,
            web::get().to(divisions::turnaround),
        ),
        (
            "/api/v1/agencies/{code}/documents",
            Method::GET,
            web::get().to(register::list),
        ),
        (
            "/api/v1/agencies/{code}/documents",
            Method::POST,
            web::post().to(register::create),
        ),
        (
            "/api/v1/agencies/{code}/documents.csv",
            Method::GET,
            web::get().to(register::export),
        ),
        // Before `documents/{id}`, which would take these names for ids.
        (
            "/api/v1/agencies/{code}/documents/import",
            Method::POST,
            web::post().to(register::import),
        ),
        (
            "/api/v1/agencies/{code}/documents/review",
            Method::GET,
            web::get().to(register::review),
        ),
        (
            "/api/v1/agencies/{code}/documents/review/decisions",
            Method::POST,
            web::post().to(register::decide),
        ),
        (
            "/api/v1/agencies/{code}/documents/{id}",
            Method::GET,
            web::get().to(register::get),
        ),
        (
            "/api/v1/agencies/{code}/documents/{id}/status",
            Method::POST,
            web::post().to(register::change_status),
        ),
        (
            "/api/v1/agencies/{code}/days-off/{year}",
            Method::PUT,
            web::put().to(calendar::put_local_days),
        ),
        (
            "/api/v1/calendar/loads",
            Method::GET,
            web::get().to(calendar::loads),
        ),
        ("/api/v1/users", Method::GET, web::get().to(users::list)),
        ("/api/v1/users", Method::POST, web::post().to(users::create)),
        ("/api/v1/users/{id}", Method::GET, web::get().to(users::get)),
        (
            "/api/v1/users/{id}/disable",
            Method::POST,
            web::post().to(users::disable),
        ),
        (
            "/api/v1/users/{id}/enable",
            Method::POST,
            web::post().to(users::enable),
        ),
        (
            "/api/v1/users/{id}/rotate-token",
            Method::POST,
            web::post().to(users::rotate_token),
        ),
        (
            "/api/v1/audit/verify",
            Method::GET,
            web::get().to(audit::verify_chain),
        ),
        (
            "/api/v1/audit/events",
            Method::GET,
            web::get().to(audit::events),
        ),
        (
            "/api/v1/audit/cases",
            Method::GET,
            web::get().to(audit::cases),
        ),
        (
            "/api/v1/reports/annual",
            Method::GET,
            web::get().to(audit::annual),
        ),
        (
            "/api/v1/reports/annual/cases",
            Method::GET,
            web::get().to(audit::annual_cases),
        ),
    ]
}

/// The (method, path) pairs the service answers.
pub fn route_table() -> Vec<(Method, &'static str)> {
    routes()
        .into_iter()
        .map(|(path, method, _)| (method, path))
        .collect()
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    mount(cfg, routes());
}

/// Mounts a table of routes: one resource a path, answering 405 with `Allow` for other methods.
pub fn mount(cfg: &mut web::ServiceConfig, table: Vec<(&'static str, Method, Route)>) {
    let mut by_path: Vec<(&'static str, Vec<Method>, Vec<Route>)> = Vec::new();
    for (path, method, route) in table {
        match by_path.iter_mut().find(|(p, _, _)| *p == path) {
            Some((_, methods, list)) => {
                methods.push(method);
                list.push(route);
            }
            None => by_path.push((path, vec![method], vec![route])),
        }
    }
    for (path, methods, list) in by_path {
        let mut allow: Vec<&str> = methods.iter().map(Method::as_str).collect();
        if methods.contains(&Method::GET) {
            allow.push("HEAD");
        }
        let allow = allow.join(", ");
        let resource = list
            .into_iter()
            .fold(web::resource(path), |r, route| r.route(route))
            .default_service(web::to(move |req: HttpRequest| {
                let allow = allow.clone();
                async move { method_not_allowed(req, allow) }
            }));
        cfg.service(resource);
    }
}

async fn healthz(services: web::Data<crate::service::Services>) -> Result<HttpResponse, ApiError> {
    web::block(move || services.conn().map(drop)).await??;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "status": "ok" })))
}

/// The description the service was built with, byte for byte: clients and tools read the very
/// contract this binary keeps.
const OPENAPI: &str = include_str!("../../api/openapi.yaml");

async fn openapi() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/yaml")
        .body(OPENAPI)
}

/// 405 with the methods the path does serve (RFC 9110 §15.5.6).
fn method_not_allowed(req: HttpRequest, allow: String) -> HttpResponse {
    use actix_web::ResponseError;
    let (method, path) = (req.method(), req.path());
    let detail = crate::msg!(
        "{path} 不接受 {method} 请求",
        "{method} is not served on {path}"
    );
    let mut res = ApiError::new(ProblemCode::MethodNotAllowed, detail).error_response();
    if let Ok(v) = actix_web::http::header::HeaderValue::from_str(&allow) {
        res.headers_mut().insert(actix_web::http::header::ALLOW, v);
    }
    res
}

pub async fn route_not_found(req: HttpRequest) -> HttpResponse {
    use actix_web::ResponseError;
    // A browser at an address of the pages gets a page (or is sent to the right address).
    if let Some(page) = crate::web::page::not_found(&req) {
        return page;
    }
    let path = req.path();
    let detail = crate::msg!("{path} 下没有任何服务", "nothing is served at {path}");
    ApiError::new(ProblemCode::RouteNotFound, detail).error_response()
}

/// Query strings that do not parse (a bad date, an unknown enum value) are 400s like the rest.
pub fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|err, req| {
        let message = query_message(&err.to_string(), req.query_string());
        ApiError::new(ProblemCode::InvalidQuery, message).into()
    })
}

/// serde_urlencoded's wording, naming the parameter: the one it names, or the one holding the
/// value it quotes (it does not say which field it was reading).
fn query_message(err: &str, query: &str) -> crate::domain::message::Message {
    use serde_errors::Fault;
    let inner = err.strip_prefix("Query deserialize error: ").unwrap_or(err);
    let name = match serde_errors::fault(inner) {
        Fault::Missing(n) | Fault::Unknown(n) => n,
        Fault::Invalid { .. } => {
            let pairs = web::Query::<Vec<(String, String)>>::from_query(query)
                .map(web::Query::into_inner)
                .unwrap_or_default();
            let quoted = inner.split('"').nth(1);
            quoted
                .and_then(|v| pairs.into_iter().find(|(_, given)| given == v))
                .map_or_else(|| "query".to_owned(), |(k, _)| k)
        }
    };
    let m = serde_errors::field_error(&name, inner).message;
    crate::domain::message::Message::new(
        format!("查询参数无效：{}", m.zh),
        format!("the query string is not valid: {}", m.en),
    )
}

/// Bad path segments are unknown ids: 404.
pub fn path_config() -> web::PathConfig {
    web::PathConfig::default().error_handler(|_err, _req| ApiError::not_found().into())
}
