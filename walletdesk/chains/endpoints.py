"""One operator-configured endpoint: its rate limit (a token bucket), the timeout and the
retries with backoff every request to it goes through, and what a failure means.

Nothing here blocks the event loop: waiting for a token or a retry is ``asyncio.sleep``,
and the HTTP client is asynchronous: the endpoint's own keep-alive connections
(walletdesk.chains.http; aiohttp until decision 0040, httpx never: decision 0030).
"""

import asyncio
import contextlib
import math
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any, Generic, TypeVar

import orjson
import structlog

from walletdesk.chains.http import HttpPool
from walletdesk.chains.results import (
    MALFORMED,
    RATE_LIMITED,
    TIMEOUT,
    UNREACHABLE,
    ChainUnavailable,
)

T = TypeVar("T")
BACKOFF_S = 0.25  # then doubled per retry
MAX_RETRY_AFTER_S = 5.0
HEAD_TTL_S = 1.0
PER_TURN = 16  # requests sent in one turn of the event loop (Turns)
CONNECTIONS_MIN, CONNECTIONS_MAX = 8, 512  # per endpoint (connections_for)
HEAD_STALE_S = 2.0  # a head this old is still given while a new one is read
BATCH_MAX = 100  # JSON-RPC requests in one batch (providers' usual cap: 100 or more)
COLLECT_S = 0.005  # a batch grows while each pass of the event loop adds to it, this long
UNBATCHED_S = 600.0  # after an endpoint refused a batch: single requests for this long
JSON_HEADERS = {"Content-Type": "application/json"}
JSON_CONTENT = b"Content-Type: application/json\r\n"
log = structlog.get_logger(__name__)


def json_body(value: Any) -> bytes:
    """``value`` as JSON, in a bytes object of its own size (decision 0055). ``orjson.dumps``
    answers in a bytes object cut down from a 4 KiB buffer without giving the rest back (4 KiB
    of the heap for a 100-byte body), and a request's body lives as long as the request (its
    retries send it again): a burst's 400 requests under way held 1.6 MiB more, the heap's
    growth paid page by page (a page fault: 20–55 µs on the 2-core test machine)."""
    return bytes(memoryview(orjson.dumps(value)))


def connections_for(requests_per_s: float) -> int:
    """The connections an endpoint keeps: what its rate limit lets be under way at once.
    The token bucket lets out a second's worth of requests in an instant and refills at the
    rate: with answers within a second, at most about twice the rate are under way. More
    connections would only be opened to stand idle (or be refused: providers cap them too);
    fewer, and a request the rate limit let out would wait for a connection. The default
    10 requests/s keeps 20; a provider plan of 300/s, 512 (the most)."""
    return max(CONNECTIONS_MIN, min(CONNECTIONS_MAX, math.ceil(2 * requests_per_s)))


class RateLimited(Exception):  # noqa: N818 - what the endpoint said
    def __init__(self, retry_after: float | None = None) -> None:
        super().__init__("rate limited")
        self.retry_after = retry_after


class TokenBucket:
    """``rate`` requests a second, in bursts of up to ``rate`` (at least one)."""

    def __init__(self, rate: float) -> None:
        self.rate = rate
        self.capacity = max(1.0, rate)
        self.tokens = self.capacity
        self.updated = time.monotonic()

    def delay(self) -> float:
        """Take a token: how long to wait for it (0 when one is there)."""
        now = time.monotonic()
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        self.tokens -= 1
        return 0.0 if self.tokens >= 0 else -self.tokens / self.rate


