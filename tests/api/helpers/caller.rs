//! A client per person: `app.as_(&token)` (or `o.clerk()`) speaks to the service as that person,
//! so that a test reads as who does what: `clerk.act(&id, Action::Accept, json!({}))`.

use std::future::Future;

use diesel::prelude::*;
use gongkai::db::schema::applications;
use serde_json::{json, Value};

use super::{Reply, TestApp};

/// The workflow's own action names (`domain::workflow::ActionKind`), not strings.
pub use gongkai::domain::workflow::ActionKind as Action;

/// One person at the service: a staff token, an applicant's access token, or nobody.
#[derive(Clone)]
pub struct Caller<'a> {
    app: &'a TestApp,
    token: Option<String>,
}

impl TestApp {
    /// The person holding `token` (a staff token or an applicant's access token).
    pub fn as_(&self, token: impl AsRef<str>) -> Caller<'_> {
        self.as_maybe(Some(token.as_ref()))
    }

    /// Somebody without a token (the public, an applicant filing online).
    pub fn public(&self) -> Caller<'_> {
        self.as_maybe(None)
    }

    /// The person holding `token`, or nobody.
    pub fn as_maybe(&self, token: Option<&str>) -> Caller<'_> {
        Caller {
            app: self,
            token: token.map(str::to_owned),
        }
    }

    /// The case's version as stored now: what a person who just read the case would send.
    pub fn version_of(&self, id: &str) -> i64 {
        let conn = &mut *self.services.conn().unwrap();
        applications::table
            .find(id)
            .select(applications::version)
            .first::<i32>(conn)
            .optional()
            .unwrap()
            // An unknown case: any version, the service refuses it for what it is.
            .map_or(1, i64::from)
    }
}

// The requests own what they send, so that a future outlives the caller that made it
// (`join_all((0..8).map(|_| o.clerk().act(…)))`).
impl<'a> Caller<'a> {
    /// Any request, with extra headers and a raw body (JSON unless a content type is given).
    pub fn send(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<Vec<u8>>,
    ) -> impl Future<Output = Reply> + 'a {
        let (app, token) = (self.app, self.token.clone());
        let (method, path) = (method.to_owned(), path.to_owned());
        let headers: Vec<(String, String)> = headers
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        async move {
            let headers: Vec<(&str, &str)> = headers
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            app.send(&method, &path, token.as_deref(), &headers, body)
                .await
        }
    }

    pub fn get(&self, path: &str) -> impl Future<Output = Reply> + 'a {
        self.send("GET", path, &[], None)
    }

    pub fn post(&self, path: &str, body: &Value) -> impl Future<Output = Reply> + 'a {
        let body = serde_json::to_vec(body).unwrap();
        self.send("POST", path, &[], Some(body))
    }

    /// A POST without a body (enable, disable, rotate-token, retry).
    pub fn post_empty(&self, path: &str) -> impl Future<Output = Reply> + 'a {
        self.send("POST", path, &[], None)
    }

    pub fn put(&self, path: &str, body: impl Into<Vec<u8>>) -> impl Future<Output = Reply> + 'a {
        self.send("PUT", path, &[], Some(body.into()))
    }

    /// Files an application online (`POST /api/v1/applications`).
    pub fn file(&self, body: &Value) -> impl Future<Output = Reply> + 'a {
        self.post("/api/v1/applications", body)
    }

    /// The case as this person may see it (`GET /api/v1/applications/{id}`).
    pub fn view(&self, id: &str) -> impl Future<Output = Reply> + 'a {
        self.get(&format!("/api/v1/applications/{id}"))
    }

    /// Takes `action` on the case as it stands when sent (its current version): for tests about
    /// the step, not about versions. Not for two actions on one case at once: use `act_at`.
    pub fn act(&self, id: &str, action: Action, body: Value) -> impl Future<Output = Reply> + 'a {
        let (me, id) = (self.clone(), id.to_owned());
        async move {
            let version = me.app.version_of(&id);
            let r = me.act_at(&id, action, version, body).await;
            // What hand-counted versions used to check on the way: an accepted action makes
            // exactly one new version, a refused one none.
            if r.status == 200 {
                assert_eq!(r.body["version"], version + 1, "{action}: {}", r.body);
            } else {
                assert_eq!(
                    me.app.version_of(&id),
                    version,
                    "{action} refused: {}",
                    r.body
                );
            }
            r
        }
    }

    /// Takes `action`, which must be accepted; the case as it is afterwards.
    pub fn act_ok(
        &self,
        id: &str,
        action: Action,
        body: Value,
    ) -> impl Future<Output = Value> + 'a {
        let reply = self.act(id, action, body);
        async move {
            let r = reply.await;
            assert_eq!(r.status, 200, "{action}: {}", r.body);
            r.body
        }
    }

    /// Takes `action` claiming to have read `version` (in the body): for tests about versions.
    pub fn act_at(
        &self,
        id: &str,
        action: Action,
        version: i64,
        body: Value,
    ) -> impl Future<Output = Reply> + 'a {
        let mut body = body;
        body["version"] = json!(version);
        self.post(
            &format!("/api/v1/applications/{id}/actions/{action}"),
            &body,
        )
    }

    /// The case's events as this person may see them; asserts they may.
    pub fn events(&self, id: &str) -> impl Future<Output = Vec<Value>> + 'a {
        let reply = self.get(&format!("/api/v1/applications/{id}/events"));
        async move {
            let r = reply.await;
            assert_eq!(r.status, 200, "{}", r.body);
            r.body["items"].as_array().unwrap().clone()
        }
    }
}
