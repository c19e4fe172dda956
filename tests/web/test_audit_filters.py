"""The audit page narrowed to one agent and/or one action (query parameters, empty for all);
a bad actor or action is refused with a 422 page, and what the page shows is escaped."""

import pytest

from tests.conftest import make_agent_in
from walletdesk.accounts.models import Role
from walletdesk.audit.actions import record_audit


async def _events(services):  # type: ignore[no-untyped-def]
    ada = await make_agent_in(services, "Ada", role=Role.admin)
    sam = await make_agent_in(services, "Sam", role=Role.agent)
    async with services.transaction() as session:
        record_audit(session, actor_agent_id=ada.id, action="bot.config", target_type="bot",
                     target_id=1, detail={"enabled": True})
        record_audit(session, actor_agent_id=ada.id, action="team.create", target_type="team",
                     target_id=7, detail={"name": "<b>Ada's team</b>"})
        record_audit(session, actor_agent_id=sam.id, action="bot.config", target_type="bot",
                     target_id=1, detail={"enabled": False})
    return ada, sam


def _rows(page: str) -> list[str]:
    return page.split('<td data-action="')[1:]


async def test_the_audit_log_filters_by_actor_and_action(services, sign_in) -> None:
    ada, sam = await _events(services)
    signed = await sign_in(ada.email)
    every = await signed.http.get("/admin/audit")
    assert every.status_code == 200 and len(_rows(every.text)) >= 3
    assert "&lt;b&gt;Ada" in every.text and "<b>Ada" not in every.text

    by_action = await signed.http.get("/admin/audit", params={"action": "bot.config"})
    assert [r.split('"')[0] for r in _rows(by_action.text)] == ["bot.config", "bot.config"]
    assert '<option value="bot.config" selected>' in by_action.text

    both = await signed.http.get("/admin/audit", params={"actor": str(sam.id),
                                                         "action": "bot.config"})
    assert len(_rows(both.text)) == 1 and f'<option value="{sam.id}" selected>' in both.text
    by_actor = await signed.http.get("/admin/audit", params={"actor": str(ada.id), "action": ""})
    actions = [r.split('"')[0] for r in _rows(by_actor.text)]  # Ada's sign-in is hers too
    assert actions.count("bot.config") == 1 and "team.create" in actions
    assert by_actor.text.count('<td class="actor">Ada</td>') == len(actions)
    assert '<td class="actor">Sam</td>' not in by_actor.text


@pytest.mark.parametrize("params", [
    {"actor": "abc"}, {"actor": "-1"}, {"actor": "0"}, {"actor": "99999"},
    {"actor": "1" * 13}, {"action": "nope"}, {"action": "<script>alert(1)</script>"},
])
async def test_a_bad_filter_is_refused_with_a_422_page(services, sign_in, params) -> None:
    ada, _sam = await _events(services)
    signed = await sign_in(ada.email)
    page = await signed.http.get("/admin/audit", params=params)
    assert page.status_code == 422 and page.headers["content-type"].startswith("text/html")
    assert "<script>alert" not in page.text


async def test_agents_may_not_read_the_audit_log(services, sign_in) -> None:
    _ada, sam = await _events(services)
    signed = await sign_in(sam.email)
    page = await signed.http.get("/admin/audit", params={"action": "bot.config"})
    assert page.status_code == 403
