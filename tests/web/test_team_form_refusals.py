"""The team settings form (/admin/teams/{id}): a refused time zone, holiday, day's hours or
name comes back as typed, with the refusal next to that field (not the team's old values,
and not only above the form). Supervisors and admins alike; SQLite and PostgreSQL."""

import html
import re
from typing import Any

import pytest

from walletdesk.accounts.models import Role

ALERT = re.compile(r'<p class="error" role="alert">(.*?)</p>', re.S)
REFUSAL = '<div class="refusal" tabindex="-1" autofocus>'


def between(text: str, start: str, end: str) -> str:
    assert text.count(start) == 1, start
    after = text.split(start, 1)[1]
    return after[:after.index(end)]


def beside(page: Any, field_start: str) -> str:
    """The page from a field's opening tag to the next field's label (or the form's end)."""
    after = page.text.split(field_start, 1)[1]
    ends = [i for i in (after.find("<label"), after.find("</form>"), after.find("<fieldset"))
            if i >= 0]
    return after[:min(ends)]


@pytest.fixture(params=[Role.supervisor, Role.admin])
async def manager(request, make_agent, sign_in):  # type: ignore[no-untyped-def]
    return await sign_in((await make_agent("Lead", role=request.param)).email)


async def post(manager, team_id: int, **fields: str) -> Any:  # type: ignore[no-untyped-def]
    form = {"csrf_token": manager.csrf, "name": "Support", "timezone": "Europe/Madrid",
            "hours_mon": "09:00-18:00", "holidays": "2026-12-25"}
    form.update(fields)
    return await manager.http.post(f"/admin/teams/{team_id}", data=form)


def refused_once(page: Any, said: str) -> None:
    assert page.status_code == 422, page.text[:500]
    alerts = [html.unescape(text) for text in ALERT.findall(page.text)]
    assert len(alerts) == 1 and said in alerts[0], alerts
    assert page.text.count(REFUSAL) == 1


async def test_a_refused_time_zone_is_kept_with_its_refusal_beside_it(make_team, manager):  # type: ignore[no-untyped-def]
    team = await make_team("Support", timezone="Africa/Nairobi")
    page = await post(manager, team.id, timezone="Mars/Olympus", holidays="2026-12-24")
    refused_once(page, "unknown time zone 'Mars/Olympus'")
    here = beside(page, '<input name="timezone"')
    assert here.startswith(' value="Mars/Olympus" aria-invalid="true">'), here[:80]
    assert REFUSAL in here
    assert ">2026-12-24</textarea>" in page.text  # the other fields as typed too
    assert "Africa/Nairobi" not in page.text  # not the team's old zone


async def test_a_refused_holiday_is_kept_with_its_refusal_beside_it(make_team, manager):  # type: ignore[no-untyped-def]
    team = await make_team("Support", holidays=["2026-01-01"])
    page = await post(manager, team.id, holidays="2026-12-25, 2026-13-45",
                      timezone="America/Bogota")
    refused_once(page, "bad holiday date '2026-13-45'")
    area = between(page.text, '<textarea name="holidays"', "</form>")
    assert 'aria-invalid="true">2026-12-25, 2026-13-45</textarea>' in area
    assert REFUSAL in area
    assert 'value="America/Bogota"' in beside(page, '<input name="timezone"')
    assert REFUSAL not in beside(page, '<input name="timezone"')
    assert "2026-01-01" not in page.text


async def test_a_refused_days_hours_are_kept_with_the_refusal_beside_that_day(make_team,  # type: ignore[no-untyped-def]
                                                                              manager):
    team = await make_team("Support")
    page = await post(manager, team.id, hours_wed="09:00-25:00", hours_fri="10:00-16:00")
    refused_once(page, "25:00")
    here = beside(page, '<input name="hours_wed"')
    assert 'value="09:00-25:00"' in here and REFUSAL in here
    assert REFUSAL not in beside(page, '<input name="hours_mon"')
    assert 'value="10:00-16:00"' in beside(page, '<input name="hours_fri"')


async def test_a_taken_name_is_refused_beside_the_name(make_team, manager):  # type: ignore[no-untyped-def]
    team = await make_team("Support")
    await make_team("Night")
    page = await post(manager, team.id, name="Night", timezone="UTC")
    refused_once(page, "already exists")
    here = beside(page, '<input name="name"')
    assert 'value="Night"' in here and REFUSAL in here


async def test_a_blank_name_is_refused_beside_the_name_after_the_other_fields(make_team,  # type: ignore[no-untyped-def]
                                                                              manager):
    team = await make_team("Support")
    page = await post(manager, team.id, name="  ", timezone="Mars/Olympus")
    refused_once(page, "unknown time zone")  # the desk checks the time zone first
    assert REFUSAL in beside(page, '<input name="timezone"')
    page = await post(manager, team.id, name="  ")
    refused_once(page, "a team name is required")
    assert REFUSAL in beside(page, '<input name="name"')
