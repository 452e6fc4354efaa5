//! Who may use which route: every kind of actor, and what each must get from every route the app
//! serves, with the ids of their own family in the address, of the other family, or of partnership B
//! (`expect_elsewhere`). The coordinator coordinates the partnership of the world's table and families;
//! none of the actors works in partnership B. The authorization matrix checks every answer against
//! `expect_in`; the fuzzer sends input as someone `allowed` to.

/// Declares the actors once: the enum and `ACTORS`, every one in that order.
macro_rules! actors {
    ($($actor:ident),+ $(,)?) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Actor {
            $($actor),+
        }

        pub const ACTORS: &[Actor] = &[$(Actor::$actor),+];
    };
}

actors![
    Anonymous,
    FamilyHere,
    FamilyElsewhere,
    Involved,
    Outsider,
    Invited,
    Director,
    Chair,
    MinuteTaker,
    OrgAdmin,
    Coordinator,
    SystemAdmin,
    TokenParty,
    TokenOutsider,
];

use Actor::*;

impl Actor {
    pub fn is_staff(self) -> bool {
        matches!(
            self,
            Involved
                | Outsider
                | Invited
                | Director
                | Chair
                | MinuteTaker
                | OrgAdmin
                | Coordinator
                | SystemAdmin
        )
    }
    fn is_professional(self) -> bool {
        matches!(
            self,
            Involved | Outsider | Invited | Director | Chair | MinuteTaker | Coordinator
        )
    }
    pub fn is_family(self) -> bool {
        matches!(self, FamilyHere | FamilyElsewhere)
    }
    fn is_token(self) -> bool {
        matches!(self, TokenParty | TokenOutsider)
    }
}

/// How an actor relates to the family whose ids are in the address.
#[derive(Clone, Copy, Debug, Default)]
struct Rel {
    director: bool,
    involved: bool,
    invited: bool,
    lead: bool,
    member: bool,
    owner: bool,
    party: bool,
}

impl Rel {
    /// Sees the family's record (read only): director, involved, invited for its item, leads the table.
    fn views(self) -> bool {
        self.director || self.involved || self.invited || self.lead
    }
}

fn relation(actor: Actor, here: bool) -> Rel {
    let mut r = Rel::default();
    match actor {
        Director => r.director = here,
        Involved => r.involved = here,
        Invited => {
            r.invited = here;
            r.owner = here;
        }
        Chair | MinuteTaker => r.lead = true,
        FamilyHere => r.member = here,
        FamilyElsewhere => r.member = !here,
        TokenParty => r.party = here,
        _ => {}
    }
    r
}

/// Whose ids are in the address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Context {
    /// This family's, with its partnership's table, meetings and the ids of no family.
    Here,
    /// The other family's, in the same partnership.
    There,
    /// Partnership B's (Centraal Gelderland): its family, table, kind, meetings, seat, accounts, key,
    /// webhook and the partnership itself, typed into the address by someone of partnership A.
    PartnershipB,
}

/// The expectation for `route` as `actor` with the ids of `context`; None for a route this test does
/// not know (which fails it).
pub fn expect_in(method: &str, route: &str, actor: Actor, context: Context) -> Option<Expect> {
    match context {
        Context::Here => expect(method, route, actor, true),
        Context::There => expect(method, route, actor, false),
        Context::PartnershipB => expect_elsewhere(route, actor),
    }
}

/// Does this route carry an id (and so get tested with partnership B's)? Secret links, feeds and static
/// files carry no id.
pub fn carries_ids(route: &str) -> bool {
    ["{token}", "{file}", "{path:.*}"]
        .iter()
        .fold(route.to_string(), |r, secret| r.replace(secret, ""))
        .contains('{')
}

