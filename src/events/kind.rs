//! Every kind of event Samenspel writes, in one enum: its stored name, its CloudEvents `type` and the text
//! key of its line on the family's timeline. No other file names an event kind as a string (a test in
//! tests/it/layout.rs walks src/ and examples/ for that).

macro_rules! event_kinds {
    ($($(#[$doc:meta])* $variant:ident => $name:literal,)*) => {
        /// What happened. Stored by name in `events.kind`; names never change once written (the hash chain
        /// covers them).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum EventKind {
            $($(#[$doc])* $variant,)*
        }

        impl EventKind {
            /// Every kind, in the order above.
            pub const ALL: &'static [EventKind] = &[$(EventKind::$variant,)*];

            /// The name stored in the event log, e.g. `decision.recorded`.
            pub fn name(self) -> &'static str {
                match self {
                    $(EventKind::$variant => $name,)*
                }
            }
        }
    };
}

event_kinds! {
    FamilyCreated => "family.created",
    FamilyUpdated => "family.updated",
    FamilyClosed => "family.closed",
    FamilyReopened => "family.reopened",
    PersonAdded => "person.added",
    PersonUpdated => "person.updated",
    InvolvementAdded => "involvement.added",
    InvolvementEnded => "involvement.ended",
    FamilyDuplicateRefused => "family.duplicate_refused",
    InvolvementRequested => "involvement.requested",
    InvolvementRequestAccepted => "involvement.request_accepted",
    InvolvementRequestDeclined => "involvement.request_declined",
    DirectorAppointed => "director.appointed",
    PlanSaved => "plan.saved",
    PlanCommented => "plan.commented",
    TableCreated => "table.created",
    TableMemberAdded => "table.member_added",
    TableMemberRemoved => "table.member_removed",
    PartnershipCreated => "partnership.created",
    PartnershipOrganisationAdded => "partnership.organisation_added",
    PartnershipSettingsChanged => "partnership.settings_changed",
    CoordinatorAppointed => "partnership.coordinator_appointed",
    CoordinatorRemoved => "partnership.coordinator_removed",
    ReferralSubmitted => "referral.submitted",
    ReferralAccepted => "referral.accepted",
    ReferralMoreInfo => "referral.more_info",
    ReferralRejected => "referral.rejected",
    ReferralScheduled => "referral.scheduled",
    ReferralDiscussed => "referral.discussed",
    /// The referrer added the information the chair asked for.
    ReferralInformationAdded => "referral.information_added",
    /// The answer deadline passed; the chair and coordinators were told.
    ReferralAnswerLate => "referral.answer_late",
    MeetingPlanned => "meeting.planned",
    AgendaItemAdded => "agenda.item_added",
    AgendaInvited => "agenda.invited",
    /// The chair withdrew someone's invitation for one item.
    AgendaInvitationWithdrawn => "agenda.invitation_withdrawn",
    AgendaPublished => "agenda.published",
    AgendaChanged => "agenda.changed",
    MeetingStarted => "meeting.started",
    MeetingItemCurrent => "meeting.item_current",
    MeetingItemClosed => "meeting.item_closed",
    /// The chair took back the closing of an item while the meeting runs.
    MeetingItemReopened => "meeting.item_reopened",
    MeetingDiscussed => "meeting.discussed",
    /// A family item without a decision moved to a next meeting when its meeting closed.
    MeetingItemMoved => "meeting.item_moved",
    /// A family item without a decision taken off the agenda; its referral waits for a new date.
    MeetingItemPostponed => "meeting.item_postponed",
    /// A family item without a decision closed without discussion, with the reason.
    MeetingItemEnded => "meeting.item_ended",
    MeetingClosed => "meeting.closed",
    MeetingAttendance => "meeting.attendance",
    /// Everyone not yet marked was marked present at once.
    MeetingAllPresent => "meeting.all_present",
    MinutesSaved => "minutes.saved",
    MinutesShared => "minutes.shared",
    DecisionRecorded => "decision.recorded",
    DecisionCorrected => "decision.corrected",
    ActionCreated => "action.created",
    ActionDone => "action.done",
    ActionCancelled => "action.cancelled",
    /// The chair or the family's director gave an open action to someone else (its owner left).
    ActionReassigned => "action.reassigned",
    PhaseChanged => "phase.changed",
    SafetyPlanSaved => "safety_plan.saved",
    CarePlanSaved => "care_plan.saved",
    RecoveryPlanSaved => "recovery_plan.saved",
    SafetyScoreRecorded => "safety_score.recorded",
    ExportDownloaded => "export.downloaded",
    ExportSent => "export.sent",
    PortalInvited => "portal.invited",
    PortalWithheld => "portal.withheld",
    PortalReleased => "portal.released",
    PortalRevoked => "portal.revoked",
    PortalRestored => "portal.restored",
    PortalNamesShown => "portal.names_shown",
    PortalNamesHidden => "portal.names_hidden",
    RecoveryConsentGiven => "recovery.consent_given",
    RecoveryConsentWithdrawn => "recovery.consent_withdrawn",
    FamilyViewSaved => "family_view.saved",
    CorrectionRequested => "correction.requested",
    CorrectionAnswered => "correction.answered",
    /// An admin changed a staff account's name or role.
    UserUpdated => "user.updated",
    /// An admin switched a staff account off: it cannot log in, its sessions ended.
    UserDeactivated => "user.deactivated",
    /// An admin switched a staff account on again.
    UserActivated => "user.activated",
    /// A user set up a second factor (or replaced theirs) with its first code.
    UserSecondFactorEnrolled => "user.second_factor_enrolled",
    /// A user removed their own second factor.
    UserSecondFactorRemoved => "user.second_factor_removed",
    /// An admin reset a colleague's second factor: its sessions ended, a new one at the next login.
    UserSecondFactorReset => "user.second_factor_reset",
    /// A user made new recovery codes; the earlier ones stopped working.
    UserRecoveryCodesRenewed => "user.recovery_codes_renewed",
    /// An organisation admin set whether the organisation's staff need a second factor.
    OrganisationSecondFactorRule => "organisation.second_factor_rule",
    /// Samen onder Handbereik: a meeting outcome made available to the parties.
    OutcomePublished => "outcome.published",
    /// Samen onder Handbereik: a partner read an outcome through the inzage API.
    OutcomeRead => "outcome.read",
    /// A coordinator approved an organisation's API key: from now on it reads.
    ApiTokenApproved => "api_token.approved",
    /// A professional attached a document to the family's record or to one of its agenda items.
    DocumentAdded => "document.added",
    /// A measure for a child was recorded (an OTS, a placement order, a restraining order, ...).
    MeasureRecorded => "measure.recorded",
    /// A measure ended; it stays in the history.
    MeasureEnded => "measure.ended",
    /// A table asked the Raad voor de Kinderbescherming to investigate (the request and its action).
    BoardRequestSubmitted => "board_request.submitted",
    /// The Raad answered a request: started an investigation, or not (with the reason).
    BoardRequestAnswered => "board_request.answered",
    /// An organisation admin set the organisation's identity provider (single sign-on).
    SignOnSet => "organisation.sign_on_set",
    /// An organisation admin removed it: its people log in with their password again.
    SignOnRemoved => "organisation.sign_on_removed",
    /// An account logged in at its organisation's provider for the first time: its subject is linked.
    SignOnLinked => "user.sign_on_linked",
    /// The director requires DigiD for the family's members: the email link no longer logs them in.
    DigidRequired => "family.digid_required",
    /// The director no longer requires DigiD for the family.
    DigidOptional => "family.digid_optional",
    /// A DigiD login for a family account was refused: the BSN did not match the member's.
    DigidRefused => "portal.digid_refused",
    /// The Raad read a request through the partner API (`GET /api/v1/verzoeken-onderzoek/{id}`).
    BoardRequestRead => "board_request.read",
    /// A participant (a professional, or a family member in the portal) gave their top 3 of concerns
    /// and strengths for an agenda item.
    Top3Given => "top3.given",
    /// The director or the chair saved a version of the item's merged top 3 with its analysis.
    Top3Merged => "top3.merged",
    /// A decision's outcome put the family in aftercare: who checks in, and when.
    AftercareStarted => "aftercare.started",
    /// The check-in of the aftercare moved (another date, or someone else checks in).
    AftercareCheckinMoved => "aftercare.checkin_moved",
    /// The aftercare ended with its evaluation: closing the record, or back to a table.
    AftercareEvaluated => "aftercare.evaluated",
    /// The end of the retention period: the family's personal data was removed; what happened and when
    /// stays, as anonymous figures. The tombstone of the record.
    FamilyErased => "family.erased",
    /// A family member asked for their data (GDPR art. 15).
    DataRequested => "data_request.submitted",
    /// The director produced the export for a member's request.
    DataRequestProduced => "data_request.produced",
    /// A coordinator wrote the story behind the monitor's numbers for a period of the partnership.
    MonitorNoteWritten => "monitor.note_written",
    /// A family member filed a complaint, or an objection to a decision, in the portal.
    ComplaintFiled => "complaint.filed",
    /// The automatic acknowledgement of a complaint: received, routed, and by when it is answered.
    ComplaintAcknowledged => "complaint.acknowledged",
    /// The chair or a coordinator answered a complaint; the family reads the answer in the portal.
    ComplaintAnswered => "complaint.answered",
    /// A coordinator changed how many weeks the partnership gives itself to answer complaints.
    ComplaintTermChanged => "partnership.complaint_term_changed",
    /// The chair or a coordinator sent a complaint on to another table of the partnership.
    ComplaintForwarded => "complaint.forwarded",
    /// The chair invited a family member, someone of the family's network, a cliëntondersteuner or an
    /// ervaringsdeskundige to the family's own item.
    FamilyRoomInvited => "family_room.invited",
    /// Someone invited to the family's item came into its room (their attendance).
    FamilyRoomJoined => "family_room.joined",
    /// Someone invited without a portal account typed their view in the room.
    FamilyRoomViewGiven => "family_room.view_given",
    /// The family's director asked the chair to invite someone of the family to the family's item.
    FamilyRoomRequested => "family_room.requested",
    /// The director kept one decision, action, plan section or minutes from a named member.
    PortalItemKept => "portal.item_kept",
    /// The director shared one thing with a member who would not see it otherwise.
    PortalItemShared => "portal.item_shared",
    /// The director took back the choice to keep or share one thing with a member.
    PortalItemRuleEnded => "portal.item_rule_ended",
    /// A thing was marked as concerning one member's health or treatment.
    PortalItemConcerns => "portal.item_concerns",
    /// The health mark of a thing was taken away.
    PortalItemConcernsEnded => "portal.item_concerns_ended",
    /// A member was marked "deelt niet standaard mee".
    PortalNotByDefault => "portal.not_by_default",
    /// The mark "deelt niet standaard mee" of a member ended.
    PortalByDefault => "portal.by_default",
}

impl EventKind {
    /// The kind stored under `name`, if Samenspel writes it.
    pub fn parse(name: &str) -> Option<EventKind> {
        EventKind::ALL.iter().copied().find(|k| k.name() == name)
    }

    /// The area the kind belongs to: the part of its name before the dot (`agenda`, `meeting`, ...).
    pub fn area(self) -> &'static str {
        self.name().split('.').next().unwrap_or_default()
    }

    /// The CloudEvents `type`: Samen onder Handbereik's own types for the outcome exchange, otherwise
    /// `nl.samenspel.<name>`.
    pub fn cloud_type(self) -> String {
        match self {
            EventKind::OutcomePublished => {
                "uitwisselen-uitkomst-overleg.uitkomst-beschikbaar-gesteld".into()
            }
            EventKind::OutcomeRead => "uitwisselen-uitkomst-overleg.uitkomst-ingezien".into(),
            other => format!("nl.samenspel.{}", other.name()),
        }
    }

    /// The text key of the event's line on the timeline (locales/app.yml).
    pub fn text_key(self) -> String {
        format!("event.{}", self.name())
    }

    /// A partner organisation's reading through the API (shown in the access log, not on the timeline;
    /// never sent back to the organisation that read).
    pub fn is_reading(self) -> bool {
        matches!(self, EventKind::OutcomeRead | EventKind::BoardRequestRead)
    }

    /// The events about a request to the Raad that the Raad's organisation hears of.
    pub const BOARD_REQUEST: [EventKind; 2] = [
        EventKind::BoardRequestSubmitted,
        EventKind::BoardRequestAnswered,
    ];

    /// Whether the event changes what a meeting's agenda or state looks like to its participants.
    pub fn changes_meeting_state(self) -> bool {
        matches!(self.area(), "meeting" | "agenda")
    }

    /// Who is present changed: the live room draws the attendance list.
    pub fn is_attendance(self) -> bool {
        matches!(
            self,
            EventKind::MeetingAttendance | EventKind::MeetingAllPresent
        )
    }

    /// Whether the live room draws the meeting's status and agenda again after this event (the
    /// attendance events draw the attendance list instead).
    pub fn redraws_meeting(self) -> bool {
        self.changes_meeting_state() && !self.is_attendance()
    }
}

impl std::fmt::Display for EventKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_a_unique_name_that_parses_back() {
        let mut names: Vec<&str> = EventKind::ALL.iter().map(|k| k.name()).collect();
        for k in EventKind::ALL {
            assert_eq!(EventKind::parse(k.name()), Some(*k));
            assert!(k.name().contains('.'), "{k:?}");
        }
        names.sort();
        names.dedup();
        assert_eq!(names.len(), EventKind::ALL.len(), "a name used twice");
        assert_eq!(EventKind::parse("Decision.Recorded"), None);
    }

    #[test]
    fn every_kind_has_its_timeline_text() {
        for k in EventKind::ALL {
            for locale in [crate::i18n::Locale::Nl, crate::i18n::Locale::En] {
                let text = crate::i18n::I18n::new(locale).t(&k.text_key());
                assert_ne!(text, k.text_key(), "{k:?} has no text ({locale:?})");
            }
        }
    }

    #[test]
    fn the_outcome_exchange_uses_the_specifications_types() {
        assert_eq!(
            EventKind::OutcomePublished.cloud_type(),
            "uitwisselen-uitkomst-overleg.uitkomst-beschikbaar-gesteld"
        );
        assert_eq!(
            EventKind::OutcomeRead.cloud_type(),
            "uitwisselen-uitkomst-overleg.uitkomst-ingezien"
        );
        assert_eq!(
            EventKind::MeetingClosed.cloud_type(),
            "nl.samenspel.meeting.closed"
        );
    }
}
