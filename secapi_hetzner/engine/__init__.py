"""The resource engine's execution side: the durable operation queue and its workers."""

from secapi_hetzner.engine.outcome import Outcome, backoff
from secapi_hetzner.engine.queue import Operation, Queue
from secapi_hetzner.engine.worker import Worker

__all__ = ["Operation", "Outcome", "Queue", "Worker", "backoff"]
