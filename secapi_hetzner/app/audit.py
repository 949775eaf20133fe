"""The audit trail: every mutating request (PUT, DELETE, action POST) of a tenant and every denial is
recorded in PostgreSQL's append-only ``audit_log``: tenant, subject, method, path, operation, status,
a short detail (the error's, never a body or a token), the source address and a correlation id. A
failure to record is logged and does not fail the request (what it did is done by then)."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from connexion.context import request as connexion_request

from secapi_hetzner.app.context import current_principal
from secapi_hetzner.app.services import current

AUDITED_METHODS = frozenset({"PUT", "DELETE", "POST"})
log = logging.getLogger(__name__)


def _request_facts() -> tuple[str, str]:
    try:
        client = connexion_request.client
        return connexion_request.url.path, client.host if client else ""
    except (LookupError, RuntimeError, AttributeError):  # outside a request
        return "", ""


def record(tenant: str, method: str, operation: str, status: int, detail: str = "") -> None:
    principal = current_principal()
    subject = principal.subject if principal else ""
    if principal is not None and principal.tenant != tenant:  # someone of another tenant knocked
        subject = f"{principal.subject}@{principal.tenant}"
    path, source = _request_facts()
    params: dict[str, Any] = {"tenant": tenant, "subject": subject, "method": method, "path": path[:2048],
                              "operation": operation, "status": status, "detail": detail[:500], "source": source,
                              "correlation": uuid.uuid4().hex}
    try:
        current().db.run("record_audit", params)
    except Exception as exc:  # the request's effect stands; say that its record is missing
        log.warning("audit: %s %s (%s) of tenant %r not recorded: %s", method, path, operation, tenant,
                    type(exc).__name__)
