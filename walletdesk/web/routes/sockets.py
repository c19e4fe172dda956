"""The two WebSockets: the customer widget's (/ws/widget) and the agent workspace's (/ws/app).

Frames are JSON objects with a "type". Every frame a client sends gets either its answer or
an error frame ({"type": "error", "code", "detail", "client_id"?, "retry"?}); a bad frame never
closes the socket. See docs/widget.md for the protocol.
"""

import asyncio
import contextlib
import functools
import json
import uuid
from typing import Any

import orjson
import structlog
from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from walletdesk import i18n
from walletdesk.accounts.access import can_view_conversation
from walletdesk.bot.actions import customer_feedback
from walletdesk.cases.surveys import submit_rating
from walletdesk.conversations.actions import InboundMessage, receive_message, send_message
from walletdesk.conversations.chat import ChatLine, ChatWriter
from walletdesk.conversations.customer_reads import mark_read_by_customer
from walletdesk.conversations.messages import (
    conversation_payload,
    customer_known_data,
    message_payload,
)
from walletdesk.conversations.models import Conversation
from walletdesk.conversations.queries import (
    WITH_PEOPLE,
    latest_customer_conversation,
    messages_after,
)
from walletdesk.customer_context.device import WidgetDeviceContext
from walletdesk.customers.identity import verified_user_id
from walletdesk.customers.privacy_notice import acknowledge_privacy_notice, notice_to_show
from walletdesk.db.engine import DatabaseBusy, DatabaseUnavailable
from walletdesk.errors import DomainError
from walletdesk.routing.actions import agent_seen, queue_state
from walletdesk.routing.availability import widget_availability
from walletdesk.routing.presence import heartbeat_s
from walletdesk.services import Services
from walletdesk.staffing.overflow_choices import choose_overflow
from walletdesk.text_rules import DISALLOWED, TextRefused, check_data
from walletdesk.web.deps import MAX_ROW_ID, load_session_agent
from walletdesk.web.hub_transport import READ_AHEAD as HUB_READ_AHEAD
from walletdesk.web.hub_transport import READ_AHEAD_KEY
from walletdesk.web.live import AgentConnection, CustomerConnection, Hub
from walletdesk.web.load_shedding import busy_frame
from walletdesk.web.routes.chat_uploads import widget_file_token
from walletdesk.web.sessions import SESSION_COOKIE, Signer

router = APIRouter()
log = structlog.get_logger(__name__)
HELLO_TIMEOUT_S = 15
WIDGET_CHANNEL = "web"


class FrameError(Exception):
    def __init__(self, code: str, detail: str, client_id: str | None = None) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail
        self.client_id = client_id  # of a frame refused while parsing, for the error frame


def _loads(raw: str) -> Any:
    try:
        return json.loads(raw)
    except RecursionError:
        raise FrameError("malformed", "frame is nested too deeply") from None
    except (json.JSONDecodeError, ValueError) as exc:
        raise FrameError("malformed", "frame is not valid JSON") from exc


def _parse(raw: str | None, max_bytes: int) -> dict[str, Any]:
    if raw is None:
        raise FrameError("malformed", "frames must be JSON text")
    # (a character is at most 4 bytes: a short frame is not encoded to be measured)
    if len(raw) * 4 > max_bytes and len(raw.encode("utf-8", "surrogatepass")) > max_bytes:
        raise FrameError("too_large", f"frame is larger than {max_bytes} bytes")
    try:
        frame = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        if "depth limit" in str(exc):  # orjson stops at 1,024 levels, whatever the
            # interpreter's recursion limit (a library may raise it: chains/adapters)
            raise FrameError("malformed", "frame is nested too deeply") from None
        frame = _loads(raw)  # json says why, as it always did (or accepts it)
    if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
        raise FrameError("malformed", 'frame must be a JSON object with a "type"')
    try:  # the one text rule (walletdesk.text_rules), as for every HTTP input
        check_data(frame)
    except TextRefused as exc:
        client_id = frame.get("client_id")
        raise FrameError("invalid", str(exc), client_id if isinstance(client_id, str)
                         and not DISALLOWED.search(client_id) else None) from None
    return frame


