"""The objects a server process keeps for its whole life, out of the garbage collector's way.

At start a process builds large tables it keeps: protect's wordlists and near-word indexes,
the bot's models and engine, SQLAlchemy's mappings — some 400,000–1,000,000 objects. Python's
full collection (generation 2) walks every one of them each time it runs, which under chat
load was every 10–30 s, and stopped the event loop meanwhile: 0.3 s of CPU on a quiet core
(seconds on a loaded one), during which no socket's frame was read or sent — the chat's
periodic p99 stall. ``gc.freeze()`` moves what exists at that moment into a generation the
collector never walks; objects in it are still freed when nothing refers to them.

The catch is a cycle frozen and later dropped (an old bot engine): it would never be freed.
So when the bot serves a new engine, the frozen objects are given back to the collector,
one full collection frees the old engine, and what lives is frozen again (a pause once per
knowledge-base change, not every few seconds).

What a process builds while it serves lives long too: the sockets of a thousand
conversations, protect's caches of lines and words, the recent texts. Left unfrozen they
made each full collection a 0.2–0.7 s stop under chat load, once or twice in 14 s — the
p99 of `walletdesk bench chat` (a run with such a pass: p99 91–684 ms; without: 9–13 ms).
So every ``SETTLE_S`` what survived since is frozen too, after a collection of the unfrozen
objects alone (small: ten seconds' survivors). A cycle frozen that way and dropped later (a
closed socket's) is freed by the whole refresh, unfreeze, collect and freeze, every
``REFRESH_S``: one longer pause in a quarter of an hour, and no memory kept for good.
"""

import asyncio
import gc
from collections.abc import Awaitable
from typing import Any

import structlog

log = structlog.get_logger(__name__)
CHECK_EVERY_S = 5.0
SETTLE_S = 10.0  # what survived this long is frozen too
REFRESH_S = 900.0  # everything given back to the collector once, then frozen again


def freeze() -> None:
    """Collect what is garbage now, then freeze everything that is left."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()
    log.info("long_lived_frozen", objects=gc.get_freeze_count())


def settle() -> None:
    """Freeze what survived since the last freeze, after a collection of it alone (the
    frozen objects are not walked)."""
    gc.collect()
    gc.freeze()


async def keep_frozen(warmed: Awaitable[Any], bot: Any) -> None:
    """Freeze once protect's tables are built, again when the bot starts serving
    (``bot.ready``), after each new bot engine (``bot.built_at``) and every ``REFRESH_S``;
    freeze what survived every ``SETTLE_S`` in between. Runs until cancelled."""
    try:
        await warmed
    except Exception:  # the first message builds the tables instead: freeze what there is
        log.warning("protect_warm_up_failed")
    state: Any = object()  # differs from any state: the first pass freezes
    loop = asyncio.get_running_loop()
    frozen_at = settled_at = loop.time()
    while True:
        now = loop.time()
        if (bot.ready, bot.built_at) != state or now - frozen_at >= REFRESH_S:
            state = (bot.ready, bot.built_at)
            freeze()
            frozen_at = settled_at = now
        elif now - settled_at >= SETTLE_S:
            settle()
            settled_at = now
        await asyncio.sleep(CHECK_EVERY_S)
