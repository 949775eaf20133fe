DROP TABLE operations;
DROP TABLE workers;
DROP TABLE hetzner_objects;
DROP TABLE resources;
