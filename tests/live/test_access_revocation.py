"""Withdrawn access reaches live sockets (issue 11): deactivation, a role or team change, a
logout (plain or everywhere) close the agent's workspace socket, and a conversation
transferred out of the agent's teams is dropped from their subscriptions, pushed at once (no
polling), in this process and, over Redis, in another. Anonymous widget floods are cut off."""

import asyncio
import json
import re
import uuid
from typing import Any, NamedTuple

import httpx
import pytest
import websockets
from sqlalchemy import func, select, update
from websockets.exceptions import ConnectionClosed

from tests.conftest import PASSWORD, serving
from tests.live.helpers import Client, TwoServers, customer
from walletdesk.accounts.actions import create_agent, create_api_token, update_agent
from walletdesk.accounts.models import AgentSession, Role
from walletdesk.conversations.actions import InboundMessage, assign_conversation, receive_message
from walletdesk.conversations.models import Message, SenderKind
from walletdesk.services import Services
from walletdesk.web.app import create_app

# How long a test waits for a revocation to reach a socket before it fails as hung. It is a
# bound for a stuck test, not a measurement: the server pushes the revocation at once (no
# polling), so a loaded machine only delays it; durations are never asserted in tests.
WITHIN = 30.0
SLOW_MACHINE = 30  # seconds for a sign-in on a shared, loaded machine (not what is tested)


class Signed:
    """A browser session: its cookie, CSRF token and workspace socket."""

    def __init__(self, base_url: str, cookie: str, csrf: str, socket: Client) -> None:
        self.base_url = base_url
        self.cookie = cookie
        self.csrf = csrf
        self.socket = socket

    async def post(self, path: str, data: dict[str, str]) -> httpx.Response:
        async with httpx.AsyncClient(base_url=self.base_url, cookies={"wd_session": self.cookie},
                                     timeout=SLOW_MACHINE) as http:
            return await http.post(path, data={"csrf_token": self.csrf, **data})


