"""A serving process freezes what it built at start (walletdesk.web.long_lived): the full
collection no longer walks it, and a frozen cycle dropped later (an old bot engine) is
still freed once the bot serves a new one."""

import asyncio
import gc
import weakref
from dataclasses import dataclass, field
from typing import Any

from walletdesk.web import long_lived


class Engine:
    """A bot engine stand-in that refers to itself (a cycle: only the collector frees it)."""

    def __init__(self) -> None:
        self.me = self


@dataclass
class Bot:
    ready: bool = False
    built_at: float | None = None
    engine: Any = field(default_factory=Engine)


async def test_built_objects_are_frozen_and_an_old_engine_is_freed(monkeypatch):
    monkeypatch.setattr(long_lived, "CHECK_EVERY_S", 0.01)
    gc.unfreeze()  # what an earlier test in this process froze (web3's import freezes)
    bot = Bot()
    warmed: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    task = asyncio.create_task(long_lived.keep_frozen(warmed, bot))
    try:
        await asyncio.sleep(0.05)
        assert gc.get_freeze_count() == 0  # protect's tables are not built yet
        warmed.set_result(None)
        for _ in range(500):
            if gc.get_freeze_count():
                break
            await asyncio.sleep(0.01)
        bot.ready = True  # the bot serves: frozen again, with what it built
        await asyncio.sleep(0.05)
        old = weakref.ref(bot.engine)
        assert gc.is_tracked(bot.engine) and gc.get_freeze_count() > 0
        bot.engine, bot.built_at = Engine(), 1.0  # a new engine; the old one is a lone cycle
        for _ in range(500):
            if old() is None:
                break
            await asyncio.sleep(0.01)
        assert old() is None  # given back to the collector and freed
        assert gc.get_freeze_count() > 0  # what lives is frozen again
    finally:
        task.cancel()
        gc.unfreeze()


async def test_what_lives_on_is_frozen_too_and_a_dropped_cycle_is_freed_later(monkeypatch):
    """What survives a while after start (a socket's objects, caches) is frozen as well, so
    full collections stay short; a cycle frozen that way and dropped later (a closed
    socket's) is still freed by the periodic refresh."""
    monkeypatch.setattr(long_lived, "CHECK_EVERY_S", 0.01)
    monkeypatch.setattr(long_lived, "SETTLE_S", 0.05)
    monkeypatch.setattr(long_lived, "REFRESH_S", 3600.0)
    gc.unfreeze()
    bot = Bot(ready=True)
    warmed: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    warmed.set_result(None)
    task = asyncio.create_task(long_lived.keep_frozen(warmed, bot))
    try:
        for _ in range(500):
            if gc.get_freeze_count():
                break
            await asyncio.sleep(0.01)
        first = gc.get_freeze_count()
        socket = Engine()  # made after the first freeze; a cycle
        socket.frames = [[n] for n in range(1000)]  # type: ignore[attr-defined] # tracked
        for _ in range(500):
            if gc.get_freeze_count() >= first + 1000:
                break
            await asyncio.sleep(0.01)
        assert gc.get_freeze_count() >= first + 1000  # frozen without a new engine
        gone = weakref.ref(socket)
        del socket
        gc.collect()
        assert gone() is not None  # frozen: the collector does not walk it
        monkeypatch.setattr(long_lived, "REFRESH_S", 0.0)  # the periodic refresh is due
        for _ in range(500):
            if gone() is None:
                break
            await asyncio.sleep(0.01)
        assert gone() is None  # given back to the collector and freed
    finally:
        task.cancel()
        gc.unfreeze()
