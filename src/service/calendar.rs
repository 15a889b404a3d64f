//! The official calendar: shipped years, years loaded by an administrator, offices' local days
//! off, and a cache of the built calendars that every instance refreshes when the stored
//! revision moves on.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use chrono::{DateTime, Utc};

use super::auth::Staff;
use super::clock::recompute_open_cases;
pub use super::clock::Recomputed;
use super::templates::Templates;
use super::ServiceError;
use crate::db::models::{CalendarLoad, CalendarYear};
use crate::db::{calendar as store, DbConnection};
use crate::domain::calendar::{Calendar, LoadVia, LocalDayOff};
use crate::domain::notice::{DayKind, YearNotice};
use crate::domain::workflow::Role;

/// The notices that ship with the service (calendar/cn), loaded on first start.
pub const SHIPPED: &[(i32, &str)] = &[
    (2019, include_str!("../../calendar/cn/2019.json")),
    (2020, include_str!("../../calendar/cn/2020.json")),
    (2021, include_str!("../../calendar/cn/2021.json")),
    (2022, include_str!("../../calendar/cn/2022.json")),
    (2023, include_str!("../../calendar/cn/2023.json")),
    (2024, include_str!("../../calendar/cn/2024.json")),
    (2025, include_str!("../../calendar/cn/2025.json")),
    (2026, include_str!("../../calendar/cn/2026.json")),
];

#[derive(Default)]
struct State {
    revision: Option<i64>,
    notices: Arc<Vec<YearNotice>>,
    by_agency: HashMap<Option<String>, Arc<Calendar>>,
}

/// Built calendars, per office (national days plus its local days off).
#[derive(Default)]
pub struct CalendarCache {
    state: RwLock<State>,
}

impl CalendarCache {
    /// The calendar of an office (or the national one), rebuilt if the stored revision moved.
    pub fn get(
        &self,
        conn: &mut DbConnection,
        agency_id: Option<&str>,
    ) -> Result<Arc<Calendar>, ServiceError> {
        let revision = store::revision(conn)?;
        let key = agency_id.map(str::to_owned);
        {
            let state = self.state.read().expect("calendar cache lock");
            if state.revision == Some(revision) {
                if let Some(cal) = state.by_agency.get(&key) {
                    return Ok(cal.clone());
                }
            }
        }
        let mut state = self.state.write().expect("calendar cache lock");
        if state.revision != Some(revision) {
            let notices = store::years(conn)?
                .iter()
                .map(|y| serde_json::from_str(&y.notice))
                .collect::<Result<Vec<YearNotice>, _>>()
                .map_err(|e| crate::db::models::CorruptValue {
                    column: "calendar_years.notice",
                    value: e.to_string(),
                })?;
            *state = State {
                revision: Some(revision),
                notices: Arc::new(notices),
                by_agency: HashMap::new(),
            };
        }
        let local = match agency_id {
            Some(a) => store::local_days(conn, a)?,
            None => Vec::new(),
        };
        let cal = Arc::new(Calendar::new(&state.notices, &local));
        state.by_agency.insert(key, cal.clone());
        Ok(cal)
    }
}

/// Offices' calendars before a change, by office id.
pub type Before = HashMap<String, Arc<Calendar>>;

/// Calendars for the many cases of one request or job: each office's calendar is looked up
/// (and the stored revision read) once, not once per case.
pub struct Batch<'c> {
    cache: &'c CalendarCache,
    seen: HashMap<String, Arc<Calendar>>,
}

impl CalendarCache {
    /// Every office's calendar as it stands (or one office's), taken before a change so that
    /// the dates it moves can be told to applicants.
    pub fn snapshot(
        &self,
        conn: &mut DbConnection,
        agency_id: Option<&str>,
    ) -> Result<Before, ServiceError> {
        use crate::db::schema::agencies;
        use diesel::prelude::*;
        let ids: Vec<String> = match agency_id {
            Some(a) => vec![a.to_owned()],
            None => agencies::table.select(agencies::id).load(conn)?,
        };
        let mut out = HashMap::new();
        for id in ids {
            let cal = self.get(conn, Some(&id))?;
            out.insert(id, cal);
        }
        Ok(out)
    }

    pub fn batch(&self) -> Batch<'_> {
        Batch {
            cache: self,
            seen: HashMap::new(),
        }
    }
}

