//! The reference deployment, started by a program: HAProxy with the configuration of `bench/cluster`
//! in front of N instances of the real `samenspel` binary on one PostgreSQL database. An instance can
//! be killed with SIGKILL and started again on its port. Shared by `examples/failover_bench` and the
//! test `failover::`.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The secret every instance's `/metrics` asks for, so the run can see where the sockets are.
const METRICS_TOKEN: &str = "failover-metrics-token";

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .expect("a free port")
        .local_addr()
        .expect("its address")
        .port()
}

/// Whether HAProxy is installed (`bash bench/cluster install` installs it from Debian's packages).
pub fn haproxy_installed() -> bool {
    Command::new("haproxy")
        .arg("-v")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

pub struct Cluster {
    pub front: u16,
    ports: Vec<u16>,
    instances: Vec<Option<Child>>,
    balancer: Child,
    exe: PathBuf,
    database_url: String,
    dir: tempfile::TempDir,
}

impl Cluster {
    /// Starts `n` instances of `exe` on `database_url` (migrated already) and the balancer in front,
    /// and waits until the balancer answers /readyz.
    pub async fn start(exe: &Path, database_url: &str, n: usize) -> Cluster {
        let dir = tempfile::tempdir().expect("temp dir");
        let front = free_port();
        let ports: Vec<u16> = (0..n).map(|_| free_port()).collect();
        let mut cluster = Cluster {
            front,
            ports: ports.clone(),
            instances: Vec::new(),
            balancer: start_balancer(dir.path(), front, &ports),
            exe: exe.to_path_buf(),
            database_url: database_url.to_string(),
            dir,
        };
        for i in 0..n {
            let child = cluster.spawn_instance(i);
            cluster.instances.push(Some(child));
        }
        for port in ports {
            wait_ready(port).await;
        }
        wait_ready(front).await;
        cluster
    }

    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.front)
    }

    /// How many instances the cluster has (running or not).
    pub fn instances(&self) -> usize {
        self.ports.len()
    }

    /// One instance directly, not through the balancer.
    pub fn instance_url(&self, i: usize) -> String {
        format!("http://127.0.0.1:{}", self.ports[i])
    }

    fn spawn_instance(&self, i: usize) -> Child {
        let mut cmd = Command::new(&self.exe);
        for (name, _, _) in samenspel::config::VARIABLES {
            cmd.env_remove(name);
        }
        cmd.arg("serve")
            .current_dir(self.dir.path())
            .env("DATABASE_URL", &self.database_url)
            .env("SAMENSPEL_BIND", format!("127.0.0.1:{}", self.ports[i]))
            .env("SAMENSPEL_BASE_URL", self.base_url())
            .env("SAMENSPEL_TRUST_PROXY", "true")
            .env("SAMENSPEL_METRICS_TOKEN", METRICS_TOKEN)
            .env("SAMENSPEL_SECOND_FACTOR", "optional")
            .env("SAMENSPEL_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("start {}: {e}", self.exe.display()))
    }

    /// SIGKILL for instance `i`; returns the moment it was sent.
    pub fn kill(&mut self, i: usize) -> Instant {
        let mut child = self.instances[i].take().expect("the instance runs");
        let at = Instant::now();
        child.kill().expect("SIGKILL");
        let _ = child.wait();
        at
    }

    /// Starts instance `i` again on its port and waits until it is ready.
    pub async fn restart(&mut self, i: usize) {
        let child = self.spawn_instance(i);
        self.instances[i] = Some(child);
        wait_ready(self.ports[i]).await;
    }

    /// The running instance with the most open live sockets (from its own /metrics).
    pub async fn busiest(&self) -> usize {
        let http = reqwest::Client::new();
        let mut best = (0, -1.0);
        for (i, port) in self.ports.iter().enumerate() {
            if self.instances[i].is_none() {
                continue;
            }
            let sockets = live_sockets(&http, *port).await.unwrap_or(0.0);
            if sockets > best.1 {
                best = (i, sockets);
            }
        }
        best.0
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        for child in self.instances.iter_mut().flatten() {
            let _ = child.kill();
            let _ = child.wait();
        }
        let _ = self.balancer.kill();
        let _ = self.balancer.wait();
    }
}

/// HAProxy in the foreground with the configuration `bench/cluster config` writes.
fn start_balancer(dir: &Path, front: u16, ports: &[u16]) -> Child {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("bench/cluster");
    let config = Command::new("bash")
        .arg(&script)
        .arg("config")
        .arg(front.to_string())
        .args(ports.iter().map(u16::to_string))
        .output()
        .expect("bash bench/cluster config");
    assert!(config.status.success(), "bench/cluster config failed");
    let file = dir.join("haproxy.cfg");
    std::fs::write(&file, config.stdout).expect("write haproxy.cfg");
    Command::new("haproxy")
        .arg("-db")
        .arg("-f")
        .arg(&file)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start haproxy")
}

async fn live_sockets(http: &reqwest::Client, port: u16) -> Option<f64> {
    let text = http
        .get(format!("http://127.0.0.1:{port}/metrics"))
        .bearer_auth(METRICS_TOKEN)
        .send()
        .await
        .ok()?
        .text()
        .await
        .ok()?;
    text.lines()
        .find(|l| l.starts_with("samenspel_live_sockets "))
        .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
}

async fn wait_ready(port: u16) {
    let started = Instant::now();
    let url = format!("http://127.0.0.1:{port}/readyz");
    loop {
        if reqwest::get(&url)
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "nothing ready on port {port} after 30 s"
        );
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
}
