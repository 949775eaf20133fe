ALTER TABLE operations DROP COLUMN traceparent;
