"""Walking a SECA list page by page, as a client does (skipToken after skipToken)."""

from __future__ import annotations

from typing import Any


def names_across_pages(client: Any, path: str, params: dict[str, str | int], *, most: int = 20) -> list[str]:
    """The names of every item of the list at ``path``, following ``skipToken`` for at most ``most`` pages."""
    params = dict(params)
    names: list[str] = []
    for _ in range(most):
        page = client.get(path, params=params).json()
        names += [item["metadata"]["name"] for item in page["items"]]
        token = page["metadata"].get("skipToken")
        if token is None:
            return names
        params["skipToken"] = token
    raise AssertionError(f"{path}: more than {most} pages")
