"""The WebSocket protocol `walletdesk serve` uses (walletdesk.web.hub_transport): it reads a
socket ahead of the app up to READ_AHEAD frames (keepalive answered meanwhile), stops past
that, and writes a frame at once when nothing waits before it — frames stay in order."""

import asyncio
import json
from typing import Any

import uvicorn
import websockets
from fastapi import FastAPI, WebSocket

from tests.conftest import serving
from walletdesk.web.hub_transport import (
    READ_AHEAD,
    READ_AHEAD_KEY,
    SEND_NOW_KEY,
    HubWebSocketProtocol,
)
from walletdesk.web.live import Connection
from walletdesk.web.load_shedding import InFlightLimit
from walletdesk.web.routes.sockets import _serve_frames


class Echo:
    """An app whose socket answers each frame with its number, the first one held until
    ``release`` is set (a slow frame: a row lock, a full pool)."""

    def __init__(self) -> None:
        self.app = FastAPI()
        self.app.state.frame_limit = InFlightLimit(100, 1.0)
        self.release = asyncio.Event()
        self.handled: list[int] = []
        self.extensions: dict[str, Any] = {}

        @self.app.websocket("/ws")
        async def socket(websocket: WebSocket) -> None:
            await websocket.accept()
            self.extensions = dict(websocket.scope.get("extensions") or {})
            conn = Connection(websocket)
            conn.start()

            async def handle(frame: dict[str, Any]) -> None:
                if frame["n"] == 0:
                    await self.release.wait()
                self.handled.append(frame["n"])
                conn.send({"type": "done", "n": frame["n"]})

            await _serve_frames(websocket, conn, 10_000, handle, lambda c: None)


def _protocols(server: uvicorn.Server) -> list[HubWebSocketProtocol]:
    return [c for c in server.server_state.connections if isinstance(c, HubWebSocketProtocol)]


async def test_frames_are_read_ahead_answered_in_order_and_kept_within_bound():
    echo = Echo()
    async with serving(echo.app) as live, websockets.connect(f"{live.ws_url}/ws") as ws:
        for n in range(READ_AHEAD + 10):
            await ws.send(json.dumps({"type": "x", "n": n}))
        for _ in range(200):  # the protocol reads ahead while frame 0 is handled
            protocols = _protocols(live.server)
            if protocols and protocols[0].read_paused:
                break
            await asyncio.sleep(0.01)
        protocol = _protocols(live.server)[0]
        # stopped reading once READ_AHEAD frames waited for the app: back-pressure
        assert protocol.read_paused and protocol.queue.qsize() >= READ_AHEAD
        assert echo.handled == []
        assert echo.extensions[READ_AHEAD_KEY] == READ_AHEAD
        assert callable(echo.extensions[SEND_NOW_KEY])
        echo.release.set()
        answers = [json.loads(await asyncio.wait_for(ws.recv(), 5))["n"]
                   for _ in range(READ_AHEAD + 10)]
        assert answers == list(range(READ_AHEAD + 10))
        assert echo.handled == answers
        assert not protocol.read_paused


async def test_keepalive_is_answered_while_a_frame_is_handled():
    echo = Echo()
    async with serving(echo.app) as live, websockets.connect(f"{live.ws_url}/ws") as ws:
        for n in range(5):
            await ws.send(json.dumps({"type": "x", "n": n}))
        await asyncio.sleep(0.1)
        pong = await ws.ping()
        await asyncio.wait_for(pong, 5)  # read (and answered) though frame 0 waits
        echo.release.set()
        assert [json.loads(await asyncio.wait_for(ws.recv(), 5))["n"]
                for _ in range(5)] == list(range(5))


class FakeSocket:
    """A socket whose protocol takes a frame at once only when ``now`` says so."""

    def __init__(self) -> None:
        self.now = True
        self.written: list[bytes] = []
        self.scope = {"extensions": {SEND_NOW_KEY: self.send_now}}
        self.queued_sent: list[str] = []
        self.gate = asyncio.Event()

    def send_now(self, data: bytes) -> bool:
        if not self.now:
            return False
        self.written.append(data)
        return True

    async def send_text(self, text: str) -> None:
        await self.gate.wait()
        self.written.append(text.encode())

    async def close(self, code: int = 1000, reason: str = "") -> None:
        return None


async def test_a_frame_never_overtakes_one_waiting_to_be_sent():
    socket = FakeSocket()
    conn = Connection(socket)  # type: ignore[arg-type]
    conn.start()
    conn.send({"n": 1})  # written at once
    socket.now = False
    conn.send({"n": 2})  # the transport is full: queued for the send task
    socket.now = True
    conn.send({"n": 3})  # the transport takes frames again, but 2 waits: queued behind it
    await asyncio.sleep(0.05)
    conn.send({"n": 4})  # the send task holds 2 (not yet written): queued
    socket.gate.set()
    for _ in range(100):
        if len(socket.written) == 4:
            break
        await asyncio.sleep(0.01)
    conn.send({"n": 5})  # nothing waits: at once again
    assert [json.loads(data)["n"] for data in socket.written] == [1, 2, 3, 4, 5]
    await conn.stop()


async def test_a_stopping_server_drops_the_frames_read_ahead_and_closes_at_once():
    """SIGTERM under load: the app hears the 1012 close after the frame it is handling, not
    after the READ_AHEAD frames read ahead of it (never acknowledged: the widget and the
    workspace send them again, same client id, to the server they reconnect to)."""
    echo = Echo()
    async with serving(echo.app) as live, websockets.connect(f"{live.ws_url}/ws") as ws:
        for n in range(READ_AHEAD + 10):
            await ws.send(json.dumps({"type": "x", "n": n}))
        for _ in range(200):
            protocols = _protocols(live.server)
            if protocols and protocols[0].read_paused:
                break
            await asyncio.sleep(0.01)
        protocol = _protocols(live.server)[0]
        assert protocol.queue.qsize() >= READ_AHEAD  # frames wait behind frame 0
        protocol.shutdown()  # what uvicorn calls on every connection when the server stops
        echo.release.set()
        try:
            answers = [json.loads(await asyncio.wait_for(ws.recv(), 5))["n"]
                       for _ in range(READ_AHEAD + 10)]
        except websockets.ConnectionClosed as closed:
            assert closed.rcvd is not None and closed.rcvd.code == 1012
        else:
            raise AssertionError(f"the socket stayed open: {answers}")
        for _ in range(100):  # the app's socket loop ends on the close, frame 0 handled
            if protocol.disconnected or protocol.queue.empty():
                break
            await asyncio.sleep(0.01)
        assert echo.handled in ([], [0])
