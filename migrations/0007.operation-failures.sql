-- Count an operation's failures apart from its runs: a step that waits for a Hetzner action runs many
-- times without failing, and only failures may grow the retry delay or end the operation.
-- depends: 0004.typed-records

ALTER TABLE operations ADD COLUMN failures integer NOT NULL DEFAULT 0;
