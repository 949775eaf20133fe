"""secapi-hetzner: a SECA v1.7 provider on Hetzner Cloud."""

__version__ = "0.1.0"
