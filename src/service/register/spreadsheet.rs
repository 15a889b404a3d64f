//! The register as CSV: exported with a BOM as spreadsheets read it, imported all rows or none.

use super::*;

// ---- CSV -------------------------------------------------------------------------------

/// The CSV's columns: the key the export writes, and the Chinese headers the import also takes.
const COLUMNS: &[(&str, &[&str])] = &[
    ("document_number", &["文号", "发文字号"]),
    ("title", &["标题", "公文标题", "文件标题", "名称"]),
    ("issued_by", &["发文处室", "发文单位", "发文机构", "处室"]),
    ("issued_on", &["成文日期", "发文日期", "日期"]),
    ("status", &["公开属性", "公开方式"]),
    ("grounds", &["认定依据", "依据"]),
    ("reasons", &["理由", "认定理由"]),
];

/// Columns a CSV must have (grounds and reasons may be left out when no row needs them).
const REQUIRED_COLUMNS: &[&str] = &[
    "document_number",
    "title",
    "issued_by",
    "issued_on",
    "status",
];

fn column_of(header: &str) -> Option<&'static str> {
    let h = header.trim().trim_start_matches('\u{feff}').trim();
    COLUMNS
        .iter()
        .find(|(key, zh)| key.eq_ignore_ascii_case(h) || zh.contains(&h))
        .map(|(key, _)| *key)
}

/// The register as CSV: UTF-8 with a byte-order mark (as spreadsheets read it), one row a
/// document, cells a spreadsheet would take for formulas neutralised as in the other exports.
pub fn export_csv(conn: &mut DbConnection, agency: &Agency) -> Result<Vec<u8>, ServiceError> {
    let rows = db::of_agency(conn, &agency.id, None)?;
    let mut out = "\u{feff}".as_bytes().to_vec();
    let fail = |e: &dyn std::fmt::Display| ServiceError::Internal(format!("register csv: {e}"));
    {
        let mut w = csv::WriterBuilder::new().from_writer(&mut out);
        w.write_record(COLUMNS.iter().map(|(k, _)| *k))
            .map_err(|e| fail(&e))?;
        for r in rows {
            let cells = [
                r.document_number,
                r.title,
                r.issued_by,
                r.issued_on.to_string(),
                r.status,
                r.grounds.unwrap_or_default(),
                r.reasons.unwrap_or_default(),
            ];
            w.write_record(
                cells
                    .iter()
                    .map(|c| crate::service::export::neutralise_cell(c).into_owned()),
            )
            .map_err(|e| fail(&e))?;
        }
        w.flush().map_err(|e| fail(&e))?;
    }
    Ok(out)
}

/// A cell as the export wrote it, back: the apostrophe that neutralised a formula-like cell
/// is taken off again.
fn cell_value(cell: &str) -> &str {
    let cell = cell.trim();
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@']) => rest,
        _ => cell,
    }
}

/// A date as written in the CSV: 2026-03-01, or as a spreadsheet rewrites it, 2026/3/1.
fn csv_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(s, "%Y/%m/%d"))
        .ok()
}

/// What an import did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ImportSummary {
    pub created: u32,
    pub updated: u32,
    pub unchanged: u32,
}

fn csv_error(field: &str, code: &str, message: crate::domain::message::Message) -> FieldError {
    FieldError::new(field, code, message)
}

