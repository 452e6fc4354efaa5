//! Benchmark of the exports (not a test): on a fresh SQLite database, a closed meeting of 40 items with
//! long texts (`demo::long_meeting`), then the besluitenlijst PDF (gathering the reader's version from
//! the database and typesetting it) and the actielijst XLSX, each made `--runs` times. Reports the
//! median, p95 and max per document, and the size and page count of the PDF.
//!
//!     cargo run --release --example export_bench -- --items 40 --paragraphs 4 --runs 30

use std::time::{Duration, Instant};

use samenspel::db;
use samenspel::domain::organisation::{self, OrganisationKind};
use samenspel::domain::table::{self, TableRole};
use samenspel::domain::user::{self, NewUser, Role};
use samenspel::export::{DocAction, documents, sheet};
use samenspel::i18n::{I18n, Locale};
use samenspel::record;
use samenspel::web::access::Seat;
use samenspel::web::views::meeting_doc::{Reader, meeting_doc};

fn arg(name: &str, default: usize) -> usize {
    let argv: Vec<String> = std::env::args().collect();
    argv.iter()
        .position(|a| a == name)
        .and_then(|i| argv.get(i + 1))
        .map(|v| v.parse().expect("a number"))
        .unwrap_or(default)
}

fn report(name: &str, mut times: Vec<Duration>) {
    times.sort();
    let at = |q: f64| {
        times[((times.len() as f64 * q).ceil() as usize)
            .saturating_sub(1)
            .min(times.len() - 1)]
    };
    println!(
        "{name:<28} median {:>7.1} ms   p95 {:>7.1} ms   max {:>7.1} ms   ({} runs)",
        at(0.5).as_secs_f64() * 1000.0,
        at(0.95).as_secs_f64() * 1000.0,
        times[times.len() - 1].as_secs_f64() * 1000.0,
        times.len()
    );
}

fn main() -> anyhow::Result<()> {
    let (items, paragraphs, runs) = (
        arg("--items", 40),
        arg("--paragraphs", 4),
        arg("--runs", 30),
    );
    let dir = tempfile::tempdir()?;
    let url = db::DatabaseUrl::parse(&format!(
        "sqlite://{}",
        dir.path().join("bench.db").display()
    ))
    .map_err(anyhow::Error::msg)?;
    let pool = db::connect(&url, 2)?;
    let mut conn = pool.get()?;
    db::migrate(&mut conn)?;

    let org = organisation::create(
        &mut conn,
        "Veilig Thuis",
        OrganisationKind::VeiligThuis,
        None,
    )?;
    let person = |conn: &mut db::DbConn, email: &str, name: &str| {
        user::create(
            conn,
            NewUser {
                organisation_id: Some(org.id),
                email,
                name,
                role: Role::Professional,
                password_hash: None,
            },
        )
    };
    let chair = person(&mut conn, "ingrid@vt.example", "Ingrid Smit")?;
    let owner = person(&mut conn, "ruud@vt.example", "Ruud Verbeek")?;
    let (chair_w, owner_w) = (
        record::who(&mut conn, chair.id)?,
        record::who(&mut conn, owner.id)?,
    );
    let kind = table::kinds_of(&mut conn, &[1])?
        .into_iter()
        .find(|k| k.code == "mda")
        .expect("the MDA++ kind");
    let at = db::write(&mut conn, |conn| {
        record::create_table(conn, &chair_w, &kind, "MDA++ Bench", "Bench")
    })?;
    table::add_member(&mut conn, at.id, chair.id, TableRole::Chair)?;
    let meeting = db::write(&mut conn, |conn| {
        samenspel::demo::long_meeting(conn, &chair_w, &at, &owner_w, items, paragraphs)
    })?;
    let i18n = I18n::new(Locale::Nl);
    let seat = Seat {
        chair: true,
        minute_taker: false,
        member: false,
        coordinator: false,
    };

    let mut pdf_times = Vec::new();
    let mut pdf = Vec::new();
    for _ in 0..runs {
        let started = Instant::now();
        let (doc, _) = meeting_doc(
            &mut conn,
            &i18n,
            Reader::Participant {
                user_id: chair.id,
                seat,
            },
            &meeting,
            &at,
            "https://samenspel.example",
        )
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
        pdf = documents::besluitenlijst(&doc, &i18n)?;
        pdf_times.push(started.elapsed());
    }
    let mut xlsx_times = Vec::new();
    let mut xlsx = Vec::new();
    for _ in 0..runs {
        let started = Instant::now();
        let actions: Vec<DocAction> =
            samenspel::domain::decision::actions_for_meeting(&mut conn, meeting.id)?
                .into_iter()
                .map(|row| DocAction {
                    description: row.action.description.clone(),
                    owner: row.owner_name.clone(),
                    organisation: row.organisation_name.clone(),
                    due: Some(row.action.due_on),
                    ..DocAction::default()
                })
                .collect();
        xlsx = sheet::actielijst_xlsx(&i18n, &at.name, &actions)?;
        xlsx_times.push(started.elapsed());
    }
    let text = pdf_extract::extract_text_from_mem(&pdf)?;
    let pages = text.matches("pagina ").count();
    println!(
        "meeting: {items} items, {paragraphs} paragraphs per text; besluitenlijst {} KiB, {pages} pages; actielijst {} KiB",
        pdf.len() / 1024,
        xlsx.len() / 1024
    );
    report("besluitenlijst PDF", pdf_times);
    report("actielijst XLSX", xlsx_times);
    Ok(())
}
