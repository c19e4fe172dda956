"""A refused admin or supervisor form comes back with what was typed (escaped), its refusal
beside the form (not only at the top of a long page), and never a typed password.

Each test posts one form that the desk refuses and reads the answer: the refusal is said once,
inside the stretch of the page that holds that form, and the form holds the typed values.
(The canned-reply form: tests/macros/test_canned_reply_form.py.)
"""

import html
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from tests.outreach.helpers import widget_customer
from walletdesk.accounts.models import Role
from walletdesk.conversations.actions import InboundMessage, assign_conversation, receive_message
from walletdesk.followups.models import FollowUpProgramme
from walletdesk.web.forms import NO_DRAFT, typed

TRICKY = 'Night <b>shift</b> & "co"'  # typed text that must come back escaped
TRICKY_HTML = "Night &lt;b&gt;shift&lt;/b&gt; &amp; &#34;co&#34;"
ALERT = re.compile(r'<p class="error" role="alert">(.*?)</p>', re.S)


def refused_form(page: Any, start: str, said: str, status: int = 422) -> str:
    """The answer's stretch from ``start`` (the form's heading, or its opening) to the end of
    the form after it, checked to hold the page's one refusal, which says ``said``."""
    assert page.status_code == status, page.text[:2000]
    alerts = [html.unescape(text) for text in ALERT.findall(page.text)]
    assert len(alerts) == 1 and said in alerts[0], alerts
    assert page.text.count(start) == 1, start
    after = page.text.split(start, 1)[1]
    stretch = after[:after.index("</form>")]
    assert 'role="alert"' in stretch and 'class="refusal" tabindex="-1" autofocus' in stretch
    return stretch


def field(stretch: str, name: str) -> str:
    """The opening tag (or a textarea with its text) of the field ``name`` in ``stretch``."""
    match = re.search(rf'<(?:input|select)[^>]*name="{name}"[^>]*>|'
                      rf'<textarea[^>]*name="{name}"[^>]*>[^<]*</textarea>', stretch)
    assert match, name
    return match.group(0)


@pytest.fixture
async def admin(make_agent, sign_in):  # type: ignore[no-untyped-def]
    return await sign_in((await make_agent("Root", role=Role.admin)).email)


@pytest.fixture
async def lead(make_agent, sign_in):  # type: ignore[no-untyped-def]
    return await sign_in((await make_agent("Lead", role=Role.supervisor)).email)


# --- the helper ---------------------------------------------------------------------------

class _Form:
    def __init__(self, items: list[tuple[str, str]]) -> None:
        self.items = items

    def multi_items(self) -> list[tuple[str, str]]:
        return self.items


def test_a_draft_keeps_every_typed_value_but_passwords_and_the_token() -> None:
    draft = typed(_Form([("csrf_token", "t"), ("name", "Ann"), ("team_ids", "1"),
                         ("team_ids", "3"), ("password", "secret-1"),
                         ("new_password", "secret-2"), ("active", "on")]), 7)
    assert draft and draft.of(7) is draft and not draft.of(None) and not draft.among([1, 2])
    assert draft.value("name", "saved") == "Ann" and draft.value("missing", "saved") == ""
    assert draft.values("team_ids") == ["1", "3"] and draft.selected("team_ids", 3)
    assert not draft.selected("team_ids", 2) and draft.checked("active")
    assert not draft.checked("is_default", True)  # unticked in the form: unticked again
    assert draft.value("password") == "" and draft.value("new_password") == ""
    assert draft.value("csrf_token") == ""
    assert not NO_DRAFT and NO_DRAFT.value("name", "saved") == "saved"
    assert NO_DRAFT.checked("active", True) and NO_DRAFT.selected("team_ids", 1, True)


# --- /admin: teams and agents -------------------------------------------------------------

