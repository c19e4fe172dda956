"""Frames that used to drop the socket without a word (issue 11 §3): deeply nested JSON and
lone surrogates get an error frame, and the same socket goes on working."""

import json

from tests.live.helpers import agent, customer


def _deep(depth: int) -> str:
    return '{"type": "message", "text": "hi", "extra": ' + "[" * depth + "]" * depth + "}"


async def test_widget_socket_answers_bad_frames_and_stays_open(services, live_server,
                                                               make_team):
    await make_team()
    visitor, _ = await customer(live_server.ws_url)
    try:
        for depth in (100, 5000):
            await visitor.send(_deep(depth))
            error = await visitor.expect_type("error")
            assert error["code"] in ("invalid", "malformed") and "deep" in error["detail"]
        # a JSON escape makes a lone surrogate: valid JSON, but text no database can store
        await visitor.send('{"type": "message", "client_id": "s1", "text": "bad \\ud800 text"}')
        error = await visitor.expect_type("error", client_id="s1")
        assert "surrogate" in error["detail"]
        await visitor.send(json.dumps({"type": "message", "client_id": "c0",
                                       "text": "nul \u0000 inside"}))
        assert "NUL" in (await visitor.expect_type("error", client_id="c0"))["detail"]
        ack = await visitor.say("still here")  # the same socket, still working
        assert ack["type"] == "ack" and ack["message"]["text"] == "still here"
    finally:
        await visitor.close()


async def test_agent_socket_answers_bad_frames_and_stays_open(services, live_server,
                                                              make_agent):
    alice = await make_agent("Alice")
    staff = await agent(live_server.url, live_server.ws_url, alice.email)
    try:
        await staff.send(_deep(5000))
        assert (await staff.expect_type("error"))["code"] == "malformed"
        await staff.send('{"type": "typing", "conversation_id": 1, "x": "\\udfff"}')
        assert "surrogate" in (await staff.expect_type("error"))["detail"]
        await staff.send({"type": "ping"})
        await staff.expect_type("pong")
    finally:
        await staff.close()
