//! The API's rate limit across the instances: one organisation's requests spread evenly over every
//! instance of the cluster. The limit is per organisation for the whole service (counted in the
//! database), so three instances answer `SAMENSPEL_API_RATE_LIMIT` requests a minute in total, not
//! three times as many.

use std::time::Instant;

use samenspel::db;
use samenspel::domain::organisation::{self, OrganisationKind};
use samenspel::domain::user::{self, NewUser, Role};

use super::cluster::Cluster;

/// An organisation with one approved API token on the database (migrated here if it was not yet);
/// returns the token's secret.
pub fn token(url: &str) -> String {
    let pool = db::connect(&db::DatabaseUrl::parse(url).unwrap(), 1).unwrap();
    let mut conn = pool.get().unwrap();
    db::migrate(&mut conn).unwrap();
    db::write(&mut conn, |conn| -> anyhow::Result<String> {
        let org = organisation::create(conn, "Limiet", OrganisationKind::Other, None)?;
        let admin = user::create(
            conn,
            NewUser {
                organisation_id: Some(org.id),
                email: "beheer@limiet.example",
                name: "Beheer Limiet",
                role: Role::OrgAdmin,
                password_hash: None,
            },
        )?;
        let (id, secret) = samenspel::domain::api_token::create(conn, org.id, "Limiet", admin.id)?;
        samenspel::domain::api_token::approve(conn, id, admin.id)?;
        Ok(secret)
    })
    .unwrap()
}

/// What the instances answered to `requests` requests of one organisation, sent round the instances
/// in turn, one stream per instance at the same time.
pub struct Outcome {
    pub answered: Vec<usize>,
    pub refused: Vec<usize>,
    pub other: usize,
    pub limit: String,
    pub seconds: f64,
}

pub async fn run(cluster: &Cluster, token: &str, requests: usize) -> Outcome {
    let n = cluster.instances();
    let http = reqwest::Client::new();
    let started = Instant::now();
    let streams = (0..n).map(|i| {
        let (http, url) = (http.clone(), cluster.instance_url(i));
        async move {
            let mut counts = (0, 0, 0, String::new());
            for _ in (i..requests).step_by(n) {
                let res = http
                    .get(format!("{url}/api/v1/events?limit=1"))
                    .bearer_auth(token)
                    .send()
                    .await;
                match res.as_ref().map(|r| r.status().as_u16()) {
                    Ok(200) => counts.0 += 1,
                    Ok(429) => counts.1 += 1,
                    _ => counts.2 += 1,
                }
                if let Some(limit) = res.ok().and_then(|r| {
                    r.headers()
                        .get("ratelimit-limit")
                        .and_then(|v| v.to_str().ok().map(str::to_string))
                }) {
                    counts.3 = limit;
                }
            }
            counts
        }
    });
    let per_instance = futures_util::future::join_all(streams).await;
    Outcome {
        answered: per_instance.iter().map(|c| c.0).collect(),
        refused: per_instance.iter().map(|c| c.1).collect(),
        other: per_instance.iter().map(|c| c.2).sum(),
        limit: per_instance
            .iter()
            .map(|c| c.3.clone())
            .find(|l| !l.is_empty())
            .unwrap_or_default(),
        seconds: started.elapsed().as_secs_f64(),
    }
}

impl Outcome {
    pub fn lines(&self, requests: usize) -> Vec<String> {
        let total: usize = self.answered.iter().sum();
        let join = |v: &[usize]| {
            v.iter()
                .map(usize::to_string)
                .collect::<Vec<_>>()
                .join(" + ")
        };
        vec![
            format!(
                "rate limit across {} instances: {requests} requests of one organisation in {:.1} s, spread evenly",
                self.answered.len(),
                self.seconds
            ),
            format!(
                "answered: {total} ({}), refused with 429: {} ({}), other answers: {}; the limit each instance reports: {} a minute",
                join(&self.answered),
                self.refused.iter().sum::<usize>(),
                join(&self.refused),
                self.other,
                self.limit
            ),
        ]
    }

    /// Whether the instances together answered exactly the limit, and refused the rest.
    pub fn holds(&self, requests: usize) -> bool {
        let total: usize = self.answered.iter().sum();
        let limit: usize = self.limit.parse().unwrap_or(0);
        self.other == 0 && total == limit.min(requests)
    }
}
