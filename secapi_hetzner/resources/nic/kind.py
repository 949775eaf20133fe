"""The NIC kind: admission (the subnet exists, every address is a free-to-ask host of it, public IPs and
security groups fit a Hetzner server), the delete refusal while an instance carries the NIC, and the
status read from what the carrying instance found on Hetzner.

A NIC is realised as a Hetzner server's attachment to its subnet's network (``ip`` and ``alias_ips``),
the primary IPs its public IPs stand for and the firewalls of its security groups, all set by the
instance that references it (docs/compatibility.md, NICs). Public IPs may be named before they exist
(SECA clients create them afterwards); the instance waits for them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from secapi_hetzner import errors
from secapi_hetzner.resources.admission import Admission
from secapi_hetzner.resources.kinds import DeleteCheck, Kind, UpdateAnswer
from secapi_hetzner.resources.network import usage as networks
from secapi_hetzner.resources.network.kind import annotate_active
from secapi_hetzner.resources.nic import usage
from secapi_hetzner.resources.nic.model import NicRecord, NicSpec
from secapi_hetzner.resources.nic.reconcile import NicReconciler
from secapi_hetzner.resources.nic.translate import status_addresses, wanted_addresses
from secapi_hetzner.resources.public_ip.model import PublicIpSpec
from secapi_hetzner.resources.subnet import usage as subnets
from secapi_hetzner.scope import NETWORK
from secapi_hetzner.store.repository import Key, Resource, ResourceRepository


class NicKind(Kind):
    api = NETWORK
    kind = "nic"
    collection = "nics"
    scope = "workspace"
    record = NicRecord
    reconciler = NicReconciler()

    def admit(self, request: Admission) -> dict[str, Any]:
        spec = NicSpec.parse(request.spec)
        subnet_ref = request.expect(spec.subnet, "subnetRef", "subnets")
        if not subnet_ref.network:
            raise errors.PreconditionFailed("spec.subnetRef must name the subnet's network: "
                                            "networks/<network>/subnets/<subnet>.", pointer="/spec/subnetRef")
        network = networks.live_network(request.repository, request.tenant, request.workspace, subnet_ref.network)
        subnet = subnets.live_subnet(request.repository, request.tenant, request.workspace, subnet_ref.network,
                                     subnet_ref.name) if network is not None else None
        if network is None or subnet is None:
            raise errors.PreconditionFailed(f"spec.subnetRef references subnet {subnet_ref.name!r} of network "
                                            f"{subnet_ref.network!r}, which does not exist.",
                                            pointer="/spec/subnetRef")
        network_range = networks.ip_range_of(network)
        wanted_addresses(spec.addresses, subnets.block_of(subnet, network_range), network_range)
        families: dict[str, str] = {}
        for index, ref in enumerate(spec.public_ips):
            name = request.expect(ref, f"publicIpRefs.{index}", "public-ips").name
            users = [n for n in usage.nics_using(request.repository, request.tenant, request.workspace,
                                                 "public-ips", name) if n.key.name != request.name]
            if users:
                raise errors.PreconditionFailed(f"spec.publicIpRefs[{index}]: public IP {name!r} is used by NIC "
                                                f"{users[0].key.name!r}.", pointer=f"/spec/publicIpRefs/{index}")
            found = request.repository.get(Key(request.tenant, request.workspace, "", "public-ip", name))
            if found is None or found.deleted_at is not None:
                continue  # may be created afterwards: the instance carrying the NIC waits for it
            family = PublicIpSpec.parse(found.spec).version
            if family in families and families[family] != name:
                raise errors.PreconditionFailed(
                    f"spec.publicIpRefs[{index}]: {name!r} is a second {family} public IP (with "
                    f"{families[family]!r}); a Hetzner server has one primary IP of each family.",
                    pointer=f"/spec/publicIpRefs/{index}")
            families[family] = name
        for index, ref in enumerate(spec.security_groups):
            field = f"securityGroupRefs.{index}"
            request.existing("security-group", request.expect(ref, field, "security-groups").name, field)
        if spec.sku is not None:
            request.expect(spec.sku, "skuRef", "skus")
        return {}

    def update_answer(self, request: Admission) -> UpdateAnswer:
        """Answered ``active``: a NIC no instance carries changes nothing on Hetzner; one that is carried
        is brought onto the server by the NIC's operation (the condition says so until then)."""
        if usage.instances_using(request.repository, request.tenant, request.workspace, request.name):
            return UpdateAnswer(True, "ApplyingToInstance", "The change is being applied to the server of the "
                                                            "instance that carries this NIC.")
        return UpdateAnswer(work=False)

    def refuse_delete(self, resource: Resource, check: DeleteCheck) -> None:
        key = resource.key
        users = [i for i in check.referencing(key.tenant, key.workspace, "instance", f'nics/{key.name}"')
                 if i.deleted_at is None]
        if users:
            raise errors.PreconditionFailed(f"NIC {key.name!r} is used by instance {users[0].key.name!r}; delete "
                                            "the instance or remove the NIC from it first.")

    def live_status(self, resources: Sequence[Resource], repository: ResourceRepository) -> dict[UUID, dict[str, Any]]:
        """What Hetzner has of each NIC (recorded by its instance): addresses, MAC, bound public IPs; a NIC
        no server carries has none of these, and its condition says so."""
        extra: dict[UUID, dict[str, Any]] = {}
        for nic in resources:
            record = NicRecord.from_json(nic.internal)
            if record.instance and record.ip:
                bound = set(record.public_ips or ())
                fields: dict[str, Any] = {"addresses": status_addresses(record.ip, record.alias_ips)}
                if record.mac:
                    fields["macAddress"] = record.mac
                refs = [ref for ref in nic.spec.get("publicIpRefs") or []
                        if isinstance(ref, dict) and str(ref.get("resource", "")).rsplit("/", 1)[-1] in bound]
                if refs:
                    fields["publicIpRefs"] = refs
                fields.update(annotate_active(nic.status, "Attached", (
                    f"Carried by instance {record.instance!r}: Hetzner server {record.server_id} in network "
                    f"{record.network_id}.")))
            else:
                fields = annotate_active(nic.status, "NotAttached", (
                    "No instance carries this NIC: it exists in secapi-hetzner only until an instance references "
                    "it (then it is that server's attachment to the subnet's network)."))
            if fields:
                extra[nic.id] = fields
        return extra


NIC = NicKind()
