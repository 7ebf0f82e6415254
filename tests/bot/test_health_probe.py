"""The health probe never holds up shutdown (`kyodo serve` once hung on SIGTERM: on Python 3.11
``asyncio.wait_for`` can swallow a cancellation that arrives as the awaited look finishes, and the
probe's loop then ran on while the lifespan waited for it).

The scenario runs on an event loop of its own in a thread, watched from the test's thread: a
probe that does not stop makes the test fail after a few seconds instead of hanging the run (an
``asyncio.wait_for`` inside the loop is no guard: on 3.11 it waits for the cancelled ``stop()``,
which is the very wait that never ends)."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Awaitable, Callable

import pytest

from bot.app import HealthProbe

DEADLINE = 5.0  # seconds; the scenario takes about 0.3 s


def run_with_deadline(scenario: Callable[[], Awaitable[None]], seconds: float) -> None:
    """Run ``scenario`` on a fresh event loop in a daemon thread; fail if it is not done in time
    (the stuck loop is then stopped from outside, so its thread ends too)."""
    loop = asyncio.new_event_loop()
    outcome: dict[str, BaseException] = {}

    def run() -> None:
        try:
            loop.run_until_complete(scenario())
        except BaseException as exc:  # noqa: BLE001 - handed to the test's thread
            outcome["error"] = exc

    thread = threading.Thread(target=run, name="health-probe-scenario", daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        loop.call_soon_threadsafe(loop.stop)  # run_until_complete then raises and the thread ends
        thread.join(2)
        pytest.fail(f"the health probe did not stop within {seconds:g} s (shutdown would hang)")
    with contextlib.suppress(Exception):
        loop.close()
    if "error" in outcome:
        raise outcome["error"]


def test_stop_returns_even_if_a_cancellation_is_swallowed():
    looks = 0
    stopped_after = 0

    async def scenario() -> None:
        nonlocal looks, stopped_after
        probe = HealthProbe(interval=0.001)

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
        await probe.stop()
        stopped_after = looks
        await asyncio.sleep(0.1)

    run_with_deadline(scenario, DEADLINE)
    assert looks == stopped_after  # it stopped looking


def test_the_deadline_itself_fails_fast():
    """The guard works: a scenario that never ends fails after the deadline (not a hang)."""

    async def never() -> None:
        while True:
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.sleep(0.01)

    with pytest.raises(pytest.fail.Exception, match="did not stop within 0.3 s"):
        run_with_deadline(never, 0.3)
