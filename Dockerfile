# syntax=docker/dockerfile:1
# Two stages: wheels are built with the compilers of the full image, the runtime image gets only the
# installed packages. The same steps as `make run` otherwise: install the package, serve with gunicorn.
# The embedded PostgreSQL is for development; in a container set DATABASE_URL to a real server
# (deploy/kubernetes has the manifests; docs/operations.md the production guide).
FROM python:3.11.11-slim-bookworm AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY secapi_hetzner ./secapi_hetzner
COPY handlers ./handlers
RUN python -m venv /opt/venv && /opt/venv/bin/pip install --no-cache-dir --upgrade pip \
    && /opt/venv/bin/pip install --no-cache-dir .

FROM python:3.11.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PATH=/opt/venv/bin:$PATH \
    HOST=0.0.0.0 PORT=8080 SECA_DATA_DIR=/var/lib/secapi-hetzner \
    SECA_SPEC_DIR=/app/spec SECA_MIGRATIONS_DIR=/app/migrations SECA_LOG_FORMAT=json
RUN useradd --system --uid 10001 --create-home --home-dir /app seca \
    && mkdir -p /var/lib/secapi-hetzner && chown seca /var/lib/secapi-hetzner
WORKDIR /app
COPY --from=build /opt/venv /opt/venv
COPY spec ./spec
COPY migrations ./migrations
USER seca
EXPOSE 8080 9100
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen(f'http://127.0.0.1:{os.environ.get(\"PORT\", \"8080\")}/healthz', timeout=4)"]
ENTRYPOINT ["secapi-hetzner"]
CMD ["serve"]
