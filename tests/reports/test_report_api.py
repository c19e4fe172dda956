"""The reports over HTTP: the JSON endpoints, read-scoped API tokens, CSV exports, the page and
clear errors for bad filters (tests/web/test_access.py checks every role on every route)."""

import csv
import io

import pytest

from tests.reports.history import END, START, TZ, build_history
from tests.reports.pages import whole_page
from walletdesk.accounts.actions import create_api_token
from walletdesk.accounts.models import Role

PERIOD = {"start": START, "end": END, "tz": TZ}


@pytest.fixture
async def history(services, make_agent, make_team):  # type: ignore[no-untyped-def]
    return await build_history(services, make_agent, make_team)


@pytest.fixture
async def supervisor(make_agent, sign_in):  # type: ignore[no-untyped-def]
    return await sign_in((await make_agent("Sue", role=Role.supervisor)).email)


async def test_json_endpoints_give_the_figures(history, supervisor) -> None:  # type: ignore[no-untyped-def]
    http = supervisor.http
    summary = (await http.get("/api/v1/reports/summary", params=PERIOD)).json()
    figures = {f["key"]: f for f in summary["figures"]}
    assert (figures["conversations"]["current"], figures["conversations"]["previous"]) == (5, 1)
    assert summary["previous_period"] == {"start": "2026-02-23", "end": "2026-03-01",
                                          "timezone": TZ}
    volume = (await http.get("/api/v1/reports/volume", params=PERIOD)).json()
    assert (volume["conversations"], volume["messages"]) == (5, 14)
    speed = (await http.get("/api/v1/reports/speed", params=PERIOD)).json()
    assert speed["first_response"]["median_s"] == 1800
    outcome = (await http.get("/api/v1/reports/outcome", params=PERIOD)).json()
    assert (outcome["reopened"], outcome["bot_contained"]) == (1, 1)
    satisfaction = (await http.get("/api/v1/reports/satisfaction",
                                   params={**PERIOD, "max_rating": 2})).json()
    assert [c["comment"] for c in satisfaction["comments"]] == ["=slow"]
    agents = (await http.get("/api/v1/reports/agents", params=PERIOD)).json()
    assert [a["agent"] for a in agents["agents"]] == ["Alice", "Bob"]
    reasons = (await http.get("/api/v1/reports/contact-reasons",
                              params={**PERIOD, "channel": "email"})).json()
    assert [(r["reason"], r["count"]) for r in reasons["reasons"]] == [("vip", 1)]
    product = (await http.get("/api/v1/reports/contact-reasons/product-team",
                              params=PERIOD)).json()
    assert product[1] == {"reason": "fees", "source": "bot", "count": 1,
                          "samples": ["What are the fees?"],
                          "links": [f"/app#{history.ids['c3']}"]}


async def test_read_scoped_tokens_of_managers_only(services, history, client, make_agent) -> None:  # type: ignore[no-untyped-def]
    lead = await make_agent("Lead", role=Role.admin)
    agent = await make_agent("Andy", role=Role.agent)
    _, lead_token = await create_api_token(services, lead, "bi", "read")
    _, agent_token = await create_api_token(services, agent, "mine", "read")
    ok = await client.get("/api/v1/reports/volume", params=PERIOD,
                          headers={"Authorization": f"Bearer {lead_token}"})
    assert ok.status_code == 200 and ok.json()["conversations"] == 5
    refused = await client.get("/api/v1/reports/volume", params=PERIOD,
                               headers={"Authorization": f"Bearer {agent_token}"})
    assert refused.status_code == 403
    csv_by_token = await client.get("/api/v1/reports/export/agents", params=PERIOD,
                                    headers={"Authorization": f"Bearer {lead_token}"})
    assert csv_by_token.status_code == 200


