"""Resource reads served on the event loop, from the database's word and this process's memory.

Every read asks PostgreSQL first, in one statement, which versions of which resources are current (each
row's ``xmin``: any committed write of a row, by any statement of any process, gives it a new one) and, for
a workspace, how many live resources it holds. What a client reads is a function of exactly that: the row
and, for a workspace, the count. So the answer body of a version this process has seen already is served
from memory, already encoded; only a version it has not seen is read whole (one more statement for the
page) and presented. Nothing is ever served that the database did not just confirm as current.

A route table's live status depends on which of its targets exist (``live_reads == "targets"``): the same
statement gives a digest of their names, a body is kept per version and digest, and the live status (which
runs queries) is computed in one trip to a worker thread for the versions or digests not seen before.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, NoReturn, cast
from uuid import UUID

import anyio.to_thread

from secapi_hetzner import errors, jsoncodec
from secapi_hetzner.labels import parse_label_filter
from secapi_hetzner.resources.kinds import Kind
from secapi_hetzner.resources.present import present
from secapi_hetzner.services.resources import LIST_BATCH, PageFill, Place, list_scope, listed, with_live
from secapi_hetzner.store.reads import AsyncReads
from secapi_hetzner.store.repository import (
    CURSOR_ATTEMPTS,
    Resource,
    ResourceRepository,
    cursor_after,
    cursor_expiry_due,
    new_cursor_token,
    no_cursor_left,
)

#: resource versions kept per process, with their encoded answers (least recently used out first)
CAPACITY = 4096
#: and at most this many bytes of encoded answers (a resource's body is bounded by the request limits)
CAPACITY_BYTES = 32 * 1024 * 1024
#: entries (stamps and items) of whole-collection pages kept with the stamps they were made from, and their bytes
PAGE_ITEMS = 16384
PAGE_BYTES = 32 * 1024 * 1024


#: what, besides its row, a version's body was presented with: a workspace's live count (an int), nothing (None),
#: or the digest of the targets beside it (a str: route tables)
Slot = int | str | None


@dataclass
class _Known:
    resource: Resource
    #: the encoded GET body by the slot it was presented with
    bodies: dict[Slot, bytes]


class _NoQueries:
    """The repository handed to a "row" kind's live status: it must need nothing but the rows."""

    def __getattr__(self, name: str) -> NoReturn:
        raise RuntimeError(f"a kind whose live_reads is 'row' used the repository ({name}) in live_status")


NO_QUERIES = cast(ResourceRepository, _NoQueries())


class KnownVersions:
    """(resource id as text, row stamp) → the resource and its encoded answers; bounded in entries and bytes."""

    def __init__(self, capacity: int = CAPACITY, capacity_bytes: int = CAPACITY_BYTES) -> None:
        self.capacity = capacity
        self.capacity_bytes = capacity_bytes
        self._known: OrderedDict[tuple[str, str], _Known] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.rows_read = 0  # whole rows read because their version was new here (tests, bench)

    def get_many(self, keys: Sequence[tuple[str, str]]) -> list[_Known | None]:
        with self._lock:
            return [self._touched(key) for key in keys]

    def get(self, resource_id: str, stamp: str) -> _Known | None:
        with self._lock:
            return self._touched((resource_id, stamp))

    def _touched(self, key: tuple[str, str]) -> _Known | None:
        """The known version, made the most recently used (the lock held)."""
        found = self._known.get(key)
        if found is not None:
            self._known.move_to_end(key)
        return found

    def put(self, key: tuple[str, str], resource: Resource) -> _Known:
        with self._lock:
            found = self._known.get(key)
            if found is None:
                found = self._known[key] = _Known(resource, {})
            return found

    def add_body(self, known: _Known, slot: Slot, body: bytes) -> None:
        with self._lock:
            if slot not in known.bodies:
                known.bodies[slot] = body
                self._bytes += len(body)
            while self._known and (len(self._known) > self.capacity or self._bytes > self.capacity_bytes):
                _, dropped = self._known.popitem(last=False)
                self._bytes -= sum(len(b) for b in dropped.bodies.values())

    def __len__(self) -> int:
        return len(self._known)


class _Stamp(NamedTuple):  # (the columns of stamp_resources, in order)
    id: str  # the resource's id as text (hashing UUID objects cost more than the rest of a page)
    name: str
    stamp: str
    children: int | None
    targets: str | None  # the digest of the targets' names beside it (kinds with live_targets)

    @classmethod
    def of(cls, row: dict[str, Any], name: str) -> _Stamp:
        return cls(row["id"], name, row["stamp"], row["children"], row["targets"])


