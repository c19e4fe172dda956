"""Withdrawn access across two `walletdesk serve` processes sharing PostgreSQL and Redis
(issue 11): a role change made on one process closes the agent's workspace socket on the
other, and a conversation transferred out of the agent's teams on one process is dropped
from the agent's subscription on the other (nothing more of it arrives, not even a note)."""

import json
import os
import re
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest
import websockets

from tests.conftest import PASSWORD, create_pg_database, drop_pg_database, free_port, make_settings
from tests.live.helpers import Client, stop_servers, wait_healthy
from tests.live.test_access_revocation import WITHIN, Signed, closed_by_the_server
from tests.live.test_two_servers import REDIS_URL
from walletdesk.accounts.actions import create_agent, create_api_token, create_team
from walletdesk.accounts.models import Role
from walletdesk.conversations.actions import InboundMessage, assign_conversation, receive_message
from walletdesk.db.engine import Database
from walletdesk.db.migrate import upgrade_database
from walletdesk.services import Services

pytestmark = [pytest.mark.multiprocess, pytest.mark.xdist_group("redis-event-channel")]
# the servers' key: the conversation written here holds personal data they must decrypt
SECRET_KEY = "multi-process-test-secret-" + "y" * 20
SLOW_MACHINE = 30  # seconds for a sign-in on a shared, loaded machine (not what is tested)



async def sign_in(base_url: str, email: str) -> Signed:
    """A browser session on ``base_url``: cookie, CSRF token and an open workspace socket."""
    async with httpx.AsyncClient(base_url=base_url, timeout=SLOW_MACHINE) as http:
        response = await http.post("/login", data={"email": email, "password": PASSWORD})
        assert response.status_code == 303, response.text
        cookie = response.cookies["wd_session"]
        page = await http.get("/app")
        csrf = re.search(r'data-csrf="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    ws = await websockets.connect(f"{base_url.replace('http', 'ws')}/ws/app",
                                  additional_headers={"Cookie": f"wd_session={cookie}"},
                                  open_timeout=SLOW_MACHINE)
    socket = Client(ws)
    await socket.expect(lambda f: f.get("type") == "welcome", SLOW_MACHINE)
    return Signed(base_url, cookie, csrf, socket)


@dataclass
class Desk:
    url_a: str
    url_b: str
    token: str  # an admin's API token
    staff_id: int
    support_id: int
    vip_id: int
    conversation_id: int  # in Support's queue

    async def api(self, method: str, path: str, body: dict[str, object]) -> httpx.Response:
        """An admin's API call, always on process A."""
        async with httpx.AsyncClient(base_url=self.url_a, timeout=SLOW_MACHINE) as http:
            return await http.request(method, f"/api/v1{path}", json=body,
                                      headers={"authorization": f"Bearer {self.token}"})


@pytest.fixture
async def desk() -> AsyncIterator[Desk]:
    name = f"wd_revoke_more_{uuid.uuid4().hex[:10]}"
    database_url = await create_pg_database(name)
    processes: list[subprocess.Popen[bytes]] = []
    try:
        database = Database(database_url)
        await upgrade_database(database.engine)
        await database.dispose()
        services = Services(make_settings(database_url, secret_key=SECRET_KEY))
        async with services.transaction() as session:
            support = await create_team(session, None, name="Support")
            vip = await create_team(session, None, name="VIP")
            admin = await create_agent(session, email="boss@example.com", display_name="Boss",
                                       password=PASSWORD, role=Role.admin)
            staff = await create_agent(session, email="staff@example.com", display_name="Staff",
                                       password=PASSWORD, team_ids=[support.id])
        _, token = await create_api_token(services, admin, "ops")
        delivered = await receive_message(services, InboundMessage(
            channel="api", external_id="c-more", text="my transfer is stuck"))
        await assign_conversation(services, admin, delivered.conversation.id, team_id=support.id)
        await services.stop()
        urls = []
        for _ in range(2):
            port = free_port()
            env = {**os.environ, "WALLETDESK_DATABASE_URL": database_url,
                   "WALLETDESK_REDIS_URL": REDIS_URL, "WALLETDESK_PORT": str(port),
                   "WALLETDESK_SECRET_KEY": SECRET_KEY,
                   "WALLETDESK_LOG_LEVEL": "WARNING"}
            processes.append(subprocess.Popen([sys.executable, "-m", "walletdesk.cli", "serve"],
                                              env=env))
            urls.append(f"http://127.0.0.1:{port}")
        for url, process in zip(urls, processes, strict=True):
            await wait_healthy(url, process, seconds=180)
        yield Desk(urls[0], urls[1], token, staff.id, support.id, vip.id,
                   delivered.conversation.id)
    finally:
        stop_servers(processes)
        await drop_pg_database(name)


async def test_a_role_change_on_one_process_closes_the_socket_on_another(desk):
    on_b = await sign_in(desk.url_b, "staff@example.com")
    on_a = await sign_in(desk.url_a, "staff@example.com")
    response = await desk.api("PATCH", f"/agents/{desk.staff_id}", {"role": "outsourced"})
    assert response.status_code == 200, response.text
    assert (await closed_by_the_server(on_b.socket))[0] == 4403
    assert (await closed_by_the_server(on_a.socket))[0] == 4403
    # the session itself is still good: a new socket opens, with the new role
    again = await sign_in(desk.url_b, "staff@example.com")
    await again.socket.send({"type": "ping"})
    await again.socket.expect_type("pong")
    await again.socket.close()


async def test_a_transfer_out_of_the_agents_teams_drops_the_subscription_on_another_process(
        desk):
    on_b = await sign_in(desk.url_b, "staff@example.com")
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
