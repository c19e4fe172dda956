"""The widget and workspace sockets end to end: live delivery, queue, bad input, resume."""

import asyncio
import json

import pytest
import websockets
from sqlalchemy import func, select

from tests.live.helpers import agent, customer
from walletdesk.conversations.models import Message


async def test_customer_and_agent_talk_live(services, live_server, make_team, make_agent):
    team = await make_team()
    alice = await make_agent("Alice", teams=[team], online=True)
    staff = await agent(live_server.url, live_server.ws_url, alice.email)
    await staff.send({"type": "inbox", "on": True})
    visitor, welcome = await customer(live_server.ws_url)
    assert welcome["conversation"] is None and welcome["visitor_token"]

    ack = await visitor.say("my USDT has not arrived")
    assert ack["type"] == "ack" and ack["message"]["seq"] == 1
    conversation_id = ack["conversation_id"]
    # the agent's inbox hears about it; subscribing gives the history so far
    await staff.expect(lambda f: f["type"] == "message" and f["conversation_id"] == conversation_id)
    await staff.send({"type": "subscribe", "conversation_id": conversation_id, "last_seq": 0})
    subscribed = await staff.expect_type("subscribed")
    assert [m["text"] for m in subscribed["messages"]][0] == "my USDT has not arrived"

    await visitor.say("it was 50 USDT on TRON")
    live = await staff.expect(lambda f: f["type"] == "message"
                              and f["message"]["text"] == "it was 50 USDT on TRON")
    assert live["message"]["sender_kind"] == "customer"

    await staff.send({"type": "typing", "conversation_id": conversation_id, "state": True})
    typing = await visitor.expect_type("typing")
    assert typing["state"] is True and typing["name"] == "Alice"
    await visitor.send({"type": "typing", "state": True})
    assert (await staff.expect_type("typing"))["sender_kind"] == "customer"

    await staff.send({"type": "message", "conversation_id": conversation_id,
                      "client_id": "r1", "text": "Let me check the chain for you."})
    assert (await staff.expect_type("ack"))["client_id"] == "r1"
    reply = await visitor.expect(lambda f: f["type"] == "message"
                                 and f["message"]["sender_kind"] == "agent")
    assert reply["message"]["text"] == "Let me check the chain for you."
    assert reply["message"]["sender_name"] == "Alice"

    await staff.send({"type": "message", "conversation_id": conversation_id,
                      "client_id": "n1", "text": "internal: VIP", "internal": True})
    await staff.expect_type("ack")
    leaked = [f for f in await visitor.quiet() if "internal: VIP" in json.dumps(f)]
    assert leaked == []
    await visitor.close()
    await staff.close()


def queue_frame(frame):  # type: ignore[no-untyped-def]
    """The queue state in a frame: a "queue" frame, or the "queue" of a resume/welcome."""
    if frame.get("type") == "queue":
        return frame
    if frame.get("type") in ("resume", "welcome"):
        return frame.get("queue")
    return None


async def test_queue_position_is_shown_and_moves(services, live_server, make_team, make_agent):
    team = await make_team()
    alice = await make_agent("Alice", teams=[team], capacity=1)
    first, _ = await customer(live_server.ws_url)
    await first.say("first in line")
    # the first message's queue state comes in the resume frame that follows the ack
    assert queue_frame(await first.expect(queue_frame))["position"] == 1
    second, _ = await customer(live_server.ws_url)
    await second.say("second in line")
    queue = await second.expect(lambda f: queue_frame(f) and queue_frame(f)["position"] == 2)
    queue = queue_frame(queue)
    assert queue["eta_s"] is None  # nobody online: no promise of a wait time

    from walletdesk.accounts.actions import set_presence
    from walletdesk.accounts.models import Presence

    await set_presence(services, alice.id, Presence.online)
    joined = await first.expect(lambda f: f["type"] == "message" and "joined" in
                                f["message"]["text"])
    assert joined["message"]["sender_kind"] == "system"
    moved = await second.expect(lambda f: f["type"] == "queue" and f["position"] == 1)
    assert moved["eta_s"] == services.settings.average_handle_s
    await first.close()
    await second.close()


@pytest.mark.parametrize("bad, code", [
    ("this is not json", "malformed"),
    ("[1, 2, 3]", "malformed"),
    ('{"text": "no type"}', "malformed"),
    ('{"type": "dance"}', "unknown_type"),
    ('{"type": "message", "text": 42}', "invalid"),
    ('{"type": "message", "text": "   "}', "invalid"),
])
async def test_bad_frames_get_an_error_and_the_socket_stays_usable(services, live_server,
                                                                    make_team, bad, code):
    await make_team()
    visitor, _ = await customer(live_server.ws_url)
    await visitor.send(bad)
    error = await visitor.expect_type("error")
    assert error["code"] == code and error["detail"]
    ack = await visitor.say("still works")
    assert ack["type"] == "ack"
    await visitor.close()


async def test_binary_and_oversize_frames(services, live_server, make_team):
    await make_team()
    visitor, _ = await customer(live_server.ws_url)
    await visitor.send(b"\x00\xff binary")
    assert (await visitor.expect_type("error"))["code"] == "malformed"
    await visitor.send({"type": "message", "client_id": "big",
                        "text": "x" * (services.settings.max_frame_bytes + 10)})
    assert (await visitor.expect_type("error"))["code"] == "too_large"
    too_long = await visitor.say("y" * (services.settings.max_message_chars + 1), "long")
    assert too_long["type"] == "error" and too_long["code"] == "invalid"
    assert (await visitor.say("after all that"))["type"] == "ack"
    async with services.read() as session:
        texts = (await session.scalars(select(Message.text))).all()
    assert not any(t.startswith("x" * 100) or t.startswith("y" * 100) for t in texts)
    await visitor.close()


