"""`serve`, `migrate` and `env-table`: run the service and prepare its database."""
from __future__ import annotations

import asyncio
import gc
import os
from pathlib import Path

import click

from runtime.config import env_table
from runtime.logs import configure_logging
from runtime.migrate import migrate_url

from .settings import database_config
from .workers import is_worker, run_workers


@click.command("serve")
@click.option("--host", default=None, help="Listen address (default: HOST or 0.0.0.0).")
@click.option("--port", type=click.IntRange(1, 65535), default=None, help="Listen port (default: PORT or 8000).")
@click.option("--workers", default=None,
              help="Server processes sharing the port: a number or `auto` (one per core; default: WORKERS or 1).")
def serve(host: str | None, port: int | None, workers: str | None) -> None:
    """Start the HTTP, WebSocket and webhook server (migrates the database first)."""
    if workers is not None:
        os.environ["WORKERS"] = workers  # parsed with every other setting, and inherited by the workers
    config = database_config("`make run` starts a local PostgreSQL for you")
    configure_logging(config.log_level, config.log_format)
    if config.workers > 1 and not is_worker():
        raise SystemExit(run_workers(config.workers, host or config.host, port or config.port))
    from handlers.app import create_app
    from runtime.http_server import run

    try:
        import uvloop

        uvloop.install()
    except ImportError:  # uvloop is optional on platforms without it
        pass
    app = create_app(config)
    app.on_startup.append(_freeze_startup_heap)  # after every feature's startup
    run(app, host=host or config.host, port=port or config.port, shutdown_timeout=config.shutdown_deadline,
        reuse_port=True if is_worker() else None)


async def _freeze_startup_heap(app) -> None:
    """Move what startup built (modules, SDKs, pools: hundreds of thousands of objects that live as long as the
    process) out of the cycle collector's reach, so its full collections stop walking them between requests."""
    gc.collect()
    gc.freeze()


@click.command("migrate")
def migrate() -> None:
    """Apply pending SQL migrations (safe to run while other processes migrate)."""
    config = database_config()
    applied = asyncio.run(migrate_url(config.database_url))
    if applied:
        for migration in applied:
            click.echo(f"applied {migration.version:04d}_{migration.name}")
    else:
        click.echo("database is up to date")


@click.command("env-table")
@click.option("--write", is_flag=True, help="Rewrite the table in README.md instead of printing it.")
def env_table_command(write: bool) -> None:
    """Print the Markdown table of environment variables (as in the README)."""
    if not write:
        click.echo(env_table())
        return
    readme = Path(__file__).resolve().parents[2] / "README.md"
    text = readme.read_text(encoding="utf-8")
    start = text.index("| Variable | Default | What it does |")
    end = text.find("\n\n", start)
    end = len(text.rstrip("\n")) if end == -1 else end
    readme.write_text(text[:start] + env_table() + text[end:], encoding="utf-8")
    click.echo(f"updated {readme}")
