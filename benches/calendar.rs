//! Working-day arithmetic throughput on one core (issue 3 aims above 10 million additions/s).
//! `cargo bench --bench calendar`; prints the median of several runs and the spread.
#![allow(
    clippy::unwrap_used,
    reason = "a failed step here should stop with its value"
)]

use std::hint::black_box;
use std::time::Instant;

use chrono::NaiveDate;
use gongkai::domain::calendar::Calendar;
use gongkai::domain::notice::YearNotice;
use gongkai::service::calendar::SHIPPED;

const OPS: usize = 10_000_000;
const RUNS: usize = 7;

fn official() -> Calendar {
    let notices: Vec<YearNotice> = SHIPPED
        .iter()
        .map(|(y, text)| YearNotice::parse(text, Some(*y)).unwrap())
        .collect();
    Calendar::new(&notices, &[])
}

/// Inputs drawn before timing, from a simple LCG so the run is the same every time.
fn inputs() -> Vec<(NaiveDate, u32)> {
    let base = NaiveDate::from_ymd_opt(2019, 1, 1).unwrap();
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..4096)
        .map(|_| {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let day = (x >> 33) % (8 * 365);
            let n = ((x >> 20) % 60) as u32;
            (base + chrono::Days::new(day), n)
        })
        .collect()
}

fn median(mut v: Vec<f64>) -> (f64, f64, f64) {
    v.sort_by(f64::total_cmp);
    (v[v.len() / 2], v[0], v[v.len() - 1])
}

fn main() {
    let cal = official();
    let inputs = inputs();
    let mut add_rates = Vec::new();
    let mut between_rates = Vec::new();
    for _ in 0..RUNS {
        let t = Instant::now();
        for i in 0..OPS {
            let (from, n) = inputs[i & 4095];
            black_box(cal.add(black_box(from), black_box(n)).unwrap());
        }
        add_rates.push(OPS as f64 / t.elapsed().as_secs_f64());
        let t = Instant::now();
        for i in 0..OPS {
            let (a, _) = inputs[i & 4095];
            let (b, _) = inputs[(i + 1) & 4095];
            black_box(cal.between(black_box(a), black_box(b)).unwrap());
        }
        between_rates.push(OPS as f64 / t.elapsed().as_secs_f64());
    }
    let (m, lo, hi) = median(add_rates);
    println!(
        "add:     median {:.1} M/s (min {:.1}, max {:.1}) over {RUNS} runs of {OPS}",
        m / 1e6,
        lo / 1e6,
        hi / 1e6
    );
    let (m, lo, hi) = median(between_rates);
    println!(
        "between: median {:.1} M/s (min {:.1}, max {:.1}) over {RUNS} runs of {OPS}",
        m / 1e6,
        lo / 1e6,
        hi / 1e6
    );
    let t = Instant::now();
    let builds = 20;
    for _ in 0..builds {
        black_box(official());
    }
    println!(
        "building a calendar (2000-2099 index): {:.2} ms",
        t.elapsed().as_secs_f64() * 1e3 / builds as f64
    );
}
