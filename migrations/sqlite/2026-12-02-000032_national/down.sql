DROP INDEX directorships_family;
DROP INDEX involvements_family;
DROP INDEX referrals_referred_by;
