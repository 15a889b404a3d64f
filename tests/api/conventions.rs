//! The project's conventions, checked: src/db/schema.rs says what the migrations make (on the
//! backend the suite runs on), the service serves its own description byte for byte, and long
//! commands draw no progress bar into a pipe.

use std::collections::BTreeMap;

use diesel::prelude::*;
use diesel::sql_types::{Integer, Text};

use crate::cli::gongkai;
use crate::helpers::{file_one, TestApp};

/// A column as a backend stores it: its type family and whether it takes NULL.
#[derive(Debug, PartialEq, Eq, Clone)]
struct Column {
    family: String,
    nullable: bool,
}

type Tables = BTreeMap<String, BTreeMap<String, Column>>;

/// The tables as src/db/schema.rs declares them, read from the file itself: `table! { name
/// (key) { column -> Type, … } }`, with `Nullable<…>` for columns that take NULL.
fn declared(postgres: bool) -> Tables {
    let text = include_str!("../../src/db/schema.rs");
    let mut tables = Tables::new();
    let mut current: Option<String> = None;
    for line in text.lines().map(str::trim) {
        if let Some((name, _)) = line.split_once(" (").filter(|_| line.ends_with('{')) {
            current = Some(name.to_owned());
            tables.insert(name.to_owned(), BTreeMap::new());
        } else if let (Some(table), Some((name, ty))) = (&current, line.split_once(" -> ")) {
            let ty = ty.trim_end_matches(',');
            let (nullable, inner) = match ty.strip_prefix("Nullable<") {
                Some(rest) => (true, rest.trim_end_matches('>')),
                None => (false, ty),
            };
            let column = Column {
                family: diesel_family(inner, postgres).to_owned(),
                nullable,
            };
            tables
                .get_mut(table)
                .unwrap()
                .insert(name.to_owned(), column);
        } else if line == "}" {
            current = None;
        }
    }
    assert!(
        tables.len() > 10,
        "schema.rs was not understood: {tables:?}"
    );
    // What a misreading would get wrong: a nullable and a plain column of one table.
    let applications = &tables["applications"];
    assert!(applications["email"].nullable && !applications["id"].nullable);
    tables
}

/// What a diesel type reads: SQLite stores every integer in 64 bits, PostgreSQL does not (an
/// `int8` read as `Integer` fails at run time), so PostgreSQL's integers keep their width.
fn diesel_family(ty: &str, postgres: bool) -> &'static str {
    match ty {
        "Text" => "text",
        "Integer" if postgres => "int4",
        "BigInt" if postgres => "int8",
        "Integer" | "BigInt" => "integer",
        "Bool" => "bool",
        "Date" => "date",
        "Timestamp" => "timestamp",
        "Binary" => "binary",
        other => panic!("schema.rs uses {other}: teach this test its family"),
    }
}

/// A SQLite declared type's family (its affinity, as far as diesel reads it).
fn sqlite_family(declared: &str) -> String {
    match declared.to_ascii_uppercase().as_str() {
        "TEXT" => "text",
        "INTEGER" | "BIGINT" | "INT" => "integer",
        "BOOLEAN" | "BOOL" => "bool",
        "DATE" => "date",
        "TIMESTAMP" | "DATETIME" => "timestamp",
        "BLOB" => "binary",
        other => return format!("unknown SQLite type {other}"),
    }
    .to_owned()
}

fn postgres_family(udt: &str) -> String {
    match udt {
        "text" | "varchar" => "text",
        "int4" => "int4",
        "int8" => "int8",
        "bool" => "bool",
        "date" => "date",
        "timestamp" => "timestamp",
        "bytea" => "binary",
        other => return format!("unknown PostgreSQL type {other}"),
    }
    .to_owned()
}

#[derive(QueryableByName)]
struct SqliteColumn {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    type_: String,
    #[diesel(sql_type = Integer)]
    not_null: i32,
    #[diesel(sql_type = Integer)]
    pk: i32,
}

#[derive(QueryableByName)]
struct PgColumn {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Text)]
    udt_name: String,
    #[diesel(sql_type = Text)]
    is_nullable: String,
}

/// The tables the migrations made, but diesel's own bookkeeping.
fn migrated(database_url: &str) -> Tables {
    let mut tables = Tables::new();
    let mut put = |table: String, column: String, family: String, nullable: bool| {
        tables
            .entry(table)
            .or_default()
            .insert(column, Column { family, nullable });
    };
    if let Some(path) = database_url.strip_prefix("sqlite://") {
        let mut conn = SqliteConnection::establish(path).unwrap();
        let rows: Vec<SqliteColumn> = diesel::sql_query(
            "SELECT m.name AS table_name, c.name, c.type AS type_, c.\"notnull\" AS not_null, c.pk \
             FROM sqlite_master m, pragma_table_info(m.name) c \
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' \
               AND m.name <> '__diesel_schema_migrations'",
        )
        .load(&mut conn)
        .unwrap();
        for c in rows {
            // A key column never holds NULL here: every insert gives it (SQLite alone would
            // allow NULL in a non-INTEGER primary key that is not declared NOT NULL).
            put(
                c.table_name,
                c.name,
                sqlite_family(&c.type_),
                c.not_null == 0 && c.pk == 0,
            );
        }
    } else {
        let mut conn = PgConnection::establish(database_url).unwrap();
        let rows: Vec<PgColumn> = diesel::sql_query(
            "SELECT table_name::text, column_name::text, udt_name::text, is_nullable::text \
             FROM information_schema.columns \
             WHERE table_schema = current_schema() \
               AND table_name <> '__diesel_schema_migrations'",
        )
        .load(&mut conn)
        .unwrap();
        for c in rows {
            put(
                c.table_name,
                c.column_name,
                postgres_family(&c.udt_name),
                c.is_nullable == "YES",
            );
        }
    }
    tables
}

