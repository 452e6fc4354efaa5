ALTER TABLE item_invitees DROP COLUMN outside_reason;
ALTER TABLE referrals DROP COLUMN outside_reason;
