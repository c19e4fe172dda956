"""JSON-RPC requests made in the same turn of the event loop go out as one batch
(walletdesk.chains.endpoints.Batches; decision 0035), and an endpoint that refuses batches is
asked one request at a time: EVM against eth-tester's chain, Solana against its wire server,
and the endpoint's own handling of a batch answered with an HTTP error, a 429 or without
one of its requests."""

import asyncio
import json
import time
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.chains.evm_chain import evm_endpoint
from tests.chains.test_http_chains import SOL_SIG, sol_transaction
from tests.chains.wire_servers import Behaviour, solana_rpc
from tests.conftest import serving
from walletdesk.chains.endpoints import Endpoint
from walletdesk.chains.results import CONFIRMED, NOT_FOUND, UNREACHABLE


async def evm_lookups(client: Any, chain: Any, count: int) -> list[Any]:
    a = chain.accounts
    sent = [chain.w3.eth.send_transaction({"from": a[0], "to": a[1], "value": 10 ** 15 + i})
            for i in range(count)]
    chain.tester.mine_blocks(1)
    return list(await asyncio.gather(*(client.look_up("ethereum", tx.to_0x_hex())
                                       for tx in sent)))


async def test_evm_lookups_at_once_go_out_in_batches(make_client):
    async with evm_endpoint() as (chain, server):
        client = make_client({"ethereum": server.url})
        results = await evm_lookups(client, chain, 6)
        missing = await client.look_up("ethereum", "0x" + "ab" * 32)
    assert [r.status for r in results] == [CONFIRMED] * 6
    assert {r.amount for r in results} == {"0.001"} | {f"0.00100000000000000{i}"
                                                        for i in range(1, 6)}
    assert missing.status == NOT_FOUND
    # 6 transactions, 6 receipts, the head; then the unknown hash, its receipt, the head
    assert chain.batches >= 2 and chain.requests < chain.calls
    assert client.adapters["ethereum"].endpoint.batches.refused_until == 0.0


async def test_an_evm_endpoint_that_refuses_batches_is_asked_one_by_one(make_client):
    async with evm_endpoint() as (chain, server):
        chain.refuse_batches = True
        client = make_client({"ethereum": server.url})
        results = await evm_lookups(client, chain, 4)
        requests, calls = chain.requests, chain.calls
        assert requests > calls  # the refused batch, then its requests one by one
        again = await evm_lookups(client, chain, 3)
    assert [r.status for r in results + again] == [CONFIRMED] * 7
    assert chain.batches == 0
    assert client.adapters["ethereum"].endpoint.batches.refused_until > time.monotonic()
    # after the refusal no batch is tried: one HTTP request per JSON-RPC request
    assert chain.requests - requests == chain.calls - calls >= 6


async def test_solana_lookups_batch_and_fall_back_when_refused(make_client):
    statuses = {SOL_SIG: {"slot": 299_999_990, "confirmations": None, "err": None,
                          "confirmationStatus": "finalized"}}
    for refuse in (False, True):
        behaviour = Behaviour()
        behaviour.refuse_batches = refuse
        async with solana_rpc(statuses, {SOL_SIG: sol_transaction(SOL_SIG)},
                              behaviour=behaviour) as (server, _):
            client = make_client({"solana": server.url})
            found, missing = await asyncio.gather(client.look_up("solana", SOL_SIG),
                                                  client.look_up("solana", SOL_SIG[::-1]))
        assert (found.status, found.amount, missing.status) == (CONFIRMED, "12.5", NOT_FOUND)
        if refuse:  # a refused batch (all four calls, or fewer on a loaded machine where the
            # lookups reach the endpoint apart), then each of the four calls alone
            refused = behaviour.requests - 4
            assert behaviour.batches == 0 and refused >= 1
            assert behaviour.calls - 4 >= 2 * refused  # every refused batch held two calls or more
        else:  # two statuses, two transfers: one HTTP request
            assert (behaviour.batches, behaviour.requests, behaviour.calls) == (1, 1, 4)


class Node:
    """A JSON-RPC endpoint echoing ``params[0]``; ``batch``: how it answers a batch."""

    def __init__(self, batch: str) -> None:
        self.batch = batch
        self.requests: list[str] = []  # "batch" or "single", in order

    async def rpc(self, request: Request) -> Response:
        body = json.loads(await request.body())
        if isinstance(body, dict):
            self.requests.append("single")
            return JSONResponse({"jsonrpc": "2.0", "id": body["id"], "result": body["params"][0]})
        self.requests.append("batch")
        if self.batch == "http 500":  # a server that cannot read an array
            return Response("Internal Server Error", status_code=500)
        if self.batch == "429 once":
            self.batch = "answer"
            return Response("slow down", status_code=429, headers={"Retry-After": "0"})
        answers = [{"jsonrpc": "2.0", "id": one["id"], "result": one["params"][0]}
                   for one in body]
        if self.batch == "drop the last":
            answers.pop()
        return JSONResponse(answers)


async def ask_three(batch: str) -> tuple[list[Any], Node, Endpoint]:
    node = Node(batch)
    async with serving(Starlette(routes=[Route("/", node.rpc, methods=["POST"])])) as server:
        endpoint = Endpoint(server.url, timeout_s=2.0, retries=1, requests_per_s=1000.0)
        try:
            answers = await asyncio.gather(*(
                endpoint.rpc({"jsonrpc": "2.0", "id": 100 + i, "method": "echo",
                              "params": [f"v{i}"]}) for i in range(3)))
        finally:
            await endpoint.close()
    return [a["result"] for a in answers], node, endpoint


async def test_a_batch_answered_with_an_http_error_is_sent_again_one_by_one():
    results, node, endpoint = await ask_three("http 500")
    assert results == ["v0", "v1", "v2"]
    assert node.requests == ["batch", "single", "single", "single"]
    assert endpoint.batches.refused_until > time.monotonic()


async def test_a_batch_answered_429_is_retried_and_batches_stay_on():
    results, node, endpoint = await ask_three("429 once")
    assert results == ["v0", "v1", "v2"]
    # the retries are batched again when they come in the same turns (as a rule: one batch)
    assert node.requests[0] == "batch" and len(node.requests) <= 4
    assert endpoint.batches.refused_until == 0.0


async def test_a_request_missing_from_a_batchs_answer_is_sent_again_alone():
    results, node, endpoint = await ask_three("drop the last")
    assert results == ["v0", "v1", "v2"]
    assert node.requests == ["batch", "single"]
    assert endpoint.batches.refused_until == 0.0


async def test_requests_under_way_when_the_endpoint_closes_are_told_not_left_waiting():
    arrived, gate = asyncio.Event(), asyncio.Event()

    async def stalled(request: Request) -> Response:
        arrived.set()
        await gate.wait()
        return JSONResponse([])

    async with serving(Starlette(routes=[Route("/", stalled, methods=["POST"])])) as server:
        endpoint = Endpoint(server.url, timeout_s=30.0, retries=0, requests_per_s=1000.0)
        asked = asyncio.gather(*(endpoint.rpc({"jsonrpc": "2.0", "id": i, "method": "echo",
                                               "params": [i]}) for i in range(2)),
                               return_exceptions=True)
        await asyncio.wait_for(arrived.wait(), 10)
        await endpoint.close()
        errors = await asyncio.wait_for(asked, 10)  # not the 30 s timeout
        gate.set()
    assert [(type(e).__name__, getattr(e, "reason", None)) for e in errors] == \
        [("ChainUnavailable", UNREACHABLE)] * 2
