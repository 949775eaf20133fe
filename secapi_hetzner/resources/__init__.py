"""SECA resource kinds, one package each."""

__all__: list[str] = []
