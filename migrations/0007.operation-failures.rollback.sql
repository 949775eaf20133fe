ALTER TABLE operations DROP COLUMN failures;
