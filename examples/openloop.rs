//! An open-loop load on a running service: filings and clerk-queue reads sent on a fixed
//! schedule, whatever the answers' speed. wrk's closed loop waits for each answer before the
//! next request, so a slow moment sends fewer requests and hides itself; here the k-th request
//! of a stream is due at `k / rate` seconds, it is sent then even if earlier ones are still
//! waiting, and its latency counts from when it was due (no coordinated omission).
//!
//! cargo run --release --example openloop -- URL SECONDS FILINGS_PER_S QUEUE_PER_S TOKENS_FILE
//!
//! Filings go to ten offices in turn with different applicants (as `scripts/load/filing.lua`);
//! queue reads are `GET /api/v1/applications?due_within=3` with each office's clerk token in
//! turn (TOKENS_FILE: `CODE TOKEN` lines, as the seed writes them). Prints one `RESULT` line a
//! stream: rate offered, answers, those refused at once (503 `overloaded`), errors, and
//! p50/p99/max in ms of the answered ones.
#![allow(
    clippy::unwrap_used,
    reason = "a failed step here should stop with its value"
)]

use std::cell::RefCell;
use std::rc::Rc;
use std::time::{Duration, Instant};

#[path = "../benches/common/mod.rs"]
mod common;

#[derive(Default)]
struct Tally {
    /// Latencies (ms) of the answers with the expected status.
    ok: Vec<f64>,
    /// Answered 503 `overloaded` at once: turned back by the service's bound, nothing done.
    refused: usize,
    errors: usize,
}

fn filing(n: u64) -> String {
    common::filing_json(n).to_string()
}

/// Sends the stream's requests on schedule until `end`, then waits for the last answers.
async fn stream(
    rate: f64,
    start: Instant,
    end: Instant,
    make: impl Fn(u64) -> awc::SendClientRequest + 'static,
    expect: u16,
) -> Tally {
    let tally = Rc::new(RefCell::new(Tally::default()));
    let mut in_flight = Vec::new();
    let mut k = 0u64;
    if rate > 0.0 {
        loop {
            let due = start + Duration::from_secs_f64(k as f64 / rate);
            if due >= end {
                break;
            }
            actix_rt::time::sleep_until(due.into()).await;
            let (sent, tally) = (make(k), tally.clone());
            in_flight.push(actix_rt::spawn(async move {
                let status = match sent.await {
                    Ok(mut answer) => match answer.body().limit(1 << 20).await {
                        Ok(_) => Some(answer.status().as_u16()),
                        Err(_) => None,
                    },
                    Err(_) => None,
                };
                let mut t = tally.borrow_mut();
                match status {
                    Some(s) if s == expect => t.ok.push(due.elapsed().as_secs_f64() * 1000.0),
                    Some(503) => t.refused += 1,
                    _ => t.errors += 1,
                }
            }));
            k += 1;
        }
    }
    for task in in_flight {
        let _ = task.await;
    }
    Rc::try_unwrap(tally).ok().unwrap().into_inner()
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i]
}

fn report(name: &str, rate: f64, seconds: f64, mut t: Tally) {
    t.ok.sort_by(f64::total_cmp);
    println!(
        "RESULT {name} offered={rate}/s answered={:.0}/s ok={} refused={} errors={} p50={:.1}ms p99={:.1}ms max={:.1}ms",
        t.ok.len() as f64 / seconds,
        t.ok.len(),
        t.refused,
        t.errors,
        percentile(&t.ok, 0.50),
        percentile(&t.ok, 0.99),
        t.ok.last().copied().unwrap_or(f64::NAN),
    );
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    anyhow::ensure!(
        args.len() == 5,
        "usage: openloop URL SECONDS FILINGS_PER_S QUEUE_PER_S TOKENS_FILE"
    );
    let base = args[0].trim_end_matches('/').to_owned();
    let seconds: f64 = args[1].parse()?;
    let (filings, reads): (f64, f64) = (args[2].parse()?, args[3].parse()?);
    let tokens: Vec<String> = std::fs::read_to_string(&args[4])?
        .lines()
        .filter_map(|l| l.split_once(' '))
        .filter(|(code, _)| *code != "auditor")
        .map(|(_, token)| token.trim().to_owned())
        .collect();
    anyhow::ensure!(!tokens.is_empty(), "no clerk tokens in {}", args[4]);
    actix_rt::System::new().block_on(async move {
        // Enough connections that the client never holds a due request back.
        let client = awc::Client::builder()
            .connector(awc::Connector::new().limit(1024))
            .timeout(Duration::from_secs(30))
            .finish();
        let start = Instant::now() + Duration::from_millis(100);
        let end = start + Duration::from_secs_f64(seconds);
        let (c, url) = (client.clone(), format!("{base}/api/v1/applications"));
        let filing_stream = stream(
            filings,
            start,
            end,
            move |k| {
                // Far from the seed's and the closed-loop run's applicants.
                c.post(&url)
                    .insert_header(("Content-Type", "application/json"))
                    .send_body(filing(80_000_000 + k))
            },
            201,
        );
        let (c, url) = (
            client.clone(),
            format!("{base}/api/v1/applications?due_within=3"),
        );
        let queue_stream = stream(
            reads,
            start,
            end,
            move |k| {
                let token = &tokens[k as usize % tokens.len()];
                c.get(&url)
                    .insert_header(("Authorization", format!("Bearer {token}")))
                    .send()
            },
            200,
        );
        let (f, q) = futures_util::future::join(filing_stream, queue_stream).await;
        report("filing", filings, seconds, f);
        report("queue", reads, seconds, q);
    });
    Ok(())
}
