//! Consultation tables (overlegtafels) and their kinds: chairs, minute-takers, standing members,
//! referral criteria and outcome options. Kinds are data with defaults, changed by an admin.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::coded_enum;
use crate::db::DbConn;
use crate::schema::{consultation_tables, organisations, table_kinds, table_members, users};

coded_enum!(
    /// A person's place at a table.
    TableRole, "table_role", [Chair => "chair", MinuteTaker => "minute_taker", Member => "member"]
);

#[derive(Clone, Debug, Queryable, Selectable, Identifiable)]
#[diesel(table_name = table_kinds)]
pub struct TableKind {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub referral_criteria: String,
    pub outcome_options: String,
    pub access_days: i32,
    pub created_at: NaiveDateTime,
    /// The checklists for the safety phases, one criterion per line; empty means the defaults.
    pub phase_criteria_up_2: String,
    pub phase_criteria_up_3: String,
    pub phase_criteria_back: String,
    pub partnership_id: i64,
    /// How soon the chair answers a referral: crisis in hours, spoed and regulier in working days.
    pub answer_hours_crisis: i32,
    pub answer_days_urgent: i32,
    pub answer_days_regular: i32,
    /// The outcome that asks the Raad voor de Kinderbescherming to investigate (empty: none).
    pub board_outcome: String,
    /// The outcomes that put the family in aftercare, one per line (empty: none).
    pub aftercare_outcomes: String,
}

impl TableKind {
    pub fn deadlines(&self) -> AnswerDeadlines {
        AnswerDeadlines {
            crisis_hours: self.answer_hours_crisis,
            urgent_days: self.answer_days_urgent,
            regular_days: self.answer_days_regular,
        }
    }
}

/// How soon a referral is answered, per urgency (a table kind's setting).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AnswerDeadlines {
    pub crisis_hours: i32,
    pub urgent_days: i32,
    pub regular_days: i32,
}

impl Default for AnswerDeadlines {
    /// Crisis 4 hours, spoed 1 working day, regulier 5 working days.
    fn default() -> Self {
        AnswerDeadlines {
            crisis_hours: 4,
            urgent_days: 1,
            regular_days: 5,
        }
    }
}

#[derive(Clone, Debug, Queryable, Selectable, Identifiable)]
#[diesel(table_name = consultation_tables)]
pub struct Table {
    pub id: i64,
    pub kind_id: i64,
    pub name: String,
    pub region: String,
    pub referral_criteria: String,
    pub outcome_options: String,
    pub access_days: i32,
    pub created_at: NaiveDateTime,
    /// How the besluitenlijst is sent: "link" (log in to read) or "attachment" (the PDF in the mail).
    pub send_mode: String,
    pub partnership_id: i64,
    /// The outcome that asks the Raad voor de Kinderbescherming to investigate (empty: none), copied
    /// from the kind; a setting of its own, so the hand-off never depends on an option's wording.
    pub board_outcome: String,
    /// The outcomes that put the family in aftercare, one per line, copied from the kind.
    pub aftercare_outcomes: String,
}

impl Table {
    pub fn sends_attachment(&self) -> bool {
        self.send_mode == "attachment"
    }

    /// The outcome options, one per line, then the aftercare outcomes and the hand-off to the Raad
    /// (those the options do not list already).
    pub fn outcomes(&self) -> Vec<String> {
        let mut all = lines(&self.outcome_options);
        let board = self.board_outcome.trim();
        for extra in lines(&self.aftercare_outcomes)
            .into_iter()
            .chain((!board.is_empty()).then(|| board.to_string()))
        {
            if !all.contains(&extra) {
                all.push(extra);
            }
        }
        all
    }

    /// Whether a decision with this outcome puts the family in aftercare.
    pub fn starts_aftercare(&self, outcome: &str) -> bool {
        lines(&self.aftercare_outcomes).contains(&outcome.trim().to_string())
    }

    /// Whether a decision with this outcome asks the Raad to investigate.
    pub fn hands_off(&self, outcome: &str) -> bool {
        let board = self.board_outcome.trim();
        !board.is_empty() && outcome.trim() == board
    }
}

/// Non-empty trimmed lines: how lists are kept in one text column.
pub fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

/// The table kinds of these partnerships.
pub fn kinds_of(conn: &mut DbConn, partnership_ids: &[i64]) -> QueryResult<Vec<TableKind>> {
    table_kinds::table
        .filter(table_kinds::partnership_id.eq_any(partnership_ids))
        .order((table_kinds::partnership_id.asc(), table_kinds::id.asc()))
        .select(TableKind::as_select())
        .load(conn)
}

