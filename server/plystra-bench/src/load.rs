//! A closed-loop HTTP/1.1 load generator: `connections` keep-alive connections, each sending the
//! same POST again as soon as the previous answer is read, for a warm-up and then a timed window.
//!
//! It runs on a single-threaded tokio runtime in a thread of its own, so it competes with the
//! server for the CPU the way a separate load-generator process would, and it is the same code
//! for every target, so throughput ratios compare servers rather than clients.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::header::{CONTENT_TYPE, HOST, HeaderName, HeaderValue};
use hyper::{Method, Request, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

/// Why a load run could not be carried out. A non-2xx answer is not an error: it is counted.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoadError {
    /// Could not connect, or the runtime could not start.
    #[error("i/o failure")]
    Io(#[from] std::io::Error),
    /// The connection failed mid-request.
    #[error("http failure")]
    Http(#[from] hyper::Error),
    /// The request could not be assembled.
    #[error("bad request")]
    Request(#[from] hyper::http::Error),
    /// A client task panicked or the load thread died.
    #[error("load generator task failed: {0}")]
    Task(String),
}

/// How hard and how long to push.
#[derive(Debug, Clone, Copy)]
pub struct Load {
    /// Concurrent connections, each with one request in flight.
    pub connections: usize,
    /// Untimed time at the start (connections open, caches warm, pools fill).
    pub warmup: Duration,
    /// The timed window.
    pub duration: Duration,
}

impl Load {
    /// 64 connections, 2 s warm-up, 10 s timed; `PLYSTRA_BENCH_QUICK=1` makes it 0.5 s + 2 s,
    /// and `PLYSTRA_BENCH_CONNECTIONS` / `PLYSTRA_BENCH_SECONDS` override the other two.
    pub fn from_env() -> Load {
        let quick = std::env::var("PLYSTRA_BENCH_QUICK").is_ok_and(|v| !v.is_empty() && v != "0");
        let number = |name: &str| {
            std::env::var(name)
                .ok()
                .and_then(|v| v.trim().parse::<u64>().ok())
                .filter(|n| *n > 0)
        };
        let (warmup, seconds) = if quick { (500, 2) } else { (2000, 10) };
        Load {
            connections: number("PLYSTRA_BENCH_CONNECTIONS").map_or(64, |n| n as usize),
            warmup: Duration::from_millis(warmup),
            duration: Duration::from_secs(number("PLYSTRA_BENCH_SECONDS").unwrap_or(seconds)),
        }
    }
}

/// What to send: one POST, the same every time.
#[derive(Debug, Clone)]
pub struct Target {
    /// Where the server listens.
    pub addr: SocketAddr,
    /// The request path, e.g. `/api/v1/authz/check`.
    pub path: String,
    /// Extra headers (the API key).
    pub headers: Vec<(HeaderName, HeaderValue)>,
    /// The JSON body.
    pub body: Bytes,
}

/// The outcome of one run: counts and latencies of the requests that started after the warm-up
/// and finished inside the timed window.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// The timed window.
    pub window: Duration,
    /// Answers by status code.
    pub statuses: BTreeMap<u16, u64>,
    /// Latency of every counted request, microseconds, sorted.
    pub latencies_us: Vec<u32>,
}

impl Report {
    /// Requests answered in the window, whatever the status.
    pub fn completed(&self) -> u64 {
        self.statuses.values().sum()
    }

    /// Answers outside 2xx.
    pub fn failed(&self) -> u64 {
        self.statuses
            .iter()
            .filter(|(status, _)| !(200..300).contains(*status))
            .map(|(_, n)| n)
            .sum()
    }

    /// Requests per second over the window.
    pub fn throughput(&self) -> f64 {
        self.completed() as f64 / self.window.as_secs_f64()
    }

    /// The latency below which `fraction` (0–1) of the requests finished.
    pub fn percentile(&self, fraction: f64) -> Duration {
        if self.latencies_us.is_empty() {
            return Duration::ZERO;
        }
        let rank = (fraction * self.latencies_us.len() as f64).ceil() as usize;
        let index = rank.clamp(1, self.latencies_us.len()) - 1;
        Duration::from_micros(u64::from(self.latencies_us[index]))
    }
}

/// One request, outside any load: the status and body (to see that the target answers as
/// expected before timing it).
pub fn once(target: &Target) -> Result<(StatusCode, Bytes), LoadError> {
    let target = target.clone();
    on_own_runtime(async move {
        let mut connection = Connection::open(&target).await?;
        connection.send(&target).await
    })
}

/// Drives `load` against `target` and reports the timed window.
pub fn run(target: &Target, load: Load) -> Result<Report, LoadError> {
    let target = Arc::new(target.clone());
    on_own_runtime(async move {
        let mut connections = Vec::with_capacity(load.connections);
        for _ in 0..load.connections {
            connections.push(Connection::open(&target).await?);
        }
        let start = Instant::now();
        let window_start = start + load.warmup;
        let window_end = window_start + load.duration;
        let tasks: Vec<_> = connections
            .into_iter()
            .map(|connection| {
                let target = target.clone();
                tokio::spawn(connection.drive(target, window_start, window_end))
            })
            .collect();
        let mut report = Report {
            window: load.duration,
            ..Report::default()
        };
        for task in tasks {
            let part = task.await.map_err(|e| LoadError::Task(e.to_string()))??;
            for (status, n) in part.statuses {
                *report.statuses.entry(status).or_default() += n;
            }
            report.latencies_us.extend(part.latencies_us);
        }
        report.latencies_us.sort_unstable();
        Ok(report)
    })
}

/// Runs `future` to completion on a fresh single-threaded runtime in a thread of its own.
fn on_own_runtime<T: Send + 'static>(
    future: impl Future<Output = Result<T, LoadError>> + Send + 'static,
) -> Result<T, LoadError> {
    std::thread::Builder::new()
        .name("load-generator".into())
        .spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?
                .block_on(future)
        })?
        .join()
        .map_err(|_| LoadError::Task("the load thread panicked".into()))?
}

