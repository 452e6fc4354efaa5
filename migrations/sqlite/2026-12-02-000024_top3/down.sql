DROP TABLE top3_analyses;
DROP TABLE top3_entries;
