"""`adopt` and `import`: take over a database created by the reference backend.

`adopt` converts a reference database in place, in one transaction (docs/adoption.md);
`import DUMP` restores a reference `pg_dump` into a scratch database, adopts it there and
copies the result into an empty Mawid database.
"""
from __future__ import annotations

import asyncio
import contextlib
import os
import time as clock
from pathlib import Path
from typing import Any, Iterator

import asyncpg
import click
from tqdm import tqdm

from actors.adoption.convert import AdoptionResult, adopt
from actors.adoption.importer import import_dump
from actors.adoption.inspect import AdoptionError
from actors.adoption.report import DatabaseKind
from runtime.db_connect import connect

from .seed_demo import normalize_url

# Tables smaller than this get no progress bar (they take no time).
BAR_MIN_ROWS = 20_000


@contextlib.contextmanager
def progress_bar(table: str, total: int) -> Iterator[Any]:
    with tqdm(total=total, desc=table, unit="rows", unit_scale=True, leave=True,
              disable=True if total < BAR_MIN_ROWS and table != "indexes and foreign keys" else None) as bar:
        yield bar


def business_timezone() -> str:
    return os.environ.get("TIMEZONE") or "Asia/Riyadh"


def echo_result(result: AdoptionResult, dry_run: bool) -> None:
    if result.kind is DatabaseKind.MAWID:
        click.echo("already a Mawid database (adopted before, or created by Mawid): nothing to do")
        return
    if result.report is not None:
        for line in result.report.lines():
            click.echo(line)
    if dry_run:
        click.echo("dry run: nothing was changed")
        return
    if result.adopted:
        click.echo(f"adopted: recorded migrations {', '.join(result.recorded)}")
        if result.pending:
            later = ", ".join(result.pending)
            click.echo(f"later migrations to apply (bin/mawid migrate, or at server start): {later}")
        if result.users and not result.admins:
            click.echo("no adopted user is an admin (the reference had no superuser): "
                       "promote one with `bin/mawid user set-role EMAIL admin`")
        click.echo("timings: " + ", ".join(f"{name} {seconds:.2f}s" for name, seconds in result.timings.items()))


async def _adopt(url: str, dry_run: bool) -> AdoptionResult:
    conn = await connect(normalize_url(url))
    try:
        return await adopt(conn, timezone=business_timezone(), dry_run=dry_run, progress=progress_bar)
    finally:
        await conn.close()


@click.command("adopt")
@click.option("--database-url", envvar="DATABASE_URL", required=True,
              help="The reference's PostgreSQL database (default: $DATABASE_URL).")
@click.option("--dry-run", is_flag=True,
              help="Print the conversions and every row that cannot be converted; change nothing.")
def adopt_command(database_url: str, dry_run: bool) -> None:
    """Upgrade a database created by the reference backend to Mawid's schema, in place."""
    started = clock.perf_counter()
    try:
        result = asyncio.run(_adopt(database_url, dry_run))
    except AdoptionError as exc:
        if exc.report is not None:
            for line in exc.report.lines():
                click.echo(line)
        raise click.ClickException(f"adoption refused: {exc}") from None
    except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
        raise click.ClickException(f"adoption failed, nothing was changed: {exc}") from None
    echo_result(result, dry_run)
    if dry_run and result.report is not None and result.report.problems:
        # the dry run itself succeeded, but says plainly that adopt would refuse
        click.echo(f"adopt would refuse: {result.report.problem_rows} rows cannot be converted")
        raise SystemExit(1)
    click.echo(f"done in {clock.perf_counter() - started:.1f}s", err=True)


@click.command("import")
@click.argument("dump", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--database-url", envvar="DATABASE_URL", required=True,
              help="An empty Mawid database, or an empty database (default: $DATABASE_URL).")
def import_command(dump: Path, database_url: str) -> None:
    """Load a reference pg_dump (plain SQL, optionally gzipped) into an empty Mawid database."""
    started = clock.perf_counter()
    try:
        result = asyncio.run(import_dump(normalize_url(database_url), dump, timezone=business_timezone(),
                                         progress=progress_bar))
    except AdoptionError as exc:
        if exc.report is not None:
            for line in exc.report.lines():
                click.echo(line)
        raise click.ClickException(f"import refused: {exc}") from None
    except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
        raise click.ClickException(f"import failed, the target was not changed: {exc}") from None
    echo_result(result, dry_run=False)
    click.echo(f"imported {dump} in {clock.perf_counter() - started:.1f}s")
