//! A small timing loop for in-process operations: warm up, size a batch to a few milliseconds,
//! time many batches, report the median batch's rate. The median keeps one descheduled batch
//! (two cores, other processes) from moving the figure.

use std::hint::black_box;
use std::time::{Duration, Instant};

/// How long one [`measure`] runs, split between warm-up and timed batches.
#[derive(Debug, Clone, Copy)]
pub struct Budget {
    /// Untimed calls before the first batch.
    pub warmup: Duration,
    /// Total time of the timed batches.
    pub timed: Duration,
    /// Target duration of one batch.
    pub batch: Duration,
}

impl Budget {
    /// 0.5 s warm-up and 3 s of 10 ms batches; `PLYSTRA_BENCH_QUICK=1` cuts both tenfold for a
    /// smoke run.
    pub fn from_env() -> Budget {
        let quick = std::env::var("PLYSTRA_BENCH_QUICK").is_ok_and(|v| !v.is_empty() && v != "0");
        let scale = if quick { 10 } else { 1 };
        Budget {
            warmup: Duration::from_millis(500) / scale,
            timed: Duration::from_secs(3) / scale,
            batch: Duration::from_millis(10),
        }
    }
}

/// One measured operation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rate {
    /// Operations per second of the median batch.
    pub per_second: f64,
    /// Number of timed batches.
    pub batches: usize,
}

impl Rate {
    /// Nanoseconds per operation.
    pub fn nanos(&self) -> f64 {
        1e9 / self.per_second
    }
}

/// Times `op` under `budget`. `op` returns something (the decision) so the optimiser cannot
/// drop the work; it goes through [`black_box`].
pub fn measure<T>(budget: Budget, mut op: impl FnMut() -> T) -> Rate {
    let until = Instant::now() + budget.warmup;
    let mut calls: u64 = 0;
    while Instant::now() < until {
        for _ in 0..64 {
            black_box(op());
        }
        calls += 64;
    }
    // Size a batch from the warm-up's rate, at least one call.
    let per_call = budget.warmup.as_secs_f64() / calls.max(1) as f64;
    let batch = ((budget.batch.as_secs_f64() / per_call) as u64).max(1);

    let mut rates = Vec::new();
    let until = Instant::now() + budget.timed;
    while Instant::now() < until || rates.len() < 5 {
        let started = Instant::now();
        for _ in 0..batch {
            black_box(op());
        }
        rates.push(batch as f64 / started.elapsed().as_secs_f64());
    }
    rates.sort_by(f64::total_cmp);
    Rate {
        per_second: rates[rates.len() / 2],
        batches: rates.len(),
    }
}

/// `1234567.8` as `1 234 568`: rates are easier to compare with grouped digits.
pub fn grouped(value: f64) -> String {
    let digits = format!("{:.0}", value.max(0.0));
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grouped_splits_thousands() {
        assert_eq!(grouped(0.0), "0");
        assert_eq!(grouped(999.4), "999");
        assert_eq!(grouped(1000.0), "1 000");
        assert_eq!(grouped(1234567.8), "1 234 568");
    }

    #[test]
    fn measure_reports_a_positive_rate() {
        let budget = Budget {
            warmup: Duration::from_millis(5),
            timed: Duration::from_millis(20),
            batch: Duration::from_millis(1),
        };
        let rate = measure(budget, || black_box(3u64).wrapping_mul(7));
        assert!(rate.per_second > 0.0);
        assert!(rate.batches >= 5);
    }
}