async def test_a_refused_new_team_comes_back_open_with_what_was_typed(lead) -> None:  # type: ignore[no-untyped-def]
    page = await lead.http.post("/admin/teams", data={
        "csrf_token": lead.csrf, "name": TRICKY, "languages": "en, es",
        "timezone": "Mars/Olympus", "is_outsourced": "on"})
    stretch = refused_form(page, '<details id="new-team" open>', "unknown time zone")
    assert f'value="{TRICKY_HTML}"' in field(stretch, "name")
    assert 'value="en, es"' in field(stretch, "languages")
    assert 'value="Mars/Olympus"' in field(stretch, "timezone")
    assert "checked" in field(stretch, "is_outsourced")
    assert "checked" not in field(stretch, "is_default")


async def test_a_refused_team_edit_keeps_the_edit(services, make_team, lead) -> None:  # type: ignore[no-untyped-def]
    team = await make_team("Support")
    page = await lead.http.post(f"/admin/teams/{team.id}", data={
        "csrf_token": lead.csrf, "name": TRICKY, "timezone": "Mars/Olympus",
        "hours_mon": "09:00-12:00", "holidays": "2026-12-25", "requires_two_factor": "on"})
    stretch = refused_form(page, "<h1>Support</h1>", "unknown time zone")
    assert f'value="{TRICKY_HTML}"' in field(stretch, "name")
    assert 'value="09:00-12:00"' in field(stretch, "hours_mon")
    assert ">2026-12-25</textarea>" in field(stretch, "holidays")
    assert "checked" in field(stretch, "requires_two_factor")


async def test_a_refused_new_agent_keeps_all_but_the_password(make_team, admin) -> None:  # type: ignore[no-untyped-def]
    support, night = await make_team("Support"), await make_team("Night")
    page = await admin.http.post("/admin/agents", data={
        "csrf_token": admin.csrf, "display_name": TRICKY, "email": "new.agent@example.com",
        "password": "short-pw", "role": "supervisor", "languages": "zh-Hans, en",
        "capacity": "7", "team_ids": [str(night.id)]})
    stretch = refused_form(page, '<details id="new-agent" open>', "at least")
    assert f'value="{TRICKY_HTML}"' in field(stretch, "display_name")
    assert 'value="new.agent@example.com"' in field(stretch, "email")
    assert 'value="zh-Hans, en"' in field(stretch, "languages")
    assert 'value="7"' in field(stretch, "capacity")
    assert re.search(r'<option value="supervisor" selected>', stretch)
    assert f'value="{night.id}" checked' in stretch
    assert f'value="{support.id}" checked' not in stretch
    assert "value=" not in field(stretch, "password") and "short-pw" not in page.text


async def test_a_refused_agent_edit_keeps_the_edit_but_not_the_password(make_agent,  # type: ignore[no-untyped-def]
                                                                        admin) -> None:
    ann = await make_agent("Ann")
    page = await admin.http.post(f"/admin/agents/{ann.id}", data={
        "csrf_token": admin.csrf, "display_name": TRICKY, "languages": "es",
        "capacity": "500", "role": "supervisor", "password": "typed-secret-password"})
    stretch = refused_form(page, "<h1>Ann</h1>", "capacity must be a whole number")
    assert f'value="{TRICKY_HTML}"' in field(stretch, "display_name")
    assert 'value="es"' in field(stretch, "languages")
    assert 'value="500"' in field(stretch, "capacity")
    assert '<option value="supervisor" selected>' in stretch
    assert "checked" not in field(stretch, "is_active")  # unticked when it was sent
    assert "typed-secret-password" not in page.text


async def test_a_role_not_in_the_list_is_refused_on_the_page(make_agent, admin) -> None:  # type: ignore[no-untyped-def]
    ann = await make_agent("Ann")
    page = await admin.http.post(f"/admin/agents/{ann.id}", data={
        "csrf_token": admin.csrf, "display_name": "Ann B", "role": "owner", "capacity": "3"})
    stretch = refused_form(page, "<h1>Ann</h1>", "pick a role from the list")
    assert 'value="Ann B"' in field(stretch, "display_name")


# --- the other admin pages ----------------------------------------------------------------

