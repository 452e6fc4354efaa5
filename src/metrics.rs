//! Operations metrics for the people running the service, in the Prometheus text format: requests by
//! route and status with their latency, the live room's sockets and how far its dispatcher runs
//! behind the event log, the webhook outbox, the database pool, and failed logins. Counted per
//! instance (as Prometheus expects: it scrapes each instance and adds them up). Names no person, no
//! family and no address beyond the route's pattern.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

/// The upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 12] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

/// A latency histogram: the count per bucket (not cumulative), the sum and the count.
#[derive(Clone, Debug, Default)]
struct Histogram {
    buckets: [u64; BUCKETS.len()],
    sum: f64,
    count: u64,
}

impl Histogram {
    fn observe(&mut self, seconds: f64) {
        let seconds = seconds.max(0.0);
        if let Some(i) = BUCKETS.iter().position(|le| seconds <= *le) {
            self.buckets[i] += 1;
        }
        self.sum += seconds;
        self.count += 1;
    }

    /// The histogram's lines, `labels` being the series' own labels ("" or `route="/",method="GET"`).
    fn write(&self, out: &mut String, name: &str, labels: &str) {
        let sep = if labels.is_empty() { "" } else { "," };
        let mut cumulative = 0;
        for (le, n) in BUCKETS.iter().zip(self.buckets) {
            cumulative += n;
            let _ = writeln!(
                out,
                "{name}_bucket{{{labels}{sep}le=\"{le}\"}} {cumulative}"
            );
        }
        let _ = writeln!(
            out,
            "{name}_bucket{{{labels}{sep}le=\"+Inf\"}} {}",
            self.count
        );
        let braces = |s: &str| {
            if s.is_empty() {
                String::new()
            } else {
                format!("{{{s}}}")
            }
        };
        let _ = writeln!(out, "{name}_sum{} {}", braces(labels), self.sum);
        let _ = writeln!(out, "{name}_count{} {}", braces(labels), self.count);
    }
}

/// Requests of one route and method: the count per status and the latency.
#[derive(Clone, Debug, Default)]
struct RouteStats {
    by_status: BTreeMap<u16, u64>,
    latency: Histogram,
}

/// The metrics of one instance.
#[derive(Debug, Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(String, String), RouteStats>>,
    dispatch_lag: Mutex<Histogram>,
    login_failures: AtomicU64,
}

/// What is read at the moment of the scrape rather than counted: the live room, the outbox and the
/// database pool.
#[derive(Clone, Copy, Debug, Default)]
pub struct Readings {
    pub live_sockets: usize,
    pub webhooks_pending: i64,
    pub webhooks_failed: i64,
    pub pool_connections: u32,
    pub pool_idle: u32,
    pub pool_max: u32,
}

impl Metrics {
    /// One answered request: `route` is the matched pattern ("/gezinnen/:id"), never the path itself,
    /// so ids and secrets in addresses stay out and the number of series stays small.
    /// Parameters are written `:id` rather than `{id}`: braces inside label values trip up simple
    /// parsers of the text format, though Prometheus itself takes them.
    pub fn request(&self, route: &str, method: &str, status: u16, seconds: f64) {
        let route: String = route
            .chars()
            .filter(|c| *c != '}')
            .map(|c| if c == '{' { ':' } else { c })
            .collect();
        if let Ok(mut map) = self.requests.lock() {
            let stats = map.entry((route, method.to_string())).or_default();
            *stats.by_status.entry(status).or_default() += 1;
            stats.latency.observe(seconds);
        }
    }

    /// How long after its commit a meeting event reached the live room's dispatcher.
    pub fn dispatched(&self, lag_seconds: f64) {
        if let Ok(mut h) = self.dispatch_lag.lock() {
            h.observe(lag_seconds);
        }
    }

    /// A login refused: a wrong email or password, or a throttled attempt.
    pub fn login_failed(&self) {
        self.login_failures.fetch_add(1, Ordering::Relaxed);
    }

    /// Everything in the Prometheus text format (version 0.0.4).
    pub fn render(&self, now: &Readings) -> String {
        let mut out = String::new();
        let requests = self.requests.lock().map(|m| m.clone()).unwrap_or_default();
        write_requests(&mut out, &requests);
        let lag = self
            .dispatch_lag
            .lock()
            .map(|h| h.clone())
            .unwrap_or_default();
        write_live(&mut out, now, &lag);
        write_readings(&mut out, now);
        let failures = self.login_failures.load(Ordering::Relaxed);
        gauge_or_counter(
            &mut out,
            ("samenspel_login_failures_total", "counter"),
            "Logins refused: wrong email or password, or throttled.",
            failures,
        );
        out
    }
}

