"""Filters that cannot be used are said, never replaced by defaults (review): on /reports an
end before the start or a day that does not exist is a visible, translated message above the
form as typed (no report of another period); "from"/"to" are read as start/end, not ignored;
the report API answers the same filters with a 422 and its message; /staffing and its API
say that an unknown team does not exist (404) instead of showing every team."""

import re

import pytest

from walletdesk import i18n
from walletdesk.accounts.interface_locale import set_interface_locale
from walletdesk.accounts.models import Role


@pytest.fixture
async def lead(make_agent, sign_in):  # type: ignore[no-untyped-def]
    agent = await make_agent("Lin", role=Role.supervisor)
    return await sign_in(agent.email)


def field(page: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert match, name
    return match.group(1)


@pytest.mark.parametrize("query, problem", [
    ("start=2026-12-03&end=2026-01-01", "start must not be after end"),
    ("from=2026-12-03&to=2026-01-01", "start must not be after end"),
    ("from=2026-13-45&tz=Asia/Shanghai", "start must be a date as YYYY-MM-DD, not '2026-13-45'"),
])
async def test_the_page_says_what_is_wrong_and_keeps_the_filters(lead, query, problem):  # type: ignore[no-untyped-def]
    page = await lead.http.get(f"/reports?{query}")
    assert page.status_code == 422
    alert = re.search(r'<p class="error" role="alert">(.*?)</p>', page.text, re.S)
    assert alert and problem in alert.group(1).replace("&#39;", "'"), page.text[:2000]
    assert "Conversations started" not in page.text  # no other period's report
    assert 'data-panel="summary"' not in page.text
    typed = dict(part.split("=") for part in query.split("&"))
    assert field(page.text, "start") == typed.get("start", typed.get("from"))
    if "tz" in typed:
        assert field(page.text, "tz") == typed["tz"]


async def test_the_message_is_in_the_readers_language(services, make_agent, sign_in):  # type: ignore[no-untyped-def]
    agent = await make_agent("Lin", role=Role.supervisor)
    await set_interface_locale(services, agent.id, "zh-Hans")
    signed = await sign_in(agent.email)
    page = await signed.http.get("/reports?start=2026-12-03&end=2026-01-01")
    assert page.status_code == 422
    assert i18n.translations("zh-Hans").gettext("start must not be after end") in page.text


async def test_the_api_answers_the_same_filters_with_a_422(lead):  # type: ignore[no-untyped-def]
    for query, detail in (("from=2026-12-03&to=2026-01-01", "start must not be after end"),
                          ("start=2026-13-45", "start must be a date as YYYY-MM-DD"),
                          ("start=2026-01-01&from=2026-01-02", "give one of them")):
        answer = await lead.http.get(f"/api/v1/reports/summary?{query}")
        assert answer.status_code == 422, query
        assert detail in answer.json()["detail"] and answer.json()["code"] == "invalid"
    same = await lead.http.get("/api/v1/reports/summary?from=2026-01-01&to=2026-01-07")
    assert same.status_code == 200
    assert same.json()["period"]["start"] == "2026-01-01"
    assert same.json()["period"]["end"] == "2026-01-07"


async def test_an_unknown_team_is_not_all_teams(lead, make_team):  # type: ignore[no-untyped-def]
    team = await make_team()
    page = await lead.http.get("/staffing?team_id=999")
    assert page.status_code == 404
    assert "team 999 does not exist" in page.text and "No agents yet" not in page.text
    for path in ("/api/v1/staffing/plan", "/api/v1/staffing/shifts"):
        answer = await lead.http.get(f"{path}?team_id=999")
        assert answer.status_code == 404 and "team 999 does not exist" in answer.json()["detail"]
    assert (await lead.http.get(f"/staffing?team_id={team.id}")).status_code == 200


@pytest.mark.parametrize("query, problem", [
    ("team_id=99999", "team 99999 does not exist"),
    ("agent_id=99999", "agent not found"),
    ("label_id=99999", "label not found"),
])
async def test_an_unknown_team_agent_or_label_in_a_report_is_a_422(lead, make_team, query,  # type: ignore[no-untyped-def]
                                                                   problem):
    page = await lead.http.get(f"/reports?{query}")
    assert page.status_code == 422
    alert = re.search(r'<p class="error" role="alert">(.*?)</p>', page.text, re.S)
    assert alert and problem in alert.group(1), page.text[:2000]
    assert 'data-panel="summary"' not in page.text  # no report of "all teams"
    for path in ("/api/v1/reports/summary", "/api/v1/reports/export/summary",
                 "/reports/panels/summary"):
        answer = await lead.http.get(f"{path}?{query}")
        assert answer.status_code == 422, path
    detail = (await lead.http.get(f"/api/v1/reports/summary?{query}")).json()
    assert problem in detail["detail"] and detail["code"] == "invalid"
    team = await make_team()
    assert (await lead.http.get(f"/reports?team_id={team.id}")).status_code == 200
    assert (await lead.http.get(f"/api/v1/reports/summary?team_id={team.id}")).status_code == 200
