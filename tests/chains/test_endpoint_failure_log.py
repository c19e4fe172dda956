"""A chain endpoint that fails (a timeout, a 5xx, a 429, an answer that is not JSON) is
logged once per request, after its retries: the chain, the reason and the endpoint's host,
never the hash asked about nor the URL's path or query (an API key is often in them)."""

import asyncio
import json

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from structlog.testing import capture_logs

from tests.chains.test_http_chains import BTC_TX
from tests.conftest import serving
from walletdesk.chains.results import MALFORMED, RATE_LIMITED, TIMEOUT, UNAVAILABLE, UNREACHABLE

API_KEY = "k3y-0f-the-0perat0r"


def failing_endpoint(answer: str, hang: asyncio.Event) -> Starlette:
    async def any_path(request: Request) -> Response:
        if answer == "hang":
            await hang.wait()
        if answer == "503":
            return PlainTextResponse("busy", status_code=503)
        if answer == "429":
            return PlainTextResponse("slow down", status_code=429, headers={"Retry-After": "0"})
        return PlainTextResponse("<html>not json</html>")

    return Starlette(routes=[Route("/{path:path}", any_path)])


@pytest.mark.parametrize(("answer", "reason"), [
    ("503", UNREACHABLE), ("429", RATE_LIMITED), ("not json", MALFORMED), ("hang", TIMEOUT)])
async def test_a_failing_endpoint_is_logged_with_its_host_only(make_client, answer, reason):
    hang = asyncio.Event()
    async with serving(failing_endpoint(answer, hang)) as server:
        url = f"{server.url}/v3/{API_KEY}/api?apikey={API_KEY}"
        client = make_client({"bitcoin": url}, chain_timeout_s=0.5, chain_retries=1)
        with capture_logs() as logs:
            result = await client.look_up("bitcoin", BTC_TX)
        hang.set()
    failures = [e for e in logs if e["event"] == "chain_endpoint_failed"]
    assert result.status == UNAVAILABLE and result.error == reason
    assert failures and {(e["chain"], e["reason"], e["host"]) for e in failures} == {
        ("bitcoin", reason, "127.0.0.1")}
    assert len(failures) <= 2  # once per request (the transaction, the chain's height)
    logged = json.dumps(logs, default=str)
    assert API_KEY not in logged and BTC_TX not in logged and "/v3/" not in logged