impl Batch<'_> {
    pub fn get(
        &mut self,
        conn: &mut DbConnection,
        agency_id: &str,
    ) -> Result<Arc<Calendar>, ServiceError> {
        if let Some(cal) = self.seen.get(agency_id) {
            return Ok(cal.clone());
        }
        let cal = self.cache.get(conn, Some(agency_id))?;
        self.seen.insert(agency_id.to_owned(), cal.clone());
        Ok(cal)
    }
}

fn row(notice: &YearNotice, by: &Loader, now: DateTime<Utc>) -> CalendarYear {
    CalendarYear {
        year: notice.year,
        source: notice.source.clone(),
        notice: serde_json::to_string(notice).expect("notices serialise"),
        loaded_at: now.naive_utc(),
        loaded_by: Some(by.name.clone()),
        loaded_via: Some(by.via),
    }
}

/// Who loads a calendar: kept with the year (`loaded_by`) and in the audit of calendar loads.
#[derive(Debug, Clone)]
pub struct Loader {
    pub via: LoadVia,
    pub user_id: Option<String>,
    pub name: String,
    pub role: Option<Role>,
    /// The office the loader is bound to, if any.
    pub agency_id: Option<String>,
}

impl Loader {
    pub fn shipped() -> Self {
        Self {
            via: LoadVia::Shipped,
            user_id: None,
            name: "shipped with gongkai".into(),
            role: None,
            agency_id: None,
        }
    }

    /// The operator at the server's command line, by the name they give (or their login).
    pub fn command_line(who: &str) -> Self {
        Self {
            via: LoadVia::CommandLine,
            user_id: None,
            name: format!("command line ({who})"),
            role: None,
            agency_id: None,
        }
    }

    /// A staff user over the API.
    pub fn staff(s: &Staff) -> Self {
        Self {
            via: LoadVia::Api,
            user_id: Some(s.id.clone()),
            name: s.name.clone(),
            role: Some(s.role),
            agency_id: s.agency_id.clone(),
        }
    }

    fn audit(
        &self,
        agency_id: Option<&str>,
        year: i32,
        changes: serde_json::Value,
        now: DateTime<Utc>,
    ) -> CalendarLoad {
        CalendarLoad {
            id: uuid::Uuid::now_v7().to_string(),
            loaded_at: now.naive_utc(),
            via: self.via,
            actor_id: self.user_id.clone(),
            actor_name: self.name.clone(),
            actor_role: self.role,
            actor_agency_id: self.agency_id.clone(),
            agency_id: agency_id.map(str::to_owned),
            year,
            changes: changes.to_string(),
        }
    }
}

fn year_changes(
    notice: &YearNotice,
    previous: Option<&CalendarYear>,
    recomputed: &Recomputed,
) -> serde_json::Value {
    let previous = previous.map(|p| {
        let counts = serde_json::from_str::<YearNotice>(&p.notice)
            .map(|n| (n.count(DayKind::Off), n.count(DayKind::Working)))
            .ok();
        serde_json::json!({
            "source": p.source,
            "days_off": counts.map(|c| c.0),
            "make_up_working_days": counts.map(|c| c.1),
            "loaded_by": p.loaded_by,
            "loaded_at": p.loaded_at.and_utc().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        })
    });
    serde_json::json!({
        "replaced": previous.is_some(),
        "source": notice.source,
        "days_off": notice.count(DayKind::Off),
        "make_up_working_days": notice.count(DayKind::Working),
        "previous": previous,
        "open_cases": recomputed.open_cases,
        "changed_cases": recomputed.changed_cases,
    })
}

/// Loads the shipped years the database does not have yet (never overwriting a year an
/// administrator loaded), and recomputes open cases if anything was added.
pub fn seed_shipped(
    conn: &mut DbConnection,
    cache: &CalendarCache,
    templates: &Templates,
    now: DateTime<Utc>,
) -> Result<Option<Recomputed>, ServiceError> {
    crate::db::write_tx(conn, |conn| {
        let before = cache.snapshot(conn, None)?;
        let have = store::loaded_year_numbers(conn)?;
        let mut added = Vec::new();
        for (year, text) in SHIPPED {
            if !have.contains(year) {
                let notice =
                    YearNotice::parse(text, Some(*year)).expect("shipped calendars are valid");
                store::put_year(conn, &row(&notice, &Loader::shipped(), now))?;
                added.push(notice);
            }
        }
        if added.is_empty() {
            return Ok(None);
        }
        store::bump_revision(conn)?;
        let years: Vec<i32> = added.iter().map(|n| n.year).collect();
        let reason = format!("随系统发布的官方日历载入：{years:?}");
        let recomputed = recompute_open_cases(
            conn,
            cache,
            None,
            &reason,
            now,
            Some((&before, templates)),
            None,
        )?;
        for notice in &added {
            let changes = year_changes(notice, None, &recomputed);
            store::insert_load(
                conn,
                &Loader::shipped().audit(None, notice.year, changes, now),
            )?;
        }
        Ok(Some(recomputed))
    })
}

