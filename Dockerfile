# Mawid service image: the app, its SQL and the admin CLI on Python 3.11.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 MAWID_NO_REEXEC=1
# pg_dump/psql for backups and restores.
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends postgresql-client \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml constraints.txt ./
COPY runtime ./runtime
COPY actors ./actors
COPY handlers ./handlers
RUN pip install -c constraints.txt .
COPY sql ./sql
COPY bin ./bin

RUN useradd --system --uid 10001 mawid && mkdir -p /app/var && chown mawid /app/var
USER mawid
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz').status != 200)"
CMD ["python", "bin/mawid", "serve"]