/// The kinds a new partnership starts with: (code, name, referral criteria, outcome options, days of
/// access after a meeting). Each partnership then changes its own copy.
pub const DEFAULT_KINDS: &[(&str, &str, &str, &str, i32)] = &[
    (
        "actieoverleg",
        "Actieoverleg",
        "Er is nu actie nodig van meer partners tegelijk en het lokaal team of Veilig Thuis kan dit niet alleen.",
        "Afspraken wie nu wat doet\nTerug naar het lokaal team\nOpschalen naar een ander overleg",
        14,
    ),
    (
        "mda",
        "MDA++",
        "Huiselijk geweld of kindermishandeling houdt aan, ondanks hulp in de keten. Meerdere problemen in het gezin. Veilig Thuis is betrokken.",
        "Fase 1: directe veiligheid\nFase 2: stabiele veiligheid\nFase 3: herstel\nAfschalen naar het lokaal team",
        28,
    ),
    (
        "beschermingsoverleg",
        "Beschermingsoverleg",
        "De hulp in het vrijwillig kader heeft de zorgen niet weggenomen. Aangemeld door het lokaal team, een GI of Veilig Thuis.",
        "Vrijwillig kader blijft\nSignaal of advies voor beleid",
        28,
    ),
    (
        "zvh_casusoverleg",
        "ZVH-casusoverleg",
        "Zorg, strafrecht en bestuursrecht zijn samen nodig. Er is een strafrechtelijke ingreep nodig of in beeld.",
        "Gezamenlijk plan van aanpak\nStrafrechtelijke interventie\nBestuursrechtelijke maatregel\nTerug naar de zorgketen",
        14,
    ),
    (
        "mdo",
        "Multidisciplinair overleg (MDO)",
        "Meerdere disciplines zijn betrokken en moeten samen afstemmen.",
        "Afspraken gemaakt\nNieuw overleg nodig\nOpschalen naar een ander overleg",
        14,
    ),
    (
        "trajectberaad",
        "Trajectberaad",
        "Er is een passend traject nodig dat niet vanzelf beschikbaar is.",
        "Traject ingezet\nAndere hulp zoeken\nOpschalen naar een ander overleg",
        14,
    ),
    (
        "nazorgoverleg",
        "Nazorgoverleg",
        "Het gezin is afgeschaald en de nazorg wordt gevolgd.",
        "Nazorg loopt goed\nOpnieuw opschalen\nDossier sluiten",
        14,
    ),
];

/// The default kinds' hand-off to the Raad: (code, outcome). The beschermingsoverleg decides whether
/// the Raad starts an investigation.
pub const DEFAULT_BOARD_OUTCOMES: &[(&str, &str)] =
    &[("beschermingsoverleg", "Verzoek tot onderzoek RvdK")];

/// The default kinds' outcomes that start aftercare (all kinds but the beschermingsoverleg, whose
/// outcomes keep or hand off the voluntary framework).
pub const DEFAULT_AFTERCARE_OUTCOMES: &str = "Afschalen\nNazorg";

/// Gives a new partnership its own copy of the default kinds.
pub fn create_default_kinds(conn: &mut DbConn, partnership_id: i64) -> QueryResult<()> {
    for (code, name, criteria, outcomes, days) in DEFAULT_KINDS {
        let board = DEFAULT_BOARD_OUTCOMES
            .iter()
            .find(|(c, _)| c == code)
            .map_or("", |(_, o)| o);
        let kind = create_kind(
            conn,
            NewKind {
                partnership_id,
                code,
                name,
                referral_criteria: criteria,
                outcome_options: outcomes,
                access_days: *days,
                created_at: super::now(),
            },
        )?;
        if !board.is_empty() {
            set_kind_board_outcome(conn, kind.id, board)?;
        }
        if *code != "beschermingsoverleg" {
            set_kind_aftercare_outcomes(conn, kind.id, DEFAULT_AFTERCARE_OUTCOMES)?;
        }
    }
    Ok(())
}

/// The kind's hand-off outcome to the Raad ("" for none).
pub fn set_kind_board_outcome(conn: &mut DbConn, id: i64, outcome: &str) -> QueryResult<()> {
    diesel::update(table_kinds::table.find(id))
        .set(table_kinds::board_outcome.eq(outcome.trim()))
        .execute(conn)?;
    Ok(())
}

/// The kind's outcomes that start aftercare, one per line ("" for none).
pub fn set_kind_aftercare_outcomes(conn: &mut DbConn, id: i64, outcomes: &str) -> QueryResult<()> {
    diesel::update(table_kinds::table.find(id))
        .set(table_kinds::aftercare_outcomes.eq(lines(outcomes).join("\n")))
        .execute(conn)?;
    Ok(())
}

