"""A route's limit: its captured statements replayed with their arguments on bare asyncpg connections.

    python bench/limit_replay.py CAPTURE_PICKLE LABEL CONNECTIONS SECONDS

Each of CONNECTIONS loops sends the route's statements in order (on a connection with the session settings
the route's connection had, so plans match), then encodes the route's JSON answer with the app's encoder:
everything a request needs except HTTP, routing, parsing and shaping. Prints {"rps": …} as JSON.
"""
from __future__ import annotations

import asyncio
import json
import pickle
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

SIMPLE = ("BEGIN", "COMMIT", "ROLLBACK", "SET ", "START ")


async def replay(database_url: str, route: dict, connections: int, seconds: float) -> dict:
    import asyncpg

    from runtime.db import _init_connection
    from runtime.routes import json_bytes

    # A route that used several connections at once (/stats) sent interleaved transactions: each connection's
    # statements are replayed in their order, one connection's after the other's, so each transaction stays whole.
    sessions: dict[int, list] = {}
    for query, args, settings, session in route["statements"]:
        sessions.setdefault(session, []).append((query, args, settings))
    statements = [statement for group in sessions.values() for statement in group]
    payload = route["payload"]
    settings = next((s for _, _, s in statements if s), {})
    conns = [await asyncpg.connect(database_url, server_settings=settings or None) for _ in range(connections)]
    for conn in conns:
        await _init_connection(conn)
    done = 0

    async def one(conn) -> None:
        for query, args, _ in statements:
            if not args and query.lstrip().upper().startswith(SIMPLE):
                await conn.execute(query)
            else:
                await conn.fetch(query, *args)
        json_bytes(payload)

    async def loop(conn, stop_at: float) -> None:
        nonlocal done
        while time.perf_counter() < stop_at:
            await one(conn)
            done += 1

    warm_until = time.perf_counter() + min(1.0, seconds / 5)
    await asyncio.gather(*(loop(c, warm_until) for c in conns))
    done = 0
    started = time.perf_counter()
    await asyncio.gather(*(loop(c, started + seconds) for c in conns))
    elapsed = time.perf_counter() - started
    for conn in conns:
        await conn.close()
    return {"rps": done / elapsed}


def main() -> None:
    capture, label, connections, seconds, database_url = sys.argv[1:6]
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    with open(capture, "rb") as handle:
        route = pickle.load(handle)[label]
    print(json.dumps(asyncio.run(replay(database_url, route, int(connections), float(seconds)))))


if __name__ == "__main__":
    main()
