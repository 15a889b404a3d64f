//! Use cases: each one a transaction over the storage layer, the domain deciding what changes.
//! Called from `web::block` by the HTTP layer and directly by the command line.

pub mod access;
pub mod admin;
pub mod attachments;
pub mod audit;
pub mod auth;
pub mod backup;
pub mod calendar;
pub mod cases;
pub mod challenges;
pub mod clock;
pub mod clock_source;
pub mod dashboard;
pub mod delivery;
pub mod divisions;
pub mod export;
pub mod forms;
pub mod history;
pub mod inside;
pub mod intake;
pub mod jobs;
pub mod letters;
pub mod notices;
pub mod outbox;
pub mod printable;
pub mod queue;
pub mod register;
pub mod reminders;
pub mod report;
pub mod report_format;
pub mod sign_in;
pub mod templates;

use diesel::result::Error as DieselError;

use crate::db::models::CorruptValue;
use crate::db::{DbConnection, DbPool, RetryHint};
use crate::domain::message::Message;
use crate::domain::workflow::WorkflowError;
use crate::security::SecretKey;

/// What every use case needs: the pool and the secret key.
#[derive(Clone)]
pub struct Services {
    pub pool: DbPool,
    pub key: SecretKey,
    pub calendars: std::sync::Arc<calendar::CalendarCache>,
    pub templates: std::sync::Arc<templates::Templates>,
    /// The group committer: on SQLite every write goes through it; on PostgreSQL the filings.
    pub writer: Option<std::sync::Arc<crate::db::group_commit::GroupCommit>>,
    /// "Now": the system clock, or a test's.
    pub clock: clock_source::Clock,
    /// The service's public address, for links to the console in staff e-mails; none, no link.
    pub public_url: Option<String>,
    /// The limits on attached files and on what the answer e-mail carries.
    pub files: attachments::FileSettings,
}

impl Services {
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }

    pub fn conn(
        &self,
    ) -> Result<diesel::r2d2::PooledConnection<crate::db::pool::Manager>, ServiceError> {
        Ok(self.pool.get()?)
    }

    /// Runs a write transaction: on SQLite in the next group commit, on PostgreSQL on a pooled
    /// connection with `write_tx`'s retries. Returns once the write is durable.
    pub fn write<T: Send + 'static>(
        &self,
        f: impl FnMut(&mut DbConnection) -> Result<T, ServiceError> + Send + 'static,
    ) -> Result<T, ServiceError> {
        match &self.writer {
            Some(writer) if writer.takes_every_write() => writer.run(None, f),
            _ => crate::db::write_tx(&mut *self.conn()?, f),
        }
    }

    /// `write` for a write that touches one office's counters and otherwise only rows of its
    /// own (a filing): on PostgreSQL too it joins a group commit, in that office's lane.
    pub fn write_for_office<T: Send + 'static>(
        &self,
        office: &str,
        f: impl FnMut(&mut DbConnection) -> Result<T, ServiceError> + Send + 'static,
    ) -> Result<T, ServiceError> {
        match &self.writer {
            Some(writer) => writer.run(Some(office), f),
            None => crate::db::write_tx(&mut *self.conn()?, f),
        }
    }
}

/// One field at fault, by its JSON path (e.g. `applicant.id_number`), with a stable `code` and
/// a message in both languages (the HTTP edge picks one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub code: String,
    pub message: Message,
}

impl FieldError {
    pub fn new(field: impl Into<String>, code: impl Into<String>, message: Message) -> Self {
        Self {
            field: field.into(),
            code: code.into(),
            message,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("a valid bearer token is required")]
    Unauthenticated,
    #[error("{0}")]
    Forbidden(Message),
    /// Unknown, or not visible to the caller: the two are not told apart.
    #[error("no such application")]
    NotFound,
    #[error("no such agency")]
    NoSuchAgency,
    /// No such document in the office's register (or not the caller's office's).
    #[error("no such document")]
    NoSuchDocument,
    /// The command line named an office that does not exist.
    #[error("no agency has the code {0}")]
    UnknownAgency(String),
    #[error("no user has the id {0}")]
    UnknownUser(String),
    #[error("no answer letter yet: it is written when the answer is delivered")]
    NoLetter,
    #[error("the input is not valid: {}", list(.0))]
    Invalid(Vec<FieldError>),
    /// The workflow refused the action; `allowed` is what the caller may do instead.
    #[error("{error}")]
    Workflow {
        error: WorkflowError,
        allowed: Vec<&'static str>,
    },
    #[error("the case is at version {current}, not {expected}: reload it and try again")]
    VersionConflict { expected: i32, current: i32 },
    #[error("this Idempotency-Key was used for a different request")]
    IdempotencyKeyReused,
    /// An office with this code exists already.
    #[error("an agency with code {0} exists already")]
    AgencyExists(String),
    /// The state of things refuses it (409): a stable code and a sentence.
    #[error("{1}")]
    Conflict(crate::domain::problem_code::ProblemCode, Message),
    /// Only a failed notice is sent again.
    #[error("the notice is {0}, not failed")]
    NoticeNotFailed(crate::domain::outbox::NoticeStatus),
    /// A fault of the service itself (a template that does not render, an export that does not
    /// encode, a broken invariant): logged with its cause, answered 500 without it.
    #[error("internal: {0}")]
    Internal(String),
    #[error("the database is not reachable right now")]
    Pool(#[from] diesel::r2d2::PoolError),
    #[error(transparent)]
    Db(#[from] DieselError),
    #[error(transparent)]
    Corrupt(#[from] CorruptValue),
}

/// `field: message; …`, for logs and the command line.
fn list(errors: &[FieldError]) -> String {
    let each = errors.iter().map(|e| match e.field.as_str() {
        "" => e.message.en.to_string(),
        f => format!("{f}: {}", e.message.en),
    });
    each.collect::<Vec<_>>().join("; ")
}

impl ServiceError {
    /// Bad input outside a JSON body (the command line's flags): one field at fault.
    pub fn invalid(field: &str, code: &str, message: Message) -> Self {
        Self::Invalid(vec![FieldError::new(field, code, message)])
    }
}

impl RetryHint for ServiceError {
    fn is_retryable(&self) -> bool {
        matches!(self, Self::Db(e) if e.is_retryable())
    }
}

pub type Conn = DbConnection;
