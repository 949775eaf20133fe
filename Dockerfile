# The same steps as `make run`: install the package, serve with gunicorn + uvicorn workers.
# The embedded PostgreSQL is for development; in a container set DATABASE_URL to a real server.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    HOST=0.0.0.0 PORT=8080 SECA_DATA_DIR=/var/lib/secapi-hetzner \
    SECA_SPEC_DIR=/app/spec SECA_MIGRATIONS_DIR=/app/migrations

RUN useradd --system --create-home --home-dir /app seca
WORKDIR /app
COPY pyproject.toml README.md ./
COPY secapi_hetzner ./secapi_hetzner
COPY handlers ./handlers
COPY spec ./spec
COPY migrations ./migrations
RUN pip install --no-cache-dir . && mkdir -p /var/lib/secapi-hetzner && chown seca /var/lib/secapi-hetzner

USER seca
EXPOSE 8080
ENTRYPOINT ["secapi-hetzner"]
CMD ["serve"]
