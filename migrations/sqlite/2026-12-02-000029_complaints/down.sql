DROP TABLE complaint_terms;
DROP TABLE complaints;
