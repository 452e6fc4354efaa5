//! One world for every test: the professionals of a case consultation, the families they work with
//! and the MDA++ table where they meet. Built straight in the database, so a test starts where its
//! story starts; everybody signs in with `PASSWORD` (see `signed_in`).
//!
//! | person | address                | organisation                   | part                                  |
//! |--------|------------------------|--------------------------------|---------------------------------------|
//! | Ingrid | ingrid@vt.example      | Veilig Thuis Zuid-Holland Zuid | chair and minute-taker of the table   |
//! | Ahmed  | ahmed@vt.example       | Veilig Thuis Zuid-Holland Zuid | directs Jansen                        |
//! | Karin  | karin@wijkteam.example | Sociaal wijkteam Dordrecht     | Jansen's family coach; directs Bakker |
//! | Ruud   | ruud@politie.example   | Politie Zuid-Holland Zuid      | standing member of the table          |
//! | Esther | esther@ggz.example     | GGZ volwassenen                | involved with none of the families    |
//! | Linda  | linda@ede.example      | Lokaal team Ede                | directs El Amrani, far from the rest  |
//!
//! Everyone works in the partnership every database starts with, except Linda: Lokaal team Ede and El
//! Amrani belong to the partnership Centraal Gelderland (`GELDERLAND`).
//!
//! `Cast::with_jansens_past` builds the same world, with more of Jansen's history for the tests of
//! who may see a family record: Ruud is involved as neighbourhood officer, Esther was involved as GGZ
//! therapist and no longer is, Karin is Ahmed's deputy; and three accounts outside the family: Joost
//! (a school), Petra (organisation admin of Veilig Thuis) and the system admin.

use chrono::NaiveDate;
use samenspel::db;
use samenspel::domain::DomainResult;
use samenspel::domain::family::{FamilyDetails, LegalBasis, Urgency};
use samenspel::domain::table::{self, TableRole};
use samenspel::domain::user::Role;
use samenspel::record::{self, Who};

use super::{Client, DEFAULT_PARTNERSHIP, TestApp};

pub const VEILIG_THUIS: &str = "Veilig Thuis Zuid-Holland Zuid";

/// The second partnership of the world, where Linda works; everyone else is in `DEFAULT_PARTNERSHIP`.
pub const GELDERLAND: &str = "Centraal Gelderland";

/// Today in Amsterdam, as the app counts days.
pub fn today() -> NaiveDate {
    samenspel::time::local(samenspel::domain::now()).date_naive()
}

/// A client logged in as `email` (with `PASSWORD`).
pub async fn signed_in(app: &TestApp, email: &str) -> Client {
    let client = app.client();
    client.login_ok(email).await;
    client
}

/// An urgent family in Dordrecht, informed, on a reporting-code basis.
pub fn details(name: &str) -> FamilyDetails {
    FamilyDetails {
        display_name: name.into(),
        municipality: "Dordrecht".into(),
        urgency: Urgency::Urgent,
        legal_basis: LegalBasis::ReportingCode,
        family_informed: true,
        not_informed_reason: None,
    }
}

/// The people of the world (as the record knows them), the table and the families: see the module.
pub struct Cast {
    pub ingrid: Who,
    pub ahmed: Who,
    pub karin: Who,
    pub ruud: Who,
    pub esther: Who,
    /// MDA++ Zuid-Holland Zuid.
    pub table: i64,
    pub jansen: i64,
    pub bakker: i64,
    pub el_amrani: i64,
}

impl Cast {
    /// The world as the module describes it.
    pub fn new(app: &TestApp) -> Cast {
        let cast = build(app);
        cast.meet_at_the_table(app);
        cast
    }

    /// The same world where Jansen has more of a past, and with the accounts of three outsiders.
    pub fn with_jansens_past(app: &TestApp) -> Cast {
        let cast = Cast::new(app);
        cast.give_jansen_a_past(app);
        for (email, name, role, organisation) in [
            (
                "joost@school.example",
                "Joost Mulder",
                Role::Professional,
                Some("De Regenboog"),
            ),
            (
                "petra@vt.example",
                "Petra de Graaf",
                Role::OrgAdmin,
                Some(VEILIG_THUIS),
            ),
            (
                "beheer@samenspel.example",
                "Beheer",
                Role::SystemAdmin,
                None,
            ),
        ] {
            app.user(email, name, role, organisation);
        }
        cast
    }