def _int(frame: dict[str, Any], key: str, default: int | None = None) -> int:
    value = frame.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_ROW_ID:
        raise FrameError("invalid", f"{key} must be a non-negative integer")
    return value


def _error(code: str, detail: str, frame: dict[str, Any] | None = None,
           retry: bool = False) -> dict[str, Any]:
    error: dict[str, Any] = {"type": "error", "code": code, "detail": detail}
    if frame is not None and isinstance(frame.get("client_id"), str):
        error["client_id"] = frame["client_id"]
    if retry:
        error["retry"] = True
    return error


async def _receive_frame(websocket: WebSocket) -> str | None:
    """The next text frame; None for a binary frame. Raises WebSocketDisconnect."""
    message = await websocket.receive()
    if message["type"] == "websocket.disconnect":
        raise WebSocketDisconnect(message.get("code", 1000))
    return message.get("text")


def _origin_allowed(websocket: WebSocket, allowed: list[str]) -> bool:
    origin = websocket.headers.get("origin")
    if origin is None or "*" in allowed:
        return True
    host = websocket.headers.get("host", "")
    return origin in allowed or origin.split("://", 1)[-1] == host


# Frames read ahead of the one being handled. The server (uvicorn) stops reading a socket
# while frames it has read wait for the app, and so stops reading the protocol's keepalive
# pongs too: a client that sent ten frames to a busy desk was closed for a keepalive timeout
# (1011) while its frames waited. Reading ahead keeps the socket read; past this many frames
# waiting it stops again, so a client cannot queue without bound.
READ_AHEAD = HUB_READ_AHEAD
_GONE = object()  # the client went (read ahead after its last frame)


async def _read_ahead(websocket: WebSocket, frames: "asyncio.Queue[Any]") -> None:
    try:
        while True:
            await frames.put(await _receive_frame(websocket))
    except (WebSocketDisconnect, RuntimeError):  # RuntimeError: receiving after the close
        await frames.put(_GONE)


async def _next_frame(receive: Any) -> Any:
    """The next text frame from the protocol's own read-ahead (None: binary; _GONE: the
    client went)."""
    message = await receive()
    if message["type"] == "websocket.receive":
        return message.get("text")
    return _GONE


async def _serve_frames(websocket: WebSocket, conn: Any, max_bytes: int, handle: Any,
                        cleanup: Any, locale: str | None = None) -> None:
    """Handle frames in order until the client goes (read ahead by the server's protocol,
    walletdesk.web.hub_transport, or else by another task); answer pings; turn every
    failure into an error frame, a domain error's detail in the reader's ``locale``."""
    reader: asyncio.Task[None] | None = None
    extensions = (getattr(websocket, "scope", None) or {}).get("extensions") or {}
    if READ_AHEAD_KEY in extensions:  # the protocol reads ahead: its receive, directly
        # (Starlette's checks of each message add nothing here)
        next_frame: Any = functools.partial(_next_frame, websocket._receive)
    else:
        frames: asyncio.Queue[Any] = asyncio.Queue(READ_AHEAD)
        reader = asyncio.create_task(_read_ahead(websocket, frames))
        next_frame = frames.get
    try:
        while (raw := await next_frame()) is not _GONE:
            frame: dict[str, Any] | None = None
            try:
                frame = _parse(raw, max_bytes)
                if frame["type"] == "ping":
                    conn.send({"type": "pong"})
                else:
                    async with websocket.app.state.frame_limit.admit():  # else busy (below)
                        await handle(frame)
            except FrameError as exc:
                conn.send(_error(exc.code, exc.detail, frame if frame is not None else
                                 {"client_id": exc.client_id}))
            except DomainError as exc:
                conn.send(_error(exc.code, exc.translated(locale), frame))
            except DatabaseBusy as exc:  # shed under load: resent after retry_after (api.md)
                conn.send(busy_frame(exc, frame))
            except DatabaseUnavailable:
                conn.send(_error("unavailable", "the desk is briefly unavailable; retry", frame,
                                 retry=True))
            except WebSocketDisconnect:
                raise
            except Exception:  # a bug answers this frame with an error; the socket stays
                log.exception("socket_frame_failed",
                              frame_type=frame.get("type") if frame else None)
                conn.send(_error("internal", "the frame could not be handled", frame))
    except WebSocketDisconnect:
        pass
    finally:
        if reader is not None:
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await reader
        cleanup(conn)
        await conn.stop()


