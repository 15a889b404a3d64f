//! The annual report as JSON, as CSV (with a BOM, for spreadsheets) and as a printable page in
//! the national layout, each showing the legal check 一+二 = 三（七）+四 column by column.

use serde_json::{json, Value};

use super::report::AnnualReport;
use crate::domain::report::{CHALLENGE_COLUMNS, CHALLENGE_GROUPS, COLUMNS, ROWS};

fn yuan(fen: i64) -> String {
    format!("{}.{:02}", fen / 100, fen % 100)
}

/// The report as data; each counted cell names the URL that lists its cases.
pub fn json(r: &AnnualReport) -> Value {
    let (code, year) = (&r.agency.code, r.year);
    let rows: Vec<Value> = r
        .table
        .printed()
        .map(|(row, counts)| {
            let counts = counts.map(|n| {
                let cells: serde_json::Map<String, Value> = COLUMNS
                    .iter()
                    .zip(n)
                    .map(|((key, _), n)| (key.to_string(), json!(n)))
                    .collect();
                Value::Object(cells)
            });
            json!({
                "key": row.key,
                "label": row.label,
                "level": row.level,
                "counts": counts,
                "cases_url": row.counted.then(|| format!(
                    "/api/v1/reports/annual/cases?agency={code}&year={year}&row={}&column=total",
                    row.key
                )),
            })
        })
        .collect();
    let check: Vec<Value> = COLUMNS
        .iter()
        .zip(r.table.check())
        .map(|((key, label), (left, right))| {
            json!({ "column": key, "label": label, "new_plus_carried_over": left,
                    "results_plus_carried_forward": right, "holds": left == right })
        })
        .collect();
    let groups: Vec<Value> = CHALLENGE_GROUPS
        .iter()
        .zip(r.challenges)
        .map(|((key, label), n)| {
            let counts: serde_json::Map<String, Value> = CHALLENGE_COLUMNS
                .iter()
                .zip(n)
                .map(|((k, _), n)| (k.to_string(), json!(n)))
                .collect();
            json!({ "key": key, "label": label, "counts": counts })
        })
        .collect();
    json!({
        "agency": { "code": code, "name": r.agency.name },
        "year": year,
        "columns": COLUMNS.iter().map(|(k, l)| json!({ "key": k, "label": l })).collect::<Vec<_>>(),
        "rows": rows,
        "check": { "rule": "一+二=三（七）+四", "holds": r.table.check_holds(), "columns": check },
        "challenges": {
            "columns": CHALLENGE_COLUMNS.iter().map(|(k, l)| json!({ "key": k, "label": l })).collect::<Vec<_>>(),
            "groups": groups,
        },
        "fees_collected_fen": r.fees_collected_fen,
        "fees_collected_yuan": yuan(r.fees_collected_fen),
        "fees_paid_cases": r.fees_paid,
        "convenience_replies": r.convenience_replies,
        "fees_waived": r.fees_waived,
    })
}

