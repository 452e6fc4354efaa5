//! The family at the table: invitations of the family and their network to their own item.

diesel::table! {
    family_room_invites (id) {
        id -> BigInt,
        meeting_id -> BigInt,
        agenda_item_id -> BigInt,
        family_id -> BigInt,
        kind -> Text,
        name -> Text,
        email -> Text,
        person_id -> Nullable<BigInt>,
        user_id -> Nullable<BigInt>,
        part -> Text,
        token_hash -> Nullable<Text>,
        valid_on -> Date,
        view_body -> Text,
        joined_at -> Nullable<Timestamp>,
        invited_by_user_id -> BigInt,
        approved_by_user_id -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}
