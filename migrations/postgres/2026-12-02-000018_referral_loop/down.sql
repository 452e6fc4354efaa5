ALTER TABLE table_kinds DROP COLUMN answer_days_regular;
ALTER TABLE table_kinds DROP COLUMN answer_days_urgent;
ALTER TABLE table_kinds DROP COLUMN answer_hours_crisis;
DROP TABLE referral_additions;
ALTER TABLE referrals DROP COLUMN late_notified_at;
ALTER TABLE referrals DROP COLUMN returned_at;
ALTER TABLE referrals DROP COLUMN discussed_at;
ALTER TABLE referrals DROP COLUMN scheduled_at;
ALTER TABLE referrals DROP COLUMN answered_at;