def _slot(kind: Kind, stamp: _Stamp) -> Slot:
    """What a body of ``kind`` was presented with besides its row (see :data:`Slot`)."""
    return stamp.targets if kind.live_reads == "targets" else stamp.children


class WholePages:
    """The last answer of each whole-collection page (by tenant, list scope and limit) with the stamps it was
    made from; bounded by the entries they hold (a page counts its stamps and items, and at least one: a
    client asking with ever new label filters that match nothing fills it no faster than one that lists
    everything) and their bytes (bodies they may keep alive after :class:`KnownVersions` let them go). Used
    on the event loop only."""

    def __init__(self, capacity_items: int = PAGE_ITEMS, capacity_bytes: int = PAGE_BYTES) -> None:
        self.capacity_items = capacity_items
        self.capacity_bytes = capacity_bytes
        self._pages: OrderedDict[tuple[str, str, int], tuple[list[_Stamp], list[bytes], int]] = OrderedDict()
        self._items = 0
        self._bytes = 0
        self.hits = 0  # (tests, bench)

    def get(self, key: tuple[str, str, int], stamps: list[_Stamp]) -> list[bytes] | None:
        found = self._pages.get(key)
        if found is None or found[0] != stamps:
            return None
        self._pages.move_to_end(key)
        self.hits += 1
        return found[1]

    def put(self, key: tuple[str, str, int], stamps: list[_Stamp], bodies: list[bytes]) -> None:
        self._drop(key)
        size = sum(len(body) for body in bodies) + len(key[1])
        if _weight(stamps, bodies) > self.capacity_items or size > self.capacity_bytes:
            return
        self._pages[key] = (stamps, bodies, size)
        self._items += _weight(stamps, bodies)
        self._bytes += size
        while self._items > self.capacity_items or self._bytes > self.capacity_bytes:
            self._drop(next(iter(self._pages)))

    def __len__(self) -> int:
        return len(self._pages)

    def _drop(self, key: tuple[str, str, int]) -> None:
        dropped = self._pages.pop(key, None)
        if dropped is not None:
            self._items -= _weight(dropped[0], dropped[1])
            self._bytes -= dropped[2]


def _weight(stamps: list[_Stamp], bodies: list[bytes]) -> int:
    return 1 + len(stamps) + len(bodies)


