"""The WebSocket protocol `walletdesk serve` runs its sockets on: uvicorn's (websockets,
sans-I/O), with two hops of the chat's hot path taken out (issue 14).

- **Reading ahead in the protocol.** uvicorn stops reading a socket as soon as one frame
  waits for the app and starts again when the app has taken it: two system calls' worth of
  work per frame, and no keepalive pong read while a frame is handled. This protocol keeps
  reading until ``READ_AHEAD`` frames wait (back-pressure kept past that), and says so in
  the scope (``walletdesk.read_ahead``): the socket routes then take frames from it
  directly instead of through a reader task and a second queue of their own
  (walletdesk.web.routes.sockets).
- **Sending at once.** ``walletdesk.send_now`` in the scope writes a text frame to the
  socket synchronously when nothing waits before it (the transport takes it, or buffers
  it), instead of a hop through the socket's send task and the ASGI send chain; it refuses
  (False) when the frame cannot go now — a socket closing or closed, or the transport's
  buffer over its high-water mark — and the caller queues it as before
  (walletdesk.web.live).

Under another server, or uvicorn's own protocol (the tests' app), neither key is in the
scope and the sockets behave as before.
"""

from typing import Any

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.exceptions import InvalidState
from websockets.frames import Frame

READ_AHEAD = 16  # frames read ahead of the app before the socket stops being read
READ_AHEAD_KEY = "walletdesk.read_ahead"
SEND_NOW_KEY = "walletdesk.send_now"


class HubWebSocketProtocol(WebSocketsSansIOProtocol):
    """uvicorn's sans-I/O WebSocket protocol, reading ahead and sending at once."""

    def handle_connect(self, event: Any) -> None:
        super().handle_connect(event)
        scope = getattr(self, "scope", None)
        if scope is not None:  # (a refused handshake builds no scope)
            scope["extensions"][READ_AHEAD_KEY] = READ_AHEAD
            scope["extensions"][SEND_NOW_KEY] = self.send_now

    def handle_text(self, event: Frame) -> None:
        if not event.fin:
            super().handle_text(event)  # a fragmented message: as uvicorn does
            return
        if self.close_sent:
            return  # past the app's close: dropped, reading goes on (as uvicorn does)
        try:
            text = event.data.decode()
        except UnicodeDecodeError:
            super().handle_text(event)  # uvicorn closes with 1007
            return
        self.queue.put_nowait({"type": "websocket.receive", "text": text})
        self._maybe_pause()

    def send_receive_event_to_app(self) -> None:
        # (binary and fragmented messages) uvicorn pauses at once; resumed below
        paused = self.read_paused
        super().send_receive_event_to_app()
        if self.read_paused and not paused:
            self.read_paused = False
            self.transport.resume_reading()
            self._maybe_pause()

    def _maybe_pause(self) -> None:
        if not self.read_paused and self.queue.qsize() >= READ_AHEAD:
            self.read_paused = True
            self.transport.pause_reading()

    async def receive(self) -> Any:
        message = await self.queue.get()
        if self.read_paused and self.queue.qsize() < READ_AHEAD:
            self.read_paused = False
            self.transport.resume_reading()
        return message

    def shutdown(self) -> None:
        """The server stops (SIGTERM): the frames read ahead that the app has not taken are
        dropped, so the app hears the 1012 close next instead of after up to ``READ_AHEAD``
        more frames a socket (200 busy sockets took 24 s to stop). Nothing is lost: they
        were never acknowledged, and the widget sends its unacknowledged messages again,
        same client id, to the server it reconnects to."""
        while not self.queue.empty():
            self.queue.get_nowait()
        super().shutdown()

    def send_now(self, data: bytes) -> bool:
        """Write one text frame (UTF-8) now; False if it must wait (the caller queues it)."""
        if (self.close_sent or self.disconnected or not self.handshake_complete
                or self.initial_response is not None or not self.writable.is_set()
                or self.transport.is_closing()):
            return False
        try:
            self.conn.send_text(data)
        except InvalidState:
            return False
        self.transport.write(b"".join(self.conn.data_to_send()))
        return True
