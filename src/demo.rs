//! Demo data from the fictional scenarios (shared SCENARIOS): organisations and people of each role.

use anyhow::Context;

use chrono::{Datelike, NaiveDate};

use crate::db::{self, DatabaseUrl, DbConn};
use chrono::TimeZone;

use crate::domain::family::{self, FamilyDetails, LegalBasis, PersonDetails, PersonRole, Urgency};
use crate::domain::meeting::{self, MeetingPlan};
use crate::domain::organisation::{self, OrganisationKind};
use crate::domain::plan::{LifeDomain, Section};
use crate::domain::referral::{ReferralDetails, ReferralStatus};
use crate::domain::table::{self, TableRole};
use crate::domain::top3::{Giver, Top3};
use crate::domain::user::{self, NewUser, Role};
use crate::record::{self, Who};

pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/demo.db";

/// One account to print after seeding.
pub struct Login {
    pub name: String,
    pub organisation: String,
    pub role: Role,
    pub does: &'static str,
    pub email: String,
    pub password: String,
}

const ORGANISATIONS: &[(&str, OrganisationKind)] = &[
    (
        "Veilig Thuis Zuid-Holland Zuid",
        OrganisationKind::VeiligThuis,
    ),
    ("Sociaal wijkteam Dordrecht", OrganisationKind::LocalTeam),
    ("Politie Zuid-Holland Zuid", OrganisationKind::Police),
    (
        "GGZ volwassenen Drechtsteden",
        OrganisationKind::MentalHealth,
    ),
    ("Basisschool De Regenboog", OrganisationKind::School),
    ("Gemeente Arnhem", OrganisationKind::Municipality),
    (
        "Jeugdbescherming Gelderland",
        OrganisationKind::CertifiedInstitution,
    ),
    (
        "Raad voor de Kinderbescherming",
        OrganisationKind::ChildProtectionBoard,
    ),
    ("Lokaal team Ede", OrganisationKind::LocalTeam),
    (
        "Veiligheidshuis Zuid-Holland Zuid",
        OrganisationKind::SafetyHouse,
    ),
];

/// The two partnerships of the scenarios, with the organisations that take part (the Raad voor de
/// Kinderbescherming in both), their coordinators and the organisation kinds that may direct a family.
const PARTNERSHIPS: &[(&str, &[&str], &str, &[OrganisationKind])] = &[
    (
        "Zuid-Holland Zuid",
        &[
            "Veilig Thuis Zuid-Holland Zuid",
            "Sociaal wijkteam Dordrecht",
            "Politie Zuid-Holland Zuid",
            "GGZ volwassenen Drechtsteden",
            "Basisschool De Regenboog",
            "Raad voor de Kinderbescherming",
            "Veiligheidshuis Zuid-Holland Zuid",
        ],
        "hanna.kuiper@veiligheidshuis-zhz.example",
        &crate::domain::partnership::DEFAULT_DIRECTOR_KINDS,
    ),
    (
        "Centraal Gelderland",
        &[
            "Gemeente Arnhem",
            "Jeugdbescherming Gelderland",
            "Raad voor de Kinderbescherming",
            "Lokaal team Ede",
        ],
        "bram.willems@arnhem.example",
        &[
            OrganisationKind::LocalTeam,
            OrganisationKind::VeiligThuis,
            OrganisationKind::CertifiedInstitution,
            OrganisationKind::Municipality,
        ],
    ),
];

