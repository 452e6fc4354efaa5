//! A generated region for the monitor: a year of referrals, meetings, decisions, safety phases, measures
//! and closings in one partnership, written through the record functions (so every event is the real
//! kind, on either database) with a clock moved through the year, and the generator's own list of what
//! it made, to check the monitor's figures against.

mod steps;

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use chrono::{Duration, NaiveDate, NaiveDateTime};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::db::DbConn;
use crate::domain::decision::FamilyView;
use crate::domain::family::Urgency;
use crate::domain::measure::MeasureKind;
use crate::domain::organisation::{self, OrganisationKind};
use crate::domain::table::{self, Table, TableRole};
use crate::domain::user::{self, NewUser, Role};
use crate::domain::{DomainError, DomainResult, partnership};
use crate::record::{self, Who};
use crate::time::Clock;

/// What to generate.
#[derive(Clone, Debug)]
pub struct RegionSpec {
    pub partnership_id: i64,
    /// Families referred over the year.
    pub families: usize,
    /// The year's first day.
    pub year: i32,
    pub seed: u64,
    /// The password hash of every account made (argon2 is slow; hash once).
    pub password_hash: String,
    /// Distinguishes the accounts of two regions in one database ("a", "b").
    pub tag: String,
}

/// A referral as made, with when it reached each step (None: it never did).
#[derive(Clone, Debug)]
pub struct MadeReferral {
    pub family_id: i64,
    pub table_id: i64,
    pub urgency: Urgency,
    pub submitted: NaiveDateTime,
    pub answered: Option<NaiveDateTime>,
    pub decided: Option<NaiveDateTime>,
    pub discussed: Option<NaiveDateTime>,
}

/// A decision as made.
#[derive(Clone, Debug)]
pub struct MadeDecision {
    pub family_id: i64,
    pub table_id: i64,
    pub outcome: String,
    pub view: FamilyView,
    pub at: NaiveDateTime,
}

/// The generator's own list of what it made.
#[derive(Clone, Debug, Default)]
pub struct Made {
    pub referrals: Vec<MadeReferral>,
    pub decisions: Vec<MadeDecision>,
    /// (family, from, to, when).
    pub phases: Vec<(i64, Option<i32>, i32, NaiveDateTime)>,
    /// (family, kind, when).
    pub measures: Vec<(i64, MeasureKind, NaiveDateTime)>,
    /// (family, when).
    pub closed: Vec<(i64, NaiveDateTime)>,
    /// The tables: (id, name).
    pub tables: Vec<(i64, String)>,
    /// Accounts made: the chair of the first table, a professional who directs some families, and
    /// an organisation admin.
    pub chair_email: String,
    pub professional_email: String,
    pub professional_id: i64,
}

/// What the next step does.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Step {
    /// Open family `n` and refer it.
    Start(usize),
    /// The chair answers family `n`'s referral.
    Answer(usize),
    /// Meeting `id` sits: a decision for each family on it, then it closes.
    Sit(i64),
    /// Family `n` moves to a phase.
    Phase(usize, i32),
    /// A measure for family `n`'s child.
    Measure(usize),
    /// Family `n` is closed.
    Close(usize),
}

/// The accounts and tables of the region.
struct Cast {
    directors: Vec<Who>,
    others: Vec<Who>,
    chairs: Vec<Who>,
    tables: Vec<Table>,
}

/// What the generator keeps per family while it runs.
#[derive(Clone, Debug, Default)]
struct FamilyRun {
    id: i64,
    director: usize,
    child: i64,
    table: usize,
    referral: Option<crate::domain::referral::Referral>,
    made: usize,
}

fn account(
    conn: &mut DbConn,
    spec: &RegionSpec,
    (email, name, role, org): (&str, &str, Role, i64),
) -> DomainResult<Who> {
    let created = user::create(
        conn,
        NewUser {
            organisation_id: Some(org),
            email: &format!("{email}.{}@regio.example", spec.tag),
            name,
            role,
            password_hash: Some(&spec.password_hash),
        },
    )?;
    record::who(conn, created.id)
}

