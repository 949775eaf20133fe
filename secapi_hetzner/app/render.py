"""Shape replies: single resources and list pages (``items`` + ``metadata`` with ``skipToken``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from connexion.lifecycle import ConnexionResponse

from secapi_hetzner.labels import parse_label_filter
from secapi_hetzner.metadata import list_metadata
from secapi_hetzner.paging import page
from secapi_hetzner.scope import Api
from secapi_hetzner.settings import LIST_DEFAULT_LIMIT

Reply = tuple[dict[str, Any], int]
#: a 202 with no body, as the spec documents DELETE's answer (``None, 202`` would send ``""``)
Accepted = ConnexionResponse


def accepted() -> ConnexionResponse:
    response: ConnexionResponse = ConnexionResponse(status_code=202, body=b"")
    return response


class Named(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def body(self) -> dict[str, Any]: ...


def resource(body: dict[str, Any], status: int = 200) -> Reply:
    return body, status


def catalog_page(api: Api, collection: str, items: Sequence[Named], *, labels: str | None,
                 limit: int | None, skip_token: str | None, deleted: str = "exclude") -> Reply:
    """A list page over read-only catalog items (which are never deleted)."""
    selector = parse_label_filter(labels)
    matching = [] if deleted == "only" else [
        item for item in items if selector.matches(item.body.get("labels") or {})]
    chunk, next_token = page(matching, limit or LIST_DEFAULT_LIMIT, skip_token)
    return {
        "items": [item.body for item in chunk],
        "metadata": list_metadata(api, collection, "GET", next_token),
    }, 200
