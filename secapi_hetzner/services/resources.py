"""The API side of the resource engine, shared by every kind: admit, persist, enqueue. No Hetzner calls.

PUT is an idempotent create-or-replace by name; read-only noise in the body (metadata, status) is
ignored. Accepting a mutation writes the resource and its operation in one transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar
from uuid import UUID

from secapi_hetzner import errors, limits
from secapi_hetzner.clock import now
from secapi_hetzner.labels import parse_label_filter
from secapi_hetzner.lifecycle import Event, State, transition, walk
from secapi_hetzner.resources.admission import Admission
from secapi_hetzner.resources.catalog import Catalog
from secapi_hetzner.resources.kinds import DeleteCheck, Kind, UpdateAnswer
from secapi_hetzner.resources.registry import kind_named
from secapi_hetzner.store import Database
from secapi_hetzner.store.operations import Queue
from secapi_hetzner.store.repository import DuplicateKey, Key, Resource, ResourceRepository

USER_FIELDS = ("labels", "annotations", "extensions")
#: rows read per query of a list: a page and one more first (enough to know a next page exists), then, when
#: label filters or permissions hid some, batches up to this size
LIST_BATCH = 500


#: at most this many resources are deleted along with one (a network's subnets: Hetzner allows 50)
MAX_DELETED_ALONG = 1000

T = TypeVar("T")


@dataclass(frozen=True)
class Place:
    """Where a request points: tenant, workspace ('' for tenant-scoped kinds), parent network, region."""

    tenant: str
    workspace: str = ""
    parent: str = ""
    region: str = ""

    def key(self, kind: Kind, name: str) -> Key:
        return Key(self.tenant, self.workspace, self.parent, kind.kind, name)


@dataclass(frozen=True)
class Applied:
    resource: Resource
    created: bool


class ResourceService:
    def __init__(self, db: Database, catalog: Catalog, on_enqueue: Any = None, on_change: Any = None) -> None:
        self.on_enqueue = on_enqueue or (lambda: None)
        #: told of every committed write, with the kind and tenant (access control drops its cached rules)
        self.on_change = on_change or (lambda kind, tenant: None)
        self.db = db
        self.repository = ResourceRepository(db)
        self.queue = Queue(db)
        self.catalog = catalog

    # -- PUT --------------------------------------------------------------------------------------

    def apply(self, kind: Kind, place: Place, name: str, body: dict[str, Any],
              expected_version: int | None, metadata: dict[str, Any] | None = None) -> Applied:
        self._check_region(metadata or {}, place)
        self._check_parents(kind, place)
        spec = body.get("spec") or {}
        user = {name_: body.get(name_) for name_ in USER_FIELDS}
        limits.check_labels(user["labels"])
        limits.check_annotations(user["annotations"])
        if kind.names_a_scope:
            limits.check_scope_name(kind.kind, name)
        key = place.key(kind, name)
        old = self.repository.get(key)
        admission = Admission(place.tenant, place.workspace, place.parent, place.region, name, spec, old,
                              self.repository, self.catalog)
        extra_status = kind.admit(admission)
        # how an update of the active resource is answered, judged against this version of it
        answer = kind.update_answer(admission) if old is not None and not kind.instant and \
            old.state == State.ACTIVE else None
        pinned = (old.resource_version, answer) if old is not None and answer is not None else None
        for attempt in range(2):  # two creates of one new name race: the loser's PUT becomes an update
            try:
                applied = self._write(kind, place, key, spec, user, extra_status, expected_version, pinned)
                break
            except DuplicateKey:
                if attempt:
                    raise
        self.on_change(kind.kind, place.tenant)
        self.on_enqueue()
        return Applied(self.with_live_status(kind, [applied.resource])[0], applied.created)

    def _write(self, kind: Kind, place: Place, key: Key, spec: dict[str, Any], user: dict[str, Any],
               extra_status: dict[str, Any], expected_version: int | None,
               pinned: tuple[int, UpdateAnswer] | None = None) -> Applied:
        with self.db.transaction() as conn:
            current = self.repository.get(key, conn, lock=True)
            if current is None:
                return Applied(self._create(conn, kind, place, key, spec, user, extra_status), created=True)
            if current.deleted_at is not None:
                raise errors.Conflict(f"{kind.kind} {key.name!r} is being deleted; wait until it is gone.")
            _check_version(current, expected_version)
            unchanged = current.spec == spec and all(getattr(current, f) == user[f] for f in USER_FIELDS)
            if unchanged and current.state in (State.PENDING, State.CREATING, State.UPDATING):
                return Applied(current, created=False)  # the work in flight records its own end
            if unchanged and current.state == State.ACTIVE:
                # accepted and recorded like every update (updating, then active), with nothing to do on Hetzner
                status = transition(transition(current.status, Event.CHANGED, now()), Event.PROVISIONED, now())
                return Applied(self.repository.save(conn, current.with_changes(status=status)), created=False)
            # a changed resource, or the same PUT again after an error: converge (again)
            answer = pinned[1] if pinned is not None and current.state == State.ACTIVE and \
                current.resource_version == pinned[0] else None
            return Applied(self._update(conn, kind, current, spec, user, answer), created=False)

    def _create(self, conn: Any, kind: Kind, place: Place, key: Key, spec: dict[str, Any],
                user: dict[str, Any], extra_status: dict[str, Any]) -> Resource:
        events = [Event.ACCEPTED, Event.PROVISIONING, Event.PROVISIONED] if kind.instant else [Event.ACCEPTED]
        status = {**walk(None, events, now()), **extra_status}
        resource = self.repository.insert(conn, key, region=place.region, api=kind.api.name, spec=spec,
                                         status=status, internal=kind.initial_record(), **user)
        if not kind.instant:
            self.queue.enqueue(conn, resource.id, "apply")
        return resource

    def _update(self, conn: Any, kind: Kind, current: Resource, spec: dict[str, Any],
                user: dict[str, Any], answer: UpdateAnswer | None = None) -> Resource:
        """``answer``: the kind's :meth:`Kind.update_answer` for this version of the active resource."""
        status = current.status
        settled = kind.instant or (answer is not None and not answer.work)
        if settled:
            status = transition(transition(status, Event.CHANGED, now()), Event.PROVISIONED, now())
        elif current.state in (State.ACTIVE, State.ERROR):
            status = transition(status, Event.CHANGED, now())
            if answer is not None:  # answered active while the operation converges
                status = transition(status, Event.PROVISIONED, now(), reason=answer.reason or None,
                                    message=answer.message or None)
        updated = self.repository.save(conn, current.with_changes(spec=spec, status=status, **user))
        if not settled:
            self.queue.enqueue(conn, updated.id, "apply")
        return updated

    # -- GET / LIST -------------------------------------------------------------------------------

    def read(self, kind: Kind, place: Place, name: str) -> Resource:
        self._check_parents(kind, place, for_read=True)
        found = self.repository.get(place.key(kind, name))
        if found is None:
            raise errors.NotFound(f"{kind.kind} {name!r} does not exist.")
        return self.with_live_status(kind, [found])[0]

    def with_live_status(self, kind: Kind, resources: list[Resource]) -> list[Resource]:
        """The resources with the status fields their kind computes when read (one batch for a page)."""
        live = [r for r in resources if r.purged_at is None]
        extra = kind.live_status(live, self.repository) if live else {}
        return [with_live(r, extra) for r in resources]

    def list_page(self, kind: Kind, place: Place, *, labels: str | None, limit: int, skip_token: str | None,
                  deleted: str, visible: Callable[[str], bool] | None = None
                  ) -> tuple[list[Resource], str | None]:
        """One page in name order. The cursor is a keyset position kept server-side, so pages stay
        consistent under concurrent writes: nothing is skipped or repeated. ``visible``: which names the
        caller may see (None: all)."""
        selector = parse_label_filter(labels)
        key = place.key(kind, "")
        scope = list_scope(kind, place, deleted, labels)
        after = self.repository.cursor_position(skip_token, place.tenant, scope) if skip_token else ""
        fill: PageFill[Resource] = PageFill(limit)
        size = min(limit + 1, LIST_BATCH)
        while True:
            batch = self.repository.batch(key, after=after, deleted=deleted, size=size)
            kept = [r for r in batch if selector.matches(r.labels or {}) and (visible is None or visible(r.key.name))]
            next_after = fill.add(kept, batch[-1].key.name if batch else "", len(batch) == size)
            if next_after is None:
                break
            after, size = next_after, LIST_BATCH
        page, last = fill.result(lambda resource: resource.key.name)
        token = self.repository.new_cursor(place.tenant, scope, last) if last is not None else None
        return self.with_live_status(kind, page), token

    # -- DELETE -----------------------------------------------------------------------------------

    def delete(self, kind: Kind, place: Place, name: str, expected_version: int | None) -> Resource:
        with self.db.transaction() as conn:
            current = self._locked(conn, kind, place, name, expected_version)
            if current.deleted_at is not None:
                return current  # repeated DELETE: accepted again, deleted once
            check = DeleteCheck(self.repository, conn)
            kind.refuse_delete(current, check)
            along = self._along(kind, current, check)
            marked = self._mark_deleted(conn, kind, current)
            for child, child_kind in along:
                self._mark_deleted(conn, child_kind, child)
        self.on_change(kind.kind, place.tenant)
        self.on_enqueue()
        return marked

    def _along(self, kind: Kind, resource: Resource, check: DeleteCheck) -> list[tuple[Resource, Kind]]:
        """The resources deleted along with ``resource`` (a network's subnets), each allowed by its own kind."""
        along: list[tuple[Resource, Kind]] = []
        key = resource.key
        for name in kind.deletes_along:
            child_kind = kind_named(name)
            for listed in check.inside(key.tenant, key.workspace, key.name, name, size=MAX_DELETED_ALONG):
                child = self.repository.get(listed.key, check.conn, lock=True)
                if child is not None and child.deleted_at is None:
                    child_kind.refuse_delete(child, check)
                    along.append((child, child_kind))
        return along

    def _mark_deleted(self, conn: Any, kind: Kind, current: Resource) -> Resource:
        status = transition(current.status, Event.DELETE, now())
        marked = self.repository.save(conn, current.with_changes(status=status, deleted_at=now()))
        if kind.instant:
            self.repository.purge(conn, marked.id)
        else:
            self.queue.enqueue(conn, marked.id, "delete")
        return marked

    # -- actions ----------------------------------------------------------------------------------

    def act(self, kind: Kind, place: Place, name: str, action: str, expected_version: int | None) -> Resource:
        with self.db.transaction() as conn:
            current = self._locked(conn, kind, place, name, expected_version)
            if current.deleted_at is not None:
                raise errors.Conflict(f"{kind.kind} {name!r} is being deleted.")
            internal = kind.check_action(current, action)
            status = transition(current.status, Event.CHANGED, now())
            saved = self.repository.save(conn, current.with_changes(status=status, internal=internal))
            self.queue.enqueue(conn, saved.id, action)
        self.on_enqueue()
        return saved

    # -- checks -----------------------------------------------------------------------------------

    def _locked(self, conn: Any, kind: Kind, place: Place, name: str, expected_version: int | None) -> Resource:
        """The resource, locked for this transaction, at the version the client expects."""
        current = self.repository.get(place.key(kind, name), conn, lock=True)
        if current is None:
            raise errors.NotFound(f"{kind.kind} {name!r} does not exist.")
        _check_version(current, expected_version)
        return current

    def _check_region(self, metadata: dict[str, Any], place: Place) -> None:
        region = metadata.get("region")
        if region and region != place.region:
            raise errors.PreconditionFailed(
                f"metadata.region {region!r} does not match this endpoint's region {place.region!r}.",
                pointer="/metadata/region")

    def _check_parents(self, kind: Kind, place: Place, *, for_read: bool = False) -> None:
        if kind.scope == "tenant" or not place.workspace:
            return
        workspace = self.repository.get(Key(place.tenant, "", "", "workspace", place.workspace))
        if workspace is None or (workspace.deleted_at is not None and not for_read):
            if for_read:
                raise errors.NotFound(f"Workspace {place.workspace!r} does not exist.")
            raise errors.PreconditionFailed(f"Workspace {place.workspace!r} does not exist.")