/// What an actor of partnership A must get with partnership B's ids in the address: nothing of B,
/// whatever id they type. None for a route this test does not know.
pub fn expect_elsewhere(route: &str, actor: Actor) -> Option<Expect> {
    let e = match route {
        // Public: anyone checks a besluitenlijst against its hash, B's too.
        "/controle/{meeting}/{hash}" => Allowed,
        // Only B's own coordinators approve the keys of B's organisations: not A's coordinator, never
        // the system admin.
        "/beheer/samenwerkingsverbanden/{id}/api-sleutels"
        | "/beheer/samenwerkingsverbanden/{id}/api-sleutels/{key}/goedkeuren" => Refused,
        // Only B's own coordinators set B's second factor rule.
        "/beheer/samenwerkingsverbanden/{id}/tweede-factor" => Refused,
        // B's complaints, and B's term for answering them.
        "/klachten/{id}"
        | "/klachten/{id}/antwoord"
        | "/klachten/{id}/doorsturen"
        | "/beheer/samenwerkingsverbanden/{id}/klachten"
        | "/beheer/samenwerkingsverbanden/{id}/klachttermijn" => Refused,
        // Only B's own coordinators read B's monitor and write its story; never the system admin.
        r if r.starts_with("/beheer/samenwerkingsverbanden/{id}/monitor")
            || r.starts_with("/beheer/samenwerkingsverbanden/{id}/{file:monitor") =>
        {
            Refused
        }
        // The system admin sets up every partnership (its organisations, coordinators, agreements) and
        // administers every account, whatever partnership its organisation takes part in ("Who
        // administers what" in the README); an organisation admin only her own organisation's.
        r if r.starts_with("/beheer/samenwerkingsverbanden/{id}")
            || r.starts_with("/beheer/gebruikers/{id}") =>
        {
            allow(actor == SystemAdmin)
        }
        // B's family, its requests, referrals, meetings, actions, portal items and outcomes; B's table
        // and kind; the key, webhook and login settings of an organisation of B.
        r if [
            "/gezinnen/{id}",
            "/betrokkenheidsverzoeken/{id}",
            "/aanmeldingen/{id}",
            "/bijeenkomsten/{id}",
            "/acties/{id}",
            "/verzoeken-onderzoek/{id}",
            "/portaal/punten/{item}",
            "/overleggen/{id}",
            "/gast/{item}",
            "/beheer/overlegsoorten/{id}",
            "/beheer/api-sleutels/{id}",
            "/beheer/webhooks/{id}",
            "/beheer/organisaties/{id}",
            "/api/v1/",
        ]
        .iter()
        .any(|p| r.starts_with(p)) =>
        {
            Refused
        }
        _ => return None,
    };
    Some(e)
}

/// What an actor must get.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expect {
    /// Through: 2xx, a redirect that is not to the login page, or a 4xx about the input (400, 409, 410,
    /// 413, 415, 422).
    Allowed,
    /// Refused: 401, 403, 404, or a redirect to the login page; nothing written.
    Refused,
    /// Anything but a server error (public forms with nonsense tokens, logging out).
    Answered,
}

use Expect::*;

fn allow(yes: bool) -> Expect {
    if yes { Allowed } else { Refused }
}

