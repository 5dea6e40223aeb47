"""The `bin/mawid` command group; each command lives in its own module here."""
from __future__ import annotations

import importlib
import pkgutil

import click

from runtime.config import ConfigError
from runtime.db_connect import DatabaseUnreachable


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def mawid() -> None:
    """Administer Mawid: serve, migrate, seed demo data and more."""


def _load_commands() -> None:
    # Every module of this package contributes the click commands it defines.
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        for value in vars(module).values():
            if (
                isinstance(value, click.Command)
                and value is not mawid
                and getattr(value.callback, "__module__", None) == module.__name__
                and value.name not in mawid.commands
            ):
                mawid.add_command(value)


def main() -> None:
    _load_commands()
    try:
        mawid(standalone_mode=True)
    except ConfigError as exc:
        raise SystemExit(f"configuration error: {exc}") from None
    except DatabaseUnreachable as exc:
        raise SystemExit(f"error: {exc}") from None
