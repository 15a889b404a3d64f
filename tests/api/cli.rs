//! The administrator's commands, run as the real binary against the test's database.

use std::process::Command;

use crate::helpers::{file_one, TestApp};

pub fn gongkai(app: &TestApp, args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_gongkai"))
        .args(args)
        .env("GONGKAI_DATABASE_URL", &app.database_url)
        .env("GONGKAI_SECRET_KEY", app.key.to_hex())
        .env("RUST_LOG", "warn")
        .output()
        .expect("the binary runs");
    (
        out.status.success(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[actix_rt::test]
async fn an_administrator_sets_up_an_office_and_staff_from_the_command_line() {
    let app = TestApp::spawn().await;
    let (ok, out, err) = gongkai(
        &app,
        &[
            "agency",
            "add",
            "--code",
            "BJHD",
            "--name",
            "北京市海淀区人民政府",
        ],
    );
    assert!(ok, "{out}{err}");
    let (ok, _, err) = gongkai(
        &app,
        &["agency", "add", "--code", "BJHD", "--name", "again"],
    );
    assert!(!ok && err.contains("exists already"), "{err}");
    let (ok, _, err) = gongkai(&app, &["user", "add", "--name", "张三", "--role", "clerk"]);
    assert!(!ok && err.contains("must belong to an agency"), "{err}");

    let (ok, out, err) = gongkai(
        &app,
        &[
            "user", "add", "--name", "张三", "--role", "clerk", "--agency", "BJHD",
        ],
    );
    assert!(ok, "{out}{err}");
    let clerk = out.lines().last().unwrap().trim().to_owned();
    assert!(clerk.starts_with("gks_") && clerk.len() == 68, "{out}");
    let (ok, out, _) = gongkai(
        &app,
        &["user", "add", "--name", "审计员", "--role", "auditor"],
    );
    assert!(ok);
    let auditor = out.lines().last().unwrap().trim().to_owned();

    let (id, _) = file_one(&app, "BJHD").await;
    assert_eq!(
        app.get(&format!("/api/v1/applications/{id}"), Some(&clerk))
            .await
            .status,
        200
    );
    assert_eq!(
        app.get(&format!("/api/v1/applications/{id}"), Some(&auditor))
            .await
            .status,
        200
    );

    let (ok, out, err) = gongkai(&app, &["migrate"]);
    assert!(
        ok && out.contains("0 migrations were pending"),
        "{out}{err}"
    );
    // A service started with another key refuses this database rather than mismatch applicants.
    let out = Command::new(env!("CARGO_BIN_EXE_gongkai"))
        .args(["agency", "add", "--code", "X1", "--name", "x"])
        .env("GONGKAI_DATABASE_URL", &app.database_url)
        .env("GONGKAI_SECRET_KEY", "00".repeat(32))
        .output()
        .unwrap();
    let (ok, err) = (out.status.success(), String::from_utf8(out.stderr).unwrap());
    assert!(!ok && err.contains("another secret key"), "{err}");
}

#[actix_rt::test]
async fn an_administrator_sets_an_office_s_letter_and_payment_details_from_the_command_line() {
    let app = TestApp::spawn().await;
    app.add_agency("BJHD");
    let (ok, out, err) = gongkai(&app, &["agency", "list"]);
    assert!(
        ok && out.contains("BJHD") && out.contains("letter prefix: -"),
        "{out}{err}"
    );
    assert!(out.contains("reopening period: 20 working days"), "{out}");
    let (ok, out, err) = gongkai(
        &app,
        &[
            "agency",
            "set-letter",
            "--agency",
            "bjhd",
            "--prefix",
            "海政信复",
            "--reconsideration-body",
            "北京市海淀区人民政府",
            "--court",
            "北京市海淀区人民法院",
            "--reopen-working-days",
            "15",
        ],
    );
    assert!(ok, "{out}{err}");
    let (ok, _, err) = gongkai(
        &app,
        &[
            "agency",
            "set-letter",
            "--agency",
            "BJHD",
            "--prefix",
            "海政〔信复",
        ],
    );
    assert!(!ok && err.contains("without brackets"), "{err}");
    let (ok, _, err) = gongkai(
        &app,
        &[
            "agency",
            "set-payment",
            "--agency",
            "BJHD",
            "--payee",
            "北京市海淀区财政局",
        ],
    );
    assert!(!ok && err.contains("--account"), "{err}");
    let (ok, out, err) = gongkai(
        &app,
        &[
            "agency",
            "set-payment",
            "--agency",
            "BJHD",
            "--payee",
            "北京市海淀区财政局",
            "--channel",
            "北京非税缴费平台",
        ],
    );
    assert!(ok, "{out}{err}");
    let (ok, out, err) = gongkai(
        &app,
        &[
            "agency",
            "set-reopen-days",
            "--code",
            "BJHD",
            "--working-days",
            "0",
        ],
    );
    assert!(!ok && err.contains("1 to 60"), "{out}{err}");
    let (ok, out, err) = gongkai(&app, &["agency", "list"]);
    assert!(ok, "{err}");
    for needle in [
        "letter prefix: 海政信复",
        "reconsideration body: 北京市海淀区人民政府",
        "court: 北京市海淀区人民法院",
        "fees paid to: 北京市海淀区财政局  account: -  channel: 北京非税缴费平台",
        "reopening period: 15 working days",
    ] {
        assert!(out.contains(needle), "{needle} missing from\n{out}");
    }
    // An option left out keeps its value; "" clears it.
    let (ok, _, err) = gongkai(
        &app,
        &["agency", "set-letter", "--agency", "BJHD", "--court", ""],
    );
    assert!(ok, "{err}");
    let conn = &mut *app.services.conn().unwrap();
    let a = gongkai::db::staff::agency_by_code(conn, "BJHD")
        .unwrap()
        .unwrap();
    assert_eq!(a.letter_prefix.as_deref(), Some("海政信复"));
    assert_eq!(a.court, None);
    assert_eq!(a.reopen_working_days, 15);
    let pay = gongkai::db::staff::payment_details(&a).unwrap();
    assert_eq!(
        (pay.payee.as_str(), pay.account, pay.channel.as_deref()),
        ("北京市海淀区财政局", None, Some("北京非税缴费平台"))
    );
}