struct Connection {
    sender: hyper::client::conn::http1::SendRequest<Full<Bytes>>,
    host: HeaderValue,
}

impl Connection {
    async fn open(target: &Target) -> Result<Connection, LoadError> {
        let stream = TcpStream::connect(target.addr).await?;
        stream.set_nodelay(true)?;
        let (sender, connection) =
            hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
        tokio::spawn(connection);
        let host = HeaderValue::from_str(&target.addr.to_string())
            .map_err(|e| LoadError::Request(e.into()))?;
        Ok(Connection { sender, host })
    }

    async fn send(&mut self, target: &Target) -> Result<(StatusCode, Bytes), LoadError> {
        let mut request = Request::builder()
            .method(Method::POST)
            .uri(target.path.as_str())
            .header(HOST, self.host.clone())
            .header(CONTENT_TYPE, "application/json");
        for (name, value) in &target.headers {
            request = request.header(name, value);
        }
        let request = request.body(Full::new(target.body.clone()))?;
        self.sender.ready().await?;
        let response = self.sender.send_request(request).await?;
        let status = response.status();
        let body = response.into_body().collect().await?.to_bytes();
        Ok((status, body))
    }

    /// Sends until `end`; keeps what started at or after `window_start` and finished by `end`.
    async fn drive(
        mut self,
        target: Arc<Target>,
        window_start: Instant,
        end: Instant,
    ) -> Result<Report, LoadError> {
        let mut part = Report::default();
        loop {
            let sent = Instant::now();
            if sent >= end {
                return Ok(part);
            }
            let (status, _) = self.send(&target).await?;
            let done = Instant::now();
            if sent >= window_start && done <= end {
                *part.statuses.entry(status.as_u16()).or_default() += 1;
                let micros = done.duration_since(sent).as_micros();
                part.latencies_us
                    .push(u32::try_from(micros).unwrap_or(u32::MAX));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_pick_the_nearest_rank() {
        let report = Report {
            window: Duration::from_secs(2),
            statuses: BTreeMap::from([(200, 99), (500, 1)]),
            latencies_us: (1..=100).collect(),
        };
        assert_eq!(report.completed(), 100);
        assert_eq!(report.failed(), 1);
        assert_eq!(report.throughput(), 50.0);
        assert_eq!(report.percentile(0.5), Duration::from_micros(50));
        assert_eq!(report.percentile(0.99), Duration::from_micros(99));
        assert_eq!(report.percentile(1.0), Duration::from_micros(100));
        assert_eq!(Report::default().percentile(0.5), Duration::ZERO);
    }
}