class Turns:
    """At most ``per_turn`` requests go out in one turn of the event loop; the others wait,
    in order, for the next turns. 200 lookups that start in the same instant would otherwise
    build and send their 200 requests in one turn (tens of milliseconds in which no timer,
    socket or other task of the process runs); in turns of 16, everything else runs between
    them. The CPU they need is the same, spread over turns, and they go out in the order they
    came (measured: the burst's added p95 no higher, the loop's longest wait 5–10 times
    shorter). A desk with fewer than 16 lookups in an instant never waits here. One per chain
    client (the process's lookups share it)."""

    def __init__(self, per_turn: int = PER_TURN) -> None:
        self.per_turn = per_turn
        self._used = 0
        self._waiting: deque[asyncio.Future[None]] = deque()
        self._scheduled = False
        self._loop: asyncio.AbstractEventLoop | None = None

    def enter(self) -> "asyncio.Future[None] | None":
        """A request's place: None when this turn has room, else the future to await (done at
        the request's turn). Not a coroutine: the usual case, room, costs no await."""
        loop = asyncio.get_running_loop()
        if loop is not self._loop:  # another event loop (tests): nothing carries over
            self._loop, self._used, self._scheduled = loop, 0, False
            self._waiting.clear()
        if self._used < self.per_turn and not self._waiting:
            self._used += 1
            self._next_turn(loop)
            return None
        waiter: asyncio.Future[None] = loop.create_future()
        self._waiting.append(waiter)
        self._next_turn(loop)
        return waiter  # cancelled: the waiter is done, the next turn skips it

    def _next_turn(self, loop: asyncio.AbstractEventLoop) -> None:
        if not self._scheduled:
            self._scheduled = True
            loop.call_soon(self._turn)

    def _turn(self) -> None:
        self._scheduled = False
        self._used = 0
        while self._waiting and self._used < self.per_turn:
            waiter = self._waiting.popleft()
            if not waiter.done():
                waiter.set_result(None)
                self._used += 1
        if self._used and self._loop is not None:
            self._next_turn(self._loop)


class _Deadline:
    __slots__ = ("at", "task", "cancelling", "expired", "done")

    def __init__(self, at: float, task: "asyncio.Task[Any]") -> None:
        self.at = at
        self.task: asyncio.Task[Any] | None = task  # None once finished
        self.cancelling = task.cancelling()
        self.expired = self.done = False


class Deadlines:
    """The timeouts of one endpoint's requests, on one timer of the event loop.

    ``asyncio.timeout`` arms a timer of its own per request (with uvloop a libuv timer made,
    started and stopped: a tenth of a REST lookup's CPU in a burst). An endpoint's requests
    all have the same timeout, so their deadlines come in the order they started: one timer
    set for the oldest deadline, cancelling the requests past theirs, is enough. What a
    request past its deadline sees is what ``asyncio.timeout`` gives: its task cancelled, the
    CancelledError turned into TimeoutError (``expired``) unless the task was cancelled from
    outside too (then the cancellation goes on)."""

    def __init__(self, timeout_s: float) -> None:
        self.timeout_s = timeout_s
        self._queue: deque[_Deadline] = deque()
        self._timer: asyncio.TimerHandle | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def start(self) -> _Deadline:
        task = asyncio.current_task()
        if task is None:
            raise RuntimeError("a deadline needs a task")
        loop = task.get_loop()
        if loop is not self._loop:  # another event loop (tests): nothing carries over
            self._loop, self._timer = loop, None
            self._queue.clear()
        deadline = _Deadline(loop.time() + self.timeout_s, task)
        self._queue.append(deadline)
        if self._timer is None:
            self._timer = loop.call_at(deadline.at, self._expire)
        return deadline

    def finish(self, deadline: _Deadline, error: BaseException | None) -> None:
        """After the request: raises TimeoutError when its deadline cancelled it. Finished
        deadlines at the queue's head are let go at once, and a finished one lets go of its
        task: the timer is set for the oldest deadline (the timeout after it started), and
        until it fired every request finished since stayed queued with its task (its
        coroutine, its result): a burst's 400 kept for up to ``timeout_s``, promoted into
        the collector's older generations."""
        deadline.done = True
        task, deadline.task = deadline.task, None
        queue = self._queue
        while queue and queue[0].done:
            queue.popleft()
        if deadline.expired and task is not None and task.uncancel() <= deadline.cancelling \
                and isinstance(error, asyncio.CancelledError):
            raise TimeoutError from error

    def _expire(self) -> None:
        self._timer = None
        loop = self._loop
        if loop is None:
            return
        now = loop.time()
        queue = self._queue
        while queue and (queue[0].done or queue[0].at <= now):
            deadline = queue.popleft()
            if not deadline.done and deadline.task is not None:
                deadline.expired = True
                deadline.task.cancel()
        if queue:
            self._timer = loop.call_at(queue[0].at, self._expire)


