"""The health probe never holds up shutdown (`kyodo serve` once hung on SIGTERM: on Python 3.11
``asyncio.wait_for`` can swallow a cancellation that arrives as the awaited look finishes, and the
probe's loop then ran on while the lifespan waited for it)."""

from __future__ import annotations

import asyncio
import contextlib

from bot.app import HealthProbe


async def test_stop_returns_even_if_a_cancellation_is_swallowed():
    probe = HealthProbe(interval=0.001)
    looks = 0

    async def look(engine, factory):
        nonlocal looks
        looks += 1
        # what the 3.11 wait_for race does: the cancellation is lost
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.sleep(0.05)

    probe.look = look  # type: ignore[method-assign]
    await probe.start(None, None)
    await asyncio.sleep(0.1)
    assert looks > 1
    await asyncio.wait_for(probe.stop(), timeout=3)
    seen = looks
    await asyncio.sleep(0.1)
    assert looks == seen  # it stopped looking
