"""What each page of a browser test saw: WebSocket frames, HTTP answers, console lines, errors.

Recorded for every page of every browser profile a test opens, and printed only when the test
fails, after the tail of the live server's log: a live update that never arrived is then a
question with evidence (was the event sent, did the page fetch over it, did the socket drop?).
"""
from __future__ import annotations

import time
from typing import Any

FRAME_CHARS = 240
SHOWN_LINES = 400


class BrowserTrace:
    def __init__(self) -> None:
        self.started = time.monotonic()
        self.lines: list[str] = []
        self._pages = 0

    def _note(self, page_name: str, text: str) -> None:
        self.lines.append(f"{time.monotonic() - self.started:8.3f} {page_name} {text}")

    def watch(self, context: Any) -> None:
        """Record every page this browser profile opens from now on."""
        context.on("page", self._watch_page)

    def _watch_page(self, page: Any) -> None:
        self._pages += 1
        name = f"p{self._pages}"
        note = lambda text: self._note(name, text)  # noqa: E731
        page.on("console", lambda message: note(f"console.{message.type}: {message.text[:FRAME_CHARS]}"))
        page.on("pageerror", lambda error: note(f"pageerror: {error}"))
        page.on("framenavigated", lambda frame: note(f"navigated {frame.url}") if frame == page.main_frame else None)
        page.on("requestfailed", lambda request: note(f"request failed {request.method} {request.url}: "
                                                      f"{request.failure}"))
        page.on("response", lambda response: None if "/static/" in response.url else
                note(f"<- {response.status} {response.request.method} {response.url}"))
        page.on("websocket", lambda socket: self._watch_socket(note, socket))

    @staticmethod
    def _watch_socket(note: Any, socket: Any) -> None:
        note(f"ws open {socket.url}")
        socket.on("framesent", lambda payload: note(f"ws >> {str(payload)[:FRAME_CHARS]}"))
        socket.on("framereceived", lambda payload: note(f"ws << {str(payload)[:FRAME_CHARS]}"))
        socket.on("socketerror", lambda error: note(f"ws error {error}"))
        socket.on("close", lambda _socket: note("ws closed"))

    def report(self, server_log: str = "") -> str:
        shown = self.lines[-SHOWN_LINES:]
        skipped = len(self.lines) - len(shown)
        # The server's log first and the trace last: a CI summary that keeps only the ends of the output
        # then still shows the last frames and fetches each page saw.
        log = ["--- live server log (tail) ---", server_log[-4000:]] if server_log else []
        head = [f"--- browser trace ({len(self.lines)} lines{f', first {skipped} left out' if skipped else ''};"
                " static files left out) ---"]
        return "\n".join(log + head + shown)
