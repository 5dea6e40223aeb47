"""Helpers for the input-boundary probes (issue 19): raw signed deliveries and hostile JSON."""
from __future__ import annotations

import json

import httpx

from tests.whatsapp.fakes import sign, text_delivery

APP_SECRET = "test-app-secret"  # the `env` fixture's


def nested(depth: int) -> bytes:
    """A JSON document `depth` arrays deep inside an object: `{"a": [[[...]]]}`."""
    return b'{"a": ' + b"[" * depth + b"]" * depth + b"}"


def raw_delivery(wa_id: str, body_escaped: str, message_id: str) -> bytes:
    """A one-text delivery whose `text.body` is `body_escaped` written verbatim into the JSON, so escapes
    such as `\\u0000` or a lone `\\ud800` reach the server exactly as an attacker would send them."""
    marker = "@@BODY@@"
    document = json.dumps(text_delivery(wa_id, marker, message_id))
    return document.replace(json.dumps(marker), '"' + body_escaped + '"').encode()


async def post_signed(http: httpx.AsyncClient, base_url: str, body: bytes,
                      signature: str | None = None) -> httpx.Response:
    headers = {"Content-Type": "application/json", "X-Hub-Signature-256": signature or sign(APP_SECRET, body)}
    return await http.post(base_url + "/webhook", content=body, headers=headers)


def base_env(database_url: str) -> dict[str, str]:
    """What the root `env` fixture gives a server, for a server shared by a module's probes."""
    from tests.conftest import TEST_JWT_SECRET

    return {"DATABASE_URL": database_url, "DB_POOL_MIN": "1", "DB_POOL_MAX": "8", "JWT_SECRET": TEST_JWT_SECRET,
            "LOG_FORMAT": "text", "LOG_LEVEL": "WARNING", "APP_SECRET": APP_SECRET,
            "VERIFY_TOKEN": "test-verify-token", "SCHEDULER_ENABLED": "false"}
