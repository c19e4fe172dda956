"""The endpoints' own HTTP/1.1 client (walletdesk.chains.http; decision 0040): keep-alive
connections reused, at most the pool's limit open, a kept connection the server closed
meanwhile replaced, answers chunked, compressed or running to the connection's end, garbage
that is not HTTP, a request cancelled mid-way; and the endpoint's timeouts on one shared
timer (walletdesk.chains.endpoints.Deadlines)."""

import asyncio
import datetime
import gc
import gzip
import ipaddress
import ssl
import weakref
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import httptools
import pytest

from walletdesk.chains.endpoints import (
    CONNECTIONS_MAX,
    CONNECTIONS_MIN,
    Deadlines,
    Endpoint,
    connections_for,
)
from walletdesk.chains.http import HttpPool, MalformedResponse, UnusableUrl
from walletdesk.chains.results import MALFORMED, UNAVAILABLE, UNREACHABLE, ChainUnavailable


@dataclass
class Seen:
    method: str
    target: str
    headers: dict[str, str]
    body: bytes
    port: int  # the client's port: one per connection


@dataclass
class RawServer:
    """HTTP/1.1 by hand: ``answer`` gives each request's raw response bytes (None: no answer
    until the connection is closed), so each test decides exactly what goes on the wire."""

    answer: Callable[[Seen], bytes | None]
    seen: list[Seen] = field(default_factory=list)
    open_now: int = 0
    most_open: int = 0
    gate: asyncio.Event | None = None
    transports: list[asyncio.Transport] = field(default_factory=list)

    def protocol(self) -> asyncio.Protocol:
        server = self

        class Connection(asyncio.Protocol):
            def connection_made(self, transport: asyncio.BaseTransport) -> None:
                self.transport: asyncio.Transport = transport  # type: ignore[assignment]
                server.transports.append(self.transport)
                server.open_now += 1
                server.most_open = max(server.most_open, server.open_now)
                self.parser = httptools.HttpRequestParser(self)
                self.url, self.body, self.headers = b"", b"", {}

            def connection_lost(self, exc: Exception | None) -> None:
                server.open_now -= 1

            def data_received(self, data: bytes) -> None:
                self.parser.feed_data(data)

            def on_url(self, url: bytes) -> None:
                self.url += url

            def on_header(self, name: bytes, value: bytes) -> None:
                self.headers[name.decode().lower()] = value.decode()

            def on_body(self, body: bytes) -> None:
                self.body += body

            def on_message_complete(self) -> None:
                seen = Seen(self.parser.get_method().decode(), self.url.decode(), self.headers,
                            self.body, self.transport.get_extra_info("peername")[1])
                self.url, self.body, self.headers = b"", b"", {}
                server.seen.append(seen)
                asyncio.ensure_future(self.reply(seen))

            async def reply(self, seen: Seen) -> None:
                if server.gate is not None:
                    await server.gate.wait()
                response = server.answer(seen)
                if response is not None and not self.transport.is_closing():
                    self.transport.write(response)
                    if b"\r\nConnection: close\r\n" in response.split(b"\r\n\r\n")[0] + b"\r\n":
                        self.transport.close()  # as a server does after such an answer

        return Connection()

    @property
    def connections(self) -> int:
        return len({s.port for s in self.seen})


def ok(body: bytes = b'{"ok": true}', extra: bytes = b"") -> bytes:
    return b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n%s\r\n%s" \
        % (len(body), extra, body)