/// What loading a year did.
#[derive(Debug, serde::Serialize)]
pub struct Loaded {
    pub year: i32,
    pub days_off: usize,
    pub make_up_working_days: usize,
    pub replaced: bool,
    pub recomputed: Recomputed,
}

/// Loads or replaces a year's notice and recomputes every open case, in one transaction.
/// `progress`, if given, hears how the recomputation goes (cases computed, open cases).
pub fn load_year(
    conn: &mut DbConnection,
    cache: &CalendarCache,
    templates: &Templates,
    notice: &YearNotice,
    by: &Loader,
    now: DateTime<Utc>,
    mut progress: Option<&mut dyn FnMut(usize, usize)>,
) -> Result<Loaded, ServiceError> {
    crate::db::write_tx(conn, |conn| {
        let before = cache.snapshot(conn, None)?;
        let previous = store::year(conn, notice.year)?;
        let replaced = previous.is_some();
        store::put_year(conn, &row(notice, by, now))?;
        store::bump_revision(conn)?;
        let reason = format!(
            "{}年官方日历{}",
            notice.year,
            if replaced { "更新" } else { "载入" }
        );
        let recomputed = recompute_open_cases(
            conn,
            cache,
            None,
            &reason,
            now,
            Some((&before, templates)),
            Some(&mut |done, of| {
                if let Some(report) = progress.as_mut() {
                    report(done, of)
                }
            }),
        )?;
        let changes = year_changes(notice, previous.as_ref(), &recomputed);
        store::insert_load(conn, &by.audit(None, notice.year, changes, now))?;
        Ok(Loaded {
            year: notice.year,
            days_off: notice.count(DayKind::Off),
            make_up_working_days: notice.count(DayKind::Working),
            replaced,
            recomputed,
        })
    })
}

/// Offices' own days off, every year, by office id and in date order.
pub fn local_days_of(
    conn: &mut DbConnection,
    agency_ids: &[&str],
) -> Result<Vec<(String, LocalDayOff)>, ServiceError> {
    Ok(store::local_days_of(conn, agency_ids)?)
}

/// Replaces an office's local days off in a year and recomputes that office's open cases.
pub fn set_local_days(
    conn: &mut DbConnection,
    services: &super::Services,
    agency_id: &str,
    year: i32,
    days: &[LocalDayOff],
    by: &Loader,
    now: DateTime<Utc>,
) -> Result<Recomputed, ServiceError> {
    let (cache, templates) = (&*services.calendars, &*services.templates);
    crate::db::write_tx(conn, |conn| {
        let before = cache.snapshot(conn, Some(agency_id))?;
        let had: Vec<LocalDayOff> = store::local_days(conn, agency_id)?
            .into_iter()
            .filter(|d| chrono::Datelike::year(&d.date) == year)
            .collect();
        store::put_local_days(conn, agency_id, year, days)?;
        store::bump_revision(conn)?;
        let reason = format!("本机关{year}年地方休息日更新");
        let recomputed = recompute_open_cases(
            conn,
            cache,
            Some(agency_id),
            &reason,
            now,
            Some((&before, templates)),
            None,
        )?;
        let day = |d: &LocalDayOff| serde_json::json!({ "date": d.date, "name": d.name });
        let added: Vec<_> = days.iter().filter(|d| !had.contains(d)).map(day).collect();
        let removed: Vec<_> = had.iter().filter(|d| !days.contains(d)).map(day).collect();
        let changes = serde_json::json!({
            "days_off": days.len(),
            "added": added,
            "removed": removed,
            "open_cases": recomputed.open_cases,
            "changed_cases": recomputed.changed_cases,
        });
        store::insert_load(conn, &by.audit(Some(agency_id), year, changes, now))?;
        Ok(recomputed)
    })
}

