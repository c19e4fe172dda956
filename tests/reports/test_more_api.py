"""The reports added in issue 13 over HTTP: JSON for every figure (read-scoped tokens too),
their CSV tables, the loyalty export streamed, the comments' filters, the page and OpenAPI."""

import csv
import io
import json

import pytest

from tests.reports.history import END, START, TZ, build_history
from tests.reports.pages import whole_page
from walletdesk.accounts.actions import create_api_token
from walletdesk.accounts.models import Role

PERIOD = {"start": START, "end": END, "tz": TZ}
FIGURES = {"complaints": "opened", "followups": "tasks", "points": "points",
           "first-contact": "first_contact_resolution_rate", "presence": "agents",
           "teams": "teams", "comments": "comments", "contact-reasons/trend": "series"}
TABLES = ("complaints-by-category", "complaint-stages", "compensation", "followups", "points",
          "first-contact", "presence", "team-csat", "comments-by-team", "contact-reason-trend")


@pytest.fixture
async def history(services, make_agent, make_team):  # type: ignore[no-untyped-def]
    return await build_history(services, make_agent, make_team)


async def test_every_figure_as_json_and_csv_with_a_read_token(services, history, client,
                                                              make_agent) -> None:  # type: ignore[no-untyped-def]
    lead = await make_agent("Lead", role=Role.supervisor)
    agent = await make_agent("Andy", role=Role.agent)
    _, token = await create_api_token(services, lead, "bi", "read")
    _, agent_token = await create_api_token(services, agent, "mine", "read")
    auth = {"Authorization": f"Bearer {token}"}
    for path, key in FIGURES.items():
        response = await client.get(f"/api/v1/reports/{path}", params=PERIOD, headers=auth)
        assert response.status_code == 200, (path, response.text)
        assert key in response.json(), path
        refused = await client.get(f"/api/v1/reports/{path}", params=PERIOD,
                                   headers={"Authorization": f"Bearer {agent_token}"})
        assert refused.status_code == 403, path
    first = (await client.get("/api/v1/reports/first-contact", params=PERIOD,
                              headers=auth)).json()
    # c1 and c3 resolved for good, c2 reopened (tests/reports/history.py)
    assert (first["ever_resolved"], first["reopened"], first["first_contact_resolved"]) == (
        3, 1, 2)
    teams = (await client.get("/api/v1/reports/teams", params=PERIOD, headers=auth)).json()
    assert [(t["team"], t["ratings"], t["csat"]) for t in teams["teams"]] == [
        ("Support", 2, 0.5)]
    trend = (await client.get("/api/v1/reports/contact-reasons/trend", params=PERIOD,
                              headers=auth)).json()
    assert trend["bucket"] == "day" and len(trend["buckets"]) == 7
    assert sum(sum(s["counts"]) for s in trend["series"]) == 5
    for table in TABLES:
        response = await client.get(f"/api/v1/reports/export/{table}", params=PERIOD,
                                    headers=auth)
        assert response.status_code == 200, table
        assert response.headers["content-type"].startswith("text/csv"), table
        assert response.text.count("\n") >= 1, table


async def test_comments_filter_and_the_loyalty_export(services, history, sign_in,
                                                      make_agent) -> None:  # type: ignore[no-untyped-def]
    http = (await sign_in((await make_agent("Sue", role=Role.supervisor)).email)).http
    low = (await http.get("/api/v1/reports/comments",
                          params={**PERIOD, "rating": [1, 2]})).json()
    assert (low["total"], [c["comment"] for c in low["comments"]]) == (1, ["=slow"])
    assert low["comments"][0]["team"] == "Support"
    words = (await http.get("/api/v1/reports/comments", params={**PERIOD, "q": "GREAT"})).json()
    assert [c["rating"] for c in words["comments"]] == [5]
    assert (await http.get("/api/v1/reports/comments",
                           params={**PERIOD, "rating": 6})).status_code == 422

    # surveys of the history were answered without points: credit two of them
    from sqlalchemy import update

    from walletdesk.cases.models import Survey
    async with services.transaction() as session:
        await session.execute(update(Survey).where(Survey.rating >= 4).values(points=10))
    points = (await http.get("/api/v1/reports/points", params=PERIOD)).json()
    assert (points["credits"], points["points"]) == (1, 10)  # the other is before the period
    exported = await http.get("/api/v1/reports/points/credits", params=PERIOD)
    assert exported.headers["content-type"].startswith("text/csv")
    assert "attachment" in exported.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert [(r["points"], r["reason"]) for r in rows] == [("10", "csat_survey")]
    assert rows[0]["credit_id"].startswith("survey:")
    lines = (await http.get("/api/v1/reports/points/credits",
                            params={**PERIOD, "format": "jsonl"})).text.splitlines()
    assert [json.loads(line)["credit_id"] for line in lines] == [rows[0]["credit_id"]]

    page = await whole_page(http, {**PERIOD, "rating": 2})  # the page and its panels
    for marker in ('id="h-complaints"', 'id="h-followups"', 'id="h-points"',
                   'data-figure="first_contact_resolution_rate"', 'class="presence-time"',
                   'class="team-csat"', 'data-export="loyalty"'):
        assert marker in page, marker
    assert "No complaints were opened in this period." in page
    assert "Great help" not in page and "=slow" in page

    await the_new_api_is_described_in_openapi(http)


async def the_new_api_is_described_in_openapi(client) -> None:  # type: ignore[no-untyped-def]
    schema = (await client.get("/openapi.json")).json()
    for path, model in (("/api/v1/reports/complaints", "ComplaintsReport"),
                        ("/api/v1/reports/followups", "FollowUpsReport"),
                        ("/api/v1/reports/points", "PointsReport"),
                        ("/api/v1/reports/first-contact", "FirstContact"),
                        ("/api/v1/reports/presence", "PresenceReport"),
                        ("/api/v1/reports/teams", "TeamSatisfaction"),
                        ("/api/v1/reports/comments", "Comments"),
                        ("/api/v1/reports/contact-reasons/trend", "ReasonTrend")):
        response = schema["paths"][path]["get"]["responses"]["200"]
        assert response["content"]["application/json"]["schema"]["$ref"].endswith(model), path
    for path in ("/api/v1/conversations/export", "/api/v1/messages/export",
                 "/api/v1/reports/points/credits"):
        assert "text/csv" in schema["paths"][path]["get"]["responses"]["200"]["content"]
    listing = schema["paths"]["/api/v1/conversations"]["get"]
    assert "cursor" in {p["name"] for p in listing["parameters"]}
    assert "X-Next-Cursor" in listing["responses"]["200"]["headers"]