class Endpoint:
    def __init__(self, url: str, *, timeout_s: float, retries: int,
                 requests_per_s: float, turns: Turns | None = None, chain: str = "",
                 vouched: tuple[str, ...] = ()) -> None:
        self.url = url.rstrip("/")
        self.chain = chain  # named in the log of a failure (walletdesk.chains.lookup gives it)
        self.timeout_s = timeout_s
        self.retries = retries
        self.bucket = TokenBucket(requests_per_s)
        self.deadlines = Deadlines(timeout_s)
        self.turns = turns or Turns()
        self.batches = Batches(self)
        # keep-alive connections, reused; at most what the rate limit lets be under way
        self.pool = HttpPool(self.url, limit=connections_for(requests_per_s), vouched=vouched)
        self.rpc_headers = JSON_HEADERS

    @property
    def rpc_headers(self) -> dict[str, str]:
        """The headers of a JSON-RPC post (web3's provider's for EVM)."""
        return self._rpc_headers

    @rpc_headers.setter
    def rpc_headers(self, headers: dict[str, str]) -> None:
        self._rpc_headers = headers
        self._rpc_header_bytes = self.pool.encode_headers(headers)

    async def close(self) -> None:
        await self.batches.close()
        await self.pool.close()

    async def call(self, request: Callable[..., Awaitable[T]], *args: Any) -> T:
        """Run ``request(*args)`` under the rate limit and the timeout, retrying a timeout, a
        refused connection, a 429 or a 5xx with backoff; ChainUnavailable when it never
        answered well (logged: ``_failed``). A malformed answer is not retried: asking again
        gets the same."""
        reason, detail = UNREACHABLE, ""
        for attempt in range(self.retries + 1):
            wait = self.bucket.delay()
            if wait > self.timeout_s:
                self.bucket.tokens += 1  # not taken after all
                self._failed(RATE_LIMITED, "local rate limit")
                raise ChainUnavailable(RATE_LIMITED, "local rate limit")
            if wait:
                await asyncio.sleep(wait)
            turn = self.turns.enter()
            if turn is not None:
                await turn
            retry_after: float | None = None
            try:
                deadline = self.deadlines.start()  # asyncio.timeout's, on a shared timer
                try:
                    answer = await request(*args)
                except BaseException as exc:
                    self.deadlines.finish(deadline, exc)
                    raise
                self.deadlines.finish(deadline, None)
                return answer
            except RateLimited as exc:
                reason, detail, retry_after = RATE_LIMITED, "HTTP 429", exc.retry_after
            except TimeoutError:
                reason, detail = TIMEOUT, ""
            except (ConnectionError, OSError) as exc:
                reason, detail = UNREACHABLE, type(exc).__name__
            except ServerError as exc:
                reason, detail = UNREACHABLE, str(exc)  # "HTTP 503": the desk's own words
            except ChainUnavailable:
                raise
            except (ValueError, KeyError, TypeError, IndexError, AttributeError) as exc:
                self._failed(MALFORMED, type(exc).__name__)
                raise ChainUnavailable(MALFORMED, type(exc).__name__) from exc
            if attempt < self.retries:
                backoff = BACKOFF_S * 2 ** attempt
                await asyncio.sleep(min(MAX_RETRY_AFTER_S, max(backoff, retry_after or 0)))
        self._failed(reason, detail)
        raise ChainUnavailable(reason)

    def _failed(self, reason: str, detail: str) -> None:
        """One line per request that got no good answer (after its retries), so the operator
        sees an endpoint that times out, errs or rate-limits. Only the URL's host: its path or
        query may hold an API key; never the hash or address asked about (personal data), nor
        an exception's message (it can quote the request or the answer): its type only."""
        log.warning("chain_endpoint_failed", chain=self.chain, reason=reason, detail=detail,
                    host=self.pool.host)

    # --- the HTTP shapes of the non-EVM adapters ------------------------------------------

    # (plain functions giving ``call``'s coroutine: no coroutine of their own per request)
    def get_json(self, path: str) -> Awaitable[Any]:
        return self.call(self._send, b"GET", path)

    def get_text(self, path: str) -> Awaitable[str | None]:
        """A text body (Esplora's /blocks/tip/height); None for 404."""
        return self.call(self._send, b"GET", path, None, True)

    def post_json(self, path: str, body: Any) -> Awaitable[Any]:
        return self.call(self._send, b"POST", path, body)

    def rpc(self, request: dict[str, Any]) -> Awaitable[Any]:
        """A JSON-RPC request (its ``id`` unique on this endpoint): its answer, an object;
        requests made in the same turn of the event loop go out as one batch (Batches)."""
        return self.call(self.batches.request, request["id"], json_body(request))

    async def post_rpc(self, body: bytes) -> Any:
        """POST one JSON-RPC body (a request or a batch), its answer parsed; errors as
        ``_send``'s (check_status, ValueError for another HTTP error or a body not JSON)."""
        response = await self.pool.request(b"POST", "", body, self._rpc_header_bytes)
        turn = self.turns.enter()  # answers that came at once are read in turns
        if turn is not None:
            await turn
        check_status(response.status, response.retry_after)
        if response.status >= 400:
            raise ValueError(f"HTTP {response.status}")
        return orjson.loads(response.body)

    async def _send(self, method: bytes, path: str, body: Any = None,
                    as_text: bool = False) -> Any:
        data = json_body(body) if body is not None else None
        response = await self.pool.request(method, path, data,
                                           JSON_CONTENT if data is not None else b"")
        turn = self.turns.enter()  # 200 answers that came at once are read in turns too
        if turn is not None:
            await turn
        check_status(response.status, response.retry_after)
        if response.status == 404:
            return None
        if response.status >= 400:
            raise ValueError(f"HTTP {response.status}")
        if as_text:
            return response.body.decode("utf-8")
        return orjson.loads(response.body)