/// (name, email, organisation, role, what they do in the scenarios)
const PEOPLE: &[(&str, &str, Option<&str>, Role, &str)] = &[
    (
        "Beheer Samenspel",
        "beheer@samenspel.example",
        None,
        Role::SystemAdmin,
        "systeembeheer",
    ),
    (
        "Petra de Graaf",
        "petra.degraaf@veiligthuis-zhz.example",
        Some("Veilig Thuis Zuid-Holland Zuid"),
        Role::OrgAdmin,
        "beheert de accounts van Veilig Thuis",
    ),
    (
        "Marloes Jacobs",
        "marloes.jacobs@veiligthuis-zhz.example",
        Some("Veilig Thuis Zuid-Holland Zuid"),
        Role::Professional,
        "notulist MDA++",
    ),
    (
        "Ingrid Smit",
        "ingrid.smit@veiligthuis-zhz.example",
        Some("Veilig Thuis Zuid-Holland Zuid"),
        Role::Professional,
        "voorzitter MDA++ Zuid-Holland Zuid",
    ),
    (
        "Ahmed Benali",
        "ahmed.benali@veiligthuis-zhz.example",
        Some("Veilig Thuis Zuid-Holland Zuid"),
        Role::Professional,
        "casusregisseur gezin Jansen",
    ),
    (
        "Karin de Vries",
        "karin.devries@wijkteam-dordrecht.example",
        Some("Sociaal wijkteam Dordrecht"),
        Role::Professional,
        "betrokken bij gezin Jansen (vast duo)",
    ),
    (
        "Ruud Verbeek",
        "ruud.verbeek@politie-zhz.example",
        Some("Politie Zuid-Holland Zuid"),
        Role::Professional,
        "vast lid MDA++",
    ),
    (
        "Esther Kok",
        "esther.kok@ggz-drechtsteden.example",
        Some("GGZ volwassenen Drechtsteden"),
        Role::Professional,
        "uitgenodigd voor één agendapunt",
    ),
    (
        "Joost Mulder",
        "joost.mulder@deregenboog.example",
        Some("Basisschool De Regenboog"),
        Role::Professional,
        "intern begeleider",
    ),
    (
        "Mirjam van Dijk",
        "mirjam.vandijk@arnhem.example",
        Some("Gemeente Arnhem"),
        Role::Professional,
        "voorzitter beschermingsoverleg",
    ),
    (
        "Saskia Visser",
        "saskia.visser@jbgelderland.example",
        Some("Jeugdbescherming Gelderland"),
        Role::Professional,
        "vast lid beschermingsoverleg",
    ),
    (
        "Tom Hendriks",
        "tom.hendriks@rvdk.example",
        Some("Raad voor de Kinderbescherming"),
        Role::Professional,
        "vast lid beschermingsoverleg",
    ),
    (
        "Linda Bos",
        "linda.bos@lokaalteam-ede.example",
        Some("Lokaal team Ede"),
        Role::Professional,
        "voorzitter actieoverleg Ede",
    ),
    (
        "Hanna Kuiper",
        "hanna.kuiper@veiligheidshuis-zhz.example",
        Some("Veiligheidshuis Zuid-Holland Zuid"),
        Role::Professional,
        "coördinator samenwerkingsverband Zuid-Holland Zuid",
    ),
    (
        "Bram Willems",
        "bram.willems@arnhem.example",
        Some("Gemeente Arnhem"),
        Role::Professional,
        "coördinator samenwerkingsverband Centraal Gelderland",
    ),
];

/// Deletes the SQLite demo database and its WAL files, so `demo` starts fresh.
pub fn remove_sqlite_files(url: &DatabaseUrl) -> anyhow::Result<()> {
    if let DatabaseUrl::Sqlite(path) = url {
        for suffix in ["", "-wal", "-shm"] {
            let mut file = path.clone().into_os_string();
            file.push(suffix);
            match std::fs::remove_file(&file) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => {
                    return Err(e).with_context(|| format!("cannot remove {}", path.display()));
                }
            }
        }
    }
    Ok(())
}

/// A password for all demo accounts of this run: random, so a demo left running is not an open door.
fn demo_password() -> String {
    let token = crate::auth::random_token();
    let clean: String = token
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .take(12)
        .collect();
    format!("demo-{clean}")
}

/// Fills an empty database with the demo organisations and accounts; returns the logins.
pub fn seed(conn: &mut DbConn) -> anyhow::Result<Vec<Login>> {
    let password = demo_password();
    // One hash for all: they share the password, and hashing a dozen times would only slow the start.
    let hash = crate::auth::password::hash(&password)?;
    db::write(conn, |conn| {
        if !user::list(conn, None)?.is_empty() {
            anyhow::bail!(
                "the database has accounts already; demo data goes only into an empty database"
            );
        }
        for (name, kind) in ORGANISATIONS {
            organisation::create(conn, name, *kind, None)?;
        }
        let mut logins = Vec::new();
        let mut ids = Vec::new();
        for (name, email, organisation_name, role, does) in PEOPLE {
            let organisation_id = match organisation_name {
                Some(o) => Some(
                    organisation::find_by_name(conn, o)?
                        .with_context(|| format!("demo organisation {o} missing"))?
                        .id,
                ),
                None => None,
            };
            let created = user::create(
                conn,
                NewUser {
                    organisation_id,
                    email,
                    name,
                    role: *role,
                    password_hash: Some(&hash),
                },
            )?;
            ids.push((email.to_string(), created.id));
            logins.push(Login {
                name: name.to_string(),
                organisation: organisation_name.unwrap_or("—").to_string(),
                role: *role,
                does,
                email: email.to_string(),
                password: password.clone(),
            });
        }
        let regions = seed_partnerships(conn, &ids)?;
        seed_families(conn, &ids, regions)?;
        logins.push(seed_portal(conn, &ids, &hash, &password)?);
        Ok(logins)
    })
}

