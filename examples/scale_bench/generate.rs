// The scale generator's body, included once per engine by main.rs (with `Conn` its connection).

fn chunked<T>(items: Vec<T>, size: usize, mut f: impl FnMut(&[T]) -> QueryResult<usize>) {
    for chunk in items.chunks(size) {
        f(chunk).expect("insert");
    }
}

pub fn generate(conn: &mut Conn, a: &Args) {
    let t = Instant::now();
    let now = samenspel::domain::now();
    let start = now - TimeDelta::days(3 * 365);
    let hash = samenspel::auth::password::hash("een lang genoeg wachtwoord").unwrap();
    let mut orgs = Vec::new();
    for o in 0..ORGANISATIONS {
        orgs.push((
            organisations::name.eq(format!("Organisatie {o}")),
            organisations::kind.eq("wijkteam"),
            organisations::created_at.eq(start),
        ));
    }
    diesel::insert_into(organisations::table)
        .values(&orgs)
        .execute(conn)
        .unwrap();
    let professionals = professionals(a);
    let users: Vec<_> = (0..professionals)
        .map(|u| {
            (
                users::organisation_id.eq(Some(1 + u % ORGANISATIONS)),
                users::email.eq(format!("prof{u}@schaal.example")),
                users::name.eq(format!("Professional {u}")),
                users::role.eq("professional"),
                users::password_hash.eq(Some(hash.clone())),
                users::active.eq(true),
                users::created_at.eq(start),
            )
        })
        .collect();
    chunked(users, 500, |c| {
        diesel::insert_into(users::table).values(c).execute(conn)
    });
    // Professional 0 coordinates the partnership: the one who reads its monitor.
    diesel::insert_into(partnership_coordinators::table)
        .values((
            partnership_coordinators::partnership_id.eq(1),
            partnership_coordinators::user_id.eq(1),
        ))
        .execute(conn)
        .unwrap();
    let kind: i64 = table_kinds::table
        .select(table_kinds::id)
        .first(conn)
        .unwrap();
    let tables: Vec<_> = (0..TABLES)
        .map(|t| {
            (
                consultation_tables::kind_id.eq(kind),
                consultation_tables::name.eq(format!("Overleg {t}")),
                consultation_tables::region.eq("Zuid-Holland Zuid"),
                consultation_tables::referral_criteria.eq(""),
                consultation_tables::outcome_options.eq("Doorgaan"),
                consultation_tables::access_days.eq(30),
                consultation_tables::created_at.eq(start),
                consultation_tables::send_mode.eq("link"),
            )
        })
        .collect();
    diesel::insert_into(consultation_tables::table)
        .values(&tables)
        .execute(conn)
        .unwrap();
    // Professional 1 chairs the first table (the meeting page's reader); organisation 1 reads the
    // partner API with a token approved by professional 0.
    diesel::insert_into(table_members::table)
        .values((
            table_members::table_id.eq(1),
            table_members::user_id.eq(2),
            table_members::role.eq("chair"),
        ))
        .execute(conn)
        .unwrap();
    diesel::insert_into(api_tokens::table)
        .values((
            api_tokens::organisation_id.eq(1),
            api_tokens::name.eq("Schaaltest"),
            api_tokens::token_hash.eq(samenspel::auth::token_hash(API_TOKEN)),
            api_tokens::created_by_user_id.eq(1),
            api_tokens::created_at.eq(now),
            api_tokens::expires_at.eq(Some(now + TimeDelta::days(365))),
            api_tokens::approved_at.eq(Some(now)),
            api_tokens::approved_by.eq(Some(1)),
        ))
        .execute(conn)
        .unwrap();
    println!("accounts and tables: {:.1} s", t.elapsed().as_secs_f64());

    // Families: two members, a director, the director and one more professional involved.
    let families: Vec<_> = (1..=a.families)
        .map(|f| {
            let surname = SURNAMES[(f as usize) % SURNAMES.len()];
            (
                families::case_year.eq(2026),
                families::case_seq.eq(f as i32),
                families::case_number.eq(format!("2026-{f:06}")),
                families::display_name.eq(format!("Gezin {surname} {f}")),
                families::municipality.eq(PLACES[(f as usize) % PLACES.len()]),
                families::urgency.eq("regular"),
                families::status.eq("open"),
                families::legal_basis.eq("legal_task"),
                families::family_informed.eq(true),
                families::created_at.eq(start),
                families::updated_at.eq(start),
                families::portal_shows_names.eq(false),
            )
        })
        .collect();
    chunked(families, 1000, |c| {
        diesel::insert_into(families::table).values(c).execute(conn)
    });
    let persons: Vec<_> = (1..=a.families)
        .flat_map(|f| {
            let surname = SURNAMES[(f as usize) % SURNAMES.len()];
            [("Sandra", "parent", 0), ("Mila", "child", 1)].map(|(given, role, n)| {
                (
                    persons::family_id.eq(f),
                    persons::name.eq(format!("{given} {surname}")),
                    persons::role.eq(role),
                    persons::parental_authority.eq(role == "parent"),
                    persons::created_at.eq(start),
                    // What the duplicate check looks for: a BSN, and a date of birth that about one
                    // in 5,000 members of the same role share.
                    persons::date_of_birth.eq(Some(born(f, role == "child"))),
                    persons::bsn.eq(bsn(2 * f + n)),
                )
            })
        })
        .collect();
    chunked(persons, 1000, |c| {
        diesel::insert_into(persons::table).values(c).execute(conn)
    });
    let director = |f: i64| 1 + f % professionals;
    let directorships: Vec<_> = (1..=a.families)
        .map(|f| {
            (
                directorships::family_id.eq(f),
                directorships::director_user_id.eq(director(f)),
                directorships::director_organisation_id.eq(1 + (director(f) - 1) % ORGANISATIONS),
                directorships::started_at.eq(start),
            )
        })
        .collect();
    chunked(directorships, 1000, |c| {
        diesel::insert_into(directorships::table)
            .values(c)
            .execute(conn)
    });
    let involvements: Vec<_> = (1..=a.families)
        .flat_map(|f| {
            [director(f), 1 + (f * 7 + 3) % professionals].map(|u| {
                (
                    involvements::family_id.eq(f),
                    involvements::user_id.eq(u),
                    involvements::organisation_id.eq(1 + (u - 1) % ORGANISATIONS),
                    involvements::role.eq("Hulpverlener"),
                    involvements::started_on.eq(start.date()),
                    involvements::created_at.eq(start),
                )
            })
        })
        .collect();
    chunked(involvements, 1000, |c| {
        diesel::insert_into(involvements::table)
            .values(c)
            .execute(conn)
    });
    println!("families: {:.1} s", t.elapsed().as_secs_f64());

    // Meetings: closed, two family items each.
    let meetings: Vec<_> = (0..a.meetings)
        .map(|m| {
            let at = start + TimeDelta::hours(m * 2);
            (
                meetings::table_id.eq(1 + m % TABLES),
                meetings::starts_at.eq(at),
                meetings::ends_at.eq(at + TimeDelta::minutes(90)),
                meetings::place.eq("Stadskantoor"),
                meetings::online_link.eq(""),
                meetings::status.eq("closed"),
                meetings::agenda_published_at.eq(Some(at - TimeDelta::days(7))),
                meetings::created_at.eq(at - TimeDelta::days(14)),
            )
        })
        .collect();
    chunked(meetings, 1000, |c| {
        diesel::insert_into(meetings::table).values(c).execute(conn)
    });
    let items: Vec<_> = (0..a.meetings)
        .flat_map(|m| {
            (0..2).map(move |p| {
                let family = 1 + (m * 2 + p) % a.families;
                (
                    agenda_items::meeting_id.eq(m + 1),
                    agenda_items::position.eq(p as i32),
                    agenda_items::kind.eq("family"),
                    agenda_items::family_id.eq(Some(family)),
                    agenda_items::title.eq(format!("Gezin {family}")),
                    agenda_items::time_box_minutes.eq(20),
                    agenda_items::status.eq("closed"),
                    agenda_items::minutes.eq("Besproken."),
                    agenda_items::proposed_by_user_id.eq(director(family)),
                    agenda_items::created_at.eq(start),
                )
            })
        })
        .collect();
    chunked(items, 1000, |c| {
        diesel::insert_into(agenda_items::table)
            .values(c)
            .execute(conn)
    });
    println!("meetings: {:.1} s", t.elapsed().as_secs_f64());

    // Events: a valid chain, spread over the families. One in ten a meeting discussed, and the
    // primary process the monitor reads: referrals submitted and answered, decisions, phase changes
    // and measures, each with the row it is about.
    let mut prev = GENESIS_HASH.to_string();
    let mut batch = Vec::with_capacity(1000);
    let mut rows = MonitorRows::default();
    for e in 0..a.events {
        let at: NaiveDateTime = start + TimeDelta::seconds(e * spacing(a));
        let (family, kind, subject, meeting) = rows.event(e, a, at);
        let kind = kind.name();
        let data = format!("{{\"name\":\"Professional {}\"}}", director(family));
        let digest = payload_digest(&data);
        let actor = Some(director(family));
        let org = Some(1 + (director(family) - 1) % ORGANISATIONS);
        let hash = hash_fields(
            &prev,
            at,
            actor,
            org,
            Some(family),
            kind,
            subject.0,
            Some(subject.1),
            &hashed_digest(&digest),
            meeting,
        );
        batch.push((
            events::occurred_at.eq(at),
            events::actor_user_id.eq(actor),
            events::actor_organisation_id.eq(org),
            events::family_id.eq(Some(family)),
            events::kind.eq(kind),
            events::subject_type.eq(subject.0),
            events::subject_id.eq(Some(subject.1)),
            events::data.eq(data),
            events::prev_hash.eq(prev.clone()),
            events::hash.eq(hash.clone()),
            events::meeting_id.eq(meeting),
            events::data_digest.eq(Some(digest)),
        ));
        prev = hash;
        if batch.len() == 1000 {
            diesel::insert_into(events::table)
                .values(&batch)
                .execute(conn)
                .unwrap();
            batch.clear();
            rows.flush(conn);
        }
    }
    if !batch.is_empty() {
        diesel::insert_into(events::table)
            .values(&batch)
            .execute(conn)
            .unwrap();
    }
    rows.flush(conn);
    diesel::update(event_chain_head::table.find(1))
        .set((
            event_chain_head::last_event_id.eq(Some(a.events)),
            event_chain_head::last_hash.eq(&prev),
        ))
        .execute(conn)
        .unwrap();
    println!("events: {:.1} s", t.elapsed().as_secs_f64());
}

