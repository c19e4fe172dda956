"""A planted recovery phrase leaves no trace in the database, the logs or the Redis traffic."""

import asyncio
import json
import logging
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import redis.asyncio as redis
from mnemonic import Mnemonic
from sqlalchemy import inspect, text

from tests.conftest import make_settings, serving
from tests.live.helpers import customer
from walletdesk.events.bus import RedisEventBus
from walletdesk.services import Services
from walletdesk.web.app import create_app

REDIS_URL = "redis://127.0.0.1:6379/0"


@asynccontextmanager
async def sniffing_redis() -> AsyncIterator[tuple[str, list[bytes]]]:
    """A fresh event channel and every payload published on it while the block runs."""
    channel = f"walletdesk:test:{uuid.uuid4().hex}"
    sniffer = redis.from_url(REDIS_URL)
    pubsub = sniffer.pubsub()
    await pubsub.subscribe(channel)
    traffic: list[bytes] = []

    async def sniff() -> None:
        async for item in pubsub.listen():
            if item["type"] == "message":
                traffic.append(item["data"])

    sniffing = asyncio.create_task(sniff())
    try:
        yield channel, traffic
    finally:
        sniffing.cancel()
        await pubsub.aclose()
        await sniffer.aclose()


async def assert_no_trace(services: Services, needles: list[str], traffic: list[bytes],
                          logs: str, *, unless: str | None = None) -> None:
    """None of ``needles`` in the Redis traffic, the logs (lines holding ``unless`` aside) or
    any table of the database."""
    assert traffic, "the run published events through Redis"
    for payload in traffic:
        assert not any(n in payload.decode() for n in needles)
    leaks = [line[:300] for line in logs.splitlines() if any(n in line for n in needles)
             and (unless is None or unless not in line)]
    assert leaks == []
    async with services.db.engine.connect() as conn:
        tables = await conn.run_sync(lambda c: inspect(c).get_table_names())
        for table in tables:
            rows = (await conn.execute(text(f'SELECT * FROM "{table}"'))).all()
            dump = json.dumps([list(map(str, row)) for row in rows], ensure_ascii=False)
            assert not any(n in dump for n in needles), table


async def test_secret_never_reaches_database_logs_or_redis(database_url, capfd, caplog,
                                                           make_team, services):
    await make_team("Support")
    caplog.set_level(logging.DEBUG)
    phrase = Mnemonic("english").generate(256)
    async with sniffing_redis() as (channel, traffic):
        traced = Services(make_settings(database_url, log_level="DEBUG"),
                          bus=RedisEventBus(REDIS_URL, channel=channel))
        async with serving(create_app(traced.settings, traced), "debug") as server:
            visitor, _ = await customer(server.ws_url)
            ack = await visitor.say(f"please help, my recovery words are {phrase}")
            assert "[seed phrase removed]" in ack["message"]["text"]
            warning = await visitor.expect(lambda f: f.get("type") in ("message", "resume") and
                                           "recovery phrase" in json.dumps(f, ensure_ascii=False))
            assert warning
            await visitor.close()
            await asyncio.sleep(0.3)

    words = phrase.split()
    needles = [" ".join(words[i:i + 3]) for i in range(0, len(words) - 2, 3)]
    out, err = capfd.readouterr()
    await assert_no_trace(services, needles, traffic, out + err + caplog.text)
