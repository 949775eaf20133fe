"""Size limits on what clients send, in one place. Pure.

The SECA spec caps label values at 63 characters and lets providers cap how many labels and
annotations a resource carries; names used as the scope of other resources (a workspace, a network) may
have at most 64 characters there, although a resource name may have 128. The rest follows Kubernetes:
keys of at most 317 characters (a DNS prefix of up to 253, a slash and a name of up to 63), 64 labels,
and at most 256 KiB of annotations per resource. Bodies are capped before they are read.
"""

from __future__ import annotations

from collections.abc import Mapping

from secapi_hetzner import errors

MAX_BODY_BYTES = 4 * 1024 * 1024
MAX_LABELS = 64
MAX_LABEL_KEY = 317
MAX_LABEL_VALUE = 63  # the spec's own limit
MAX_ANNOTATIONS = 64
MAX_ANNOTATIONS_BYTES = 256 * 1024
#: the spec's limit on the tenant, workspace and network path parameters
MAX_SCOPE_NAME = 64


def check_labels(labels: Mapping[str, str] | None) -> None:
    """412 naming the limit a label set breaks."""
    labels = labels or {}
    if len(labels) > MAX_LABELS:
        raise errors.PreconditionFailed(f"A resource may carry at most {MAX_LABELS} labels, not {len(labels)}.",
                                        pointer="/labels")
    for key, value in labels.items():
        _check_key(key, "label", "/labels")
        if len(value) > MAX_LABEL_VALUE:
            raise errors.PreconditionFailed(f"The value of label {key[:40]!r} has {len(value)} characters; "
                                            f"label values may have at most {MAX_LABEL_VALUE}.",
                                            pointer=errors.json_pointer(("labels", key)))


def check_annotations(annotations: Mapping[str, str] | None) -> None:
    """412 naming the limit an annotation set breaks."""
    annotations = annotations or {}
    if len(annotations) > MAX_ANNOTATIONS:
        raise errors.PreconditionFailed(f"A resource may carry at most {MAX_ANNOTATIONS} annotations, not "
                                        f"{len(annotations)}.", pointer="/annotations")
    size = 0
    for key, value in annotations.items():
        _check_key(key, "annotation", "/annotations")
        size += len(key.encode()) + len(value.encode())
    if size > MAX_ANNOTATIONS_BYTES:
        raise errors.PreconditionFailed(f"Annotations may hold at most {MAX_ANNOTATIONS_BYTES // 1024} KiB in all, "
                                        f"not {size // 1024} KiB.", pointer="/annotations")


def check_scope_name(kind: str, name: str) -> None:
    """A workspace (or network) name is also a path parameter of the resources inside it."""
    if len(name) > MAX_SCOPE_NAME:
        raise errors.PreconditionFailed(f"A {kind} name may have at most {MAX_SCOPE_NAME} characters (it names "
                                        f"the {kind} of the resources inside it), not {len(name)}.",
                                        parameter="name")


def check_tenant_name(tenant: str) -> None:
    """A tenant is named in every path (``/tenants/{tenant}/…``): 1 to 64 printable characters, no ``/``,
    no surrounding spaces; a token for any other name could never be used. ValueError otherwise."""
    if not 1 <= len(tenant) <= MAX_SCOPE_NAME or "/" in tenant or not tenant.isprintable() or tenant != tenant.strip():
        raise ValueError(f"a tenant name must be 1 to {MAX_SCOPE_NAME} printable characters without '/' or "
                         f"surrounding spaces (it is the tenant path parameter), not {tenant[:80]!r}")


def _check_key(key: str, what: str, pointer: str) -> None:
    if not key or len(key) > MAX_LABEL_KEY:
        raise errors.PreconditionFailed(f"{what.capitalize()} keys have 1 to {MAX_LABEL_KEY} characters; "
                                        f"{key[:40]!r} has {len(key)}.", pointer=pointer)
    if any(ord(c) < 32 or ord(c) == 127 for c in key):
        raise errors.PreconditionFailed(f"{what.capitalize()} key {key[:40]!r} contains control characters.",
                                        pointer=pointer)
