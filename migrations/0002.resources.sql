-- SECA resources, the SECA <-> Hetzner id mapping, and the durable operation queue.
-- depends: 0001.tenancy

CREATE TABLE resources (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant           text NOT NULL,
    workspace        text NOT NULL DEFAULT '',   -- '' for tenant-scoped kinds (images, roles, workspaces)
    parent           text NOT NULL DEFAULT '',   -- e.g. the network of a subnet or route table
    region           text NOT NULL DEFAULT '',   -- '' for global kinds (roles, role assignments)
    api              text NOT NULL,              -- seca.compute, seca.storage, ...
    kind             text NOT NULL,              -- instance, block-storage, ... (metadata.kind)
    name             text NOT NULL,
    labels           jsonb NOT NULL DEFAULT '{}',
    annotations      jsonb NOT NULL DEFAULT '{}',
    extensions       jsonb NOT NULL DEFAULT '{}',
    spec             jsonb NOT NULL DEFAULT '{}',
    status           jsonb NOT NULL DEFAULT '{}',
    state            text NOT NULL DEFAULT 'pending',
    resource_version bigint NOT NULL DEFAULT 1,
    created_at       timestamptz NOT NULL DEFAULT now(),
    last_modified_at timestamptz NOT NULL DEFAULT now(),
    deleted_at       timestamptz,                -- marked for deletion (state deleting)
    purged_at        timestamptz                 -- gone on Hetzner too; kept as a tombstone for deleted=true lists
);
CREATE UNIQUE INDEX resources_identity ON resources (tenant, workspace, parent, kind, name)
    WHERE purged_at IS NULL;
CREATE INDEX resources_listing ON resources (tenant, workspace, parent, kind, name);
CREATE INDEX resources_labels ON resources USING gin (labels);

CREATE TABLE hetzner_objects (
    resource_id  uuid NOT NULL REFERENCES resources (id) ON DELETE CASCADE,
    role         text NOT NULL,              -- server, volume, ssh_key, snapshot, placement_group, ...
    hetzner_type text NOT NULL,
    hetzner_id   bigint NOT NULL,
    project      text NOT NULL DEFAULT '',   -- which Hetzner project (credential fingerprint)
    PRIMARY KEY (resource_id, role, hetzner_id)
);
CREATE INDEX hetzner_objects_lookup ON hetzner_objects (project, hetzner_type, hetzner_id);

CREATE TABLE workers (
    id             text PRIMARY KEY,
    started_at     timestamptz NOT NULL DEFAULT now(),
    last_heartbeat timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE operations (
    id          bigserial PRIMARY KEY,
    resource_id uuid NOT NULL REFERENCES resources (id) ON DELETE CASCADE,
    reason      text NOT NULL,               -- spec, delete, start, stop, restart, drift
    status      text NOT NULL DEFAULT 'todo' CHECK (status IN ('todo', 'doing', 'succeeded', 'failed', 'cancelled')),
    attempts    integer NOT NULL DEFAULT 0,
    run_after   timestamptz NOT NULL DEFAULT now(),
    worker_id   text REFERENCES workers (id) ON DELETE SET NULL,
    step        text NOT NULL DEFAULT '',
    action_id   bigint,                      -- the Hetzner action being followed
    op_key      text NOT NULL DEFAULT gen_random_uuid()::text,  -- stable key put on Hetzner objects
    last_error  text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX operations_one_todo ON operations (resource_id, reason) WHERE status = 'todo';
CREATE UNIQUE INDEX operations_one_doing ON operations (resource_id) WHERE status = 'doing';
CREATE INDEX operations_due ON operations (run_after) WHERE status = 'todo';
