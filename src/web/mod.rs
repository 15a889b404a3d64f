//! The web pages (issue 15): the staff console under `/console/` and the applicants' pages
//! (`/`, `/apply/…`, `/track`), server-rendered from `templates/web/` and working without
//! JavaScript. Pages call the same use cases as the API with the caller's session, so the
//! same rules decide what each person may see and do.

pub mod action_fields;
mod action_fields_inside;
mod action_fields_records;
pub mod action_forms;
pub mod actions;
pub mod admin;
pub mod admin_calendar;
pub mod admin_divisions;
pub mod admin_users;
pub mod approver;
pub mod assets;
pub mod auditor;
pub mod case_files;
pub mod case_page;
pub mod case_view;
pub mod console;
pub mod dashboard;
pub mod form;
pub mod page;
pub mod printable;
pub mod public;
pub mod public_apply;
pub mod public_case;
pub mod public_track;
pub mod register;
pub mod render;
pub mod report;
pub mod session;
pub mod sign_in;

use actix_web::http::Method;
use actix_web::Route;

/// A page's route: its path, method and handler.
pub type PageRoute = (&'static str, Method, Route);

/// Every page, by module; mounted like the API's routes (one resource a path, 405 otherwise).
fn routes() -> Vec<PageRoute> {
    [
        assets::routes(),
        sign_in::routes(),
        public::routes(),
        console::routes(),
        case_page::routes(),
        case_files::routes(),
        register::routes(),
        printable::routes(),
        actions::routes(),
        approver::routes(),
        auditor::routes(),
        report::routes(),
        admin::routes(),
        admin_users::routes(),
        admin_divisions::routes(),
        admin_calendar::routes(),
        dashboard::routes(),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// The (method, path) pairs of the pages.
pub fn route_table() -> Vec<(Method, &'static str)> {
    routes().into_iter().map(|(p, m, _)| (m, p)).collect()
}

pub fn configure(cfg: &mut actix_web::web::ServiceConfig) {
    crate::http::mount(cfg, routes());
}
