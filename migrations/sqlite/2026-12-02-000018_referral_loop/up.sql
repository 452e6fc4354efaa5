-- The referral loop: the times a referral passes through (submitted is created_at), the information a
-- referrer adds when the chair asks for more, and the answer deadlines per urgency of a table kind.
-- `returned_at`: when the referrer last added information (the referral is back with the chair).
-- `late_notified_at`: when the chair and coordinators were told the answer is late (once per turn).
ALTER TABLE referrals ADD COLUMN answered_at TIMESTAMP;
ALTER TABLE referrals ADD COLUMN scheduled_at TIMESTAMP;
ALTER TABLE referrals ADD COLUMN discussed_at TIMESTAMP;
ALTER TABLE referrals ADD COLUMN returned_at TIMESTAMP;
ALTER TABLE referrals ADD COLUMN late_notified_at TIMESTAMP;

CREATE TABLE referral_additions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    referral_id BIGINT NOT NULL REFERENCES referrals (id),
    user_id BIGINT NOT NULL REFERENCES users (id),
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX referral_additions_referral ON referral_additions (referral_id);

-- Answer deadlines: crisis in hours (the clock does not stop at night), spoed and regulier in working
-- days (Monday to Friday without Dutch public holidays).
ALTER TABLE table_kinds ADD COLUMN answer_hours_crisis INTEGER NOT NULL DEFAULT 4 CHECK (answer_hours_crisis > 0);
ALTER TABLE table_kinds ADD COLUMN answer_days_urgent INTEGER NOT NULL DEFAULT 1 CHECK (answer_days_urgent > 0);
ALTER TABLE table_kinds ADD COLUMN answer_days_regular INTEGER NOT NULL DEFAULT 5 CHECK (answer_days_regular > 0);
