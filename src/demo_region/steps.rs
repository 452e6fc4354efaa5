//! The generator's steps: opening and referring a family, the chair's answer (scheduling it on the
//! table's next weekly meeting), a meeting sitting (decisions, then closing), phase changes, measures
//! and closing. Each step says which steps follow and when.

use chrono::{Datelike, Duration, NaiveDateTime};
use rand::Rng;
use rand::rngs::StdRng;

use super::{Cast, FamilyRun, Made, MadeDecision, MadeReferral, RegionSpec, Step};
use crate::db::DbConn;
use crate::domain::decision::{DecisionDetails, FamilyView};
use crate::domain::family::{FamilyDetails, LegalBasis, PersonDetails, PersonRole, Urgency};
use crate::domain::measure::{DecidingBody, MeasureKind, NewMeasure};
use crate::domain::meeting::{self, MeetingPlan};
use crate::domain::referral::{ReferralDetails, ReferralStatus};
use crate::domain::safety::Phase;
use crate::domain::{DomainError, DomainResult};
use crate::record;
use crate::time::{Clock, now, today};

pub(super) struct Run<'a> {
    pub spec: &'a RegionSpec,
    pub cast: &'a Cast,
    pub rng: StdRng,
    pub families: Vec<FamilyRun>,
    pub made: Made,
    /// The meetings planned: (id, table, starts, sat).
    pub meetings: Vec<(i64, usize, NaiveDateTime, bool)>,
}

type Next = Vec<(NaiveDateTime, Step)>;

