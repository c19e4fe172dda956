"""The summary's counts are whole numbers in the CSV and the API ("conversations,2", not
"2.0", review); rates and durations keep their decimals."""

import csv
import io

from walletdesk.accounts.models import Role
from walletdesk.conversations.actions import InboundMessage, receive_message, resolve_conversation
from walletdesk.reports.figures import Figure
from walletdesk.reports.filters import parse_filter
from walletdesk.reports.summary import COUNT_FIGURES, summary_of


async def test_the_summary_csv_writes_counts_as_whole_numbers(services, make_agent, make_team,  # type: ignore[no-untyped-def]
                                                               sign_in):
    team = await make_team()
    mei = await make_agent("Mei", teams=[team], online=True)
    for visitor in ("a", "b"):
        delivered = await receive_message(services, InboundMessage(
            channel="web", external_id=visitor, text="my deposit is missing"))
    await resolve_conversation(services, mei, delivered.conversation.id)
    lead = await sign_in((await make_agent("Lin", role=Role.supervisor)).email)
    answer = await lead.http.get("/api/v1/reports/export/summary")
    assert answer.status_code == 200
    rows = {row["figure"]: row for row in csv.DictReader(io.StringIO(answer.text))}
    assert rows["conversations"]["current"] == "2" and rows["conversations"]["previous"] == "0"
    assert rows["conversations"]["change"] == "2"
    for key in COUNT_FIGURES:
        assert "." not in rows[key]["current"] + rows[key]["change"], rows[key]
    assert rows["resolution_rate"]["current"] == "0.5"  # a rate as it is
    api = (await lead.http.get("/api/v1/reports/summary")).json()
    assert {f["key"]: f["current"] for f in api["figures"]}["conversations"] == 2


def test_counts_are_rounded_rates_are_not() -> None:
    now = {"conversations": 61.0, "reopen_rate": 0.10344, "first_response_median_s": None}
    before = {"conversations": 71.0, "reopen_rate": 0.1127, "first_response_median_s": 12.5}
    summary = summary_of(parse_filter(start="2026-11-01", end="2026-11-28"), now, before)
    figures = {f.key: f for f in summary.figures}
    assert figures["conversations"] == Figure(key="conversations", current=61, previous=71,
                                              change=-10)
    assert isinstance(figures["conversations"].current, int)
    assert figures["reopen_rate"].current == 0.10344 and figures["reopen_rate"].change == -0.0093
    assert figures["first_response_median_s"].change is None