Pending = tuple[Any, bytes, "asyncio.Future[Any]"]  # (the request's id, its body, its answer)


class Batches:
    """JSON-RPC requests to one endpoint made in the same turn of the event loop (and the
    next: the tasks ``beside`` starts run there), posted as one batch (JSON-RPC 2.0: an
    array of requests, answered by an array matched by ``id``).

    200 EVM lookups at once make 400 requests: sent one by one, each costs an HTTP request's
    CPU here and at the endpoint (the HTTP exchange, the answer's parsing), and the last waits for all
    the others. In a batch the HTTP part is paid once for many. A lone request goes alone.

    Not every endpoint takes batches. A batch answered with an HTTP error (not 429), a body
    that is not JSON, or not an array: its requests are sent again one by one, and so is
    every request for ``UNBATCHED_S``. A request missing from the array is sent again alone.
    A 429, a timeout or a lost connection is every request's own error (``Endpoint.call``
    retries it as it would a single request's)."""

    def __init__(self, endpoint: "Endpoint") -> None:
        self.endpoint = endpoint
        self.refused_until = 0.0
        self._pending: list[Pending] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._first, self._seen = 0.0, 0  # when the first pending request came; how many
        self._tasks: set[asyncio.Task[None]] = set()

    async def request(self, request_id: Any, body: bytes) -> Any:
        loop = asyncio.get_running_loop()
        if loop is not self._loop:  # another event loop (tests): nothing carries over
            self._loop, self._pending = loop, []
        future: asyncio.Future[Any] = loop.create_future()
        self._pending.append((request_id, body, future))
        if len(self._pending) == 1:
            self._first, self._seen = loop.time(), 0
            loop.call_soon(self._collect)
        return await future  # cancelled (a timeout): not sent, or its answer dropped

    def _collect(self) -> None:
        """Sent after the pass of the event loop that made the first request and the next
        (what this pass's lookups ask ``beside`` their first request goes in the batch too),
        or later while every pass adds requests (a burst let through in ``Turns``), up to
        BATCH_MAX requests or COLLECT_S: one HTTP request for many."""
        count = len(self._pending)
        loop = self._loop
        if loop is not None and self._seen < count < BATCH_MAX and \
                loop.time() - self._first < COLLECT_S:
            self._seen = count
            loop.call_soon(self._collect)
            return
        self._flush()

    def _flush(self) -> None:
        pending = [p for p in self._pending if not p[2].done()]
        self._pending = []
        if len(pending) > 1 and time.monotonic() >= self.refused_until:
            for start in range(0, len(pending), BATCH_MAX):
                self._spawn(self._batch(pending[start:start + BATCH_MAX]))
        else:
            for one in pending:
                self._spawn(self._single(one))

    def _spawn(self, send: Awaitable[None]) -> None:
        task = asyncio.ensure_future(send)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _single(self, pending: Pending) -> None:
        future = pending[2]
        try:
            answer = await self.endpoint.post_rpc(pending[1])
        except asyncio.CancelledError:  # the endpoint closed: the lookup is told, not left
            _fail([pending], ConnectionError("endpoint closed"))
            raise
        except Exception as exc:
            _fail([pending], exc)
            return
        if not future.done():
            future.set_result(answer)

    async def _batch(self, batch: list[Pending]) -> None:
        try:
            answer = await self.endpoint.post_rpc(b"[" + b",".join(p[1] for p in batch) + b"]")
        except asyncio.CancelledError:
            _fail(batch, ConnectionError("endpoint closed"))
            raise
        except (RateLimited, TimeoutError, OSError) as exc:  # ConnectionError too
            _fail(batch, exc)  # each request's own error: Endpoint.call retries it
            return
        except Exception:  # an HTTP error, a body not JSON: batches refused
            answer = None
        answers = {a.get("id"): a for a in answer if isinstance(a, dict)} \
            if isinstance(answer, list) else {}
        missing = [p for p in batch if p[0] not in answers]
        if len(missing) == len(batch):
            self.refused_until = time.monotonic() + UNBATCHED_S
        for pending in missing:
            if not pending[2].done():
                self._spawn(self._single(pending))
        try:
            for request_id, _, future in batch:
                if request_id in answers and not future.done():
                    # each answer wakes a lookup: as many a turn as Turns lets through, not
                    # a hundred in one turn of the event loop
                    turn = self.endpoint.turns.enter()
                    if turn is not None:
                        await turn
                    if not future.done():
                        future.set_result(answers[request_id])
        except asyncio.CancelledError:
            _fail(batch, ConnectionError("endpoint closed"))
            raise

    async def close(self) -> None:
        _fail(self._pending, ConnectionError("endpoint closed"))
        self._pending = []
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task


