DROP INDEX IF EXISTS resources_live_children;
