"""Live delivery to connected clients: the per-process hub of WebSockets.

The hub subscribes to the event bus and forwards each event to the sockets that may see it:
customers get their own conversation's public messages, typing and queue position; agents
get the conversations they have open and, if they asked, inbox updates for what their role
lets them see. Each socket has its own send queue, so a slow client never holds up others;
one that falls too far behind is closed and resumes from its last sequence number.

Frames are serialised once per event (orjson) and shared by every socket that gets them.
Agents who asked for inbox updates are indexed by what they may see (every conversation,
a team's, their own), so an event reaches its readers without a look at every agent.
"""

import asyncio
import contextlib
import time
from collections import OrderedDict, defaultdict
from typing import Any

import orjson
import structlog
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from walletdesk.accounts.models import Agent, Role
from walletdesk.accounts.sessions import ACCESS_EVENT
from walletdesk.conversations.messages import masked_conversation, masked_message
from walletdesk.events.bus import Event
from walletdesk.web.hub_transport import SEND_NOW_KEY

log = structlog.get_logger(__name__)
SEND_QUEUE_LIMIT = 2000
NAMES_KEPT = 10_000  # customers' names remembered for masking (walletdesk.customers.masking)
# what an event carries for the hub only: the masked forms, the socket it came from
_NOT_FOR_AGENTS = frozenset({"masked_conversation", "masked_message", "origin"})


class Connection:
    def __init__(self, websocket: WebSocket) -> None:
        self.websocket = websocket
        self._queue: asyncio.Queue[bytes | None] = asyncio.Queue(SEND_QUEUE_LIMIT)
        self._writer: asyncio.Task[None] | None = None
        self._sending = False  # the send task holds a frame (taken from the queue, not sent)
        # the server's protocol writes a frame at once when nothing waits before it
        # (walletdesk.web.hub_transport); None: every frame goes through the send task
        scope = getattr(websocket, "scope", None) or {}
        self._send_now: Any = (scope.get("extensions") or {}).get(SEND_NOW_KEY)
        # set when access is withdrawn: nothing more is sent or accepted, then the socket closes
        self.closing: tuple[int, str] | None = None

    def start(self) -> None:
        self._writer = asyncio.create_task(self._write())

    def send(self, frame: dict[str, Any] | bytes) -> None:
        """Send a frame (a dict, or JSON already serialised by ``dumps``), in order."""
        if self.closing is not None:
            return
        data = frame if isinstance(frame, bytes) else dumps(frame)
        if self._send_now is not None and not self._sending and self._queue.empty() \
                and self._send_now(data):
            return  # written: nothing was waiting before it
        try:
            self._queue.put_nowait(data)
        except asyncio.QueueFull:
            log.warning("socket_send_queue_full_closing")
            self._queue = asyncio.Queue(1)
            self._queue.put_nowait(None)

    def close(self, code: int, reason: str) -> None:
        """Close after the frames already queued; nothing queued later is sent."""
        if self.closing is not None:
            return
        self.closing = (code, reason)
        try:
            self._queue.put_nowait(None)
        except asyncio.QueueFull:
            self._queue = asyncio.Queue(1)
            self._queue.put_nowait(None)

    async def _write(self) -> None:
        try:
            while (data := await self._queue.get()) is not None:
                self._sending = True
                await self.websocket.send_text(data.decode())
                self._sending = False
            code, reason = self.closing or (1013, "")
            await self.websocket.close(code=code, reason=reason)
        except (WebSocketDisconnect, RuntimeError, OSError):
            return

    async def stop(self) -> None:
        if self._writer is not None:
            self._writer.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._writer

    @property
    def open(self) -> bool:
        return self.websocket.client_state == WebSocketState.CONNECTED


def dumps(frame: dict[str, Any]) -> bytes:
    """A frame as JSON text, UTF-8 (orjson: several times faster than json for our frames;
    the socket sends these bytes as they are)."""
    return orjson.dumps(frame)


