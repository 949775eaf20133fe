-- A workspace's live resources, counted from the index alone: every read of a workspace (one GET, a page of a
-- list, the delete guard) counts the resources inside it that are not being deleted. This index holds exactly
-- those, by (tenant, workspace), so the count is an index-only range however many resources the tenant has.
-- depends: 0013.operation-trace

CREATE INDEX resources_live_children ON resources (tenant, workspace) WHERE purged_at IS NULL AND deleted_at IS NULL;
