//! A meeting in the failover run: its data, the participants' protocol clients (which behave as
//! `static/live.js` does: reconnect with `?after=` the last event they applied), the chair who records
//! decisions through the balancer, and the check that every participant got every event exactly once
//! and in order. Shared by `examples/failover_bench` and the test `failover::`.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use samenspel::auth::session;
use samenspel::db;
use samenspel::domain::meeting::MeetingPlan;
use samenspel::domain::organisation::{self, OrganisationKind};
use samenspel::domain::table::{self, TableRole};
use samenspel::domain::user::{self, NewUser, Role};
use samenspel::record;

/// One meeting with a chair, its participants and the item the chair records decisions on.
pub struct Setup {
    pub meeting: i64,
    pub item: i64,
    pub outcome: String,
    pub chair: String,
    pub participants: Vec<String>,
    /// The last event before the run: every client starts after it.
    pub after: i64,
}

/// Migrates the (empty) database, seeds the demo and adds a table with a running meeting for
/// `participants` members, each with a session.
pub fn prepare(url: &str, participants: usize) -> Setup {
    let pool = db::connect(&db::DatabaseUrl::parse(url).unwrap(), 2).unwrap();
    let mut conn = pool.get().unwrap();
    db::migrate(&mut conn).unwrap();
    samenspel::demo::seed(&mut conn).unwrap();
    let day = Duration::from_secs(3600 * 8);
    let mut setup = db::write(&mut conn, |conn| -> anyhow::Result<Setup> {
        let org = organisation::create(conn, "Failover", OrganisationKind::Other, None)?;
        let mut new_user = |name: String| -> anyhow::Result<i64> {
            let email = format!("{name}@failover.example");
            let user = NewUser {
                organisation_id: Some(org.id),
                email: &email,
                name: &name,
                role: Role::Professional,
                password_hash: None,
            };
            Ok(user::create(conn, user)?.id)
        };
        let chair = new_user("chair".into())?;
        let members: Vec<i64> = (0..participants)
            .map(|p| new_user(format!("p{p}")))
            .collect::<Result<_, _>>()?;
        let kind = table::kinds_of(conn, &[1])?
            .into_iter()
            .find(|k| k.code == "mda")
            .expect("the demo's MDA++ kind");
        let chair_who = record::who(conn, chair)?;
        let t = record::create_table(conn, &chair_who, &kind, "Failover tafel", "Failover")?;
        table::add_member(conn, t.id, chair, TableRole::Chair)?;
        for id in &members {
            table::add_member(conn, t.id, *id, TableRole::Member)?;
        }
        let now = samenspel::domain::now();
        let plan = MeetingPlan {
            starts_at: now,
            ends_at: now + chrono::Duration::hours(2),
            place: "Failover".into(),
            online_link: String::new(),
        };
        let (meeting, _) = record::plan_meeting(conn, &chair_who, &t, &plan)?;
        let (item, _) = record::add_topic(conn, &chair_who, &meeting, "Onderwerp", 30)?;
        let _ = record::start_meeting(conn, &chair_who, &meeting)?;
        Ok(Setup {
            meeting: meeting.id,
            item: item.id,
            outcome: t.outcomes().into_iter().next().expect("an outcome"),
            chair: session::create(conn, chair, day)?,
            participants: members
                .iter()
                .map(|id| session::create(conn, *id, day))
                .collect::<Result<_, _>>()?,
            after: 0,
        })
    })
    .unwrap();
    setup.after = samenspel::events::last_id(&mut conn).unwrap();
    setup
}

/// What one participant's client saw.
#[derive(Default)]
pub struct Log {
    /// Every event message as it arrived (event id, when), duplicates included.
    pub events: Vec<(i64, Instant)>,
    /// When the connection dropped.
    pub drops: Vec<Instant>,
    pub connects: usize,
}

impl Log {
    fn last(&self) -> i64 {
        self.events.iter().map(|(id, _)| *id).max().unwrap_or(0)
    }
}

/// A participant: connects through the balancer, reads every message, answers pings, and after a
/// drop reconnects at once (then after 100 ms, 200 ms, … up to 2 s) with `?after=` the last event
/// it got, until `stop`.
pub async fn participant(
    ws_base: String,
    setup: (i64, i64),
    token: String,
    stop: Rc<Cell<bool>>,
    log: Rc<RefCell<Log>>,
) {
    let (meeting, after) = setup;
    let mut delay = Duration::ZERO;
    while !stop.get() {
        let from = log.borrow().last().max(after);
        let url = format!("{ws_base}/bijeenkomsten/{meeting}/live?after={from}");
        let connected = awc::Client::new()
            .ws(url)
            .header("Cookie", format!("samenspel_session={token}"))
            .connect()
            .await;
        let Ok((_, mut framed)) = connected else {
            actix_web::rt::time::sleep(delay).await;
            delay = (delay * 2).clamp(Duration::from_millis(100), Duration::from_secs(2));
            continue;
        };
        delay = Duration::ZERO;
        log.borrow_mut().connects += 1;
        loop {
            let next =
                actix_web::rt::time::timeout(Duration::from_millis(200), framed.next()).await;
            if stop.get() {
                return;
            }
            let frame = match next {
                Err(_) => continue,
                Ok(Some(Ok(frame))) => frame,
                Ok(_) => break,
            };
            match frame {
                awc::ws::Frame::Text(bytes) => {
                    let value: serde_json::Value =
                        serde_json::from_slice(&bytes).unwrap_or_default();
                    if let Some(id) = value["event"].as_i64() {
                        log.borrow_mut().events.push((id, Instant::now()));
                    }
                }
                awc::ws::Frame::Ping(bytes) => {
                    let _ = framed.send(awc::ws::Message::Pong(bytes)).await;
                }
                awc::ws::Frame::Close(_) => break,
                _ => {}
            }
        }
        log.borrow_mut().drops.push(Instant::now());
    }
}

