-- Whose turn it is: when work waits (workers busy, or the Hetzner request budget spent), the next
-- operation claimed belongs to the tenant served longest ago, and within it to the workspace served
-- longest ago, so one busy tenant or workspace cannot starve the others of a shared Hetzner project.
-- workspace '' holds the tenant's own turn.
-- depends: 0007.operation-failures

CREATE TABLE claim_turns (
    tenant     text NOT NULL,
    workspace  text NOT NULL,
    last_claim timestamptz NOT NULL,
    PRIMARY KEY (tenant, workspace)
);