const OUTCOMES: [&str; 4] = ["Opschalen", "Afschalen", "RvdK-onderzoek", "Doorgaan"];
const VIEWS: [&str; 3] = ["agrees", "disagrees", "not_heard"];
const URGENCIES: [&str; 7] = [
    "crisis", "urgent", "urgent", "regular", "regular", "regular", "regular",
];
const MEASURES: [&str; 5] = [
    "ots",
    "uithuisplaatsing",
    "huisverbod",
    "voogdij",
    "vrijwillige_plaatsing",
];

fn family_of(e: i64, families: i64) -> i64 {
    1 + (e * 7919) % families
}

/// The rows the monitor's events are about, written in batches next to the events (ids follow the
/// order of writing, so an event names its row's id before the row is written).
#[derive(Default)]
struct MonitorRows {
    referrals: Vec<(i64, i64, i64, &'static str, NaiveDateTime)>,
    decisions: Vec<(i64, i64, i64, &'static str, &'static str, NaiveDateTime)>,
    phases: Vec<(i64, i32, Option<i32>, i64, NaiveDateTime)>,
    measures: Vec<(i64, &'static str, i64, NaiveDateTime)>,
    counts: [i64; 4],
}

impl MonitorRows {
    /// The event `e`: its family, kind, subject and meeting; the row it is about is queued.
    fn event(
        &mut self,
        e: i64,
        a: &Args,
        at: NaiveDateTime,
    ) -> (i64, EventKind, (&'static str, i64), Option<i64>) {
        let meeting = 1 + (e / 10) % a.meetings;
        let professionals = professionals(a);
        let user = |f: i64| 1 + f % professionals;
        match e % 10 {
            0 => {
                let family = family_of(e, a.families);
                (
                    family,
                    EventKind::MeetingDiscussed,
                    ("meeting", meeting),
                    Some(meeting),
                )
            }
            1 | 2 => {
                // Submitted, then answered (the referral of the event before).
                let family = family_of(e - e % 10 + 1, a.families);
                if e % 10 == 1 {
                    self.counts[0] += 1;
                    let table = 1 + e % TABLES;
                    let urgency = URGENCIES[(e / 10 % 7) as usize];
                    self.referrals
                        .push((family, table, user(family), urgency, at));
                    (
                        family,
                        EventKind::ReferralSubmitted,
                        ("referral", self.counts[0]),
                        None,
                    )
                } else {
                    (
                        family,
                        EventKind::ReferralAccepted,
                        ("referral", self.counts[0]),
                        None,
                    )
                }
            }
            3 => {
                let family = family_of(e - 2, a.families);
                self.counts[1] += 1;
                let (outcome, view) = (
                    OUTCOMES[(e / 10 % 4) as usize],
                    VIEWS[(e / 10 % 3) as usize],
                );
                self.decisions
                    .push((family, meeting, 2 * meeting - 1, outcome, view, at));
                (
                    family,
                    EventKind::DecisionRecorded,
                    ("decision", self.counts[1]),
                    Some(meeting),
                )
            }
            4 if e % 20 == 4 => {
                let family = family_of(e - 3, a.families);
                self.counts[2] += 1;
                let phase = (e / 20 % 3) as i32 + 1;
                let previous = (e / 20 % 5 != 0).then_some((phase + 1) % 3 + 1);
                self.phases
                    .push((family, phase, previous, user(family), at));
                (
                    family,
                    EventKind::PhaseChanged,
                    ("safety_phase", self.counts[2]),
                    None,
                )
            }
            5 if e % 100 == 5 => {
                let family = family_of(e - 4, a.families);
                self.counts[3] += 1;
                let kind = MEASURES[(e / 100 % 5) as usize];
                self.measures.push((family, kind, user(family), at));
                (
                    family,
                    EventKind::MeasureRecorded,
                    ("measure", self.counts[3]),
                    None,
                )
            }
            _ => {
                let family = family_of(e, a.families);
                let kinds = [
                    EventKind::PersonAdded,
                    EventKind::PlanSaved,
                    EventKind::PlanCommented,
                    EventKind::InvolvementAdded,
                ];
                (family, kinds[(e % 4) as usize], ("family", family), None)
            }
        }
    }

    fn flush(&mut self, conn: &mut Conn) {
        let referrals: Vec<_> = self
            .referrals
            .drain(..)
            .map(|(family, table, by, urgency, at)| {
                (
                    referrals::family_id.eq(family),
                    referrals::table_id.eq(table),
                    referrals::referred_by_user_id.eq(by),
                    referrals::reason.eq("Zorgen"),
                    referrals::tried.eq(""),
                    referrals::question.eq(""),
                    referrals::urgency.eq(urgency),
                    referrals::family_informed.eq(true),
                    referrals::status.eq("accepted"),
                    referrals::created_at.eq(at),
                    referrals::updated_at.eq(at),
                )
            })
            .collect();
        if !referrals.is_empty() {
            diesel::insert_into(referrals::table)
                .values(&referrals)
                .execute(conn)
                .unwrap();
        }
        let decisions: Vec<_> = self
            .decisions
            .drain(..)
            .map(|(family, meeting, item, outcome, view, at)| {
                (
                    decisions::meeting_id.eq(meeting),
                    decisions::agenda_item_id.eq(item),
                    decisions::family_id.eq(Some(family)),
                    decisions::outcome.eq(outcome),
                    decisions::text.eq(""),
                    decisions::rationale.eq(""),
                    decisions::family_view.eq(view),
                    decisions::family_words.eq(""),
                    decisions::created_by_user_id.eq(1),
                    decisions::created_at.eq(at),
                )
            })
            .collect();
        if !decisions.is_empty() {
            diesel::insert_into(decisions::table)
                .values(&decisions)
                .execute(conn)
                .unwrap();
        }
        let phases: Vec<_> = self
            .phases
            .drain(..)
            .map(|(family, phase, previous, by, at)| {
                (
                    safety_phases::family_id.eq(family),
                    safety_phases::phase.eq(phase),
                    safety_phases::previous_phase.eq(previous),
                    safety_phases::started_at.eq(at),
                    safety_phases::decided_by_user_id.eq(by),
                    safety_phases::rationale.eq("Besproken"),
                    safety_phases::criteria.eq(""),
                )
            })
            .collect();
        if !phases.is_empty() {
            diesel::insert_into(safety_phases::table)
                .values(&phases)
                .execute(conn)
                .unwrap();
        }
        let measures: Vec<_> = self
            .measures
            .drain(..)
            .map(|(family, kind, by, at)| {
                (
                    measures::family_id.eq(family),
                    measures::person_id.eq(2 * family),
                    measures::kind.eq(kind),
                    measures::decided_by.eq("kinderrechter"),
                    measures::starts_on.eq(at.date()),
                    measures::note.eq(""),
                    measures::end_reason.eq(""),
                    measures::recorded_by_user_id.eq(by),
                    measures::created_at.eq(at),
                )
            })
            .collect();
        if !measures.is_empty() {
            diesel::insert_into(measures::table)
                .values(&measures)
                .execute(conn)
                .unwrap();
        }
    }
}
