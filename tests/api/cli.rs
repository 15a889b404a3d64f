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
