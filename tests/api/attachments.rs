//! Files on a case (issue 17) through the API, with real files: uploads checked before anything
//! is stored, who reads what, the answer delivering the office's files (the redacted version
//! only), the letter naming them with their SHA-256, the chain covering them, the answer
//! e-mail carrying them at a real SMTP server, and a backup keeping them.

use std::net::TcpListener;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use gongkai::db::DbConnection;
use gongkai::domain::problem_code::ProblemCode;
use gongkai::domain::workflow::Role;
use mail_parser::MimeHeaders;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::answers::decision_for;
use crate::helpers::{assert_problem, file_one, office, today, Action, Reply, TestApp};
use crate::mail::{free_port, smtp_server};

/// A small but real PDF (one empty page), as a scanner or a word processor would write it.
pub fn pdf(text: &str) -> Vec<u8> {
    let stream = format!("BT /F1 12 Tf 72 720 Td ({text}) Tj ET");
    let body = format!(
        "%PDF-1.4\n%\u{e2}\u{e3}\u{cf}\u{d3}\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n\
         2 0 obj <</Type /Pages /Kids [3 0 R] /Count 1>> endobj\n\
         3 0 obj <</Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R>> endobj\n\
         4 0 obj <</Length {}>> stream\n{stream}\nendstream endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n",
        stream.len()
    );
    body.into_bytes()
}

