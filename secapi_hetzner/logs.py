"""Log records as JSON lines (the standard library's logging with a JSON formatter), each with the request
id of the SECA request it belongs to (``X-Request-Id``, asgi-correlation-id), and the tenant, workspace,
resource and operation where the code passes them as ``extra``. Tokens never reach a record: no code logs
one (a test scans the logs of a whole run for every token it used)."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

#: the ``extra`` fields a record may carry into its JSON line (``correlation_id``: the request id, set by
#: asgi-correlation-id's filter)
CONTEXT_FIELDS = {"correlation_id": "request_id", "tenant": "tenant", "workspace": "workspace",
                  "resource": "resource", "operation": "operation"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(), "logger": record.name, "message": record.getMessage()}
        for attribute, name in CONTEXT_FIELDS.items():
            value = getattr(record, attribute, None)
            if value not in (None, "", "-"):
                line[name] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)


def configure(level: str, fmt: str) -> None:
    """Root logging: JSON lines (``fmt == "json"``) or the plain text ``make run`` prints."""
    from asgi_correlation_id import CorrelationIdFilter

    handler = logging.StreamHandler()
    handler.addFilter(CorrelationIdFilter(uuid_length=32, default_value="-"))
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