/// The region's organisations, professionals, chairs and tables.
fn cast(conn: &mut DbConn, spec: &RegionSpec) -> DomainResult<Cast> {
    let p = spec.partnership_id;
    let mut org = |name: &str, kind| -> DomainResult<i64> {
        let made = organisation::create(conn, &format!("{name} {}", spec.tag), kind, None)?;
        partnership::add_organisation(conn, p, made.id)?;
        Ok(made.id)
    };
    let orgs = [
        org("Veilig Thuis", OrganisationKind::VeiligThuis)?,
        org("Wijkteam", OrganisationKind::LocalTeam)?,
        org("Politie", OrganisationKind::Police)?,
        org("GGZ", OrganisationKind::MentalHealth)?,
        org("School", OrganisationKind::School)?,
    ];
    let mut people = |prefix: &str, n: usize, org_of: &dyn Fn(usize) -> i64| {
        (0..n)
            .map(|i| {
                let (email, name) = (format!("{prefix}{i}"), format!("{prefix} {i}"));
                account(conn, spec, (&email, &name, Role::Professional, org_of(i)))
            })
            .collect::<DomainResult<Vec<Who>>>()
    };
    let directors = people("regisseur", 6, &|i| orgs[i % 2])?;
    let others = people("betrokkene", 8, &|i| orgs[2 + i % 3])?;
    let chairs = people("voorzitter", 3, &|_| orgs[0])?;
    account(conn, spec, ("beheer", "Beheer", Role::OrgAdmin, orgs[0]))?;
    let kinds = table::kinds_of(conn, &[p])?;
    let mut tables = Vec::new();
    for (i, code) in ["mda", "beschermingsoverleg", "actieoverleg"]
        .iter()
        .enumerate()
    {
        let kind = kinds
            .iter()
            .find(|k| k.code == *code)
            .ok_or(DomainError::Missing("table kind"))?;
        let name = format!("{} {}", kind.name, spec.tag.to_uppercase());
        let made = record::create_table(conn, &chairs[i], kind, &name, "Regio")?;
        table::add_member(conn, made.id, chairs[i].user_id, TableRole::Chair)?;
        tables.push(made);
    }
    Ok(Cast {
        directors,
        others,
        chairs,
        tables,
    })
}

/// A moment on `day` of the year at `minutes` past 08:00 (UTC).
fn moment(spec: &RegionSpec, day: i64, minutes: i64) -> NaiveDateTime {
    let first = NaiveDate::from_ymd_opt(spec.year, 1, 1).unwrap_or_default();
    first.and_hms_opt(8, 0, 0).unwrap_or_default()
        + Duration::days(day)
        + Duration::minutes(minutes)
}

/// Generates the region: accounts and tables first (at the start of the year), then every step in
/// the order of its time, with the clock set to it.
pub fn generate(conn: &mut DbConn, spec: &RegionSpec) -> DomainResult<Made> {
    let clock = Clock::wall();
    clock.set(moment(spec, -7, 0));
    clock.run(|| {
        let cast = cast(conn, spec)?;
        let mut rng = StdRng::seed_from_u64(spec.seed);
        let mut queue: BinaryHeap<Reverse<(NaiveDateTime, Step)>> = BinaryHeap::new();
        for n in 0..spec.families {
            let at = moment(spec, rng.random_range(0..340), rng.random_range(0..540));
            queue.push(Reverse((at, Step::Start(n))));
        }
        let mut run = steps::Run {
            spec,
            cast: &cast,
            rng,
            families: vec![FamilyRun::default(); spec.families],
            made: Made {
                tables: cast.tables.iter().map(|t| (t.id, t.name.clone())).collect(),
                chair_email: format!("voorzitter0.{}@regio.example", spec.tag),
                professional_email: format!("regisseur0.{}@regio.example", spec.tag),
                professional_id: cast.directors[0].user_id,
                ..Made::default()
            },
            meetings: Vec::new(),
        };
        while let Some(Reverse((at, step))) = queue.pop() {
            clock.set(at);
            for next in crate::db::write(conn, |conn| run.step(conn, at, &step))? {
                queue.push(Reverse(next));
            }
        }
        Ok(run.made)
    })
}