# --- customer widget --------------------------------------------------------------------------

@router.websocket("/ws/widget")
async def widget_socket(websocket: WebSocket) -> None:
    services: Services = websocket.app.state.services
    signer: Signer = websocket.app.state.signer
    hub: Hub = websocket.app.state.hub
    settings = services.settings
    if not _origin_allowed(websocket, settings.widget_allowed_origins):
        await websocket.close(code=1008)
        return
    await websocket.accept()
    try:
        hello = await asyncio.wait_for(_receive_frame(websocket), HELLO_TIMEOUT_S)
        frame = _parse(hello, settings.max_frame_bytes)
        if frame["type"] != "hello":
            raise FrameError("hello_required", 'the first frame must be {"type": "hello"}')
    except (TimeoutError, FrameError) as exc:
        detail = exc.detail if isinstance(exc, FrameError) else "no hello frame received"
        await websocket.send_json(_error("hello_required", detail))
        await websocket.close(code=1008)
        return
    except WebSocketDisconnect:
        return

    visitor_id = signer.read_visitor(frame.get("visitor_token")) or uuid.uuid4().hex
    claimed = frame.get("user_id") is not None
    user_id = verified_user_id(settings.identity_secret, frame.get("user_id"),
                               frame.get("user_hash"))
    language = i18n.customer_language(frame.get("language") if isinstance(
        frame.get("language"), str) else None, settings.default_language)
    name = frame.get("name") if isinstance(frame.get("name"), str) else None
    # the device and app context the operator allows (walletdesk.customer_context.device)
    device = WidgetDeviceContext(settings, frame.get("device_context"))
    # a signed identity is the same customer on every device; the visitor token stays the
    # browser's anonymous id, so a shared browser never inherits a verified conversation
    conn = CustomerConnection(websocket, f"user:{user_id}" if user_id else visitor_id)
    conn.verified_user_id = user_id
    conn.start()
    if claimed and user_id is None:
        conn.send(_error("identity_invalid", "the user id's signature is not valid; "
                         "continuing as an anonymous visitor"))
    try:
        async with services.read() as session:
            conversation = await latest_customer_conversation(session, WIDGET_CHANNEL,
                                                              conn.visitor_id)
            welcome: dict[str, Any] = {
                "type": "welcome",
                "visitor_token": signer.visitor_token(visitor_id),
                "brand": settings.brand_name,
                "language": language,
                "verified": user_id is not None,
                "conversation": None,
                # for the file uploads and downloads (walletdesk.web.routes.chat_uploads)
                "files_token": widget_file_token(settings, conn.visitor_id, user_id),
            }
            if conversation is not None:
                conn.conversation_id = conversation.id
                hub.add_customer(conn, conversation.customer_id)
                welcome.update(await _customer_snapshot(
                    session, services, conversation, _last_seq(frame)))
            # whether a person could answer now (the header's "Online": docs/widget.md)
            welcome["availability"] = await widget_availability(session, settings, language,
                                                                conversation)
            # the operator's privacy notice, until this customer acknowledges it
            welcome["privacy_notice"] = await notice_to_show(
                session, language, settings.default_language,
                conversation.customer_id if conversation is not None else None)
        conn.send(welcome)
        await device.keep_with(services, conn.conversation_id)
    except (DatabaseUnavailable, FrameError) as exc:
        conn.send(_error("unavailable", "the desk is briefly unavailable; reconnect",
                         retry=True) if isinstance(exc, DatabaseUnavailable)
                  else _error(exc.code, exc.detail))
        await conn.stop()
        await websocket.close(code=1013)
        return

    address = websocket.client.host if websocket.client else "unknown"
    limits = websocket.app.state.widget_message_limits

    async def handle(frame: dict[str, Any]) -> None:
        kind = frame["type"]
        if kind == "message":
            if not (limits.visitor.allow(conn.visitor_id) and limits.address.allow(address)):
                raise FrameError("rate_limited", "too many messages; wait a minute and resend")
            await _widget_message(services, hub, websocket.app.state.chat_writer, conn, frame,
                                  language, name)
            await device.keep_with(services, conn.conversation_id)  # once per conversation
        elif kind == "typing":
            if conn.conversation_id is not None:
                await services.bus.publish({
                    "type": "typing", "sender_kind": "customer",
                    "conversation_id": conn.conversation_id, "customer_id": conn.customer_id,
                    "state": bool(frame.get("state")),
                })
        elif kind == "bot_action":
            if conn.conversation_id is None or conn.customer_id is None:
                raise FrameError("not_found", "no conversation yet")
            turn_id = frame.get("turn_id")
            if turn_id is not None:
                turn_id = _int(frame, "turn_id")
            await customer_feedback(services, conn.conversation_id, conn.customer_id, turn_id,
                                    str(frame.get("action")), _short_text(frame, "slug", 120))
        elif kind == "rating":
            if conn.customer_id is None:
                raise FrameError("not_found", "no conversation yet")
            await submit_rating(services, customer_id=conn.customer_id,
                                survey_id=_int(frame, "survey_id"), rating=frame.get("rating"),
                                comment=frame.get("comment") or "")
            conn.send({"type": "rated", "survey_id": frame["survey_id"]})
        elif kind == "read":  # the launcher's unread count and the away mail
            if conn.conversation_id is None or conn.customer_id is None:
                raise FrameError("not_found", "no conversation yet")
            await mark_read_by_customer(services, conn.customer_id, conn.conversation_id,
                                        _int(frame, "seq"))
        elif kind == "overflow_choice":  # wait, e-mail or call back (walletdesk.staffing)
            if conn.customer_id is None:
                raise FrameError("not_found", "no conversation yet")
            offer = await choose_overflow(
                services, customer_id=conn.customer_id, offer_id=_int(frame, "offer_id"),
                choice=str(frame.get("choice")), email=_short_text(frame, "email"),
                phone=_short_text(frame, "phone"))
            conn.send({"type": "overflow_chosen", "offer_id": offer.id, "choice": offer.choice})
        elif kind == "privacy_ack":
            # before the first message there is no customer yet: recorded with it
            conn.privacy_acknowledged = True
            if conn.customer_id is not None:
                await acknowledge_privacy_notice(services, conn.customer_id)
            conn.send({"type": "privacy_acknowledged"})
        elif kind == "availability":  # asked again while the widget stays open
            async with services.read() as session:
                conversation = (await session.get(Conversation, conn.conversation_id)
                                if conn.conversation_id is not None else None)
                state = await widget_availability(session, settings, language, conversation)
            conn.send({"type": "availability", **state})
        elif kind == "resume":
            if conn.conversation_id is not None:
                async with services.read() as session:
                    conversation = await session.get(Conversation, conn.conversation_id)
                    assert conversation is not None
                    snapshot = await _customer_snapshot(session, services, conversation,
                                                        _int(frame, "last_seq", 0))
                conn.send({"type": "resume", **snapshot})
        else:
            raise FrameError("unknown_type", f"unknown frame type {kind!r}")

    # the widget's language (as its page: the customer's, else the browser's)
    await _serve_frames(websocket, conn, settings.max_frame_bytes, handle, hub.remove_customer,
                        language)


