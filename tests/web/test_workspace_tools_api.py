"""/api/v1 endpoints of the workspace tools: snooze, bulk, preferences, mentions, customer edits."""

from datetime import timedelta

import pytest

from walletdesk.accounts.models import Role
from walletdesk.conversations.actions import InboundMessage, receive_message, send_message
from walletdesk.conversations.listeners import subscribe_workspace_listeners
from walletdesk.db.base import utcnow


@pytest.fixture
async def world(services, make_team, make_agent, sign_in):  # type: ignore[no-untyped-def]
    team_a = await make_team("Team A", is_default=True)
    team_b = await make_team("Team B")
    people = {
        "alice": await make_agent("Alice", teams=[team_a], online=True),
        "carl": await make_agent("Carl", teams=[team_a]),
        "olga": await make_agent("Olga", role=Role.outsourced, teams=[team_a]),
        "bob": await make_agent("Bob", teams=[team_b]),
        "sue": await make_agent("Sue", role=Role.supervisor),
    }
    clients = {}
    for name, agent in people.items():
        signed = await sign_in(agent.email)
        signed.http.headers["x-csrf-token"] = signed.csrf
        clients[name] = signed.http
    first = await receive_message(services, InboundMessage(
        channel="web", external_id="v1", text="where is my USDT", customer_name="Mei"))
    second = await receive_message(services, InboundMessage(
        channel="web", external_id="v2", text="fees too high", customer_name="Jun"))
    return people, clients, first.conversation, second.conversation


async def test_snooze_and_unsnooze_over_the_api(world):
    people, http, conversation, _ = world
    until = (utcnow() + timedelta(hours=4)).isoformat()
    snoozed = await http["alice"].post(f"/api/v1/conversations/{conversation.id}/snooze",
                                       json={"until": until})
    assert snoozed.status_code == 200, snoozed.text
    assert snoozed.json()["snoozed"] is True and snoozed.json()["snooze_due_at"]
    mine = await http["alice"].get("/api/v1/conversations?view=mine")
    assert conversation.id not in [c["id"] for c in mine.json()]
    listed = await http["alice"].get("/api/v1/conversations?view=snoozed")
    assert [c["id"] for c in listed.json()] == [conversation.id]

    back = await http["alice"].post(f"/api/v1/conversations/{conversation.id}/unsnooze")
    assert back.status_code == 200 and back.json()["snoozed"] is False


async def test_snooze_access_per_role_and_clear_errors(world):
    _, http, conversation, _ = world
    url = f"/api/v1/conversations/{conversation.id}/snooze"
    for who, status in (("carl", 403), ("olga", 403), ("bob", 404), ("alice", 200),
                        ("sue", 200)):
        response = await http[who].post(url, json={"until": None})
        assert response.status_code == status, (who, response.text)
        assert response.json()["snoozed"] is True if status == 200 else response.json()["detail"]
    for body in ({"until": "soon"}, {"until": "2020-01-01T00:00:00+00:00"},
                 {"until": "2030-01-01T00:00:00"}, {"for": 3}):
        response = await http["alice"].post(url, json=body)
        assert response.status_code == 422 and response.json()["detail"], body


async def test_bulk_assign_then_resolve(world):
    people, http, first, second = world
    assigned = await http["sue"].post("/api/v1/conversations/bulk", json={
        "action": "assign", "conversation_ids": [first.id, second.id],
        "params": {"agent_id": people["carl"].id}})
    assert assigned.status_code == 200, assigned.text
    assert assigned.json() == {"done": [first.id, second.id], "failed": []}
    carls = await http["carl"].get("/api/v1/conversations?view=mine")
    assert {c["id"] for c in carls.json()} == {first.id, second.id}

    foreign = await http["bob"].post("/api/v1/conversations/bulk", json={
        "action": "resolve", "conversation_ids": [first.id]})
    assert foreign.json()["failed"] == [{"conversation_id": first.id,
                                         "detail": "conversation not found"}]
    resolved = await http["carl"].post("/api/v1/conversations/bulk", json={
        "action": "resolve", "conversation_ids": [first.id, second.id]})
    assert resolved.json()["done"] == [first.id, second.id]


