-- Tenants and their API credentials.
-- depends:

CREATE TABLE tenants (
    name              text PRIMARY KEY,
    -- the tenant's Hetzner API token, encrypted with the service key (never stored in clear)
    hetzner_token_enc bytea,
    created_at        timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE api_tokens (
    -- sha256 of the bearer token; the clear token is shown once and never stored
    token_hash text PRIMARY KEY,
    tenant     text NOT NULL,
    label      text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz
);
CREATE INDEX api_tokens_tenant ON api_tokens (tenant);
