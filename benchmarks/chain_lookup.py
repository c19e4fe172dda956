"""What a chain lookup adds to the endpoint's own latency, and whether it blocks the event loop.

    python benchmarks/chain_lookup.py [--lookups 200] [--delay-ms 200] [--chain all]
                                      [--loop auto|asyncio|uvloop] [--batches accept|refuse]
                                      [--json]

A slow local endpoint runs in its own process (uvicorn, Starlette): every request waits
``--delay-ms`` and answers in the API's documented wire format — Esplora for ``bitcoin``
(GET /tx/:txid, and /blocks/tip/height shared by the lookups of a second) and Ethereum
JSON-RPC for ``ethereum`` (eth_getTransactionByHash and eth_getTransactionReceipt, asked
together, and eth_blockNumber shared, through web3.py's AsyncHTTPProvider; JSON-RPC batches
answered as a node does, after one delay, or refused with an error: ``--batches refuse``).
Then ``--lookups`` lookups of distinct hashes (no cache hits) through ``ChainClient`` (the
desk's rate limit set out of the way: 10,000 requests/s), all at once (``burst``) and spread
evenly over ``--spread-s`` (``spread``: about as many in flight). Reported per chain and arrival pattern:

- ``added_ms``: the lookup's time minus the endpoint's own (round trips × delay; waiting for
  the shared head counts as added), p50/p95/max; ``lookup_ms``: the lookup's time;
- ``loop_lag_ms``: how late a 10 ms ticker on the same event loop woke, p99 and max (a blocked
  loop shows here);
- ``wall_s``: all the lookups; ``cpu_ms_per_lookup``: this process's CPU per lookup (with
  every lookup started at once, the last one waits for the CPU of all the others);
- ``server_cpu_ms_per_lookup``: the endpoint process's CPU per lookup (it shares the cores);
- ``idle_loop_lag_ms``: the same ticker with no lookups (the machine's own noise).

Goals (issue 16): added p95 ≤ 20 ms; the loop never blocked. One JSON object on the last line.
"""

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SERVER = r'''
import asyncio, json, sys
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Route

DELAY = float(sys.argv[2]) / 1000
REFUSE_BATCHES = sys.argv[3] == "refuse"

async def tx(request: Request):
    await asyncio.sleep(DELAY)
    txid = request.path_params["txid"]
    return JSONResponse({"txid": txid, "version": 2, "locktime": 0, "size": 222, "weight": 561,
        "fee": 1410, "vin": [{"txid": "c" * 64, "vout": 0, "prevout": {
            "scriptpubkey_address": "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2", "value": 150000000}}],
        "vout": [{"scriptpubkey_type": "v0_p2wpkh",
                  "scriptpubkey_address": "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
                  "value": 120000000}],
        "status": {"confirmed": True, "block_height": 870000, "block_hash": "00" * 32,
                   "block_time": 1764480000}})

async def tip(request: Request):
    await asyncio.sleep(DELAY)
    return PlainTextResponse("870005")

def answer(body):
    method, params = body["method"], body.get("params", [])
    if method == "eth_getTransactionByHash":
        result = {"hash": params[0], "blockHash": "0x" + "11" * 32, "blockNumber": "0x10",
                  "transactionIndex": "0x0", "from": "0x" + "22" * 20, "to": "0x" + "33" * 20,
                  "value": "0xde0b6b3a7640000", "gas": "0x5208", "gasPrice": "0x3b9aca00",
                  "input": "0x", "nonce": "0x1", "type": "0x0", "chainId": "0x1",
                  "v": "0x25", "r": "0x" + "44" * 32, "s": "0x" + "55" * 32}
    elif method == "eth_getTransactionReceipt":
        result = {"transactionHash": params[0], "blockHash": "0x" + "11" * 32,
                  "blockNumber": "0x10", "transactionIndex": "0x0", "from": "0x" + "22" * 20,
                  "to": "0x" + "33" * 20, "cumulativeGasUsed": "0x5208", "gasUsed": "0x5208",
                  "effectiveGasPrice": "0x3b9aca00", "contractAddress": None, "logs": [],
                  "logsBloom": "0x" + "00" * 256, "status": "0x1", "type": "0x0"}
    elif method == "eth_blockNumber":
        result = "0x20"
    else:
        return {"jsonrpc": "2.0", "id": body["id"],
                "error": {"code": -32601, "message": "method not found"}}
    return {"jsonrpc": "2.0", "id": body["id"], "result": result}

async def rpc(request: Request):
    await asyncio.sleep(DELAY)  # a batch waits once, as a node answers it whole
    body = json.loads(await request.body())
    if isinstance(body, list):  # JSON-RPC 2.0 batch (geth, erigon, most providers)
        if REFUSE_BATCHES:
            return JSONResponse({"jsonrpc": "2.0", "id": None, "error": {
                "code": -32600, "message": "batch requests are not supported"}})
        return JSONResponse([answer(one) for one in body])
    return JSONResponse(answer(body))

app = Starlette(routes=[Route("/api/tx/{txid}", tx), Route("/api/blocks/tip/height", tip),
                        Route("/rpc", rpc, methods=["POST"])])
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning",
            backlog=4096, limit_concurrency=None)
'''
# round trips a lookup waits for: one (an EVM transaction and its receipt are asked together,
# walletdesk.chains.adapters.evm; until decision 0035 one after the other: two); the chain head
# (tip height, block number) is shared (walletdesk.chains.endpoints.SharedHead): waiting for
# it counts as added
ROUND_TRIPS = {"bitcoin": 1, "ethereum": 1}