/// The partnerships Zuid-Holland Zuid (the one every database starts with, renamed) and Centraal
/// Gelderland, set up by the system admin; their ids in that order.
fn seed_partnerships(conn: &mut DbConn, ids: &[(String, i64)]) -> anyhow::Result<(i64, i64)> {
    use crate::domain::partnership;
    let id_of = |email: &str| {
        ids.iter()
            .find(|(e, _)| e == email)
            .map(|(_, id)| *id)
            .with_context(|| format!("demo user {email} missing"))
    };
    let admin = record::who(conn, id_of("beheer@samenspel.example")?)?;
    let mut made = Vec::new();
    for (i, (name, organisations, coordinator, directors)) in PARTNERSHIPS.iter().enumerate() {
        let region = match partnership::list(conn)?.into_iter().next() {
            Some(first) if i == 0 => {
                partnership::rename(conn, first.id, name)?;
                partnership::find(conn, first.id)?.context("partnership")?
            }
            _ => record::create_partnership(conn, &admin, name)?,
        };
        for o in *organisations {
            let org = organisation::find_by_name(conn, o)?
                .with_context(|| format!("demo organisation {o} missing"))?;
            record::add_organisation(conn, &admin, &region, &org)?;
        }
        let coordinator = record::who(conn, id_of(coordinator)?)?;
        record::appoint_coordinator(conn, &admin, &region, &coordinator)?;
        record::change_settings(
            conn,
            &admin,
            &region,
            &region.name,
            directors,
            crate::domain::partnership::RecordPeriods {
                closed_readable_days: region.closed_readable_days,
                retention_years: region.retention_years,
            },
        )?;
        made.push(region.id);
    }
    Ok((made[0], made[1]))
}

