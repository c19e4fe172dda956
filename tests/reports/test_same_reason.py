"""A contact reason named by two codes is one reason in the reports: the category "security"
(shown "Security") and the demo's label "Security" give one row, one series of the trend,
one product-team row, one option of the page's reason filter, and the filter finds the
conversations under either code — live, from the rollup's hourly rows (stored per code,
merged when read) and from its facts, on SQLite and PostgreSQL."""

import csv
import html
import io
import re
from collections import Counter
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from tests.reports.test_rollups import refresh
from walletdesk.accounts.models import Role
from walletdesk.conversations.actions import InboundMessage, receive_message
from walletdesk.conversations.models import Conversation
from walletdesk.labels.models import ConversationLabel, Label
from walletdesk.reports.filters import ReportFilter, parse_filter
from walletdesk.reports.reason_trend import reason_trend_report
from walletdesk.reports.reasons import product_export, reasons_report
from walletdesk.reports.rollup_models import HourlyCounts
from walletdesk.reports.rollups import fact_source
from walletdesk.reports.tables import as_csv, report_table
from walletdesk.reports.volume import volume_report
from walletdesk.services import Services

DAY = (datetime.now(UTC) - timedelta(days=1)).date()  # inside the rollup once it is built
REASON_SELECT = re.compile(r'<select name="reason">(.*?)</select>', re.S)
OPTION = re.compile(r'<option value="([^"]*)"\s*(selected)?\s*>([^<]*)</option>')


def period(**filters: str) -> ReportFilter:
    return parse_filter(start=DAY.isoformat(), end=DAY.isoformat(), **filters)


async def security_label(services: Services) -> int:
    async with services.transaction() as session:
        label = Label(name="Security", color="#cf222e")
        session.add(label)
        await session.flush()
        return label.id


async def conversation(services: Services, visitor: str, text: str, *, minute: int,
                       category: str | None = None, label_id: int | None = None) -> int:
    """A conversation started yesterday with its category and label."""
    delivered = await receive_message(services, InboundMessage(
        channel="web", external_id=visitor, text=text, language="en"))
    cid = delivered.conversation.id
    started = datetime.combine(DAY, datetime.min.time(), UTC) + timedelta(hours=10,
                                                                          minutes=minute)
    async with services.transaction() as session:
        await session.execute(update(Conversation).where(Conversation.id == cid)
                              .values(category=category, created_at=started))
        if label_id:
            session.add(ConversationLabel(conversation_id=cid, label_id=label_id))
    return cid


def rows(report) -> list[tuple[str, int]]:  # type: ignore[no-untyped-def]
    return [(row.reason, row.count) for row in report.reasons]


async def reports_both_ways(services: Services, report: ReportFilter) -> dict[str, object]:
    """The reasons, trend and product export, live and from the rollup (the same)."""
    async with services.read() as session:
        assert await fact_source(session, report) is not None
        figures: dict[str, object] = {}
        for live in (True, False):
            computed = {
                "reasons": (await reasons_report(session, report, live=live)).model_dump(),
                "trend": (await reason_trend_report(session, report, live=live)).model_dump(),
                "product": [row.model_dump()
                            for row in await product_export(session, report, live=live)]}
            if figures:
                assert computed == figures, report
            figures = computed
    return figures


async def test_a_category_and_a_label_of_one_name_are_one_row(services: Services) -> None:
    label = await security_label(services)
    by_category = await conversation(services, "v1", "someone logged in", minute=0,
                                     category="security")
    by_label = await conversation(services, "v2", "is my wallet safe?", minute=5, label_id=label)
    await refresh(services)
    async with services.read() as session:  # stored per code: merged when read
        stored = set((await session.scalars(select(HourlyCounts.value).where(
            HourlyCounts.dimension == "reason"))).all())
    assert {"=category:security", "=label:Security"} <= stored
    for report in (period(), period(channel="web"), period(label_id=str(label))):
        figures = await reports_both_ways(services, report)
        if report.label_id:
            assert [(r["reason"], r["count"]) for r in figures["reasons"]["reasons"]] == [
                ("security", 1)]
            continue
        reasons = figures["reasons"]
        assert reasons["conversations"] == 2
        assert [(r["reason"], r["count"]) for r in reasons["reasons"]] == [("security", 2)]
        assert [(r["reason"], r["source"], r["count"], r["share"], r["sources"])
                for r in reasons["reasons"]] == [
            ("security", "category", 2, 1.0, {"category": 1, "label": 1})]
        assert [(s["reason"], s["total"]) for s in figures["trend"]["series"]] == [
            ("security", 2)]
        [product] = figures["product"]
        assert (product["reason"], product["count"]) == ("security", 2)
        assert set(product["links"]) == {f"/app#{by_category}", f"/app#{by_label}"}
    async with services.read() as session:
        table = list(csv.reader(io.StringIO(as_csv(
            await report_table(session, "contact-reasons", period())))))
    assert table == [["reason", "source", "conversations", "share"],
                     ["security", "category", "2", "1.0"]]


