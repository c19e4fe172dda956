"""What keeps a lookup to the endpoint's own latency and the event loop free
(walletdesk.chains.endpoints, lookup; decision 0035): what a lookup needs asked at once (the
chain head beside the transaction, given while a new one is read), requests sent in turns of
the event loop, web3's requests without a hop to a worker thread, and web3 imported in a
worker thread."""

import asyncio
import gc
import subprocess
import sys
from typing import Any

import pytest

from tests.chains.evm_chain import evm_endpoint
from tests.chains.test_http_chains import (
    SOL_SIG,
    TRON_OK,
    sol_transaction,
    trc20_transfer,
    tron_info,
)
from tests.chains.wire_servers import Behaviour, solana_rpc, trongrid
from walletdesk.chains import endpoints
from walletdesk.chains.endpoints import SharedHead, Turns, beside
from walletdesk.chains.results import CONFIRMED, UNAVAILABLE, ChainUnavailable


class Reads:
    """A head that answers 1, 2, 3 … and counts its reads (``gate``: they wait for it)."""

    def __init__(self) -> None:
        self.count = 0
        self.gate: asyncio.Event | None = None
        self.fail = False

    async def __call__(self) -> int:
        self.count += 1
        if self.gate is not None:
            await self.gate.wait()
        if self.fail:
            raise ChainUnavailable("timeout")
        return self.count


async def test_the_head_is_read_once_for_every_lookup_waiting_for_it():
    reads = Reads()
    reads.gate = asyncio.Event()
    head = SharedHead(reads)
    head.prefetch()  # a lookup starts: the head's request goes out beside its own
    head.prefetch()
    waiting = [asyncio.ensure_future(head.get()) for _ in range(50)]
    await asyncio.sleep(0)
    reads.gate.set()
    assert await asyncio.gather(*waiting) == [1] * 50
    assert reads.count == 1
    head.prefetch()  # fresh: nothing to read
    assert await head.get() == 1 and reads.count == 1


async def test_a_head_just_past_its_time_is_given_while_a_new_one_is_read():
    reads = Reads()
    head = SharedHead(reads, ttl_s=0.0, stale_s=60.0)
    assert await head.get() == 1  # none yet: waits for it
    reads.gate = asyncio.Event()
    assert await head.get() == 1  # stale, not too old: given at once, a read starts
    await asyncio.sleep(0)
    assert reads.count == 2
    assert await head.get() == 1  # the read under way is not started twice
    await asyncio.sleep(0)
    assert reads.count == 2
    reads.gate.set()
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    assert await head.get() == 2


async def test_a_head_too_old_is_waited_for_and_a_failed_read_is_the_lookups_error():
    reads = Reads()
    head = SharedHead(reads, ttl_s=0.0, stale_s=0.0)
    assert await head.get() == 1
    assert await head.get() == 2  # too old to give: read again, waited for
    reads.fail = True
    with pytest.raises(ChainUnavailable):
        await head.get()
    relaxed = SharedHead(reads, ttl_s=0.0, stale_s=60.0)
    reads.fail = False
    assert await relaxed.get() == 4
    reads.fail = True
    assert await relaxed.get() == 4  # the new read fails in the background: nobody waits
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    await relaxed.close()


async def test_requests_go_out_in_turns_of_the_event_loop_in_order():
    turns = Turns(per_turn=4)
    passed: list[int] = []

    async def request(i: int) -> None:
        turn = turns.enter()
        if turn is not None:
            await turn
        passed.append(i)

    tasks = [asyncio.ensure_future(request(i)) for i in range(18)]
    tasks[5].cancel()  # a lookup given up while it waits: its place goes to the next
    seen: list[int] = []
    while len(passed) < 17:
        before = len(passed)
        await asyncio.sleep(0)  # one turn of the event loop
        seen.append(len(passed) - before)
    assert max(seen) <= 4 and sum(seen) == 17
    assert passed == [i for i in range(18) if i != 5]


async def test_a_request_beside_left_unawaited_is_let_go_and_its_error_not_logged():
    """A lookup that did not need its second request (the transaction was not found) leaves
    it: once done, it is neither kept nor reported as an exception never retrieved."""
    loop = asyncio.get_running_loop()
    reported: list[dict] = []
    loop.set_exception_handler(lambda _, context: reported.append(context))

    async def fails() -> None:
        raise ChainUnavailable("timeout")

    async def answers() -> int:
        return 7

    try:
        left, awaited = beside(fails()), beside(answers())
        assert await awaited == 7
        for _ in range(3):
            await asyncio.sleep(0)
        assert left.done() and not endpoints._beside
        del left, awaited
        gc.collect()
        await asyncio.sleep(0)
    finally:
        loop.set_exception_handler(None)
    assert reported == []


