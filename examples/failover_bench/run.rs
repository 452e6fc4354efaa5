//! One failover run: the cluster, the participants spread over its instances by the balancer, the
//! chair recording decisions, kills of the busiest instance, and the outcome. Shared by
//! `examples/failover_bench` and the test `failover::`.

use std::cell::{Cell, RefCell};
use std::path::Path;
use std::rc::Rc;
use std::time::{Duration, Instant};

use super::cluster::Cluster;
use super::meeting::{self, Log, Outcome, Setup};

pub struct Run {
    pub cluster: Cluster,
    pub setup: Rc<Setup>,
    url: String,
    stop: Rc<Cell<bool>>,
    stop_chair: Rc<Cell<bool>>,
    logs: Vec<Rc<RefCell<Log>>>,
    chair: actix_web::rt::task::JoinHandle<(Vec<String>, usize)>,
    kills: Vec<Instant>,
}

/// What a run measured.
pub struct Report {
    pub outcome: Outcome,
    pub kills: usize,
    pub acknowledged: usize,
    pub failed_requests: usize,
    pub connects: usize,
}

impl Run {
    /// Starts `instances` instances behind the balancer on `url` (prepared with `meeting::prepare`),
    /// connects every participant through it and lets the chair record a decision every `every`.
    pub async fn start(
        exe: &Path,
        url: &str,
        setup: Setup,
        instances: usize,
        every: Duration,
    ) -> Run {
        let cluster = Cluster::start(exe, url, instances).await;
        let setup = Rc::new(setup);
        let stop = Rc::new(Cell::new(false));
        let ws_base = cluster.base_url().replacen("http", "ws", 1);
        let mut logs = Vec::new();
        for token in &setup.participants {
            let log = Rc::new(RefCell::new(Log::default()));
            logs.push(log.clone());
            let client = meeting::participant(
                ws_base.clone(),
                (setup.meeting, setup.after),
                token.clone(),
                stop.clone(),
                log,
            );
            actix_web::rt::spawn(client);
        }
        let started = Instant::now();
        while logs.iter().any(|l| l.borrow().connects == 0) {
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "not every participant connected"
            );
            actix_web::rt::time::sleep(Duration::from_millis(50)).await;
        }
        let stop_chair = Rc::new(Cell::new(false));
        let chair = meeting::chair(cluster.base_url(), setup.clone(), every, stop_chair.clone());
        let chair = actix_web::rt::spawn(chair);
        Run {
            cluster,
            setup,
            url: url.to_string(),
            stop,
            stop_chair,
            logs,
            chair,
            kills: Vec::new(),
        }
    }

    /// Kills the instance with the most live sockets with SIGKILL; with `restart`, starts it again
    /// a second later (so the next kill finds a full cluster). Returns the moment of the kill.
    pub async fn kill_busiest(&mut self, restart: bool) -> Instant {
        let i = self.cluster.busiest().await;
        let at = self.cluster.kill(i);
        self.kills.push(at);
        if restart {
            actix_web::rt::time::sleep(Duration::from_secs(1)).await;
            self.cluster.restart(i).await;
        }
        at
    }

    /// Stops the chair, waits until every client has the last decision (at most `wait`), stops the
    /// clients and compares. The cluster runs on until the run is dropped.
    pub async fn finish(&mut self, wait: Duration) -> Report {
        actix_web::rt::time::sleep(Duration::from_millis(500)).await;
        self.stop_chair.set(true);
        let (acknowledged, failed_requests) = (&mut self.chair).await.expect("the chair");
        let last = {
            let pool =
                samenspel::db::connect(&samenspel::db::DatabaseUrl::parse(&self.url).unwrap(), 1)
                    .unwrap();
            samenspel::events::last_id(&mut pool.get().unwrap()).unwrap()
        };
        let started = Instant::now();
        while started.elapsed() < wait
            && self
                .logs
                .iter()
                .any(|l| l.borrow().events.last().is_none_or(|(id, _)| *id < last))
        {
            actix_web::rt::time::sleep(Duration::from_millis(50)).await;
        }
        self.stop.set(true);
        actix_web::rt::time::sleep(Duration::from_millis(300)).await;
        let outcome = meeting::check(
            &self.url,
            &self.setup,
            &acknowledged,
            &self.logs,
            &self.kills,
        );
        Report {
            outcome,
            kills: self.kills.len(),
            acknowledged: acknowledged.len(),
            failed_requests,
            connects: self.logs.iter().map(|l| l.borrow().connects).sum(),
        }
    }
}

impl Report {
    /// The figures, one line each.
    pub fn lines(&self, instances: usize, participants: usize) -> Vec<String> {
        let o = &self.outcome;
        vec![
            format!(
                "{instances} instances behind HAProxy, {participants} participants, {} kills (SIGKILL of the busiest instance)",
                self.kills
            ),
            format!(
                "decisions: {} recorded, {} acknowledged, {} requests failed at a kill, {} acknowledged but lost",
                o.decisions, self.acknowledged, self.failed_requests, o.acknowledged_lost
            ),
            format!(
                "events: missed {}, duplicated {}, out of order {}; connections {} (reconnects {})",
                o.missed,
                o.duplicated,
                o.out_of_order,
                self.connects,
                self.connects.saturating_sub(participants)
            ),
            format!(
                "gap kill -> first event after reconnect: p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms over {} reconnects; never recovered {}",
                meeting::percentile(&o.gaps_ms, 50.0),
                meeting::percentile(&o.gaps_ms, 99.0),
                o.gaps_ms.last().copied().unwrap_or(f64::NAN),
                o.gaps_ms.len(),
                o.never_recovered
            ),
        ]
    }
}
