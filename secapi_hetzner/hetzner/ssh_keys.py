"""SSH keys: unique per project by name and by fingerprint (the MD5 of the key, ``aa:bb:…``)."""

from __future__ import annotations

from collections.abc import Mapping

from hcloud.ssh_keys import BoundSSHKey, SSHKey

from secapi_hetzner.hetzner.core import GatewayCore
from secapi_hetzner.hetzner.models import HSshKey, freeze_labels


def ssh_key_from(bound: BoundSSHKey) -> HSshKey:
    key = bound.data_model
    return HSshKey(id=int(key.id or 0), name=str(key.name or ""), fingerprint=str(key.fingerprint or ""),
                   public_key=str(key.public_key or ""), labels=freeze_labels(key.labels))


class SshKeysMixin(GatewayCore):
    def find_ssh_keys(self, label_selector: str) -> list[HSshKey]:
        found = self._pages("ssh_keys.get_list", lambda page, per_page: self._client.ssh_keys.get_list(
            label_selector=label_selector, page=page, per_page=per_page))
        return [ssh_key_from(k) for k in found]

    def get_ssh_key_by_fingerprint(self, fingerprint: str) -> HSshKey | None:
        """The project's key with this fingerprint, or None (a list call: no ``HetznerNotFound``)."""
        found = self._call("ssh_keys.get_by_fingerprint",
                           lambda: self._client.ssh_keys.get_by_fingerprint(fingerprint))
        return ssh_key_from(found) if found is not None else None

    def create_ssh_key(self, *, name: str, public_key: str, labels: Mapping[str, str]) -> HSshKey:
        """An existing name or fingerprint answers ``uniqueness_error`` (a rejection)."""
        return ssh_key_from(self._call("ssh_keys.create", lambda: self._client.ssh_keys.create(
            name, public_key, labels=dict(labels))))

    def delete_ssh_key(self, ssh_key_id: int) -> None:
        self._call("ssh_keys.delete", lambda: self._client.ssh_keys.delete(SSHKey(id=ssh_key_id)))
