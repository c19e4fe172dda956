"""Cursor pages and streamed bulk exports of conversations and messages (docs/api.md): every
row once, in (created_at, id) order, with the same filters; managers only for the exports."""

import csv
import io
import json
from datetime import UTC, datetime

from sqlalchemy import select, text

from tests.reports.history import build_history
from walletdesk.accounts.models import Role
from walletdesk.conversations.models import Conversation
from walletdesk.customers.models import Customer


async def test_cursor_pages_and_exports(services, make_agent, make_team, sign_in) -> None:  # type: ignore[no-untyped-def]
    history = await build_history(services, make_agent, make_team)
    elsewhere = await make_team("Escalations")
    async with services.transaction() as session:  # a conversation the agent below may not see
        hidden = Conversation(customer_id=(await session.scalars(select(Customer.id))).first(),
                              channel="widget", team_id=elsewhere.id,
                              created_at=datetime(2026, 3, 3, tzinfo=UTC))
        session.add(hidden)
        await session.flush()
        hidden_id = hidden.id
    async with services.read() as session:
        expected = [r[0] for r in (await session.execute(text(
            "SELECT id FROM conversations ORDER BY created_at, id"))).all()]
        messages = [r[0] for r in (await session.execute(text(
            "SELECT id FROM messages ORDER BY created_at, id"))).all()]
        email_messages = [r[0] for r in (await session.execute(text(
            "SELECT m.id FROM messages m JOIN conversations c ON c.id = m.conversation_id"
            " WHERE c.channel = 'email' ORDER BY m.created_at, m.id"))).all()]
    http = (await sign_in((await make_agent("Sue", role=Role.supervisor)).email)).http

    seen, cursor, pages = [], "", 0
    while cursor is not None:
        response = await http.get("/api/v1/conversations", params={"cursor": cursor, "limit": 3})
        assert response.status_code == 200
        seen += [c["id"] for c in response.json()]
        cursor = response.headers.get("x-next-cursor")
        pages += 1
    assert seen == expected and pages == 3  # 3 + 3 + 2
    filtered = await http.get("/api/v1/conversations",
                              params={"cursor": "", "channel": "widget",
                                      "since": "2026-03-01T00:00:00Z"})
    assert [c["channel"] for c in filtered.json()] == ["widget"] * 5  # c1, c3, c4, c6, hidden
    bad = await http.get("/api/v1/conversations", params={"cursor": "not-ours"})
    assert bad.status_code == 422 and "cursor" in bad.text
    inbox = await http.get("/api/v1/conversations", params={"view": "all"})
    assert "x-next-cursor" not in inbox.headers  # the inbox as before

    first = await http.get("/api/v1/messages", params={"limit": 10})
    rest = await http.get("/api/v1/messages",
                          params={"limit": 10, "cursor": first.headers["x-next-cursor"]})
    assert [m["id"] for m in first.json() + rest.json()] == messages[:20]

    exported = await http.get("/api/v1/conversations/export")
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert [int(r["id"]) for r in rows] == expected
    assert rows[0]["created_at"].endswith("+00:00")
    lines = (await http.get("/api/v1/messages/export",
                            params={"format": "jsonl", "channel": "email"})).text.splitlines()
    assert [json.loads(line)["id"] for line in lines] == email_messages
    assert {json.loads(line)["conversation_id"] for line in lines} == {history.ids["c2"]}

    agent = (await sign_in((await make_agent("Andy", role=Role.agent,
                                             teams=[history.team])).email)).http
    assert (await agent.get("/api/v1/conversations/export")).status_code == 403
    assert (await agent.get("/api/v1/messages")).status_code == 403
    mine = await agent.get("/api/v1/conversations", params={"cursor": ""})
    assert {c["id"] for c in mine.json()} == set(expected) - {hidden_id}
    assert hidden_id in expected  # the manager's pages had it
