"""The ASGI entry point gunicorn's uvicorn workers import: ``secapi_hetzner.asgi:application``.

The gunicorn master has already prepared the database (and the simulator) and exported their
URLs into the environment, so each worker only reads its settings.
"""

import gc

from secapi_hetzner.app import create_app
from secapi_hetzner.settings import Settings

application = create_app(Settings.from_env())

# What the app built (12 parsed spec documents, their validators, the routes) lives as long as the worker.
# Frozen out of the collector's reach, it is no longer walked by every full collection: each one took
# about 70 ms of the event loop, every few seconds under load, and made the slowest 1% of reads
# (bench/reads.py). Only the serving workers import this module: tests building many apps never freeze one.
gc.collect()
gc.freeze()