/// The expectation for every route; None for a route this test does not know (which fails it).
pub fn expect(method: &str, route: &str, actor: Actor, here: bool) -> Option<Expect> {
    let r = relation(actor, here);
    let staff = actor.is_staff();
    let professional = actor.is_professional();
    let get = method == "GET";
    let e = match route {
        // Public.
        "/healthz"
        | "/readyz"
        | "/static/{path:.*}"
        | "/controle"
        | "/controle/{meeting}/{hash}" => Allowed,
        // Off unless SAMENSPEL_METRICS_TOKEN is set (not in the matrix): 404 for everyone, signed in
        // or not; with the token set, only the bearer of it reads (tests/it/health.rs).
        "/metrics" => Refused,
        "/inloggen"
        | "/inloggen/link"
        | "/wachtwoord-vergeten"
        | "/inloggen/organisatie"
        | "/inloggen/digid"
            if get =>
        {
            Allowed
        }
        "/inloggen" | "/inloggen/link" | "/wachtwoord-vergeten" | "/taal" => Answered,
        // Logging in at an identity provider: the way there, and the way back (without a login begun
        // in this browser, a refusal).
        "/inloggen/organisatie" | "/inloggen/digid" | "/inloggen/terug" => Answered,
        "/inloggen/link/{token}" | "/wachtwoord-instellen/{token}" | "/uitloggen" => Answered,
        // The second step of a login answers the pending login of the browser (a cookie of its own),
        // whoever sends it; without one it sends back to the password.
        "/inloggen/tweede-stap" | "/inloggen/tweede-factor" => Answered,
        // The portal's quick exit ends whatever session there is and leaves for a neutral site.
        "/snel-weg" => Answered,
        // The calendar feed's secret address is its key.
        "/agenda/{file}" => Allowed,
        "/" => allow(staff || actor.is_family()),
        // The page that offers a file after logging in from a link to it (the file checks access).
        "/downloaden" => allow(staff),
        "/account" | "/account/agenda" | "/account/agenda/intrekken" | "/account/wachtwoord" => {
            allow(staff)
        }
        // One's own second factor, the confirmation before sensitive actions, one's own sessions.
        r if r.starts_with("/account/tweede-factor")
            || r.starts_with("/account/sessies")
            || r == "/account/bevestigen" =>
        {
            allow(staff)
        }
        // An organisation's second factor rule is its own admin's.
        "/beheer/tweede-factor" => allow(actor == OrgAdmin),
        // A partnership's rule is its coordinators'.
        "/beheer/samenwerkingsverbanden/{id}/tweede-factor" => allow(actor == Coordinator),
        // The monitor: staff find theirs from one page; a partnership's is its coordinators' (who also
        // write the story behind its numbers), a table's its chair's and the coordinators', an
        // organisation's its own admin's. Never the system admin's.
        "/monitor" => allow(staff),
        r if r.starts_with("/beheer/samenwerkingsverbanden/{id}/monitor")
            || r.starts_with("/beheer/samenwerkingsverbanden/{id}/{file:monitor") =>
        {
            allow(actor == Coordinator)
        }
        r if r.starts_with("/overleggen/{id}/monitor")
            || r.starts_with("/overleggen/{id}/{file:monitor") =>
        {
            allow(matches!(actor, Chair | Coordinator))
        }
        r if r.starts_with("/beheer/organisaties/{id}/monitor")
            || r.starts_with("/beheer/organisaties/{id}/{file:monitor") =>
        {
            allow(actor == OrgAdmin)
        }
        // Administration.
        r if r.starts_with("/beheer/api-sleutels") || r.starts_with("/beheer/webhooks") => {
            allow(actor == OrgAdmin)
        }
        // An organisation's own login (single sign-on): only its admin (here: Veilig Thuis's).
        r if r.starts_with("/beheer/organisaties/{id}/inloggen") => allow(actor == OrgAdmin),
        // A colleague's account at Veilig Thuis: its organisation admin and the system admin edit it
        // and switch it off and on (the policy's unit tests cover the other accounts).
        "/beheer/gebruikers/{id}/bewerken"
        | "/beheer/gebruikers/{id}/deactiveren"
        | "/beheer/gebruikers/{id}/activeren" => allow(matches!(actor, OrgAdmin | SystemAdmin)),
        r if r.starts_with("/beheer/gebruikers") => allow(matches!(actor, OrgAdmin | SystemAdmin)),
        // A partnership's coordinators set up its kinds of table; the system admin its partnerships.
        r if r.starts_with("/beheer/overlegsoorten") => allow(actor == Coordinator),
        // Its coordinators approve the API keys of the organisations taking part; never the key's own
        // organisation admin, the system admin or anyone else.
        "/beheer/samenwerkingsverbanden/{id}/api-sleutels"
        | "/beheer/samenwerkingsverbanden/{id}/api-sleutels/{key}/goedkeuren" => {
            allow(actor == Coordinator)
        }
        // A partnership's complaints and its term for answering them: its coordinators'.
        "/beheer/samenwerkingsverbanden/{id}/klachten"
        | "/beheer/samenwerkingsverbanden/{id}/klachttermijn" => allow(actor == Coordinator),
        r if r.starts_with("/beheer/samenwerkingsverbanden") => allow(actor == SystemAdmin),
        "/beheer/organisaties" => allow(actor == SystemAdmin),
        // Families.
        "/gezinnen" if get => allow(staff),
        "/gezinnen" | "/gezinnen/nieuw" => allow(professional),
        "/gezinnen/{id}"
        | "/gezinnen/{id}/plan/versies"
        | "/gezinnen/{id}/plan/versies/{version}"
        | "/gezinnen/{id}/veiligheidsschaal"
        | "/gezinnen/{id}/plannen/{plan}"
        | "/gezinnen/{id}/plannen/{plan}/versies/{version}"
        | "/gezinnen/{id}/plan/pdf"
        | "/gezinnen/{id}/plannen/{plan}/pdf"
        | "/gezinnen/{id}/fase"
        | "/gezinnen/{id}/documenten"
        | "/gezinnen/{id}/documenten/{document}"
        | "/gezinnen/{id}/maatregelen"
        | "/gezinnen/{id}/nazorg"
            if get =>
        {
            allow(professional && r.views())
        }
        "/gezinnen/{id}/opmerkingen"
        | "/gezinnen/{id}/veiligheidsschaal"
        | "/gezinnen/{id}/documenten" => allow(professional && (r.director || r.involved)),
        "/gezinnen/{id}/aanmelden" | "/gezinnen/{id}/aanmelden/{table}" => {
            allow(professional && (r.director || r.involved))
        }
        r if r.starts_with("/gezinnen/{id}/") => allow(professional && r_director(actor, here)),
        // Tables.
        "/overleggen" if get => allow(staff),
        // Only the partnership's coordinators set up tables: never an organisation or system admin.
        "/overleggen" | "/overleggen/nieuw" => allow(actor == Coordinator),
        // A table's page is for those at the table and the partnership's coordinators; its chair and
        // the coordinators edit it and its members.
        "/overleggen/{id}" => allow(matches!(actor, Chair | MinuteTaker | Coordinator)),
        "/overleggen/{id}/bewerken"
        | "/overleggen/{id}/leden"
        | "/overleggen/{id}/leden/{member}/verwijderen" => {
            allow(matches!(actor, Chair | Coordinator))
        }
        "/overleggen/{id}/bijeenkomsten/nieuw" | "/overleggen/{id}/bijeenkomsten" => {
            allow(actor == Chair)
        }
        "/overleggen/{id}/{file:actielijst\\.(pdf|xlsx|csv)}" => allow(r.lead),
        // The top 3 of an item: read by those who see the item (in the closed meeting); given for the
        // next meeting by those who take part in the item (its director and those involved, not the
        // chair or minute-taker for that alone), merged by the director and by the chair while the
        // meeting runs (the chair has started the next one by the time these are sent).
        "/bijeenkomsten/{id}/punten/{item}/top3"
        | "/bijeenkomsten/{id}/punten/{item}/top3/versies/{version}"
            if get =>
        {
            allow(r.lead || r.invited || r.director || r.involved)
        }
        "/bijeenkomsten/{id}/punten/{item}/top3" => allow(r.director || r.involved),
        "/bijeenkomsten/{id}/punten/{item}/top3/analyse" => allow(r.director || actor == Chair),
        _ => return expect_in_meetings_portal_and_api(route, actor, r),
    };
    Some(e)
}

