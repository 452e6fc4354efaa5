//! Who reads which monitor, who writes the story behind its numbers, and who opens the list of
//! families behind a figure.

use super::Actor;
use crate::domain::family::Relation;
use crate::domain::user::Role;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MonitorAction {
    /// The partnership's monitor: its coordinators.
    ViewPartnership,
    /// A table's monitor: its chair and the partnership's coordinators.
    ViewTable,
    /// An organisation's monitor: its own organisation admin.
    ViewOrganisation,
    /// The story behind the numbers of a period: the partnership's coordinators.
    WriteNote,
}

impl MonitorAction {
    pub const ALL: [MonitorAction; 4] = [
        MonitorAction::ViewPartnership,
        MonitorAction::ViewTable,
        MonitorAction::ViewOrganisation,
        MonitorAction::WriteNote,
    ];
}

/// How the user stands to the monitor asked for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MonitorStanding {
    /// Coordinates the partnership (of the table).
    pub coordinator: bool,
    /// Chairs the table.
    pub chair: bool,
    /// The organisation is the user's own.
    pub own_organisation: bool,
}

pub fn allows_monitor(actor: Actor, standing: MonitorStanding, action: MonitorAction) -> bool {
    if actor.role == Role::Family {
        return false;
    }
    match action {
        MonitorAction::ViewPartnership | MonitorAction::WriteNote => standing.coordinator,
        MonitorAction::ViewTable => standing.coordinator || standing.chair,
        MonitorAction::ViewOrganisation => {
            actor.role == Role::OrgAdmin && standing.own_organisation
        }
    }
}

/// Whether a family shows in the list behind a figure: only to someone who may see the family itself
/// (the same relation that opens its record). Everyone else sees the figure alone.
pub fn lists_family(relation: Relation) -> bool {
    relation.any()
}

#[cfg(test)]
mod tests {
    use super::*;
    use MonitorAction::*;

    fn actor(role: Role) -> Actor {
        Actor {
            role,
            organisation_id: Some(1),
        }
    }

    #[test]
    fn who_reads_which_monitor() {
        let coordinator = MonitorStanding {
            coordinator: true,
            ..Default::default()
        };
        let chair = MonitorStanding {
            chair: true,
            ..Default::default()
        };
        let own = MonitorStanding {
            own_organisation: true,
            ..Default::default()
        };
        let none = MonitorStanding::default();
        let cases = [
            (Role::Professional, coordinator, [true, true, false, true]),
            (Role::Professional, chair, [false, true, false, false]),
            (Role::Professional, own, [false, false, false, false]),
            (Role::OrgAdmin, own, [false, false, true, false]),
            (Role::OrgAdmin, none, [false, false, false, false]),
            (Role::SystemAdmin, none, [false, false, false, false]),
            (Role::Family, coordinator, [false, false, false, false]),
        ];
        for (role, standing, expected) in cases {
            for (action, allowed) in MonitorAction::ALL.iter().zip(expected) {
                assert_eq!(
                    allows_monitor(actor(role), standing, *action),
                    allowed,
                    "{role:?} {standing:?} {action:?}"
                );
            }
        }
        assert!(!allows_monitor(actor(Role::Professional), none, ViewTable));
    }

    #[test]
    fn only_someone_who_may_see_a_family_finds_it_in_a_list() {
        assert!(!lists_family(Relation::default()));
        let involved = Relation {
            involved: true,
            ..Default::default()
        };
        assert!(lists_family(involved));
        let steward = Relation {
            steward: true,
            ..Default::default()
        };
        assert!(
            !lists_family(steward),
            "a steward appoints, it does not read"
        );
    }
}