class ResourceReads:
    def __init__(self, reads: AsyncReads, known: KnownVersions | None = None) -> None:
        self.reads = reads
        self.known = known or KnownVersions()
        self.pages = WholePages()
        #: what the live status of "targets" kinds reads with, in a worker thread
        self.repository = ResourceRepository(reads.db)

    def usable(self) -> bool:
        return self.reads.usable()

    async def read(self, kind: Kind, place: Place, name: str) -> bytes:
        """The GET body of one resource (404 when it, or its workspace, does not exist)."""
        key = place.key(kind, name)
        row = await self.reads.stamp(key, kind.live_reads == "children", ",".join(kind.live_targets))
        if not row["parent_exists"]:
            raise errors.NotFound(f"Workspace {place.workspace!r} does not exist.")
        if row["id"] is None:
            raise errors.NotFound(f"{kind.kind} {name!r} does not exist.")
        stamp = _Stamp.of(row, name)
        seen = self.known.get(stamp.id, stamp.stamp)
        if seen is not None and (body := seen.bodies.get(_slot(kind, stamp))) is not None:
            return body  # this version, with this live input, was answered before (the usual poll)
        known = await self._known([stamp], lambda resource: resource.purged_at is None)
        if not known:
            raise errors.NotFound(f"{kind.kind} {name!r} does not exist.")
        return (await self._present(kind, known))[0]

    async def list_page(self, kind: Kind, place: Place, *, labels: str | None, limit: int, skip_token: str | None,
                        deleted: str, visible: Callable[[str], bool] | None = None
                        ) -> tuple[list[bytes], str | None]:
        """What :meth:`ResourceService.list_page` answers, as encoded items."""
        selector = parse_label_filter(labels)
        scope = list_scope(kind, place, deleted, labels)
        after = await self._cursor_position(skip_token, place.tenant, scope) if skip_token else ""
        params = {**place.key(kind, "").params(), "deleted": deleted, "children": kind.live_reads == "children",
                  "targets": ",".join(kind.live_targets)}
        fill: PageFill[tuple[_Stamp, _Known]] = PageFill(limit)
        size = min(limit + 1, LIST_BATCH)
        # a whole collection on one page, for a caller who may see all of it: the same stamps as last time
        # give the same items (every input of an item is in its stamp), so they are answered as they were
        memo = (place.tenant, scope, limit) if not skip_token and visible is None else None
        while True:
            stamps = await self.reads.all_made("stamp_resources", {**params, "after": after, "batch": size},
                                               _Stamp._make)
            if memo is not None:
                if (same := self.pages.get(memo, stamps)) is not None:
                    return same, None
                memo = memo if len(stamps) < size else None  # (a page that goes on has a cursor of its own)
            known = await self._known(stamps, lambda resource: listed(resource, deleted))
            kept = known if visible is None else [(s, k) for s, k in known if visible(s.name)]
            if selector.terms:
                kept = [(s, k) for s, k in kept if selector.matches(k.resource.labels or {})]
            next_after = fill.add(kept, stamps[-1].name if stamps else "", len(stamps) == size)
            if next_after is None:
                break
            after, size = next_after, LIST_BATCH
        page, last = fill.result(lambda item: item[0].name)
        bodies = await self._present(kind, page)
        if memo is not None and last is None:
            self.pages.put(memo, stamps, bodies)
        token = await self._new_cursor(place.tenant, scope, last) if last is not None else None
        return bodies, token

    # -- versions --------------------------------------------------------------------------------

    async def _known(self, stamps: Sequence[_Stamp],
                     keep: Callable[[Resource], bool]) -> list[tuple[_Stamp, _Known]]:
        """Each stamped version, from memory or (one statement for all that are new here) from the database.
        A row written since it was stamped is read at its newer version (the database's word, read later),
        and left out if ``keep`` says that version is no longer one to show (deleted meanwhile)."""
        found = dict(zip((s.id for s in stamps), self.known.get_many([(s.id, s.stamp) for s in stamps]),
                         strict=True))
        missing = [s.id for s in stamps if found[s.id] is None]
        if missing:
            rows = await self.reads.all("resources_by_ids", {"ids": missing})
            self.known.rows_read += len(rows)
            for row in rows:
                resource = Resource.from_row(row)
                if keep(resource):
                    found[row["text_id"]] = self.known.put((row["text_id"], row["stamp"]), resource)
        return [(s, known) for s in stamps if (known := found[s.id]) is not None]

    async def _present(self, kind: Kind, page: Sequence[tuple[_Stamp, _Known]]) -> list[bytes]:
        """The encoded GET body of each, presented with its live status once per version and live input (the
        workspace's count, or the digest of a route table's targets; a "row" kind has none)."""
        slots: list[Slot] = [_slot(kind, s) for s, _ in page]
        new = [(slot, k) for slot, (_, k) in zip(slots, page, strict=True) if slot not in k.bodies]
        if new:
            live = [k.resource for _, k in new if k.resource.purged_at is None]
            if not live:
                extra: dict[UUID, dict[str, Any]] = {}
            elif kind.live_reads == "targets":  # its live status looks the targets up: in a worker thread
                extra = await anyio.to_thread.run_sync(kind.live_status, live, self.repository)
            elif kind.live_reads == "children":
                extra = kind.live_status_of_counts(live, {k.resource.id: slot for slot, k in new
                                                          if isinstance(slot, int)})
            else:
                extra = kind.live_status(live, NO_QUERIES)
            for slot, known in new:
                body = jsoncodec.encode(present(kind, with_live(known.resource, extra), "GET"))[:-1]
                self.known.add_body(known, slot, body)
        return [k.bodies[slot] for slot, (_, k) in zip(slots, page, strict=True)]

    # -- page cursors ----------------------------------------------------------------------------

    async def _new_cursor(self, tenant: str, scope: str, after: str) -> str:
        if cursor_expiry_due(self.reads.db.url):
            await self.reads.run("expire_cursors")
        for _ in range(CURSOR_ATTEMPTS):
            token = new_cursor_token()
            if await self.reads.run("insert_cursor", {"token": token, "tenant": tenant, "scope": scope,
                                                      "after": after}):
                return token
        raise no_cursor_left()

    async def _cursor_position(self, token: str, tenant: str, scope: str) -> str:
        return cursor_after(await self.reads.one("get_cursor", {"token": token}), tenant, scope)


def list_body(items: Sequence[bytes], metadata: dict[str, Any]) -> bytes:
    """A list answer from encoded items: what encoding ``{"items": [...], "metadata": ...}`` gives."""
    return b'{"items":[' + b",".join(items) + b'],"metadata":' + jsoncodec.encode(metadata)[:-1] + b"}\n"
