"""PostgreSQL briefly unreachable: requests fail clearly, the client's retry loses nothing."""

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import func, select

from tests.conftest import (
    create_pg_database,
    drop_pg_database,
    free_port,
    make_agent_in,
    make_settings,
    serving,
)
from tests.live.helpers import customer, session_cookie
from walletdesk.conversations.models import Message
from walletdesk.db.engine import Database
from walletdesk.db.migrate import upgrade_database
from walletdesk.services import Services
from walletdesk.web.app import create_app


class TcpProxy:
    """A loopback TCP proxy to PostgreSQL that can be unplugged and plugged back in."""

    def __init__(self, target_port: int = 5432) -> None:
        self.target_port = target_port
        self.port = free_port()
        self.server: asyncio.Server | None = None
        self.writers: set[asyncio.StreamWriter] = set()

    async def plug(self) -> None:
        self.server = await asyncio.start_server(self._handle, "127.0.0.1", self.port)

    async def unplug(self) -> None:
        assert self.server is not None
        self.server.close()
        for writer in list(self.writers):
            writer.close()
        await self.server.wait_closed()
        self.writers.clear()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        self.writers.update((writer, up_writer))

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            with contextlib.suppress(Exception):
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            with contextlib.suppress(Exception):
                dst.close()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))


@pytest.fixture
async def proxied() -> AsyncIterator[tuple[TcpProxy, Services, str]]:
    name = f"wd_outage_{uuid.uuid4().hex[:10]}"
    direct_url = await create_pg_database(name)
    proxy = TcpProxy()
    await proxy.plug()
    services = Services(make_settings(direct_url.replace(":5432/", f":{proxy.port}/")))
    database = Database(direct_url)
    await upgrade_database(database.engine)
    await database.dispose()
    try:
        async with serving(create_app(services.settings, services), "critical") as server:
            yield proxy, services, server.url
    finally:
        with contextlib.suppress(Exception):
            await proxy.unplug()
        await drop_pg_database(name)


async def test_outage_fails_clearly_and_the_retry_is_stored_once(proxied):
    proxy, services, url = proxied
    from walletdesk.accounts.actions import create_team

    async with services.transaction() as session:
        await create_team(session, None, name="Support")
    staff = await make_agent_in(services, "Olga")
    cookie = await session_cookie(url, staff.email)
    visitor, _ = await customer(url.replace("http", "ws"))
    assert (await visitor.say("before the outage"))["type"] == "ack"

    await proxy.unplug()
    failed = await visitor.say("during the outage", client_id="retry-me")
    assert failed["type"] == "error" and failed["code"] == "unavailable" and failed["retry"]
    async with httpx.AsyncClient(base_url=url, cookies={"wd_session": cookie}) as http:
        health = await http.get("/healthz")
        assert health.status_code == 503
        api = await http.get("/api/v1/me")
        assert api.status_code == 503 and "unavailable" in api.json()["detail"]
        assert api.headers["retry-after"] == "1"

    await proxy.plug()
    ok = None
    for _ in range(20):  # the client keeps retrying with the same client id
        ok = await visitor.say("during the outage", client_id="retry-me")
        if ok["type"] == "ack":
            break
        await asyncio.sleep(0.2)
    assert ok is not None and ok["type"] == "ack" and ok["duplicate"] is False
    again = await visitor.say("during the outage", client_id="retry-me")
    assert again["duplicate"] is True
    async with services.read() as session:
        stored = await session.scalar(select(func.count()).select_from(Message).where(
            Message.client_id == "retry-me"))
    assert stored == 1
    await visitor.close()
