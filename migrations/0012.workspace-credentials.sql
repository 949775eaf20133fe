-- A workspace may use its own Hetzner project (strong isolation): its token, Fernet-encrypted like the
-- tenants' ones. credential_changes counts every change of any stored Hetzner token, so that every
-- process drops what it cached within a second of a rotation.
-- depends: 0011.audit-log

CREATE TABLE workspace_credentials (
    tenant            text NOT NULL,
    workspace         text NOT NULL,
    hetzner_token_enc bytea NOT NULL,
    updated_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant, workspace)
);

CREATE TABLE credential_changes (
    id         integer PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    generation bigint NOT NULL DEFAULT 0
);
INSERT INTO credential_changes (id, generation) VALUES (1, 0);
