"""The registry of WebSocket commands, one small function per command (spec 40 §4).

A command is declared with `@command(type, role=..., schema=..., refusal=...)`:
its type (plus aliases), the model of its arguments (`data`, documented and
checked to be an object), the least role allowed to run it, and how it says
"no" in the reference's shape (`*_nack` with `data.message` or top-level
`error`). A command returns its reply (or None when it sent it itself). Unknown
types, unusable frames and a failing read command answer `ignored` (Quirk Q14).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable

from pydantic import BaseModel, ConfigDict

from handlers.ws_session import current_user, end_now
from runtime.hub import Connection, Hub, reply
from runtime.json_input import TooDeep, loads_bounded
from runtime.routes import Role, User, unstorable_text
from runtime.services import Services
from runtime.write_barrier import WriteBarrier

log = logging.getLogger("mawid.ws")

Reply = dict[str, Any]


@dataclass
class CommandContext:
    services: Services
    hub: Hub
    conn: Connection
    user: User
    barrier: WriteBarrier = field(default_factory=WriteBarrier)  # the app's: shared with REST
    client: str | None = None  # this socket's key in the barrier (its account or trusted address)

    def send(self, message: Reply) -> None:
        self.conn.send_json(message)


class Arguments(BaseModel):
    """Base of the argument models: every field optional, unknown keys kept (the reference is lenient)."""

    model_config = ConfigDict(extra="allow")


CommandFn = Callable[[CommandContext, dict[str, Any], dict[str, Any]], Awaitable[Reply | None]]


def _ignored(_: str) -> Reply:
    return reply("ignored")


@dataclass(frozen=True)
class Command:
    type: str
    run: CommandFn
    role: Role
    schema: type[Arguments] | None
    refusal: Callable[[str], Reply]  # the nack for a refused role or an unexpected error
    error_text: str  # the reference's message for an unexpected exception


COMMANDS: dict[str, Command] = {}


def command(type_: str, *, role: Role = Role.VIEWER, schema: type[Arguments] | None = None,
            aliases: tuple[str, ...] = (), refusal: Callable[[str], Reply] = _ignored,
            error_text: str = "") -> Callable[[CommandFn], CommandFn]:
    def register(fn: CommandFn) -> CommandFn:
        entry = Command(type_, fn, role, schema, refusal, error_text)
        for name in (type_, *aliases):
            if name in COMMANDS:
                raise ValueError(f"websocket command {name!r} is registered twice")
            COMMANDS[name] = entry
        return fn

    return register


def nack_error(reply_type: str) -> Callable[[str], Reply]:
    """Most nacks carry the reason as top-level `error`."""
    return lambda text: reply(reply_type, error=text)


def nack_message(reply_type: str) -> Callable[[str], Reply]:
    """`modify_reservation_nack` carries it as `data.message` (Quirk Q8)."""
    return lambda text: reply(reply_type, {"message": text})


def arguments(message: dict[str, Any]) -> dict[str, Any]:
    data = message.get("data")
    return data if isinstance(data, dict) else {}


def _parse_frame(text: str) -> tuple[Any, str | None]:
    """The frame's JSON, or None and why it cannot be used (the reason goes back in the `ignored` reply)."""
    try:
        message = loads_bounded(text)
    except TooDeep as exc:
        return None, str(exc)
    except ValueError:
        return None, None  # not JSON: plain `ignored`, as the reference answers
    if unstorable_text(message) is not None:
        return None, "frame contains a NUL character or invalid Unicode"
    return message, None


async def handle_frame(ctx: CommandContext, text: str) -> None:
    message, problem = _parse_frame(text)
    if problem is not None:
        ctx.send(reply("ignored", error=problem))
        return
    if not isinstance(message, dict) or not isinstance(message.get("type"), str):
        ctx.send(reply("ignored"))
        return
    entry = COMMANDS.get(message["type"])
    # Every frame re-checks the account (a write from the database itself): a socket outlives its token.
    user = await current_user(ctx.conn, ctx.services.accounts, fresh=entry is not None and entry.role > Role.VIEWER)
    if user is None:
        await end_now(ctx.hub, ctx.conn, "session ended")
        return
    ctx.user = ctx.conn.user = user
    if entry is None:
        ctx.send(reply("ignored"))
        return
    if ctx.user.role < entry.role:
        ctx.send(entry.refusal(f"This action needs the {entry.role.label} role; you are {ctx.user.role.label}"))
        return
    data = arguments(message)
    barrier, key = ctx.barrier, ctx.client
    try:
        if entry.role >= Role.STAFF:  # a write: reads of this client wait for it (runtime/write_barrier.py)
            with barrier.writing(key):
                result = await entry.run(ctx, message, data)
        else:
            await barrier.settled(key)
            result = await entry.run(ctx, message, data)
    except Exception:
        log.exception("websocket command failed", extra={"command": entry.type})
        result = entry.refusal(entry.error_text) if entry.error_text else reply("ignored")
    if result is not None:
        ctx.send(result)
