DROP TABLE login_counters;
