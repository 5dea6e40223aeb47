"""HTTP that aiohttp's parser rejects, sent raw to a running server: a JSON 400 naming the problem (never the
text/plain answer and the ERROR traceback per request aiohttp gives by default), and the server serves on."""
from __future__ import annotations

import asyncio
import json

import httpx

from runtime.http_server import malformed_reason
from tests.security.input_support import base_env
from tests.support.servers import ServerProcess

PROBES = {
    "request line over 8 KB": (b"GET /" + b"a" * 12_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
                               "Got more than 8190 bytes when reading"),
    "header over 8 KB": (b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"b" * 12_000 + b"\r\n\r\n",
                         "Got more than 8190 bytes when reading"),
    "header without a colon": (b"GET /healthz HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n", "Invalid header token"),
    "unknown method": (b"GARBAGE\r\n\r\n", "Invalid method encountered"),
    "Content-Length not a number": (b"POST /reserve HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
                                    "Invalid character in Content-Length"),
    "chunk size not hex": (b"POST /reserve HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
                           "Invalid character in chunk size"),
}


async def send_raw(port: int, data: bytes) -> tuple[int, dict[str, str], bytes]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(data)
        await writer.drain()
        answer = await asyncio.wait_for(reader.read(), 20)  # the server closes after a parser error
    finally:
        writer.close()
    head, _, body = answer.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:])
    return int(lines[0].split()[1]), {k.lower(): v for k, v in headers.items()}, body


async def test_malformed_http_gets_a_json_400_and_one_log_line(database_url):
    server = ServerProcess({**base_env(database_url), "LOG_LEVEL": "INFO"}).start()
    try:
        for name, (raw, reason) in PROBES.items():
            status, headers, body = await send_raw(server.port, raw)
            assert status == 400, (name, status, body[:200])
            assert headers["content-type"].startswith("application/json"), (name, headers)
            answer = json.loads(body)
            assert answer == {"detail": f"malformed HTTP request: {reason}", "message": answer["detail"]}, name
            assert b"aaaa" not in body and b"bbbb" not in body, name  # what was sent is not echoed back
        async with httpx.AsyncClient(base_url=server.url, timeout=10) as http:
            assert (await http.get("/healthz")).status_code == 200  # and it serves on
    finally:
        server.stop(timeout=20)
    logs = server.logs()
    assert "Traceback" not in logs and "Error handling request" not in logs, logs[-3000:]
    noted = [line for line in logs.splitlines() if "malformed HTTP request from 127.0.0.1" in line]
    # one line each (an unknown method as a first request is routine internet noise: debug only)
    assert len(noted) == len(PROBES) - 1, noted


def test_the_reason_leaves_out_what_the_client_sent():
    from aiohttp.http_exceptions import BadHttpMessage, LineTooLong

    assert malformed_reason(LineTooLong(b"x" * 200, 8190)) == "Got more than 8190 bytes when reading"
    assert malformed_reason(BadHttpMessage("Invalid header token:\n\n  b'Bad Header'\n")) == "Invalid header token"
    assert malformed_reason(BadHttpMessage("")) == "malformed request"
