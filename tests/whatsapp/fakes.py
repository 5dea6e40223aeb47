"""Local stand-ins for Meta's Graph API, on loopback, for end-to-end tests and benchmarks."""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import time
from pathlib import Path
from typing import Any

import httpx
from aiohttp import web

from tests.support.requirements import require_fixture, shared_fixture

FIXTURES = shared_fixture("whatsapp")
# Meta's shapes this project added itself (interactive taps); the rest come from the shared fixtures.
OWN_PAYLOADS = Path(__file__).parent / "payloads"


def fixture(name: str) -> dict[str, Any]:
    own = OWN_PAYLOADS / name
    path = own if own.exists() else require_fixture(FIXTURES / name)
    return json.loads(path.read_text(encoding="utf-8"))


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode("latin-1"), body, hashlib.sha256).hexdigest()


def text_delivery(wa_id: str, text: str, message_id: str, timestamp: int | None = None) -> dict[str, Any]:
    timestamp = int(time.time()) if timestamp is None else timestamp
    return {"object": "whatsapp_business_account", "entry": [{"id": "102290129340398", "changes": [{
        "field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "15550783881", "phone_number_id": "106540352242922"},
            "contacts": [{"profile": {"name": "Customer"}, "wa_id": wa_id}],
            "messages": [{"from": wa_id, "id": message_id, "timestamp": str(timestamp), "type": "text",
                          "text": {"body": text}}]}}]}]}


async def post_delivery(base_url: str, secret: str, payload: Any, *, signature: str | None = None,
                        client: httpx.AsyncClient | None = None) -> httpx.Response:
    body = json.dumps(payload, ensure_ascii=False).encode() if not isinstance(payload, bytes) else payload
    headers = {"Content-Type": "application/json", "X-Hub-Signature-256": signature or sign(secret, body)}
    if client is not None:
        return await client.post(base_url + "/webhook", content=body, headers=headers)
    async with httpx.AsyncClient(timeout=10) as own:
        return await own.post(base_url + "/webhook", content=body, headers=headers)


def status_delivery(wamid: str, status: str, recipient: str, callback_data: str | None = None) -> dict[str, Any]:
    """A status callback as Meta posts it; `callback_data` is the send's echoed `biz_opaque_callback_data`."""
    entry: dict[str, Any] = {"id": wamid, "status": status, "timestamp": str(int(time.time())),
                             "recipient_id": recipient}
    if callback_data is not None:
        entry["biz_opaque_callback_data"] = callback_data
    return {"object": "whatsapp_business_account", "entry": [{"id": "102290129340398", "changes": [{
        "field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "15550783881", "phone_number_id": "106540352242922"},
            "statuses": [entry]}}]}]}


def _gave_up() -> web.Response:
    return web.json_response({"error": {"message": "gave up", "type": "Transient"}}, status=504)


