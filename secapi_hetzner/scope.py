"""Identity values shared by every layer: the SECA APIs this service serves."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Api:
    """One SECA API: ``seca.compute`` at version ``v1``, served under ``/providers/seca.compute``."""

    slug: str
    version: str
    document: str
    regional: bool

    @property
    def name(self) -> str:
        return f"seca.{self.slug}"

    @property
    def provider(self) -> str:
        return f"{self.name}/{self.version}"

    @property
    def base_path(self) -> str:
        return "/" if self.slug == "wellknown" else f"/providers/{self.name}"


APIS: tuple[Api, ...] = (
    Api("wellknown", "v1", "extensions.wellknown.v1.yaml", regional=False),
    Api("region", "v1", "foundation.region.v1.yaml", regional=False),
    Api("authorization", "v1", "foundation.authorization.v1.yaml", regional=False),
    Api("workspace", "v1", "foundation.workspace.v1.yaml", regional=True),
    Api("compute", "v1", "foundation.compute.v1.yaml", regional=True),
    Api("storage", "v1", "foundation.storage.v1.yaml", regional=True),
    Api("network", "v1", "foundation.network.v1.yaml", regional=True),
    Api("activity-log", "v1beta1", "extensions.activitylog.v1beta1.yaml", regional=True),
    Api("kubernetes", "v1beta1", "extensions.kubernetes.v1beta1.yaml", regional=True),
    Api("load-balancer", "v1beta1", "extensions.loadbalancer.v1beta1.yaml", regional=True),
    Api("nat-gateway", "v1beta1", "extensions.natgateway.v1beta1.yaml", regional=True),
    Api("object-storage", "v1beta1", "extensions.objectstorage.v1beta1.yaml", regional=True),
)
APIS_BY_SLUG = {api.slug: api for api in APIS}
COMPUTE, STORAGE, NETWORK, REGION = (APIS_BY_SLUG[s] for s in ("compute", "storage", "network", "region"))