def _short_text(frame: dict[str, Any], key: str, limit: int = 254) -> str | None:
    value = frame.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > limit:
        raise FrameError("invalid", f"{key} must be a text of at most {limit} characters")
    return value


def _last_seq(frame: dict[str, Any]) -> int:
    value = frame.get("last_seq", 0)
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0


async def _customer_snapshot(session: Any, services: Services, conversation: Conversation,
                             after_seq: int) -> dict[str, Any]:
    messages = await messages_after(session, conversation.id, after_seq, include_internal=False)
    return {
        "conversation": {"id": conversation.id, "status": conversation.status,
                         "last_seq": conversation.last_seq,
                         "read_seq": conversation.customer_read_seq,
                         # the widget's own texts follow it once known (widget.js)
                         "language": conversation.language},
        "messages": [message_payload(m) for m in messages],
        "queue": await queue_state(session, services.settings, conversation),
    }


async def _widget_message(services: Services, hub: Hub, writer: ChatWriter,
                          conn: CustomerConnection, frame: dict[str, Any], language: str,
                          name: str | None) -> None:
    if not isinstance(frame.get("text"), str):
        raise FrameError("invalid", "text must be a string")
    client_id = frame.get("client_id")
    if client_id is not None and not isinstance(client_id, str):
        raise FrameError("invalid", "client_id must be a string")
    line: ChatLine | None = conn.chat_line
    if line is not None and line.conversation_id == conn.conversation_id:
        # the socket's next message: the hot path (walletdesk.conversations.chat)
        quick = await writer.receive(line, frame["text"], client_id)
        if quick is not None:
            conn.send({"type": "ack", "client_id": client_id,
                       "conversation_id": quick.conversation_id, "message": quick.message,
                       "duplicate": quick.duplicate})
            return
    delivered = await receive_message(services, InboundMessage(
        channel=WIDGET_CHANNEL, external_id=conn.visitor_id, text=frame["text"],
        client_id=client_id, conversation_id=conn.conversation_id, language=language,
        customer_name=name, verified_user_id=conn.verified_user_id,
    ))  # the full path: routing and the bot have reacted when it returns (as a snapshot
    # follows for a new conversation); the hot path above defers them
    conversation = delivered.conversation
    if conn.privacy_acknowledged and conn.customer_id is None:
        # the notice was acknowledged before this visitor had a customer row: recorded
        # before the message is acknowledged, so nothing the client sees precedes it
        await acknowledge_privacy_notice(services, conversation.customer_id)
    conn.send({"type": "ack", "client_id": client_id, "conversation_id": conversation.id,
               "message": message_payload(delivered.message), "duplicate": delivered.duplicate})
    customer = delivered.customer
    if customer is not None:  # what the next messages need to know, kept on the socket
        conn.chat_line = ChatLine(
            customer_id=customer.id, conversation_id=conversation.id,
            customer_name=customer.display_name,
            known=[customer.display_name, customer.email, customer.phone])
    if not delivered.duplicate:  # read with by every socket of the conversation in the process
        writer.remember(conversation.id, delivered.message.seq, delivered.message.created_at,
                        delivered.message.text)
    if conn.conversation_id != conversation.id or conn.customer_id is None:
        # first message (or a new conversation): events published before this socket knew
        # its customer id are sent now; the client drops what it already has by seq
        conn.conversation_id = conversation.id
        hub.remove_customer(conn)
        hub.add_customer(conn, conversation.customer_id)
        async with services.read() as session:
            fresh = await session.get(Conversation, conversation.id)
            assert fresh is not None
            conn.send({"type": "resume",
                       **await _customer_snapshot(session, services, fresh, 0)})