def with_live(resource: Resource, extra: Mapping[UUID, dict[str, Any]]) -> Resource:
    """The resource with the status fields its kind computed when read (``extra``, by id), if any."""
    fields = extra.get(resource.id)
    return resource.with_changes(status={**resource.status, **fields}) if fields else resource


def list_scope(kind: Kind, place: Place, deleted: str, labels: str | None) -> str:
    """What a page cursor is valid for: the same collection, deleted mode and label filter."""
    return f"{kind.kind}|{place.workspace}|{place.parent}|{deleted}|{labels or ''}"


def listed(resource: Resource, deleted: str) -> bool:
    """Does a list in ``deleted`` mode ("exclude", "include", "only") show this resource?"""
    gone = resource.purged_at is not None or resource.deleted_at is not None
    return deleted == "include" or gone == (deleted == "only")


class PageFill(Generic[T]):
    """The items of one page, gathered batch by batch in name order: a page and one more first (enough to
    know a next page exists), then, while filters hide rows, on in larger batches."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.items: list[T] = []

    def add(self, kept: list[T], last_name: str, full: bool) -> str | None:
        """Take a batch's ``kept`` items; the name to read on after, or None when the page is complete (or
        the batch, not ``full``, was the collection's last)."""
        self.items += kept
        return last_name if full and len(self.items) <= self.limit else None

    def result(self, name_of: Callable[[T], str]) -> tuple[list[T], str | None]:
        """The page, and the name the next page starts after (None: this is the last page)."""
        if len(self.items) > self.limit:
            page = self.items[:self.limit]
            return page, name_of(page[-1])
        return self.items, None


def _check_version(current: Resource, expected: int | None) -> None:
    if expected is not None and expected != current.resource_version:
        raise errors.PreconditionFailed(
            f"The resource changed: its resourceVersion is {current.resource_version}, not {expected}.")
