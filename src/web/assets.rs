//! The pages' style sheet and script, built into the binary and cached by browsers for a day.

use actix_web::http::Method;
use actix_web::{web, HttpResponse};

use super::PageRoute;

const CSS: &str = include_str!("static/gongkai.css");
const JS: &str = include_str!("static/gongkai.js");

pub fn routes() -> Vec<PageRoute> {
    vec![
        ("/static/gongkai.css", Method::GET, web::get().to(css)),
        ("/static/gongkai.js", Method::GET, web::get().to(js)),
    ]
}

fn asset(content_type: &str, body: &'static str) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(content_type)
        .insert_header(("Cache-Control", "public, max-age=86400"))
        .body(body)
}

async fn css() -> HttpResponse {
    asset("text/css; charset=utf-8", CSS)
}

async fn js() -> HttpResponse {
    asset("text/javascript; charset=utf-8", JS)
}
