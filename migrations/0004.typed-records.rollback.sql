UPDATE operations SET step = regexp_replace(step, '^(change-type|attach|snapshot)/', '\1-')
 WHERE step ~ '^(change-type|attach|snapshot)/';

CREATE TABLE hetzner_objects (
    resource_id  uuid NOT NULL REFERENCES resources (id) ON DELETE CASCADE,
    role         text NOT NULL,
    hetzner_type text NOT NULL,
    hetzner_id   bigint NOT NULL,
    project      text NOT NULL DEFAULT '',
    PRIMARY KEY (resource_id, role, hetzner_id)
);
CREATE INDEX hetzner_objects_lookup ON hetzner_objects (project, hetzner_type, hetzner_id);