def _fail(pending: list[Pending], error: BaseException) -> None:
    for _, _, future in pending:
        if not future.done():
            future.set_exception(error)


class ServerError(Exception):
    pass


def check_status(status: int, retry_after: str | None) -> None:
    if status == 429:
        try:
            raise RateLimited(float(retry_after) if retry_after else None)
        except ValueError:  # an HTTP date: back off as usual
            raise RateLimited() from None
    if status >= 500:
        raise ServerError(f"HTTP {status}")


_beside: set["asyncio.Task[Any]"] = set()


def beside(request: Awaitable[T]) -> "asyncio.Task[T]":
    """Send ``request`` now, beside the one the lookup waits for first: a second request that
    does not need the first one's answer (a mined transfer's receipt) costs no second round
    trip. Awaited when its answer is needed; else left to finish (its error not logged)."""
    task = asyncio.ensure_future(request)
    _beside.add(task)
    task.add_done_callback(_beside_done)  # one callback: each is a pass of the event loop
    return task


def _beside_done(task: "asyncio.Task[Any]") -> None:
    _beside.discard(task)
    _retrieve(task)


class SharedHead(Generic[T]):
    """The chain's head (height, latest block), shared by every lookup of the endpoint: read
    in a task of its own, at most once at a time and about once a ``ttl_s``, so 200 lookups
    at once ask for it once and none waits for it in turn.

    - ``prefetch()`` at the start of a lookup: when the head is not fresh, its request goes
      out beside the transaction's (not one round trip after it);
    - ``get()``: a fresh head at once; a head up to ``stale_s`` old at once too, while a new
      one is read for the next lookups; an older head (or none yet) waits for the request
      under way.

    A block comes every 3 s (TRON) to 10 min (Bitcoin), 0.25–12 s on EVM chains: a head one
    or two seconds old can count a confirmation fewer, never one that is not there."""

    def __init__(self, fetch: Callable[[], Awaitable[T]], ttl_s: float = HEAD_TTL_S,
                 stale_s: float = HEAD_STALE_S) -> None:
        self.fetch = fetch
        self.ttl_s = ttl_s
        self.stale_s = stale_s
        self._value: tuple[float, T] | None = None  # (read at, monotonic; the head)
        self._running: asyncio.Task[T] | None = None

    def prefetch(self) -> None:
        if self._value is None or self._value[0] + self.ttl_s <= time.monotonic():
            self._refresh()

    async def get(self) -> T:
        now = time.monotonic()
        if self._value is not None:
            read_at, value = self._value
            if read_at + self.ttl_s > now:
                return value
            if read_at + self.stale_s > now:
                self._refresh()
                return value
        return await asyncio.shield(self._refresh())

    def _refresh(self) -> "asyncio.Task[T]":
        if self._running is not None and self._running.get_loop() is not \
                asyncio.get_running_loop():  # left by another event loop (tests)
            self._running = None
        if self._running is None:
            self._running = asyncio.get_running_loop().create_task(self._read())
        return self._running

    async def _read(self) -> T:
        try:
            value = await self.fetch()
            self._value = (time.monotonic(), value)
            return value
        finally:
            self._running = None
            task = asyncio.current_task()
            if task is not None:  # retrieved when nobody waits: no "never retrieved"
                task.add_done_callback(_retrieve)

    async def close(self) -> None:
        running = self._running
        if running is not None:
            running.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await running


def _retrieve(task: "asyncio.Task[Any]") -> None:
    if not task.cancelled():
        task.exception()
