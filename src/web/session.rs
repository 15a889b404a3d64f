//! Who is at the page: the session cookie (staff console or an applicant's tracking page), the
//! form cookie that anchors anti-forgery tokens before sign-in, and the client's address.

use actix_web::cookie::{time::Duration as CookieAge, Cookie, SameSite};
use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest, HttpResponseBuilder};

use super::page::WebError;
use crate::domain::workflow::Role;
use crate::security::{new_token, SecretKey, SESSION_PREFIX};
use crate::service::auth::{Principal, Staff};
use crate::service::{sign_in, Services};

/// The staff console's session.
pub const SESSION_COOKIE: &str = "gongkai_session";
/// An applicant's tracking page session: a cookie of its own, so that a staff member who opens
/// the tracking page in the same browser stays signed in to the console.
pub const TRACK_COOKIE: &str = "gongkai_track";
pub const FORM_COOKIE: &str = "gongkai_form";
/// The name of every form's anti-forgery input.
pub const CSRF_FIELD: &str = "csrf_token";

/// How the pages' cookies and sessions behave, from the settings.
#[derive(Debug, Clone)]
pub struct WebSettings {
    /// `Secure` cookies: set when the service's public address is https.
    pub secure_cookies: bool,
    /// A session unused this long is closed (default 30 minutes).
    pub session_idle: chrono::Duration,
    /// Proxies trusted to append the client's address to X-Forwarded-For (as for intake).
    pub trusted_proxies: u8,
    /// The address people reach the service at (GONGKAI_PUBLIC_URL), for links in staff e-mails.
    pub public_url: Option<String>,
}

impl Default for WebSettings {
    fn default() -> Self {
        Self {
            secure_cookies: false,
            session_idle: chrono::Duration::minutes(30),
            trusted_proxies: 0,
            public_url: None,
        }
    }
}

/// The visitor of a page, read from the request without touching the database.
#[derive(Debug, Clone)]
pub struct Visitor {
    /// The console session cookie's secret, if any (checked by `staff`).
    pub session: Option<String>,
    /// The tracking session cookie's secret, if any (checked by `applicant`).
    pub track: Option<String>,
    form_anchor: String,
    new_anchor: bool,
    pub address: String,
    pub settings: WebSettings,
    /// The path and query of the page.
    pub here: String,
    /// Where to return after signing in: this page, or for a form sent after the session
    /// ended (its address answers only POST) the page it was sent from, else the console's
    /// start.
    pub return_to: String,
}

impl FromRequest for Visitor {
    type Error = WebError;
    type Future = std::future::Ready<Result<Self, WebError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let settings = req
            .app_data::<web::Data<WebSettings>>()
            .map(|s| s.get_ref().clone())
            .unwrap_or_default();
        let session = req
            .cookie(SESSION_COOKIE)
            .map(|c| c.value().to_owned())
            .filter(|v| v.starts_with(SESSION_PREFIX));
        let track = req
            .cookie(TRACK_COOKIE)
            .map(|c| c.value().to_owned())
            .filter(|v| v.starts_with(SESSION_PREFIX));
        let existing = req
            .cookie(FORM_COOKIE)
            .map(|c| c.value().to_owned())
            .filter(|v| v.len() >= 32);
        let new_anchor = existing.is_none();
        let form_anchor = existing.unwrap_or_else(|| new_token("gkf_"));
        let address = crate::http::limits::client_ip(
            req.headers(),
            req.peer_addr(),
            settings.trusted_proxies,
        )
        .map_or_else(|| "unknown".to_owned(), |ip| ip.to_string());
        let here = req
            .uri()
            .path_and_query()
            .map_or_else(|| "/".to_owned(), |p| p.as_str().to_owned());
        let return_to = if req.method() == actix_web::http::Method::GET {
            here.clone()
        } else {
            form_page(req).unwrap_or_else(|| "/console/".to_owned())
        };
        std::future::ready(Ok(Self {
            session,
            track,
            form_anchor,
            new_anchor,
            address,
            settings,
            here,
            return_to,
        }))
    }
}

/// The console page a form was sent from (its `Referer`, when it is this site's own console
/// page), so that signing in again after the session ended leads back to it, not to the start.
fn form_page(req: &HttpRequest) -> Option<String> {
    let referer = req.headers().get(actix_web::http::header::REFERER)?;
    let uri: actix_web::http::Uri = referer.to_str().ok()?.parse().ok()?;
    let host = req.connection_info().host().to_owned();
    if uri.authority().is_some_and(|a| a.as_str() != host) {
        return None;
    }
    let page = uri.path_and_query()?.as_str();
    (page.starts_with("/console/") && !page.starts_with("/console/login")).then(|| page.to_owned())
}

