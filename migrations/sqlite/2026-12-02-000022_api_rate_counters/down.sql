DROP TABLE api_rate_counters;