/// The families of the scenarios, each created and filled by its director through `record`, so the
/// timeline and the event log hold their history like any real family's.
fn seed_families(
    conn: &mut DbConn,
    ids: &[(String, i64)],
    (zhz, gelderland): (i64, i64),
) -> anyhow::Result<()> {
    let mut person = |email: &str| -> anyhow::Result<Who> {
        let id = ids
            .iter()
            .find(|(e, _)| e == email)
            .map(|(_, id)| *id)
            .with_context(|| format!("demo user {email} missing"))?;
        Ok(record::who(conn, id)?)
    };
    let ahmed = person("ahmed.benali@veiligthuis-zhz.example")?;
    let karin = person("karin.devries@wijkteam-dordrecht.example")?;
    let ruud = person("ruud.verbeek@politie-zhz.example")?;
    let joost = person("joost.mulder@deregenboog.example")?;
    let mirjam = person("mirjam.vandijk@arnhem.example")?;
    let tom = person("tom.hendriks@rvdk.example")?;
    let linda = person("linda.bos@lokaalteam-ede.example")?;
    let ingrid = person("ingrid.smit@veiligthuis-zhz.example")?;
    let marloes = person("marloes.jacobs@veiligthuis-zhz.example")?;
    let esther = person("esther.kok@ggz-drechtsteden.example")?;
    let saskia = person("saskia.visser@jbgelderland.example")?;
    let today = crate::time::local(crate::domain::now()).date_naive();
    let born =
        |age: i32, month: u32, day: u32| NaiveDate::from_ymd_opt(today.year() - age, month, day);
    let details =
        |name: &str, municipality: &str, urgency: Urgency, basis: LegalBasis| FamilyDetails {
            display_name: name.into(),
            municipality: municipality.into(),
            urgency,
            legal_basis: basis,
            family_informed: true,
            not_informed_reason: None,
        };
    let member =
        |name: &str, born: Option<NaiveDate>, role: PersonRole, authority: bool| PersonDetails {
            name: name.into(),
            date_of_birth: born,
            role,
            parental_authority: authority,
            identity: None,
        };
    let section =
        |strengths: &str, concerns: &str, wishes: &str, goals: &str, agreements: &str| Section {
            strengths: strengths.into(),
            concerns: concerns.into(),
            wishes: wishes.into(),
            goals: goals.into(),
            agreements: agreements.into(),
        };

    // Gezin Jansen, Dordrecht: MDA++, phase 1, director Ahmed with Karin as vast duo.
    let jansen = record::start_family(
        conn,
        &ahmed,
        zhz,
        &details(
            "Gezin Jansen",
            "Dordrecht",
            Urgency::Urgent,
            LegalBasis::ReportingCode,
        ),
        "Casusregisseur",
        today,
    )?;
    // The children's BSN (fictional numbers from the test range) and address, so partners can see who
    // an action concerns.
    for (name, age, role, authority, bsn) in [
        ("Sandra Jansen", 34, PersonRole::Parent, true, None),
        (
            "Mila Jansen",
            9,
            PersonRole::Child,
            false,
            Some("999990007"),
        ),
        (
            "Daan Jansen",
            6,
            PersonRole::Child,
            false,
            Some("999990019"),
        ),
        ("Mark Jansen", 38, PersonRole::Parent, true, None),
    ] {
        let identity = bsn.map(|bsn: &str| family::Identity {
            bsn: bsn.into(),
            street: "Lindelaan".into(),
            house_number: 12,
            postcode: "3311 XK".into(),
            city: "Dordrecht".into(),
        });
        record::save_person(
            conn,
            &ahmed,
            jansen.id,
            None,
            &PersonDetails {
                identity,
                ..member(name, born(age, 3, 14), role, authority)
            },
        )?;
    }
    record::add_involvement(conn, &ahmed, jansen.id, &karin, "Gezinscoach", today)?;
    record::add_involvement(conn, &ahmed, jansen.id, &ruud, "Wijkagent", today)?;
    record::add_involvement(
        conn,
        &ahmed,
        jansen.id,
        &joost,
        "Intern begeleider school",
        today,
    )?;
    record::appoint_director(conn, &ahmed, jansen.id, &ahmed, Some(&karin))?;
    let safety = section(
        "Sandra zoekt hulp en houdt zich aan de afspraken.",
        "Drie politiemeldingen van huiselijk geweld in zes maanden. Het tijdelijk huisverbod is afgelopen.",
        "Sandra wil dat de kinderen veilig zijn en dat het omgangscontact in het buurthuis is.",
        "Direct veilig: geen geweld meer in huis.",
        "Mark komt niet aan huis.\nContact met de kinderen alleen onder toezicht bij oma Jansen, op zaterdag.\nAls Mark aan de deur komt, belt Sandra 112 en daarna Ahmed.",
    );
    let network = section(
        "Oma Jansen en buurvrouw Els zijn betrokken.",
        "",
        "",
        "Het netwerk let mee op.",
        "Oma Jansen en buurvrouw Els letten op.",
    );
    record::save_plan(
        conn,
        &ahmed,
        jansen.id,
        0,
        &[
            (LifeDomain::Safety, safety.clone()),
            (LifeDomain::SocialNetwork, network.clone()),
        ],
    )?;
    let mut safety_v2 = safety;
    safety_v2.agreements.push_str(
        "\nSchool meldt het dezelfde dag aan Karin als Mila of Daan van slag is of afwezig.",
    );
    record::save_plan(
        conn,
        &karin,
        jansen.id,
        1,
        &[
            (LifeDomain::Safety, safety_v2),
            (LifeDomain::SocialNetwork, network),
        ],
    )?;
    record::comment_on_plan(
        conn,
        &ruud,
        jansen.id,
        "Politie houdt zicht op Mark. Ik meld nieuwe incidenten dezelfde dag aan Ahmed.",
    )?;

    // Gezin de Vries, Arnhem: towards the beschermingsoverleg.
    let de_vries = record::start_family(
        conn,
        &mirjam,
        gelderland,
        &details(
            "Gezin de Vries",
            "Arnhem",
            Urgency::Regular,
            LegalBasis::LegalTask,
        ),
        "Regisseur lokaal team",
        today,
    )?;
    record::save_person(
        conn,
        &mirjam,
        de_vries.id,
        None,
        &member("Peter de Vries", born(29, 7, 2), PersonRole::Parent, true),
    )?;
    record::save_person(
        conn,
        &mirjam,
        de_vries.id,
        None,
        &member("Lotte de Vries", born(3, 1, 20), PersonRole::Child, false),
    )?;
    record::add_involvement(conn, &mirjam, de_vries.id, &tom, "Raadsonderzoeker", today)?;
    record::save_plan(
        conn,
        &mirjam,
        de_vries.id,
        0,
        &[(
            LifeDomain::WellbeingHealth,
            section(
                "Peter houdt veel van Lotte.",
                "Gemiste afspraken bij het consultatiebureau, Lotte groeit te weinig.",
                "\"Ik doe mijn best, ze hebben het op mij gemunt.\"",
                "Lotte groeit goed en komt op alle afspraken.",
                "",
            ),
        )],
    )?;

    // Gezin El Amrani, Ede: the weekly actieoverleg.
    let el_amrani = record::start_family(
        conn,
        &linda,
        gelderland,
        &details(
            "Gezin El Amrani",
            "Ede",
            Urgency::Urgent,
            LegalBasis::LegalTask,
        ),
        "Regisseur lokaal team",
        today,
    )?;
    for (name, age, role, authority) in [
        ("Youssef El Amrani", 46, PersonRole::Parent, true),
        ("Fatima El Amrani", 42, PersonRole::Parent, true),
        ("Adam El Amrani", 15, PersonRole::Child, false),
    ] {
        record::save_person(
            conn,
            &linda,
            el_amrani.id,
            None,
            &member(name, born(age, 9, 1), role, authority),
        )?;
    }

    // Gezin Bakker, Dordrecht: recovery, Karin directs, Ahmed stays involved.
    let bakker = record::start_family(
        conn,
        &karin,
        zhz,
        &details(
            "Gezin Bakker",
            "Dordrecht",
            Urgency::Regular,
            LegalBasis::Consent,
        ),
        "Gezinscoach en regisseur",
        today,
    )?;
    for (name, age, role, authority) in [
        ("Anouk Bakker", 41, PersonRole::Parent, true),
        ("Sem Bakker", 12, PersonRole::Child, false),
        ("Noor Bakker", 7, PersonRole::Child, false),
    ] {
        record::save_person(
            conn,
            &karin,
            bakker.id,
            None,
            &member(name, born(age, 5, 30), role, authority),
        )?;
    }
    record::add_involvement(
        conn,
        &karin,
        bakker.id,
        &ahmed,
        "Veilig Thuis, monitoring",
        today,
    )?;

    seed_safety(
        conn,
        (jansen.id, bakker.id),
        (&ahmed, &karin, &joost),
        today,
    )?;

    // The tables, and this morning's MDA++ with Jansen and Bakker on the published agenda.
    let kinds = table::kinds_of(conn, &[zhz, gelderland])?;
    let kind = |code: &str, region: i64| {
        kinds
            .iter()
            .find(|k| k.code == code && k.partnership_id == region)
            .cloned()
            .with_context(|| format!("kind {code}"))
    };
    let mda = record::create_table(
        conn,
        &ingrid,
        &kind("mda", zhz)?,
        "MDA++ Zuid-Holland Zuid",
        "Zuid-Holland Zuid",
    )?;
    let protection = record::create_table(
        conn,
        &mirjam,
        &kind("beschermingsoverleg", gelderland)?,
        "Beschermingsoverleg Centraal Gelderland",
        "Centraal Gelderland",
    )?;
    let action_table = record::create_table(
        conn,
        &linda,
        &kind("actieoverleg", gelderland)?,
        "Actieoverleg Ede",
        "Ede",
    )?;
    for (t, who, role) in [
        (&mda, &ingrid, TableRole::Chair),
        (&mda, &marloes, TableRole::MinuteTaker),
        (&mda, &ruud, TableRole::Member),
        (&protection, &mirjam, TableRole::Chair),
        (&protection, &mirjam, TableRole::MinuteTaker),
        (&protection, &saskia, TableRole::Member),
        (&protection, &tom, TableRole::Member),
        (&action_table, &linda, TableRole::Chair),
        (&action_table, &linda, TableRole::MinuteTaker),
        (&action_table, &saskia, TableRole::Member),
    ] {
        table::add_member(conn, t.id, who.user_id, role)?;
    }
    let at = |h: u32, m: u32| {
        chrono::NaiveTime::from_hms_opt(h, m, 0)
            .and_then(|t| {
                chrono_tz::Europe::Amsterdam
                    .from_local_datetime(&today.and_time(t))
                    .earliest()
            })
            .map(|t| t.naive_utc())
            .context("demo meeting time")
    };
    let (morning, _) = record::plan_meeting(
        conn,
        &ingrid,
        &mda,
        &MeetingPlan {
            starts_at: at(9, 0)?,
            ends_at: at(10, 15)?,
            place: "Veilig Thuis, Dordrecht".into(),
            online_link: String::new(),
        },
    )?;
    let referral = |question: &str| ReferralDetails {
        reason: "Het patroon van geweld is met de ketenaanpak niet doorbroken.".into(),
        tried: "Hulp via het wijkteam, een tijdelijk huisverbod, gesprekken met Veilig Thuis."
            .into(),
        question: question.into(),
        urgency: Urgency::Urgent,
        family_informed: true,
        not_informed_reason: None,
        outside_reason: None,
    };
    let jansen_ref = record::refer(
        conn,
        &ahmed,
        jansen.id,
        &mda,
        &referral("Hoe krijgen we het geweld blijvend gestopt?"),
    )?;
    let _ = record::answer_referral(
        conn,
        &ingrid,
        &jansen_ref,
        &mda,
        ReferralStatus::Accepted,
        None,
        Some(&morning),
    )?;
    let bakker_ref = record::refer(
        conn,
        &karin,
        bakker.id,
        &mda,
        &referral("Kan de monitoring naar eens per drie maanden?"),
    )?;
    let _ = record::answer_referral(
        conn,
        &ingrid,
        &bakker_ref,
        &mda,
        ReferralStatus::Accepted,
        None,
        Some(&morning),
    )?;
    let (_, _) = record::add_topic(conn, &ingrid, &morning, "Signalen voor beleid", 10)?;
    if let Some(jansen_item) = meeting::items(conn, morning.id)?
        .into_iter()
        .find(|i| i.family_id == Some(jansen.id))
    {
        let _ = record::invite_for_item(conn, &ingrid, &morning, &jansen_item, &esther, None)?;
        // Two of those taking part gave their top 3 already; merging is left to the director.
        let lines = |items: &[&str]| items.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        for (who, concerns, strengths) in [
            (
                &karin,
                lines(&[
                    "Mila is vaak stil en moe op school",
                    "Sandra staat er alleen voor",
                ]),
                lines(&["Oma Jansen helpt elke dag"]),
            ),
            (
                &esther,
                lines(&["Sandra heeft angstklachten en slaapt slecht"]),
                lines(&["Sandra wil hulp en komt naar de afspraken"]),
            ),
        ] {
            record::give_top3(
                conn,
                who,
                (jansen_item.id, jansen.id),
                Giver::User(who.user_id),
                &Top3 {
                    concerns,
                    strengths,
                },
            )?;
        }
    }
    let _ = record::publish_agenda(conn, &ingrid, &morning)?;
    record::refer(
        conn,
        &mirjam,
        de_vries.id,
        &protection,
        &ReferralDetails {
            reason: "Zorgen over verwaarlozing van Lotte: gemiste afspraken, gewicht, het huis."
                .into(),
            tried: "Zes maanden vrijwillige hulp aangeboden; Peter weigert huisbezoeken.".into(),
            question: "Is een raadsonderzoek naar een kinderbeschermingsmaatregel nodig?".into(),
            urgency: Urgency::Regular,
            family_informed: true,
            not_informed_reason: None,
            outside_reason: None,
        },
    )?;
    Ok(())
}