/// src/db/schema.rs is kept by hand for the types both backends share (diesel.toml says so):
/// every table and column it declares must be what the migrations made, name, nullability and
/// type family, and no migrated column may be missing from it. The SQLite run checks SQLite,
/// the PostgreSQL run (GONGKAI_TEST_POSTGRES_URL) checks PostgreSQL.
#[actix_rt::test]
async fn the_hand_kept_schema_is_what_the_migrations_make() {
    let app = TestApp::spawn().await;
    let postgres = app.database_url.starts_with("postgres");
    let declared = declared(postgres);
    let migrated = migrated(&app.database_url);
    let mut differences = Vec::new();
    for (table, columns) in &migrated {
        let Some(declared_columns) = declared.get(table) else {
            differences.push(format!("{table}: migrated, not in schema.rs"));
            continue;
        };
        for (name, column) in columns {
            match declared_columns.get(name) {
                None => differences.push(format!("{table}.{name}: migrated, not in schema.rs")),
                Some(d) if d != column => differences.push(format!(
                    "{table}.{name}: schema.rs says {d:?}, the database has {column:?}"
                )),
                Some(_) => {}
            }
        }
        for name in declared_columns.keys() {
            if !columns.contains_key(name) {
                differences.push(format!("{table}.{name}: in schema.rs, not migrated"));
            }
        }
    }
    for table in declared.keys() {
        if !migrated.contains_key(table) {
            differences.push(format!("{table}: in schema.rs, not migrated"));
        }
    }
    assert!(
        differences.is_empty(),
        "src/db/schema.rs and the {} migrations disagree:\n{}",
        if postgres { "PostgreSQL" } else { "SQLite" },
        differences.join("\n")
    );
}

#[actix_rt::test]
async fn the_service_serves_its_own_description_byte_for_byte() {
    let app = TestApp::spawn().await;
    let r = app.public().get("/api/v1/openapi.yaml").await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.header("content-type").as_deref(),
        Some("application/yaml")
    );
    let file = include_bytes!("../../api/openapi.yaml");
    assert!(
        r.text().as_bytes() == file,
        "the served description differs from api/openapi.yaml"
    );
}

/// A pipe gets the commands' answers and nothing of a progress bar: no carriage returns, no
/// escape sequences, no spinner or bar characters, on standard output or standard error.
#[actix_rt::test]
async fn long_commands_draw_no_progress_into_a_pipe() {
    let app = TestApp::spawn().await;
    app.add_agency("BJHD");
    file_one(&app, "BJHD").await;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("events.jsonl");
    let report = dir.path().join("report.csv");
    let runs: Vec<Vec<String>> = vec![
        vec!["audit".into(), "verify".into()],
        vec![
            "audit".into(),
            "export".into(),
            "--output".into(),
            out.display().to_string(),
        ],
        vec!["audit".into(), "cases".into()],
        vec![
            "report".into(),
            "annual".into(),
            "--agency".into(),
            "BJHD".into(),
            "--year".into(),
            "2026".into(),
            "--output".into(),
            report.display().to_string(),
        ],
        vec![
            "calendar".into(),
            "load".into(),
            concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/examples/calendar-2027.sample.json"
            )
            .into(),
        ],
    ];
    for args in &runs {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (ok, stdout, stderr) = gongkai(&app, &args);
        assert!(ok, "{args:?}: {stdout}{stderr}");
        for (name, text) in [("stdout", &stdout), ("stderr", &stderr)] {
            // A redrawn line, an escape sequence, indicatif's spinner.
            for bad in ['\r', '\u{1b}', '⠁', '⠂', '⠄', '⡀', '⢀', '⠠', '⠐', '⠈'] {
                assert!(
                    !text.contains(bad),
                    "{args:?} wrote {bad:?} to its {name}: {text:?}"
                );
            }
            for word in [
                "cases checked",
                "exported (",
                "recomputing open cases",
                "cases read",
            ] {
                assert!(
                    !text.contains(word),
                    "{args:?}: {name} has {word:?}: {text}"
                );
            }
        }
    }
    let copy = dir.path().join("new-folder").join("copy.db");
    if app.database_url.starts_with("sqlite") {
        let (ok, stdout, stderr) = gongkai(&app, &["backup", &copy.display().to_string()]);
        assert!(ok && copy.exists(), "{stdout}{stderr}");
        assert!(
            !stderr.contains('\r') && !stderr.contains("copying"),
            "{stderr}"
        );
    }
}

/// The same command on a terminal (`script` gives it one) draws its bar, then clears it before
/// its answer.
#[actix_rt::test]
async fn on_a_terminal_a_long_command_shows_its_progress() {
    let app = TestApp::spawn().await;
    let command = format!(
        "'{}' calendar load '{}'",
        env!("CARGO_BIN_EXE_gongkai"),
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/examples/calendar-2027.sample.json"
        )
    );
    let out = std::process::Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .env("GONGKAI_DATABASE_URL", &app.database_url)
        .env("GONGKAI_SECRET_KEY", app.key.to_hex())
        .env("RUST_LOG", "warn")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("`script` (util-linux) runs the command on a terminal");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("recomputing open cases ["), "{text:?}");
    assert!(
        text.contains("\u{1b}[2K") && text.contains("loaded 2027"),
        "{text:?}"
    );
}
