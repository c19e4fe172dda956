"""HTTP/1.1 to one chain endpoint: keep-alive connections of its own, reused, at most
``limit`` open, each request written as bytes and its answer read by llhttp (httptools).

Why not aiohttp (decision 0040): a chain lookup is one small request and one small JSON
answer, and 200 of them can start in the same instant; the last waits for the CPU of all the
others. aiohttp spent 0.15–0.2 ms of CPU on a request over a warm connection (its
``ClientRequest``/``ClientResponse`` objects, URL building, header multidicts, timers, the
payload writer) and 0.3–0.4 ms on a new one; this client 0.02–0.03 ms and 0.07 ms
(measured on the same 2-core machine: docs/decisions/0040). What it does is what the
endpoints need and no more:

- GET and POST with a JSON body to ``url`` + a path; the URL's user and password, if any, as
  HTTP Basic auth; https (the system's trusted certificates, the host's name checked), plain
  http only to the machine itself or a private network (``is_local_host``);
- no redirects (as before: ``allow_redirects=False``), no cookies, no proxy (the sessions
  never read the environment's); answers compressed only when the server insists (gzip,
  deflate: decompressed); chunked and close-delimited bodies; an answer over
  ``MAX_ANSWER_BYTES``, before or after decompression, is malformed;
- keep-alive: a connection goes back to the pool after a complete answer the server lets it
  keep; idle ones are closed after ``idle_s``; a request on a kept connection that the server
  closed meanwhile (its idle timeout) is sent once more on a new connection;
- the host's addresses resolved once per ``DNS_TTL_S`` (not once per connection), by one
  resolution the connections opened meanwhile share;
- timeouts are the caller's (``Endpoint.call``: ``asyncio.timeout``): a request cancelled
  mid-way closes its connection (its state is unknown), never returns it to the pool.
"""

import asyncio
import base64
import contextlib
import ipaddress
import ssl
import time
import zlib
from collections import deque
from collections.abc import Collection
from typing import NamedTuple
from urllib.parse import unquote, urlsplit

import httptools

