"""Publishing events to every connected client: in-process, or through Redis pub/sub.

Events are plain JSON-able dicts. With Redis configured every server process publishes to
its database's channel and receives everything from it (its own events included), so a
customer connected to one process and an agent connected to another see each other live.
"""

import asyncio
import contextlib
import hashlib
import json
from collections.abc import Awaitable, Callable
from typing import Any

import structlog

Event = dict[str, Any]
Handler = Callable[[Event], Awaitable[None]]

log = structlog.get_logger(__name__)


def desk_key(database_url: str) -> str:
    """What names a desk in a shared Redis: its database (the same URL on every process)."""
    return hashlib.sha256(database_url.encode()).hexdigest()[:12]


def channel_name(database_url: str) -> str:
    """One channel per database: desks sharing a Redis never hear each other's events."""
    return "walletdesk:events:" + desk_key(database_url)


class EventBus:
    """In-process bus: handlers run in the publishing process only."""

    def __init__(self) -> None:
        self._handlers: list[Handler] = []

    def subscribe(self, handler: Handler) -> Callable[[], None]:
        self._handlers.append(handler)
        return lambda: self._handlers.remove(handler)

    async def publish(self, event: Event) -> None:
        await self._dispatch(event)

    async def _dispatch(self, event: Event) -> None:
        for handler in list(self._handlers):
            try:
                await handler(event)
            except Exception:  # one broken subscriber must not stop the others
                log.exception("event_handler_failed", event_type=event.get("type"))

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None


class RedisEventBus(EventBus):
    """Fan-out between processes through one Redis pub/sub channel."""

    def __init__(self, url: str, channel: str) -> None:
        super().__init__()
        import redis.asyncio as redis

        self._redis = redis.from_url(url)
        self._channel = channel
        self._listener: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()

    async def publish(self, event: Event) -> None:
        await self._redis.publish(self._channel, json.dumps(event, separators=(",", ":")))

    async def start(self) -> None:
        self._listener = asyncio.create_task(self._listen(), name="redis-event-listener")
        await asyncio.wait_for(self._ready.wait(), timeout=10)

    async def _listen(self) -> None:
        while True:
            pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.subscribe(self._channel)
                self._ready.set()
                async for item in pubsub.listen():
                    if item.get("type") == "message":
                        await self._dispatch(json.loads(item["data"]))
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("redis_listener_failed_reconnecting")
                await asyncio.sleep(1)
            finally:
                with contextlib.suppress(Exception):
                    await pubsub.aclose()

    async def stop(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listener
        await self._redis.aclose()


def make_bus(redis_url: str | None, database_url: str) -> EventBus:
    return RedisEventBus(redis_url, channel_name(database_url)) if redis_url else EventBus()
