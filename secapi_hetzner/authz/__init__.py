"""Role-based access control: which requests a subject's role assignments allow. Pure (no I/O)."""

from secapi_hetzner.authz.decide import Access, Decision, Rules, decide, target_of

__all__ = ["Access", "Decision", "Rules", "decide", "target_of"]
