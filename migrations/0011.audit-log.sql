-- Every mutating request and every denial, append-only: who (tenant, subject), what (method, path,
-- operation), when, the outcome (HTTP status), a correlation id and the source address. The source of
-- the activity-log extension later; read with `secapi-hetzner audit`.
-- depends: 0010.token-subjects

CREATE TABLE audit_log (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at          timestamptz NOT NULL DEFAULT now(),
    tenant      text NOT NULL,
    subject     text NOT NULL,
    method      text NOT NULL,
    path        text NOT NULL,
    operation   text NOT NULL,
    status      integer NOT NULL,
    detail      text NOT NULL DEFAULT '',
    source      text NOT NULL DEFAULT '',
    correlation text NOT NULL
);
CREATE INDEX audit_log_by_tenant ON audit_log (tenant, id);

CREATE FUNCTION audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END
$$;

CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_is_append_only();