/// Reads a CSV of the register (a BOM optional, headers in English or Chinese) into entries,
/// each checked; every fault of every row is listed (`rows[n].column`, `n` counting data rows
/// from 1: the file's line `n + 1`).
fn read_csv(
    conn: &mut DbConnection,
    agency: &Agency,
    bytes: &[u8],
) -> Result<Vec<Checked>, Vec<FieldError>> {
    let bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
    let Ok(body) = std::str::from_utf8(bytes) else {
        return Err(vec![csv_error(
            "",
            "encoding",
            msg!(
                "CSV 须为 UTF-8 编码（可带 BOM）",
                "the CSV must be UTF-8 (a BOM is allowed)"
            ),
        )]);
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(body.as_bytes());
    let headers = match reader.headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            return Err(vec![csv_error(
                "header",
                "unreadable",
                msg!("无法读取表头：{e}", "the header cannot be read: {e}"),
            )])
        }
    };
    let mut errors = Vec::new();
    let mut columns: Vec<Option<&'static str>> = Vec::new();
    for (i, h) in headers.iter().enumerate() {
        let col = column_of(h);
        if col.is_none() {
            let h = h.to_owned();
            errors.push(csv_error(
                &format!("header[{i}]"),
                "unknown_column",
                msg!("不认识的列 {h:?}", "unknown column {h:?}"),
            ));
        } else if columns.contains(&col) {
            let h = h.to_owned();
            errors.push(csv_error(
                &format!("header[{i}]"),
                "duplicate_column",
                msg!("列 {h:?} 出现两次", "the column {h:?} appears twice"),
            ));
        }
        columns.push(col);
    }
    for required in REQUIRED_COLUMNS {
        if !columns.contains(&Some(required)) {
            errors.push(csv_error(
                "header",
                "missing_column",
                msg!("缺少列 {required}", "the column {required} is missing"),
            ));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut out = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut n = 0usize;
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                n += 1;
                errors.push(csv_error(
                    &format!("rows[{n}]"),
                    "unreadable",
                    msg!("无法读取：{e}", "cannot be read: {e}"),
                ));
                continue;
            }
        };
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        n += 1;
        let prefix = format!("rows[{n}].");
        if record.len() != columns.len() {
            let (got, want) = (record.len(), columns.len());
            errors.push(csv_error(
                &format!("rows[{n}]"),
                "columns",
                msg!(
                    "有 {got} 个单元格，表头有 {want} 列",
                    "has {got} cells where the header has {want} columns"
                ),
            ));
            continue;
        }
        let get = |key: &str| {
            columns
                .iter()
                .position(|c| *c == Some(key))
                .and_then(|i| record.get(i))
                .map(cell_value)
                .unwrap_or("")
        };
        let status_cell = get("status");
        let date_cell = get("issued_on");
        let input = EntryInput {
            document_number: get("document_number").to_owned(),
            title: get("title").to_owned(),
            issued_by: get("issued_by").to_owned(),
            issued_on: csv_date(date_cell),
            status: DisclosureStatus::parse_any(status_cell),
            grounds: text(Some(get("grounds"))),
            reasons: text(Some(get("reasons"))),
        };
        match check(conn, agency, &input, &prefix) {
            Ok(c) => {
                if let Some(first) = seen.insert(c.document_number.clone(), n) {
                    let number = c.document_number.clone();
                    errors.push(csv_error(
                        &format!("{prefix}document_number"),
                        "duplicate",
                        msg!(
                            "文号 {number} 已在第 {first} 行出现",
                            "the number {number} is already on row {first}"
                        ),
                    ));
                }
                out.push(c);
            }
            Err(list) => errors.extend(list),
        }
    }
    if n == 0 && errors.is_empty() {
        errors.push(csv_error(
            "rows",
            "empty",
            msg!("CSV 中没有公文", "the CSV has no documents"),
        ));
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// Imports a CSV: every row creates the document of its number or updates it (a changed status
/// is a new history row) — all rows or none: any bad row and nothing is written.
pub fn import_csv(
    conn: &mut DbConnection,
    agency: &Agency,
    bytes: &[u8],
    who: &Who,
    now: DateTime<Utc>,
) -> Result<ImportSummary, ServiceError> {
    let rows = read_csv(conn, agency, bytes).map_err(ServiceError::Invalid)?;
    let now = now.naive_utc();
    write_tx(conn, |conn| {
        let mut summary = ImportSummary::default();
        for c in &rows {
            let Some(existing) = db::by_number(conn, &agency.id, &c.document_number)? else {
                insert_checked(conn, agency, c, ChangeSource::Imported, who, now)?;
                summary.created += 1;
                continue;
            };
            let details_differ = existing.title != c.title
                || existing.issued_by != c.issued_by
                || existing.division_id != c.division_id
                || existing.issued_on != c.issued_on;
            let status_differs = existing.status != c.status.as_str()
                || existing.grounds != c.grounds
                || existing.reasons != c.reasons;
            if details_differ {
                db::update_details(
                    conn,
                    &EntryRow {
                        title: c.title.clone(),
                        issued_by: c.issued_by.clone(),
                        division_id: c.division_id.clone(),
                        issued_on: c.issued_on,
                        updated_at: now,
                        ..existing.clone()
                    },
                )?;
            }
            if status_differs {
                let seq = db::next_seq(conn, &existing.id)?;
                let change = change_row(
                    &existing.id,
                    seq,
                    StatusInput {
                        status: c.status,
                        grounds: c.grounds.clone(),
                        reasons: c.reasons.clone(),
                    },
                    ChangeSource::Imported,
                    who,
                    now,
                );
                db::set_status(conn, &change)?;
            }
            if details_differ || status_differs {
                summary.updated += 1;
            } else {
                summary.unchanged += 1;
            }
        }
        Ok::<_, ServiceError>(summary)
    })
}