pub fn print_logins(logins: &[Login], base_url: &str) -> String {
    let nl = crate::i18n::I18n::new(crate::i18n::Locale::Nl);
    let mut out =
        format!("\nSamenspel demo: open {base_url} and log in with one of these accounts.\n");
    if let Some(first) = logins.first() {
        out.push_str(&format!(
            "Password for every demo account: {}\n\n",
            first.password
        ));
    }
    out.push_str(&format!(
        "  {:<42} {:<22} {:<32} {}\n",
        "e-mailadres", "rol", "organisatie", "in de scenario's"
    ));
    for l in logins {
        out.push_str(&format!(
            "  {:<42} {:<22} {:<32} {} ({})\n",
            l.email,
            nl.t(&l.role.label_key()),
            l.organisation,
            l.does,
            l.name
        ));
    }
    out
}

/// Phased safety for the scenarios: Jansen in phase 1 with a safety plan (one agreement past its review
/// date) and the scores of the scenario; Bakker through phases 1, 2 and 3 with a recovery plan for each
/// member.
fn seed_safety(
    conn: &mut DbConn,
    (jansen, bakker): (i64, i64),
    (ahmed, karin, joost): (&Who, &Who, &Who),
    today: NaiveDate,
) -> anyhow::Result<()> {
    use crate::domain::safety::{
        self, Criterion, NewScore, Phase, PlanContent, PlanKind, PlanRef, ScoreSource, Step,
    };
    use std::collections::BTreeMap;
    let texts = |pairs: &[(&str, &str)]| -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    };
    let all_ticked = |step: Step, to: Phase| -> Vec<Criterion> {
        safety::criteria(None, step, to)
            .into_iter()
            .map(|text| Criterion { text, ticked: true })
            .collect()
    };
    let day = |days_ago: i64| today - chrono::Duration::days(days_ago);

    record::change_phase(
        conn,
        ahmed,
        jansen,
        Phase::DirectSafety,
        &[],
        "Drie politiemeldingen in zes maanden; eerst moet het geweld stoppen.",
        None,
    )?;
    let agreement = |who: &str, what: &str, when: &str, check: &str, review: NaiveDate| {
        texts(&[
            ("who", who),
            ("what", what),
            ("when", when),
            ("check", check),
            ("review_on", &review.to_string()),
        ])
    };
    record::save_phase_plan(
        conn,
        ahmed,
        PlanRef {
            family_id: jansen,
            kind: PlanKind::Safety,
            person_id: None,
        },
        0,
        Some(today + chrono::Duration::days(21)),
        &PlanContent {
            texts: texts(&[
                (
                    "danger",
                    "We zijn bang dat Mark weer geweld gebruikt tegen Sandra als hij thuiskomt, en dat Mila en Daan het zien.",
                ),
                (
                    "goals",
                    "Geen geweld meer in huis. De kinderen voelen zich veilig thuis en op school.",
                ),
                (
                    "signals",
                    "Mark belt vaak of staat voor de deur. Mila of Daan is van slag of blijft weg van school.",
                ),
                (
                    "contingency",
                    "Als Mark aan de deur komt, dan belt Sandra 112 en daarna Ahmed.\nAls school zich zorgen maakt, dan belt school dezelfde dag Karin.",
                ),
                (
                    "network",
                    "Oma Jansen en buurvrouw Els letten op en weten wie ze moeten bellen.",
                ),
            ]),
            rows: vec![
                agreement(
                    "Mark",
                    "Komt niet aan huis.",
                    "Altijd",
                    "Sandra en buurvrouw Els melden het aan Ahmed.",
                    day(3),
                ),
                agreement(
                    "Oma Jansen",
                    "Contact van Mark met de kinderen alleen onder toezicht bij oma.",
                    "Zaterdag",
                    "Oma vertelt Karin na elk bezoek hoe het ging.",
                    today + chrono::Duration::days(14),
                ),
                agreement(
                    "School (Joost)",
                    "Meldt het dezelfde dag aan Karin als Mila of Daan van slag is of afwezig.",
                    "Elke schooldag",
                    "Karin vraagt het elke week na.",
                    today + chrono::Duration::days(28),
                ),
            ],
        },
    )?;
    for (by, source, given_by, score, days_ago, why) in [
        (
            ahmed,
            ScoreSource::Professional,
            "Ahmed Benali (Veilig Thuis)",
            3,
            56,
            "Het huisverbod is net afgelopen.",
        ),
        (
            karin,
            ScoreSource::Family,
            "Sandra Jansen",
            5,
            56,
            "Ik ben bang dat hij terugkomt.",
        ),
        (
            joost,
            ScoreSource::Professional,
            "Joost Mulder (school)",
            4,
            55,
            "Mila is vaak moe en stil.",
        ),
        (
            ahmed,
            ScoreSource::Professional,
            "Ahmed Benali (Veilig Thuis)",
            6,
            2,
            "Acht weken geen incidenten; de afspraken houden.",
        ),
        (
            karin,
            ScoreSource::Family,
            "Sandra Jansen",
            7,
            2,
            "Het is rustiger. De zaterdagen bij oma gaan goed.",
        ),
        (
            joost,
            ScoreSource::Professional,
            "Joost Mulder (school)",
            6,
            1,
            "Mila en Daan komen elke dag.",
        ),
    ] {
        record::record_score(
            conn,
            by,
            &NewScore {
                family_id: jansen,
                score,
                scored_on: day(days_ago),
                source,
                given_by,
                explanation: why,
                recorded_by_user_id: Some(by.user_id),
            },
        )?;
    }

    // Bakker: the whole way to recovery.
    record::change_phase(
        conn,
        karin,
        bakker,
        Phase::DirectSafety,
        &[],
        "Melding van Veilig Thuis na geweld door de ex-partner.",
        None,
    )?;
    record::change_phase(
        conn,
        karin,
        bakker,
        Phase::StableSafety,
        &all_ticked(Step::Forward, Phase::StableSafety),
        "Het geweld is gestopt en de afspraken houden al vier maanden.",
        None,
    )?;
    record::change_phase(
        conn,
        karin,
        bakker,
        Phase::Recovery,
        &all_ticked(Step::Forward, Phase::Recovery),
        "Al meer dan een jaar geen geweld. Anouk en de kinderen werken aan herstel.",
        None,
    )?;
    let members = crate::domain::family::persons(conn, bakker)?;
    for person in &members {
        let (goals, help, care, support) = match person.name.as_str() {
            "Anouk Bakker" => (
                "Minder last van herbelevingen. Weer plezier in werk en vrienden.",
                "Traumatherapie (EMDR) bij de GGZ.",
                "Afspraken op vaste tijden; Anouk bepaalt het tempo.",
                "Haar zus; Karin als regisseur.",
            ),
            "Sem Bakker" => (
                "Sem durft weer mee te doen met vrienden en sport.",
                "Speltherapie is afgerond. Nu een buddy via het jongerennetwerk.",
                "Niet doorvragen over vroeger als Sem dat niet wil.",
                "Buddy Daan; de mentor op school.",
            ),
            _ => (
                "Noor gaat fijn naar school.",
                "Nu geen hulp nodig; school let op.",
                "Rust en vaste gewoontes.",
                "Juf Anja houdt contact met Anouk.",
            ),
        };
        record::save_phase_plan(
            conn,
            karin,
            PlanRef {
                family_id: bakker,
                kind: PlanKind::Recovery,
                person_id: Some(person.id),
            },
            0,
            Some(today + chrono::Duration::days(90)),
            &PlanContent {
                texts: texts(&[
                    ("goals", goals),
                    ("interventions", help),
                    ("trauma_informed", care),
                    ("supporters", support),
                ]),
                rows: Vec::new(),
            },
        )?;
    }
    for (score, days_ago) in [(6, 300), (7, 200), (8, 100), (8, 10)] {
        record::record_score(
            conn,
            karin,
            &NewScore {
                family_id: bakker,
                score,
                scored_on: day(days_ago),
                source: ScoreSource::Professional,
                given_by: "Karin de Vries (wijkteam)",
                explanation: "",
                recorded_by_user_id: Some(karin.user_id),
            },
        )?;
    }
    Ok(())
}

