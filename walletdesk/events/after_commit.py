"""After-commit listeners: what reacts to a committed change, in the process that made it.

The message path and the conversation actions record *domain events* in their transaction
(``walletdesk.services.emit_after_commit``). Once the transaction has committed, and after
its live events are published, every listener subscribed to the event's type runs — once,
in this process (unlike the bus, whose events reach every process). The bot, routing, the
SLA clocks and the rating request subscribe here (walletdesk.listeners), so the message path
never calls them.

A listener's failure is logged and never undoes or loses the message: it was committed
first. A listener that found the database busy or unreachable is tried again a few times;
routing also sweeps up a conversation whose listener never ran (the process died between
the commit and it: walletdesk.routing.actions.route_stragglers).

Listeners run either inline (awaited by the action, so an API call answers with the routed
conversation) or deferred to background lanes (the chat socket's hot path: the customer is
acknowledged first). A deferred event keeps its order within its conversation: one lane
per conversation id.
"""

import asyncio
import contextlib
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

import structlog

from walletdesk.db.engine import DatabaseUnavailable
from walletdesk.events.bus import Event

log = structlog.get_logger(__name__)
Listener = Callable[[Any, Event], Awaitable[None]]  # (services, event)
LANES = 4
RETRY_DELAYS_S = (0.2, 1.0, 3.0)  # a listener that met a busy or unreachable database
LATER_S, LATER_ATTEMPTS = 5.0, 12  # then in the background, for a minute


class AfterCommit:
    """The listeners of one process and the lanes that run deferred events."""

    def __init__(self) -> None:
        self._listeners: dict[str, list[Listener]] = defaultdict(list)
        self._lanes: list[asyncio.Queue[tuple[Any, Event] | None]] = []
        self._workers: list[asyncio.Task[None]] = []
        self._later: set[asyncio.Task[None]] = set()

    def subscribe(self, kind: str, listener: Listener) -> Callable[[], None]:
        self._listeners[kind].append(listener)
        return lambda: self._listeners[kind].remove(listener)

    def wants(self, events: Iterable[Event]) -> bool:
        return any(self._listeners.get(event["type"]) for event in events)

    async def run(self, services: Any, events: Iterable[Event]) -> None:
        """Run every listener of each event in turn (inline)."""
        for event in events:
            for listener in list(self._listeners.get(event["type"], ())):
                await self._run_one(listener, services, event)

    async def _run_one(self, listener: Listener, services: Any, event: Event,
                       delays: tuple[float, ...] = RETRY_DELAYS_S) -> bool:
        """Run it (again after each delay while the database is unavailable); False if it
        never got to run: the database stayed unavailable."""
        name = getattr(listener, "__qualname__", repr(listener))
        for delay in (*delays, None):
            try:
                await listener(services, event)
                return True
            except DatabaseUnavailable as exc:  # rolled back: it may simply run again
                if delay is not None:
                    await asyncio.sleep(delay)
                    continue
                if delays is RETRY_DELAYS_S:  # not to hold up the caller any longer
                    log.warning("after_commit_listener_later", event_type=event["type"],
                                listener=name, error=type(exc).__name__)
                    task = asyncio.create_task(self._run_later(listener, services, event))
                    self._later.add(task)
                    task.add_done_callback(self._later.discard)
                    return False
                log.error("after_commit_listener_failed", event_type=event["type"],
                          listener=name, exc_info=exc)
            except Exception as exc:  # the change is committed; a listener never undoes it
                log.error("after_commit_listener_failed", event_type=event["type"],
                          listener=name, exc_info=exc)
            return False
        return False

    async def _run_later(self, listener: Listener, services: Any, event: Event) -> None:
        await asyncio.sleep(LATER_S)
        await self._run_one(listener, services, event, (LATER_S,) * (LATER_ATTEMPTS - 1))

    def defer(self, services: Any, events: Iterable[Event]) -> None:
        """Run the listeners in the background; per conversation in commit order."""
        for event in events:
            if not self._listeners.get(event["type"]):
                continue
            if not self._lanes:
                self._start()
            lane = hash(event.get("conversation_id", 0)) % LANES
            self._lanes[lane].put_nowait((services, event))

    def _start(self) -> None:
        self._lanes = [asyncio.Queue() for _ in range(LANES)]
        self._workers = [asyncio.create_task(self._work(lane), name=f"after-commit-{n}")
                         for n, lane in enumerate(self._lanes)]

    async def _work(self, lane: "asyncio.Queue[tuple[Any, Event] | None]") -> None:
        while (item := await lane.get()) is not None:
            try:
                await self.run(*(item[0], [item[1]]))
            finally:
                lane.task_done()
        lane.task_done()

    async def drain(self) -> None:
        """Wait until every deferred event has been handled (tests, shutdown)."""
        for lane in self._lanes:
            await lane.join()

    async def stop(self) -> None:
        """Finish what is deferred, then stop the lanes (what waits for the database is
        dropped: routing's sweep finds a conversation left unrouted)."""
        for task in list(self._later):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        for lane in self._lanes:
            lane.put_nowait(None)
        for worker in self._workers:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await worker
        self._lanes, self._workers = [], []
