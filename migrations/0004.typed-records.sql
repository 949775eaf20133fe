-- Typed kind records: drop the never-used SECA <-> Hetzner mapping table (the mapping lives in each
-- kind's internal record), store internal records in their canonical form (no null fields), and name
-- steps with a target as '<step>/<target>' (change-type-cx22 -> change-type/cx22).
-- depends: 0003.resource-engine

DROP TABLE hetzner_objects;

UPDATE resources SET internal = jsonb_strip_nulls(internal) WHERE internal <> jsonb_strip_nulls(internal);

UPDATE operations
   SET step = regexp_replace(step, '^(change-type|attach|snapshot)-', '\1/')
 WHERE step ~ '^(change-type|attach|snapshot)-';