/// The calendar for the public calculator: national, or an office's with its local days off.
pub fn for_calculator(
    services: &super::Services,
    agency_code: Option<&str>,
) -> Result<Arc<Calendar>, ServiceError> {
    let conn = &mut *services.conn()?;
    let agency_id = match agency_code {
        None => None,
        Some(code) => Some(
            crate::db::staff::agency_by_code(conn, code)?
                .ok_or_else(|| {
                    ServiceError::Invalid(vec![super::FieldError::new(
                        "agency",
                        crate::domain::problem_code::ProblemCode::UnknownAgency.as_str(),
                        crate::msg!(
                            "没有代码为 {code:?} 的机关",
                            "no office has the code {code:?}"
                        ),
                    )])
                })?
                .id,
        ),
    };
    services.calendars.get(conn, agency_id.as_deref())
}

/// A loaded year, as listed.
#[derive(Debug, serde::Serialize)]
pub struct YearSummary {
    pub year: i32,
    pub source: Option<String>,
    pub loaded_at: String,
    /// How it came in: `shipped`, `command_line` or `api`.
    pub loaded_via: Option<LoadVia>,
    /// Who loaded it: shown to staff and on the command line; anonymous callers of the public
    /// API see how it came in only, not a staff member's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub loaded_by: Option<String>,
    pub days_off: usize,
    pub make_up_working_days: usize,
}

/// The loaded years; with who loaded them when `show_names` (staff, the command line).
pub fn years(
    services: &super::Services,
    show_names: bool,
) -> Result<Vec<YearSummary>, ServiceError> {
    let conn = &mut *services.conn()?;
    years_in(conn, show_names)
}

/// `GET /calendar/years`: public; a caller who sends a token must send a valid one, and staff
/// then see who loaded each year.
pub fn years_for(
    services: &super::Services,
    token: Option<&str>,
) -> Result<Vec<YearSummary>, ServiceError> {
    let conn = &mut *services.conn()?;
    let show_names = match token {
        None => false,
        Some(t) => super::auth::authenticate(conn, Some(t))?.staff().is_some(),
    };
    years_in(conn, show_names)
}

fn years_in(conn: &mut DbConnection, show_names: bool) -> Result<Vec<YearSummary>, ServiceError> {
    store::years(conn)?
        .into_iter()
        .map(|y| {
            let notice: YearNotice =
                serde_json::from_str(&y.notice).map_err(|e| crate::db::models::CorruptValue {
                    column: "calendar_years.notice",
                    value: e.to_string(),
                })?;
            Ok(YearSummary {
                year: y.year,
                source: y.source,
                loaded_at: y
                    .loaded_at
                    .and_utc()
                    .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
                loaded_via: y.loaded_via,
                loaded_by: y.loaded_by.filter(|_| show_names),
                days_off: notice.count(DayKind::Off),
                make_up_working_days: notice.count(DayKind::Working),
            })
        })
        .collect()
}

/// `PUT /calendar/years/{year}`: an administrator loads or replaces a year.
pub fn put_year(
    services: &super::Services,
    token: Option<&str>,
    year: i32,
    body: &str,
    now: DateTime<Utc>,
) -> Result<Loaded, ServiceError> {
    let conn = &mut *services.conn()?;
    let principal = super::auth::authenticate(conn, token)?;
    let admin = super::auth::require_staff(&principal, &[Role::Admin])?;
    if admin.agency_id.is_some() {
        return Err(ServiceError::Forbidden(crate::domain::message::Message::new(
            "全国节假日安排由不绑定机关的管理员导入；机关的管理员设置本机关的调休日",
            "the national calendar is loaded by an admin bound to no office; an office's admin \
             sets its local days off",
        )));
    }
    let notice = YearNotice::parse(body, Some(year)).map_err(|e| {
        // The parser's reason is for the log (and the English text); a person reads what to do.
        tracing::info!(error = %e, year, "a calendar file was refused");
        ServiceError::Invalid(vec![super::FieldError::new(
            "",
            "invalid_calendar",
            crate::msg!(
                "节假日安排文件无法读取：请粘贴该年份的节假日安排文件的全部内容（与程序随附的年份文件格式相同），并核对所填年份与文件中的年份一致",
                "{e}"
            ),
        )])
    })?;
    load_year(
        conn,
        &services.calendars,
        &services.templates,
        &notice,
        &Loader::staff(admin),
        now,
        None,
    )
}

