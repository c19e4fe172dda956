"""GET /api/v1/conversations/{id}/customer-context: what the side panel shows — the operator's
answer and the device report for agents who may see the conversation, masked for outsourced
agents, "unavailable" / "unverified" as clear states, refreshed on request, audited.
Both engines."""

import pytest
from sqlalchemy import select

from tests.customer_context.operator_server import configure, operator_endpoint
from walletdesk.accounts.models import Role
from walletdesk.audit.models import AuditEvent
from walletdesk.conversations.actions import InboundMessage, receive_message
from walletdesk.conversations.models import Conversation
from walletdesk.customer_context import operator as context_module
from walletdesk.customer_context.device import parse_device_context, record_device_context
from walletdesk.customers.models import Customer

ETH = "0x52908400098527886E0F7030069857D2E4169EE7"
HASH = "0x9fd2c1b7a3e4f5061728394a5b6c7d8e9f00112233445566778899aabbccddee"


@pytest.fixture
async def operator(services):  # type: ignore[no-untyped-def]
    context_module.clear_cache()
    async with operator_endpoint() as state:
        configure(services.settings, state, device_context_fields=[
            "app_version", "os", "platform", "language", "wallet_addresses"])
        yield state
    context_module.clear_cache()


async def _conversation(services, team, *, verified: bool = True) -> int:  # type: ignore[no-untyped-def]
    delivered = await receive_message(services, InboundMessage(
        channel="web", external_id="visitor-ctx", text="hello",
        verified_user_id="user-42" if verified else None))
    conversation_id = delivered.conversation.id
    async with services.transaction() as session:  # in this team's queue
        conversation = await session.get(Conversation, conversation_id)
        assert conversation is not None
        conversation.team_id = team.id
    await record_device_context(services, conversation_id, parse_device_context(
        services.settings, {"app_version": "3.2.1", "os": "Android 14", "platform": "android",
                            "wallet_addresses": [{"chain": "ethereum", "address": ETH}]}))
    return conversation_id


async def test_agents_see_the_context_outsourced_agents_see_it_masked(
        services, operator, make_team, make_agent, sign_in):
    team = await make_team()
    alice = await make_agent("Alice", teams=[team])
    olivia = await make_agent("Olivia", role=Role.outsourced, teams=[team])
    conversation_id = await _conversation(services, team)
    path = f"/api/v1/conversations/{conversation_id}/customer-context"

    full = (await (await sign_in(alice.email)).http.get(path)).json()
    assert full["masked"] is False
    op = full["operator"]
    assert (op["state"], op["account_level"], op["points"], op["app_version"]) == (
        "ok", "Gold", 1200, "3.2.1")
    assert op["recent_transactions"][0] == {
        "id": "wd-981", "type": "withdrawal", "amount": "250.00", "asset": "USDT",
        "status": "completed", "at": "2026-11-28T09:15:00Z", "hash": HASH}
    assert {"name": "kyc_status", "value": "passed"} in op["fields"]
    assert full["device"]["wallet_addresses"] == [{"chain": "ethereum", "address": ETH}]
    assert (full["device"]["os"], full["device"]["platform"]) == ("Android 14", "android")
    assert operator.requests[-1]["user_id"] == "user-42"

    masked = (await (await sign_in(olivia.email)).http.get(path)).json()
    assert masked["masked"] is True
    text = str(masked)
    assert ETH not in text and HASH not in text and "250.00" not in text
    assert "passed" not in text and "wd-981" not in text
    assert masked["device"]["wallet_addresses"] == [{"chain": "ethereum", "address": "0x52***E7"}]
    tx = masked["operator"]["recent_transactions"][0]
    assert (tx["type"], tx["asset"], tx["status"], tx["amount"]) == (
        "withdrawal", "USDT", "completed", "***")
    assert tx["hash"] == "0x9f***ee"
    assert masked["operator"]["account_level"] == "Gold"  # an account fact, not an identifier
    assert masked["device"]["app_version"] == "3.2.1"

    async with services.read() as session:
        views = (await session.scalars(select(AuditEvent).where(
            AuditEvent.action == "customer.context_view"))).all()
    assert [v.actor_agent_id for v in views] == [alice.id]  # unmasked views only


async def test_unavailable_and_unverified_are_clear_states_and_refresh_asks_again(
        services, operator, make_team, make_agent, sign_in):
    team = await make_team()
    alice = await sign_in((await make_agent("Alice", teams=[team])).email)
    conversation_id = await _conversation(services, team)
    path = f"/api/v1/conversations/{conversation_id}/customer-context"

    operator.mode, operator.status = "status", 503
    down = (await alice.http.get(path)).json()
    assert down["operator"] == {"state": "unavailable", "reason": "http_503", "cached": False,
                                "fetched_at": down["operator"]["fetched_at"]}
    assert down["device"]["app_version"] == "3.2.1"  # the device report is still shown
    operator.mode = "ok"
    context_module.clear_cache()  # the failure's few seconds have passed
    up = (await alice.http.get(path)).json()
    assert up["operator"]["state"] == "ok"
    operator.answer = {**operator.answer, "account_level": "Platinum"}
    assert (await alice.http.get(path)).json()["operator"]["account_level"] == "Gold"  # cached
    context_module._cache.entries.clear()  # as if the minimum refresh interval had passed
    refreshed = (await alice.http.get(path, params={"refresh": "true"})).json()
    assert refreshed["operator"]["account_level"] == "Platinum"

    anonymous = await receive_message(services, InboundMessage(
        channel="web", external_id="visitor-anon", text="hi"))
    body = (await alice.http.get(
        f"/api/v1/conversations/{anonymous.conversation.id}/customer-context")).json()
    assert body["operator"]["state"] == "unverified" and body["device"] is None
    assert all(r["user_id"] == "user-42" for r in operator.requests)


async def test_email_verified_customers_are_asked_about_by_their_email(
        services, operator, make_team, make_agent, sign_in):
    from walletdesk.db.base import utcnow

    team = await make_team()
    alice = await sign_in((await make_agent("Alice", teams=[team])).email)
    conversation_id = await _conversation(services, team, verified=False)
    async with services.transaction() as session:
        customer = (await session.scalars(select(Customer))).one()
        customer.email, customer.email_verified_at = "li.wei@example.com", utcnow()
    body = (await alice.http.get(
        f"/api/v1/conversations/{conversation_id}/customer-context")).json()
    assert body["operator"]["state"] == "ok"
    assert operator.requests[-1] == {"user_id": None, "email": "li.wei@example.com",
                                     "verified_by": "email"}


async def test_only_agents_who_see_the_conversation_get_its_context(
        services, operator, make_team, make_agent, sign_in, client):
    team, other = await make_team("Support"), await make_team("VIP desk")
    outsider = await sign_in((await make_agent("Bob", teams=[other])).email)
    conversation_id = await _conversation(services, team)
    path = f"/api/v1/conversations/{conversation_id}/customer-context"
    assert (await outsider.http.get(path)).status_code == 404
    assert (await client.get(path)).status_code == 401
    assert operator.requests == []  # nobody outside asked the operator anything