/// The table's outcomes that start aftercare, one per line ("" for none).
pub fn set_aftercare_outcomes(conn: &mut DbConn, id: i64, outcomes: &str) -> QueryResult<()> {
    diesel::update(consultation_tables::table.find(id))
        .set(consultation_tables::aftercare_outcomes.eq(lines(outcomes).join("\n")))
        .execute(conn)?;
    Ok(())
}

/// The table's hand-off outcome to the Raad ("" for none).
pub fn set_board_outcome(conn: &mut DbConn, id: i64, outcome: &str) -> QueryResult<()> {
    diesel::update(consultation_tables::table.find(id))
        .set(consultation_tables::board_outcome.eq(outcome.trim()))
        .execute(conn)?;
    Ok(())
}

pub fn find_kind(conn: &mut DbConn, id: i64) -> QueryResult<Option<TableKind>> {
    table_kinds::table
        .find(id)
        .select(TableKind::as_select())
        .first(conn)
        .optional()
}

#[derive(Insertable)]
#[diesel(table_name = table_kinds)]
pub struct NewKind<'a> {
    pub partnership_id: i64,
    pub code: &'a str,
    pub name: &'a str,
    pub referral_criteria: &'a str,
    pub outcome_options: &'a str,
    pub access_days: i32,
    pub created_at: NaiveDateTime,
}

pub fn create_kind(conn: &mut DbConn, kind: NewKind<'_>) -> QueryResult<TableKind> {
    diesel::insert_into(table_kinds::table)
        .values(kind)
        .returning(table_kinds::all_columns)
        .get_result(conn)
}

pub fn update_kind(
    conn: &mut DbConn,
    id: i64,
    name: &str,
    criteria: &str,
    outcomes: &str,
    access_days: i32,
) -> QueryResult<()> {
    diesel::update(table_kinds::table.find(id))
        .set((
            table_kinds::name.eq(name),
            table_kinds::referral_criteria.eq(criteria),
            table_kinds::outcome_options.eq(outcomes),
            table_kinds::access_days.eq(access_days),
        ))
        .execute(conn)?;
    Ok(())
}

/// The kind's answer deadlines for referrals.
pub fn set_deadlines(conn: &mut DbConn, id: i64, d: AnswerDeadlines) -> QueryResult<()> {
    diesel::update(table_kinds::table.find(id))
        .set((
            table_kinds::answer_hours_crisis.eq(d.crisis_hours),
            table_kinds::answer_days_urgent.eq(d.urgent_days),
            table_kinds::answer_days_regular.eq(d.regular_days),
        ))
        .execute(conn)?;
    Ok(())
}

/// How the table sends the besluitenlijst: "link" or "attachment".
pub fn set_send_mode(conn: &mut DbConn, id: i64, mode: &str) -> QueryResult<()> {
    diesel::update(consultation_tables::table.find(id))
        .set(consultation_tables::send_mode.eq(mode))
        .execute(conn)?;
    Ok(())
}

/// The kind's own checklists for the safety phases: to phase 2, to phase 3, and back.
pub fn set_phase_criteria(conn: &mut DbConn, id: i64, lists: [String; 3]) -> QueryResult<()> {
    let [up_2, up_3, back] = lists;
    diesel::update(table_kinds::table.find(id))
        .set((
            table_kinds::phase_criteria_up_2.eq(up_2),
            table_kinds::phase_criteria_up_3.eq(up_3),
            table_kinds::phase_criteria_back.eq(back),
        ))
        .execute(conn)?;
    Ok(())
}

#[derive(Insertable)]
#[diesel(table_name = consultation_tables)]
struct NewTableRow<'a> {
    partnership_id: i64,
    kind_id: i64,
    name: &'a str,
    region: &'a str,
    referral_criteria: &'a str,
    outcome_options: &'a str,
    access_days: i32,
    created_at: NaiveDateTime,
    board_outcome: &'a str,
    aftercare_outcomes: &'a str,
}

/// A new table of `kind`, starting with the kind's criteria, outcome options and access window.
pub fn create(conn: &mut DbConn, kind: &TableKind, name: &str, region: &str) -> QueryResult<Table> {
    diesel::insert_into(consultation_tables::table)
        .values(NewTableRow {
            partnership_id: kind.partnership_id,
            kind_id: kind.id,
            name,
            region,
            referral_criteria: &kind.referral_criteria,
            outcome_options: &kind.outcome_options,
            access_days: kind.access_days,
            created_at: super::now(),
            board_outcome: &kind.board_outcome,
            aftercare_outcomes: &kind.aftercare_outcomes,
        })
        .returning(consultation_tables::all_columns)
        .get_result(conn)
}