/// `expect` for the routes of referrals, meetings, actions, the family portal and the partner API.
fn expect_in_meetings_portal_and_api(route: &str, actor: Actor, r: Rel) -> Option<Expect> {
    let e = match route {
        // Asking to be involved: only the one who asks reads and sends their request.
        "/betrokkenheidsverzoeken/{id}" => allow(actor == Outsider),
        // Referrals.
        "/aanmeldingen/{id}" => allow(r.director || r.involved || r.lead),
        // The matrix's referrals are no crisis: the chair is told a spoedoverleg is not possible (409).
        "/aanmeldingen/{id}/antwoord" | "/aanmeldingen/{id}/spoedoverleg" => allow(actor == Chair),
        // Only the referrer adds information (here the director referred the family; the matrix's
        // referral is scheduled, so the referrer is told there is no question: 409).
        "/aanmeldingen/{id}/aanvullen" => allow(r.director),
        // Meetings: reading the closed one, writing the next one (both have both families).
        "/bijeenkomsten/{id}"
        | "/bijeenkomsten/{id}/besluitenlijst.pdf"
        | "/bijeenkomsten/{id}/agenda.ics"
        | "/bijeenkomsten/{id}/{file:actielijst\\.(pdf|xlsx|csv)}"
        | "/bijeenkomsten/{id}/live" => allow(participant(actor)),
        "/bijeenkomsten/{id}/punten/{item}" => {
            allow(r.lead || r.invited || r.director || r.involved)
        }
        "/bijeenkomsten/{id}/versturen" => allow(actor == Chair),
        "/bijeenkomsten/{id}/punten/{item}/notulen-delen" => allow(r.director),
        "/bijeenkomsten/{id}/punten"
        | "/bijeenkomsten/{id}/aanwezigheid"
        | "/bijeenkomsten/{id}/aanwezigheid/iedereen"
        | "/bijeenkomsten/{id}/punten/{item}/notulen"
        | "/bijeenkomsten/{id}/punten/{item}/besluiten"
        | "/bijeenkomsten/{id}/punten/{item}/acties" => allow(r_lead(actor)),
        // Inviting the family to its own item: the chair sends, the family's director asks the chair.
        "/bijeenkomsten/{id}/punten/{item}/gezin-uitnodigen" => allow(actor == Chair || r.director),
        r if r.starts_with("/bijeenkomsten/{id}") => allow(actor == Chair),
        // Actions.
        "/acties/{id}" => allow(r.owner || r.lead || r.director || r.involved),
        // Only the owner reports an action done or cancelled.
        "/acties/{id}/afronden" => allow(r.owner),
        // The chair of the action's table and the family's director hand it over (its owner left);
        // never its owner for that alone, the minute-taker, an admin or the family.
        "/acties/{id}/overdragen" => allow(actor == Chair || r.director),
        // A request to the Raad: read by whoever sees the family, answered only by the Raad's own
        // professionals (none of the actors works at the Raad).
        "/verzoeken-onderzoek/{id}" => allow(actor.is_professional() && r.views()),
        "/verzoeken-onderzoek/{id}/antwoord" => Refused,
        // The family portal.
        "/portaal"
        | "/portaal/inzage"
        | "/portaal/veiligheidsschaal"
        | "/portaal/correctie"
        | "/portaal/inzageverzoek"
        | "/portaal/herstelplan/toestemming" => allow(actor.is_family()),
        "/portaal/punten/{item}/inbreng" | "/portaal/punten/{item}/top3" => allow(r.member),
        // The family's own room: the member the chair invited for the item (each mother is, for her
        // own family's item of the next meeting), nobody else.
        "/portaal/punten/{item}/overleg"
        | "/portaal/punten/{item}/overleg/inbreng"
        | "/portaal/punten/{item}/overleg/live" => allow(r.member),
        // The room behind a one-time link: the secret in the address is the key (the matrix knows
        // none; tests/it/family_room.rs opens it with the mailed one, on its day and item only).
        "/gast/{item}/{token}" | "/gast/{item}/{token}/inbreng" | "/gast/{item}/{token}/live" => {
            Answered
        }
        // The partner API.
        "/api/v1/openapi.json" => Allowed,
        "/api/v1/events"
        | "/api/v1/casusoverleg"
        | "/api/v1/besluit"
        | "/api/v1/actie"
        | "/api/v1/zaak"
        | "/api/v1/uitkomsten-overleg/query" => allow(actor.is_token()),
        "/api/v1/events/{id}"
        | "/api/v1/casusoverleg/{id}"
        | "/api/v1/besluit/{id}"
        | "/api/v1/actie/{id}"
        | "/api/v1/zaak/{id}" => allow(r.party),
        // Only a key of the Raad's organisation the request is addressed to reads it.
        "/api/v1/verzoeken-onderzoek/{id}" => Refused,
        // Complaints: a member files one and reads their own; who is involved with their family.
        "/portaal/klachten" | "/portaal/betrokkenen" => allow(actor.is_family()),
        // A complaint is read and answered by the chair of its table and the partnership's
        // coordinators only: not the director, the minute-taker or an admin (it may be about them).
        "/klachten/{id}" | "/klachten/{id}/antwoord" | "/klachten/{id}/doorsturen" => {
            allow(matches!(actor, Chair | Coordinator))
        }
        _ => return None,
    };
    Some(e)
}

/// May `actor` use `route` with this family's ids?
pub fn allowed(method: &str, route: &str, actor: Actor) -> bool {
    expect(method, route, actor, true) == Some(Allowed)
}

fn r_director(actor: Actor, here: bool) -> bool {
    actor == Director && here
}

/// Takes part in the closed meeting: invited for an item, leading the table, or working with a family on
/// its agenda (they are invited when the family is put on it).
fn participant(actor: Actor) -> bool {
    matches!(actor, Chair | MinuteTaker | Invited | Director | Involved)
}

fn r_lead(actor: Actor) -> bool {
    matches!(actor, Chair | MinuteTaker)
}
