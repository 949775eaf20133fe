"""Migration 0004 on a database written by the code before it: every internal record parses as its
kind's typed record without loss, step names with a target take their new form, the unused mapping
table is gone."""

from __future__ import annotations

import json
from typing import Any

import psycopg
from yoyo import get_backend, read_migrations

from secapi_hetzner.resources.block_storage.model import BlockStorageRecord, Placement
from secapi_hetzner.resources.image.model import ImageRecord
from secapi_hetzner.resources.instance.model import InstanceRecord
from secapi_hetzner.store.migrate import MIGRATIONS_DIR, apply_migrations, yoyo_url
from tests.support.database import DatabaseFactory, with_database

BEFORE = "0003.resource-engine"
#: internal records exactly as the code before 0004 wrote them (nulls included)
OLD_INTERNAL: dict[str, dict[str, Any]] = {
    "instance": {"server_id": 42, "location": "fsn1", "power": "on", "shutdown_started": None},
    "block-storage": {"placement": "volume", "volume_id": 7, "location": "fsn1", "instance": "vm"},
    "image": {"snapshot_id": 9, "system_image": None, "source": {"workspace": "ws", "blockStorage": "d",
              "cpuArchitecture": "amd64"}, "target": None, "generation": 2, "pending_snapshot_id": None,
              "note": ["SnapshotTaken", "Hetzner snapshot 9"]},
}
OLD_STEPS = {"change-type-cx32": "change-type/cx32", "attach-17:done": "attach/17:done", "snapshot-2": "snapshot/2",
             "create:done": "create:done", "poweron": "poweron"}


def _new_database(databases: DatabaseFactory, name: str) -> str:
    with psycopg.connect(databases.server_url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name}")
        conn.execute(f"CREATE DATABASE {name}")
    return with_database(databases.server_url, name)


def _migrate_to(url: str, last: str) -> None:
    backend = get_backend(yoyo_url(url))
    try:
        migrations = read_migrations(str(MIGRATIONS_DIR)).filter(lambda m: m.id <= last)
        with backend.lock():
            backend.apply_migrations(backend.to_apply(migrations))
    finally:
        backend.connection.close()


def test_migration_0004_keeps_every_record_and_renames_steps(databases: DatabaseFactory) -> None:
    url = _new_database(databases, "seca_migration_0004")
    _migrate_to(url, BEFORE)
    with psycopg.connect(url, autocommit=True) as conn:
        ids = {}
        for kind, internal in OLD_INTERNAL.items():
            row = conn.execute("INSERT INTO resources (tenant, api, kind, name, internal) VALUES "
                               "('t', 'seca.x', %s, %s, %s) RETURNING id", (kind, kind, json.dumps(internal)))
            ids[kind] = row.fetchone()[0]  # type: ignore[index]
        for old in OLD_STEPS:
            conn.execute("INSERT INTO operations (resource_id, reason, status, step) VALUES (%s, 'apply', "
                         "'succeeded', %s)", (ids["instance"], old))
    assert apply_migrations(url) >= 1
    with psycopg.connect(url) as conn:
        internal = {kind: conn.execute("SELECT internal FROM resources WHERE id = %s", (rid,)).fetchone()[0]  # type: ignore[index]
                    for kind, rid in ids.items()}
        steps = [row[0] for row in conn.execute("SELECT step FROM operations ORDER BY id")]
        tables = {row[0] for row in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}
    assert InstanceRecord.from_json(internal["instance"]) == InstanceRecord(server_id=42, location="fsn1", power="on")
    assert BlockStorageRecord.from_json(internal["block-storage"]) == BlockStorageRecord(
        placement=Placement.VOLUME, location="fsn1", volume_id=7, instance="vm")
    image = ImageRecord.from_json(internal["image"])
    assert image.snapshot_id == 9 and image.generation == 2 and image.note == ("SnapshotTaken", "Hetzner snapshot 9")
    assert image.source == OLD_INTERNAL["image"]["source"]
    for kind, record_type in (("instance", InstanceRecord), ("block-storage", BlockStorageRecord),
                              ("image", ImageRecord)):
        assert record_type.from_json(internal[kind]).to_json() == internal[kind]  # canonical: a round trip
    assert steps == list(OLD_STEPS.values())
    assert "hetzner_objects" not in tables


def test_migration_0008_numbers_existing_tokens_and_counts_every_change(databases: DatabaseFactory) -> None:
    url = _new_database(databases, "seca_migration_0008")
    _migrate_to(url, "0007.operation-failures")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("INSERT INTO api_tokens (token_hash, tenant, label) VALUES ('h1', 't', 'a'), ('h2', 't', 'b')")
    assert apply_migrations(url) >= 1
    with psycopg.connect(url, autocommit=True) as conn:
        def generation() -> int:
            return int(conn.execute("SELECT generation FROM api_token_generation").fetchone()[0])  # type: ignore[index]

        ids = [row[0] for row in conn.execute("SELECT id FROM api_tokens ORDER BY token_hash")]
        assert None not in ids and len(set(ids)) == 2  # the tokens made before 0008 can be revoked by id
        before = generation()
        conn.execute("INSERT INTO api_tokens (token_hash, tenant) VALUES ('h3', 't')")
        new_id = conn.execute("SELECT id FROM api_tokens WHERE token_hash = 'h3'").fetchone()[0]  # type: ignore[index]
        assert new_id > max(ids)
        assert generation() == before + 1
        conn.execute("UPDATE api_tokens SET revoked_at = now() WHERE id = %s", (ids[0],))
        assert generation() == before + 2  # a revocation moves it: every replica's cache reloads
        conn.execute("UPDATE api_tokens SET revoked_at = now() WHERE false")
        assert generation() == before + 3  # per statement (an extra reload at worst, never a missed one)
