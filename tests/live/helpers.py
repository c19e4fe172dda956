"""Clients for the live tests: a widget customer and a signed-in agent over real sockets."""

import asyncio
import contextlib
import json
import subprocess
import uuid
from typing import Any

import httpx
import websockets

from tests.conftest import PASSWORD

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