impl Run<'_> {
    pub fn step(
        &mut self,
        conn: &mut DbConn,
        at: NaiveDateTime,
        step: &Step,
    ) -> DomainResult<Next> {
        let closed = |n: &usize| {
            self.made
                .closed
                .iter()
                .any(|(f, _)| *f == self.families[*n].id)
        };
        let next = match step {
            Step::Start(n) => self.start(conn, *n, at)?,
            Step::Answer(n) => self.answer(conn, *n, at)?,
            Step::Sit(id) => self.sit(conn, *id)?,
            Step::Phase(n, _) | Step::Measure(n) | Step::Close(n) if closed(n) => Vec::new(),
            Step::Phase(n, p) => self.phase(conn, *n, *p, at)?,
            Step::Measure(n) => self.measure(conn, *n)?,
            Step::Close(n) => self.close(conn, *n)?,
        };
        // Nothing happens after today.
        let today = Clock::wall().now();
        Ok(next.into_iter().filter(|(at, _)| *at < today).collect())
    }

    fn chance(&mut self, p: f64) -> bool {
        self.rng.random_bool(p)
    }

    fn days(&mut self, range: std::ops::Range<i64>) -> Duration {
        Duration::days(self.rng.random_range(range))
            + Duration::minutes(self.rng.random_range(0..480))
    }

    fn start(&mut self, conn: &mut DbConn, n: usize, at: NaiveDateTime) -> DomainResult<Next> {
        let urgency = match self.rng.random_range(0..100) {
            0..10 => Urgency::Crisis,
            10..40 => Urgency::Urgent,
            _ => Urgency::Regular,
        };
        let table = match self.rng.random_range(0..100) {
            0..50 => 0,
            50..88 => 1,
            _ => 2,
        };
        let director = self.rng.random_range(0..self.cast.directors.len());
        let by = &self.cast.directors[director];
        let details = FamilyDetails {
            display_name: format!("Gezin Regio {} {n}", self.spec.tag.to_uppercase()),
            municipality: "Dordrecht".into(),
            urgency,
            legal_basis: LegalBasis::LegalTask,
            family_informed: true,
            not_informed_reason: None,
        };
        let family = record::start_family(
            conn,
            by,
            self.spec.partnership_id,
            &details,
            "Regisseur",
            today(),
        )?;
        let child = PersonDetails {
            name: format!("Kind {n}"),
            date_of_birth: None,
            role: PersonRole::Child,
            parental_authority: false,
            identity: None,
        };
        let child = record::save_person(conn, by, family.id, None, &child)?;
        let helpers = self.rng.random_range(0..5);
        for i in 0..helpers {
            let other = &self.cast.others[(n + i) % self.cast.others.len()];
            record::add_involvement(conn, by, family.id, other, "Betrokkene", today())?;
        }
        let referral = self.refer(conn, by, family.id, table, urgency)?;
        self.families[n] = FamilyRun {
            id: family.id,
            director,
            child,
            table,
            referral: Some(referral),
            made: self.made.referrals.len() - 1,
        };
        let wait = match urgency {
            Urgency::Crisis => Duration::hours(self.rng.random_range(1..30)),
            Urgency::Urgent => self.days(1..6),
            Urgency::Regular => self.days(2..16),
        };
        Ok(vec![(at + wait, Step::Answer(n))])
    }

    /// Refers the family to table `table`, in the generator's list too.
    fn refer(
        &mut self,
        conn: &mut DbConn,
        by: &crate::record::Who,
        family_id: i64,
        table: usize,
        urgency: Urgency,
    ) -> DomainResult<crate::domain::referral::Referral> {
        let referral = record::refer(
            conn,
            by,
            family_id,
            &self.cast.tables[table],
            &ReferralDetails {
                reason: "Zorgen over de veiligheid thuis.".into(),
                tried: "Hulp van het wijkteam.".into(),
                question: "Wat is er nodig om het veilig te krijgen?".into(),
                urgency,
                family_informed: true,
                not_informed_reason: None,
                outside_reason: None,
            },
        )?;
        self.made.referrals.push(MadeReferral {
            family_id,
            table_id: self.cast.tables[table].id,
            urgency,
            submitted: now(),
            answered: None,
            decided: None,
            discussed: None,
        });
        Ok(referral)
    }

    /// The table's first weekly meeting at or after `earliest`, planned now when it is not yet.
    fn meeting_for(
        &mut self,
        conn: &mut DbConn,
        table: usize,
        earliest: NaiveDateTime,
    ) -> DomainResult<(meeting::Meeting, Option<(NaiveDateTime, Step)>)> {
        let day = earliest.date();
        // Each table meets on its own weekday.
        let weekday = i64::from(day.weekday().number_from_monday());
        let offset = (table as i64 * 2 + 7 - weekday).rem_euclid(7);
        let mut starts = (day + Duration::days(offset))
            .and_hms_opt(9, 0, 0)
            .unwrap_or_default();
        if starts < earliest {
            starts += Duration::days(7);
        }
        if let Some((id, ..)) = self
            .meetings
            .iter()
            .find(|(_, t, s, sat)| *t == table && *s == starts && !sat)
        {
            let found = meeting::find(conn, *id)?.ok_or(DomainError::Missing("meeting"))?;
            return Ok((found, None));
        }
        let (planned, _) = record::plan_meeting(
            conn,
            &self.cast.chairs[table],
            &self.cast.tables[table],
            &MeetingPlan {
                starts_at: starts,
                ends_at: starts + Duration::minutes(90),
                place: "Stadskantoor".into(),
                online_link: String::new(),
            },
        )?;
        self.meetings.push((planned.id, table, starts, false));
        Ok((planned.clone(), Some((starts, Step::Sit(planned.id)))))
    }

    fn answer(&mut self, conn: &mut DbConn, n: usize, at: NaiveDateTime) -> DomainResult<Next> {
        let run = self.families[n].clone();
        let referral = run.referral.ok_or(DomainError::Missing("referral"))?;
        let (table, chair) = (&self.cast.tables[run.table], &self.cast.chairs[run.table]);
        let mut next = Vec::new();
        if self.chance(0.15) {
            let _ = record::answer_referral(
                conn,
                chair,
                &referral,
                table,
                ReferralStatus::Rejected,
                Some("Past beter bij een ander overleg."),
                None,
            )?;
        } else {
            let (meeting, sit) = self.meeting_for(conn, run.table, at + Duration::days(2))?;
            next.extend(sit);
            let _ = record::answer_referral(
                conn,
                chair,
                &referral,
                table,
                ReferralStatus::Accepted,
                None,
                Some(&meeting),
            )?;
        }
        self.made.referrals[run.made].answered = Some(now());
        Ok(next)
    }

    fn sit(&mut self, conn: &mut DbConn, meeting_id: i64) -> DomainResult<Next> {
        let slot = self
            .meetings
            .iter_mut()
            .find(|m| m.0 == meeting_id)
            .ok_or(DomainError::Missing("meeting"))?;
        slot.3 = true;
        let t = slot.1;
        let (table, chair) = (&self.cast.tables[t], &self.cast.chairs[t]);
        let found = meeting::find(conn, meeting_id)?.ok_or(DomainError::Missing("meeting"))?;
        let _ = record::start_meeting(conn, chair, &found)?;
        let outcomes = table.outcomes();
        let mut decided = Vec::new();
        for item in meeting::items(conn, meeting_id)? {
            let Some(n) = self
                .families
                .iter()
                .position(|f| Some(f.id) == item.family_id)
            else {
                continue;
            };
            let outcome = outcomes[self.rng.random_range(0..outcomes.len())].clone();
            let view = match self.rng.random_range(0..10) {
                0..5 => FamilyView::Agrees,
                5..7 => FamilyView::Disagrees,
                _ => FamilyView::NotHeard,
            };
            let details = DecisionDetails {
                outcome: outcome.clone(),
                text: "Het overleg spreekt af wie wat doet.".into(),
                rationale: "Besproken met iedereen die betrokken is.".into(),
                family_view: view,
                family_words: String::new(),
                refer_to_table_id: None,
                new_director_user_id: None,
            };
            let _ = record::record_decision(conn, chair, &found, table, &item, &details, None)?;
            let family_id = self.families[n].id;
            self.made.decisions.push(MadeDecision {
                family_id,
                table_id: table.id,
                outcome,
                view,
                at: now(),
            });
            let made = &mut self.made.referrals[self.families[n].made];
            made.decided = made.decided.or(Some(now()));
            decided.push(n);
        }
        Clock::current().set(found.ends_at);
        let found = meeting::find(conn, meeting_id)?.ok_or(DomainError::Missing("meeting"))?;
        let _ = record::close_meeting(conn, chair, &found, table, &Default::default())?;
        let mut next = Vec::new();
        for n in decided {
            let made = &mut self.made.referrals[self.families[n].made];
            made.discussed = made.discussed.or(Some(now()));
            next.extend(self.after_decision(n));
        }
        Ok(next)
    }

    /// What follows a decision: most families start phase 1, some get a measure, some close.
    fn after_decision(&mut self, n: usize) -> Next {
        let at = now();
        let mut next = Vec::new();
        if self.chance(0.65) {
            next.push((at + self.days(1..3), Step::Phase(n, 1)));
        } else if self.chance(0.3) {
            next.push((at + self.days(20..90), Step::Close(n)));
        }
        if self.chance(0.18) {
            next.push((at + self.days(5..60), Step::Measure(n)));
        }
        next
    }

    fn phase(
        &mut self,
        conn: &mut DbConn,
        n: usize,
        to: i32,
        at: NaiveDateTime,
    ) -> DomainResult<Next> {
        let run = &self.families[n];
        let by = &self.cast.directors[run.director];
        let phase = Phase::from_number(to).ok_or(DomainError::Missing("phase"))?;
        let from = self
            .made
            .phases
            .iter()
            .rev()
            .find(|(f, ..)| *f == run.id)
            .map(|(_, _, p, _)| *p);
        record::change_phase(
            conn,
            by,
            run.id,
            phase,
            &[],
            "Besproken met het gezin.",
            None,
        )?;
        self.made.phases.push((run.id, from, to, now()));
        let mut next = Vec::new();
        match to {
            1 if self.chance(0.6) => next.push((at + self.days(20..150), Step::Phase(n, 2))),
            2 if self.chance(0.2) => next.push((at + self.days(10..60), Step::Phase(n, 1))),
            2 if self.chance(0.4) => next.push((at + self.days(30..120), Step::Phase(n, 3))),
            3 if self.chance(0.4) => next.push((at + self.days(30..90), Step::Close(n))),
            _ => {}
        }
        Ok(next)
    }

    fn measure(&mut self, conn: &mut DbConn, n: usize) -> DomainResult<Next> {
        let run = &self.families[n];
        let by = &self.cast.directors[run.director];
        let kind = match self.rng.random_range(0..10) {
            0..4 => MeasureKind::SupervisionOrder,
            4..6 => MeasureKind::RestrainingOrder,
            6..8 => MeasureKind::PlacementOrder,
            8 => MeasureKind::VoluntaryPlacement,
            _ => MeasureKind::Guardianship,
        };
        let decided_by = match kind {
            MeasureKind::RestrainingOrder => DecidingBody::Mayor,
            MeasureKind::VoluntaryPlacement => DecidingBody::Parents,
            _ => DecidingBody::JuvenileJudge,
        };
        record::record_measure(
            conn,
            by,
            &NewMeasure {
                family_id: run.id,
                person_id: run.child,
                kind,
                decided_by,
                starts_on: today(),
                planned_end_on: None,
                note: String::new(),
                recorded_by_user_id: by.user_id,
            },
        )?;
        self.made.measures.push((run.id, kind, now()));
        Ok(Vec::new())
    }

    fn close(&mut self, conn: &mut DbConn, n: usize) -> DomainResult<Next> {
        let run = &self.families[n];
        let by = &self.cast.directors[run.director];
        record::close(conn, by, run.id, "De doelen zijn bereikt.")?;
        self.made.closed.push((run.id, now()));
        Ok(Vec::new())
    }
}