async def test_bad_bulk_requests_get_a_clear_422(world):
    _, http, _, _ = world
    for body in ({"action": "explode", "conversation_ids": [1]},
                 {"action": "resolve", "conversation_ids": []},
                 {"action": "resolve", "conversation_ids": list(range(1, 102))},
                 {"action": "assign", "conversation_ids": [1], "params": {}},
                 {"action": "resolve", "conversation_ids": [0]}):
        response = await http["alice"].post("/api/v1/conversations/bulk", json=body)
        assert response.status_code == 422, (body, response.text)
        assert response.json()["detail"]


async def test_preferences_are_each_agents_own(world):
    _, http, _, _ = world
    defaults = (await http["alice"].get("/api/v1/me/notification-preferences")).json()
    assert defaults["sound"] is True and defaults["desktop"] is False
    saved = await http["alice"].put("/api/v1/me/notification-preferences",
                                    json={"desktop": True, "on_offered": False})
    assert saved.status_code == 200 and saved.json()["desktop"] is True
    assert (await http["alice"].get("/api/v1/me/notification-preferences")).json() \
        == saved.json()
    assert (await http["carl"].get("/api/v1/me/notification-preferences")).json() == defaults
    bad = await http["alice"].put("/api/v1/me/notification-preferences", json={"volume": 3})
    assert bad.status_code == 422


async def test_mentions_are_listed_until_read(services, world):
    people, http, conversation, _ = world
    unsubscribe = subscribe_workspace_listeners(services)  # the lifespan's listeners
    try:
        await send_message(services, people["alice"], conversation.id,
                           "@Carl please double-check the address", internal=True)
    finally:
        unsubscribe()
    listed = (await http["carl"].get("/api/v1/me/mentions")).json()
    assert [m["conversation_id"] for m in listed] == [conversation.id]
    assert listed[0]["by"] == "Alice" and "double-check" in listed[0]["excerpt"]
    assert (await http["bob"].get("/api/v1/me/mentions")).json() == []
    marked = await http["carl"].post("/api/v1/me/mentions/read",
                                     json={"mention_ids": [listed[0]["id"]]})
    assert marked.json() == {"marked": 1}
    assert (await http["carl"].get("/api/v1/me/mentions")).json() == []


async def test_customer_edit_access_per_role(world):
    _, http, conversation, _ = world
    for who, status in (("alice", 200), ("carl", 200), ("sue", 200), ("olga", 403),
                        ("bob", 404)):
        response = await http[who].patch(f"/api/v1/customers/{conversation.customer_id}",
                                         json={"note": f"asked {who} about fees"})
        assert response.status_code == status, (who, response.text)
        if status == 200:
            assert response.json()["note"] == f"asked {who} about fees"
    seen = await http["olga"].get(f"/api/v1/customers/{conversation.customer_id}")
    assert seen.json()["customer"]["note"] == "***"


async def test_customer_edit_errors_are_clear(world):
    _, http, conversation, _ = world
    url = f"/api/v1/customers/{conversation.customer_id}"
    bad_email = await http["alice"].patch(url, json={"email": "nope"})
    assert bad_email.status_code == 422 and "e-mail" in bad_email.json()["detail"]
    unknown = await http["alice"].patch(url, json={"phone": "+1"})
    assert unknown.status_code == 422
    missing = await http["sue"].patch("/api/v1/customers/999999", json={"note": "x"})
    assert missing.status_code == 404


async def test_an_agent_sets_the_customers_language(world):
    _, http, conversation, _ = world
    url = f"/api/v1/customers/{conversation.customer_id}"
    chosen = await http["alice"].patch(url, json={"language": "zh-Hant"})
    assert chosen.status_code == 200 and chosen.json()["language"] == "zh-Hant"
    unknown = await http["alice"].patch(url, json={"language": "fr"})
    assert unknown.status_code == 422 and "language must be one of" in unknown.json()["detail"]
    assert (await http["olga"].patch(url, json={"language": "es"})).status_code == 403
    assert (await http["bob"].patch(url, json={"language": "es"})).status_code == 404


async def test_the_mention_picker_offers_only_agents_who_can_see_the_conversation(world):
    people, http, conversation, _ = world
    url = f"/api/v1/conversations/{conversation.id}/mentionable"
    offered = await http["alice"].get(url)
    assert offered.status_code == 200, offered.text
    names = [a["name"] for a in offered.json()]
    assert names == ["Carl", "Olga", "Sue"]  # not Bob (Team B only), not Alice herself
    assert (await http["bob"].get(url)).status_code == 404
    assert (await http["sue"].get(url)).status_code == 200
    assert (await http["alice"].get("/api/v1/conversations/999999/mentionable")).status_code \
        == 404
