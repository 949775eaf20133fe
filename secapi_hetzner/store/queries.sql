-- ping --
-- Readiness probe.
SELECT 1 AS ok;

-- all_tokens --
-- Every live token hash with its tenant and subject (the in-process token cache).
SELECT token_hash, tenant, subject FROM api_tokens WHERE revoked_at IS NULL;

-- insert_token --
-- Store a new token, hashed; the clear token is never stored.
INSERT INTO api_tokens (token_hash, tenant, label, subject)
VALUES (%(token_hash)s, %(tenant)s, %(label)s, %(subject)s);

-- revoke_tokens_by_label --
-- Revoke a tenant's tokens with a given label (make run rotates its dev token this way).
UPDATE api_tokens SET revoked_at = now()
 WHERE tenant = %(tenant)s AND label = %(label)s AND revoked_at IS NULL;

-- token_generation --
-- Bumped by every change of api_tokens (migration 0008): the token caches reload when it moves.
SELECT generation FROM api_token_generation;

-- list_tokens --
-- API tokens for the operator (`secapi-hetzner tokens list`): never the token or its hash.
SELECT id, tenant, subject, label, created_at, revoked_at FROM api_tokens
 WHERE (%(tenant)s::text IS NULL OR tenant = %(tenant)s) AND (%(all)s OR revoked_at IS NULL)
 ORDER BY id;

-- revoke_token --
-- Revoke one API token by id (`secapi-hetzner tokens revoke`); nothing when unknown or revoked already.
UPDATE api_tokens SET revoked_at = now() WHERE id = %(id)s AND revoked_at IS NULL RETURNING id, tenant, label;

-- ensure_tenant --
-- Register a tenant if it is new.
INSERT INTO tenants (name) VALUES (%(tenant)s) ON CONFLICT (name) DO NOTHING;

-- get_resource --
-- One live (not purged) resource by identity.
SELECT * FROM resources
 WHERE tenant = %(tenant)s AND workspace = %(workspace)s AND parent = %(parent)s AND kind = %(kind)s
   AND name = %(name)s AND purged_at IS NULL;

-- lock_resource --
-- The same, locked for the rest of the transaction.
SELECT * FROM resources
 WHERE tenant = %(tenant)s AND workspace = %(workspace)s AND parent = %(parent)s AND kind = %(kind)s
   AND name = %(name)s AND purged_at IS NULL
   FOR UPDATE;

-- lock_resource_by_id --
-- A resource by id, locked (workers).
SELECT * FROM resources WHERE id = %(id)s FOR UPDATE;

-- get_resource_by_id --
-- A resource by id.
SELECT * FROM resources WHERE id = %(id)s;

-- insert_resource --
-- A new resource.
INSERT INTO resources (tenant, workspace, parent, region, api, kind, name, labels, annotations, extensions,
                       spec, status, state, internal)
VALUES (%(tenant)s, %(workspace)s, %(parent)s, %(region)s, %(api)s, %(kind)s, %(name)s, %(labels)s,
        %(annotations)s, %(extensions)s, %(spec)s, %(status)s, %(state)s, %(internal)s)
RETURNING *;

-- update_resource --
-- Replace what a client or a worker changed; every change bumps the version and the modification time.
UPDATE resources
   SET labels = %(labels)s, annotations = %(annotations)s, extensions = %(extensions)s, spec = %(spec)s,
       status = %(status)s, state = %(state)s, internal = %(internal)s, deleted_at = %(deleted_at)s,
       resource_version = resource_version + 1, last_modified_at = greatest(now(), last_modified_at)
 WHERE id = %(id)s
RETURNING *;

-- purge_resource --
-- The resource is gone on Hetzner too: keep a tombstone for deleted=true|only lists.
UPDATE resources SET purged_at = now(), state = 'deleting' WHERE id = %(id)s;

-- list_resources --
-- One batch of a collection in name order, after a keyset position.
SELECT * FROM resources
 WHERE tenant = %(tenant)s AND workspace = %(workspace)s AND parent = %(parent)s AND kind = %(kind)s
   AND name > %(after)s
   AND (%(deleted)s = 'include'
        OR (%(deleted)s = 'exclude' AND purged_at IS NULL AND deleted_at IS NULL)
        OR (%(deleted)s = 'only' AND (purged_at IS NOT NULL OR deleted_at IS NOT NULL)))
 ORDER BY name, created_at
 LIMIT %(batch)s;

