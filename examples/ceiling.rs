//! The storage ceiling for online filing: the same filings as the HTTP load (`filing.lua`),
//! written by the same service function straight through diesel, one transaction each, from
//! as many threads as the server has pool connections. No HTTP, no JSON parsing of requests.
//!
//! cargo run --release --example ceiling -- DATABASE_URL SECONDS THREADS
//! (CEILING_GROUP=1: through SQLite's group committer, as the service writes them)
#![allow(
    clippy::unwrap_used,
    reason = "a failed step here should stop with its value"
)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use gongkai::db::DatabaseUrl;
use gongkai::security::SecretKey;
use gongkai::service::forms::OnlineFiling;
use gongkai::service::intake;
use gongkai::startup::open_services;

#[path = "../benches/common/mod.rs"]
mod common;

fn filing(n: u64) -> OnlineFiling {
    serde_json::from_value(common::filing_json(n)).expect("a valid filing")
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let url = DatabaseUrl::parse(args.first().map_or("sqlite://load/gongkai.db", |s| s))?;
    let seconds: u64 = args.get(1).map_or(Ok(10), |s| s.parse())?;
    let threads: usize = args.get(2).map_or(Ok(8), |s| s.parse())?;
    let key = match std::env::var("GONGKAI_SECRET_KEY") {
        Ok(hex) => SecretKey::from_hex(&hex)?,
        Err(_) => SecretKey::load_or_create(
            &std::env::var_os("GONGKAI_SECRET_KEY_FILE")
                .map(Into::into)
                .unwrap_or_else(|| gongkai::startup::default_key_file(&url)),
        )?,
    };
    let mut services = open_services(&url, key, threads.min(16) as u32)?;
    // No group commit: one transaction per filing, as a plain diesel program would write them.
    // CEILING_GROUP=1 keeps the group committer, to measure what HTTP itself costs.
    if std::env::var_os("CEILING_GROUP").is_none() {
        services.writer = None;
    }
    let next = Arc::new(AtomicUsize::new(0));
    let until = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let workers: Vec<_> = (0..threads)
        .map(|_| {
            let (services, next) = (services.clone(), next.clone());
            std::thread::spawn(move || {
                let mut took = Vec::new();
                while Instant::now() < until {
                    // Far from the numbers the HTTP load used, so no applicant repeats.
                    let n = 50_000_000 + next.fetch_add(1, Ordering::Relaxed) as u64;
                    let form = filing(n);
                    let t = Instant::now();
                    intake::file_online(&services, &form, None, chrono::Utc::now())
                        .expect("filing succeeds");
                    took.push(t.elapsed().as_secs_f64() * 1000.0);
                }
                took
            })
        })
        .collect();
    let mut took: Vec<f64> = workers
        .into_iter()
        .flat_map(|w| w.join().unwrap())
        .collect();
    let secs = started.elapsed().as_secs_f64();
    took.sort_by(f64::total_cmp);
    let pct = |p: f64| took[((took.len() as f64 * p) as usize).min(took.len() - 1)];
    println!(
        "RESULT requests={} seconds={secs:.2} rps={:.0} p50_ms={:.2} p99_ms={:.2}",
        took.len(),
        took.len() as f64 / secs,
        pct(0.50),
        pct(0.99)
    );
    Ok(())
}
