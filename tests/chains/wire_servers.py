"""Local servers answering in each API's documented wire format: Esplora's REST API
(github.com/Blockstream/esplora/blob/master/API.md), TronGrid's HTTP API
(developers.tron.network: gettransactionbyid, gettransactioninfobyid, getnowblock) and
Solana's JSON-RPC (solana.com/docs/rpc: getSignatureStatuses, getTransaction)."""

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from tests.conftest import LiveServer, serving


class Behaviour:
    """What the server does besides answering: wait first, or answer 429."""

    def __init__(self) -> None:
        self.delay_s = 0.0
        self.answer_429 = 0
        self.requests = 0
        self.calls = 0  # JSON-RPC requests, alone or in batches
        self.batches = 0  # JSON-RPC batches answered
        self.refuse_batches = False  # answer a batch with one error, as some providers do
        self.gate: asyncio.Event | None = None  # set: requests wait until it opens
        self.paths: list[str] = []  # TronGrid: the path of every request, in order of arrival

    async def before(self) -> Response | None:
        self.requests += 1
        if self.gate is not None:
            await self.gate.wait()
        if self.delay_s:
            await asyncio.sleep(self.delay_s)
        if self.answer_429 > 0:
            self.answer_429 -= 1
            return PlainTextResponse("Too Many Requests", status_code=429,
                                     headers={"Retry-After": "0"})
        return None


@asynccontextmanager
async def esplora(transactions: dict[str, dict[str, Any]], tip: int,
                  behaviour: Behaviour | None = None
                  ) -> AsyncIterator[tuple[LiveServer, Behaviour]]:
    behaviour = behaviour or Behaviour()

    async def tx(request: Request) -> Response:
        if (early := await behaviour.before()) is not None:
            return early
        found = transactions.get(request.path_params["txid"])
        if found is None:
            return PlainTextResponse("Transaction not found", status_code=404)
        return JSONResponse(found)

    async def status(request: Request) -> Response:
        if (early := await behaviour.before()) is not None:
            return early
        found = transactions.get(request.path_params["txid"])
        return JSONResponse(found["status"]) if found else PlainTextResponse(
            "Transaction not found", status_code=404)

    async def height(request: Request) -> Response:
        if (early := await behaviour.before()) is not None:
            return early
        return PlainTextResponse(str(tip))

    app = Starlette(routes=[Route("/api/tx/{txid}", tx), Route("/api/tx/{txid}/status", status),
                            Route("/api/blocks/tip/height", height)])
    async with serving(app) as server:
        yield server, behaviour


@asynccontextmanager
async def trongrid(transactions: dict[str, dict[str, Any]], infos: dict[str, dict[str, Any]],
                   now_block: int, behaviour: Behaviour | None = None
                   ) -> AsyncIterator[tuple[LiveServer, Behaviour]]:
    behaviour = behaviour or Behaviour()

    async def by_id(request: Request) -> Response:
        behaviour.paths.append(request.url.path)
        if (early := await behaviour.before()) is not None:
            return early
        body = json.loads(await request.body())
        return JSONResponse(transactions.get(body["value"], {}))

    async def info_by_id(request: Request) -> Response:
        behaviour.paths.append(request.url.path)
        if (early := await behaviour.before()) is not None:
            return early
        body = json.loads(await request.body())
        return JSONResponse(infos.get(body["value"], {}))

    async def now(request: Request) -> Response:
        behaviour.paths.append(request.url.path)
        if (early := await behaviour.before()) is not None:
            return early
        return JSONResponse({"blockID": "00" * 32, "block_header": {"raw_data": {
            "number": now_block, "timestamp": 1764480000000}}})

    app = Starlette(routes=[
        Route("/wallet/gettransactionbyid", by_id, methods=["POST"]),
        Route("/wallet/gettransactioninfobyid", info_by_id, methods=["POST"]),
        Route("/wallet/getnowblock", now, methods=["POST"])])
    async with serving(app) as server:
        yield server, behaviour


@asynccontextmanager
async def solana_rpc(statuses: dict[str, dict[str, Any] | None],
                     transactions: dict[str, dict[str, Any]], slot: int = 300_000_000,
                     behaviour: Behaviour | None = None
                     ) -> AsyncIterator[tuple[LiveServer, Behaviour]]:
    behaviour = behaviour or Behaviour()

    def answer(body: dict[str, Any]) -> dict[str, Any]:
        method, params = body["method"], body["params"]
        if method == "getSignatureStatuses":
            result: Any = {"context": {"apiVersion": "2.0.18", "slot": slot},
                           "value": [statuses.get(s) for s in params[0]]}
        elif method == "getTransaction":
            result = transactions.get(params[0])
        else:
            return {"jsonrpc": "2.0", "id": body["id"],
                    "error": {"code": -32601, "message": "Method not found"}}
        return {"jsonrpc": "2.0", "id": body["id"], "result": result}

    async def rpc(request: Request) -> Response:
        body = json.loads(await request.body())
        behaviour.calls += len(body) if isinstance(body, list) else 1
        if (early := await behaviour.before()) is not None:
            return early
        if not isinstance(body, list):
            return JSONResponse(answer(body))
        if behaviour.refuse_batches:
            return JSONResponse({"jsonrpc": "2.0", "id": None, "error": {
                "code": -32600, "message": "batch requests are not supported"}})
        behaviour.batches += 1
        return JSONResponse([answer(one) for one in body])  # JSON-RPC 2.0 batch

    async with serving(Starlette(routes=[Route("/", rpc, methods=["POST"])])) as server:
        yield server, behaviour