/// A real 1×1 PNG.
pub const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89\0\0\0\rIDATx\x9cc\xf8\x0f\0\0\x01\x01\0\x05\x18\xd8N\0\0\0\0IEND\xaeB`\x82";

pub fn sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

const BOUNDARY: &str = "----gongkai-test-boundary-7MA4YWxkTrZu0gW";

/// A `multipart/form-data` body: text parts, and one file part (name, file name, bytes).
pub fn form(texts: &[(&str, &str)], file: Option<(&str, &[u8])>) -> Vec<u8> {
    let mut out = Vec::new();
    for (name, value) in texts {
        out.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    if let Some((file_name, bytes)) = file {
        out.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\n\
                 Content-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        out.extend_from_slice(bytes);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    out
}

/// Uploads one file to the case as `token`'s holder.
pub async fn upload(
    app: &TestApp,
    token: &str,
    id: &str,
    purpose: &str,
    name: &str,
    bytes: &[u8],
) -> Reply {
    upload_form(
        app,
        token,
        id,
        form(&[("purpose", purpose)], Some((name, bytes))),
    )
    .await
}

async fn upload_form(app: &TestApp, token: &str, id: &str, body: Vec<u8>) -> Reply {
    let ct = format!("multipart/form-data; boundary={BOUNDARY}");
    app.as_(token)
        .send(
            "POST",
            &format!("/api/v1/applications/{id}/attachments"),
            &[("Content-Type", ct.as_str())],
            Some(body),
        )
        .await
}

/// A download's status, headers and bytes (the test client reads bodies as text).
pub async fn download(
    app: &TestApp,
    token: &str,
    id: &str,
    file: &str,
) -> (u16, String, String, Vec<u8>) {
    let mut res = app
        .client
        .get(format!(
            "{}/api/v1/applications/{id}/attachments/{file}",
            app.address
        ))
        .insert_header(("Authorization", format!("Bearer {token}")))
        .send()
        .await
        .unwrap();
    let bytes = res.body().limit(64 * 1024 * 1024).await.unwrap().to_vec();
    let header = |n: &str| {
        res.headers()
            .get(n)
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default()
    };
    (
        res.status().as_u16(),
        header("content-type"),
        header("content-disposition"),
        bytes,
    )
}

fn stored_files(app: &TestApp) -> (i64, i64, i64) {
    use gongkai::db::schema::{attachments, file_chunks, files};
    let conn = &mut *app.services.conn().unwrap();
    (
        attachments::table.count().get_result(conn).unwrap(),
        files::table.count().get_result(conn).unwrap(),
        file_chunks::table.count().get_result(conn).unwrap(),
    )
}

fn ids_of(list: &Reply) -> Vec<String> {
    list.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap().to_owned())
        .collect()
}

#[actix_rt::test]
async fn uploads_are_checked_before_anything_is_stored() {
    let app = TestApp::spawn_with(|s| {
        s.files.limits.per_file = 3 * 1024 * 1024;
        s.files.limits.per_case = 5 * 1024 * 1024;
    })
    .await;
    let o = office(&app, "BJHD");
    let (id, applicant) = file_one(&app, "BJHD").await;
    let nothing = stored_files(&app);

    // An executable named as a PDF: the name is never believed.
    let r = upload(
        &app,
        &applicant,
        &id,
        "request",
        "身份证.pdf",
        b"\x7fELF\x02\x01\x01\0\0\0",
    )
    .await;
    assert_problem(&r, 415, ProblemCode::FileTypeNotAllowed);
    assert!(
        r.body["detail"].as_str().unwrap().contains("PDF"),
        "{}",
        r.body
    );
    // One over the per-file limit: refused as it streams, whatever it starts with.
    let mut big = pdf("big");
    big.resize(3 * 1024 * 1024 + 1, b' ');
    let r = upload(&app, &applicant, &id, "request", "扫描件.pdf", &big).await;
    assert_problem(&r, 413, ProblemCode::FileTooLarge);
    // An upload cut off half-way (no closing boundary): nothing of it is kept.
    let cut = form(&[("purpose", "request")], Some(("合同.pdf", &pdf("cut"))));
    for cut_at in [cut.len() - 200, cut.len() - 30] {
        // Inside the file, and inside the closing boundary.
        let r = upload_form(&app, &applicant, &id, cut[..cut_at].to_vec()).await;
        assert_problem(&r, 400, ProblemCode::MalformedUpload);
    }
    // Not a form; a form without a file, without a purpose, with an unknown purpose or part.
    let r = app
        .as_(&applicant)
        .post(
            &format!("/api/v1/applications/{id}/attachments"),
            &json!({}),
        )
        .await;
    assert_problem(&r, 415, ProblemCode::UnsupportedMediaType);
    let r = upload_form(&app, &applicant, &id, form(&[("purpose", "request")], None)).await;
    assert_problem(&r, 422, ProblemCode::ValidationFailed);
    assert_eq!(r.body["errors"][0]["field"], "file", "{}", r.body);
    let r = upload_form(&app, &applicant, &id, form(&[], Some(("a.png", PNG)))).await;
    assert_eq!(r.body["errors"][0]["field"], "purpose", "{}", r.body);
    let r = upload(&app, &applicant, &id, "gift", "a.png", PNG).await;
    assert_eq!(r.body["errors"][0]["code"], "unknown_value", "{}", r.body);
    // The applicant cannot give the office's information, nor the office the applicant's.
    let r = upload(&app, &applicant, &id, "disclosure", "a.png", PNG).await;
    assert_eq!(r.body["errors"][0]["field"], "purpose", "{}", r.body);
    let r = upload(&app, &o.clerk, &id, "correction", "a.png", PNG).await;
    assert_eq!(r.body["errors"][0]["code"], "not_yours", "{}", r.body);
    assert_eq!(
        stored_files(&app),
        nothing,
        "a refused upload stores nothing"
    );
    let events = o.clerk().events(&id).await;
    assert!(events.iter().all(|e| e["action"] != "attach_file"));

    // A real PDF and a real image are taken, known by content whatever the name says.
    let scan = pdf("申请表扫描件");
    let r = upload(&app, &applicant, &id, "request", "申请表.jpg", &scan).await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.body["kind"], "pdf");
    assert_eq!(r.body["media_type"], "application/pdf");
    assert_eq!(r.body["sha256"], sha256(&scan));
    assert_eq!(r.body["size"], scan.len());
    assert_eq!(r.body["source"], "applicant");
    assert!(r
        .header("location")
        .unwrap()
        .ends_with(r.body["id"].as_str().unwrap()));
    // Staff-only facts are not in the applicant's view.
    assert!(r.body.get("uploaded_by").is_none() && r.body.get("staff_only").is_none());
    let r = upload(&app, &applicant, &id, "proof", "../扫描/身份证.png", PNG).await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.body["name"], "身份证.png");
    assert_eq!(r.body["kind"], "png");
    // The case's limit counts what it holds: 2 MiB more would pass 5 MiB after 2 × 2 MiB.
    let mut two = pdf("two");
    two.resize(2 * 1024 * 1024, b' ');
    for _ in 0..2 {
        let r = upload(&app, &o.clerk, &id, "working", "材料.pdf", &two).await;
        assert_eq!(r.status, 201, "{}", r.body);
    }
    let r = upload(&app, &o.clerk, &id, "working", "材料3.pdf", &two).await;
    assert_problem(&r, 413, ProblemCode::CaseStorageFull);
    // The same content twice is stored once, in chunks of 1 MiB.
    let (records, contents, chunks) = stored_files(&app);
    assert_eq!((records, contents), (4, 3));
    assert_eq!(chunks, 1 + 1 + 2);
}

#[actix_rt::test]
async fn each_reader_sees_only_the_files_that_are_theirs_and_the_answer_delivers_the_redacted_version_only(
) {
    let app = TestApp::spawn().await;
    let o = office(&app, "BJHD");
    let other = office(&app, "BJCY");
    let auditor = app.add_user("审计员", Role::Auditor, Some("BJHD"));
    let (id, applicant) = file_one(&app, "BJHD").await;
    let (_, stranger) = file_one(&app, "BJHD").await;

    let proof = upload(&app, &applicant, &id, "proof", "身份证.png", PNG).await;
    assert_eq!(proof.status, 201, "{}", proof.body);
    o.clerk().act_ok(&id, Action::Accept, json!({})).await;
    let original = pdf("合同全文（含单价）");
    let redacted = pdf("合同（单价已删除）");
    let annex = pdf("政府信息公开申请处理情况说明");
    let r = upload(&app, &o.clerk, &id, "disclosure", "合同.pdf", &original).await;
    let original_id = r.body["id"].as_str().unwrap().to_owned();
    assert_eq!(r.body["staff_only"], false);
    let r = upload_form(
        &app,
        &o.clerk,
        &id,
        form(
            &[("purpose", "disclosure"), ("redacts", &original_id)],
            Some(("合同（删减版）.pdf", &redacted)),
        ),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let redacted_id = r.body["id"].as_str().unwrap().to_owned();
    assert_eq!(r.body["redacts"], original_id.as_str());
    // A redaction is redacted once, and only the office's information.
    let again = form(
        &[("purpose", "disclosure"), ("redacts", &redacted_id)],
        Some(("再删.pdf", &redacted)),
    );
    let r = upload_form(&app, &o.clerk, &id, again).await;
    assert_eq!(r.body["errors"][0]["code"], "not_redactable", "{}", r.body);
    upload(&app, &o.approver, &id, "annex", "说明.pdf", &annex).await;
    upload(
        &app,
        &o.clerk,
        &id,
        "working",
        "处室意见.pdf",
        &pdf("内部意见"),
    )
    .await;

    // Before the answer the applicant reads only their own file.
    let mine = app
        .as_(&applicant)
        .get(&format!("/api/v1/applications/{id}/attachments"))
        .await;
    assert_eq!(ids_of(&mine), ["身份证.png"]);
    let staff = o
        .clerk()
        .get(&format!("/api/v1/applications/{id}/attachments"))
        .await;
    assert_eq!(
        ids_of(&staff),
        [
            "身份证.png",
            "合同.pdf",
            "合同（删减版）.pdf",
            "说明.pdf",
            "处室意见.pdf"
        ]
    );
    assert_eq!(
        staff.body["items"][1]["staff_only"], true,
        "the original is withheld"
    );
    assert_eq!(staff.body["items"][1]["uploaded_by"], "张三");
    // Auditors read; they, other offices and other applicants attach nothing.
    let r = app
        .as_(&auditor)
        .get(&format!("/api/v1/applications/{id}/attachments"))
        .await;
    assert_eq!(r.status, 200);
    assert_problem(
        &upload(&app, &auditor, &id, "annex", "a.png", PNG).await,
        403,
        ProblemCode::Forbidden,
    );
    for token in [&other.clerk, &stranger] {
        assert_problem(
            &app.as_(token)
                .get(&format!("/api/v1/applications/{id}/attachments"))
                .await,
            404,
            ProblemCode::NotFound,
        );
        assert_problem(
            &upload(&app, token, &id, "annex", "a.png", PNG).await,
            404,
            ProblemCode::NotFound,
        );
        let (status, ..) = download(&app, token, &id, &redacted_id).await;
        assert_eq!(status, 404);
    }
    let (status, ..) = download(&app, &applicant, &id, &redacted_id).await;
    assert_eq!(status, 404, "not before delivery");

    // The answer delivers the redacted version and the annex, each named with its hash.
    o.clerk()
        .act_ok(
            &id,
            Action::ProposeDecision,
            decision_for(gongkai::domain::case::Outcome::PartlyDisclosed, ""),
        )
        .await;
    o.approver().act_ok(&id, Action::Approve, json!({})).await;
    let delivered = o
        .clerk()
        .act_ok(
            &id,
            Action::Deliver,
            json!({ "method": "email", "delivered_on": today().to_string() }),
        )
        .await;
    assert_eq!(delivered["status"], "delivered");
    let letter = app
        .as_(&applicant)
        .get(&format!("/api/v1/applications/{id}/letter"))
        .await;
    let text = letter.body["text"]
        .as_str()
        .unwrap_or_else(|| letter.text())
        .to_owned();
    assert!(
        text.contains(&format!(
            "附件：1. 合同（删减版）.pdf（SHA-256：{}）",
            sha256(&redacted)
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!("2. 说明.pdf（SHA-256：{}）", sha256(&annex))),
        "{text}"
    );
    assert!(
        !text.contains(&sha256(&original)) && !text.contains("处室意见"),
        "{text}"
    );

    let mine = app
        .as_(&applicant)
        .get(&format!("/api/v1/applications/{id}/attachments"))
        .await;
    assert_eq!(
        ids_of(&mine),
        ["身份证.png", "合同（删减版）.pdf", "说明.pdf"]
    );
    for item in mine.body["items"].as_array().unwrap() {
        for absent in ["staff_only", "uploaded_by", "redacts"] {
            assert!(item.get(absent).is_none(), "{absent} in {item}");
        }
    }
    let (status, ct, cd, bytes) = download(&app, &applicant, &id, &redacted_id).await;
    assert_eq!((status, ct.as_str()), (200, "application/pdf"));
    assert_eq!(bytes, redacted);
    assert!(
        cd.starts_with("attachment") && cd.contains("filename*=UTF-8''"),
        "{cd}"
    );
    let (status, ..) = download(&app, &applicant, &id, &original_id).await;
    assert_eq!(status, 404, "the original stays with the office");
    let (status, _, _, bytes) = download(&app, &o.clerk, &id, &original_id).await;
    assert_eq!((status, bytes), (200, original.clone()));

    // The case is closed to new files.
    assert_problem(
        &upload(&app, &applicant, &id, "proof", "a.png", PNG).await,
        409,
        ProblemCode::FilesClosed,
    );

    // The chain covers every upload and the delivery lists what went, by hash.
    let events = o.clerk().events(&id).await;
    let uploads: Vec<&Value> = events
        .iter()
        .filter(|e| e["action"] == "attach_file")
        .collect();
    assert_eq!(uploads.len(), 5);
    let deliver = events.iter().find(|e| e["action"] == "deliver").unwrap();
    let sent: Vec<&str> = deliver["payload"]["attachments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["sha256"].as_str().unwrap())
        .collect();
    assert_eq!(sent, [sha256(&redacted), sha256(&annex)]);
    // The applicant's history: their own upload and the delivery's list, not the office's.
    let theirs = app.as_(&applicant).events(&id).await;
    let steps: Vec<&str> = theirs
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        steps.iter().filter(|s| **s == "attach_file").count(),
        1,
        "{steps:?}"
    );
    let seen = serde_json::to_string(&theirs).unwrap();
    assert!(
        !seen.contains(&sha256(&original)) && !seen.contains("处室意见"),
        "{seen}"
    );
    assert!(seen.contains(&sha256(&annex)));

    let v = app.as_(&auditor).get("/api/v1/audit/verify").await;
    assert_eq!(v.body["ok"], true, "{}", v.body);
}

fn tamper(app: &TestApp, sql: &str) {
    let conn = &mut *app.services.conn().unwrap();
    match conn {
        DbConnection::Sqlite(c) => c
            .batch_execute(&format!(
                "DROP TRIGGER IF EXISTS file_chunks_immutable_update; {sql}"
            ))
            .unwrap(),
        DbConnection::Postgres(c) => c
            .batch_execute(&format!(
                "ALTER TABLE file_chunks DISABLE TRIGGER USER; {sql}; ALTER TABLE file_chunks ENABLE TRIGGER USER"
            ))
            .unwrap(),
    }
}

#[actix_rt::test]
async fn the_audit_finds_a_file_altered_or_its_record_changed() {
    let app = TestApp::spawn().await;
    let o = office(&app, "BJHD");
    let auditor = app.add_user("审计员", Role::Auditor, None);
    let (id, applicant) = file_one(&app, "BJHD").await;
    let scan = pdf("申请表");
    let r = upload(&app, &applicant, &id, "request", "申请表.pdf", &scan).await;
    let file_id = r.body["id"].as_str().unwrap().to_owned();
    o.clerk().act_ok(&id, Action::Accept, json!({})).await;
    let v = app.as_(&auditor).get("/api/v1/audit/verify").await;
    assert_eq!(v.body["ok"], true, "{}", v.body);

    // The record pointed at other content: it no longer matches its upload event.
    let other = pdf("另一份");
    upload(&app, &o.clerk, &id, "working", "x.pdf", &other).await;
    let (sha_scan, sha_other) = (sha256(&scan), sha256(&other));
    tamper(
        &app,
        &format!("UPDATE attachments SET sha256 = '{sha_other}' WHERE id = '{file_id}'"),
    );
    let v = app.as_(&auditor).get("/api/v1/audit/verify").await;
    assert_eq!(v.body["ok"], false);
    assert_eq!(
        v.body["first_broken"]["problem"],
        json!({ "attachment_not_as_recorded": { "attachment_id": file_id } })
    );
    tamper(
        &app,
        &format!("UPDATE attachments SET sha256 = '{sha_scan}' WHERE id = '{file_id}'"),
    );

    // The content itself edited in the database.
    let patched = match &mut *app.services.conn().unwrap() {
        DbConnection::Sqlite(_) => "X'255044462D312E34'",
        DbConnection::Postgres(_) => "'\\x255044462d312e34'::bytea",
    };
    tamper(
        &app,
        &format!("UPDATE file_chunks SET data = {patched} WHERE sha256 = '{sha_scan}'"),
    );
    let v = app.as_(&auditor).get("/api/v1/audit/verify").await;
    assert_eq!(v.body["ok"], false);
    assert_eq!(
        v.body["first_broken"]["problem"],
        json!({ "file_altered": { "sha256": sha_scan } })
    );
    assert_eq!(v.body["first_broken"]["application_id"], id.as_str());
}

async fn delivered_with_files(
    app: &TestApp,
    o: &crate::helpers::Office<'_>,
    files: &[(&str, Vec<u8>)],
) -> String {
    let (id, _) = file_one(app, "BJHD").await;
    o.clerk().act_ok(&id, Action::Accept, json!({})).await;
    for (name, bytes) in files {
        let r = upload(app, &o.clerk, &id, "disclosure", name, bytes).await;
        assert_eq!(r.status, 201, "{}", r.body);
    }
    o.clerk()
        .act_ok(
            &id,
            Action::ProposeDecision,
            decision_for(gongkai::domain::case::Outcome::Disclosed, ""),
        )
        .await;
    o.approver().act_ok(&id, Action::Approve, json!({})).await;
    o.clerk()
        .act_ok(
            &id,
            Action::Deliver,
            json!({ "method": "email", "delivered_on": today().to_string() }),
        )
        .await;
    id
}

#[actix_rt::test]
async fn the_answer_e_mail_carries_the_files_up_to_its_limit_and_otherwise_says_where_to_get_them()
{
    let app = TestApp::spawn_with(|s| {
        s.files.email_limit = 64 * 1024;
        s.web.public_url = Some("https://gongkai.example.gov.cn".into());
    })
    .await;
    let o = office(&app, "BJHD");
    let port = free_port();
    let inbox = smtp_server(TcpListener::bind(("127.0.0.1", port)).unwrap());
    let mailer = gongkai::service::delivery::Mailer::new(
        Some(&gongkai::security::SecretUrl::new(format!(
            "smtp://127.0.0.1:{port}"
        ))),
        std::path::Path::new("unused"),
    )
    .unwrap();
    let (contract, photo) = (pdf("合同"), PNG.to_vec());
    delivered_with_files(
        &app,
        &o,
        &[
            ("合同.pdf", contract.clone()),
            ("现场照片.png", photo.clone()),
        ],
    )
    .await;
    let mut big = pdf("大文件");
    big.resize(70 * 1024, b' ');
    delivered_with_files(&app, &o, &[("大文件.pdf", big.clone())]).await;
    let sent = gongkai::service::delivery::deliver_due(
        &app.services,
        &mailer,
        "gongkai@test.local",
        chrono::Utc::now(),
    )
    .unwrap();
    assert_eq!(sent.failed, 0);

    let inbox = inbox.lock().unwrap();
    let answers: Vec<mail_parser::Message> = inbox
        .iter()
        .filter_map(|m| mail_parser::MessageParser::default().parse(&m.raw))
        .filter(|m| m.subject().unwrap_or_default().contains("答复书"))
        .collect();
    assert_eq!(answers.len(), 2, "two answers");
    let small = answers
        .iter()
        .find(|m| m.body_text(0).unwrap().contains("合同.pdf"))
        .unwrap();
    let files: Vec<(String, Vec<u8>)> = small
        .attachments()
        .map(|a| {
            (
                a.attachment_name().unwrap_or_default().to_owned(),
                a.contents().to_vec(),
            )
        })
        .collect();
    assert_eq!(
        files,
        [
            ("合同.pdf".to_owned(), contract.clone()),
            ("现场照片.png".to_owned(), photo)
        ]
    );
    let text = small.body_text(0).unwrap();
    assert!(
        text.contains(&sha256(&contract)) && text.contains("随本邮件附上"),
        "{text}"
    );

    let large = answers
        .iter()
        .find(|m| m.body_text(0).unwrap().contains("大文件.pdf"))
        .unwrap();
    assert_eq!(large.attachment_count(), 0);
    let text = large.body_text(0).unwrap();
    assert!(
        text.contains("未随本邮件附上") && text.contains("https://gongkai.example.gov.cn/track"),
        "{text}"
    );
    assert!(text.contains(&sha256(&big)));
}

#[actix_rt::test]
async fn a_backup_keeps_the_files_and_the_restored_copy_verifies() {
    let app = TestApp::spawn().await;
    let gongkai::db::DatabaseUrl::Sqlite(_) =
        gongkai::db::DatabaseUrl::parse(&app.database_url).unwrap()
    else {
        // PostgreSQL is backed up with pg_dump; the files are rows like any other.
        return;
    };
    let o = office(&app, "BJHD");
    let contract = pdf("备份中的合同");
    let id = delivered_with_files(&app, &o, &[("合同.pdf", contract.clone())]).await;
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("backup").join("gongkai.db");
    let url = gongkai::db::DatabaseUrl::parse(&app.database_url).unwrap();
    gongkai::service::backup::sqlite(&url, &copy, None).unwrap();

    // Restored: the copy put in place and opened as the service would.
    let restored =
        gongkai::db::DatabaseUrl::parse(&format!("sqlite://{}", copy.display())).unwrap();
    let services = gongkai::startup::open_services(&restored, app.key.clone(), 2).unwrap();
    let conn = &mut *services.conn().unwrap();
    let rows = gongkai::db::attachments::of_case(
        conn,
        &gongkai::domain::case::ApplicationId::parse(&id).unwrap(),
    )
    .unwrap();
    assert_eq!(rows.len(), 1);
    let bytes = gongkai::service::attachments::whole(conn, &rows[0].sha256).unwrap();
    assert_eq!(bytes, contract);
    let v = gongkai::service::audit::verify(conn, None, None).unwrap();
    assert!(v.ok, "{v:?}");
}

#[actix_rt::test]
async fn a_large_file_goes_in_and_out_whole_in_chunks() {
    let app = TestApp::spawn().await;
    let o = office(&app, "BJHD");
    let (id, _) = file_one(&app, "BJHD").await;
    // 5 MiB and a bit: six chunks, the last short.
    let mut big = pdf("大");
    big.extend((0..5 * 1024 * 1024 + 4321).map(|i: u32| (i % 251) as u8));
    let r = upload(&app, &o.clerk, &id, "disclosure", "大文件.pdf", &big).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let (status, _, _, bytes) = download(&app, &o.clerk, &id, r.body["id"].as_str().unwrap()).await;
    assert_eq!(status, 200);
    assert_eq!(bytes.len(), big.len());
    assert_eq!(sha256(&bytes), sha256(&big));
    assert_eq!(stored_files(&app).2, 6);
}

#[actix_rt::test]
async fn a_division_reads_no_files_even_of_a_case_forwarded_to_it() {
    let app = TestApp::spawn().await;
    let o = office(&app, "BJHD");
    let member = {
        use gongkai::service::{admin, divisions};
        let conn = &mut *app.services.conn().unwrap();
        let agency = admin::agency_by_code(conn, "BJHD").unwrap();
        divisions::add_division(conn, &agency, "FGC", "法规处").unwrap();
        let placed = divisions::Placement {
            division: Some("FGC"),
            ..divisions::Placement::default()
        };
        admin::add_placed_user(conn, "法规处 钱", Role::Clerk, Some("BJHD"), None, &placed)
            .unwrap()
            .1
    };
    let (id, applicant) = file_one(&app, "BJHD").await;
    upload(&app, &applicant, &id, "proof", "a.png", PNG).await;
    o.clerk().act_ok(&id, Action::Accept, json!({})).await;
    o.clerk()
        .act_ok(
            &id,
            Action::Forward,
            json!({ "divisions": ["FGC"], "asked": "请提出意见" }),
        )
        .await;
    assert_eq!(
        app.as_(&member).view(&id).await.status,
        200,
        "the case is theirs to read"
    );
    assert_problem(
        &app.as_(&member)
            .get(&format!("/api/v1/applications/{id}/attachments"))
            .await,
        404,
        ProblemCode::NotFound,
    );
    assert_problem(
        &upload(&app, &member, &id, "working", "a.png", PNG).await,
        404,
        ProblemCode::NotFound,
    );
}

/// A filing as a form: the application as JSON, and files.
fn filing_form(application: &Value, files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"application\"\r\n\
         Content-Type: application/json\r\n\r\n{application}\r\n"
    )
    .into_bytes();
    for (name, bytes) in files {
        out.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\r\n"
            )
            .as_bytes(),
        );
        out.extend_from_slice(bytes);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    out
}

fn cases_stored(app: &TestApp) -> i64 {
    use gongkai::db::schema::applications;
    let conn = &mut *app.services.conn().unwrap();
    applications::table.count().get_result(conn).unwrap()
}

#[actix_rt::test]
async fn a_filing_carries_its_files_and_is_opened_with_them_or_not_at_all() {
    let app = TestApp::spawn().await;
    let o = office(&app, "BJHD");
    let ct = format!("multipart/form-data; boundary={BOUNDARY}");
    let headers = [
        ("Content-Type", ct.as_str()),
        ("Idempotency-Key", "filing-with-files-1"),
    ];
    let scan = pdf("申请表（手写）");
    let body = filing_form(
        &crate::helpers::filing("BJHD"),
        &[("申请表.pdf", &scan), ("示意图.png", PNG)],
    );
    let r = app
        .public()
        .send("POST", "/api/v1/applications", &headers, Some(body.clone()))
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let (id, token) = (
        r.body["id"].as_str().unwrap().to_owned(),
        r.body["access_token"].as_str().unwrap().to_owned(),
    );
    let mine = app
        .as_(&token)
        .get(&format!("/api/v1/applications/{id}/attachments"))
        .await;
    assert_eq!(ids_of(&mine), ["申请表.pdf", "示意图.png"]);
    assert!(mine.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|a| a["purpose"] == "request"));
    assert_eq!(mine.body["items"][0]["sha256"], sha256(&scan));
    // Sent again with the same key: the same case, its files once.
    let again = app
        .public()
        .send("POST", "/api/v1/applications", &headers, Some(body))
        .await;
    assert_eq!(
        (again.status.as_u16(), again.body["id"].as_str()),
        (201, Some(id.as_str()))
    );
    assert_eq!(stored_files(&app).0, 2);
    let staff = o.clerk().events(&id).await;
    assert_eq!(
        staff
            .iter()
            .filter(|e| e["action"] == "attach_file")
            .count(),
        2
    );

    // One file that lies about its type: no case, no file.
    let (cases, files) = (cases_stored(&app), stored_files(&app));
    let lying = filing_form(
        &crate::helpers::filing("BJHD"),
        &[("a.pdf", &scan), ("b.pdf", b"MZ\x90\0\x03")],
    );
    let ct_only = [("Content-Type", ct.as_str())];
    let r = app
        .public()
        .send("POST", "/api/v1/applications", &ct_only, Some(lying))
        .await;
    assert_problem(&r, 415, ProblemCode::FileTypeNotAllowed);
    // A bad application with good files: its fields named, nothing stored.
    let mut bad = crate::helpers::filing("BJHD");
    bad["applicant"]["id_number"] = json!("110105194912310021");
    let r = app
        .public()
        .send(
            "POST",
            "/api/v1/applications",
            &ct_only,
            Some(filing_form(&bad, &[("a.pdf", &scan)])),
        )
        .await;
    assert_problem(&r, 422, ProblemCode::ValidationFailed);
    assert_eq!(
        r.body["errors"][0]["field"], "applicant.id_number",
        "{}",
        r.body
    );
    // No application part at all.
    let r = app
        .public()
        .send(
            "POST",
            "/api/v1/applications",
            &ct_only,
            Some(form(&[], Some(("a.pdf", &scan)))),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert_eq!((cases_stored(&app), stored_files(&app)), (cases, files));
}
