//! A form-posting client for the web pages: keeps the cookies a browser would, follows no
//! redirect by itself, and sends the anti-forgery token of the last page it read.
//! (The pages in a real browser are in `browser.rs`.)

use std::cell::RefCell;
use std::collections::BTreeMap;

use awc::http::StatusCode;
use gongkai::domain::workflow::Role;
use gongkai::service::sign_in;

use super::TestApp;

pub struct Page {
    pub status: StatusCode,
    pub headers: awc::http::header::HeaderMap,
    pub html: String,
}

impl Page {
    pub fn location(&self) -> Option<String> {
        self.headers
            .get("location")
            .map(|v| v.to_str().unwrap().to_owned())
    }

    /// The value of the first `<input name="NAME" value="…">` on the page.
    pub fn input(&self, name: &str) -> Option<String> {
        let at = self.html.find(&format!("name=\"{name}\""))?;
        let tag_start = self.html[..at].rfind('<')?;
        let tag_end = at + self.html[at..].find('>')?;
        let tag = &self.html[tag_start..tag_end];
        let v = tag.find("value=\"")? + "value=\"".len();
        let len = tag[v..].find('"')?;
        Some(html_unescape(&tag[v..v + len]))
    }

    pub fn csrf(&self) -> Option<String> {
        self.input("csrf_token")
    }

    #[track_caller]
    pub fn assert_has(&self, text: &str) -> &Self {
        assert!(
            self.html.contains(text),
            "{text:?} not on the page:\n{}",
            self.html
        );
        self
    }

    #[track_caller]
    pub fn assert_lacks(&self, text: &str) -> &Self {
        assert!(
            !self.html.contains(text),
            "{text:?} is on the page:\n{}",
            self.html
        );
        self
    }
}

fn html_unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#x2f;", "/")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// One visitor's cookies and the last page's form token.
pub struct WebClient<'a> {
    app: &'a TestApp,
    client: awc::Client,
    cookies: RefCell<BTreeMap<String, String>>,
    csrf: RefCell<Option<String>>,
}

impl TestApp {
    /// A new visitor of the pages, with no cookie yet.
    pub fn web(&self) -> WebClient<'_> {
        WebClient {
            app: self,
            client: awc::Client::builder().disable_redirects().finish(),
            cookies: RefCell::default(),
            csrf: RefCell::default(),
        }
    }

    /// A staff user who can sign in to the console: returns (login, password).
    pub fn add_console_user(
        &self,
        login: &str,
        role: Role,
        agency: Option<&str>,
    ) -> (String, String) {
        let conn = &mut *self.services.conn().unwrap();
        let (user, _) =
            gongkai::service::admin::add_user(conn, &format!("{login} 同志"), role, agency, None)
                .unwrap();
        let password = format!("{login}-secret-password");
        sign_in::set_login(conn, &user.id, login).unwrap();
        sign_in::set_password(conn, &user.id, &password).unwrap();
        (login.to_owned(), password)
    }
}

