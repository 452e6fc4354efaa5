//! Demo data from the fictional scenarios (shared SCENARIOS): organisations and people of each role.

use anyhow::Context;

use crate::db::{self, DatabaseUrl, DbConn};
use crate::domain::organisation::{self, OrganisationKind};
use crate::domain::user::{self, NewUser, Role};

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
        "vast lid MDA++ en actieoverleg",
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
        for (name, email, organisation_name, role, does) in PEOPLE {
            let organisation_id = match organisation_name {
                Some(o) => Some(
                    organisation::find_by_name(conn, o)?
                        .with_context(|| format!("demo organisation {o} missing"))?
                        .id,
                ),
                None => None,
            };
            user::create(
                conn,
                NewUser {
                    organisation_id,
                    email,
                    name,
                    role: *role,
                    password_hash: Some(&hash),
                },
            )?;
            logins.push(Login {
                name: name.to_string(),
                organisation: organisation_name.unwrap_or("—").to_string(),
                role: *role,
                does,
                email: email.to_string(),
                password: password.clone(),
            });
        }
        Ok(logins)
    })
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
