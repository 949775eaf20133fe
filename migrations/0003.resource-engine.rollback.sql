DROP TABLE page_cursors;
ALTER TABLE resources DROP COLUMN observed_at;
ALTER TABLE resources DROP COLUMN internal;
UPDATE resources SET labels = coalesce(labels, '{}'), annotations = coalesce(annotations, '{}'),
                     extensions = coalesce(extensions, '{}');
ALTER TABLE resources ALTER COLUMN labels SET NOT NULL, ALTER COLUMN labels SET DEFAULT '{}';
ALTER TABLE resources ALTER COLUMN annotations SET NOT NULL, ALTER COLUMN annotations SET DEFAULT '{}';
ALTER TABLE resources ALTER COLUMN extensions SET NOT NULL, ALTER COLUMN extensions SET DEFAULT '{}';
