"""Catalog answers rendered once per catalog snapshot and served as bytes.

Every answer of a catalog read (regions, SKUs) is a function of the catalog snapshot and the request's
path and query alone, so it is rendered (encoded, its ``ETag`` computed) the first time it is asked for and
kept, as bytes, until the snapshot changes. A bounded number of answers is kept (least recently used
first out): tenants, regions, label filters and pages are client-chosen, memory is not."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from starlette.responses import Response

from secapi_hetzner import jsoncodec
from secapi_hetzner.app.etags import tag_of

#: answers kept per process (the largest, a compute SKU list, is ~16 KB: ≤ 4 MB)
CAPACITY = 256


@dataclass(frozen=True)
class Rendered:
    body: bytes
    etag: str

    @classmethod
    def of(cls, data: Any) -> Rendered:
        body = jsoncodec.encode(data)
        return cls(body, tag_of(body))

    def response(self) -> Response:
        return Response(self.body, media_type="application/json", headers={"ETag": self.etag})


class RenderedAnswers:
    """Answers keyed by what the request asked, valid for one catalog snapshot (compared by identity)."""

    def __init__(self, capacity: int = CAPACITY) -> None:
        self.capacity = capacity
        self._snapshot: object | None = None
        self._answers: OrderedDict[Hashable, Rendered] = OrderedDict()
        self._lock = threading.Lock()
        self.renders = 0  # how many answers were rendered (tests, bench)

    def get(self, snapshot: object, key: Hashable) -> Rendered | None:
        with self._lock:
            if snapshot is not self._snapshot:
                return None
            found = self._answers.get(key)
            if found is not None:
                self._answers.move_to_end(key)
            return found

    def render(self, snapshot: object, key: Hashable, build: Callable[[], Any]) -> Rendered:
        """The answer for ``key``, built from ``snapshot`` (by ``build``, whose errors are not kept) unless
        it is kept already."""
        found = self.get(snapshot, key)
        if found is not None:
            return found
        rendered = Rendered.of(build())
        with self._lock:
            self.renders += 1
            if snapshot is not self._snapshot:  # a new snapshot: every kept answer is out of date
                self._snapshot = snapshot
                self._answers.clear()
            self._answers[key] = rendered
            while len(self._answers) > self.capacity:
                self._answers.popitem(last=False)
        return rendered