async def test_a_conversation_carrying_both_codes_counts_once(services: Services) -> None:
    label = await security_label(services)
    await conversation(services, "v1", "someone logged in", minute=0, category="security")
    await conversation(services, "v2", "is my wallet safe?", minute=5, label_id=label)
    await conversation(services, "v3", "my phrase?", minute=10, category="security",
                       label_id=label)
    await conversation(services, "v4", "fee too high", minute=15, category="fees")
    for built in (False, True):
        if built:
            await refresh(services)
        async with services.read() as session:
            for live in (True, False):
                reasons = await reasons_report(session, period(), live=live)
                assert reasons.conversations == 4, (built, live)
                assert rows(reasons) == [("security", 3), ("fees", 1)], (built, live)
                assert reasons.reasons[0].sources == {"category": 2, "label": 1}


async def test_the_reason_filter_finds_every_code(services: Services, make_agent,
                                                  sign_in) -> None:  # type: ignore[no-untyped-def]
    label = await security_label(services)
    found = {await conversation(services, "v1", "someone logged in", minute=0,
                                category="security"),
             await conversation(services, "v2", "is my wallet safe?", minute=5, label_id=label),
             await conversation(services, "v3", "my phrase?", minute=10, category="security",
                                label_id=label)}
    await conversation(services, "v4", "fee too high", minute=15, category="fees",
                       label_id=label)  # its reason is its category: fees
    await conversation(services, "v5", "hello", minute=20)
    for built in (False, True):
        if built:
            await refresh(services)
        async with services.read() as session:
            for code in ("security", "Security", "SECURITY"):
                for live in (True, False):
                    report = period(reason=code)
                    volume = await volume_report(session, report, live=live)
                    assert volume.conversations == 3, (code, built, live)
                    reasons = await reasons_report(session, report, live=live)
                    assert rows(reasons) == [("security", 3)], (code, built, live)
                    product = await product_export(session, report, live=live)
                    assert {link for row in product for link in row.links} == {
                        f"/app#{cid}" for cid in found}
            fees = await reasons_report(session, period(reason="fees"))
            assert rows(fees) == [("fees", 1)]

    lead = await make_agent("Lead", role=Role.supervisor)
    signed = await sign_in(lead.email)
    api = await signed.http.get("/api/v1/reports/contact-reasons",
                                params={"start": DAY.isoformat(), "end": DAY.isoformat(),
                                        "reason": "Security"})
    assert api.status_code == 200, api.text
    assert [(r["reason"], r["count"]) for r in api.json()["reasons"]] == [("security", 3)]
    exported = await signed.http.get("/api/v1/reports/export/volume-by-day", params={
        "start": DAY.isoformat(), "end": DAY.isoformat(), "reason": "Security"})
    assert list(csv.reader(io.StringIO(exported.text)))[1][:2] == [DAY.isoformat(), "3"]

    # the page's reason filter: each reason once; the label's code chooses its reason
    page = await signed.http.get("/reports", params={"start": DAY.isoformat(),
                                                      "end": DAY.isoformat(),
                                                      "reason": "Security"})
    assert page.status_code == 200
    select_html = REASON_SELECT.search(page.text)
    assert select_html, "the reason filter"
    options = [(html.unescape(value), bool(chosen), html.unescape(name))
               for value, chosen, name in OPTION.findall(select_html.group(1)) if value]
    names = Counter(name for _, _, name in options)
    assert names["Security"] == 1, options
    assert [(value, name) for value, chosen, name in options if chosen] == [
        ("security", "Security")]
    assert "reason=Security" in page.text  # the panels are asked with the filter