/// A staff member signed in to the console, with the secret that stands for them in use cases.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub staff: Staff,
    pub principal: Principal,
    /// Passed to the use cases as their credential (they accept a checked session's secret).
    pub secret: String,
}

impl SignedIn {
    pub fn credential(&self) -> Option<&str> {
        Some(&self.secret)
    }
}

impl Visitor {
    /// The anti-forgery token every form of this page carries.
    pub fn csrf_token(&self, key: &SecretKey) -> String {
        key.csrf_token(self.anchor())
    }

    fn anchor(&self) -> &str {
        self.session
            .as_deref()
            .or(self.track.as_deref())
            .unwrap_or(&self.form_anchor)
    }

    /// Refuses a state-changing form whose token is missing or not this visitor's.
    pub fn check_csrf(&self, key: &SecretKey, given: Option<&str>) -> Result<(), WebError> {
        match given {
            Some(t) if key.csrf_matches(self.anchor(), t) => Ok(()),
            _ => Err(WebError::Csrf),
        }
    }

    /// Sets the form cookie on a response when this visit created it.
    pub fn keep_cookies(&self, res: &mut HttpResponseBuilder) {
        if self.new_anchor {
            res.cookie(self.cookie(FORM_COOKIE, self.form_anchor.clone(), None));
        }
    }

    /// An `HttpOnly`, `SameSite=Strict` cookie for the whole site (`Secure` over https).
    pub fn cookie(
        &self,
        name: &'static str,
        value: String,
        age: Option<CookieAge>,
    ) -> Cookie<'static> {
        let mut c = Cookie::build(name, value)
            .path("/")
            .http_only(true)
            .same_site(SameSite::Strict)
            .secure(self.settings.secure_cookies)
            .finish();
        if let Some(age) = age {
            c.set_max_age(age);
        }
        c
    }

    /// The console session's principal if it is open (not signed out, not idle too long).
    pub async fn principal(
        &self,
        services: &web::Data<Services>,
    ) -> Result<Option<Principal>, WebError> {
        self.open(services, self.session.clone()).await
    }

    /// The tracking session's principal if it is open.
    pub async fn tracking(
        &self,
        services: &web::Data<Services>,
    ) -> Result<Option<Principal>, WebError> {
        self.open(services, self.track.clone()).await
    }

    async fn open(
        &self,
        services: &web::Data<Services>,
        secret: Option<String>,
    ) -> Result<Option<Principal>, WebError> {
        let Some(secret) = secret else {
            return Ok(None);
        };
        let services = services.clone();
        let idle = self.settings.session_idle;
        let found = web::block(move || {
            let conn = &mut *services.conn()?;
            sign_in::principal_of_session(conn, &secret, idle, services.now())
        })
        .await??;
        Ok(found)
    }

    /// The signed-in staff member, of one of `roles` (all staff roles when empty); otherwise
    /// the sign-in page (then back here) or a refusal.
    pub async fn staff(
        &self,
        services: &web::Data<Services>,
        roles: &[Role],
    ) -> Result<SignedIn, WebError> {
        let principal = self.principal(services).await?;
        let (Some(Principal::Staff(staff)), Some(secret)) =
            (principal.clone(), self.session.clone())
        else {
            return Err(WebError::SignIn(self.return_to.clone()));
        };
        if !roles.is_empty() && !roles.contains(&staff.role) {
            return Err(WebError::Forbidden);
        }
        Ok(SignedIn {
            principal: Principal::Staff(staff.clone()),
            staff,
            secret,
        })
    }

    /// `staff`, for the office's own staff only: a division's staff (处室) work on what is
    /// forwarded to them, not on the office's registering or statistics (403).
    pub async fn office_staff(
        &self,
        services: &web::Data<Services>,
        roles: &[Role],
    ) -> Result<SignedIn, WebError> {
        let me = self.staff(services, roles).await?;
        if me.staff.division_id.is_some() {
            return Err(WebError::Forbidden);
        }
        Ok(me)
    }

    /// The applicant whose tracking page this session opened, with the session's secret;
    /// otherwise back to the tracking form.
    pub async fn applicant(
        &self,
        services: &web::Data<Services>,
    ) -> Result<(Principal, String), WebError> {
        match (self.tracking(services).await?, self.track.clone()) {
            (Some(p @ Principal::Applicant { .. }), Some(secret)) => Ok((p, secret)),
            _ => Err(WebError::Track),
        }
    }
}