/// The chair: records a decision every `every` through the balancer until `stop`; returns the texts
/// the server acknowledged (303) and how many requests failed (the instance died under them).
pub async fn chair(
    base: String,
    setup: Rc<Setup>,
    every: Duration,
    stop: Rc<Cell<bool>>,
) -> (Vec<String>, usize) {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let cookie = format!("samenspel_session={}", setup.chair);
    let page = format!(
        "{base}/bijeenkomsten/{}/punten/{}",
        setup.meeting, setup.item
    );
    let body = http
        .get(&page)
        .header("Cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = body
        .split("name=\"csrf_token\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("a CSRF token on the item page")
        .to_string();
    let (mut acknowledged, mut failed) = (Vec::new(), 0);
    let mut n = 0;
    while !stop.get() {
        n += 1;
        let text = format!("failover-{n}");
        let form = [
            ("csrf_token", csrf.as_str()),
            ("outcome", setup.outcome.as_str()),
            ("text", text.as_str()),
            ("rationale", "Vastgelegd tijdens de failover-test."),
            ("family_view", "agrees"),
            ("family_words", "Eens."),
        ];
        let sent = http
            .post(format!("{page}/besluiten"))
            .header("Cookie", &cookie)
            .form(&form)
            .send()
            .await;
        match sent.map(|r| r.status()) {
            Ok(s) if s.as_u16() == 303 => acknowledged.push(text),
            Ok(s) if s.is_server_error() => failed += 1,
            Ok(s) => panic!("decision {text} refused with {s}"),
            Err(_) => failed += 1,
        }
        actix_web::rt::time::sleep(every).await;
    }
    (acknowledged, failed)
}

/// What the run shows: per participant, events missed, received twice and out of order, against the
/// decisions in the database; and the gaps from each kill to the first event after reconnecting.
pub struct Outcome {
    pub decisions: usize,
    pub acknowledged_lost: usize,
    pub missed: usize,
    pub duplicated: usize,
    pub out_of_order: usize,
    /// Milliseconds from a kill to the first event a client got after its connection dropped.
    pub gaps_ms: Vec<f64>,
    /// Clients whose connection dropped after a kill and that got no event afterwards.
    pub never_recovered: usize,
}

/// Compares what every client got with the meeting's decisions in the database.
pub fn check(
    url: &str,
    setup: &Setup,
    acknowledged: &[String],
    logs: &[Rc<RefCell<Log>>],
    kills: &[Instant],
) -> Outcome {
    let pool = db::connect(&db::DatabaseUrl::parse(url).unwrap(), 1).unwrap();
    let mut conn = pool.get().unwrap();
    let events =
        samenspel::events::for_meeting_after(&mut conn, setup.meeting, setup.after, i64::MAX)
            .unwrap();
    let expected: Vec<i64> = events
        .iter()
        .filter(|e| e.event_kind() == Some(samenspel::events::EventKind::DecisionRecorded))
        .map(|e| e.id)
        .collect();
    let recorded = {
        use diesel::prelude::*;
        use samenspel::schema::decisions;
        decisions::table
            .filter(decisions::text.like("failover-%"))
            .select(decisions::text)
            .load::<String>(&mut conn)
            .unwrap()
    };
    let mut out = Outcome {
        decisions: expected.len(),
        acknowledged_lost: acknowledged
            .iter()
            .filter(|a| !recorded.contains(a))
            .count(),
        missed: 0,
        duplicated: 0,
        out_of_order: 0,
        gaps_ms: Vec::new(),
        never_recovered: 0,
    };
    for log in logs {
        let log = log.borrow();
        let got: Vec<i64> = log.events.iter().map(|(id, _)| *id).collect();
        out.missed += expected.iter().filter(|id| !got.contains(id)).count();
        let mut seen = std::collections::HashSet::new();
        out.duplicated += got.iter().filter(|id| !seen.insert(**id)).count();
        out.out_of_order += got.windows(2).filter(|w| w[1] < w[0]).count();
        for (k, kill) in kills.iter().enumerate() {
            // A drop belongs to this kill when it came after it, within 5 s and before the next one.
            let until = kills
                .get(k + 1)
                .copied()
                .unwrap_or(*kill + Duration::from_secs(5));
            let until = until.min(*kill + Duration::from_secs(5));
            let Some(dropped) = log.drops.iter().find(|d| **d >= *kill && **d < until) else {
                continue;
            };
            match log.events.iter().find(|(_, at)| at > dropped) {
                Some((_, at)) => out
                    .gaps_ms
                    .push(at.duration_since(*kill).as_secs_f64() * 1000.0),
                None => out.never_recovered += 1,
            }
        }
    }
    out.gaps_ms.sort_by(|a, b| a.partial_cmp(b).unwrap());
    out
}

pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * (sorted.len() as f64 - 1.0)).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}
