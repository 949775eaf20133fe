"""The toolkit kinds are written against: what a step sees (context), following a Hetzner action across
restarts (follow), and what a step reports (outcome). It never imports a kind; the runner that drives
the steps lives in :mod:`secapi_hetzner.runner`."""

from secapi_hetzner.engine.context import StepContext
from secapi_hetzner.engine.follow import follow
from secapi_hetzner.engine.outcome import Outcome, backoff, reason_from_code

__all__ = ["Outcome", "StepContext", "backoff", "follow", "reason_from_code"]
