DROP TABLE involvement_requests;
DROP INDEX persons_date_of_birth;
DROP INDEX persons_bsn;