IDLE_S = 60.0  # an idle connection is closed after this long (servers close theirs at 5–75 s)
DNS_TTL_S = 300.0
MAX_ANSWER_BYTES = 8 * 1024 * 1024  # an answer is kilobytes; more: a broken or hostile endpoint
USER_AGENT = b"walletdesk"
# where plain http:// may go: the machine itself and private networks (an operator's own node
# on its LAN, the test suite's local servers). Beyond them a provider's API key (in the URL's
# path or query) and customers' transaction hashes would cross networks in clear.
LOCAL_NETWORKS = tuple(ipaddress.ip_network(network) for network in (
    "127.0.0.0/8", "::1/128", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"))


class Response(NamedTuple):
    status: int
    body: bytes
    retry_after: str | None


class MalformedResponse(ValueError):
    """The server's bytes were not HTTP."""


class UnusableUrl(ConnectionError):
    """The endpoint's URL is not one to connect to (a configuration error: the endpoint is
    unreachable, said so at every request, never a crash where the client is made)."""


def is_local_host(host: str) -> bool:
    """``localhost`` or an address in LOCAL_NETWORKS. Any other name counts as remote: it may
    resolve anywhere."""
    if host.lower().rstrip(".") == "localhost":
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:  # a name
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return any(address in network for network in LOCAL_NETWORKS)


def in_clear_beyond_local_network(url: str, vouched: Collection[str] = ()) -> bool:
    """Plain http:// to a host that is not local (as HttpPool reads the URL) nor one of the
    ``vouched`` host names (WALLETDESK_CHAIN_PLAIN_HTTP_HOSTS: an own node by its name on the
    operator's network, e.g. a container's ``geth``). A URL that is not http(s) at all is not
    this: HttpPool reports it unusable at every request."""
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. an unclosed [ipv6 literal: unusable, nothing is sent
        return False
    host = parts.hostname or ""
    return parts.scheme == "http" and bool(host) and not is_local_host(host) \
        and host.lower().rstrip(".") not in {name.lower().rstrip(".") for name in vouched}


class _Connection(asyncio.Protocol):
    """One keep-alive connection: one request at a time (no pipelining)."""

    __slots__ = (
        "pool",
        "transport",
        "parser",
        "waiter",
        "chunks",
        "received",
        "retry_after",
        "encoding",
        "answered",
        "headers_done",
        "closed",
        "idle_since",
    )

    def __init__(self, pool: "HttpPool") -> None:
        self.pool = pool
        self.transport: asyncio.Transport | None = None
        self.parser = httptools.HttpResponseParser(self)
        self.waiter: asyncio.Future[Response] | None = None
        self.chunks: list[bytes] = []
        self.received = 0  # bytes of the answer's body so far
        self.retry_after: str | None = None
        self.encoding: bytes | None = None
        self.answered = False  # a byte of the answer came
        self.headers_done = False
        self.closed = False
        self.idle_since = 0.0

    # --- asyncio.Protocol
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.answered = True
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError as exc:
            self._fail(MalformedResponse(str(exc)))
            self.close()

    def eof_received(self) -> bool:
        return False  # the transport closes itself: connection_lost follows

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if self.waiter is not None and not self.waiter.done():
            if self.headers_done:  # a body that runs until the connection closes
                self._complete(keep=False)
            else:
                self._fail(ConnectionError("connection closed by the server"))
        self.pool._lost(self)

    # --- httptools callbacks
    def on_header(self, name: bytes, value: bytes) -> None:
        name = name.lower()
        if name == b"retry-after":
            self.retry_after = value.decode("latin-1")
        elif name == b"content-encoding":
            self.encoding = value.strip().lower()

    def on_headers_complete(self) -> None:
        self.headers_done = True

    def on_body(self, body: bytes) -> None:
        self.received += len(body)
        if self.received > MAX_ANSWER_BYTES:
            self._fail(MalformedResponse(f"answer larger than {MAX_ANSWER_BYTES} bytes"))
            self.close()
            return
        self.chunks.append(body)

    def on_message_complete(self) -> None:
        self._complete(keep=self.parser.should_keep_alive())

    # ---
    def _complete(self, keep: bool) -> None:
        waiter, self.waiter = self.waiter, None
        body = b"".join(self.chunks) if len(self.chunks) != 1 else self.chunks[0]
        status = self.parser.get_status_code()
        retry_after, encoding = self.retry_after, self.encoding
        self.chunks, self.retry_after, self.encoding, self.received = [], None, None, 0
        self.headers_done = False
        if waiter is None or waiter.done():
            self.close()  # an answer nobody asked for: the connection's state is unknown
            return
        if encoding in (b"gzip", b"x-gzip", b"deflate"):
            try:
                inflate = zlib.decompressobj(47 if encoding != b"deflate" else 15)
                body = inflate.decompress(body, MAX_ANSWER_BYTES + 1)
            except zlib.error as exc:
                waiter.set_exception(MalformedResponse(f"content-encoding: {exc}"))
                self.close()
                return
            if len(body) > MAX_ANSWER_BYTES:  # a small answer that inflates to gigabytes
                waiter.set_exception(
                    MalformedResponse(f"answer larger than {MAX_ANSWER_BYTES} bytes"))
                self.close()
                return
        elif encoding not in (None, b"identity"):
            waiter.set_exception(MalformedResponse("content-encoding"))
            self.close()
            return
        if not keep:
            self.close()
        waiter.set_result(Response(status, body, retry_after))

    def _fail(self, exc: Exception) -> None:
        waiter, self.waiter = self.waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_exception(exc)

    def send(self, request: bytes, loop: asyncio.AbstractEventLoop) -> "asyncio.Future[Response]":
        assert self.transport is not None
        self.waiter = loop.create_future()
        self.answered = False
        self.transport.write(request)
        return self.waiter

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            if self.transport is not None:
                self.transport.abort()  # connection_lost follows


def _retrieve(task: "asyncio.Task[object]") -> None:
    """A task's error taken, so an error nobody waited for is not logged as never retrieved."""
    if not task.cancelled():
        task.exception()


class HttpPool:
    """The connections to one endpoint. ``limit``: open at once; a request beyond it waits
    (in order) for a connection another request gives back."""

    def __init__(self, url: str, *, limit: int, idle_s: float = IDLE_S,
                 ssl_context: ssl.SSLContext | None = None,
                 vouched: Collection[str] = ()) -> None:
        self.unusable: str | None = None
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError:  # a port that is not a number
            parts, port = urlsplit(""), None
        if parts.scheme not in ("http", "https") or not parts.hostname:
            self.unusable = f"not an http(s) URL: {parts.scheme}://{parts.hostname or ''}"
        elif in_clear_beyond_local_network(url, vouched):  # refused with the settings already
            self.unusable = f"plain http:// beyond the local network: {parts.hostname}"
        self.host = parts.hostname or ""
        self.tls = parts.scheme == "https"
        self.port = port or (443 if self.tls else 80)
        self.base = (parts.path + (f"?{parts.query}" if parts.query else "")).encode()
        default_port = self.port == (443 if self.tls else 80)
        host = f"[{self.host}]" if ":" in self.host else self.host
        head = [b"Host: " + (host if default_port else f"{host}:{self.port}").encode("idna"),
                b"User-Agent: " + USER_AGENT, b"Accept: */*"]
        if parts.username is not None:
            user_pass = f"{unquote(parts.username)}:{unquote(parts.password or '')}"
            head.append(b"Authorization: Basic " + base64.b64encode(user_pass.encode()))
        self.head = b"\r\n".join(head) + b"\r\n"
        self.limit = max(1, limit)
        self.idle_s = idle_s
        self._idle: deque[_Connection] = deque()
        self._open: set[_Connection] = set()
        self._opening = 0
        self._waiters: deque[asyncio.Future[_Connection | None]] = deque()
        self._ssl = ssl_context  # None: the system's trusted certificates (made at first use)
        self._addresses: tuple[float, list[tuple[str, int]]] | None = None
        self._resolving: asyncio.Task[list[tuple[str, int]]] | None = None  # (_resolve)
        self._loop: asyncio.AbstractEventLoop | None = None

    @property
    def open_connections(self) -> int:
        return len(self._open)

    @property
    def idle_connections(self) -> int:
        return sum(1 for c in self._idle if not c.closed)

    def encode_headers(self, headers: dict[str, str]) -> bytes:
        """Extra request headers (web3's provider's), once, as the bytes sent."""
        return b"".join(f"{name}: {value}\r\n".encode("latin-1")
                        for name, value in headers.items()
                        if name.lower() not in ("host", "content-length", "user-agent"))

    async def request(self, method: bytes, path: str, body: bytes | None = None,
                      headers: bytes = b"") -> Response:
        if self.unusable is not None:
            raise UnusableUrl(self.unusable)
        target = self.base + path.encode()
        if not target.startswith(b"/"):
            target = b"/" + target
        if body is None:
            request = b"%s %s HTTP/1.1\r\n%s%s\r\n" % (method, target, self.head, headers)
        else:
            request = b"%s %s HTTP/1.1\r\n%s%sContent-Length: %d\r\n\r\n%s" % (
                method, target, self.head, headers, len(body), body)
        loop = asyncio.get_running_loop()
        # a kept connection at hand (the usual case): taken without a coroutine of its own
        connection = self._idle_connection(loop) if self._idle and loop is self._loop else None
        reused = True
        if connection is None:
            connection, reused = await self._acquire(loop)
        try:
            try:
                response = await connection.send(request, loop)
            except ConnectionError:
                if not reused or connection.answered:
                    raise
                # a kept connection the server closed while it was idle: once more, new
                self._release(connection)
                connection, reused = await self._acquire(loop, new=True)
                response = await connection.send(request, loop)
        except BaseException:
            connection.close()  # cancelled or failed mid-way: its state is unknown
            self._release(connection)
            raise
        self._release(connection)
        return response

    def _idle_connection(self, loop: asyncio.AbstractEventLoop) -> _Connection | None:
        """The most recently used kept connection (the least likely closed), or None."""
        if loop is not self._loop:  # another event loop (tests): nothing carries over
            self._reset(loop)
        now = time.monotonic()
        while self._idle:
            connection = self._idle.pop()
            if connection.closed:
                continue
            if now - connection.idle_since > self.idle_s:
                connection.close()
                continue
            self._prune(now)
            return connection
        return None

    async def _acquire(self, loop: asyncio.AbstractEventLoop, new: bool = False) -> tuple[_Connection, bool]:
        if not new:
            connection = self._idle_connection(loop)
            if connection is not None:
                return connection, True
        elif loop is not self._loop:
            self._reset(loop)
        while len(self._open) + self._opening >= self.limit:
            waiter: asyncio.Future[_Connection | None] = loop.create_future()
            self._waiters.append(waiter)
            try:
                handed = await waiter
            except asyncio.CancelledError:
                if waiter.done() and not waiter.cancelled() and waiter.result() is not None:
                    self._release(waiter.result())  # handed over as it was cancelled
                raise
            if handed is not None and not handed.closed:
                return handed, True
        return await self._connect(loop), False

    async def _connect(self, loop: asyncio.AbstractEventLoop) -> _Connection:
        self._opening += 1
        try:
            addresses = await self._resolve(loop)
            error: Exception | None = None  # (made only when no address connected)
            for host, port in addresses:
                try:
                    _, connection = await loop.create_connection(
                        lambda: _Connection(self), host, port, ssl=self._ssl_context(),
                        server_hostname=self.host if self.tls else None)
                    break
                except OSError as exc:
                    error = exc
            else:
                self._addresses = None  # resolved again next time
                raise error or ConnectionError(f"no address for {self.host}")
        except BaseException:
            self._opening -= 1
            self._wake_one()
            raise
        self._opening -= 1
        if connection.closed:  # lost before it was handed out
            raise ConnectionError("connection closed by the server")
        self._open.add(connection)
        return connection

    async def _resolve(self, loop: asyncio.AbstractEventLoop) -> list[tuple[str, int]]:
        """The host's addresses: kept ``DNS_TTL_S``; one resolution at a time, the connections
        opened meanwhile wait for it (decision 0055). A host name is resolved in a worker
        thread (libuv's pool of 4 under uvloop); a burst on new connections opens 16 a turn of
        the event loop, and each connection opened before the first answer came asked on its
        own: a fresh client's first burst of 200 hinted TRON lookups resolved ``localhost``
        16 times, and a name whose DNS answer takes 20 ms 320–400 times — each a thread
        hand-off and a query, queued behind one another in the pool (lookup p95 1.8–2.3 s,
        now 0.3 s). An address written as digits needs no resolver."""
        now = time.monotonic()
        if self._addresses is not None and self._addresses[0] > now:
            return self._addresses[1]
        resolving = self._resolving
        if resolving is None:
            resolving = self._resolving = loop.create_task(self._look_up_addresses(loop))
            resolving.add_done_callback(_retrieve)  # every connection waiting may be cancelled
        # a connection's timeout cancels its own wait, not the resolution the others wait for
        return await asyncio.shield(resolving)

    async def _look_up_addresses(self, loop: asyncio.AbstractEventLoop) -> list[tuple[str, int]]:
        try:
            infos = await loop.getaddrinfo(self.host, self.port, type=1)  # SOCK_STREAM
            addresses = [(str(info[4][0]), int(info[4][1])) for info in infos]
            self._addresses = (time.monotonic() + DNS_TTL_S, addresses)
            return addresses
        finally:
            self._resolving = None

    def _ssl_context(self) -> ssl.SSLContext | None:
        if not self.tls:
            return None
        if self._ssl is None:
            self._ssl = ssl.create_default_context()
        return self._ssl

    def _release(self, connection: _Connection) -> None:
        if connection.closed or connection.waiter is not None:
            if connection.waiter is not None:  # still waiting for an answer: not reusable
                connection.close()
            self._open.discard(connection)
            self._wake_one()
            return
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(connection)
                return
        connection.idle_since = time.monotonic()
        self._idle.append(connection)

    def _lost(self, connection: _Connection) -> None:
        if connection in self._open:
            self._open.discard(connection)
            self._wake_one()

    def _wake_one(self) -> None:
        """A connection closed: a request waiting for one may open a new one."""
        while self._waiters and len(self._open) + self._opening < self.limit:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return

    def _prune(self, now: float) -> None:
        """Close the connections idle longer than ``idle_s`` (the oldest are first)."""
        while self._idle and (self._idle[0].closed or
                              now - self._idle[0].idle_since > self.idle_s):
            self._idle.popleft().close()

    def _reset(self, loop: asyncio.AbstractEventLoop) -> None:
        for connection in list(self._open):
            with contextlib.suppress(Exception):  # its loop is closed already
                connection.close()
        self._idle.clear()
        self._open.clear()
        self._waiters.clear()
        self._opening = 0
        self._resolving = None
        self._loop = loop

    async def close(self) -> None:
        for waiter in self._waiters:
            if not waiter.done():
                waiter.set_exception(ConnectionError("endpoint closed"))
        self._waiters.clear()
        for connection in list(self._open):
            connection.close()
        self._idle.clear()
        self._open.clear()
        await asyncio.sleep(0)  # the transports' connection_lost run
