//! The pages' templates (`templates/web/`, built into the binary by build.rs) and the filters
//! they share: Chinese dates, yuan from fen, and the Chinese names of statuses and actions.

use std::sync::OnceLock;

use minijinja::{Environment, Value};

use super::page::WebError;
use crate::domain::case::{Channel, Outcome};
use crate::domain::labels;
use crate::http::problem::ApiError;
use crate::service::templates::{cn_date, status_label, yuan};

fn env() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        minijinja_embed::load_templates!(&mut env);
        env.add_filter("cn_date", cn_date);
        env.add_filter("yuan", yuan);
        env.add_filter("status_label", |s: String| status_label(&s).to_owned());
        env.add_filter("action_label", |s: String| {
            labels::step_label(&s).map_or(s.clone(), str::to_owned)
        });
        env.add_filter("channel_label", |s: String| {
            Channel::parse(&s).map_or(s.clone(), |c| labels::channel_label(c).to_owned())
        });
        env.add_filter("outcome_label", |s: String| {
            Outcome::parse(&s).map_or(s.clone(), |o| o.label().to_owned())
        });
        env
    })
}

/// Renders a page; a template that fails is a fault of the service (500, cause logged).
pub fn render(name: &str, ctx: Value) -> Result<String, WebError> {
    env()
        .get_template(name)
        .and_then(|t| t.render(ctx))
        .map_err(|e| WebError::Problem(ApiError::internal(&format!("page {name}: {e:#}"))))
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_page_template_parses() {
        let env = super::env();
        let names: Vec<String> = env.templates().map(|(n, _)| n.to_owned()).collect();
        assert!(names.iter().any(|n| n == "base.html"), "{names:?}");
        for name in names {
            env.get_template(&name).unwrap();
        }
    }
}