    /// Ingrid chairs the table and takes the minutes; Ruud is a standing member.
    fn meet_at_the_table(&self, app: &TestApp) {
        db::write(&mut app.conn(), |conn| -> DomainResult<()> {
            for (member, role) in [
                (&self.ingrid, TableRole::Chair),
                (&self.ingrid, TableRole::MinuteTaker),
                (&self.ruud, TableRole::Member),
            ] {
                table::add_member(conn, self.table, member.user_id, role)?;
            }
            Ok(())
        })
        .unwrap();
    }

    /// Ruud, a standing member, also takes the minutes: he sees every item in full and may write the
    /// minutes, as Ingrid may.
    pub fn give_ruud_a_minute_takers_seat(&self, app: &TestApp) {
        db::write(&mut app.conn(), |conn| {
            table::add_member(conn, self.table, self.ruud.user_id, TableRole::MinuteTaker)
        })
        .unwrap();
    }

    /// Ruud joins Jansen as neighbourhood officer, Esther comes and goes as GGZ therapist, and Ahmed
    /// makes Karin his deputy.
    fn give_jansen_a_past(&self, app: &TestApp) {
        let (ahmed, jansen) = (&self.ahmed, self.jansen);
        db::write(&mut app.conn(), |conn| -> DomainResult<()> {
            record::add_involvement(conn, ahmed, jansen, &self.ruud, "Wijkagent", today())?;
            let gone = record::add_involvement(
                conn,
                ahmed,
                jansen,
                &self.esther,
                "GGZ-behandelaar",
                today(),
            )?;
            record::end_involvement(conn, ahmed, jansen, gone.id, &self.esther, today())?;
            record::appoint_director(conn, ahmed, jansen, ahmed, Some(&self.karin))?;
            Ok(())
        })
        .unwrap();
    }
}

/// A professional with an account, as the record knows them.
fn professional(app: &TestApp, email: &str, name: &str, organisation: &str) -> Who {
    let id = app
        .user(email, name, Role::Professional, Some(organisation))
        .id;
    record::who(&mut app.conn(), id).unwrap()
}

/// The people, the table (without members) and the three families.
fn build(app: &TestApp) -> Cast {
    let ingrid = professional(app, "ingrid@vt.example", "Ingrid Smit", VEILIG_THUIS);
    let ahmed = professional(app, "ahmed@vt.example", "Ahmed Benali", VEILIG_THUIS);
    let karin = professional(
        app,
        "karin@wijkteam.example",
        "Karin de Vries",
        "Sociaal wijkteam Dordrecht",
    );
    let ruud = professional(
        app,
        "ruud@politie.example",
        "Ruud Verbeek",
        "Politie Zuid-Holland Zuid",
    );
    let esther = professional(app, "esther@ggz.example", "Esther Kok", "GGZ volwassenen");
    // Ede is in another region: the partnership Centraal Gelderland, with its own tables and families.
    let gelderland = app.partnership(GELDERLAND);
    app.organisation_in(
        "Lokaal team Ede",
        samenspel::domain::organisation::OrganisationKind::LocalTeam,
        gelderland,
    );
    let linda = professional(app, "linda@ede.example", "Linda Bos", "Lokaal team Ede");
    db::write(&mut app.conn(), |conn| -> DomainResult<Cast> {
        let kind = table::kinds_of(conn, &[DEFAULT_PARTNERSHIP])?
            .into_iter()
            .find(|k| k.code == "mda")
            .unwrap();
        let table = record::create_table(
            conn,
            &ingrid,
            &kind,
            "MDA++ Zuid-Holland Zuid",
            "Zuid-Holland Zuid",
        )?;
        let start = |conn: &mut db::DbConn, by: &Who, region: i64, name: &str, role: &str| {
            record::start_family(conn, by, region, &details(name), role, today()).map(|f| f.id)
        };
        let jansen = start(
            conn,
            &ahmed,
            DEFAULT_PARTNERSHIP,
            "Gezin Jansen",
            "Casusregisseur",
        )?;
        record::add_involvement(conn, &ahmed, jansen, &karin, "Gezinscoach", today())?;
        let bakker = start(
            conn,
            &karin,
            DEFAULT_PARTNERSHIP,
            "Gezin Bakker",
            "Regisseur",
        )?;
        let el_amrani = start(conn, &linda, gelderland, "Gezin El Amrani", "Regisseur")?;
        Ok(Cast {
            ingrid,
            ahmed,
            karin,
            ruud,
            esther,
            table: table.id,
            jansen,
            bakker,
            el_amrani,
        })
    })
    .unwrap()
}