impl WebClient<'_> {
    fn cookie_header(&self) -> String {
        let jar = self.cookies.borrow();
        jar.iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn keep(&self, res: &awc::http::header::HeaderMap) {
        for v in res.get_all("set-cookie") {
            let v = v.to_str().unwrap();
            let first = v.split(';').next().unwrap();
            let (name, value) = first.split_once('=').unwrap();
            let gone = v.to_ascii_lowercase().contains("max-age=0") || value.is_empty();
            let mut jar = self.cookies.borrow_mut();
            if gone {
                jar.remove(name.trim());
            } else {
                jar.insert(name.trim().to_owned(), value.trim().to_owned());
            }
        }
    }

    pub fn cookie(&self, name: &str) -> Option<String> {
        self.cookies.borrow().get(name).cloned()
    }

    async fn finish(
        &self,
        mut res: awc::ClientResponse<
            impl futures_util::Stream<Item = Result<actix_web::web::Bytes, awc::error::PayloadError>>
                + Unpin,
        >,
    ) -> Page {
        self.keep(res.headers());
        let bytes = res.body().limit(16 * 1024 * 1024).await.unwrap();
        let page = Page {
            status: res.status(),
            headers: res.headers().clone(),
            html: String::from_utf8_lossy(&bytes).into_owned(),
        };
        if let Some(t) = page.csrf() {
            *self.csrf.borrow_mut() = Some(t);
        }
        page
    }

    pub async fn get(&self, path: &str) -> Page {
        let res = self
            .client
            .get(format!("{}{path}", self.app.address))
            .insert_header(("Cookie", self.cookie_header()))
            .send()
            .await
            .expect("the page answers");
        self.finish(res).await
    }

    /// Opens a page as a browser does (it accepts HTML first).
    pub async fn browse(&self, path: &str) -> Page {
        let res = self
            .client
            .get(format!("{}{path}", self.app.address))
            .insert_header(("Cookie", self.cookie_header()))
            .insert_header((
                "Accept",
                "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
            ))
            .send()
            .await
            .expect("the page answers");
        self.finish(res).await
    }

    /// Posts a form with the last page's anti-forgery token (unless `fields` has one).
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        self.post_raw(path, &self.with_token(fields)).await
    }

    /// `fields`, and the last page's anti-forgery token unless they carry one.
    fn with_token(&self, fields: &[(&str, &str)]) -> Vec<(String, String)> {
        let mut all: Vec<(String, String)> = fields
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        if !fields.iter().any(|(k, _)| *k == "csrf_token") {
            if let Some(t) = self.csrf.borrow().clone() {
                all.push(("csrf_token".to_owned(), t));
            }
        }
        all
    }

    /// Posts exactly these fields (no token added).
    pub async fn post_raw(&self, path: &str, fields: &[(String, String)]) -> Page {
        let res = self
            .client
            .post(format!("{}{path}", self.app.address))
            .insert_header(("Cookie", self.cookie_header()))
            .send_form(&fields)
            .await
            .expect("the page answers");
        self.finish(res).await
    }

    /// Posts a form as a browser does from the page `from` (its `Referer`: a path of this
    /// site, or a whole address), with the last page's anti-forgery token.
    pub async fn post_from(&self, from: &str, path: &str, fields: &[(&str, &str)]) -> Page {
        let all = self.with_token(fields);
        let res = self
            .client
            .post(format!("{}{path}", self.app.address))
            .insert_header(("Cookie", self.cookie_header()))
            .insert_header((
                "Referer",
                match from.starts_with("http") {
                    true => from.to_owned(),
                    false => format!("{}{from}", self.app.address),
                },
            ))
            .send_form(&all)
            .await
            .expect("the page answers");
        self.finish(res).await
    }

    /// Posts a `multipart/form-data` body as built (a file upload form).
    pub async fn post_multipart(&self, path: &str, boundary: &str, body: Vec<u8>) -> Page {
        let res = self
            .client
            .post(format!("{}{path}", self.app.address))
            .insert_header(("Cookie", self.cookie_header()))
            .insert_header((
                "Content-Type",
                format!("multipart/form-data; boundary={boundary}"),
            ))
            .send_body(body)
            .await
            .expect("the page answers");
        self.finish(res).await
    }

    /// Sends JSON where a page expects a form (what a script or a broken client might do).
    pub async fn post_json_as_form(&self, path: &str) -> Page {
        let res = self
            .client
            .post(format!("{}{path}", self.app.address))
            .insert_header(("Cookie", self.cookie_header()))
            .insert_header(("Content-Type", "application/json"))
            .send_body("{}")
            .await
            .expect("the page answers");
        self.finish(res).await
    }

    /// The last page's anti-forgery token.
    pub fn csrf_token(&self) -> Option<String> {
        self.csrf.borrow().clone()
    }

    /// A download's status and bytes.
    pub async fn get_bytes(&self, path: &str) -> (u16, Vec<u8>) {
        let mut res = self
            .client
            .get(format!("{}{path}", self.app.address))
            .insert_header(("Cookie", self.cookie_header()))
            .send()
            .await
            .expect("the page answers");
        let bytes = res.body().limit(64 * 1024 * 1024).await.unwrap();
        (res.status().as_u16(), bytes.to_vec())
    }

    /// Signs in to the console; panics unless the sign-in succeeds.
    pub async fn sign_in(&self, login: &str, password: &str) {
        self.get("/console/login").await;
        let page = self
            .post(
                "/console/login",
                &[
                    ("username", login),
                    ("password", password),
                    ("next", "/console/"),
                ],
            )
            .await;
        assert_eq!(page.status, 303, "{}", page.html);
        assert!(self.cookie("gongkai_session").is_some());
    }
}
