-- Every API token speaks for a subject (what role assignments name in `subs`). Tokens issued before
-- role-based access control speak for the subject `admin`; `secapi-hetzner tenants bootstrap-admin`
-- gives that subject the tenant's admin role (the upgrade note in the README).
-- depends: 0009.fair-claims

ALTER TABLE api_tokens ADD COLUMN subject text NOT NULL DEFAULT 'admin';
