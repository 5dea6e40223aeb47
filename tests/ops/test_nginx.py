"""The nginx templates route like the reference's proxy: checked by running nginx against a fake Mawid."""
from __future__ import annotations

import asyncio
import subprocess
from pathlib import Path

import httpx
from aiohttp import ClientSession, WSMsgType, web

from tests.support.requirements import require_program
from tests.support.servers import free_port

NGINX_DIR = Path(__file__).resolve().parents[2] / "docker" / "nginx"


def render(template: str, folder: Path, upstream: str, port: int, tls_port: int | None = None) -> Path:
    """The template as the nginx image renders it (envsubst), with paths and ports of this machine."""
    text = (NGINX_DIR / template).read_text().replace("${SERVER_NAME}", "localhost")
    text = text.replace("/etc/nginx/mawid/", f"{folder}/").replace("/etc/nginx/certs/", f"{folder}/")
    text = text.replace("listen 80;", f"listen 127.0.0.1:{port};")
    if tls_port:
        text = text.replace("listen 443 ssl http2;", f"listen 127.0.0.1:{tls_port} ssl http2;")
    for name in ("upstream.conf", "mawid-locations.conf"):
        (folder / name).write_text((NGINX_DIR / name).read_text().replace("mawid:8000", upstream))
    (folder / "site.conf").write_text(text)
    main = folder / "nginx.conf"
    main.write_text(f"pid {folder}/nginx.pid;\nerror_log {folder}/error.log;\ndaemon off;\nevents {{}}\n"
                    f"http {{ access_log off; client_body_temp_path {folder}/body; proxy_temp_path {folder}/proxy;\n"
                    f"include {folder}/site.conf; }}\n")
    return main


def nginx() -> str:
    return require_program("nginx", "nginx-light", "/usr/sbin/nginx")


def test_both_templates_are_valid_nginx(tmp_path):
    binary = nginx()
    require_program("openssl", "openssl")  # makes the test certificate
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-days",
                    "1", "-keyout", str(tmp_path / "privkey.pem"), "-out", str(tmp_path / "fullchain.pem")],
                   check=True, capture_output=True)
    for template in ("default.conf.template", "https.conf.template"):
        conf = render(template, tmp_path, "127.0.0.1:9", free_port(), free_port())
        done = subprocess.run([binary, "-t", "-p", str(tmp_path), "-c", str(conf)], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr


async def fake_mawid() -> tuple[web.AppRunner, int, list[str]]:
    seen: list[str] = []

    async def anything(request: web.Request) -> web.StreamResponse:
        seen.append(f"{request.method} {request.path_qs}")
        if request.headers.get("Upgrade", "").lower() == "websocket":
            ws = web.WebSocketResponse()
            await ws.prepare(request)
            async for msg in ws:
                await ws.send_str("echo:" + msg.data)
            return ws
        return web.json_response({"path": request.path_qs, "proto": request.headers.get("X-Forwarded-Proto"),
                                  "connection": request.headers.get("Connection")})

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", anything)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner, port, seen


async def test_routing_matches_the_reference_proxy(tmp_path):
    binary = nginx()
    runner, upstream_port, seen = await fake_mawid()
    port = free_port()
    conf = render("default.conf.template", tmp_path, f"127.0.0.1:{upstream_port}", port)
    proc = await asyncio.create_subprocess_exec(binary, "-p", str(tmp_path), "-c", str(conf),
                                                stderr=asyncio.subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(timeout=5) as client:
            for _ in range(100):  # until nginx listens
                try:
                    await client.get(base + "/healthz")
                    break
                except httpx.ConnectError:
                    await asyncio.sleep(0.05)
            stripped = (await client.get(base + "/api/reservations?future=true")).json()
            assert stripped["path"] == "/reservations?future=true"
            assert stripped["proto"] == "http" and stripped["connection"] in (None, "")  # keep-alive, not close
            assert (await client.get(base + "/api/api/config")).json()["path"] == "/api/config"
            assert (await client.post(base + "/webhook", json={})).json()["path"] == "/webhook"
            assert (await client.get(base + "/api/metrics")).status_code == 404
            assert (await client.get(base + "/dashboard")).json()["path"] == "/dashboard"
        async with ClientSession() as session, session.ws_connect(f"ws://127.0.0.1:{port}/ws?tab=1") as ws:
            await ws.send_str("hi")
            msg = await ws.receive(timeout=5)
            assert (msg.type, msg.data) == (WSMsgType.TEXT, "echo:hi")
        assert "GET /ws?tab=1" in seen and "GET /metrics" not in seen
    finally:
        proc.terminate()
        await proc.wait()
        await runner.cleanup()
