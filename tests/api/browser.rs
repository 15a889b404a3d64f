//! The pages in a real browser (headless Chromium): what a clerk, an approver, an auditor and
//! an applicant do, end to end, with screenshots under `target/screenshots/` and an axe-core
//! accessibility check of the main pages. Run on SQLite (the pages' HTTP tests run on both).

#[path = "browser/driver.rs"]
mod driver;

use gongkai::domain::workflow::Role;

use crate::helpers::{TestApp, PG_ENV};
pub use driver::Browser;

/// The browser tests run once, on the embedded default.
fn on_postgres() -> bool {
    std::env::var(PG_ENV).is_ok_and(|v| !v.is_empty())
}

pub async fn browser() -> Option<Browser> {
    if on_postgres() {
        return None;
    }
    Browser::start().await
}

#[actix_rt::test]
async fn a_clerk_signs_in_in_the_browser_after_a_wrong_password() {
    let Some(b) = browser().await else { return };
    let app = TestApp::spawn().await;
    app.add_agency("BJHD");
    let (login, password) = app.add_console_user("zhangsan", Role::Clerk, Some("BJHD"));

    b.goto(&format!("{}/console/", app.address)).await;
    b.wait_path("/console/login").await;
    b.assert_accessible("the sign-in page").await;
    b.fill("username", &login).await;
    b.fill("password", "not-the-password").await;
    b.click_and_wait("button[type=submit]").await;
    b.wait_path("/console/login").await;
    Browser::assert_contains(&b.text().await, "登录名或密码不正确");
    b.screenshot("console-login-error").await;

    b.fill("username", &login).await;
    b.fill("password", &password).await;
    b.click_and_wait("button[type=submit]").await;
    b.wait_path("/console/").await;
    let text = b.text().await;
    Browser::assert_contains(&text, "zhangsan 同志");
    Browser::assert_contains(&text, "退出");
    b.click_and_wait("form.signout button").await;
    b.wait_path("/console/login").await;
    b.close().await;
}

/// The accessibility check is a real one: a page with an unlabelled input fails it.
#[actix_rt::test]
async fn the_accessibility_check_finds_an_unlabelled_input() {
    let Some(b) = browser().await else { return };
    b.goto("data:text/html;charset=utf-8,<html><body><form><input name=x></form></body></html>")
        .await;
    let found = futures_util::FutureExt::catch_unwind(std::panic::AssertUnwindSafe(
        b.assert_accessible("a page made to fail"),
    ))
    .await;
    let axe_present = driver::target_dir().join("axe/axe.min.js").exists()
        || std::env::var_os("GONGKAI_AXE_JS").is_some();
    assert_eq!(found.is_err(), axe_present, "axe must flag a missing label");
    b.close().await;
}
