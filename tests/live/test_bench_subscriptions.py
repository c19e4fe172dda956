"""The chat benchmark's set-up: each agent's subscriptions are answered one after the other,
and a socket that closes under them is reported at once instead of waited for (issue 14: a
socket closed by the keepalive mid-set-up used to leave the bench waiting 600 s)."""

import asyncio

import pytest

from tests.live.helpers import customer, session_cookie
from walletdesk.bench.chat import Rig, _agent_reader, _agent_socket, _subscribe


async def _conversations(ws_url: str, count: int) -> list[int]:
    ids = []
    for number in range(count):
        visitor, _ = await customer(ws_url)
        await visitor.send({"type": "message", "client_id": f"c{number}",
                            "text": f"bench set-up customer {number}"})
        # a shared machine may take a while to route it: bounded, not timed
        ack = await visitor.expect(lambda f: f.get("type") == "ack", timeout=120)
        ids.append(int(ack["conversation_id"]))
        await visitor.close()
    return ids


async def test_an_agents_subscriptions_are_answered_in_turn(services, live_server, make_team,
                                                              make_agent):
    team = await make_team()
    alice = await make_agent("Alice", teams=[team], online=True)
    conversation_ids = await _conversations(live_server.ws_url, 3)
    cookie = await session_cookie(live_server.url, alice.email)
    agent_id, ws = await _agent_socket(live_server.url, cookie)
    assert agent_id == alice.id
    answers: asyncio.Queue = asyncio.Queue()
    rig = Rig(config=None, database_url="", urls=[live_server.url], processes=[])
    reader = asyncio.create_task(_agent_reader(ws, rig, answers))
    try:
        await asyncio.wait_for(_subscribe(ws, conversation_ids, answers), 30)
        assert answers.empty()  # one answer per subscription, each taken in turn
    finally:
        await ws.close()
        await reader


async def test_a_closed_agent_socket_fails_the_set_up_at_once(services, live_server, make_team,
                                                               make_agent):
    team = await make_team()
    alice = await make_agent("Alice", teams=[team], online=True)
    conversation_ids = await _conversations(live_server.ws_url, 2)
    cookie = await session_cookie(live_server.url, alice.email)
    _, ws = await _agent_socket(live_server.url, cookie)
    answers: asyncio.Queue = asyncio.Queue()
    rig = Rig(config=None, database_url="", urls=[live_server.url], processes=[])
    reader = asyncio.create_task(_agent_reader(ws, rig, answers))
    await ws.close(1011, "keepalive ping timeout")  # as the keepalive closes it under load
    await reader
    # the subscription's answer can no longer come: said at once, not after the 600 s wait
    with pytest.raises(Exception, match="closed"):
        await asyncio.wait_for(_subscribe(ws, conversation_ids, answers), 30)