class CustomerConnection(Connection):
    def __init__(self, websocket: WebSocket, visitor_id: str) -> None:
        super().__init__(websocket)
        self.visitor_id = visitor_id
        self.verified_user_id: str | None = None
        self.customer_id: int | None = None
        self.conversation_id: int | None = None
        self.privacy_acknowledged = False  # the privacy notice, before there is a customer
        # what the socket learnt from its first message (walletdesk.conversations.chat)
        self.chat_line: Any = None


class AgentConnection(Connection):
    def __init__(self, websocket: WebSocket, agent: Agent, session_id: int = 0) -> None:
        super().__init__(websocket)
        self.agent_id = agent.id
        self.session_id = session_id
        self.role = agent.role
        self.team_ids = set(agent.team_ids)
        self.subscriptions: set[int] = set()
        self.inbox = False  # set through Hub.set_inbox (it keeps the index)
        # marks the agent seen while the socket is open (walletdesk.web.routes.sockets)
        self.heartbeat: asyncio.Task[None] | None = None

    async def stop(self) -> None:
        if self.heartbeat is not None:
            self.heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self.heartbeat
        await super().stop()

    def may_see(self, team_id: int | None, assignee_id: int | None) -> bool:
        if self.role in (Role.admin, Role.supervisor):
            return True
        return assignee_id == self.agent_id or team_id is None or team_id in self.team_ids


