//! Every page that takes a form refuses one without its anti-forgery token, whoever sends it,
//! and changes nothing (issue 15). The list of forms is the pages' own route table, so a new
//! form is tried the day it is added.

use actix_web::http::Method;
use diesel::prelude::*;
use gongkai::db::schema::{agencies, events, sessions, users};
use gongkai::domain::workflow::Role;

use crate::helpers::{file_one, office, TestApp};

/// A path of the table with its parameters filled with things that exist.
fn filled(path: &str, case: &str, user: &str) -> Vec<String> {
    let base = path
        .replace("{agency_code}", "BJHD")
        .replace("{code}", "BJHD")
        .replace("{id}", if path.contains("/users/") { user } else { case });
    let choices: &[(&str, &[&str])] = &[
        ("{action}", &["accept", "withdraw", "approve"]),
        ("{op}", &["disable", "rotate", "sign-in"]),
        ("{part}", &["sender", "payment", "letter"]),
    ];
    let mut out = vec![base];
    for (param, values) in choices {
        out = out
            .into_iter()
            .flat_map(|p| {
                if p.contains(param) {
                    values.iter().map(|v| p.replace(param, v)).collect()
                } else {
                    vec![p]
                }
            })
            .collect();
    }
    out
}

/// What the database holds that a form could change.
fn state(app: &TestApp) -> (i64, i64, i64, Vec<Option<String>>) {
    let conn = &mut *app.services.conn().unwrap();
    let events: i64 = events::table.count().get_result(conn).unwrap();
    let users: i64 = users::table
        .filter(users::disabled_at.is_null())
        .count()
        .get_result(conn)
        .unwrap();
    let sessions: i64 = sessions::table.count().get_result(conn).unwrap();
    let senders = agencies::table
        .select(agencies::sender_email)
        .load(conn)
        .unwrap();
    (events, users, sessions, senders)
}

#[actix_rt::test]
async fn every_form_refuses_a_post_without_its_token_and_changes_nothing() {
    let app = TestApp::spawn().await;
    office(&app, "BJHD");
    let (case, _) = file_one(&app, "BJHD").await;
    let mut people = Vec::new();
    for (login, role, agency) in [
        ("guanli", Role::Admin, None),
        ("jingban", Role::Clerk, Some("BJHD")),
        ("shenpi", Role::Approver, Some("BJHD")),
        ("shenji", Role::Auditor, None),
    ] {
        let (login, password) = app.add_console_user(login, role, agency);
        let web = app.web();
        web.sign_in(&login, &password).await;
        people.push((role.as_str(), web));
    }
    people.push(("nobody", app.web()));
    let target = {
        let conn = &mut *app.services.conn().unwrap();
        gongkai::db::sessions::user_by_login(conn, "jingban")
            .unwrap()
            .unwrap()
            .id
            .to_string()
    };
    let before = state(&app);
    let forms: Vec<&str> = gongkai::web::route_table()
        .into_iter()
        .filter(|(m, _)| *m == Method::POST)
        .map(|(_, p)| p)
        .collect();
    assert!(forms.len() >= 15, "{forms:?}");
    for (who, web) in &people {
        for path in forms.iter().flat_map(|p| filled(p, &case, &target)) {
            let fields = [
                ("version".to_owned(), "2".to_owned()),
                ("email".to_owned(), "x@example.com".to_owned()),
                ("username".to_owned(), "guanli".to_owned()),
                ("password".to_owned(), "guanli-secret-password".to_owned()),
            ];
            let p = web.post_raw(&path, &fields).await;
            let to_sign_in = p.status == 303
                && p.location()
                    .is_some_and(|l| l.starts_with("/console/login") || l == "/track");
            assert!(
                p.status == 403 || p.status == 404 || to_sign_in,
                "{who} posted {path} without a token: {} {:?}\n{}",
                p.status,
                p.location(),
                p.html
            );
        }
    }
    assert_eq!(
        state(&app),
        before,
        "a form without its token changed something"
    );
}
