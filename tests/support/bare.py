"""What ``make test-bare`` runs: the checks that could behave differently in a user's clone, where the
reference data (``../shared``) is absent. A test depends on it when its module names the reference data
(the names below, defined in tests/conftest.py) or when it is a variant parametrized over the upstream
spec (its id holds ``upstream``, as the fixtures of tests/contract/conftest.py make them). Everything else
reads nothing of ``../shared`` and has already run in ``make test``; the whole suite is still collected
bare, so a module that fails to import without the folder is caught too."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

#: how a test module names the reference data (tests/conftest.py defines each)
SHARED_NAMES = re.compile(r"\b(UPSTREAM_SPEC\w*|HCLOUD_OPENAPI|NO_SHARED|requires_upstream_spec|SHARED)\b|"
                          r"seca-spec|hcloud-openapi")


@cache
def _names_shared_data(module: Path) -> bool:
    return SHARED_NAMES.search(module.read_text()) is not None


def depends_on_shared(nodeid: str, module: Path) -> bool:
    return "upstream" in nodeid or _names_shared_data(module)
