"""An alert reaches the supervisors: by e-mail through the real SMTP relay of tests/email and
by webhook to a local HTTP receiver that checks the HMAC signature, retried after a failure;
shown in the workspace's badge and on the admin page, where it is acknowledged. Both engines."""

import hashlib
import hmac
import json
from datetime import timedelta

from sqlalchemy import select, update
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests.conftest import serving
from tests.incidents.conftest import run_jobs
from tests.incidents.history import MONDAY, build_weeks, spike, write_contacts
from walletdesk.accounts.models import Role
from walletdesk.db.base import utcnow
from walletdesk.incidents.alerts import ALERT_MAIL_JOB, ALERT_WEBHOOK_JOB
from walletdesk.incidents.detector import run_spike_detection
from walletdesk.incidents.models import AlertStatus, SpikeAlert
from walletdesk.jobs.models import Job, JobStatus

SECRET = "webhook-secret-for-tests"


class Receiver:
    """The operator's endpoint: answers 503 first, then records what it accepts."""

    def __init__(self) -> None:
        self.calls = 0
        self.accepted: list[tuple[dict[str, str], bytes]] = []

    async def hook(self, request: Request) -> Response:
        self.calls += 1
        body = await request.body()
        if self.calls == 1:
            return Response(status_code=503)
        self.accepted.append((dict(request.headers), body))
        return Response(status_code=204)


async def test_alert_by_mail_webhook_workspace_and_admin_page(services, mail_desk, make_agent,
                                                              sign_in):
    receiver = Receiver()
    app = Starlette(routes=[Route("/hook", receiver.hook, methods=["POST"])])
    lead = await make_agent("Lead", role=Role.supervisor)
    await make_agent("Agent", role=Role.agent)
    async with serving(app) as hook_server:
        services.settings = services.settings.model_copy(update={
            "spike_webhook_url": f"{hook_server.url}/hook", "spike_webhook_secret": SECRET})
        await build_weeks(services, weeks=2)
        start = MONDAY + timedelta(hours=9, minutes=5)
        await write_contacts(services, spike(start, minutes=5, per_minute=4), seed=3)
        async with services.transaction() as session:
            alert = await run_spike_detection(session, services.settings,
                                              start + timedelta(minutes=5, seconds=20))
        assert alert is not None
        kinds = await run_jobs(services)
        assert sorted(kinds) == [ALERT_MAIL_JOB, ALERT_WEBHOOK_JOB]  # to the supervisor only
        assert receiver.calls == 1 and receiver.accepted == []  # 503: retried later
        async with services.transaction() as session:
            job = await session.scalar(select(Job).where(Job.kind == ALERT_WEBHOOK_JOB))
            assert job.status == JobStatus.pending and job.attempts == 1
            await session.execute(update(Job).where(Job.id == job.id).values(due_at=utcnow()))
        assert await run_jobs(services) == [ALERT_WEBHOOK_JOB]
    [(headers, body)] = receiver.accepted
    timestamp = headers["x-walletdesk-timestamp"]
    expected = hmac.new(SECRET.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    assert headers["x-walletdesk-signature"] == "sha256=" + expected.hexdigest()
    payload = json.loads(body)
    assert payload["type"] == "spike_alert" and payload["alert"]["id"] == alert.id
    keys = {(s["kind"], s["key"]) for s in payload["alert"]["signals"]}
    assert ("term", "tron") in keys
    assert payload["alert"]["samples"] and all("TRC20" in s["text"] or "TRON" in s["text"]
                                               or "USDT" in s["text"]
                                               for s in payload["alert"]["samples"])
    [mail] = mail_desk.relay.received
    assert mail["To"] == lead.email and "TRON (TRC20)" in mail["Subject"]
    text = mail.get_body(("plain",)).get_content()
    assert "/admin/incidents#alert-" in text and "USDT" in text

    # the workspace badge and the admin page, then acknowledged
    signed = await sign_in(lead.email)
    assert (await signed.http.get("/admin/incidents/badge")).json() == {
        "open": 1, "text": "⚠ 1 incident alert"}  # the number's plural form
    page = await signed.http.get("/admin/incidents")
    assert f'id="alert-{alert.id}"' in page.text and "TRON (TRC20)" in page.text
    assert f"/admin/incidents/announcements/{alert.announcement_id}" in page.text
    workspace = await signed.http.get("/app")
    assert 'id="spike-alerts"' in workspace.text and "/static/spike_alerts.js" in workspace.text
    done = await signed.http.post(f"/admin/incidents/alerts/{alert.id}",
                                  data={"csrf_token": signed.csrf, "status": "acknowledged"})
    assert done.status_code == 303
    assert (await signed.http.get("/admin/incidents/badge")).json()["open"] == 0
    async with services.read() as session:
        assert (await session.get(SpikeAlert, alert.id)).status == AlertStatus.acknowledged
    api = await signed.http.get("/api/v1/spike-alerts?status=acknowledged")
    assert [a["id"] for a in api.json()] == [alert.id]
    assert api.json()[0]["samples"][0]["text"]


async def test_the_admin_pages_create_publish_and_advance(services, client, make_agent,
                                                          sign_in):
    lead = await sign_in((await make_agent("Lead", role=Role.supervisor)).email)
    form = {"csrf_token": lead.csrf, "title_en": "Solana deposits paused <b>now</b>",
            "body_en": "Deposits on Solana are paused for an upgrade.",
            "title_es": "Depósitos en Solana en pausa", "severity": "maintenance",
            "affected": ["solana", "deposit"], "published": "on"}
    created = await lead.http.post("/admin/incidents/announcements", data=form)
    assert created.status_code == 303
    url = created.headers["location"]
    page = await lead.http.get(url)
    assert "Solana deposits paused" in page.text
    refused = await lead.http.post("/admin/incidents/announcements",
                                   data={**form, "affected": ["dogecoin"]})
    assert refused.status_code == 422 and "dogecoin" in refused.text
    advanced = await lead.http.post(f"{url}/status", data={
        "csrf_token": lead.csrf, "status": "monitoring", "note_es": "Reanudados."})
    assert advanced.status_code == 303
    status = await client.get("/status?lang=es")
    assert "Depósitos en Solana en pausa" in status.text and "Reanudados." in status.text
    english = await client.get("/status?lang=en")
    assert "Solana deposits paused &lt;b&gt;now&lt;/b&gt;" in english.text  # text, not HTML
    assert "<b>now</b>" not in english.text
    await lead.http.post(url, data={**form, "published": ""})  # taken back: a draft again
    assert "Depósitos en Solana" not in (await client.get("/status?lang=es")).text
