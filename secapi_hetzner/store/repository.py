"""The resource repository: typed reads and writes of the ``resources`` table."""

from __future__ import annotations

import copy
import secrets
import string
import threading
import time
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any
from uuid import UUID

import psycopg
from psycopg.types.json import Jsonb

from secapi_hetzner import errors
from secapi_hetzner.store.db import Conn, Database, Row

CURSOR_ALPHABET = string.ascii_lowercase + string.digits
CURSOR_LENGTH = 5  # the spec's limit for skipToken
#: tokens tried before a list gives up on a cursor (5 characters of 36: a clash is rare)
CURSOR_ATTEMPTS = 8
#: seconds between two deletions of expired cursors by one process (a cursor is read only while it is live,
#: so the deletion only keeps the table small; every page with a next page used to run it)
CURSOR_EXPIRY_EVERY = 60.0

_cursors_expired: dict[str, float] = {}  # database URL → when this process last deleted its expired cursors
_cursors_expired_lock = threading.Lock()


def cursor_expiry_due(database_url: str, now: float | None = None) -> bool:
    """Whether this process deletes the expired cursors of ``database_url`` now (then not again for
    :data:`CURSOR_EXPIRY_EVERY` seconds)."""
    moment = time.monotonic() if now is None else now
    with _cursors_expired_lock:
        last = _cursors_expired.get(database_url)
        if last is not None and moment - last < CURSOR_EXPIRY_EVERY:
            return False
        _cursors_expired[database_url] = moment
        return True


@dataclass(frozen=True)
class Key:
    """Where a resource lives: its tenant, workspace ('' if tenant-scoped), parent ('' or network) and kind."""

    tenant: str
    workspace: str
    parent: str
    kind: str
    name: str

    def params(self) -> dict[str, str]:
        return {"tenant": self.tenant, "workspace": self.workspace, "parent": self.parent, "kind": self.kind,
                "name": self.name}


@dataclass(frozen=True)
class Resource:
    id: UUID
    key: Key
    region: str
    api: str
    labels: dict[str, str] | None
    annotations: dict[str, str] | None
    extensions: dict[str, str] | None
    spec: dict[str, Any]
    status: dict[str, Any]
    resource_version: int
    created_at: datetime
    last_modified_at: datetime
    deleted_at: datetime | None
    purged_at: datetime | None
    internal: dict[str, Any] = field(default_factory=dict)

    @property
    def state(self) -> str:
        return str(self.status.get("state", "pending"))

    @classmethod
    def from_row(cls, row: Row) -> Resource:
        return cls(
            id=row["id"], key=Key(row["tenant"], row["workspace"], row["parent"], row["kind"], row["name"]),
            region=row["region"], api=row["api"], labels=row["labels"], annotations=row["annotations"],
            extensions=row["extensions"], spec=row["spec"], status=row["status"],
            resource_version=row["resource_version"], created_at=row["created_at"],
            last_modified_at=row["last_modified_at"], deleted_at=row["deleted_at"], purged_at=row["purged_at"],
            internal=row["internal"],
        )

    def with_changes(self, **changes: Any) -> Resource:
        """A copy with ``changes`` (what ``dataclasses.replace`` does, without re-running ``__init__``: a list
        page makes one per item)."""
        unknown = changes.keys() - _RESOURCE_FIELDS
        if unknown:
            raise TypeError(f"Resource has no field {', '.join(sorted(unknown))}")
        clone = copy.copy(self)
        clone.__dict__.update(changes)
        return clone


_RESOURCE_FIELDS = frozenset(f.name for f in fields(Resource))


class DuplicateKey(Exception):
    """Another transaction created a resource of the same key first."""


def _like(needle: str) -> str:
    """A LIKE pattern that finds ``needle`` anywhere, with LIKE's own characters escaped."""
    return "%" + needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _json(value: Any) -> Jsonb | None:
    return None if value is None else Jsonb(value)


class ResourceRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    def get(self, key: Key, conn: Conn | None = None, *, lock: bool = False) -> Resource | None:
        row = self.db.one("lock_resource" if lock else "get_resource", key.params(), conn)
        return Resource.from_row(row) if row else None

    def get_by_id(self, resource_id: UUID, conn: Conn | None = None, *, lock: bool = False) -> Resource | None:
        row = self.db.one("lock_resource_by_id" if lock else "get_resource_by_id", {"id": resource_id}, conn)
        return Resource.from_row(row) if row else None

    def insert(self, conn: Conn, key: Key, *, region: str, api: str, labels: dict[str, str] | None,
               annotations: dict[str, str] | None, extensions: dict[str, str] | None, spec: dict[str, Any],
               status: dict[str, Any], internal: dict[str, Any] | None = None) -> Resource:
        """A new resource; :class:`DuplicateKey` when another transaction created the same key first."""
        try:
            row = self.db.one("insert_resource", {
                **key.params(), "region": region, "api": api, "labels": _json(labels),
                "annotations": _json(annotations), "extensions": _json(extensions), "spec": Jsonb(spec),
                "status": Jsonb(status), "state": status.get("state", "pending"), "internal": Jsonb(internal or {}),
            }, conn)
        except psycopg.errors.UniqueViolation as exc:
            raise DuplicateKey(f"{key.kind} {key.name!r}") from exc
        assert row is not None
        return Resource.from_row(row)

    def save(self, conn: Conn, resource: Resource) -> Resource:
        """Write back every mutable field of ``resource`` (version and modification time move on)."""
        row = self.db.one("update_resource", {
            "id": resource.id, "labels": _json(resource.labels), "annotations": _json(resource.annotations),
            "extensions": _json(resource.extensions), "spec": Jsonb(resource.spec),
            "status": Jsonb(resource.status), "state": resource.state, "internal": Jsonb(resource.internal),
            "deleted_at": resource.deleted_at,
        }, conn)
        assert row is not None
        return Resource.from_row(row)

    def purge(self, conn: Conn, resource_id: UUID) -> None:
        self.db.run("purge_resource", {"id": resource_id}, conn)

    def count_workspace_children(self, tenant: str, workspace: str, conn: Conn | None = None) -> int:
        row = self.db.one("count_workspace_children", {"tenant": tenant, "workspace": workspace}, conn)
        return int(row["n"]) if row else 0

    def count_children_of_workspaces(self, tenant: str, workspaces: list[str]) -> dict[str, int]:
        rows = self.db.all("count_children_of_workspaces", {"tenant": tenant, "workspaces": workspaces})
        return {row["workspace"]: int(row["n"]) for row in rows}

    def live_of_kinds(self, kinds: list[str]) -> list[Resource]:
        return [Resource.from_row(row) for row in self.db.all("live_resources_of_kinds", {"kinds": kinds})]

    def referencing(self, tenant: str, workspace: str, kind: str, needle: str,
                    conn: Conn | None = None) -> list[Resource]:
        rows = self.db.all("find_references", {"tenant": tenant, "workspace": workspace, "kind": kind,
                                               "pattern": _like(needle)}, conn)
        return [Resource.from_row(row) for row in rows]

    def referencing_anywhere(self, kind: str, needle: str, conn: Conn | None = None) -> list[Resource]:
        rows = self.db.all("find_references_anywhere", {"kind": kind, "pattern": _like(needle)}, conn)
        return [Resource.from_row(row) for row in rows]

    def batch(self, key: Key, *, after: str, deleted: str, size: int, conn: Conn | None = None) -> list[Resource]:
        rows = self.db.all("list_resources", {**key.params(), "after": after, "deleted": deleted, "batch": size},
                           conn)
        return [Resource.from_row(row) for row in rows]

    # -- page cursors (skipToken ≤ 5 characters, so the position is kept server-side) --------------

    def new_cursor(self, tenant: str, scope: str, after: str) -> str:
        if cursor_expiry_due(self.db.url):  # cursors live an hour: forget the old ones as new ones are made
            self.db.run("expire_cursors")
        for _ in range(CURSOR_ATTEMPTS):
            token = new_cursor_token()
            if self.db.run("insert_cursor", {"token": token, "tenant": tenant, "scope": scope, "after": after}):
                return token
        raise no_cursor_left()

    def cursor_position(self, token: str, tenant: str, scope: str) -> str:
        return cursor_after(self.db.one("get_cursor", {"token": token}), tenant, scope)


def new_cursor_token() -> str:
    return "".join(secrets.choice(CURSOR_ALPHABET) for _ in range(CURSOR_LENGTH))


def no_cursor_left() -> errors.Unavailable:
    return errors.Unavailable("No page cursor could be allocated; retry the list.")


def cursor_after(row: Row | None, tenant: str, scope: str) -> str:
    """Where the page of cursor ``row`` starts; 400 when it is unknown, expired, or another list's."""
    if row is None or row["tenant"] != tenant or row["scope"] != scope:
        raise errors.InvalidRequest("Unknown or expired skipToken; restart the list from the first page.",
                                    parameter="skipToken")
    return str(row["after_name"])