async def test_a_refused_bot_setting_keeps_what_was_typed(admin) -> None:  # type: ignore[no-untyped-def]
    page = await admin.http.post("/admin/bot", data={
        "csrf_token": admin.csrf, "sensitive_categories": "fees, <kyc>",
        "sensitive_phrases": TRICKY, "max_failed_answers": "two", "custody": "custodial",
        "account_articles_listed": "1"})
    stretch = refused_form(page, "<h2>Settings</h2>", "a whole number is needed")
    assert 'value="fees, &lt;kyc&gt;"' in field(stretch, "sensitive_categories")
    assert f">{TRICKY_HTML}</textarea>" in field(stretch, "sensitive_phrases")
    assert 'value="two"' in field(stretch, "max_failed_answers")
    assert re.search(r'value="custodial" checked', stretch)
    assert "checked" not in field(stretch, "enabled")
    spoofed = await admin.http.get("/admin/bot?error=spoofed")  # no error text from a link
    assert spoofed.status_code == 200 and "spoofed" not in spoofed.text


async def test_a_refused_channel_keeps_what_was_typed(lead) -> None:  # type: ignore[no-untyped-def]
    assert (await lead.http.post("/admin/channels", data={
        "csrf_token": lead.csrf, "kind": "email", "value": "help@wallet.example"})
            ).status_code == 303
    page = await lead.http.post("/admin/channels", data={
        "csrf_token": lead.csrf, "kind": "email", "value": "help@wallet.example",
        "label": TRICKY})
    stretch = refused_form(page, "</table>", "registered already")
    assert '<option value="email" selected>' in stretch
    assert 'value="help@wallet.example"' in field(stretch, "value")
    assert f'value="{TRICKY_HTML}"' in field(stretch, "label")


SLA_FORM = {"first_response_minutes": "90", "resolution_hours": "1", "priority": "2",
            "channel": "email", "category": "<scam>", "warn_at_percent": "70"}


async def test_a_refused_new_sla_policy_keeps_what_was_typed(lead) -> None:  # type: ignore[no-untyped-def]
    page = await lead.http.post("/admin/sla", data={
        "csrf_token": lead.csrf, "name": TRICKY, **SLA_FORM})
    stretch = refused_form(page, "<h2>New policy</h2>", "cannot be shorter")
    assert f'value="{TRICKY_HTML}"' in field(stretch, "name")
    assert 'value="90"' in field(stretch, "first_response_minutes")
    assert 'value="1"' in field(stretch, "resolution_hours")
    assert '<option value="2" selected>' in stretch
    assert 'value="&lt;scam&gt;"' in field(stretch, "category")
    assert 'value="70"' in field(stretch, "warn_at_percent")
    assert "checked" not in field(stretch, "active")


async def test_a_refused_sla_edit_comes_back_open(lead) -> None:  # type: ignore[no-untyped-def]
    created = await lead.http.post("/admin/sla", data={
        "csrf_token": lead.csrf, "name": "Standard", "first_response_minutes": "60",
        "resolution_hours": "24", "active": "on"})
    assert created.status_code == 303
    listed = (await lead.http.get("/admin/sla")).text
    policy_id = int(re.search(r'action="/admin/sla/(\d+)"', listed).group(1))  # type: ignore[union-attr]
    page = await lead.http.post(f"/admin/sla/{policy_id}", data={
        "csrf_token": lead.csrf, "name": "Standard, edited", **SLA_FORM})
    stretch = refused_form(page, f'<details class="policy" id="policy-{policy_id}" open>',
                           "cannot be shorter")
    assert 'value="Standard, edited"' in field(stretch, "name")
    new_form = page.text.split("<h2>New policy</h2>")[1]
    assert 'value="Standard, edited"' not in new_form and 'value="60"' in new_form


