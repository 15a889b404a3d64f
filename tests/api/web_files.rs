//! Files on the pages (issue 17): the clerk uploads the office's information and a redacted
//! version on the case page, the applicant adds a scan on the tracking page, each reads only
//! what is theirs, and a form without its token stores nothing.

use gongkai::domain::case::Outcome;
use gongkai::domain::workflow::Role;
use serde_json::json;

use crate::answers::decision_for;
use crate::attachments::{pdf, sha256, PNG};
use crate::helpers::{file_one, office, today, Action, TestApp};

const BOUNDARY: &str = "----gongkai-page-boundary";

fn upload_form(csrf: Option<&str>, fields: &[(&str, &str)], file: (&str, &[u8])) -> Vec<u8> {
    let mut out = Vec::new();
    let mut text = |name: &str, value: &str| {
        out.extend_from_slice(
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                .as_bytes(),
        )
    };
    if let Some(t) = csrf {
        text("csrf_token", t);
    }
    for (k, v) in fields {
        text(k, v);
    }
    out.extend_from_slice(
        format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{}\"\r\n\r\n",
            file.0
        )
        .as_bytes(),
    );
    out.extend_from_slice(file.1);
    out.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    out
}

fn file_link(html: &str, name: &str) -> String {
    let at = html
        .find(&format!(">{name}</a>"))
        .unwrap_or_else(|| panic!("{name} not listed"));
    let href = html[..at].rfind("href=\"").unwrap() + 6;
    let end = html[href..].find('"').unwrap();
    // minijinja escapes `/` in attributes.
    html[href..href + end].replace("&#x2f;", "/")
}

#[actix_rt::test]
async fn the_clerk_and_the_applicant_each_upload_and_read_their_files_on_the_pages() {
    let app = TestApp::spawn().await;
    let o = office(&app, "BJHD");
    let (login, password) = app.add_console_user("wangxiao", Role::Clerk, Some("BJHD"));
    let (id, token) = file_one(&app, "BJHD").await;
    let tracking = o.clerk().view(&id).await.body["tracking_number"]
        .as_str()
        .unwrap()
        .to_owned();
    o.clerk().act_ok(&id, Action::Accept, json!({})).await;

    let clerk = app.web();
    clerk.sign_in(&login, &password).await;
    let page = clerk.get(&format!("/console/cases/{id}")).await;
    page.assert_has("文件")
        .assert_has("暂无文件")
        .assert_has("enctype=\"multipart/form-data\"");
    let csrf = clerk.csrf_token().unwrap();
    // Without the page's token nothing is stored.
    let path = format!("/console/cases/{id}/files");
    let original = pdf("合同全文");
    let r = clerk
        .post_multipart(
            &path,
            BOUNDARY,
            upload_form(
                None,
                &[("purpose", "disclosure")],
                ("清单原件.pdf", &original),
            ),
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.html);
    assert!(o
        .clerk()
        .get(&format!("/api/v1/applications/{id}/attachments"))
        .await
        .body["items"]
        .as_array()
        .unwrap()
        .is_empty());
    let r = clerk
        .post_multipart(
            &path,
            BOUNDARY,
            upload_form(
                Some(&csrf),
                &[("purpose", "disclosure")],
                ("清单原件.pdf", &original),
            ),
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.html);
    let page = clerk.get(&format!("/console/cases/{id}")).await;
    page.assert_has("清单原件.pdf")
        .assert_has(&sha256(&original))
        .assert_has("删减版本的原件");
    let original_id = file_link(&page.html, "清单原件.pdf")
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned();
    let redacted = pdf("合同（删减）");
    let r = clerk
        .post_multipart(
            &path,
            BOUNDARY,
            upload_form(
                Some(&csrf),
                &[("purpose", "disclosure"), ("redacts", &original_id)],
                ("清单删减版.pdf", &redacted),
            ),
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.html);
    // A file of a refused kind: a Chinese error, nothing stored.
    let r = clerk
        .post_multipart(
            &path,
            BOUNDARY,
            upload_form(Some(&csrf), &[("purpose", "annex")], ("x.pdf", b"MZ\x90\0")),
        )
        .await;
    assert_eq!(r.status, 415);
    assert!(r.html.contains("文件类型不被接受"), "{}", r.html);
    let page = clerk.get(&format!("/console/cases/{id}")).await;
    page.assert_has("仅内部")
        .assert_has("删减版本")
        .assert_lacks("x.pdf");
    let (status, bytes) = clerk
        .get_bytes(&file_link(&page.html, "清单原件.pdf"))
        .await;
    assert_eq!((status, bytes), (200, original.clone()));

    // The applicant adds a scan on the tracking page, and sees nothing of the office's yet.
    let applicant = app.web();
    applicant.get("/track").await;
    let r = applicant
        .post(
            "/track",
            &[
                ("tracking_number", tracking.as_str()),
                ("access_token", token.as_str()),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.html);
    let page = applicant.get("/track/case").await;
    page.assert_has("上传文件").assert_lacks("清单");
    let csrf = applicant.csrf_token().unwrap();
    let r = applicant
        .post_multipart(
            "/track/files",
            BOUNDARY,
            upload_form(Some(&csrf), &[("purpose", "proof")], ("身份证.png", PNG)),
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.html);
    let page = applicant.get("/track/case?done=file").await;
    page.assert_has("文件已上传")
        .assert_has("身份证.png")
        .assert_lacks("清单");
    // The office's file is not theirs to download before the answer, by any address.
    let (status, _) = applicant
        .get_bytes(&format!("/track/files/{original_id}"))
        .await;
    assert_eq!(status, 404);

    // Answered: the redacted version reaches them, the original never.
    o.clerk()
        .act_ok(
            &id,
            Action::ProposeDecision,
            decision_for(Outcome::PartlyDisclosed, ""),
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
    let page = applicant.get("/track/case").await;
    page.assert_has("清单删减版.pdf")
        .assert_has("随答复送达")
        .assert_has(&sha256(&redacted));
    page.assert_lacks(">清单原件.pdf<")
        .assert_lacks(&sha256(&original))
        .assert_lacks("action=\"/track/files\"");
    let (status, bytes) = applicant
        .get_bytes(&file_link(&page.html, "清单删减版.pdf"))
        .await;
    assert_eq!((status, bytes), (200, redacted));
    let (status, _) = applicant
        .get_bytes(&format!("/track/files/{original_id}"))
        .await;
    assert_eq!(status, 404);
    // The letter on the page names the delivered file with its hash.
    let letter = applicant.get("/track/letter").await;
    letter.assert_has("附件：1. 清单删减版.pdf");
}