/// A closed meeting of `items` topics, each with a decision whose texts are `paragraphs` paragraphs long
/// (with Dutch diacritics) and an action for `owner`: the stress case for the exports, used by the
/// tests and by `examples/export_bench.rs`.
pub fn long_meeting(
    conn: &mut DbConn,
    chair: &Who,
    at: &table::Table,
    owner: &Who,
    items: usize,
    paragraphs: usize,
) -> anyhow::Result<meeting::Meeting> {
    use crate::domain::decision::{ActionDetails, DecisionDetails, FamilyView};
    let start = crate::domain::now() - chrono::Duration::hours(3);
    let (m, _) = record::plan_meeting(
        conn,
        chair,
        at,
        &MeetingPlan {
            starts_at: start,
            ends_at: start + chrono::Duration::hours(2),
            place: "Stadskantoor, zaal Één".into(),
            online_link: String::new(),
        },
    )?;
    let _ = record::start_meeting(conn, chair, &m)?;
    let paragraph = "De veiligheidsafspraken worden nageleefd. De moeder wil het omgangscontact \
                     graag in het buurthuis; de coördinator zorgt voor een ruimte. Daarná volgt een \
                     evaluatie met de school, het wijkteam en de GGZ — met aandacht voor wat het kind \
                     zelf zegt (hoor en wederhoor). ";
    let long = paragraph.repeat(paragraphs.max(1));
    let outcome = at.outcomes().first().cloned().unwrap_or_default();
    for n in 1..=items {
        let (item, _) = record::add_topic(
            conn,
            chair,
            &m,
            &format!("Onderwerp {n}: één plan voor café Zoë"),
            10,
        )?;
        let (decision, _) = record::record_decision(
            conn,
            chair,
            &m,
            at,
            &item,
            &DecisionDetails {
                outcome: outcome.clone(),
                text: format!("Besluit {n}. {long}"),
                rationale: format!("Onderbouwing {n}. {long}"),
                family_view: FamilyView::NotHeard,
                family_words: String::new(),
                refer_to_table_id: None,
                new_director_user_id: None,
            },
            None,
        )?;
        let _ = record::add_action(
            conn,
            chair,
            &m,
            &item,
            Some(decision.id),
            &ActionDetails {
                description: format!("Actie {n}: gesprek met de coördinator plannen"),
                owner_user_id: owner.user_id,
                owner_organisation_id: owner.organisation_id.unwrap_or_default(),
                due_on: crate::time::local(crate::domain::now()).date_naive()
                    + chrono::Duration::days(n as i64 - 10),
                condition: String::new(),
                family_informed_how: String::new(),
            },
            owner,
        )?;
    }
    let found = meeting::find(conn, m.id)?.context("the meeting just made")?;
    let _ = record::close_meeting(conn, chair, &found, at, &Default::default())?;
    meeting::find(conn, m.id)?.context("the meeting just closed")
}