async def test_refused_label_forms_keep_what_was_typed(lead) -> None:  # type: ignore[no-untyped-def]
    page = await lead.http.post("/admin/labels", data={
        "csrf_token": lead.csrf, "name": TRICKY, "color": "red", "description": "<i>vip</i>"})
    stretch = refused_form(page, "<h2>New label</h2>", "hex colour")
    assert f'value="{TRICKY_HTML}"' in field(stretch, "name")
    assert 'value="red"' in field(stretch, "color")
    assert 'value="&lt;i&gt;vip&lt;/i&gt;"' in field(stretch, "description")

    for name in ("VIP", "Scam"):
        assert (await lead.http.post("/admin/labels", data={
            "csrf_token": lead.csrf, "name": name, "color": "#1a7f37"})).status_code == 303
    listed = (await lead.http.get("/admin/labels")).text
    scam_id = int(re.search(r'action="/admin/labels/(\d+)"[^>]*>\s*<input[^>]*>\s*'  # type: ignore[union-attr]
                            r'<label>Name <input name="name" required maxlength="40" '
                            r'value="Scam"', listed).group(1))
    page = await lead.http.post(f"/admin/labels/{scam_id}", data={
        "csrf_token": lead.csrf, "name": "VIP", "color": "#cf222e", "description": "edited"})
    stretch = refused_form(page, "<details open><summary>Edit</summary>", "a label named")
    assert 'value="VIP"' in field(stretch, "name") and 'value="edited"' in stretch
    assert f'action="/admin/labels/{scam_id}"' in stretch  # the edited label's row

    page = await lead.http.post("/admin/labels/rules", data={
        "csrf_token": lead.csrf, "category": "   ", "label_id": str(scam_id)})
    stretch = refused_form(page, "<h2>Rules: category → label</h2>", "a category of 1 to")
    assert f'<option value="{scam_id}" selected>' in stretch


PROGRAMME = {"trigger": "cohort", "rule": '{"days_after_signup": <7>}', "channel": "sms",
             "delay_hours": "5", "window_hours": "48", "max_attempts": "4"}


async def test_refused_follow_up_programmes_keep_what_was_typed(services, lead) -> None:  # type: ignore[no-untyped-def]
    page = await lead.http.post("/admin/followups", data={
        "csrf_token": lead.csrf, "name": TRICKY, **PROGRAMME})
    stretch = refused_form(page, "<h2>New programme</h2>", "check the form")
    assert f'value="{TRICKY_HTML}"' in field(stretch, "name")
    assert 'value="{&#34;days_after_signup&#34;: &lt;7&gt;}"' in field(stretch, "rule")
    assert '<option value="cohort" selected>' in stretch
    assert '<option value="sms" selected>' in stretch
    assert 'value="48"' in field(stretch, "window_hours")
    assert 'value="4"' in field(stretch, "max_attempts")

    created = await lead.http.post("/admin/followups", data={
        "csrf_token": lead.csrf, "name": "Cohort", "trigger": "cohort",
        "rule": '{"days_after_signup": 7}', "channel": "email", "active": "on"})
    assert created.status_code == 303
    async with services.read() as session:
        programme_id = await session.scalar(select(FollowUpProgramme.id))
    page = await lead.http.post(f"/admin/followups/{programme_id}", data={
        "csrf_token": lead.csrf, "name": "Cohort, edited", **PROGRAMME})
    stretch = refused_form(page, f'id="programme-{programme_id}" open>', "check the form")
    assert 'value="Cohort, edited"' in field(stretch, "name")


async def test_the_new_programmes_sample_rule_is_json(lead) -> None:  # type: ignore[no-untyped-def]
    page = await lead.http.get("/admin/followups")
    rule = html.unescape(re.search(r'name="rule"[^>]*value="([^"]*)"', page.text).group(1))  # type: ignore[union-attr]
    assert rule.startswith('{"type": "withdrawal"')  # was shown as {&quot;type&quot;: …


def _announcement(**fields: str) -> dict[str, str]:
    return {"title_en": "", "body_en": "Withdrawals <b>slow</b>", "severity": "major",
            "starts_at": "2026-05-01T10:00", "ends_at": "2026-05-01T09:00", **fields}