pub fn update(
    conn: &mut DbConn,
    id: i64,
    name: &str,
    region: &str,
    criteria: &str,
    outcomes: &str,
    access_days: i32,
) -> QueryResult<()> {
    diesel::update(consultation_tables::table.find(id))
        .set((
            consultation_tables::name.eq(name),
            consultation_tables::region.eq(region),
            consultation_tables::referral_criteria.eq(criteria),
            consultation_tables::outcome_options.eq(outcomes),
            consultation_tables::access_days.eq(access_days),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn find(conn: &mut DbConn, id: i64) -> QueryResult<Option<Table>> {
    consultation_tables::table
        .find(id)
        .select(Table::as_select())
        .first(conn)
        .optional()
}

/// The tables of these partnerships.
pub fn list_of(conn: &mut DbConn, partnership_ids: &[i64]) -> QueryResult<Vec<Table>> {
    consultation_tables::table
        .filter(consultation_tables::partnership_id.eq_any(partnership_ids))
        .order(consultation_tables::name.asc())
        .select(Table::as_select())
        .load(conn)
}

/// Every table of every partnership, by name (a referral may go to another region's table, with a
/// reason).
pub fn list(conn: &mut DbConn) -> QueryResult<Vec<Table>> {
    consultation_tables::table
        .order(consultation_tables::name.asc())
        .select(Table::as_select())
        .load(conn)
}

/// Is there a table with this name already (names are unique across partnerships)?
pub fn name_taken(conn: &mut DbConn, name: &str) -> QueryResult<bool> {
    Ok(consultation_tables::table
        .select(consultation_tables::name)
        .load::<String>(conn)?
        .iter()
        .any(|t| t.eq_ignore_ascii_case(name)))
}

/// The tables a user sits at, in any role.
pub fn list_for_user(conn: &mut DbConn, user_id: i64) -> QueryResult<Vec<Table>> {
    let mine = table_members::table
        .filter(table_members::user_id.eq(user_id))
        .select(table_members::table_id);
    consultation_tables::table
        .filter(consultation_tables::id.eq_any(mine))
        .order(consultation_tables::name.asc())
        .select(Table::as_select())
        .load(conn)
}

/// The roles a user has at a table.
pub fn roles(conn: &mut DbConn, table_id: i64, user_id: i64) -> QueryResult<Vec<TableRole>> {
    Ok(table_members::table
        .filter(table_members::table_id.eq(table_id))
        .filter(table_members::user_id.eq(user_id))
        .select(table_members::role)
        .load::<String>(conn)?
        .iter()
        .filter_map(|r| TableRole::from_code(r))
        .collect())
}

#[derive(Clone, Debug)]
pub struct Member {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    pub organisation_name: Option<String>,
    pub role: TableRole,
}

pub fn members(conn: &mut DbConn, table_id: i64) -> QueryResult<Vec<Member>> {
    let rows: Vec<(i64, i64, String, Option<String>, String)> = table_members::table
        .inner_join(users::table.on(users::id.eq(table_members::user_id)))
        .left_join(organisations::table.on(organisations::id.nullable().eq(users::organisation_id)))
        .filter(table_members::table_id.eq(table_id))
        .order((table_members::role.asc(), users::name.asc()))
        .select((
            table_members::id,
            users::id,
            users::name,
            organisations::name.nullable(),
            table_members::role,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, user_id, name, organisation_name, role)| Member {
            id,
            user_id,
            name,
            organisation_name,
            role: TableRole::from_code(&role).unwrap_or(TableRole::Member),
        })
        .collect())
}

#[derive(Insertable)]
#[diesel(table_name = table_members)]
struct NewMember<'a> {
    table_id: i64,
    user_id: i64,
    role: &'a str,
}

/// Adds a role at the table; adding a role someone has already changes nothing.
pub fn add_member(
    conn: &mut DbConn,
    table_id: i64,
    user_id: i64,
    role: TableRole,
) -> QueryResult<()> {
    if roles(conn, table_id, user_id)?.contains(&role) {
        return Ok(());
    }
    diesel::insert_into(table_members::table)
        .values(NewMember {
            table_id,
            user_id,
            role: role.code(),
        })
        .execute(conn)?;
    Ok(())
}

pub fn remove_member(conn: &mut DbConn, table_id: i64, member_id: i64) -> QueryResult<usize> {
    diesel::delete(
        table_members::table
            .filter(table_members::table_id.eq(table_id))
            .filter(table_members::id.eq(member_id)),
    )
    .execute(conn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_are_kept_as_lines() {
        assert_eq!(
            lines("  Vrijwillig kader blijft \n\nRvdK-onderzoek\n"),
            vec!["Vrijwillig kader blijft", "RvdK-onderzoek"]
        );
    }
}
