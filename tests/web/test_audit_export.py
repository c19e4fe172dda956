"""The audit log can be exported (CSV, JSON lines, API); exporting is audited too."""

import csv
import io
import json

from walletdesk.accounts.models import Role


async def test_managers_export_the_audit_log(services, make_agent, sign_in):
    lead = await make_agent("Lead", role=Role.supervisor)
    signed = await sign_in(lead.email)
    made = await signed.http.post("/api/v1/teams", headers={"x-csrf-token": signed.csrf},
                                  json={"name": "Night <shift>"})
    assert made.status_code == 201
    exported = await signed.http.get("/admin/audit/export?format=csv")
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    assert "attachment" in exported.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    [team_row] = [r for r in rows if r["action"] == "team.create"]
    assert (team_row["target_type"], team_row["target_id"]) == ("team", str(made.json()["id"]))
    assert team_row["actor_agent_id"] == str(lead.id)
    lines = (await signed.http.get("/admin/audit/export?format=json")).text.splitlines()
    assert any(json.loads(line)["action"] == "audit.export" for line in lines)  # the first one
    api = (await signed.http.get("/api/v1/audit?since=2000-01-01T00:00:00Z")).json()
    assert [e["action"] for e in api["events"]].count("audit.export") == 2
    future = (await signed.http.get("/api/v1/audit?since=2999-01-01T00:00:00Z")).json()
    assert future["events"] == []
    assert (await signed.http.get("/admin/audit/export?format=xml")).status_code == 422
