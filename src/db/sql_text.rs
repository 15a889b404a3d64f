//! Domain values stored as text: one macro gives a type diesel's `Text` conversions on both
//! backends (and on the `MultiConnection` over them), so rows hold `Status`, not `String`.
//!
//! The stored text is the type's own `as_str` spelling (the serde spelling of the domain's
//! enums), so nothing already stored changes. A stored value the type does not know is a
//! deserialisation error naming the type: a bug or a hand edit, never user input.

/// `impl_text_sql!(Status, Outcome, …)`: the type needs `fn as_str(&self) -> &str` (or by value,
/// for `Copy` types) and `fn parse(&str) -> Option<Self>`.
macro_rules! impl_text_sql {
    ($($ty:ty),+ $(,)?) => {$(
        const _: () = {
            use diesel::backend::Backend;
            use diesel::deserialize::{self, FromSql};
            use diesel::serialize::{self, Output, ToSql};
            use diesel::sql_types::Text;

            // diesel's derives, aimed at the domain's type through a proxy (`foreign_derive`):
            // `AsExpression` (so `status.eq(Status::Accepted)` binds) and `FromSqlRow`.
            #[derive(diesel::AsExpression, diesel::FromSqlRow)]
            #[diesel(foreign_derive, sql_type = Text)]
            #[allow(dead_code)]
            struct Proxy($ty);

            impl<DB: Backend> ToSql<Text, DB> for $ty
            where
                str: ToSql<Text, DB>,
            {
                fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, DB>) -> serialize::Result {
                    <str as ToSql<Text, DB>>::to_sql(self.as_str(), out)
                }
            }

            impl<DB: Backend> FromSql<Text, DB> for $ty
            where
                String: FromSql<Text, DB>,
            {
                fn from_sql(bytes: DB::RawValue<'_>) -> deserialize::Result<Self> {
                    let text = <String as FromSql<Text, DB>>::from_sql(bytes)?;
                    <$ty>::parse(&text).ok_or_else(|| {
                        format!("stored value {text:?} is not a {}", stringify!($ty)).into()
                    })
                }
            }
        };
    )+};
}

use crate::domain::attachment::{Kind, Purpose, Source};
use crate::domain::calendar::LoadVia;
use crate::domain::case::{
    AgencyCode, ApplicantKind, ApplicationId, ChallengeKind, ChallengeResult, Channel,
    DeliveryMethod, InformationForm, OrganisationType, Outcome, Status, UserId,
};
use crate::domain::clock::DeadlineKind;
use crate::domain::fees::FeeScale;
use crate::domain::identity::IdDocumentType;
use crate::domain::outbox::{NoticeId, NoticeStatus};
use crate::domain::workflow::{ExtensionState, Role};

impl_text_sql!(
    Kind,
    Source,
    Purpose,
    Status,
    Channel,
    ApplicantKind,
    OrganisationType,
    InformationForm,
    DeliveryMethod,
    Outcome,
    ChallengeKind,
    ChallengeResult,
    DeadlineKind,
    FeeScale,
    IdDocumentType,
    ExtensionState,
    Role,
    NoticeStatus,
    AgencyCode,
    ApplicationId,
    NoticeId,
    LoadVia,
    UserId,
);

#[cfg(test)]
mod tests {
    use diesel::dsl::sql;
    use diesel::prelude::*;
    use diesel::sql_types::Text;

    use super::{NoticeStatus, Status};
    use crate::db::DbConnection;

    fn sqlite() -> DbConnection {
        DbConnection::Sqlite(SqliteConnection::establish(":memory:").unwrap())
    }

    #[test]
    fn a_value_binds_as_its_spelling_and_reads_back_as_itself() {
        let conn = &mut sqlite();
        let text: String = diesel::select(Status::ClosedWithoutProcessing.into_sql::<Text>())
            .get_result(conn)
            .unwrap();
        assert_eq!(text, "closed_without_processing");
        let back: NoticeStatus = diesel::select(sql::<Text>("'failed'"))
            .get_result(conn)
            .unwrap();
        assert_eq!(back, NoticeStatus::Failed);
    }

    #[test]
    fn a_stored_value_the_type_does_not_know_is_an_error_naming_the_type() {
        let err = diesel::select(sql::<Text>("'Accepted'"))
            .get_result::<Status>(&mut sqlite())
            .unwrap_err();
        // diesel names the field; the cause says what was stored and what it is not.
        let cause = std::error::Error::source(&err).map(ToString::to_string);
        assert_eq!(
            cause.as_deref(),
            Some("stored value \"Accepted\" is not a Status"),
            "{err:?}"
        );
    }
}
