-- ping --
-- Readiness probe.
SELECT 1 AS ok;

-- find_token --
-- The tenant a hashed bearer token belongs to.
SELECT tenant FROM api_tokens WHERE token_hash = %(token_hash)s AND revoked_at IS NULL;

-- all_tokens --
-- Every live token hash with its tenant (the in-process token cache).
SELECT token_hash, tenant FROM api_tokens WHERE revoked_at IS NULL;

-- insert_token --
-- Store a new token, hashed; the clear token is never stored.
INSERT INTO api_tokens (token_hash, tenant, label) VALUES (%(token_hash)s, %(tenant)s, %(label)s);

-- revoke_tokens_by_label --
-- Revoke a tenant's tokens with a given label (make run rotates its dev token this way).
UPDATE api_tokens SET revoked_at = now()
 WHERE tenant = %(tenant)s AND label = %(label)s AND revoked_at IS NULL;

-- ensure_tenant --
-- Register a tenant if it is new.
INSERT INTO tenants (name) VALUES (%(tenant)s) ON CONFLICT (name) DO NOTHING;
