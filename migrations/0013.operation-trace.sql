-- The W3C traceparent of the request that enqueued an operation: the worker's spans join that trace, even
-- in another process, so one trace runs from the SECA request through the operation to each Hetzner call.
-- depends: 0012.workspace-credentials

ALTER TABLE operations ADD COLUMN traceparent text NOT NULL DEFAULT '';