/// Sandra Jansen in the family portal, invited by Ahmed, with the demo password.
fn seed_portal(
    conn: &mut DbConn,
    ids: &[(String, i64)],
    hash: &str,
    password: &str,
) -> anyhow::Result<Login> {
    use crate::schema::families;
    use diesel::prelude::*;
    let ahmed_id = ids
        .iter()
        .find(|(e, _)| e == "ahmed.benali@veiligthuis-zhz.example")
        .map(|(_, id)| *id)
        .context("demo user Ahmed missing")?;
    let ahmed = record::who(conn, ahmed_id)?;
    let jansen: i64 = families::table
        .filter(families::display_name.eq("Gezin Jansen"))
        .select(families::id)
        .first(conn)?;
    let sandra = crate::domain::family::persons(conn, jansen)?
        .into_iter()
        .find(|p| p.name == "Sandra Jansen")
        .context("demo member Sandra missing")?;
    let email = "sandra.jansen@example.org";
    let account = record::invite_to_portal(conn, &ahmed, jansen, &sandra, email, "")?;
    user::set_password_hash(conn, account.id, hash)?;
    Ok(Login {
        name: sandra.name.clone(),
        organisation: "—".into(),
        role: Role::Family,
        does: "moeder in gezin Jansen, in het gezinsportaal",
        email: email.into(),
        password: password.into(),
    })
}
