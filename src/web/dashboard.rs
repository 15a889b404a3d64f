//! The dashboard (`/console/dashboard`, any staff): one office's numbers as server-rendered SVG
//! bar charts (no script; each chart titled, labelled and followed by its numbers in a table),
//! from `service::dashboard`, which reads the same data as the case export and the report.

use actix_web::http::Method;
use actix_web::{web, HttpResponse};
use minijinja::{context, Value};
use serde::Deserialize;

use super::form::PageQuery;
use super::page::{self, WebError};
use super::session::Visitor;
use super::PageRoute;
use crate::service::{dashboard, divisions, ServiceError, Services};

pub fn routes() -> Vec<PageRoute> {
    vec![("/console/dashboard", Method::GET, web::get().to(show))]
}

#[derive(Deserialize)]
pub struct Params {
    agency: Option<String>,
}

const WIDTH: u64 = 640;
const HEIGHT: u64 = 260;
const LEFT: u64 = 16;
const TOP: u64 = 24;
/// Room under the plot for the category labels (up to three lines each).
const BOTTOM: u64 = 52;
/// The labels' font size in the chart's units (`.chart text` in the style sheet), and the
/// distance between a wrapped label's lines.
const FONT: f64 = 11.0;
const LINE: u64 = 13;

/// How wide `text` runs at the labels' size: a Chinese character is a full em, a Latin letter
/// or digit a little over half of one (an estimate on the safe side for the sans fonts used).
fn text_width(text: &str) -> f64 {
    text.chars().map(char_width).sum()
}

fn char_width(c: char) -> f64 {
    if c.is_ascii() {
        FONT * 0.62
    } else {
        FONT
    }
}

/// A category's name cut into lines no wider than `room`, so that neighbouring labels never
/// run into each other: a parenthesis starts a new line when the whole does not fit, and a
/// line that is still too wide is cut where it reaches the edge.
fn wrap_label(text: &str, room: f64) -> Vec<String> {
    if text_width(text) <= room {
        return vec![text.to_owned()];
    }
    let mut lines = Vec::new();
    let mut line = String::new();
    for c in text.chars() {
        let before_paren = c == '（' && !line.is_empty();
        let too_wide = text_width(&line) + char_width(c) > room && !line.is_empty();
        if before_paren || too_wide {
            // A closing mark never starts a line: the character before it comes along.
            let carried = match c {
                '）' | '，' | '。' | '、' if too_wide && line.chars().count() > 1 => line.pop(),
                _ => None,
            };
            lines.push(std::mem::take(&mut line));
            line.extend(carried);
        }
        line.push(c);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// A bar chart's geometry: each category a group of bars, one a series, with its number
/// above it and the category's name below.
fn chart(id: &str, title: &str, categories: &[String], series: &[(&str, Vec<u64>)]) -> Value {
    let max = series
        .iter()
        .flat_map(|(_, v)| v.iter().copied())
        .max()
        .unwrap_or(0)
        .max(1);
    let plot_h = HEIGHT - TOP - BOTTOM;
    let n = categories.len().max(1) as u64;
    let group_w = (WIDTH - 2 * LEFT) / n;
    let bar_w = (group_w * 3 / 4) / series.len().max(1) as u64;
    let mut bars = Vec::new();
    for (j, (name, values)) in series.iter().enumerate() {
        for (i, v) in values.iter().enumerate() {
            let h = v * plot_h / max;
            let x = LEFT + i as u64 * group_w + group_w / 8 + j as u64 * bar_w;
            bars.push(context! {
                x => x, y => TOP + plot_h - h, w => bar_w.max(1), h => h, value => v,
                series => j, text_x => x + bar_w / 2, text_y => TOP + plot_h - h - 4,
                title => format!("{}：{}，{}", categories.get(i).cloned().unwrap_or_default(), name, v),
            });
        }
    }
    // A little space between neighbours' labels.
    let room = group_w.saturating_sub(6) as f64;
    let labels: Vec<Value> = categories
        .iter()
        .enumerate()
        .map(|(i, c)| {
            context! { x => LEFT + i as u64 * group_w + group_w / 2, lines => wrap_label(c, room) }
        })
        .collect();
    let rows: Vec<Value> = categories
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let values: Vec<u64> = series
                .iter()
                .map(|(_, v)| v.get(i).copied().unwrap_or(0))
                .collect();
            context! { label => c, values => values }
        })
        .collect();
    let names: Vec<&str> = series.iter().map(|(n, _)| *n).collect();
    context! {
        id => id, title => title, width => WIDTH, height => HEIGHT, bars => bars,
        labels => labels, label_y => HEIGHT - BOTTOM + 16, line => LINE, axis_y => TOP + plot_h,
        axis_x2 => WIDTH - LEFT, left => LEFT, series => names, rows => rows,
    }
}

