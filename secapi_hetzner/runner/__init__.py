"""The runner: workers that claim operations from the queue and run the kinds' steps, and the drift
check that compares Hetzner with what the resources say."""

from secapi_hetzner.runner.drift import DriftReconciler
from secapi_hetzner.runner.worker import Worker

__all__ = ["DriftReconciler", "Worker"]
