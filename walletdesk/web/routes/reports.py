"""Reports: the JSON API (/api/v1/reports/…), CSV exports and the page /reports.

Access: supervisors and admins, in the workspace or with an API token (a "read" token is
enough: these are GET requests); agents and outsourced agents get 403.
"""

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from walletdesk.reports.agents import agents_report
from walletdesk.reports.choices import filter_choices
from walletdesk.reports.figures import (
    Agents,
    Outcome,
    ProductRow,
    Reasons,
    Satisfaction,
    Speed,
    Summary,
    Volume,
)
from walletdesk.reports.filters import ReportFilter, parse_filter
from walletdesk.reports.outcome import outcome_report
from walletdesk.reports.reasons import product_export, reasons_report
from walletdesk.reports.satisfaction import satisfaction_report
from walletdesk.reports.speed import speed_report
from walletdesk.reports.summary import all_reports, summary_report
from walletdesk.reports.tables import TABLES, as_csv, report_table
from walletdesk.reports.volume import volume_report
from walletdesk.web.deps import ApiManager, PageManager, ServicesDep, SignerDep, TemplatesDep

api = APIRouter(prefix="/api/v1/reports", tags=["reports"])
pages = APIRouter(include_in_schema=False)
router = APIRouter()

# ids come as text: a browser's form sends "" for "all"
IdText = Query(max_length=12, description="an id; empty for all")
TableName = Literal["summary", "volume-by-day", "volume-by-hour", "volume-by-channel",
                    "volume-by-category", "volume-by-language", "speed", "handoff-reasons",
                    "ratings", "comments", "agents", "contact-reasons", "product-team"]
assert set(TableName.__args__) == set(TABLES)  # type: ignore[attr-defined]


def report_filter(
    start: Annotated[str | None, Query(max_length=10, description="first day, YYYY-MM-DD")]
    = None,
    end: Annotated[str | None, Query(max_length=10, description="last day, YYYY-MM-DD")] = None,
    tz: Annotated[str | None, Query(max_length=64, description="IANA time zone of the days")]
    = None,
    channel: Annotated[str | None, Query(max_length=20)] = None,
    team_id: Annotated[str | None, IdText] = None,
    agent_id: Annotated[str | None, IdText] = None,
    language: Annotated[str | None, Query(max_length=16)] = None,
    label_id: Annotated[str | None, IdText] = None,
    category: Annotated[str | None, Query(max_length=40)] = None,
) -> ReportFilter:
    """The filter every report takes; bad values are answered with a clear 422."""
    return parse_filter(start=start, end=end, tz=tz, channel=channel, team_id=team_id,
                        agent_id=agent_id, language=language, label_id=label_id,
                        category=category)


Filter = Annotated[ReportFilter, Depends(report_filter)]


@api.get("/summary", response_model=Summary)
async def summary(agent: ApiManager, services: ServicesDep, report: Filter) -> Summary:
    """Headline figures of the period beside those of the period before."""
    async with services.read() as session:
        return await summary_report(session, report)


@api.get("/volume", response_model=Volume)
async def volume(agent: ApiManager, services: ServicesDep, report: Filter) -> Volume:
    async with services.read() as session:
        return await volume_report(session, report)


@api.get("/speed", response_model=Speed)
async def speed(agent: ApiManager, services: ServicesDep, report: Filter) -> Speed:
    async with services.read() as session:
        return await speed_report(session, report)


@api.get("/outcome", response_model=Outcome)
async def outcome(agent: ApiManager, services: ServicesDep, report: Filter) -> Outcome:
    async with services.read() as session:
        return await outcome_report(session, report)


@api.get("/satisfaction", response_model=Satisfaction)
async def satisfaction(agent: ApiManager, services: ServicesDep, report: Filter,
                       max_rating: Annotated[int | None, Query(ge=1, le=5)] = None,
                       comments_limit: Annotated[int, Query(ge=1, le=500)] = 100
                       ) -> Satisfaction:
    """CSAT trend and distribution, and the written comments, lowest ratings first."""
    async with services.read() as session:
        return await satisfaction_report(session, report, max_rating=max_rating,
                                         comments_limit=comments_limit)


@api.get("/agents", response_model=Agents)
async def agents(agent: ApiManager, services: ServicesDep, report: Filter) -> Agents:
    async with services.read() as session:
        return await agents_report(session, report)


@api.get("/contact-reasons", response_model=Reasons)
async def contact_reasons(agent: ApiManager, services: ServicesDep, report: Filter) -> Reasons:
    """Why customers contact us: one reason per conversation (docs/reports.md)."""
    async with services.read() as session:
        return await reasons_report(session, report)


@api.get("/contact-reasons/product-team", response_model=list[ProductRow])
async def product_team(agent: ApiManager, services: ServicesDep,
                       report: Filter) -> list[ProductRow]:
    """For the product team: reasons with counts, sample (protected) messages and links."""
    async with services.read() as session:
        return await product_export(session, report)


@api.get("/export/{table}", response_class=Response,
         responses={200: {"content": {"text/csv": {}}, "description": "the table as CSV"}})
async def export_table(table: TableName, agent: ApiManager, services: ServicesDep,
                       report: Filter) -> Response:
    """Any report table as a CSV download."""
    async with services.read() as session:
        body = as_csv(await report_table(session, table, report))
    name = f"walletdesk-{table}-{report.start.isoformat()}-{report.end.isoformat()}.csv"
    return Response(body, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@pages.get("/reports", response_class=HTMLResponse)
async def reports_page(request: Request, agent: PageManager, services: ServicesDep,
                       signer: SignerDep, templates: TemplatesDep, report: Filter) -> Response:
    async with services.read() as session:
        data = await all_reports(session, report)
        choices = await filter_choices(session)
    return templates.TemplateResponse(request, "reports/index.html", {
        "agent": agent, "csrf_token": signer.csrf_token(request.state.session),
        "report": report, "data": data, "choices": choices, "query": report.query_string(),
        "tables": list(TABLES)})


router.include_router(api)
router.include_router(pages)
