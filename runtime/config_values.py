"""How each configuration variable's text becomes a value: one parser per kind, ValueError when unusable.

`runtime.config` names, for every variable, which of these parses it.
"""
from __future__ import annotations

import ipaddress
import os
from typing import Callable
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def text(raw: str) -> str:
    return raw


def workers(raw: str) -> int:
    if raw.lower() == "auto":
        return os.cpu_count() or 1
    count = int(raw)
    if count < 1:
        raise ValueError("must be a positive number of processes or auto")
    return count


def int_at_least(minimum: int) -> Callable[[str], int]:
    def parse(raw: str) -> int:
        value = int(raw)
        if value < minimum:
            raise ValueError(f"must be at least {minimum}")
        return value

    return parse


def port(raw: str) -> int:
    value = int(raw)
    if not 1 <= value <= 65535:  # a larger number would be taken modulo 65536 by the socket layer, silently
        raise ValueError("must be a TCP port, 1 to 65535")
    return value


def positive_float(raw: str) -> float:
    value = float(raw)
    if value <= 0:
        raise ValueError("must be a positive number")
    return value


def boolean(raw: str) -> bool:
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on", "y", "t"}:
        return True
    if lowered in {"0", "false", "no", "off", "n", "f"}:
        return False
    raise ValueError("must be true or false")


def timezone(raw: str) -> str:
    try:
        ZoneInfo(raw)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown IANA time zone {raw!r}") from exc
    return raw


def networks(raw: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(part.strip(), strict=False) for part in raw.split(",") if part.strip())


def role_name(raw: str) -> str:
    lowered = raw.strip().lower()
    if lowered not in {"viewer", "staff", "admin"}:
        raise ValueError("must be viewer, staff or admin")
    return lowered


def database_url(raw: str) -> str:
    # The reference accepts SQLAlchemy-style URLs; asyncpg wants plain postgresql://.
    legacy_prefixes = ("postgresql+psycopg://", "postgresql+asyncpg://", "postgresql+psycopgbinary://", "postgres://")
    for prefix in legacy_prefixes:
        if raw.startswith(prefix):
            return "postgresql://" + raw[len(prefix):]
    if not raw.startswith("postgresql://"):
        raise ValueError("must be a postgresql:// URL")
    return raw


def web_origin(raw: str) -> str:
    """`scheme://host[:port]` of a URL, lower-cased as browsers send `Origin`; ValueError if it has none."""
    parts = urlsplit(raw.strip())
    if parts.scheme.lower() not in {"http", "https"} or not parts.netloc or "@" in parts.netloc:
        raise ValueError(f"{raw.strip()!r} is not an http(s) origin such as https://clinic.example")
    return f"{parts.scheme}://{parts.netloc}".lower()


def origins(raw: str) -> tuple[str, ...]:
    return tuple(web_origin(part) for part in raw.split(",") if part.strip())


def llm_provider(raw: str) -> str:
    lowered = raw.strip().lower()
    if lowered not in {"openai", "anthropic", "gemini", "offline"}:
        raise ValueError("must be one of openai, anthropic, gemini, offline")
    return lowered
