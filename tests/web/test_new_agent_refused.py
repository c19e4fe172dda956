"""The administration page after a refused "New agent" form is the page itself (queues now,
satisfaction figures, teams, agents) with the refusal beside the form and what was typed
(never the password): not a thinner page with its figures gone (SQLite and PostgreSQL)."""

import html
import re

import pytest

from tests.cases.test_surveys import resolved
from walletdesk.accounts.models import Role
from walletdesk.cases.surveys import submit_rating

TABLES = re.compile(r"<table>.*?</table>", re.S)
HEADINGS = re.compile(r"<h2>(.*?)</h2>")


@pytest.fixture
async def desk(services, make_team, make_agent, sign_in):  # type: ignore[no-untyped-def]
    """A desk with a team, an agent rated 4 by a customer, and a signed-in admin."""
    alice, conversation, survey = await resolved(services, make_team, make_agent)
    await submit_rating(services, customer_id=conversation.customer_id, survey_id=survey.id,
                        rating=4)
    return await sign_in((await make_agent("Root", role=Role.admin)).email)


@pytest.mark.parametrize(("fields", "said"), [
    ({"email": "alice@example.com"}, "e-mail"),  # taken (by Alice)
    ({"capacity": "500"}, "capacity"),
    ({"role": "emperor"}, "role"),
])
async def test_a_refused_new_agent_shows_the_whole_page(desk, fields, said):
    normal = await desk.http.get("/admin")
    assert normal.status_code == 200 and "Queues now" in normal.text
    assert "4.0 / 5 (1)" in normal.text  # Alice's and her team's satisfaction
    form = {"csrf_token": desk.csrf, "display_name": "Bob <b>", "email": "bob@example.com",
            "password": "a-long-password-1", "role": "agent", "languages": "en, es",
            "capacity": "3", **fields}
    refused = await desk.http.post("/admin/agents", data=form)
    assert refused.status_code == 422
    assert HEADINGS.findall(refused.text) == HEADINGS.findall(normal.text)
    assert TABLES.findall(refused.text) == TABLES.findall(normal.text)  # every figure
    alerts = re.findall(r'<p class="error" role="alert">(.*?)</p>', refused.text, re.S)
    assert len(alerts) == 1 and said in html.unescape(alerts[0]).lower(), alerts
    stretch = refused.text.split('<details id="new-agent" open>', 1)[1].split("</form>", 1)[0]
    assert 'class="refusal"' in stretch
    assert 'value="Bob &lt;b&gt;"' in stretch and f'value="{form["email"]}"' in stretch
    assert 'value="en, es"' in stretch and f'value="{form["capacity"]}"' in stretch
    assert "a-long-password-1" not in refused.text


async def test_a_refused_new_team_shows_the_whole_page(desk):
    normal = await desk.http.get("/admin")
    refused = await desk.http.post("/admin/teams", data={  # no such time zone
        "csrf_token": desk.csrf, "name": "Night", "timezone": "Mars/Olympus"})
    assert refused.status_code == 422
    assert HEADINGS.findall(refused.text) == HEADINGS.findall(normal.text)
    assert TABLES.findall(refused.text) == TABLES.findall(normal.text)  # every figure
    assert "4.0 / 5 (1)" in refused.text
    assert 'value="Night"' in refused.text and "Mars/Olympus" in refused.text
