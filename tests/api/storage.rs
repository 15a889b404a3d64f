//! The database itself: events cannot be altered, and every migration is reversible.

use diesel::connection::SimpleConnection;
use diesel_migrations::MigrationHarness;
use gongkai::db::DbConnection;

use crate::helpers::{file_one, office, TestApp};

#[actix_rt::test]
async fn the_database_refuses_to_edit_or_delete_events() {
    let app = TestApp::spawn().await;
    office(&app, "BJHD");
    file_one(&app, "BJHD").await;
    let conn = &mut *app.services.conn().unwrap();
    let update = conn.batch_execute("UPDATE events SET action = 'forged'");
    assert!(update.unwrap_err().to_string().contains("append-only"));
    let delete = conn.batch_execute("DELETE FROM events");
    assert!(delete.unwrap_err().to_string().contains("append-only"));
}

#[actix_rt::test]
async fn every_migration_reverts_and_applies_again() {
    let app = TestApp::spawn().await;
    let conn = &mut *app.services.conn().unwrap();
    let (reverted, reapplied) = match conn {
        DbConnection::Sqlite(c) => {
            let reverted = c
                .revert_all_migrations(gongkai::db::pool::SQLITE_MIGRATIONS)
                .unwrap()
                .len();
            (
                reverted,
                gongkai::db::pool::migrate(&mut app.services.conn().unwrap()).unwrap(),
            )
        }
        DbConnection::Postgres(c) => {
            let reverted = c
                .revert_all_migrations(gongkai::db::pool::POSTGRES_MIGRATIONS)
                .unwrap()
                .len();
            (
                reverted,
                gongkai::db::pool::migrate(&mut app.services.conn().unwrap()).unwrap(),
            )
        }
    };
    assert!(reverted >= 1);
    assert_eq!(reverted, reapplied);
}
