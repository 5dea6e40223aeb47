"""The configuration as the CLI commands need it: a config error or a missing database is a clear message."""
from __future__ import annotations

import click

from runtime.config import Config, ConfigError, load_config


def cli_config() -> Config:
    try:
        return load_config()
    except ConfigError as exc:
        raise click.ClickException(f"configuration error: {exc}") from None


def database_config(hint: str = "") -> Config:
    """The configuration of a command that needs the database (`hint` follows the missing-URL message)."""
    config = cli_config()
    if not config.database_url:
        raise click.ClickException("DATABASE_URL is not set" + (f"; {hint}" if hint else ""))
    return config