async def test_refused_announcement_forms_keep_what_was_typed(lead) -> None:  # type: ignore[no-untyped-def]
    page = await lead.http.post("/admin/incidents/announcements", data={
        "csrf_token": lead.csrf, **_announcement(), "affected": "usdt"})
    stretch = refused_form(page, "<h2>New announcement</h2>", "must end after it starts")
    assert "Withdrawals &lt;b&gt;slow&lt;/b&gt;</textarea>" in field(stretch, "body_en")
    assert '<option value="major" selected>' in stretch
    assert 'value="2026-05-01T09:00"' in field(stretch, "ends_at")

    created = await lead.http.post("/admin/incidents/announcements", data={
        "csrf_token": lead.csrf, "title_en": "Slow withdrawals", "severity": "minor"})
    assert created.status_code == 303
    url = created.headers["location"]
    page = await lead.http.post(url, data={
        "csrf_token": lead.csrf, **_announcement(title_en=TRICKY)})
    stretch = refused_form(page, "<h2>Edit</h2>", "must end after it starts")
    assert f'value="{TRICKY_HTML}"' in field(stretch, "title_en")
    assert 'value="2026-05-01T10:00"' in field(stretch, "starts_at")

    page = await lead.http.post(f"{url}/status", data={
        "csrf_token": lead.csrf, "status": "investigating", "note_en": "Fixed <soon>"})
    stretch = refused_form(page, "<h2>Next status</h2>", "can only move forward")
    assert ">Fixed &lt;soon&gt;</textarea>" in field(stretch, "note_en")


# --- proactive messages ---------------------------------------------------------------------

async def test_refused_outreach_forms_keep_what_was_typed(services, lead) -> None:  # type: ignore[no-untyped-def]
    assert (await lead.http.post("/admin/outreach/segments", data={
        "csrf_token": lead.csrf, "name": "Chinese"})).status_code == 303
    page = await lead.http.post("/admin/outreach/segments", data={
        "csrf_token": lead.csrf, "name": "Chinese", "days": "14", "languages": "zh-Hans",
        "label": "<vip>", "verified": "yes"})
    stretch = refused_form(page, "<h3>New segment</h3>", "a segment with this name exists")
    assert 'value="14"' in field(stretch, "days") and 'value="&lt;vip&gt;"' in stretch
    assert '<option value="yes" selected>' in stretch

    assert (await lead.http.post("/admin/outreach/segments", data={
        "csrf_token": lead.csrf, "name": "English"})).status_code == 303
    segments = (await lead.http.get("/admin/outreach")).text
    english = int(re.search(r'segments/(\d+)">English<', segments).group(1))  # type: ignore[union-attr]
    page = await lead.http.post(f"/admin/outreach/segments/{english}", data={
        "csrf_token": lead.csrf, "name": "Chinese", "channels": "email, <sms>"})
    stretch = refused_form(page, "<h2>Edit</h2>", "a segment with this name exists")
    assert "<h1>English</h1>" in page.text  # the segment's own page, not the list
    assert 'value="email, &lt;sms&gt;"' in field(stretch, "channels")

    page = await lead.http.post("/admin/outreach/campaigns", data={
        "csrf_token": lead.csrf, "name": TRICKY, "kind": "message", "channel": "email",
        "text_en": "Hi", "subject_en": "Gas <fees>", "repeat_days": "7"})
    stretch = refused_form(page, "<h3>New campaign</h3>", "a message campaign goes to a segment")
    assert f'value="{TRICKY_HTML}"' in field(stretch, "name")
    assert 'value="Gas &lt;fees&gt;"' in field(stretch, "subject_en")
    assert '<option value="email" selected>' in stretch

    created = await lead.http.post("/admin/outreach/campaigns", data={
        "csrf_token": lead.csrf, "name": "Tips", "kind": "safety_tip"})
    assert created.status_code == 303
    url = created.headers["location"]
    page = await lead.http.post(url, data={
        "csrf_token": lead.csrf, "name": "Tips", "kind": "safety_tip", "text_en": "Never <x>",
        "repeat_days": "400"})
    stretch = refused_form(page, "<h2>Edit</h2>", "repeats every 1 to 365 days")
    assert "Never &lt;x&gt;</textarea>" in field(stretch, "text_en")
    assert 'value="400"' in field(stretch, "repeat_days")

    page = await lead.http.post(f"{url}/launch", data={"csrf_token": lead.csrf,
                                                        "at": "next <tuesday>"})
    stretch = refused_form(page, 'id="campaign-status"', "check the form")
    assert 'value="next &lt;tuesday&gt;"' in field(stretch, "at")
    later = (datetime.now(UTC) + timedelta(days=800)).strftime("%Y-%m-%dT%H:%M")
    page = await lead.http.post(f"{url}/launch", data={"csrf_token": lead.csrf, "at": later})
    stretch = refused_form(page, 'id="campaign-status"', "schedule within a year")
    assert f'value="{later}"' in field(stretch, "at")

    alice = await widget_customer(services, "v-alice", language="en")
    page = await lead.http.post("/admin/outreach/customers", data={
        "csrf_token": lead.csrf, "customer_id": str(alice), "opted_out": "on",
        "timezone": "Mars/<Olympus>"})
    stretch = refused_form(page, '<h2 id="preferences">', "Mars")
    assert f'value="{alice}"' in field(stretch, "customer_id")
    assert "checked" in field(stretch, "opted_out")
    assert 'value="Mars/&lt;Olympus&gt;"' in field(stretch, "timezone")