-- stamp_resource --
-- What a read served from memory checks (store/reads.py), for several single GETs at once (one row per
-- asked key, in order; the keys come as one JSON array): whether the parent workspace exists (always true for tenant-scoped kinds), the
-- resource's id and stamp (its row's xmin: every committed write of the row, by any statement, gives it a
-- new one); for a workspace, how many live resources it holds; for a kind whose live status depends on
-- which resources of some kinds exist beside it (a route table's targets), a digest of their names.
-- Each key is looked up on its own (LATERAL with LIMIT 1: no plan may join the keys with the whole table;
-- guessing 100 keys, PostgreSQL hashed every live resource of every tenant to answer one GET).
SELECT k.i, (k.workspace = '' OR EXISTS (
          SELECT 1 FROM resources w
           WHERE w.tenant = k.tenant AND w.workspace = '' AND w.parent = '' AND w.kind = 'workspace'
             AND w.name = k.workspace AND w.purged_at IS NULL)) AS parent_exists,
       r.id, r.stamp,
       CASE WHEN k.children AND r.id IS NOT NULL THEN (
         SELECT count(*) FROM resources c
          WHERE c.tenant = k.tenant AND c.workspace = k.name AND c.purged_at IS NULL AND c.deleted_at IS NULL)
       END AS children,
       CASE WHEN k.targets <> '' THEN (
         SELECT coalesce(md5(string_agg(c.kind || '/' || c.name, ',' ORDER BY c.kind, c.name)), '')
           FROM resources c
          WHERE c.tenant = k.tenant AND c.workspace = k.workspace AND c.parent = ''
            AND c.kind = ANY(string_to_array(k.targets, ',')) AND c.purged_at IS NULL AND c.deleted_at IS NULL)
       END AS targets
  FROM jsonb_to_recordset(%(keys)s::jsonb)
         AS k(i int, tenant text, workspace text, parent text, kind text, name text, children boolean,
              targets text)
  LEFT JOIN LATERAL (
    SELECT f.id::text AS id, f.xmin::text AS stamp FROM resources f
     WHERE f.tenant = k.tenant AND f.workspace = k.workspace AND f.parent = k.parent AND f.kind = k.kind
       AND f.name = k.name AND f.purged_at IS NULL
     LIMIT 1) r ON true
 ORDER BY k.i;

-- stamp_resources --
-- The list_resources batch as stamps only (id, name, xmin; a workspace's live resource count, counted for the
-- whole batch at once; the digest of the targets beside them, as stamp_resource): the rows themselves are read
-- only when this process has not seen that version of them. The counts are one index range for the whole
-- batch, made once (MATERIALIZED, and the names as an array): whatever the table's statistics, no plan may
-- count again per workspace (inlined, on a table not yet analyzed, a prepared plan did: 16 ms for 50
-- workspaces, 260 ms beside 25,000 resources).
WITH batch AS (
    SELECT r.id::text AS id, r.name, r.created_at, r.xmin::text AS stamp FROM resources r
     WHERE r.tenant = %(tenant)s AND r.workspace = %(workspace)s AND r.parent = %(parent)s AND r.kind = %(kind)s
       AND r.name > %(after)s
       AND (%(deleted)s = 'include'
            OR (%(deleted)s = 'exclude' AND r.purged_at IS NULL AND r.deleted_at IS NULL)
            OR (%(deleted)s = 'only' AND (r.purged_at IS NOT NULL OR r.deleted_at IS NOT NULL)))
     ORDER BY r.name, r.created_at
     LIMIT %(batch)s),
counted AS MATERIALIZED (
    SELECT c.workspace, count(*) AS n FROM resources c
     WHERE %(children)s AND c.tenant = %(tenant)s AND c.workspace = ANY(ARRAY(SELECT name FROM batch))
       AND c.purged_at IS NULL AND c.deleted_at IS NULL
     GROUP BY c.workspace),
aimed AS (
    SELECT coalesce(md5(string_agg(c.kind || '/' || c.name, ',' ORDER BY c.kind, c.name)), '') AS digest
      FROM resources c
     WHERE %(targets)s <> '' AND c.tenant = %(tenant)s AND c.workspace = %(workspace)s AND c.parent = ''
       AND c.kind = ANY(string_to_array(%(targets)s, ',')) AND c.purged_at IS NULL AND c.deleted_at IS NULL)
SELECT batch.id, batch.name, batch.stamp,
       CASE WHEN %(children)s THEN coalesce(counted.n, 0) END AS children,
       CASE WHEN %(targets)s <> '' THEN (SELECT digest FROM aimed) END AS targets
  FROM batch LEFT JOIN counted ON counted.workspace = batch.name
 ORDER BY batch.name, batch.created_at;

-- resources_by_ids --
-- Whole rows with their stamps (the versions a read served from memory has not seen yet).
SELECT *, id::text AS text_id, xmin::text AS stamp FROM resources WHERE id = ANY(%(ids)s::uuid[]);

-- count_workspace_children --
-- Resources inside a workspace that are not being deleted (a workspace refuses deletion while any exist).
SELECT count(*) AS n FROM resources
 WHERE tenant = %(tenant)s AND workspace = %(workspace)s AND purged_at IS NULL AND deleted_at IS NULL;

-- find_references --
-- Resources of a kind in a workspace, not being deleted, whose spec mentions a value (delete guards).
SELECT * FROM resources
 WHERE tenant = %(tenant)s AND workspace = %(workspace)s AND kind = %(kind)s AND purged_at IS NULL
   AND deleted_at IS NULL AND spec::text LIKE %(pattern)s;

-- insert_cursor --
-- Remember where the next page of a list starts.
INSERT INTO page_cursors (token, tenant, scope, after_name, expires_at)
VALUES (%(token)s, %(tenant)s, %(scope)s, %(after)s, now() + interval '1 hour')
ON CONFLICT (token) DO NOTHING;

-- get_cursor --
-- A live page cursor.
SELECT * FROM page_cursors WHERE token = %(token)s AND expires_at > now();

-- expire_cursors --
-- Forget old page cursors.
DELETE FROM page_cursors WHERE expires_at <= now();

-- enqueue_operation --
-- Ask the workers to converge a resource; repeats of the same reason coalesce into one todo.
INSERT INTO operations (resource_id, reason, run_after, traceparent)
VALUES (%(resource_id)s, %(reason)s, now(), %(traceparent)s)
ON CONFLICT (resource_id, reason) WHERE status = 'todo' DO NOTHING;

-- notify_operations --
-- Wake the listening workers of every replica (delivered when the enqueuing transaction commits).
SELECT pg_notify('seca_operations', '');

-- cancel_operations --
-- Drop waiting work that a delete makes pointless.
UPDATE operations SET status = 'cancelled', updated_at = now()
 WHERE resource_id = %(resource_id)s AND status = 'todo' AND reason <> 'delete';

-- claim_operation --
-- A due operation of a resource with nothing in flight, fairly: of the tenant served longest ago, then
-- of its workspace served longest ago, then the oldest; the turns are taken in the same statement.
-- SKIP LOCKED lets replicas race safely.
WITH next AS (
    SELECT o.id, r.tenant, r.workspace FROM operations o
      JOIN resources r ON r.id = o.resource_id
      LEFT JOIN claim_turns tt ON tt.tenant = r.tenant AND tt.workspace = ''
      LEFT JOIN claim_turns wt ON wt.tenant = r.tenant AND wt.workspace = r.workspace AND r.workspace <> ''
     WHERE o.status = 'todo' AND o.run_after <= now()
       AND NOT EXISTS (SELECT 1 FROM operations d WHERE d.resource_id = o.resource_id AND d.status = 'doing')
       AND NOT EXISTS (SELECT 1 FROM operations e
                        WHERE e.resource_id = o.resource_id AND e.status = 'todo' AND e.id < o.id)
     ORDER BY tt.last_claim NULLS FIRST, wt.last_claim NULLS FIRST, o.id
     FOR UPDATE OF o SKIP LOCKED
     LIMIT 1
), turns AS (
    INSERT INTO claim_turns AS t (tenant, workspace, last_claim)
    SELECT next.tenant, ws.w, clock_timestamp()
      FROM next, LATERAL (SELECT DISTINCT v.w FROM (VALUES (''), (next.workspace)) AS v(w) ORDER BY v.w) AS ws
     ORDER BY ws.w  -- always the tenant's row first: two claims never lock the same rows in opposite orders
    ON CONFLICT (tenant, workspace) DO UPDATE SET last_claim = excluded.last_claim
)
UPDATE operations o SET status = 'doing', worker_id = %(worker_id)s, attempts = o.attempts + 1, updated_at = now()
  FROM next WHERE o.id = next.id
RETURNING o.*;

-- save_operation_progress --
-- Record what a step learned before the next side effect (the Hetzner action being followed).
UPDATE operations SET step = %(step)s, action_id = %(action_id)s, updated_at = now() WHERE id = %(id)s;

-- finish_operation --
-- Done, failed or cancelled; only by the worker that holds it (a replaced worker's late outcome is dropped).
UPDATE operations SET status = %(status)s, last_error = %(error)s, worker_id = NULL, updated_at = now()
 WHERE id = %(id)s AND status = 'doing' AND worker_id IS NOT DISTINCT FROM %(worker_id)s;

-- holds_operation --
-- Is this operation still running under this worker?
SELECT 1 AS held FROM operations WHERE id = %(id)s AND status = 'doing' AND worker_id = %(worker_id)s;

-- retry_operation --
-- Back to the queue after a delay; a failure (not a wait for a running action) is counted.
UPDATE operations SET status = 'todo', run_after = now() + make_interval(secs => %(delay)s),
                      failures = failures + CASE WHEN %(failed)s THEN 1 ELSE 0 END,
                      last_error = %(error)s, worker_id = NULL, updated_at = now()
 WHERE id = %(id)s AND status = 'doing' AND worker_id IS NOT DISTINCT FROM %(worker_id)s;

-- register_worker --
-- A worker announces itself (and proves it is alive).
INSERT INTO workers (id) VALUES (%(id)s)
ON CONFLICT (id) DO UPDATE SET last_heartbeat = now();

-- fold_worker_operations --
-- A worker's in-flight operation whose request was made again meanwhile: the waiting one inherits its
-- progress (the Hetzner action being followed) ...
UPDATE operations t SET step = d.step, action_id = d.action_id, updated_at = now()
  FROM operations d
 WHERE d.worker_id = %(id)s AND d.status = 'doing' AND t.resource_id = d.resource_id AND t.reason = d.reason
   AND t.status = 'todo' AND t.action_id IS NULL;

-- cancel_folded_operations --
-- ... and the dead one is cancelled (one todo per resource and reason).
UPDATE operations d SET status = 'cancelled', worker_id = NULL, last_error = 'superseded by the same request',
                        updated_at = now()
 WHERE d.worker_id = %(id)s AND d.status = 'doing'
   AND EXISTS (SELECT 1 FROM operations t WHERE t.resource_id = d.resource_id AND t.reason = d.reason
                                            AND t.status = 'todo');

-- release_worker_operations --
-- A worker's in-flight operations go back to the queue (it stopped, or stopped heart-beating).
UPDATE operations SET status = 'todo', worker_id = NULL, updated_at = now()
 WHERE status = 'doing' AND worker_id = %(id)s;

-- return_held_operations --
-- A live worker lost track of its in-flight operation (the database went away while it claimed, ran or
-- recorded it): back to the queue after a delay, the failure counted.
UPDATE operations SET status = 'todo', worker_id = NULL, failures = failures + 1,
                      run_after = now() + make_interval(secs => %(delay)s), last_error = %(error)s, updated_at = now()
 WHERE status = 'doing' AND worker_id = %(id)s;

-- delete_worker --
-- Forget a worker.
DELETE FROM workers WHERE id = %(id)s;

-- stale_workers --
-- Workers whose heartbeat is older than the limit.
SELECT id FROM workers WHERE last_heartbeat < now() - make_interval(secs => %(stale_after)s);

-- orphaned_operations --
-- In-flight operations whose worker row is gone: back to the queue.
UPDATE operations SET status = 'todo', updated_at = now()
 WHERE status = 'doing' AND worker_id IS NULL
RETURNING id;

-- unfinished_operations --
-- Operations waiting or running.
SELECT count(*) AS n FROM operations WHERE status IN ('todo', 'doing');

-- pending_operations --
-- Operations not finished yet (todo or doing) for a resource.
SELECT * FROM operations WHERE resource_id = %(resource_id)s AND status IN ('todo', 'doing') ORDER BY id;

-- operation_counts --
-- Operations by status (tests, metrics).
SELECT status, count(*) AS n FROM operations GROUP BY status;

-- get_tenant_hetzner_token --
-- The tenant's encrypted Hetzner token, if it has its own project.
SELECT hetzner_token_enc FROM tenants WHERE name = %(tenant)s;

-- set_tenant_hetzner_token --
-- Store a tenant's Hetzner token (already encrypted).
UPDATE tenants SET hetzner_token_enc = %(token)s WHERE name = %(tenant)s;

-- get_workspace_hetzner_token --
-- A workspace's encrypted Hetzner token, if it has its own project.
SELECT hetzner_token_enc FROM workspace_credentials WHERE tenant = %(tenant)s AND workspace = %(workspace)s;

-- set_workspace_hetzner_token --
-- Store a workspace's Hetzner token (already encrypted).
INSERT INTO workspace_credentials (tenant, workspace, hetzner_token_enc) VALUES (%(tenant)s, %(workspace)s, %(token)s)
ON CONFLICT (tenant, workspace) DO UPDATE SET hetzner_token_enc = EXCLUDED.hetzner_token_enc, updated_at = now();

-- clear_workspace_hetzner_token --
-- The workspace goes back to its tenant's project; a row means it had its own.
DELETE FROM workspace_credentials WHERE tenant = %(tenant)s AND workspace = %(workspace)s RETURNING workspace;

-- list_workspace_hetzner_tokens --
-- Which workspaces use their own Hetzner project (never the token).
SELECT tenant, workspace, updated_at FROM workspace_credentials
WHERE %(tenant)s::text IS NULL OR tenant = %(tenant)s ORDER BY tenant, workspace;

-- all_encrypted_hetzner_tokens --
-- Every stored Hetzner token, for re-encryption under the newest service key.
SELECT 'tenant' AS owner, name AS tenant, '' AS workspace, hetzner_token_enc FROM tenants
WHERE hetzner_token_enc IS NOT NULL
UNION ALL
SELECT 'workspace', tenant, workspace, hetzner_token_enc FROM workspace_credentials;

-- count_workspace_resources_held --
-- Resources of a workspace that may hold Hetzner objects: live ones and those still being deleted.
SELECT count(*) AS n FROM resources WHERE tenant = %(tenant)s AND workspace = %(workspace)s AND purged_at IS NULL;

-- credential_generation --
-- How many times stored Hetzner tokens changed (processes drop their cache when it moves).
SELECT generation FROM credential_changes WHERE id = 1;

-- bump_credential_generation --
UPDATE credential_changes SET generation = generation + 1 WHERE id = 1;

-- find_references_anywhere --
-- Resources of a kind, in any tenant or workspace, not being deleted, whose spec mentions a value.
SELECT * FROM resources
 WHERE kind = %(kind)s AND purged_at IS NULL AND deleted_at IS NULL AND spec::text LIKE %(pattern)s;

-- live_resources_of_kinds --
-- Resources of some kinds that are not being deleted (the drift check compares them with Hetzner).
SELECT * FROM resources
 WHERE purged_at IS NULL AND deleted_at IS NULL AND kind = ANY(%(kinds)s);

-- next_due_in --
-- Seconds until the next waiting operation may run (how long an idle worker may sleep).
SELECT extract(epoch FROM min(run_after) - now()) AS seconds FROM operations WHERE status = 'todo';

-- count_children_of_workspaces --
-- Resources inside each of several workspaces that are not being deleted (one query for a page).
SELECT workspace, count(*) AS n FROM resources
 WHERE tenant = %(tenant)s AND workspace = ANY(%(workspaces)s) AND purged_at IS NULL AND deleted_at IS NULL
 GROUP BY workspace;

-- operations_waiting_on_actions --
-- A tenant's waiting operations that follow a Hetzner action still in flight (one read serves them all).
SELECT o.id, o.action_id FROM operations o JOIN resources r ON r.id = o.resource_id
 WHERE r.tenant = %(tenant)s AND o.status = 'todo' AND o.action_id IS NOT NULL AND o.step NOT LIKE '%%:done'
 ORDER BY o.run_after LIMIT 200;

-- wake_operations --
-- Make waiting operations due now (the action they wait on has finished).
UPDATE operations SET run_after = now() WHERE id = ANY(%(ids)s) AND status = 'todo' AND run_after > now();

-- take_request_budget --
-- Refill a project's shared bucket to now and take one request if what is left stays at or above the
-- floor, in one atomic statement (the bucket is created full on first use). Returns what is left and
-- whether the request was granted.
INSERT INTO request_budgets AS b (project, capacity, refill_per_second, tokens, stamp, granted)
VALUES (%(project)s, %(capacity)s, %(refill)s, %(capacity)s - 1, now(), %(capacity)s - 1 >= %(floor)s)
ON CONFLICT (project) DO UPDATE SET
    tokens = least(b.capacity, b.tokens + greatest(0, extract(epoch FROM now() - b.stamp)) * b.refill_per_second)
             - CASE WHEN least(b.capacity, b.tokens + greatest(0, extract(epoch FROM now() - b.stamp)) * b.refill_per_second) - 1 >= %(floor)s THEN 1 ELSE 0 END,
    granted = least(b.capacity, b.tokens + greatest(0, extract(epoch FROM now() - b.stamp)) * b.refill_per_second) - 1 >= %(floor)s,
    stamp = greatest(b.stamp, now()),
    capacity = excluded.capacity,
    refill_per_second = excluded.refill_per_second
RETURNING b.tokens, b.granted;

-- lower_request_budget --
-- Hetzner says fewer requests remain than the shared bucket holds: lower it (never raise it).
UPDATE request_budgets
   SET tokens = %(remaining)s, stamp = greatest(stamp, now())
 WHERE project = %(project)s
   AND least(capacity, tokens + greatest(0, extract(epoch FROM now() - stamp)) * refill_per_second)
       > %(remaining)s;

-- queue_metrics --
-- Operations waiting and running, and how long the oldest due one has waited (metrics).
SELECT count(*) FILTER (WHERE status = 'todo') AS todo, count(*) FILTER (WHERE status = 'doing') AS doing,
       coalesce(extract(epoch FROM now() - min(run_after) FILTER (WHERE status = 'todo' AND run_after <= now())), 0)
         AS oldest_due
  FROM operations WHERE status IN ('todo', 'doing');

-- request_budget_levels --
-- Requests left in every project's shared bucket now (metrics).
SELECT project, least(capacity, tokens + greatest(0, extract(epoch FROM now() - stamp)) * refill_per_second) AS level
  FROM request_budgets ORDER BY project;

-- request_budget_level --
-- Requests left in a project's shared bucket now (tests, diagnostics).
SELECT least(capacity, tokens + greatest(0, extract(epoch FROM now() - stamp)) * refill_per_second) AS level
  FROM request_budgets WHERE project = %(project)s;

-- claim_drift_run --
-- Record a drift run for a project unless one was recorded within the interval; a row means go.
INSERT INTO drift_runs AS d (project, last_run) VALUES (%(project)s, now())
ON CONFLICT (project) DO UPDATE SET last_run = now()
 WHERE d.last_run <= now() - make_interval(secs => %(interval)s)
RETURNING d.project;

-- access_rules --
-- A tenant's live roles and role assignments (every authorised request reads them: always current).
SELECT kind, name, spec FROM resources
 WHERE tenant = %(tenant)s AND workspace = '' AND parent = '' AND kind IN ('role', 'role-assignment')
   AND purged_at IS NULL AND deleted_at IS NULL;

-- record_audit --
-- One audited request (append-only table).
INSERT INTO audit_log (tenant, subject, method, path, operation, status, detail, source, correlation)
VALUES (%(tenant)s, %(subject)s, %(method)s, %(path)s, %(operation)s, %(status)s, %(detail)s, %(source)s,
        %(correlation)s);

-- read_audit --
-- The latest audited requests, newest first (`secapi-hetzner audit`).
SELECT id, at, tenant, subject, method, path, operation, status, detail, source, correlation FROM audit_log
 WHERE (%(tenant)s::text IS NULL OR tenant = %(tenant)s) ORDER BY id DESC LIMIT %(limit)s;
