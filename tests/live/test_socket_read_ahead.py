"""A socket keeps being read while one of its frames is handled (web/routes/sockets.py):
the server stops reading a socket whose read frames wait for the app, and with it the
keepalive pongs, so a client that sent several frames to a busy desk was closed (1011)."""

import asyncio
import json
from types import SimpleNamespace
from typing import Any

from walletdesk.web.load_shedding import InFlightLimit
from walletdesk.web.routes.sockets import READ_AHEAD, _serve_frames


class ClientFrames:
    """The ASGI side of a socket: frames the client sent, then its going."""

    def __init__(self, count: int) -> None:
        self.waiting = [{"type": "websocket.receive", "text": json.dumps({"type": "x", "n": n})}
                        for n in range(count)]
        self.read = 0
        self.gone = asyncio.Event()
        self.app = SimpleNamespace(state=SimpleNamespace(frame_limit=InFlightLimit(100, 1.0)))

    async def receive(self) -> dict[str, Any]:
        if self.read < len(self.waiting):
            self.read += 1
            return self.waiting[self.read - 1]
        await self.gone.wait()
        return {"type": "websocket.disconnect", "code": 1000}


class Conn:
    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []
        self.stopped = False

    def send(self, frame: dict[str, Any]) -> None:
        self.sent.append(frame)

    async def stop(self) -> None:
        self.stopped = True


async def test_frames_are_read_while_one_is_handled_and_handled_in_order():
    socket, conn, handled = ClientFrames(READ_AHEAD + 10), Conn(), []
    first_may_finish = asyncio.Event()

    async def handle(frame: dict[str, Any]) -> None:
        if frame["n"] == 0:
            await first_may_finish.wait()  # a slow frame: a row lock, a full pool
        handled.append(frame["n"])

    serving = asyncio.create_task(_serve_frames(socket, conn, 10_000, handle, lambda c: None))
    for _ in range(200):
        if socket.read > READ_AHEAD:
            break
        await asyncio.sleep(0.01)
    # read on while the first frame is handled, up to the read-ahead bound, then no further
    assert handled == [] and socket.read == READ_AHEAD + 2
    await asyncio.sleep(0.05)
    assert socket.read == READ_AHEAD + 2  # back-pressure: the rest wait in the server
    first_may_finish.set()
    for _ in range(200):
        if len(handled) == READ_AHEAD + 10:
            break
        await asyncio.sleep(0.01)
    assert handled == list(range(READ_AHEAD + 10))
    socket.gone.set()
    await asyncio.wait_for(serving, 30)  # a bound for a hang, not a duration
    assert conn.stopped and conn.sent == []


async def test_frames_read_before_the_client_went_are_still_handled():
    socket, conn, handled = ClientFrames(3), Conn(), []
    socket.gone.set()

    async def handle(frame: dict[str, Any]) -> None:
        await asyncio.sleep(0.01)
        handled.append(frame["n"])

    await asyncio.wait_for(_serve_frames(socket, conn, 10_000, handle, lambda c: None), 30)
    assert handled == [0, 1, 2] and conn.stopped