# --- complaints, the knowledge base and the privacy notice ---------------------------------

async def test_refused_complaint_forms_keep_what_was_typed(services, make_agent, make_team,  # type: ignore[no-untyped-def]
                                                            sign_in) -> None:
    team = await make_team("Support")
    mei = await make_agent("Mei", teams=[team])
    delivered = await receive_message(services, InboundMessage(
        channel="web", external_id="v1", text="my withdrawal is lost", language="en"))
    await assign_conversation(services, mei, delivered.conversation.id, agent_id=mei.id)
    agent = await sign_in(mei.email)
    conversation_id = str(delivered.conversation.id)
    page = await agent.http.post("/app/complaints", data={
        "csrf_token": agent.csrf, "conversation_id": conversation_id, "category": "x" * 41,
        "summary": "500 <USDT> lost"})
    stretch = refused_form(page, "<h1>Register a complaint</h1>", "a category")
    assert ">500 &lt;USDT&gt; lost</textarea>" in field(stretch, "summary")
    assert f'value="{"x" * 41}"' in field(stretch, "category")

    opened = await agent.http.post("/app/complaints", data={
        "csrf_token": agent.csrf, "conversation_id": conversation_id, "category": "withdrawal",
        "summary": "500 USDT lost"})
    url = opened.headers["location"]
    page = await agent.http.post(f"{url}/stage", data={
        "csrf_token": agent.csrf, "stage": "investigating", "summary": "   ",
        "note": "called <the> chain"})
    stretch = refused_form(page, "<h2>Next: investigating</h2>", "is required")
    assert ">called &lt;the&gt; chain</textarea>" in field(stretch, "note")

    page = await agent.http.post(f"{url}/stage", data={
        "csrf_token": agent.csrf, "stage": "closed", "reason": "r" * 501})
    stretch = refused_form(page, "<details open><summary>Close early</summary>", "reason")
    assert f'value="{"r" * 501}"' in field(stretch, "reason")


async def test_a_refused_article_keeps_its_text_beside_the_refusal(lead) -> None:  # type: ignore[no-untyped-def]
    page = await lead.http.post("/admin/kb", data={
        "csrf_token": lead.csrf, "action": "save", "slug": "Bad Slug!", "category": "fees",
        "title_en": "Gas <fees>", "body_en": "Gas is paid in ETH & more."})
    stretch = refused_form(page, "<h1>New article</h1>", "slug")
    assert 'value="Gas &lt;fees&gt;"' in field(stretch, "title_en")
    assert ">Gas is paid in ETH &amp; more.</textarea>" in field(stretch, "body_en")


async def test_a_refused_privacy_notice_keeps_its_text_beside_the_refusal(admin) -> None:  # type: ignore[no-untyped-def]
    page = await admin.http.post("/admin/privacy-notice", data={
        "csrf_token": admin.csrf, "text_en": "We keep <data>.", "url_en": "javascript:alert(1)"})
    stretch = refused_form(page, "<h1>Privacy notice</h1>", "https://")
    assert ">We keep &lt;data&gt;.</textarea>" in field(stretch, "text_en")
    assert 'value="javascript:alert(1)"' in field(stretch, "url_en")
