"""Clients for the live tests: a widget customer and a signed-in agent over real sockets; the
two `walletdesk serve` processes the multiprocess tests share (tests/live/conftest.py)."""

import asyncio
import contextlib
import json
import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import websockets

from tests.conftest import PASSWORD, create_pg_database, drop_pg_database, free_port, make_settings
from tests.live.processes import die_with_parent
from walletdesk.db.engine import Database
from walletdesk.db.migrate import upgrade_database
from walletdesk.services import Services

# how long a frame is waited for: 5 s failed a frame crossing two processes through Redis with
# the suite loading the 2 cores (a wait, not a duration under test: a frame returns at once)
TIMEOUT = 20


class Client:
    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.frames: list[dict[str, Any]] = []

    async def send(self, frame: dict[str, Any] | str | bytes) -> None:
        await self.ws.send(frame if isinstance(frame, str | bytes) else json.dumps(frame))

    async def expect(self, predicate: Any, timeout: float = TIMEOUT) -> dict[str, Any]:
        """The next frame matching ``predicate`` (earlier ones are kept in ``frames``)."""
        async def wait() -> dict[str, Any]:
            while True:
                frame = json.loads(await self.ws.recv())
                self.frames.append(frame)
                if predicate(frame):
                    return frame
        return await asyncio.wait_for(wait(), timeout)

    async def expect_type(self, kind: str, **fields: Any) -> dict[str, Any]:
        return await self.expect(lambda f: f.get("type") == kind and all(
            f.get(k) == v for k, v in fields.items()))

    async def quiet(self, seconds: float = 0.3) -> list[dict[str, Any]]:
        """Frames that arrive within ``seconds`` (to assert that something did NOT come)."""
        got: list[dict[str, Any]] = []
        try:
            while True:
                frame = json.loads(await asyncio.wait_for(self.ws.recv(), seconds))
                got.append(frame)
        except TimeoutError:
            return got

    async def close(self) -> None:
        await self.ws.close()


class Customer(Client):
    async def say(self, text: str, client_id: str | None = None) -> dict[str, Any]:
        client_id = client_id or uuid.uuid4().hex
        await self.send({"type": "message", "client_id": client_id, "text": text})
        return await self.expect(lambda f: f.get("client_id") == client_id and f["type"] in (
            "ack", "error"))


async def customer(base_ws: str, token: str | None = None, last_seq: int = 0,
                   language: str = "en") -> tuple[Customer, dict[str, Any]]:
    ws = await websockets.connect(f"{base_ws}/ws/widget", max_size=8 * 1024 * 1024)
    client = Customer(ws)
    await client.send({"type": "hello", "visitor_token": token, "last_seq": last_seq,
                       "language": language})
    welcome = await client.expect_type("welcome")
    return client, welcome


async def session_cookie(base_url: str, email: str) -> str:
    async with httpx.AsyncClient(base_url=base_url) as http:
        response = await http.post("/login", data={"email": email, "password": PASSWORD})
        assert response.status_code == 303, response.text
        return response.cookies["wd_session"]


async def agent(base_url: str, base_ws: str, email: str) -> Client:
    cookie = await session_cookie(base_url, email)
    ws = await websockets.connect(f"{base_ws}/ws/app",
                                  additional_headers={"Cookie": f"wd_session={cookie}"})
    client = Client(ws)
    await client.expect_type("welcome")
    return client


async def wait_healthy(url: str, process: subprocess.Popen[bytes], seconds: int = 60) -> None:
    """Until ``/healthz`` answers: a server process loads the bot's models first, on a busy
    machine; ``seconds`` only bounds a server that never starts."""
    async with httpx.AsyncClient(timeout=30) as http:
        for _ in range(seconds * 10):
            if process.poll() is not None:
                raise AssertionError(f"server exited with {process.returncode}")
            with contextlib.suppress(httpx.HTTPError):
                if (await http.get(f"{url}/healthz")).status_code == 200:
                    return
            await asyncio.sleep(0.1)
    raise AssertionError(f"{url} did not become healthy")


def stop_servers(processes: list[subprocess.Popen[bytes]]) -> None:
    """Terminate the server processes; kill those that do not stop within 10 s."""
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()  # reaped: a killed child left unwaited fails the test's teardown


REDIS_URL = os.environ.get("WALLETDESK_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
# the servers' key: conversations the tests write hold personal data the servers decrypt
SECRET_KEY = "multi-process-test-secret-" + "y" * 20


@dataclass(frozen=True)
class TwoServers:
    """Two `walletdesk serve` processes of one desk: a PostgreSQL database of their own and
    Redis between them."""

    url_a: str
    url_b: str
    database_url: str

    @contextlib.asynccontextmanager
    async def services(self) -> AsyncIterator[Services]:
        """The desk's services in the test process, to make what a test needs. Other tests
        share the desk: a test makes its own agents (unique e-mails), teams and tokens."""
        services = Services(make_settings(self.database_url, secret_key=SECRET_KEY))
        try:
            yield services
        finally:
            await services.stop()


@contextlib.asynccontextmanager
async def two_server_processes() -> AsyncIterator[TwoServers]:
    """A new migrated PostgreSQL database and two `walletdesk serve` processes on it sharing
    Redis; stopped, and the database dropped, at the end."""
    name = f"wd_multi_{uuid.uuid4().hex[:10]}"
    database_url = await create_pg_database(name)
    processes: list[subprocess.Popen[bytes]] = []
    try:
        database = Database(database_url)
        await upgrade_database(database.engine)
        await database.dispose()
        urls = []
        for _ in range(2):
            port = free_port()
            env = {**os.environ, "WALLETDESK_DATABASE_URL": database_url,
                   "WALLETDESK_REDIS_URL": REDIS_URL, "WALLETDESK_PORT": str(port),
                   "WALLETDESK_SECRET_KEY": SECRET_KEY, "WALLETDESK_LOG_LEVEL": "WARNING"}
            processes.append(subprocess.Popen([sys.executable, "-m", "walletdesk.cli", "serve"],
                                              env=env, preexec_fn=die_with_parent))
            urls.append(f"http://127.0.0.1:{port}")
        for url, process in zip(urls, processes, strict=True):
            await wait_healthy(url, process, seconds=300)
        yield TwoServers(urls[0], urls[1], database_url)
    finally:
        stop_servers(processes)
        await drop_pg_database(name)
