"""A burst of lookups on new connections (docs/decisions/0055): the connections opened
together resolve the endpoint's host name once, a request under way holds its body in a
bytes object of the body's size, not in orjson's 4 KiB buffer, and TRX lookups the words
named send their two requests one lookup after another."""

import asyncio
import statistics
import tracemalloc
from pathlib import Path

import orjson
import pytest

from walletdesk.chains import endpoints
from walletdesk.chains.endpoints import Endpoint, json_body
from walletdesk.chains.http import HttpPool
from walletdesk.chains.results import CONFIRMED

from .test_http_pool import Seen, ok, raw_server
from .test_tron_one_request import TO, trx_info, trx_transfer, txid


def by_name(url: str) -> str:
    """The local server's URL with its host as a name the resolver answers (not digits,
    which need no resolver)."""
    return url.replace("127.0.0.1", "localhost")


async def test_connections_opened_together_share_one_resolution_of_the_host_name(monkeypatch):
    loop = asyncio.get_running_loop()
    asked: list[str] = []
    resolve = loop.getaddrinfo

    async def counted(host, port, **kwargs):  # the loop's own resolver, counted
        asked.append(host)
        return await resolve(host, port, **kwargs)

    monkeypatch.setattr(loop, "getaddrinfo", counted)
    async with raw_server(lambda seen: ok(seen.target.encode())) as (server, url):
        pool = HttpPool(by_name(url), limit=64)
        answers = await asyncio.gather(*(pool.request(b"GET", f"/{n}") for n in range(30)))
        assert asked == ["localhost"]  # was one per new connection: 30
        # kept for later connections too
        await asyncio.gather(*(pool.request(b"GET", f"/{n}") for n in range(40)))
        assert asked == ["localhost"]
        await pool.close()
    assert [a.body for a in answers] == [f"/{n}".encode() for n in range(30)]
    assert server.connections == 40


async def test_a_connection_given_up_while_the_name_is_resolved_leaves_the_others_theirs(
        monkeypatch):
    loop = asyncio.get_running_loop()
    answer = asyncio.Event()
    resolve = loop.getaddrinfo

    async def when_let(host, port, **kwargs):  # the loop's own resolver, once the test lets it
        await answer.wait()
        return await resolve(host, port, **kwargs)

    monkeypatch.setattr(loop, "getaddrinfo", when_let)
    async with raw_server(lambda seen: ok()) as (server, url):
        pool = HttpPool(by_name(url), limit=8)
        given_up = asyncio.ensure_future(pool.request(b"GET", "/a"))
        waiting = asyncio.ensure_future(pool.request(b"GET", "/b"))
        await asyncio.sleep(0.02)
        given_up.cancel()  # its timeout, say
        await asyncio.sleep(0.02)
        answer.set()
        assert (await waiting).status == 200
        with pytest.raises(asyncio.CancelledError):
            await given_up
        await pool.close()
    assert [s.target for s in server.seen] == ["/b"]


def test_a_json_body_is_the_size_of_its_bytes():
    value = {"value": "ab" * 32}
    tracemalloc.start()
    try:
        held_before = tracemalloc.get_traced_memory()[0]
        bodies = [json_body(value) for _ in range(100)]
        held = tracemalloc.get_traced_memory()[0] - held_before
    finally:
        tracemalloc.stop()
    assert bodies[0] == orjson.dumps(value)
    assert held < 100 * 256  # orjson.dumps alone holds ~4 KiB for each


def answers(seen: Seen) -> bytes:
    """A TronGrid post: an object; a JSON-RPC batch: each request's result, by its id."""
    request = orjson.loads(seen.body)
    if isinstance(request, list):
        return ok(orjson.dumps([{"jsonrpc": "2.0", "id": one["id"], "result": "0x1"}
                                for one in request]))
    return ok()


async def test_requests_under_way_hold_their_bodies_at_their_own_size():
    """What the endpoint's code holds while 50 requests wait for their answers (TronGrid's
    REST posts and JSON-RPC requests): before, each body was orjson's 4 KiB buffer for a
    100-byte request — 1.6 MiB of heap for a burst's 400, paid in page faults."""
    async with raw_server(answers) as (server, url):
        server.gate = asyncio.Event()
        endpoint = Endpoint(url, timeout_s=5, retries=0, requests_per_s=1000)
        tracemalloc.start()
        try:
            posts = [asyncio.ensure_future(endpoint.post_json(
                "/wallet/gettransactionbyid", {"value": f"{n:064x}"})) for n in range(50)]
            calls = [asyncio.ensure_future(endpoint.rpc(
                {"jsonrpc": "2.0", "id": n, "method": "eth_getTransactionByHash",
                 "params": [f"0x{n:064x}"]})) for n in range(50)]
            for _ in range(100):
                await asyncio.sleep(0.01)
                if len(server.seen) >= 51:  # the posts and the batch of the JSON-RPC requests
                    break
            snapshot = tracemalloc.take_snapshot()
        finally:
            tracemalloc.stop()
        server.gate.set()
        await asyncio.gather(*posts, *calls)
        await endpoint.close()
    held = snapshot.filter_traces([tracemalloc.Filter(True, str(Path(endpoints.__file__)))])
    per_request = sum(stat.size for stat in held.statistics("lineno")) / 100
    # the requests' coroutines, deadlines and bodies, the batch: ~1.3 KiB a request; with
    # orjson's buffer for each body, ~5.4 KiB
    assert per_request < 2048, per_request



def trongrid_answer(seen: Seen) -> bytes:
    """TronGrid's three requests, each TRX transfer its own (in a block 10 deep)."""
    if seen.target.endswith("/getnowblock"):
        return ok(orjson.dumps({"blockID": "00" * 32, "block_header": {"raw_data": {
            "number": 77_000_019, "timestamp": 1764480000000}}}))
    tx = orjson.loads(seen.body)["value"]
    if seen.target.endswith("/gettransactionbyid"):
        return ok(orjson.dumps(trx_transfer(tx, 1_500_000)))
    return ok(orjson.dumps(trx_info(tx, 77_000_010)))


async def test_trx_lookups_named_at_once_send_their_pairs_one_lookup_after_another(
        make_client):
    """40 hinted lookups at once, each on new connections: the endpoint receives each
    lookup's two requests together (before: the 40 outcomes, then the 40 transactions, so
    every lookup waited for nearly the whole burst to go out)."""
    txs = [txid(500 + n) for n in range(40)]
    async with raw_server(trongrid_answer) as (server, url):
        server.gate = asyncio.Event()  # every answer held: all that arrives is the first round
        client = make_client({"tron": url})
        lookups = asyncio.gather(*(client.look_up("tron", tx, native=True) for tx in txs))
        async with asyncio.timeout(5):
            while len(server.seen) < 2 * len(txs) + 1:  # and the shared head
                await asyncio.sleep(0.005)
        server.gate.set()
        results = await lookups
    arrived = [orjson.loads(seen.body)["value"] for seen in server.seen
               if not seen.target.endswith("/getnowblock")]
    apart = [len(arrived) - arrived[::-1].index(tx) - 1 - arrived.index(tx) for tx in txs]
    assert statistics.median(apart) <= 4, apart  # was 40: all outcomes, then all transactions
    assert {(r.status, r.amount, r.token, r.recipient, r.confirmations) for r in results} == {
        (CONFIRMED, "1.5", "TRX", TO, 10)}