async def test_csv_exports(history, supervisor) -> None:  # type: ignore[no-untyped-def]
    http = supervisor.http
    comments = await http.get("/api/v1/reports/export/comments", params=PERIOD)
    assert comments.status_code == 200
    assert comments.headers["content-type"].startswith("text/csv")
    assert 'filename="walletdesk-comments-2026-03-02-2026-03-08.csv"' in \
        comments.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(comments.text)))
    assert rows[0][:3] == ["conversation_id", "rating", "comment"]
    # a comment a spreadsheet would run as a formula is written as text
    assert [(r[1], r[2]) for r in rows[1:]] == [("2", "'=slow"), ("5", "great")]
    by_day = list(csv.reader(io.StringIO(
        (await http.get("/api/v1/reports/export/volume-by-day", params=PERIOD)).text)))
    assert by_day[1] == ["2026-03-02", "2", "5"] and len(by_day) == 8
    product = list(csv.DictReader(io.StringIO(
        (await http.get("/api/v1/reports/export/product-team", params=PERIOD)).text)))
    assert [(p["reason"], p["conversations"]) for p in product] == [
        ("", "2"), ("fees", "1"), ("transfer", "1"), ("vip", "1")]
    assert product[3]["sample_messages"] == "Fee too high?"
    assert product[3]["links"] == f"/app#{history.ids['c2']}"
    for table in ("summary", "volume-by-hour", "volume-by-channel", "volume-by-category",
                  "volume-by-language", "speed", "handoff-reasons", "ratings", "agents",
                  "contact-reasons"):
        response = await http.get(f"/api/v1/reports/export/{table}", params=PERIOD)
        assert response.status_code == 200 and response.text.count("\n") >= 2, table
    assert (await http.get("/api/v1/reports/export/nothing", params=PERIOD)).status_code == 422


@pytest.mark.parametrize("params, message", [
    ({"start": "yesterday"}, "start must be a date"),
    ({"tz": "Nowhere/Land"}, "unknown time zone"),
    ({"start": "2026-03-09", "end": "2026-03-01"}, "start must not be after end"),
])
async def test_bad_filters_get_a_clear_422(supervisor, params, message) -> None:  # type: ignore[no-untyped-def]
    response = await supervisor.http.get("/api/v1/reports/summary", params=params)
    assert response.status_code == 422
    assert message in response.json()["detail"]
    page = await supervisor.http.get("/reports", params=params)
    assert page.status_code == 422
    assert "text/html" in page.headers["content-type"] and message in page.text


async def test_ids_from_a_form(history, supervisor) -> None:  # type: ignore[no-untyped-def]
    """A browser's form sends "" for "all"; a bad id is a clear 422."""
    http = supervisor.http
    every = await http.get("/api/v1/reports/volume",
                           params={**PERIOD, "team_id": "", "agent_id": "", "label_id": ""})
    assert every.status_code == 200 and every.json()["conversations"] == 5
    one = await http.get("/api/v1/reports/volume", params={**PERIOD, "label_id": history.vip.id})
    assert one.json()["conversations"] == 1
    for bad in ("x", "-1", "0", "99999999999"):
        response = await http.get("/api/v1/reports/volume", params={"team_id": bad})
        assert response.status_code == 422, bad
        assert "team_id must be a positive id" in response.text


async def test_the_page_shows_the_figures_escaped(services, history, supervisor) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import update

    from walletdesk.cases.models import Survey
    async with services.transaction() as session:
        await session.execute(update(Survey).where(Survey.rating == 5)
                              .values(comment="<script>alert(1)</script>"))
    page = await whole_page(supervisor.http, PERIOD)  # the page and its panels
    assert 'data-figure="conversations"' in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)" not in page  # not in the table, not in the JSON either
    assert 'href="/api/v1/reports/export/product-team?start=2026-03-02' in page
    assert '<a href="/reports">' in page  # the navigation link


async def test_the_api_is_described_in_openapi(client) -> None:  # type: ignore[no-untyped-def]
    schema = (await client.get("/openapi.json")).json()
    summary = schema["paths"]["/api/v1/reports/summary"]["get"]
    assert summary["responses"]["200"]["content"]["application/json"]["schema"]["$ref"] \
        .endswith("/Summary")
    assert {"start", "end", "tz", "label_id"} <= {p["name"] for p in summary["parameters"]}
    assert "/reports" not in schema["paths"]
    assert "text/csv" in schema["paths"]["/api/v1/reports/export/{table}"]["get"][
        "responses"]["200"]["content"]
