"""The process's Prometheus exposition as a flat `{name: value}` map (spec 40 §10.2).

Used by the WebSocket snapshot and the 5-second `metrics_updated` push. Labels are
dropped and, as in the reference, the last series of a family in exposition order
wins. Non-finite values are skipped (Quirk Q16): `NaN`/`Infinity` are not JSON.
"""
from __future__ import annotations

import math

from runtime.metrics import exposition


def parse_exposition(text: str) -> dict[str, float]:
    values: dict[str, float] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        tokens = line.split()
        if len(tokens) < 2:
            continue
        name = tokens[0].split("{", 1)[0]
        try:
            value = float(tokens[-1])
        except ValueError:
            continue
        if math.isfinite(value):
            values[name] = value
    return values


def metrics_map() -> dict[str, float]:
    body, _ = exposition()
    return parse_exposition(body.decode("utf-8", errors="replace"))