@asynccontextmanager
async def raw_server(answer: Callable[[Seen], bytes | None]) -> AsyncIterator[tuple[RawServer, str]]:
    state = RawServer(answer)
    server = await asyncio.get_running_loop().create_server(state.protocol, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield state, f"http://127.0.0.1:{port}"
    finally:
        for transport in state.transports:
            transport.abort()
        server.close()
        await server.wait_closed()


async def test_connections_are_kept_and_reused():
    async with raw_server(lambda seen: ok()) as (server, url):
        pool = HttpPool(url + "/api", limit=8)
        for _ in range(5):
            assert (await pool.request(b"GET", "/tx/ab")).body == b'{"ok": true}'
        await asyncio.gather(*(pool.request(b"GET", "/tx/cd") for _ in range(3)))
        assert server.connections == 3  # one, then two more for the three at once
        assert pool.open_connections == pool.idle_connections == 3
        await pool.close()
    first = server.seen[0]
    assert (first.method, first.target) == ("GET", "/api/tx/ab")
    assert first.headers["host"].startswith("127.0.0.1:")
    assert "content-length" not in first.headers


async def test_no_more_connections_than_the_limit_and_every_request_answered():
    async with raw_server(lambda seen: ok(seen.target.encode())) as (server, url):
        server.gate = asyncio.Event()
        pool = HttpPool(url, limit=4)
        requests = [asyncio.ensure_future(pool.request(b"GET", f"/{n}")) for n in range(30)]
        await asyncio.sleep(0.1)
        assert len(server.seen) == 4  # the others wait for a connection to come back
        server.gate.set()
        answers = await asyncio.gather(*requests)
        await pool.close()
    assert [a.body for a in answers] == [f"/{n}".encode() for n in range(30)]
    assert server.most_open == 4 and server.connections == 4


def test_the_pool_is_what_the_rate_limit_lets_be_under_way():
    assert connections_for(10) == 20
    assert connections_for(1) == CONNECTIONS_MIN
    assert connections_for(10_000) == CONNECTIONS_MAX
    assert Endpoint("http://127.0.0.1:1", timeout_s=1, retries=0,
                    requests_per_s=50).pool.limit == 100


async def test_a_kept_connection_the_server_closed_is_replaced():
    async with raw_server(lambda seen: ok()) as (server, url):
        pool = HttpPool(url, limit=2)
        await pool.request(b"GET", "/a")
        for transport in server.transports:  # the server's idle timeout
            transport.close()
        await asyncio.sleep(0.05)
        assert (await pool.request(b"GET", "/b")).status == 200
        # closed while idle and noticed: dropped at once, a new connection made
        assert server.connections == 2 and pool.open_connections == 1
        await pool.close()


async def test_a_request_on_a_connection_closed_unnoticed_is_sent_again_once():
    async with raw_server(lambda seen: ok()) as (server, url):
        pool = HttpPool(url, limit=2)
        await pool.request(b"GET", "/a")
        kept = pool._idle[0]
        for transport in server.transports:
            transport.close()
        kept.closed = False  # as if the close had not been read yet when the request went
        pool._idle.append(kept)
        assert (await pool.request(b"GET", "/b")).status == 200
        await pool.close()
    assert [s.target for s in server.seen] == ["/a", "/b"]


async def test_connection_close_chunked_gzip_and_close_delimited_answers():
    answers = {
        "/close": ok(b"[1]", b"Connection: close\r\n"),
        "/chunked": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                    b"3\r\n[1,\r\n2\r\n2]\r\n0\r\n\r\n",
        "/gzip": ok(gzip.compress(b'{"z": 1}'), b"Content-Encoding: gzip\r\n"),
        "/eof": b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nto the end",
        "/429": b"HTTP/1.1 429 Too Many Requests\r\nRetry-After: 3\r\nContent-Length: 0\r\n\r\n",
    }

    def answer(seen: Seen) -> bytes:
        return answers[seen.target]

    async with raw_server(answer) as (server, url):
        pool = HttpPool(url, limit=4)
        closed = await pool.request(b"GET", "/close")
        assert closed.body == b"[1]" and pool.open_connections == 0
        assert (await pool.request(b"GET", "/chunked")).body == b"[1,2]"
        assert (await pool.request(b"GET", "/gzip")).body == b'{"z": 1}'
        assert (await pool.request(b"GET", "/eof")).body == b"to the end"
        limited = await pool.request(b"GET", "/429")
        assert (limited.status, limited.retry_after) == (429, "3")
        await pool.close()


async def test_bytes_that_are_not_http_are_a_malformed_answer():
    async with raw_server(lambda seen: b"SSH-2.0-OpenSSH_9.6\r\n\r\n") as (_, url):
        pool = HttpPool(url, limit=2)
        with pytest.raises(MalformedResponse):
            await pool.request(b"GET", "/")
        await pool.close()
        endpoint = Endpoint(url, timeout_s=1, retries=2, requests_per_s=100)
        with pytest.raises(ChainUnavailable) as raised:
            await endpoint.get_json("/tx/ab")
        assert raised.value.reason == MALFORMED  # not retried: asking again gets the same
        await endpoint.close()


async def test_an_answer_too_large_or_inflating_too_large_is_malformed(monkeypatch):
    monkeypatch.setattr("walletdesk.chains.http.MAX_ANSWER_BYTES", 1000)
    answers = {
        "/big": ok(b"[" + b"1," * 600 + b"1]"),
        "/bomb": ok(gzip.compress(b" " * 50_000), b"Content-Encoding: gzip\r\n"),
        "/small": ok(b"[1]"),
    }
    async with raw_server(lambda seen: answers[seen.target]) as (_, url):
        pool = HttpPool(url, limit=2)
        for path in ("/big", "/bomb"):
            with pytest.raises(MalformedResponse, match="larger than 1000 bytes"):
                await pool.request(b"GET", path)
        assert (await pool.request(b"GET", "/small")).body == b"[1]"  # the pool goes on
        await pool.close()


async def test_a_cancelled_request_closes_its_connection():
    async with raw_server(lambda seen: None if seen.target == "/never" else ok()) \
            as (server, url):
        pool = HttpPool(url, limit=1)
        waiting = asyncio.ensure_future(pool.request(b"GET", "/never"))
        await asyncio.sleep(0.05)
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
        assert pool.open_connections == 0  # its state unknown: not given to the next request
        assert (await pool.request(b"GET", "/next")).status == 200
        await pool.close()
    assert server.connections == 2


async def test_the_url_gives_the_path_the_query_and_basic_auth():
    async with raw_server(lambda seen: ok()) as (server, url):
        authed = url.replace("http://", "http://user:p%40ss@") + "/v2?key=k"
        pool = HttpPool(authed, limit=1)
        await pool.request(b"POST", "", b'{"id": 1}', b"Content-Type: application/json\r\n")
        await pool.close()
    seen = server.seen[0]
    assert (seen.method, seen.target, seen.body) == ("POST", "/v2?key=k", b'{"id": 1}')
    assert seen.headers["authorization"] == "Basic dXNlcjpwQHNz"  # user:p@ss
    assert seen.headers["content-type"] == "application/json"
    for unusable in ("ftp://example.org", "mempool.space/api", "http://host:port/"):
        with pytest.raises(UnusableUrl):  # said at the request, not where the client is made
            await HttpPool(unusable, limit=1).request(b"GET", "/")


def self_signed(directory: object) -> tuple[str, str]:
    """A certificate for localhost and 127.0.0.1, its own issuer: (cert file, key file)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(hours=1))
            .not_valid_after(now + datetime.timedelta(hours=1))
            .add_extension(x509.SubjectAlternativeName([
                x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_file, key_file = f"{directory}/cert.pem", f"{directory}/key.pem"
    with open(cert_file, "wb") as out:
        out.write(cert.public_bytes(serialization.Encoding.PEM))
    with open(key_file, "wb") as out:
        out.write(key.private_bytes(serialization.Encoding.PEM,
                                    serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption()))
    return cert_file, key_file


async def test_https_with_the_host_name_checked(tmp_path):
    cert_file, key_file = self_signed(tmp_path)
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(cert_file, key_file)
    state = RawServer(lambda seen: ok())
    server = await asyncio.get_running_loop().create_server(
        state.protocol, "127.0.0.1", 0, ssl=server_context)
    port = server.sockets[0].getsockname()[1]
    try:
        trusting = ssl.create_default_context(cafile=cert_file)
        pool = HttpPool(f"https://localhost:{port}/rpc", limit=2, ssl_context=trusting)
        for _ in range(3):  # ::1 first, maybe: refused, then 127.0.0.1
            assert (await pool.request(b"POST", "", b"{}")).status == 200
        await pool.close()
        assert state.connections == 1 and state.seen[0].headers["host"] == f"localhost:{port}"
        stranger = HttpPool(f"https://localhost:{port}/rpc", limit=2)  # the system's CAs
        with pytest.raises(ssl.SSLCertVerificationError):  # an OSError: unreachable
            await stranger.request(b"POST", "", b"{}")
        await stranger.close()
    finally:
        for transport in state.transports:
            transport.abort()
        server.close()
        await server.wait_closed()


async def test_deadlines_on_one_timer_are_asyncio_timeouts():
    deadlines = Deadlines(0.05)

    async def under_deadline(seconds: float) -> str:
        deadline = deadlines.start()
        try:
            await asyncio.sleep(seconds)
        except BaseException as exc:
            deadlines.finish(deadline, exc)
            raise
        deadlines.finish(deadline, None)
        return "done"

    assert await under_deadline(0.0) == "done"
    fast = asyncio.ensure_future(under_deadline(0.01))
    slow = asyncio.ensure_future(under_deadline(1.0))
    assert await fast == "done"
    with pytest.raises(TimeoutError):
        await slow
    await asyncio.sleep(0.1)  # the fast one's deadline passed: nothing cancelled after it
    assert asyncio.current_task().cancelling() == 0  # type: ignore[union-attr]
    # cancelled from outside: the cancellation goes on, not a timeout
    outside = asyncio.ensure_future(under_deadline(1.0))
    await asyncio.sleep(0.01)
    outside.cancel()
    with pytest.raises(asyncio.CancelledError):
        await outside


async def test_an_endpoint_url_not_http_is_unreachable_not_a_crash(make_client):
    client = make_client({"bitcoin": "mempool.space/api"}, chain_retries=0)
    result = await client.look_up("bitcoin", "ab" * 32)
    assert (result.status, result.error) == (UNAVAILABLE, UNREACHABLE)


async def test_a_finished_request_lets_its_deadline_and_task_go():
    deadlines = Deadlines(30.0)

    async def request() -> None:
        deadline = deadlines.start()
        await asyncio.sleep(0)
        deadlines.finish(deadline, None)

    task = asyncio.ensure_future(request())
    await task
    seen = weakref.ref(task)
    del task
    for _ in range(3):  # the event loop's last handles let go of it
        await asyncio.sleep(0)
    gc.collect()
    # not kept (with its coroutine and result) until the 30 s timer of the oldest deadline
    assert seen() is None and not deadlines._queue
