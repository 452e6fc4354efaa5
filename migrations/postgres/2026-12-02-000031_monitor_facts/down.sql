DROP INDEX phase_plans_review;
DROP TABLE monitor_mark;
DROP TABLE monitor_facts;
