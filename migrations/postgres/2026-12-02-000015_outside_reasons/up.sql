-- A referral to a table of another partnership than the family's, and an invitation for a family's item
-- of someone from outside the table's partnership, each need a written reason: kept with the referral or
-- invitation, shown to the family's director and in the access log.
ALTER TABLE referrals ADD COLUMN outside_reason TEXT;
ALTER TABLE item_invitees ADD COLUMN outside_reason TEXT;
