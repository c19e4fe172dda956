"""The workspace names a conversation's status, its channel, a colleague's presence and a
hand-off reason from the server's one table (walletdesk.code_names), rendered into /app in the
agent's language; workspace.js keeps no English copies of them."""

import json
import re
from pathlib import Path

from walletdesk import code_names
from walletdesk.conversations.models import Status
from walletdesk.web import localization

SCRIPT = Path(localization.STATIC_DIR) / "workspace.js"


def page_json(html: str, element_id: str) -> object:
    found = re.search(rf'<script type="application/json" id="{element_id}">(.*?)</script>', html)
    assert found, element_id
    return json.loads(found.group(1))


def test_every_conversation_status_has_a_name() -> None:
    assert sorted(str(s) for s in Status if str(s) not in code_names.CONVERSATION_STATUSES) == []
    assert code_names.names("es", "conversation_status")["waiting_customer"] \
        == "esperando al cliente"


async def test_the_workspace_gets_the_names_in_the_agents_language(services, make_agent,
                                                                   sign_in):
    ana = await make_agent("Ana", languages=["es", "en"])
    agent = await sign_in(ana.email)
    changed = await agent.http.post("/app/interface-locale", data={
        "csrf_token": agent.csrf, "locale": "es"})
    assert changed.status_code == 303
    page = await agent.http.get("/app")
    names = page_json(page.text, "wd-code-names")
    assert isinstance(names, dict)
    assert names["conversation_status"]["assigned"] == "asignada"
    assert names["conversation_status"]["bot"] == "con el bot"
    assert names["conversation_channel"]["widget"] == "chat web"
    assert names["presence"]["online"] == "en línea"
    assert names["handoff_reason"]["asked_for_human"] \
        == code_names.code_name("es", "asked_for_human", "handoff_reason")
    assert set(names["conversation_status"]) == {str(s) for s in Status}
    # who I am, for the transfer's language warning (the transfer list leaves me out)
    assert page_json(page.text, "wd-me") == {"languages": ["es", "en"], "team_ids": []}

    english = await agent.http.get("/app", headers={"Accept-Language": "en"})
    assert "asignada" in english.text  # the agent's setting wins over the browser


def test_the_script_keeps_no_copy_of_the_names() -> None:
    script = SCRIPT.read_text(encoding="utf-8")
    for english in ("with the bot", "waiting for customer", "web chat", "scam report",
                    "the bot was not confident", "the customer asked for a person"):
        assert f'"{english}"' not in script, english
    messages = set(localization.script_messages("workspace.js"))
    assert "queued" not in messages and "web chat" not in messages
