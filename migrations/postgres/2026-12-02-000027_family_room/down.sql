DROP TABLE family_room_invites;
