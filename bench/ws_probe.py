"""A minimal WebSocket client for load generation: thousands of sockets in one process.

A full client library wakes a task and decodes JSON for every message of every
socket; on a small machine the load generator then competes with the server for
CPU and its own delay pollutes the measurement. This probe is an asyncio
Protocol that parses frames in `data_received` and only notes, for each
`conversation_typing` event, its `wa_id` and the arrival time. It answers the
server's heartbeat pings (masked pongs, RFC 6455 §5.3).
"""
from __future__ import annotations

import asyncio
import base64
import os
import struct
import time

MARK = b'"wa_id": "'


class Probe(asyncio.Protocol):
    def __init__(self, host: str, path: str, received: list, done: asyncio.Future, end: bytes) -> None:
        self.host, self.path = host, path
        self.received, self.done, self.end = received, done, end
        self.buffer = bytearray()
        self.upgraded = asyncio.get_running_loop().create_future()
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport) -> None:
        self.transport = transport
        key = base64.b64encode(os.urandom(16)).decode()
        transport.write((f"GET {self.path} HTTP/1.1\r\nHost: {self.host}\r\nUpgrade: websocket\r\n"
                         f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n")
                        .encode())

    def connection_lost(self, exc) -> None:
        if not self.upgraded.done():
            self.upgraded.set_exception(ConnectionError("closed during handshake"))
        if not self.done.done():
            self.done.set_result("lost")

    def data_received(self, data: bytes) -> None:
        now = time.time()
        self.buffer += data
        if not self.upgraded.done():
            head_end = self.buffer.find(b"\r\n\r\n")
            if head_end < 0:
                return
            status = bytes(self.buffer[:12])
            del self.buffer[:head_end + 4]
            if b" 101" not in status:
                self.upgraded.set_exception(ConnectionError(status.decode(errors="replace")))
                return
            self.upgraded.set_result(True)
        self._frames(now)

    def _frames(self, now: float) -> None:
        buf = self.buffer
        while len(buf) >= 2:
            opcode, size, offset = buf[0] & 0x0F, buf[1] & 0x7F, 2
            if size == 126:
                if len(buf) < 4:
                    return
                size, offset = struct.unpack_from("!H", buf, 2)[0], 4
            elif size == 127:
                if len(buf) < 10:
                    return
                size, offset = struct.unpack_from("!Q", buf, 2)[0], 10
            if len(buf) < offset + size:
                return
            payload = bytes(buf[offset:offset + size])
            del buf[:offset + size]
            if opcode == 0x1:
                self._text(payload, now)
            elif opcode == 0x9:
                self._send(0xA, payload)
            elif opcode == 0x8:
                self.transport.close()

    def _text(self, payload: bytes, now: float) -> None:
        if b'"conversation_typing"' not in payload:
            return
        start = payload.find(MARK)
        if start < 0:
            return
        start += len(MARK)
        wa_id = payload[start:payload.find(b'"', start)]
        if wa_id == self.end:
            if not self.done.done():
                self.done.set_result("end")
            return
        self.received.append((wa_id.decode(), now))

    def _send(self, opcode: int, payload: bytes) -> None:
        mask = os.urandom(4)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.transport.write(struct.pack("!BB", 0x80 | opcode, 0x80 | len(payload)) + mask + masked)


async def open_probe(host: str, port: int, path: str, received: list, end: bytes) -> asyncio.Future:
    loop = asyncio.get_running_loop()
    done = loop.create_future()
    _, probe = await loop.create_connection(lambda: Probe(f"{host}:{port}", path, received, done, end), host, port)
    await probe.upgraded
    return done