async def test_a_resent_message_is_stored_once(services, live_server, make_team):
    await make_team()
    visitor, _ = await customer(live_server.ws_url)
    first = await visitor.say("only once please", client_id="same-id")
    again = await visitor.say("only once please", client_id="same-id")
    assert again["duplicate"] is True and again["message"]["seq"] == first["message"]["seq"]
    async with services.read() as session:
        count = await session.scalar(select(func.count()).select_from(Message).where(
            Message.client_id == "same-id"))
    assert count == 1
    await visitor.close()


async def test_reconnect_resumes_with_exactly_the_missed_messages(services, live_server,
                                                                   make_team, make_agent):
    team = await make_team()
    alice = await make_agent("Alice", teams=[team], online=True)
    visitor, welcome = await customer(live_server.ws_url)
    token = welcome["visitor_token"]
    ack = await visitor.say("hello")
    conversation_id = ack["conversation_id"]
    resume = await visitor.expect_type("resume")  # what happened before the socket knew us
    assert any("joined" in m["text"] for m in resume["messages"])
    seen = max(m["seq"] for m in resume["messages"])
    await visitor.close()

    from walletdesk.conversations.actions import send_message

    await send_message(services, alice, conversation_id, "reply while you were away")
    await send_message(services, alice, conversation_id, "and another")

    back, welcome = await customer(live_server.ws_url, token=token, last_seq=seen)
    assert welcome["conversation"]["id"] == conversation_id
    assert [m["text"] for m in welcome["messages"]] == ["reply while you were away",
                                                        "and another"]
    fresh, other = await customer(live_server.ws_url)  # a new visitor sees nothing of it
    assert other["conversation"] is None
    await back.close()
    await fresh.close()


async def test_agent_socket_rules(services, live_server, make_team, make_agent):
    team = await make_team()
    alice = await make_agent("Alice", teams=[team], online=True)
    with pytest.raises(websockets.exceptions.InvalidStatus):
        await websockets.connect(f"{live_server.ws_url}/ws/app")  # no session cookie
    staff = await agent(live_server.url, live_server.ws_url, alice.email)
    await staff.send({"type": "subscribe", "conversation_id": 987654, "last_seq": 0})
    assert (await staff.expect_type("error"))["code"] == "not_found"
    await staff.send({"type": "message", "conversation_id": 987654, "text": "hi"})
    assert (await staff.expect_type("error"))["code"] == "not_found"
    await staff.close()

    from tests.live.helpers import session_cookie

    cookie = await session_cookie(live_server.url, alice.email)
    with pytest.raises(websockets.exceptions.InvalidStatus):
        await websockets.connect(f"{live_server.ws_url}/ws/app", origin="https://evil.example",
                                 additional_headers={"Cookie": f"wd_session={cookie}"})


async def test_widget_must_say_hello_first(services, live_server):
    ws = await websockets.connect(f"{live_server.ws_url}/ws/widget")
    await ws.send(json.dumps({"type": "message", "text": "hi"}))
    frame = json.loads(await asyncio.wait_for(ws.recv(), 5))
    assert frame["type"] == "error" and frame["code"] == "hello_required"
    await ws.close()


async def test_a_message_comes_back_to_the_other_devices_not_as_a_second_copy(
        services, live_server, make_team, make_agent):
    """The hot path's message reaches the customer's other sockets as a ``message`` frame;
    the socket it came from has it in its ack only (one frame fewer per message)."""
    team = await make_team()
    alice = await make_agent("Alice", teams=[team], online=True)
    staff = await agent(live_server.url, live_server.ws_url, alice.email)
    await staff.send({"type": "inbox", "on": True})
    phone, welcome = await customer(live_server.ws_url)
    first = await phone.say("my deposit is missing")  # the full path: routed to Alice
    conversation_id = first["conversation_id"]
    await staff.expect(lambda f: f["type"] == "message" and f["conversation_id"] == conversation_id)
    laptop, again = await customer(live_server.ws_url, token=welcome["visitor_token"],
                                   last_seq=first["message"]["seq"])
    assert again["conversation"]["id"] == conversation_id

    ack = await phone.say("it was sent an hour ago")  # the phone's next message: hot path
    assert ack["type"] == "ack" and ack["message"]["text"] == "it was sent an hour ago"
    copy = await laptop.expect(lambda f: f["type"] == "message")
    assert copy["message"]["seq"] == ack["message"]["seq"]
    assert "origin" not in copy and "origin" not in copy["message"]
    seen = await staff.expect(lambda f: f["type"] == "message"
                              and f["message"]["seq"] == ack["message"]["seq"])
    assert "origin" not in seen
    echoed = [f for f in phone.frames + await phone.quiet()
              if f["type"] == "message" and f["message"]["seq"] == ack["message"]["seq"]]
    assert echoed == []
    async with services.read() as session:  # stored by the batch's statements as it was sent
        row = await session.scalar(select(Message).where(
            Message.conversation_id == conversation_id, Message.seq == ack["message"]["seq"]))
    assert row is not None and row.text == "it was sent an hour ago"
    assert row.sender_name == ack["message"]["sender_name"] and row.meta is None
    assert row.sender_kind == "customer" and not row.is_internal and row.client_id
    await phone.close()
    await laptop.close()
    await staff.close()
