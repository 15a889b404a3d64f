//! `gongkai backup`, `migrate` and `close-lapsed`: looking after the database.

use std::path::Path;

use gongkai::db;

use super::context::Context;
use super::progress::Progress;

pub fn backup(ctx: &Context, to: &Path) -> anyhow::Result<()> {
    let progress = Progress::steps("copying the database");
    let taken =
        gongkai::service::backup::sqlite(&ctx.url, to, Some(&mut |step| progress.step(step)))?;
    progress.done();
    println!(
        "backed up to {} ({} bytes); restore by stopping the service and putting it in place of the database file",
        to.display(),
        taken
    );
    Ok(())
}

pub fn migrate(ctx: &Context) -> anyhow::Result<()> {
    let pool = db::pool::open(&ctx.url, 1)?;
    let ran = db::pool::migrate(&mut *pool.get()?)?;
    println!("database is up to date ({ran} migrations were pending)");
    Ok(())
}

pub fn close_lapsed(ctx: &Context) -> anyhow::Result<()> {
    let services = ctx.services()?;
    let done = gongkai::service::jobs::close_lapsed(&services, chrono::Utc::now())?;
    println!(
        "abandoned for no correction: {}; abandoned for an unpaid fee: {}",
        done.abandoned_no_correction, done.abandoned_fee_unpaid
    );
    Ok(())
}