async def sign_in(base_url: str, email: str) -> Signed:
    """A browser session on ``base_url``: cookie, CSRF token and an open workspace socket."""
    async with httpx.AsyncClient(base_url=base_url, timeout=SLOW_MACHINE) as http:
        response = await http.post("/login", data={"email": email, "password": PASSWORD})
        assert response.status_code == 303, response.text
        cookie = response.cookies["wd_session"]
        page = await http.get("/app")
        csrf = re.search(r'data-csrf="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    ws_url = base_url.replace("http", "ws")
    ws = await websockets.connect(f"{ws_url}/ws/app",
                                  additional_headers={"Cookie": f"wd_session={cookie}"},
                                  open_timeout=SLOW_MACHINE)
    socket = Client(ws)
    await socket.expect(lambda f: f.get("type") == "welcome", SLOW_MACHINE)
    return Signed(base_url, cookie, csrf, socket)


async def closed_by_the_server(client: Client) -> tuple[int | None, str | None]:
    """Read until the server closes the socket (a hung test fails after WITHIN seconds)."""
    async def wait() -> tuple[int | None, str | None]:
        try:
            while True:
                client.frames.append(json.loads(await client.ws.recv()))
        except ConnectionClosed:
            return client.ws.close_code, client.ws.close_reason
    return await asyncio.wait_for(wait(), WITHIN)


async def still_open(client: Client) -> bool:
    await client.send({"type": "ping"})
    await client.expect_type("pong")
    return True


async def conversation_in(services: Services, boss: Any, team_id: int, who: str) -> int:
    delivered = await receive_message(services, InboundMessage(
        channel="api", external_id=who, text="my transfer is stuck"))
    await assign_conversation(services, boss, delivered.conversation.id, team_id=team_id)
    return delivered.conversation.id


async def test_deactivation_closes_the_socket_and_stops_the_notes(services, live_server,
                                                                  make_team, make_agent):
    team = await make_team("Support")
    boss = await make_agent("Boss", role=Role.admin)
    leaver = await make_agent("Leaver", teams=[team])
    conversation_id = await conversation_in(services, boss, team.id, "c1")
    signed = await sign_in(live_server.url, leaver.email)
    await signed.socket.send({"type": "subscribe", "conversation_id": conversation_id})
    await signed.socket.expect_type("subscribed")

    await update_agent(services, boss, leaver.id, {"is_active": False})
    code, reason = await closed_by_the_server(signed.socket)
    assert code == 4401 and reason == "account deactivated"
    # and the socket cannot be opened again
    with pytest.raises(websockets.InvalidStatus):
        await websockets.connect(f"{live_server.ws_url}/ws/app",
                                 additional_headers={"Cookie": f"wd_session={signed.cookie}"})


async def test_a_role_or_team_change_makes_the_socket_reconnect(services, live_server,
                                                                make_team, make_agent):
    team, other = await make_team("Support"), await make_team("VIP")
    boss = await make_agent("Boss", role=Role.admin)
    agent = await make_agent("Alice", teams=[team])
    signed = await sign_in(live_server.url, agent.email)
    await update_agent(services, boss, agent.id, {"role": Role.outsourced})
    assert (await closed_by_the_server(signed.socket))[0] == 4403

    again = await sign_in(live_server.url, agent.email)  # the session is still good
    await update_agent(services, boss, agent.id, {"team_ids": [other.id]})
    assert (await closed_by_the_server(again.socket))[0] == 4403
    # a change that gives and takes nothing leaves sockets alone
    third = await sign_in(live_server.url, agent.email)
    await update_agent(services, boss, agent.id, {"capacity": 3})
    assert await still_open(third.socket)
    await third.socket.close()


async def test_logout_closes_that_sessions_socket_and_everywhere_closes_all(
        services, live_server, make_agent):
    agent = await make_agent("Alice")
    laptop = await sign_in(live_server.url, agent.email)
    phone = await sign_in(live_server.url, agent.email)
    response = await laptop.post("/logout", {})
    assert response.status_code == 303
    code, _ = await closed_by_the_server(laptop.socket)
    assert code == 4401
    assert await still_open(phone.socket)

    tablet = await sign_in(live_server.url, agent.email)
    await phone.post("/logout", {"everywhere": "true"})
    assert (await closed_by_the_server(phone.socket))[0] == 4401
    assert (await closed_by_the_server(tablet.socket))[0] == 4401


async def test_a_conversation_transferred_away_is_dropped_from_the_subscription(
        services, live_server, make_team, make_agent):
    support, vip = await make_team("Support"), await make_team("VIP")
    boss = await make_agent("Boss", role=Role.supervisor)
    agent = await make_agent("Alice", teams=[support])
    conversation_id = await conversation_in(services, boss, support.id, "c2")
    signed = await sign_in(live_server.url, agent.email)
    await signed.socket.send({"type": "subscribe", "conversation_id": conversation_id})
    await signed.socket.expect_type("subscribed")

    await assign_conversation(services, boss, conversation_id, team_id=vip.id)
    # she learns where it went (her screen says so), then gets nothing more of it
    moved = await asyncio.wait_for(signed.socket.expect(
        lambda f: f.get("type") == "conversation" and f["conversation"]["id"] == conversation_id),
        WITHIN)
    assert moved["conversation"]["team_id"] == vip.id
    dropped = await asyncio.wait_for(signed.socket.expect_type(
        "unsubscribed", conversation_id=conversation_id), WITHIN)
    assert dropped["reason"] == "access"
    from walletdesk.conversations.actions import send_message
    await send_message(services, boss, conversation_id, "VIP only: refund approved",
                       internal=True)
    later = await signed.socket.quiet(0.5)
    assert not any("VIP only" in json.dumps(f) for f in later)
    await signed.socket.send({"type": "subscribe", "conversation_id": conversation_id})
    assert (await signed.socket.expect_type("error"))["code"] == "not_found"


async def test_a_session_revoked_behind_the_hubs_back_is_caught_at_the_next_frame(
        services, live_server, make_agent):
    agent = await make_agent("Alice")
    signed = await sign_in(live_server.url, agent.email)
    async with services.transaction() as session:  # no event: as if it had been lost
        await session.execute(update(AgentSession).values(revoked_at=func.now()))
    await signed.socket.send({"type": "subscribe", "conversation_id": 1})
    assert (await closed_by_the_server(signed.socket))[0] == 4401


async def test_an_anonymous_flood_is_cut_off_with_an_error_frame(services):
    services.settings.widget_messages_per_min = 5
    async with serving(create_app(services.settings, services)) as server:
        visitor, _ = await customer(server.ws_url)
        answers = [await visitor.say(f"spam {i}") for i in range(12)]
    kinds = [a["type"] for a in answers]
    assert kinds == ["ack"] * 5 + ["error"] * 7
    assert {a["code"] for a in answers[5:]} == {"rate_limited"}
    async with services.read() as session:
        stored = await session.scalar(select(func.count()).select_from(Message).where(
            Message.sender_kind == SenderKind.customer))
    assert stored == 5


# --- across processes -------------------------------------------------------------------------


class StaffAndToken(NamedTuple):
    staff_id: int
    staff_email: str
    token: str  # an admin's API token


@pytest.fixture
async def staff_and_admin_token(two_servers: TwoServers) -> StaffAndToken:
    """This test's own agent and admin (with an API token) on the shared servers' desk."""
    tag = uuid.uuid4().hex[:10]
    async with two_servers.services() as services:
        async with services.transaction() as session:
            admin = await create_agent(session, email=f"boss-{tag}@example.com",
                                       display_name="Boss", password=PASSWORD, role=Role.admin)
            staff = await create_agent(session, email=f"staff-{tag}@example.com",
                                       display_name="Staff", password=PASSWORD)
        _, token = await create_api_token(services, admin, "ops")
    return StaffAndToken(staff.id, staff.email, token)


@pytest.mark.multiprocess
async def test_deactivation_on_one_process_closes_the_socket_on_another(
        two_servers, staff_and_admin_token):
    url_a, url_b = two_servers.url_a, two_servers.url_b
    staff_id, email, token = staff_and_admin_token
    signed = await sign_in(url_b, email)
    second = await sign_in(url_a, email)
    async with httpx.AsyncClient(base_url=url_a, timeout=SLOW_MACHINE) as http:
        response = await http.patch(f"/api/v1/agents/{staff_id}", json={"is_active": False},
                                    headers={"authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    assert (await closed_by_the_server(signed.socket))[0] == 4401
    assert (await closed_by_the_server(second.socket))[0] == 4401


@pytest.mark.multiprocess
async def test_logout_everywhere_reaches_the_other_process(two_servers, staff_and_admin_token):
    url_a, url_b = two_servers.url_a, two_servers.url_b
    signed = await sign_in(url_b, staff_and_admin_token.staff_email)
    other = await sign_in(url_a, staff_and_admin_token.staff_email)
    await other.post("/logout", {"everywhere": "true"})
    assert (await closed_by_the_server(signed.socket))[0] == 4401
    assert (await closed_by_the_server(other.socket))[0] == 4401
