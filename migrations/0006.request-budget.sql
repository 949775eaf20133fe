-- The Hetzner request budget shared by every process and replica (one token bucket per Hetzner project,
-- keyed by a hash of its token, never the token), and the last drift run per project.
-- depends: 0004.typed-records

CREATE TABLE request_budgets (
    project           text PRIMARY KEY,              -- sha256 fingerprint of the Hetzner token
    capacity          double precision NOT NULL,     -- requests per hour
    refill_per_second double precision NOT NULL,
    tokens            double precision NOT NULL,     -- requests left at `stamp`
    stamp             timestamptz NOT NULL,
    granted           boolean NOT NULL DEFAULT true  -- whether the last take succeeded
);

CREATE TABLE drift_runs (
    project  text PRIMARY KEY,                       -- the same fingerprint
    last_run timestamptz NOT NULL
);