class Hub:
    def __init__(self) -> None:
        self.customers: dict[int, set[CustomerConnection]] = defaultdict(set)
        self.agents: set[AgentConnection] = set()
        self.by_agent: dict[int, set[AgentConnection]] = defaultdict(set)
        self.watchers: dict[int, set[AgentConnection]] = defaultdict(set)
        # agents with inbox updates on, by what they may see (AgentConnection.may_see)
        self.inbox_all: set[AgentConnection] = set()  # admins and supervisors: everything
        self.inbox_by_team: dict[int, set[AgentConnection]] = defaultdict(set)
        self.inbox_by_agent: dict[int, set[AgentConnection]] = defaultdict(set)
        self.inbox_agents: set[AgentConnection] = set()  # all of them
        # conversation id -> its customer's name, from their messages: masked in summaries
        # sent to outsourced agents when the event did not bring a masked one
        self.customer_names: OrderedDict[int, str] = OrderedDict()
        # agent id -> when this process last marked them seen (time.monotonic): one write
        # per agent per heartbeat, however many of their sockets are open here
        self.seen_marked: dict[int, float] = {}

    # registration -------------------------------------------------------------------------
    def add_customer(self, conn: CustomerConnection, customer_id: int) -> None:
        conn.customer_id = customer_id
        self.customers[customer_id].add(conn)

    def remove_customer(self, conn: CustomerConnection) -> None:
        if conn.customer_id is not None:
            group = self.customers.get(conn.customer_id)
            if group is not None:
                group.discard(conn)
                if not group:
                    del self.customers[conn.customer_id]

    def add_agent(self, conn: AgentConnection) -> None:
        self.agents.add(conn)
        self.by_agent[conn.agent_id].add(conn)

    def set_inbox(self, conn: AgentConnection, on: bool) -> None:
        self._unindex(conn)
        conn.inbox = on
        if on and conn in self.agents:
            self._index(conn)

    def update_agent(self, conn: AgentConnection, role: Role, team_ids: set[int]) -> None:
        """The agent's role or teams changed (re-read from their session)."""
        self._unindex(conn)
        conn.role, conn.team_ids = role, set(team_ids)
        if conn.inbox and conn in self.agents:
            self._index(conn)

    def _index(self, conn: AgentConnection) -> None:
        self.inbox_agents.add(conn)
        if conn.role in (Role.admin, Role.supervisor):
            self.inbox_all.add(conn)
            return
        self.inbox_by_agent[conn.agent_id].add(conn)
        for team_id in conn.team_ids:
            self.inbox_by_team[team_id].add(conn)

    def _unindex(self, conn: AgentConnection) -> None:
        if conn not in self.inbox_agents:
            return
        self.inbox_agents.discard(conn)
        self.inbox_all.discard(conn)
        for index, key in ([(self.inbox_by_agent, conn.agent_id)]
                           + [(self.inbox_by_team, t) for t in conn.team_ids]):
            group = index.get(key)
            if group is not None:
                group.discard(conn)
                if not group:
                    del index[key]

    def _inbox_readers(self, team_id: int | None,
                       assignee_id: int | None) -> set[AgentConnection] | list[AgentConnection]:
        """The inbox agents who may see a conversation of this team and assignee."""
        if team_id is None:
            return self.inbox_agents
        readers = [*self.inbox_all, *self.inbox_by_team.get(team_id, ())]
        if assignee_id is not None:
            readers.extend(self.inbox_by_agent.get(assignee_id, ()))
        return readers

    def watch(self, conn: AgentConnection, conversation_id: int) -> None:
        conn.subscriptions.add(conversation_id)
        self.watchers[conversation_id].add(conn)

    def unwatch(self, conn: AgentConnection, conversation_id: int) -> None:
        conn.subscriptions.discard(conversation_id)
        group = self.watchers.get(conversation_id)
        if group is not None:
            group.discard(conn)
            if not group:
                del self.watchers[conversation_id]

    def remove_agent(self, conn: AgentConnection) -> None:
        for conversation_id in list(conn.subscriptions):
            self.unwatch(conn, conversation_id)
        self._unindex(conn)
        self.agents.discard(conn)
        group = self.by_agent.get(conn.agent_id)
        if group is not None:
            group.discard(conn)
            if not group:
                del self.by_agent[conn.agent_id]
                self.seen_marked.pop(conn.agent_id, None)

    def seen_due(self, agent_id: int, every_s: float, *, now: float | None = None) -> bool:
        """Whether to mark the agent seen now (and note it): not if this process did in the
        last heartbeat (``every_s``; a little early is due, so a heartbeat a few
        milliseconds ahead of the last one's time still writes)."""
        moment = time.monotonic() if now is None else now
        last = self.seen_marked.get(agent_id)
        if last is not None and moment - last < every_s * 0.8:
            return False
        self.seen_marked[agent_id] = moment
        return True

    @property
    def connection_count(self) -> int:
        return sum(len(group) for group in self.customers.values()) + len(self.agents)

    # delivery -----------------------------------------------------------------------------
    async def on_event(self, event: Event) -> None:
        kind = event.get("type")
        if kind in ("message", "message_edited"):  # edited: a secret removed afterwards
            self._on_message(event)
        elif kind == "conversation":
            self._on_conversation(event)
        elif kind == "queue":
            self._to_customer(event["customer_id"], event)
        elif kind == "typing":
            self._on_typing(event)
        elif kind == ACCESS_EVENT:
            self._on_access_changed(event)
        elif kind == "presence":  # chosen, or an online agent's connection lost / back
            frame = dumps(event)
            for conn in self.inbox_agents:
                conn.send(frame)
        elif kind == "notification":  # one agent's own notice: an @mention, a snooze ending
            for conn in list(self.by_agent.get(event["agent_id"], ())):
                conn.send(event)

    def _to_customer(self, customer_id: int | None, frame: dict[str, Any] | bytes,
                     origin: str | None = None) -> None:
        """To every socket of the customer; ``origin``: but the one a message came from (the
        chat's hot path answers it with an ack that holds the message)."""
        if customer_id is None:
            return
        for conn in self.customers.get(customer_id, ()):
            if origin is None or getattr(conn.chat_line, "origin", None) != origin:
                conn.send(frame)

    def _to_agents(self, event: Event, conversation_id: int, team_id: int | None,
                   assignee_id: int | None, *, every_watcher: bool = False) -> None:
        message = event.get("message")
        if isinstance(message, dict) and message.get("sender_kind") == "customer" \
                and message.get("sender_name"):
            self.customer_names[conversation_id] = message["sender_name"]
            self.customer_names.move_to_end(conversation_id)
            while len(self.customer_names) > NAMES_KEPT:
                self.customer_names.popitem(last=False)
        masked_summary = event.get("masked_conversation")
        masked_text = event.get("masked_message")
        event = {k: v for k, v in event.items() if k not in _NOT_FOR_AGENTS}
        frame = dumps(event)
        masked: bytes | None = None

        def frame_for(conn: AgentConnection) -> bytes:
            # outsourced agents get the customer's name, e-mails and phones masked; built
            # only when one of them is to receive it
            nonlocal masked
            if conn.role != Role.outsourced or ("message" not in event
                                                and "conversation" not in event):
                return frame
            if masked is None:
                known = [self.customer_names.get(conversation_id)]
                replaced: dict[str, Any] = {}
                if "message" in event:
                    replaced["message"] = masked_text or masked_message(event["message"], known)
                if isinstance(event.get("conversation"), dict):
                    replaced["conversation"] = masked_summary or masked_conversation(
                        event["conversation"], known)
                masked = dumps({**event, **replaced})
            return masked

        watchers = self.watchers.get(conversation_id, set())
        for conn in [c for c in watchers if not c.may_see(team_id, assignee_id)]:
            # transferred out of the agent's reach: they learn where it went (every_watcher:
            # the summary), then get no more of it (notes included)
            if every_watcher:
                conn.send(frame_for(conn))
            self.unwatch(conn, conversation_id)
            conn.send({"type": "unsubscribed", "conversation_id": conversation_id,
                       "reason": "access"})
        for conn in watchers:
            conn.send(frame_for(conn))
        sent: set[AgentConnection] = set()
        for conn in self._inbox_readers(team_id, assignee_id):
            if conn not in watchers and conn not in sent and conn.may_see(team_id, assignee_id):
                sent.add(conn)  # a team's agent may be the assignee as well
                conn.send(frame_for(conn))

    def _on_message(self, event: Event) -> None:
        message = event["message"]
        if not message["internal"]:
            self._to_customer(event["customer_id"], {"type": event["type"], "message": message},
                              event.get("origin"))
        self._to_agents(event, event["conversation_id"], event["team_id"], event["assignee_id"])

    def _on_conversation(self, event: Event) -> None:
        summary = event["conversation"]
        self._to_customer(summary["customer_id"], {
            "type": "status", "conversation_id": summary["id"], "status": summary["status"],
        })
        self._to_agents(event, summary["id"], summary["team_id"], summary["assignee_id"],
                        every_watcher=True)

    def _on_typing(self, event: Event) -> None:
        # an agent's, or the bot's while it looks a transfer up (walletdesk.chains.actions)
        if event["sender_kind"] in ("agent", "bot"):
            self._to_customer(event["customer_id"], {
                "type": "typing", "conversation_id": event["conversation_id"],
                "name": event.get("name", ""), "state": event["state"],
                "sender_kind": event["sender_kind"],
            })
        frame = dumps(event)
        for conn in self.watchers.get(event["conversation_id"], ()):
            if conn.agent_id != event.get("agent_id"):
                conn.send(frame)

    def _on_access_changed(self, event: Event) -> None:
        """Deactivated, signed out, or given another role or teams: close that agent's sockets
        (only one session's on a plain logout). Every process gets the event through the bus."""
        session_id = event.get("session_id")
        for conn in list(self.by_agent.get(event["agent_id"], ())):
            if session_id is None or conn.session_id == session_id:
                self.remove_agent(conn)
                conn.close(int(event["code"]), str(event.get("reason", ""))[:120])
