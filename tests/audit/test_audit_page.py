"""The audit log names people: an agent target read "agent agent #1" (its id, stored as text,
never matched a name, and the fallback repeated the word), and an agent no longer there reads
"former agent #n". SQLite and PostgreSQL."""

import re

from walletdesk.accounts.actions import update_agent
from walletdesk.accounts.models import Role
from walletdesk.audit.actions import record_audit


async def test_agents_are_named_once_and_a_removed_one_as_former(services, make_agent,
                                                                  make_team, sign_in) -> None:
    admin = await make_agent("Ada", role=Role.admin)
    mei = await make_agent("Mei Lin")
    team = await make_team("Night shift")
    await update_agent(services, admin, mei.id, {"capacity": 3})  # target: agent #mei (text)
    async with services.transaction() as session:  # an agent whose row is gone since
        record_audit(session, actor_agent_id=admin.id, action="agent.update",
                     target_type="agent", target_id=999999, detail={"agent_id": 999999})
        record_audit(session, actor_agent_id=admin.id, action="team.update",
                     target_type="team", target_id=team.id)
    page = (await (await sign_in(admin.email)).http.get("/admin/audit")).text
    cells = [re.sub(r"\s+", " ", cell).strip()
             for cell in re.findall(r"<td>(?:(?!</td>).)*</td>", page, flags=re.S)]
    assert "<td>Agent Mei Lin</td>" in cells
    assert "<td>former agent #999999</td>" in cells
    assert "<td>Team Night shift</td>" in cells
    assert "agent agent" not in page and f"agent #{mei.id}" not in page
    assert "<dd>former agent #999999</dd>" in page  # the detail's agent_id too
