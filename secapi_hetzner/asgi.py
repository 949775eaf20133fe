"""The ASGI entry point gunicorn's uvicorn workers import: ``secapi_hetzner.asgi:application``.

The gunicorn master has already prepared the database (and the simulator) and exported their
URLs into the environment, so each worker only reads its settings.
"""

from secapi_hetzner.app import create_app
from secapi_hetzner.settings import Settings

application = create_app(Settings.from_env())
