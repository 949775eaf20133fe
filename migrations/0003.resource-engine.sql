-- Resource engine: echo user maps exactly (absent stays absent), hidden engine bookkeeping,
-- page cursors (skipToken is at most 5 characters), and the SECA <-> Hetzner mapping per operation.
-- depends: 0002.resources

ALTER TABLE resources ALTER COLUMN labels DROP NOT NULL, ALTER COLUMN labels DROP DEFAULT;
ALTER TABLE resources ALTER COLUMN annotations DROP NOT NULL, ALTER COLUMN annotations DROP DEFAULT;
ALTER TABLE resources ALTER COLUMN extensions DROP NOT NULL, ALTER COLUMN extensions DROP DEFAULT;
-- engine bookkeeping never shown to clients: power intent, Hetzner ids, placement decisions
ALTER TABLE resources ADD COLUMN internal jsonb NOT NULL DEFAULT '{}';
-- when the drift reconciler last compared the resource with its Hetzner objects
ALTER TABLE resources ADD COLUMN observed_at timestamptz;

CREATE TABLE page_cursors (
    token      text PRIMARY KEY,             -- at most 5 characters, random
    tenant     text NOT NULL,
    scope      text NOT NULL,                -- the list it belongs to (kind, workspace, parent, filters)
    after_name text NOT NULL,                -- keyset: the last name of the previous page
    expires_at timestamptz NOT NULL
);
CREATE INDEX page_cursors_expiry ON page_cursors (expires_at);
