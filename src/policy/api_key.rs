//! Who approves an API key's first use: a coordinator of a partnership in which the key's organisation
//! takes part, never someone of that organisation. The organisation admin makes and revokes the keys;
//! the partnership decides whether its organisations' systems read along.

use super::Actor;
use crate::domain::user::Role;

/// The facts about one key waiting for approval, as seen by the actor.
#[derive(Clone, Copy, Debug)]
pub struct KeyFacts {
    /// The organisation the key reads for.
    pub organisation_id: i64,
    /// The actor made the key.
    pub made_by_actor: bool,
    /// The actor coordinates a partnership in which the key's organisation takes part.
    pub coordinates_its_partnership: bool,
}

/// May the actor approve the key? Only a coordinator (a professional or organisation admin) of a
/// partnership the key's organisation takes part in, and never for their own organisation: an
/// organisation does not vouch for its own systems, so an organisation admin who also coordinates still
/// cannot approve the key they (or a colleague) made.
pub fn may_approve_api_key(actor: Actor, key: KeyFacts) -> bool {
    matches!(actor.role, Role::Professional | Role::OrgAdmin)
        && key.coordinates_its_partnership
        && !key.made_by_actor
        && actor.organisation_id != Some(key.organisation_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEYS_ORG: i64 = 1;
    const OTHER_ORG: i64 = 2;

    fn actor(role: Role, organisation_id: Option<i64>) -> Actor {
        Actor {
            role,
            organisation_id,
        }
    }

    fn key(made_by_actor: bool, coordinates_its_partnership: bool) -> KeyFacts {
        KeyFacts {
            organisation_id: KEYS_ORG,
            made_by_actor,
            coordinates_its_partnership,
        }
    }

    #[test]
    fn only_a_coordinator_of_the_keys_partnership_from_another_organisation_approves() {
        use Role::{Family, OrgAdmin, Professional, SystemAdmin};
        // (who, their organisation, made the key, coordinates a partnership of the key's
        // organisation, may approve)
        let cases: [(Role, Option<i64>, bool, bool, bool); 13] = [
            // The coordinator of the partnership, from another organisation.
            (Professional, Some(OTHER_ORG), false, true, true),
            (OrgAdmin, Some(OTHER_ORG), false, true, true),
            // A coordinator of another partnership only.
            (Professional, Some(OTHER_ORG), false, false, false),
            (OrgAdmin, Some(OTHER_ORG), false, false, false),
            // The key's own organisation admin, who made it: also when they coordinate.
            (OrgAdmin, Some(KEYS_ORG), true, false, false),
            (OrgAdmin, Some(KEYS_ORG), true, true, false),
            // A fellow admin or a professional of the key's organisation who coordinates.
            (OrgAdmin, Some(KEYS_ORG), false, true, false),
            (Professional, Some(KEYS_ORG), false, true, false),
            // A professional who coordinates nothing.
            (Professional, Some(OTHER_ORG), false, false, false),
            (Professional, Some(KEYS_ORG), false, false, false),
            // Never a system admin or a family account, whatever the facts say.
            (SystemAdmin, None, false, true, false),
            (SystemAdmin, None, false, false, false),
            (Family, None, false, true, false),
        ];
        for (role, organisation, made, coordinates, expected) in cases {
            assert_eq!(
                may_approve_api_key(actor(role, organisation), key(made, coordinates)),
                expected,
                "{role:?} of {organisation:?}, made it: {made}, coordinates: {coordinates}"
            );
        }
    }
}