/// The report as CSV: part 三 as printed, the check, part 四 and the fees.
pub fn csv(r: &AnnualReport) -> Result<Vec<u8>, String> {
    let mut out = "\u{feff}".as_bytes().to_vec();
    {
        let mut w = csv::WriterBuilder::new()
            .flexible(true)
            .from_writer(&mut out);
        let mut write = |cells: Vec<String>| {
            let cells = cells
                .iter()
                .map(|c| super::export::neutralise_cell(c).into_owned());
            w.write_record(cells).map_err(|e| e.to_string())
        };
        write(vec![format!(
            "{}{}年政府信息公开申请情况",
            r.agency.name, r.year
        )])?;
        let mut header = vec!["项目".to_owned()];
        header.extend(COLUMNS.iter().map(|c| c.1.to_owned()));
        write(header)?;
        for (row, counts) in r.table.printed() {
            let mut cells = vec![row.label.to_owned()];
            if let Some(n) = counts {
                cells.extend(n.iter().map(u64::to_string));
            }
            write(cells)?;
        }
        let mut check = vec![format!(
            "勾稽关系 一+二=三（七）+四：{}",
            if r.table.check_holds() {
                "成立"
            } else {
                "不成立"
            }
        )];
        check.extend(r.table.check().iter().map(|(l, r)| format!("{l}={r}")));
        write(check)?;
        write(vec![])?;
        let mut header = vec!["行政复议、行政诉讼".to_owned()];
        header.extend(CHALLENGE_COLUMNS.iter().map(|c| c.1.to_owned()));
        write(header)?;
        for ((_, label), n) in CHALLENGE_GROUPS.iter().zip(r.challenges) {
            let mut cells = vec![label.to_string()];
            cells.extend(n.iter().map(u64::to_string));
            write(cells)?;
        }
        write(vec![])?;
        write(vec![
            "本年度实际收取信息处理费（元）".into(),
            yuan(r.fees_collected_fen),
        ])?;
        write(vec![
            "本年度答复中提供便民答复（件）".into(),
            r.convenience_replies.to_string(),
        ])?;
        write(vec![
            "本年度决定免收信息处理费（件）".into(),
            r.fees_waived.to_string(),
        ])?;
        w.flush().map_err(|e| e.to_string())?;
    }
    Ok(out)
}

/// One printed row: its label cells (with their spans) and its numbers.
pub fn html_rows() -> Vec<Value> {
    let results = ROWS.iter().position(|r| r.key == "results").expect("row");
    let total = ROWS
        .iter()
        .position(|r| r.key == "results_total")
        .expect("row");
    let mut rows = vec![];
    for (i, row) in ROWS.iter().enumerate() {
        if !row.counted {
            continue; // headings are spanning cells of the rows below them
        }
        let mut cells = vec![];
        if i == results + 1 {
            let span = ROWS[results + 1..=total]
                .iter()
                .filter(|r| r.counted)
                .count();
            cells.push(json!({ "text": ROWS[results].label, "rowspan": span, "colspan": 1 }));
        }
        match row.level {
            0 => cells.push(json!({ "text": row.label, "rowspan": 1, "colspan": 3 })),
            1 => cells.push(json!({ "text": row.label, "rowspan": 1, "colspan": 2 })),
            _ => {
                let heading = ROWS[..i]
                    .iter()
                    .rposition(|r| r.level == 1)
                    .expect("a group");
                if heading == i - 1 {
                    let size = ROWS[i..].iter().take_while(|r| r.level == 2).count();
                    cells.push(
                        json!({ "text": ROWS[heading].label, "rowspan": size, "colspan": 1 }),
                    );
                }
                cells.push(json!({ "text": row.label, "rowspan": 1, "colspan": 1 }));
            }
        }
        rows.push(json!({ "key": row.key, "cells": cells }));
    }
    rows
}

/// The printable page (templates/annual_report.html).
pub fn html(r: &AnnualReport) -> Result<String, String> {
    let mut env = minijinja::Environment::new();
    env.add_template(
        "annual_report.html",
        include_str!("../../templates/annual_report.html"),
    )
    .map_err(|e| e.to_string())?;
    let mut ctx = json(r);
    let counts: std::collections::HashMap<&str, Vec<u64>> = r
        .table
        .printed()
        .filter_map(|(row, n)| Some((row.key, n?.to_vec())))
        .collect();
    let mut rows = html_rows();
    for row in &mut rows {
        let key = row["key"].as_str().unwrap_or_default().to_owned();
        row["counts"] = json!(counts.get(key.as_str()));
    }
    ctx["html_rows"] = json!(rows);
    ctx["check_cells"] = json!(r
        .table
        .check()
        .iter()
        .map(|(l, r)| json!({ "left": l, "right": r, "holds": l == r }))
        .collect::<Vec<_>>());
    ctx["challenge_rows"] = json!(r.challenges);
    env.get_template("annual_report.html")
        .and_then(|t| t.render(&ctx))
        .map_err(|e| e.to_string())
}
