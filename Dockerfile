# Mawid service image: the app, its SQL and the admin CLI (serve, migrate, backup, restore, jobs) on Python 3.11.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    MAWID_NO_REEXEC=1 BACKUP_DIR=/app/var/backups
# pg_dump/psql must be at least the server's major version (compose runs PostgreSQL 16), and
# Debian bookworm ships 15: take the client from the PostgreSQL project's apt repository.
RUN apt-get update -qq \
    && apt-get install -y -qq --no-install-recommends postgresql-common ca-certificates \
    && /usr/share/postgresql-common/pgdg/apt.postgresql.org.sh -y >/dev/null \
    && apt-get install -y -qq --no-install-recommends postgresql-client-16 \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml constraints.txt ./
COPY runtime ./runtime
COPY actors ./actors
COPY handlers ./handlers
RUN pip install -q -c constraints.txt .
COPY sql ./sql
COPY bin ./bin

RUN useradd --system --uid 10001 --home-dir /app mawid && mkdir -p /app/var/backups && chown -R mawid /app/var
USER mawid
VOLUME ["/app/var/backups"]
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s \
    CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz').status != 200)"
# `serve` runs on uvloop; every replica takes part in the scheduler-leader election.
CMD ["python", "bin/mawid", "serve"]