async def test_web3_requests_take_no_worker_thread(make_client):
    async with evm_endpoint() as (chain, server):
        client = make_client({"ethereum": server.url})
        a = chain.accounts
        sent = [chain.w3.eth.send_transaction({"from": a[0], "to": a[1], "value": 10 ** 15})
                for _ in range(5)]
        chain.tester.mine_blocks(1)
        results = await asyncio.gather(*(client.look_up("ethereum", tx.to_0x_hex())
                                         for tx in sent))
        adapter = client.adapters["ethereum"]
        # web3's own provider finds its session under a lock taken in a thread pool
        pool = adapter.provider._request_session_manager.session_pool
    assert [r.status for r in results] == [CONFIRMED] * 5
    assert len(pool._threads) == 0


async def test_an_evm_answer_not_in_json_rpcs_shape_is_malformed(make_client):
    async with evm_endpoint() as (chain, server):
        client = make_client({"ethereum": server.url})
        a = chain.accounts
        tx = chain.w3.eth.send_transaction({"from": a[0], "to": a[1], "value": 1})
        adapter = client.adapters["ethereum"]
        real = adapter._transaction

        async def garbled(tx_hash: str) -> dict:
            answer = dict(await real(tx_hash))
            answer["value"] = "a lot"
            return answer

        adapter._transaction = garbled
        result = await client.look_up("ethereum", tx.to_0x_hex())
    assert (result.status, result.error) == (UNAVAILABLE, "malformed")


def test_web3_is_imported_in_a_worker_thread_not_the_event_loop():
    script = """
import asyncio, sys, threading
from walletdesk.chains.lookup import ready_client
from walletdesk.config import Settings

where = []
class Watch:
    def find_spec(self, name, path=None, target=None):
        if name == "web3":
            where.append(threading.current_thread() is threading.main_thread())
        return None
sys.meta_path.insert(0, Watch())

class Services:  # what ready_client reads of them
    settings = Settings(environment="test", chain_endpoints={"bsc": "http://127.0.0.1:9"})

async def main():
    client = await ready_client(Services())
    print(sorted(client.adapters), where)
    await client.close()
asyncio.run(main())
"""
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "['bsc'] [False]", out


async def until(condition) -> None:  # type: ignore[no-untyped-def]
    while not condition():
        await asyncio.sleep(0.01)


async def gated_tron_lookup(make_client, info: dict) -> tuple[Any, Behaviour]:  # type: ignore[no-untyped-def]
    """A TRC-20 transfer looked up with nothing answered until two requests have come:
    its outcome (``info``) and the chain's head are asked before any answer."""
    transactions = {TRON_OK: trc20_transfer(TRON_OK, 100_000_000)}
    behaviour = Behaviour()
    behaviour.gate = asyncio.Event()  # nothing is answered until the test says so
    async with trongrid(transactions, {TRON_OK: info}, 77_000_019, behaviour) as (server, _):
        client = make_client({"tron": server.url})
        lookup = asyncio.ensure_future(client.look_up("tron", TRON_OK))
        await asyncio.wait_for(until(lambda: behaviour.requests >= 2), 10)
        behaviour.gate.set()
        return await lookup, behaviour


async def test_a_tron_lookup_asks_for_everything_it_needs_at_once(make_client):
    # a token transfer's outcome and the chain's head: asked before any answer came …
    result, behaviour = await gated_tron_lookup(
        make_client, tron_info(TRON_OK, 77_000_000, "SUCCESS"))
    assert (result.status, result.confirmations) == (CONFIRMED, 20)
    # … and nothing else: the outcome's Transfer event tells the whole story (decision 0052)
    assert sorted(behaviour.paths) == ["/wallet/getnowblock", "/wallet/gettransactioninfobyid"]


async def test_a_tron_transfer_without_an_event_asks_the_transaction_after_its_outcome(
        make_client):
    result, behaviour = await gated_tron_lookup(
        make_client, {**tron_info(TRON_OK, 77_000_000, "SUCCESS"), "log": []})
    assert (result.status, result.amount, result.token) == (CONFIRMED, "100", "USDT")
    # the outcome and the head at once; the transaction only once the outcome was read
    assert sorted(behaviour.paths[:2]) == ["/wallet/getnowblock",
                                           "/wallet/gettransactioninfobyid"]
    assert behaviour.paths[2:] == ["/wallet/gettransactionbyid"]


async def test_a_solana_lookup_asks_for_the_status_and_the_transfer_at_once(make_client):
    statuses = {SOL_SIG: {"slot": 299_999_990, "confirmations": None, "err": None,
                          "confirmationStatus": "finalized"}}
    behaviour = Behaviour()
    behaviour.gate = asyncio.Event()
    async with solana_rpc(statuses, {SOL_SIG: sol_transaction(SOL_SIG)},
                          behaviour=behaviour) as (server, _):
        client = make_client({"solana": server.url})
        lookup = asyncio.ensure_future(client.look_up("solana", SOL_SIG))
        await asyncio.wait_for(until(lambda: behaviour.calls == 2), 10)
        behaviour.gate.set()
        result = await lookup
    assert result.status == CONFIRMED and result.amount is not None
