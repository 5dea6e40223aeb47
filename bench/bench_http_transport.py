"""CPU per request of httpx's own transport against runtime/http_transport.py's aiohttp transport.

A local aiohttp server answers Graph-like JSON; the client POSTs a small JSON body with a bearer token,
`--concurrency` requests at a time, as a worker's turns do. Client and server share this process, so
the number is both sides together; the server's share is the same for both transports.

    .venv/bin/python bench/bench_http_transport.py [--requests 3000] [--concurrency 50]
"""
from __future__ import annotations

import argparse
import asyncio
import time

import common  # noqa: F401, I001  (puts the repo root on sys.path first)
import httpx
from aiohttp import web

from runtime.http_transport import AiohttpTransport


async def graph_like(request: web.Request) -> web.Response:
    await request.read()
    return web.json_response({"messaging_product": "whatsapp", "messages": [{"id": "wamid.bench"}]})


async def cpu_per_request(client: httpx.AsyncClient, url: str, requests: int, concurrency: int) -> float:
    gate = asyncio.Semaphore(concurrency)

    async def one() -> None:
        async with gate:
            response = await client.post(url, json={"to": "966500000000", "type": "text", "text": {"body": "hi"}},
                                         headers={"Authorization": "Bearer bench"})
            response.json()

    await asyncio.gather(*(one() for _ in range(200)))  # warm-up: connections open, code paths hot
    started = time.process_time()
    await asyncio.gather(*(one() for _ in range(requests)))
    return (time.process_time() - started) / requests


async def main(requests: int, concurrency: int) -> None:
    app = web.Application()
    app.router.add_post("/messages", graph_like)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    url = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}/messages"
    limits = httpx.Limits(max_connections=100, max_keepalive_connections=50)
    print(f"{requests} POSTs, {concurrency} at a time; CPU per request, client and server in one process:")
    try:
        clients = (("httpx (httpcore)", lambda: httpx.AsyncClient(limits=limits)),
                   ("httpx on AiohttpTransport", lambda: httpx.AsyncClient(transport=AiohttpTransport(limits))))
        for name, make in clients:
            async with make() as client:
                print(f"  {name:28} {await cpu_per_request(client, url, requests, concurrency) * 1e6:7.0f} µs")
    finally:
        await runner.cleanup()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=50)
    args = parser.parse_args()
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    asyncio.run(main(args.requests, args.concurrency))