/// A heading of part 三 in a few words: "（二）部分公开（区分处理的…）" → "部分公开".
fn short(label: &str) -> String {
    let rest = label.split_once('）').map_or(label, |(_, r)| r);
    rest.split('（').next().unwrap_or(rest).to_owned()
}

fn charts(d: &dashboard::Dashboard) -> Vec<Value> {
    let months: Vec<String> = d
        .tally
        .months
        .iter()
        .map(|m| format!("{}月", m.month))
        .collect();
    let received: Vec<u64> = d.tally.months.iter().map(|m| m.received).collect();
    let answered: Vec<u64> = d.tally.months.iter().map(|m| m.answered).collect();
    let on_time: Vec<u64> = d.tally.months.iter().map(|m| m.on_time).collect();
    let outcomes: Vec<String> = d.outcomes.iter().map(|o| short(o.label)).collect();
    let buckets: Vec<String> = d.buckets.iter().map(|b| b.label.to_owned()).collect();
    let first = d
        .tally
        .months
        .first()
        .map(|m| (m.year, m.month))
        .unwrap_or_default();
    vec![
        chart(
            "received",
            &format!("近12个月收到的申请（自{}年{}月起）", first.0, first.1),
            &months,
            &[("收到申请", received)],
        ),
        chart(
            "answered",
            "近12个月答复情况（答复件数与其中按期答复件数）",
            &months,
            &[("答复", answered), ("按期答复", on_time)],
        ),
        chart(
            "outcomes",
            &format!("{}年办理结果（与年度报告第三部分相同分组）", d.year),
            &outcomes,
            &[("件数", d.outcomes.iter().map(|o| o.count).collect())],
        ),
        chart(
            "open",
            "在办案件按下一期限分布",
            &buckets,
            &[("件数", d.buckets.iter().map(|b| b.count).collect())],
        ),
    ]
}

async fn show(
    visitor: Visitor,
    services: web::Data<Services>,
    q: PageQuery<Params>,
) -> Result<HttpResponse, WebError> {
    let me = visitor.office_staff(&services, &[]).await?;
    let (s, m, asked) = (services.clone(), me.clone(), q.into_inner().agency);
    let (d, offices, turnaround) = web::block(move || {
        let offices = super::auditor::offices(&s, m.staff.agency_id.as_deref())?;
        let code = asked
            .filter(|a| !a.trim().is_empty())
            .or_else(|| offices.first().map(|o| o.0.clone()))
            .ok_or(ServiceError::NoSuchAgency)?;
        let d = dashboard::office(&s, m.credential(), &code)?;
        // The divisions' turnaround over the same twelve months as the charts (issue 16).
        let from = d
            .tally
            .months
            .first()
            .and_then(|m| chrono::NaiveDate::from_ymd_opt(m.year, m.month, 1))
            .unwrap_or(d.today);
        let turnaround = divisions::api::turnaround(&s, m.credential(), &code, from, d.today)?;
        Ok::<_, WebError>((d, offices, turnaround))
    })
    .await??;
    page::html(
        &visitor,
        &services.key,
        Some(&me.principal),
        "console/dashboard.html",
        context! {
            charts => charts(&d), offices => offices, turnaround => turnaround, bound => me.staff.agency_id.is_some(),
            agency => context! { code => d.agency.code.to_string(), name => d.agency.name },
            today => d.today,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_label_wider_than_its_bar_group_is_wrapped_and_keeps_every_character() {
        // Five buckets share 608 units: 115 each after the gap.
        let room = ((WIDTH - 2 * LEFT) / 5 - 6) as f64;
        for label in [
            "暂停计算（等待申请人或第三方）",
            "10个工作日以后到期",
            "4至10个工作日内到期",
            "已逾期",
        ] {
            let lines = wrap_label(label, room);
            assert_eq!(lines.concat(), label);
            assert!(lines.len() <= 3, "{lines:?}");
            for l in &lines {
                assert!(text_width(l) <= room, "{l} is {} wide", text_width(l));
            }
        }
        assert_eq!(
            wrap_label("暂停计算（等待申请人或第三方）", room),
            vec!["暂停计算", "（等待申请人或第三", "方）"]
        );
        assert_eq!(wrap_label("已逾期", room), vec!["已逾期"]);
        // Twelve months in one chart: each month's name fits its narrow group.
        let month_room = ((WIDTH - 2 * LEFT) / 12 - 6) as f64;
        assert_eq!(wrap_label("12月", month_room), vec!["12月"]);
    }
}
