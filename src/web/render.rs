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
        env.add_filter("cn_dates", |s: String| cn_dates_in(&s));
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

/// A sentence with its dates (`2026-11-30`) written as people read them (2026年11月30日): for
/// text on a page, never for an input's value.
pub fn cn_dates_in(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        let candidate = text.get(i..i + 10).filter(|c| {
            let b = c.as_bytes();
            b[4] == b'-'
                && b[7] == b'-'
                && b.iter()
                    .enumerate()
                    .all(|(k, d)| k == 4 || k == 7 || d.is_ascii_digit())
        });
        let alone = i == 0 || !bytes[i - 1].is_ascii_digit();
        let ends = bytes.get(i + 10).is_none_or(|b| !b.is_ascii_digit());
        if let Some(date) = candidate
            .filter(|_| alone && ends)
            .and_then(|c| c.parse::<chrono::NaiveDate>().ok())
        {
            out.push_str(&crate::domain::letter::cn_date(date));
            i += 10;
            continue;
        }
        let ch = text[i..].chars().next().unwrap_or_default();
        out.push(ch);
        i += ch.len_utf8().max(1);
    }
    out
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
    fn dates_in_a_sentence_are_written_in_chinese() {
        assert_eq!(
            super::cn_dates_in("自2026-11-30起7个工作日，2026-12-09届满。"),
            "自2026年11月30日起7个工作日，2026年12月9日届满。"
        );
        assert_eq!(super::cn_dates_in("编号 12026-11-300"), "编号 12026-11-300");
    }

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
