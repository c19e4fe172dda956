"""Withdrawn access across two `walletdesk serve` processes sharing PostgreSQL and Redis
(issue 11): a role change made on one process closes the agent's workspace socket on the
other, and a conversation transferred out of the agent's teams on one process is dropped
from the agent's subscription on the other (nothing more of it arrives, not even a note)."""

import json
import uuid
from dataclasses import dataclass

import httpx
import pytest

from tests.conftest import PASSWORD
from tests.live.helpers import TwoServers
from tests.live.test_access_revocation import SLOW_MACHINE, WITHIN, closed_by_the_server, sign_in
from walletdesk.accounts.actions import create_agent, create_api_token, create_team
from walletdesk.accounts.models import Role
from walletdesk.conversations.actions import InboundMessage, assign_conversation, receive_message

pytestmark = pytest.mark.multiprocess


@dataclass
class Desk:
    url_a: str
    url_b: str
    token: str  # an admin's API token
    staff_id: int
    staff_email: str
    support_id: int
    vip_id: int
    conversation_id: int  # in Support's queue

    async def api(self, method: str, path: str, body: dict[str, object]) -> httpx.Response:
        """An admin's API call, always on process A."""
        async with httpx.AsyncClient(base_url=self.url_a, timeout=SLOW_MACHINE) as http:
            return await http.request(method, f"/api/v1{path}", json=body,
                                      headers={"authorization": f"Bearer {self.token}"})


@pytest.fixture
async def desk(two_servers: TwoServers) -> Desk:
    """This test's own admin, agent, teams and conversation on the shared servers' desk."""
    tag = uuid.uuid4().hex[:10]
    async with two_servers.services() as services:
        async with services.transaction() as session:
            support = await create_team(session, None, name=f"Support {tag}")
            vip = await create_team(session, None, name=f"VIP {tag}")
            admin = await create_agent(session, email=f"boss-{tag}@example.com",
                                       display_name="Boss", password=PASSWORD, role=Role.admin)
            staff = await create_agent(session, email=f"staff-{tag}@example.com",
                                       display_name="Staff", password=PASSWORD,
                                       team_ids=[support.id])
        _, token = await create_api_token(services, admin, "ops")
        delivered = await receive_message(services, InboundMessage(
            channel="api", external_id=f"c-more-{tag}", text="my transfer is stuck"))
        await assign_conversation(services, admin, delivered.conversation.id, team_id=support.id)
    return Desk(two_servers.url_a, two_servers.url_b, token, staff.id, staff.email, support.id,
                vip.id, delivered.conversation.id)


async def test_a_role_change_on_one_process_closes_the_socket_on_another(desk):
    on_b = await sign_in(desk.url_b, desk.staff_email)
    on_a = await sign_in(desk.url_a, desk.staff_email)
    response = await desk.api("PATCH", f"/agents/{desk.staff_id}", {"role": "outsourced"})
    assert response.status_code == 200, response.text
    assert (await closed_by_the_server(on_b.socket))[0] == 4403
    assert (await closed_by_the_server(on_a.socket))[0] == 4403
    # the session itself is still good: a new socket opens, with the new role
    again = await sign_in(desk.url_b, desk.staff_email)
    await again.socket.send({"type": "ping"})
    await again.socket.expect_type("pong")
    await again.socket.close()


async def test_a_transfer_out_of_the_agents_teams_drops_the_subscription_on_another_process(
        desk):
    on_b = await sign_in(desk.url_b, desk.staff_email)
    socket = on_b.socket
    await socket.send({"type": "subscribe", "conversation_id": desk.conversation_id})
    answer = await socket.expect(lambda f: f.get("type") in ("subscribed", "error"), SLOW_MACHINE)
    assert answer["type"] == "subscribed", answer
    before = await desk.api("POST", f"/conversations/{desk.conversation_id}/messages",
                            {"text": "Support note: checking the chain", "internal": True})
    assert before.status_code == 201, before.text
    await socket.expect(lambda f: "Support note" in json.dumps(f), SLOW_MACHINE)  # she sees it

    moved = await desk.api("POST", f"/conversations/{desk.conversation_id}/assign",
                           {"team_id": desk.vip_id})
    assert moved.status_code == 200, moved.text
    dropped = await socket.expect(lambda f: f.get("type") == "unsubscribed"
                                  and f.get("conversation_id") == desk.conversation_id, WITHIN)
    assert dropped["reason"] == "access"

    after = await desk.api("POST", f"/conversations/{desk.conversation_id}/messages",
                           {"text": "VIP only: refund approved", "internal": True})
    assert after.status_code == 201, after.text
    later = await socket.quiet(1.0)
    assert not any("VIP only" in json.dumps(f) for f in later)
    await socket.send({"type": "subscribe", "conversation_id": desk.conversation_id})
    assert (await socket.expect_type("error"))["code"] == "not_found"
    await socket.close()
