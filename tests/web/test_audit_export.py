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


async def test_customer_data_is_exported_and_erased_from_the_admin_pages(services, make_agent,
                                                                         sign_in):
    from walletdesk.conversations.actions import InboundMessage, receive_message
    from walletdesk.customers.models import Customer

    delivered = await receive_message(services, InboundMessage(
        channel="email", external_id="li@example.com", text="hello", customer_name="Li <b>",
        customer_email="li@example.com"))
    customer_id = delivered.conversation.customer_id
    lead = await sign_in((await make_agent("Lead", role=Role.supervisor)).email)
    admin = await sign_in((await make_agent("Ada", role=Role.admin)).email)
    page = await lead.http.get(f"/admin/customers/{customer_id}")
    assert page.status_code == 200 and "Li &lt;b&gt;" in page.text
    assert "Erase personal data" not in page.text  # erasing is for admins
    exported = await lead.http.get(f"/admin/customers/{customer_id}/export")
    assert exported.json()["customer"]["email"] == "li@example.com"
    refused = await lead.http.post(f"/admin/customers/{customer_id}/erase",
                                   data={"csrf_token": lead.csrf, "confirm": "on"})
    assert refused.status_code == 403
    erased = await admin.http.post(f"/admin/customers/{customer_id}/erase",
                                   data={"csrf_token": admin.csrf, "confirm": "on"})
    assert erased.status_code == 303
    async with services.read() as session:
        customer = await session.get(Customer, customer_id)
    assert customer is not None and customer.email is None and customer.erased_at is not None
    assert (await lead.http.get("/admin/customers/999999")).status_code == 404


async def test_odd_dates_are_handled_not_crashed_on(services, make_agent, sign_in):
    lead = await sign_in((await make_agent("Lead", role=Role.supervisor)).email)
    naive = await lead.http.get("/api/v1/audit?since=2000-01-01T00:00:00")  # no zone: UTC
    assert naive.status_code == 200
    far = await lead.http.get("/api/v1/followups?day=9999-12-31")
    assert far.status_code == 422 and "between 2000 and 2999" in far.text
    assert (await lead.http.get("/app/followups?day=0001-01-01")).status_code == 422