/// The request counters and latency histograms, one series per route, method (and status).
fn write_requests(out: &mut String, requests: &BTreeMap<(String, String), RouteStats>) {
    let total = "samenspel_http_requests_total";
    header(
        out,
        total,
        "counter",
        "HTTP requests answered, by route pattern, method and status.",
    );
    for ((route, method), stats) in requests {
        for (status, n) in &stats.by_status {
            let (route, method) = (escape(route), escape(method));
            let _ = writeln!(
                out,
                "{total}{{route=\"{route}\",method=\"{method}\",status=\"{status}\"}} {n}"
            );
        }
    }
    let duration = "samenspel_http_request_duration_seconds";
    header(
        out,
        duration,
        "histogram",
        "Time to answer, by route pattern and method.",
    );
    for ((route, method), stats) in requests {
        let labels = format!("route=\"{}\",method=\"{}\"", escape(route), escape(method));
        stats.latency.write(out, duration, &labels);
    }
}

/// The live room: open sockets and the dispatcher's lag.
fn write_live(out: &mut String, now: &Readings, lag: &Histogram) {
    gauge_or_counter(
        out,
        ("samenspel_live_sockets", "gauge"),
        "Open live meeting sockets on this instance.",
        now.live_sockets,
    );
    let name = "samenspel_live_dispatch_lag_seconds";
    header(
        out,
        name,
        "histogram",
        "Time from a meeting event's commit to its dispatch to the sockets.",
    );
    lag.write(out, name, "");
}

/// What was read at the scrape: the webhook outbox and the database pool.
fn write_readings(out: &mut String, now: &Readings) {
    gauge_or_counter(
        out,
        ("samenspel_webhook_outbox_pending", "gauge"),
        "Webhook deliveries waiting to be sent (or sent again).",
        now.webhooks_pending,
    );
    gauge_or_counter(
        out,
        ("samenspel_webhook_deliveries_failed", "gauge"),
        "Webhook deliveries given up after every attempt.",
        now.webhooks_failed,
    );
    let pool = "samenspel_db_pool_connections";
    header(
        out,
        pool,
        "gauge",
        "Database connections of this instance's pool, by state.",
    );
    let in_use = now.pool_connections.saturating_sub(now.pool_idle);
    let _ = writeln!(out, "{pool}{{state=\"in_use\"}} {in_use}");
    let _ = writeln!(out, "{pool}{{state=\"idle\"}} {}", now.pool_idle);
    gauge_or_counter(
        out,
        ("samenspel_db_pool_max_connections", "gauge"),
        "The pool's size (SAMENSPEL_DB_POOL_SIZE).",
        now.pool_max,
    );
}

/// A metric of one sample without labels, with its help and type.
fn gauge_or_counter(
    out: &mut String,
    (name, kind): (&str, &str),
    help: &str,
    value: impl std::fmt::Display,
) {
    header(out, name, kind, help);
    let _ = writeln!(out, "{name} {value}");
}

fn header(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} {kind}");
}

/// A label value as the text format wants it: backslash, double quote and newline escaped.
fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_histogram_counts_cumulatively_and_labels_are_escaped() {
        let m = Metrics::default();
        m.request("/a\"b", "GET", 200, 0.003);
        m.request("/a\"b", "GET", 200, 0.2);
        m.request("/a\"b", "GET", 404, 50.0);
        let text = m.render(&Readings::default());
        assert!(text.contains(
            "samenspel_http_requests_total{route=\"/a\\\"b\",method=\"GET\",status=\"200\"} 2"
        ));
        assert!(text.contains(
            "samenspel_http_request_duration_seconds_bucket{route=\"/a\\\"b\",method=\"GET\",le=\"0.005\"} 1"
        ));
        assert!(text.contains(
            "samenspel_http_request_duration_seconds_bucket{route=\"/a\\\"b\",method=\"GET\",le=\"0.25\"} 2"
        ));
        assert!(text.contains(
            "samenspel_http_request_duration_seconds_bucket{route=\"/a\\\"b\",method=\"GET\",le=\"30\"} 2"
        ));
        assert!(text.contains(
            "samenspel_http_request_duration_seconds_bucket{route=\"/a\\\"b\",method=\"GET\",le=\"+Inf\"} 3"
        ));
        assert!(text.contains("samenspel_live_dispatch_lag_seconds_count 0"));
    }
}