class FakeGraph:
    """Records every message POSTed to /{version}/{phone_number_id}/messages and answers like Graph."""

    def __init__(self, id_prefix: str = "wamid.fake") -> None:
        self.id_prefix = id_prefix  # message ids answered are id_prefix + a counter
        self.requests: list[dict[str, Any]] = []
        self.fail_next: list[int] = []  # HTTP statuses to answer text messages with before succeeding again
        self.failed: list[dict[str, Any]] = []
        self.hang_for: set[str] = set()  # recipients whose text messages are read but never answered
        self.hang_all = False  # every recipient's text messages are read but never answered
        self.hung: list[dict[str, Any]] = []
        self.hold_for: set[str] = set()  # recipients whose text messages wait unanswered until release_held()
        self.held: list[dict[str, Any]] = []
        self.accepted_ids: list[str] = []  # the id answered for every message accepted, in order
        self.accepted_at: list[float] = []  # time.monotonic() of each acceptance, in the same order
        # Recipient -> how many of their next text messages are accepted (and reported) but never answered.
        self.accept_unanswered: dict[str, int] = {}
        self.unanswered: list[dict[str, Any]] = []
        self.report_to = ""  # a server's base URL: each accepted message is reported there, as Meta does
        self.report_secret = "test-app-secret"
        self.reports: list[tuple[dict[str, Any], int]] = []  # (status reported, the server's HTTP answer; 0: none)
        self._stopped = asyncio.Event()
        self._unhang = asyncio.Event()
        self._release = asyncio.Event()
        self._stopping = False
        self._ids = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self.url = ""
        self.changed = asyncio.Event()

    @property
    def texts(self) -> list[dict[str, Any]]:
        return [r for r in self.requests if r.get("type") == "text"]

    def texts_to(self, wa_id: str) -> list[str]:
        return [r["text"]["body"] for r in self.texts if r.get("to") == wa_id]

    async def _messages(self, request: web.Request) -> web.Response:
        body = await request.json()
        if request.headers.get("Authorization") != "Bearer test-access-token":
            return web.json_response({"error": {"message": "Invalid OAuth access token", "type": "OAuthException"}},
                                     status=401)
        text_to = body.get("to") if body.get("type") == "text" else None
        if text_to is not None and text_to in self.hold_for:
            self.held.append(body)
            self.changed.set()
            await self._release.wait()  # then accepted as usual, unless the fake stops first
            if self._stopping:
                return _gave_up()
        elif text_to is not None and (self.hang_all or text_to in self.hang_for):
            self.hung.append(body)
            self.changed.set()
            # No answer until the test stops the hang; by then the caller has given up, so nothing is delivered.
            await self._unhang.wait()
            return _gave_up()
        if self.fail_next and body.get("type") == "text":
            self.failed.append(body)
            return web.json_response({"error": {"message": "temporary", "type": "Transient"}},
                                     status=self.fail_next.pop(0))
        self.requests.append(body)
        self.changed.set()
        if "status" in body:  # read receipt or typing indicator
            return web.json_response({"success": True})
        to = body.get("to")
        message_id = f"{self.id_prefix}{next(self._ids)}"
        self.accepted_ids.append(message_id)  # with the request above, in one step: accepted means both
        self.accepted_at.append(time.monotonic())
        if self.report_to:
            await self._report(body, message_id)
        if text_to is not None and self.accept_unanswered.get(text_to, 0) > 0:
            self.accept_unanswered[text_to] -= 1
            self.unanswered.append(body)
            self.changed.set()
            await self._stopped.wait()  # accepted, but the caller never learns it (times out or dies waiting)
            return _gave_up()
        return web.json_response({"messaging_product": "whatsapp", "contacts": [{"input": to, "wa_id": to}],
                                  "messages": [{"id": message_id}]})

    async def _report(self, body: dict[str, Any], message_id: str) -> None:
        """POST the signed `sent` status callback to `report_to` and wait for the server's answer."""
        delivery = status_delivery(message_id, "sent", str(body.get("to")), body.get("biz_opaque_callback_data"))
        try:
            answer = (await post_delivery(self.report_to, self.report_secret, delivery)).status_code
        except httpx.HTTPError:
            answer = 0
        self.reports.append((delivery["entry"][0]["changes"][0]["value"]["statuses"][0], answer))
        self.changed.set()

    def release_held(self) -> None:
        """Accept and answer the held messages now (a hang set meanwhile does not apply to them)."""
        self.hold_for.clear()
        self._release.set()
        self._release = asyncio.Event()

    def stop_hanging(self) -> None:
        """Answer normally again; requests still hanging end with an error nobody reads."""
        self.hang_for.clear()
        self.hang_all = False
        self._unhang.set()
        self._unhang = asyncio.Event()

    async def start(self) -> "FakeGraph":
        app = web.Application()
        app.router.add_post("/{version}/{phone}/messages", self._messages)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def stop(self) -> None:
        self._stopping = True
        self._stopped.set()
        self._unhang.set()  # hung and held handlers end, unanswered, so shutdown does not wait for them
        self._release.set()
        if self._runner is not None:
            await self._runner.cleanup()

    def env(self) -> dict[str, str]:
        return {"GRAPH_API_URL": self.url, "ACCESS_TOKEN": "test-access-token", "PHONE_NUMBER_ID": "106540352242922",
                "VERSION": "v21.0"}
