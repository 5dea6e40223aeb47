"""runtime/tasks.py: stopping a background task absorbs its own cancel and nothing else."""
from __future__ import annotations

import asyncio

import pytest

from runtime.tasks import stop_task


async def _slow_to_stop(stopping: asyncio.Event) -> None:
    try:
        await asyncio.sleep(3600)
    except asyncio.CancelledError:
        stopping.set()
        await asyncio.sleep(3600)  # a clean-up that takes its time (closing a connection, say)
        raise


async def test_the_tasks_own_cancel_is_absorbed():
    task = asyncio.create_task(asyncio.sleep(3600))
    await asyncio.sleep(0)
    await stop_task(task)
    assert task.cancelled()


async def test_a_cancel_of_the_one_stopping_it_goes_through():
    """`with suppress(CancelledError): await task` swallowed this one: the stopper's own timeout never fired."""
    stopping = asyncio.Event()
    task = asyncio.create_task(_slow_to_stop(stopping))
    await asyncio.sleep(0)
    stopper = asyncio.create_task(stop_task(task))
    await stopping.wait()
    stopper.cancel()
    with pytest.raises(asyncio.CancelledError):
        await stopper
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_other_exceptions_of_the_task_propagate():
    async def fails_on_cancel() -> None:
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            raise RuntimeError("clean-up failed") from None

    task = asyncio.create_task(fails_on_cancel())
    await asyncio.sleep(0)
    with pytest.raises(RuntimeError, match="clean-up failed"):
        await stop_task(task)