def loop_factory(name: str) -> Callable[[], asyncio.AbstractEventLoop]:
    """The event loop the lookups run on: by default the one uvicorn gives `walletdesk
    serve` (walletdesk.cli._serve: uvicorn.run's loop="auto")."""
    from uvicorn.loops.asyncio import asyncio_loop_factory
    from uvicorn.loops.auto import auto_loop_factory
    from uvicorn.loops.uvloop import uvloop_loop_factory

    factories = {"auto": auto_loop_factory, "asyncio": asyncio_loop_factory,
                 "uvloop": uvloop_loop_factory}
    return factories[name](use_subprocess=False)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


async def ticker(lags: list[float], stop: asyncio.Event, period_s: float = 0.01) -> None:
    while not stop.is_set():
        started = time.perf_counter()
        await asyncio.sleep(period_s)
        lags.append((time.perf_counter() - started - period_s) * 1000)


def process_cpu_s(pid: int) -> float:
    """A process's CPU time (user + system) from /proc: the endpoint's, measured apart."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def run_chain(chain: str, base: str, lookups: int, delay_ms: float,
                    spread_s: float, first: int, server_pid: int) -> dict[str, Any]:
    from walletdesk.chains.lookup import ChainClient
    from walletdesk.chains.results import CONFIRMED
    from walletdesk.config import Settings

    url = base + ("/api" if chain == "bitcoin" else "/rpc")
    settings = Settings(environment="test", chain_endpoints={chain: url}, chain_timeout_s=30,
                        chain_retries=0, chain_requests_per_s=10_000.0, chain_cache_ttl_s=15)
    client = ChainClient(settings)
    # one lookup first: connections and web3's first-use set-up are not what is measured
    await client.look_up(chain, "f" * 64 if chain == "bitcoin" else "0x" + "f" * 64)
    hashes = [f"{i:064x}" if chain == "bitcoin" else f"0x{i:064x}"
              for i in range(first, first + lookups)]
    lags: list[float] = []
    stop = asyncio.Event()
    tick = asyncio.create_task(ticker(lags, stop))
    durations: list[float] = []
    statuses: list[str] = []

    async def one(tx: str, after_s: float) -> None:
        await asyncio.sleep(after_s)
        started = time.perf_counter()
        result = await client.look_up(chain, tx)
        durations.append((time.perf_counter() - started) * 1000)
        statuses.append(result.status)

    wall, cpu = time.perf_counter(), time.process_time()
    server_cpu = process_cpu_s(server_pid)
    await asyncio.gather(*(one(tx, spread_s * i / lookups) for i, tx in enumerate(hashes)))
    wall_s, cpu_s = time.perf_counter() - wall, time.process_time() - cpu
    server_cpu_s = process_cpu_s(server_pid) - server_cpu
    stop.set()
    await tick
    await client.close()
    own = ROUND_TRIPS[chain] * delay_ms
    added = [d - own for d in durations]
    return {
        "chain": chain, "arrivals": f"spread over {spread_s} s" if spread_s else "burst",
        "lookups": lookups, "round_trips": ROUND_TRIPS[chain],
        "endpoint_own_ms": own, "confirmed": statuses.count(CONFIRMED),
        "lookup_ms": {"p50": round(statistics.median(durations), 1),
                      "p95": round(percentile(durations, 0.95), 1)},
        "added_ms": {"p50": round(statistics.median(added), 1),
                     "p95": round(percentile(added, 0.95), 1), "max": round(max(added), 1)},
        "loop_lag_ms": {"p99": round(percentile(lags, 0.99), 1), "max": round(max(lags), 1)},
        "wall_s": round(wall_s, 3),
        # the client's own CPU per lookup: on a loaded machine the rest is waiting for a core
        "cpu_ms_per_lookup": round(cpu_s * 1000 / lookups, 2),
        # the local endpoint's CPU (another process on the same cores; clock ticks: 10 ms)
        "server_cpu_ms_per_lookup": round(server_cpu_s * 1000 / lookups, 2),
    }


async def main_async(args: argparse.Namespace, port: int, server_pid: int) -> dict[str, Any]:
    idle: list[float] = []
    stop = asyncio.Event()
    tick = asyncio.create_task(ticker(idle, stop))
    await asyncio.sleep(2.0)
    stop.set()
    await tick
    chains = ["bitcoin", "ethereum"] if args.chain == "all" else [args.chain]
    results = []
    for n, chain in enumerate(chains):
        for m, spread in enumerate((0.0, args.spread_s)):
            results.append(await run_chain(chain, f"http://127.0.0.1:{port}", args.lookups,
                                           args.delay_ms, spread,
                                           1 + (2 * n + m) * args.lookups, server_pid))
    return {"benchmark": "chain_lookup", "delay_ms": args.delay_ms, "batches": args.batches,
            "results": results,
            "idle_loop_lag_ms": {"p99": round(percentile(idle, 0.99), 1),
                                 "max": round(max(idle), 1)},
            "load_average": os.getloadavg()[0], "cores": os.cpu_count(),
            "goal_added_p95_ms": 20}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lookups", type=int, default=200)
    parser.add_argument("--delay-ms", type=float, default=200.0)
    parser.add_argument("--chain", choices=["all", "bitcoin", "ethereum"], default="all")
    parser.add_argument("--spread-s", type=float, default=1.0)
    parser.add_argument("--loop", choices=["auto", "asyncio", "uvloop"], default="auto",
                        help="the event loop; auto: the one `walletdesk serve` runs (uvicorn's"
                             " choice: uvloop when installed)")
    parser.add_argument("--batches", choices=["accept", "refuse"], default="accept",
                        help="whether the endpoint answers JSON-RPC batches (refuse: with an"
                             " error, as some providers do; the client then sends one by one)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    port = free_port()
    server = subprocess.Popen([sys.executable, "-c", SERVER, str(port), str(args.delay_ms),
                               args.batches],
                              cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        for _ in range(200):  # until it listens
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                time.sleep(0.05)
        with asyncio.Runner(loop_factory=loop_factory(args.loop)) as runner:
            report = runner.run(main_async(args, port, server.pid))
        report["loop"] = args.loop
    finally:
        server.terminate()
        server.wait(10)
    if not args.json:
        for r in report["results"]:
            print(f"{r['chain']:9} {r['arrivals']:18} {r['lookups']} lookups, endpoint"
                  f" {r['endpoint_own_ms']:.0f} ms own: added p50 {r['added_ms']['p50']} ms,"
                  f" p95 {r['added_ms']['p95']} ms,"
                  f" max {r['added_ms']['max']} ms; loop lag p99 {r['loop_lag_ms']['p99']} ms,"
                  f" max {r['loop_lag_ms']['max']} ms; {r['confirmed']} confirmed;"
                  f" {r['wall_s']} s, {r['cpu_ms_per_lookup']} ms CPU a lookup"
                  f" (endpoint {r['server_cpu_ms_per_lookup']} ms)")
        print(f"idle loop lag p99 {report['idle_loop_lag_ms']['p99']} ms, max "
              f"{report['idle_loop_lag_ms']['max']} ms; load average {report['load_average']}"
              f" on {report['cores']} cores")
    print(json.dumps(report))


if __name__ == "__main__":
    main()
