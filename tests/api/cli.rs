//! The administrator's commands, run as the real binary against the test's database.

use gongkai::domain::problem_code::ProblemCode;
use std::process::Command;

use crate::helpers::{assert_problem, file_one, TestApp};

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
    assert_eq!(app.as_(&clerk).view(&id).await.status, 200);
    assert_eq!(app.as_(&auditor).view(&id).await.status, 200);

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

#[actix_rt::test]
async fn an_administrator_lists_disables_and_rotates_staff_from_the_command_line() {
    let app = TestApp::spawn().await;
    app.add_agency("BJHD");
    app.add_agency("SHPD");
    let add = |name: &str, role: &str, agency: Option<&str>| {
        let mut args = vec!["user", "add", "--name", name, "--role", role];
        if let Some(a) = agency {
            args.extend(["--agency", a]);
        }
        let (ok, out, err) = gongkai(&app, &args);
        assert!(ok, "{out}{err}");
        let id = out.split(['(', ')']).nth(1).unwrap().to_owned();
        (id, out.lines().last().unwrap().trim().to_owned())
    };
    let (clerk_id, clerk) = add("张三", "clerk", Some("BJHD"));
    add("李四", "clerk", Some("SHPD"));
    let (admin_id, _) = add("管理总", "admin", None);
    assert_eq!(
        app.as_(&clerk).get("/api/v1/applications").await.status,
        200
    );

    let (ok, out, err) = gongkai(&app, &["user", "list"]);
    assert!(ok, "{err}");
    assert_eq!(out.lines().count(), 3, "{out}");
    assert!(!out.contains("gks_") && !out.contains(&gongkai::security::token_hash(&clerk)));
    let line = out.lines().find(|l| l.contains(&clerk_id)).unwrap();
    assert!(
        line.contains("clerk") && line.contains("office: BJHD") && line.contains("enabled"),
        "{line}"
    );
    assert!(
        line.contains(&format!("last used: {}", crate::helpers::real_today())),
        "{line}"
    );
    let (ok, out, _) = gongkai(&app, &["user", "list", "--agency", "shpd"]);
    assert!(
        ok && out.lines().count() == 1 && out.contains("李四"),
        "{out}"
    );
    let (ok, _, err) = gongkai(&app, &["user", "list", "--agency", "NOPE"]);
    assert!(!ok && err.contains("no such agency"), "{err}");

    // Disabled: refused at once; re-enabled: accepted again.
    let (ok, out, err) = gongkai(&app, &["user", "disable", "--id", &clerk_id]);
    assert!(ok && out.contains("disabled since"), "{out}{err}");
    assert_problem(
        &app.as_(&clerk).get("/api/v1/applications").await,
        401,
        ProblemCode::Unauthenticated,
    );
    let (ok, _, _) = gongkai(&app, &["user", "enable", "--id", &clerk_id]);
    assert!(ok);
    assert_eq!(
        app.as_(&clerk).get("/api/v1/applications").await.status,
        200
    );

    // A new token, printed last; the old one stops working at once.
    let (ok, out, err) = gongkai(&app, &["user", "rotate-token", "--id", &clerk_id]);
    assert!(ok, "{out}{err}");
    let new = out.lines().last().unwrap().trim().to_owned();
    assert!(
        new.starts_with("gks_") && new.len() == 68 && new != clerk,
        "{out}"
    );
    assert_problem(
        &app.as_(&clerk).get("/api/v1/applications").await,
        401,
        ProblemCode::Unauthenticated,
    );
    assert_eq!(app.as_(&new).get("/api/v1/applications").await.status, 200);

    // The last enabled admin bound to no office stays; an unknown id is said to be unknown.
    let (ok, _, err) = gongkai(&app, &["user", "disable", "--id", &admin_id]);
    assert!(!ok && err.contains("last enabled admin"), "{err}");
    let (ok, _, err) = gongkai(&app, &["user", "rotate-token", "--id", "nobody"]);
    assert!(!ok && err.contains("no such user"), "{err}");
}

#[actix_rt::test]
async fn a_calendar_loaded_from_the_command_line_says_by_whom() {
    let app = TestApp::spawn().await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("2027.json");
    std::fs::write(
        &file,
        serde_json::json!({
            "year": 2027,
            "papers": ["国务院办公厅关于2027年部分节假日安排的通知"],
            "days": [{ "name": "元旦", "date": "2027-01-01", "isOffDay": true }]
        })
        .to_string(),
    )
    .unwrap();
    let file = file.to_str().unwrap();
    let (ok, out, err) = gongkai(&app, &["calendar", "load", file, "--by", "王工"]);
    assert!(ok && out.contains("loaded 2027"), "{out}{err}");
    let (ok, out, err) = gongkai(&app, &["calendar", "years"]);
    assert!(ok, "{err}");
    let line = out.lines().find(|l| l.starts_with("2027")).unwrap();
    assert!(line.contains("by command line (王工)"), "{line}");
    assert!(out
        .lines()
        .find(|l| l.starts_with("2026"))
        .unwrap()
        .contains("by shipped with gongkai"));
    let r = app.public().get("/api/v1/calendar/years").await;
    let last = r.body["years"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["loaded_via"], "command_line");
    assert!(last.get("loaded_by").is_none());

    let (ok, out, err) = gongkai(&app, &["calendar", "loads"]);
    assert!(ok, "{err}");
    let first = out.lines().next().unwrap();
    assert!(
        first.contains("national 2027")
            && first.contains("by command line (王工)")
            && first.contains("via command_line")
            && first.contains("\"replaced\":false"),
        "{out}"
    );
    assert_eq!(out.lines().count(), 9, "{out}");
}
