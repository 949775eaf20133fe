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