/// `PUT /agencies/{code}/days-off/{year}`: an administrator sets an office's local days off.
pub fn put_local_days(
    services: &super::Services,
    token: Option<&str>,
    agency_code: &str,
    year: i32,
    days: &[LocalDayOff],
    now: DateTime<Utc>,
) -> Result<Recomputed, ServiceError> {
    let conn = &mut *services.conn()?;
    let principal = super::auth::authenticate(conn, token)?;
    let admin = super::auth::require_staff(&principal, &[Role::Admin])?;
    let agency = crate::db::staff::agency_by_code(conn, agency_code)?
        .filter(|a| admin.agency_id.as_ref().is_none_or(|own| *own == a.id))
        .ok_or(ServiceError::NoSuchAgency)?;
    let mut errors = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (i, d) in days.iter().enumerate() {
        if chrono::Datelike::year(&d.date) != year {
            errors.push(super::FieldError::new(
                format!("days_off[{i}].date"),
                "outside_year",
                {
                    let date = d.date;
                    crate::msg!("{date} 不在 {year} 年内", "{date} is not in {year}")
                },
            ));
        }
        if !seen.insert(d.date) {
            errors.push(super::FieldError::new(
                format!("days_off[{i}].date"),
                "duplicate_date",
                {
                    let date = d.date;
                    crate::msg!("{date} 重复列出", "{date} is listed twice")
                },
            ));
        }
        if d.name.trim().is_empty() || d.name.chars().count() > 100 {
            errors.push(super::FieldError::new(
                format!("days_off[{i}].name"),
                "length",
                crate::msg!("须为 1 至 100 个字符", "1 to 100 characters"),
            ));
        }
    }
    if !errors.is_empty() {
        return Err(ServiceError::Invalid(errors));
    }
    set_local_days(
        conn,
        services,
        &agency.id,
        year,
        days,
        &Loader::staff(admin),
        now,
    )
}

/// One calendar load as the audit shows it.
#[derive(Debug, serde::Serialize)]
pub struct LoadView {
    pub loaded_at: String,
    /// `shipped`, `command_line` or `api`.
    pub via: LoadVia,
    /// The loader's name (or `shipped with gongkai`, `command line (…)`).
    pub by: String,
    pub by_user_id: Option<String>,
    pub by_role: Option<Role>,
    /// The office the loader was bound to, if any.
    pub by_agency: Option<String>,
    /// The office whose local days off were loaded; none for the national calendar.
    pub agency: Option<String>,
    pub year: i32,
    pub changes: serde_json::Value,
}

/// The audit of calendar loads, newest first: all of them, or the national calendar's and one
/// office's.
pub fn loads_in(
    conn: &mut DbConnection,
    agency_id: Option<&str>,
) -> Result<Vec<LoadView>, ServiceError> {
    let codes: HashMap<String, String> = crate::db::staff::agencies(conn)?
        .into_iter()
        .map(|a| (a.id, a.code.to_string()))
        .collect();
    let code = |id: Option<String>| id.and_then(|id| codes.get(&id).cloned());
    store::loads(conn, agency_id)?
        .into_iter()
        .map(|l| {
            Ok(LoadView {
                loaded_at: l
                    .loaded_at
                    .and_utc()
                    .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
                via: l.via,
                by: l.actor_name,
                by_user_id: l.actor_id,
                by_role: l.actor_role,
                by_agency: code(l.actor_agency_id),
                agency: code(l.agency_id),
                year: l.year,
                changes: serde_json::from_str(&l.changes).map_err(|e| {
                    crate::db::models::CorruptValue {
                        column: "calendar_loads.changes",
                        value: e.to_string(),
                    }
                })?,
            })
        })
        .collect()
}

/// `GET /calendar/loads`: auditors and admins; one bound to an office sees the national
/// calendar's loads and its own office's.
pub fn loads(
    services: &super::Services,
    token: Option<&str>,
) -> Result<Vec<LoadView>, ServiceError> {
    let conn = &mut *services.conn()?;
    let principal = super::auth::authenticate(conn, token)?;
    let s = super::auth::require_staff(&principal, &[Role::Auditor, Role::Admin])?;
    let agency_id = s.agency_id.clone();
    loads_in(conn, agency_id.as_deref())
}