# --- agent workspace --------------------------------------------------------------------------

async def _mark_seen(services: Services, hub: Hub, agent_id: int, every_s: float, *,
                     force: bool = False) -> None:
    """Mark the agent seen (decision 0059), at most once a heartbeat per process; a database
    that is busy or down is tried again at the next heartbeat."""
    if not hub.seen_due(agent_id, every_s) and not force:
        return
    try:
        await agent_seen(services, agent_id)
    except (DatabaseBusy, DatabaseUnavailable):
        hub.seen_marked.pop(agent_id, None)
        log.warning("agent_seen_not_recorded", agent_id=agent_id)
    except Exception:  # a bug: logged, the socket stays
        hub.seen_marked.pop(agent_id, None)
        log.exception("agent_seen_failed", agent_id=agent_id)


async def _keep_seen(services: Services, hub: Hub, conn: AgentConnection,
                     every_s: float) -> None:
    while conn.closing is None:
        await asyncio.sleep(every_s)
        if conn.closing is None and conn in hub.agents:
            await _mark_seen(services, hub, conn.agent_id, every_s)


@router.websocket("/ws/app")
async def agent_socket(websocket: WebSocket) -> None:
    services: Services = websocket.app.state.services
    signer: Signer = websocket.app.state.signer
    hub: Hub = websocket.app.state.hub
    settings = services.settings
    # a cookie-authenticated socket must come from our own pages (cross-site hijacking)
    if not _origin_allowed(websocket, []):
        await websocket.close(code=1008)
        return
    try:
        found = await load_session_agent(services, signer, websocket.cookies.get(SESSION_COOKIE))
    except DatabaseUnavailable:
        await websocket.close(code=1013)
        return
    if found is None:
        await websocket.close(code=4401)
        return
    agent, session_data = found
    cookie = websocket.cookies.get(SESSION_COOKIE)
    await websocket.accept()
    conn = AgentConnection(websocket, agent, session_data.session_id)
    conn.start()
    hub.add_agent(conn)
    # the agent is there: seen now (back after the grace: their queues drain), and every
    # heartbeat while the socket stays open (the keepalive closes one whose browser went)
    every = heartbeat_s(settings)
    await _mark_seen(services, hub, agent.id, every, force=True)
    conn.heartbeat = asyncio.create_task(_keep_seen(services, hub, conn, every))
    # heartbeat_s: how often the page pings (it reconnects when the socket goes quiet)
    conn.send({"type": "welcome", "agent_id": agent.id, "heartbeat_s": every})

    async def recheck_access() -> None:
        """Frames that read or write re-check the session (one indexed lookup): the bus's
        agent_access event closes revoked sockets; this covers an event that never came."""
        nonlocal agent
        found = await load_session_agent(services, signer, cookie)
        if found is None:
            hub.remove_agent(conn)
            conn.close(4401, "signed out")
            raise FrameError("signed_out", "your session has ended; sign in again")
        agent = found[0]
        hub.update_agent(conn, agent.role, set(agent.team_ids))

    async def handle(frame: dict[str, Any]) -> None:
        kind = frame["type"]
        if conn.closing is not None:
            return
        if kind in ("subscribe", "message", "inbox"):
            await recheck_access()
        if kind == "subscribe":
            conversation_id = _int(frame, "conversation_id")
            async with services.read() as session:
                conversation = await session.get(Conversation, conversation_id,
                                                 options=WITH_PEOPLE)
                if conversation is None or not can_view_conversation(agent, conversation):
                    raise FrameError("not_found", "conversation not found")
                messages = await messages_after(session, conversation_id,
                                                _int(frame, "last_seq", 0), include_internal=True)
            hub.watch(conn, conversation_id)
            known = customer_known_data(conversation)
            conn.send({"type": "subscribed",
                       "conversation": conversation_payload(conversation, agent),
                       "messages": [message_payload(m, agent, known) for m in messages]})
        elif kind == "unsubscribe":
            hub.unwatch(conn, _int(frame, "conversation_id"))
        elif kind == "inbox":
            hub.set_inbox(conn, bool(frame.get("on", True)))
        elif kind == "message":
            if not isinstance(frame.get("text"), str):
                raise FrameError("invalid", "text must be a string")
            delivered = await send_message(
                services, agent, _int(frame, "conversation_id"), frame["text"],
                client_id=frame.get("client_id"), internal=bool(frame.get("internal")))
            conn.send({"type": "ack", "client_id": frame.get("client_id"),
                       "conversation_id": delivered.conversation.id,
                       "message": message_payload(delivered.message, agent),
                       "duplicate": delivered.duplicate})
        elif kind == "typing":
            conversation_id = _int(frame, "conversation_id")
            if conversation_id not in conn.subscriptions:
                raise FrameError("not_subscribed", "subscribe to the conversation first")
            async with services.read() as session:
                conversation = await session.get(Conversation, conversation_id)
            if conversation is not None:
                await services.bus.publish({
                    "type": "typing", "sender_kind": "agent", "agent_id": agent.id,
                    "name": agent.display_name, "conversation_id": conversation_id,
                    "customer_id": conversation.customer_id, "state": bool(frame.get("state")),
                })
        else:
            raise FrameError("unknown_type", f"unknown frame type {kind!r}")

    # the agent's chosen language, else the browser's (as the workspace page)
    await _serve_frames(websocket, conn, settings.max_frame_bytes, handle, hub.remove_agent,
                        agent.interface_locale or i18n.interface_locale(
                            websocket.headers.get("accept-language")))
