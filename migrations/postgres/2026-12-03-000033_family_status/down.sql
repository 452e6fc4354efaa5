DROP INDEX families_status;
