"""Reports: the JSON API (/api/v1/reports/…), CSV exports and the page /reports.

Access: supervisors and admins, in the workspace or with an API token (a "read" token is
enough: these are GET requests); agents and outsourced agents get 403.
"""

from types import SimpleNamespace
from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse
from pydantic import Field

from walletdesk.conversations.contact_reasons import contact_reason_choices
from walletdesk.conversations.reasons import chosen_reason
from walletdesk.errors import Invalid
from walletdesk.reports.agents import agents_report
from walletdesk.reports.choices import filter_choices
from walletdesk.reports.comments import Comments, comments_report
from walletdesk.reports.complaints import ComplaintsReport, complaints_report
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
from walletdesk.reports.filters import ReportFilter, check_filter_ids, parse_filter
from walletdesk.reports.first_contact import FirstContact, first_contact_report
from walletdesk.reports.followups import FollowUpsReport, followups_report
from walletdesk.reports.more_tables import MORE_TABLES
from walletdesk.reports.outcome import outcome_report
from walletdesk.reports.page import CHARTED, PANELS, PanelName, PanelOptions, panel_report
from walletdesk.reports.points import PointsReport, loyalty_export, points_report
from walletdesk.reports.presence import PresenceReport, presence_report
from walletdesk.reports.reason_trend import ReasonTrend, reason_trend_report
from walletdesk.reports.reasons import product_export, reasons_report
from walletdesk.reports.satisfaction import satisfaction_report
from walletdesk.reports.speed import speed_report
from walletdesk.reports.summary import summary_report
from walletdesk.reports.tables import TABLES, as_csv, report_table
from walletdesk.reports.teams import TeamSatisfaction, team_satisfaction_report
from walletdesk.reports.volume import period_of, volume_report
from walletdesk.web.deps import (
    ApiAgent,
    ApiManager,
    PageManager,
    ServicesDep,
    SignerDep,
    TemplatesDep,
)
from walletdesk.web.routes.refusals import refusal

api = APIRouter(prefix="/api/v1/reports", tags=["reports"])
pages = APIRouter(include_in_schema=False)
choices = APIRouter()
router = APIRouter()

# ids come as text: a browser's form sends "" for "all"
IdText = Query(max_length=12, description="an id; empty for all")
TableName = Literal["summary", "volume-by-day", "volume-by-hour", "volume-by-channel",
                    "volume-by-category", "volume-by-language", "speed", "handoff-reasons",
                    "ratings", "comments", "agents", "contact-reasons", "product-team",
                    "complaints-by-category", "complaint-stages", "compensation", "followups",
                    "points", "first-contact", "presence", "team-csat", "comments-by-team",
                    "contact-reason-trend"]
assert set(TableName.__args__) == set(TABLES) | set(MORE_TABLES)  # type: ignore[attr-defined]


def typed_filter(
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
    reason: Annotated[str | None, Query(
        max_length=80, description="a contact reason: conversations whose reason is any code "
        "of it (the category 'security' or the label 'Security')")] = None,
    # "from"/"to" are what people (and the review) type for start/end: read, never ignored
    from_: Annotated[str | None, Query(alias="from", max_length=10,
                                       description="the same as start")] = None,
    to: Annotated[str | None, Query(max_length=10, description="the same as end")] = None,
) -> dict[str, str | None]:
    """The filter's parameters as sent (checked by ``parse_typed``)."""
    return {"start": start, "end": end, "from": from_, "to": to, "tz": tz, "channel": channel,
            "team_id": team_id, "agent_id": agent_id, "language": language,
            "label_id": label_id, "category": category, "reason": reason}


def _one_of(typed: dict[str, str | None], name: str, alias: str) -> str | None:
    """start or from (end or to); both, differing: which was meant is unknown."""
    value, other = (typed.get(name) or "").strip(), (typed.get(alias) or "").strip()
    if value and other and value != other:
        raise Invalid("{name} and {alias} name the same day; give one of them",
                      name=name, alias=alias)
    return value or other or None


def parse_typed(typed: dict[str, str | None]) -> ReportFilter:
    values = {key: value for key, value in typed.items() if key not in ("from", "to")}
    values["start"] = _one_of(typed, "start", "from")
    values["end"] = _one_of(typed, "end", "to")
    return parse_filter(**values)


Typed = Annotated[dict[str, str | None], Depends(typed_filter)]


async def report_filter(typed: Typed, services: ServicesDep) -> ReportFilter:
    """The filter every report takes; bad values (an unknown team too) are answered with a
    clear 422."""
    report = parse_typed(typed)
    async with services.read_reports() as session:
        await check_filter_ids(session, report)
    return report


Filter = Annotated[ReportFilter, Depends(report_filter)]
Rating = Annotated[int, Field(ge=1, le=5)]


@api.get("/summary", response_model=Summary)
async def summary(agent: ApiManager, services: ServicesDep, report: Filter) -> Summary:
    """Headline figures of the period beside those of the period before."""
    async with services.read_reports() as session:
        return await summary_report(session, report)


@api.get("/volume", response_model=Volume)
async def volume(agent: ApiManager, services: ServicesDep, report: Filter) -> Volume:
    async with services.read_reports() as session:
        return await volume_report(session, report)


@api.get("/speed", response_model=Speed)
async def speed(agent: ApiManager, services: ServicesDep, report: Filter) -> Speed:
    async with services.read_reports() as session:
        return await speed_report(session, report)


@api.get("/outcome", response_model=Outcome)
async def outcome(agent: ApiManager, services: ServicesDep, report: Filter) -> Outcome:
    async with services.read_reports() as session:
        return await outcome_report(session, report)


@api.get("/satisfaction", response_model=Satisfaction)
async def satisfaction(agent: ApiManager, services: ServicesDep, report: Filter,
                       max_rating: Annotated[int | None, Query(ge=1, le=5)] = None,
                       comments_limit: Annotated[int, Query(ge=1, le=500)] = 100,
                       source: Annotated[Literal["conversation", "periodic"], Query(
                           description="conversation: asked when a conversation was "
                           "resolved; periodic: the periodic surveys of a sample")
                       ] = "conversation") -> Satisfaction:
    """CSAT trend and distribution, and the written comments, lowest ratings first."""
    async with services.read_reports() as session:
        return await satisfaction_report(session, report, max_rating=max_rating,
                                         comments_limit=comments_limit, survey_source=source)


@api.get("/agents", response_model=Agents)
async def agents(agent: ApiManager, services: ServicesDep, report: Filter) -> Agents:
    async with services.read_reports() as session:
        return await agents_report(session, report)


@api.get("/contact-reasons", response_model=Reasons)
async def contact_reasons(agent: ApiManager, services: ServicesDep, report: Filter) -> Reasons:
    """Why customers contact us: one reason per conversation (docs/reports.md)."""
    async with services.read_reports() as session:
        return await reasons_report(session, report)


@api.get("/contact-reasons/product-team", response_model=list[ProductRow])
async def product_team(agent: ApiManager, services: ServicesDep,
                       report: Filter) -> list[ProductRow]:
    """For the product team: reasons with counts, sample (protected) messages and links."""
    async with services.read_reports() as session:
        return await product_export(session, report)


@api.get("/complaints", response_model=ComplaintsReport)
async def complaints(agent: ApiManager, services: ServicesDep,
                     report: Filter) -> ComplaintsReport:
    """Complaints opened in the period: by category and stage, time in each stage, and the
    approved refunds and compensations per asset."""
    async with services.read_reports() as session:
        return await complaints_report(session, report)


@api.get("/followups", response_model=FollowUpsReport)
async def followups(agent: ApiManager, services: ServicesDep, report: Filter) -> FollowUpsReport:
    """Follow-up calls whose window opened in the period: reached, no answer, declined,
    opted out, satisfaction and the new cases found."""
    async with services.read_reports() as session:
        return await followups_report(session, report)


@api.get("/points", response_model=PointsReport)
async def points(agent: ApiManager, services: ServicesDep, report: Filter) -> PointsReport:
    """Incentive points credited in the period (answered satisfaction surveys)."""
    async with services.read_reports() as session:
        return await points_report(session, report)


@api.get("/points/credits", response_class=StreamingResponse, responses={200: {
    "content": {"text/csv": {}, "application/x-ndjson": {
        "schema": {"$ref": "#/components/schemas/PointsCredit"}}},
    "description": "one credit a row: CSV, or JSON lines of PointsCredit"}})
async def points_credits_export(agent: ApiManager, services: ServicesDep, report: Filter,
                                format: Annotated[Literal["csv", "jsonl"], Query()] = "csv"
                                ) -> StreamingResponse:
    """For the operator's loyalty system: every credit of the period with a stable id
    (survey:<id>) and the operator's user id when the customer proved it, streamed."""
    name = f"walletdesk-points-{report.start.isoformat()}-{report.end.isoformat()}.{format}"
    return StreamingResponse(
        loyalty_export(services, report, format),
        media_type="text/csv; charset=utf-8" if format == "csv" else "application/x-ndjson",
        headers={"Content-Disposition": f'attachment; filename="{name}"'})


@api.get("/first-contact", response_model=FirstContact)
async def first_contact(agent: ApiManager, services: ServicesDep, report: Filter) -> FirstContact:
    """First-contact resolution and reopen rate."""
    async with services.read_reports() as session:
        return await first_contact_report(session, report)


@api.get("/presence", response_model=PresenceReport)
async def presence(agent: ApiManager, services: ServicesDep, report: Filter) -> PresenceReport:
    """Agents' time online, away and busy in the period (team_id / agent_id narrow it)."""
    async with services.read_reports() as session:
        return await presence_report(session, report)


@api.get("/teams", response_model=TeamSatisfaction)
async def teams(agent: ApiManager, services: ServicesDep, report: Filter) -> TeamSatisfaction:
    """CSAT per team."""
    async with services.read_reports() as session:
        return await team_satisfaction_report(session, report)


@api.get("/comments", response_model=Comments)
async def comments(agent: ApiManager, services: ServicesDep, report: Filter,
                   rating: Annotated[list[Rating] | None, Query(max_length=5)] = None,
                   q: Annotated[str | None, Query(max_length=100)] = None,
                   offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
                   limit: Annotated[int, Query(ge=1, le=500)] = 50) -> Comments:
    """The written comments, lowest ratings first; ``rating`` (repeatable) and ``q`` (words
    in the comment) filter them."""
    async with services.read_reports() as session:
        return await comments_report(session, report, ratings=rating, search=q, offset=offset,
                                     limit=limit)


@api.get("/contact-reasons/trend", response_model=ReasonTrend)
async def contact_reason_trend(agent: ApiManager, services: ServicesDep,
                               report: Filter) -> ReasonTrend:
    """The top contact reasons per day (per week beyond 62 days), the rest as "other"."""
    async with services.read_reports() as session:
        return await reason_trend_report(session, report)


@choices.get("/api/v1/contact-reasons", response_model=list[str], tags=["api"])
async def contact_reasons_to_choose(agent: ApiAgent, services: ServicesDep) -> list[str]:
    """The reasons an agent may choose when resolving: the knowledge base's categories and
    the labels."""
    async with services.read_reports() as session:
        return await contact_reason_choices(session)


@api.get("/export/{table}", response_class=Response,
         responses={200: {"content": {"text/csv": {}}, "description": "the table as CSV"}})
async def export_table(table: TableName, agent: ApiManager, services: ServicesDep,
                       report: Filter) -> Response:
    """Any report table as a CSV download."""
    async with services.read_reports() as session:
        body = as_csv(await MORE_TABLES[table](session, report) if table in MORE_TABLES
                      else await report_table(session, table, report))
    name = f"walletdesk-{table}-{report.start.isoformat()}-{report.end.isoformat()}.csv"
    return Response(body, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _typed_id(value: str | None) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 10 else None


def as_typed(typed: dict[str, str | None]) -> SimpleNamespace:
    """A refused filter as the form shows it again: every value as sent (ids that are not
    numbers match no option)."""
    return SimpleNamespace(
        start=typed["start"] or typed["from"] or "", end=typed["end"] or typed["to"] or "",
        timezone=typed["tz"] or "", channel=typed["channel"], language=typed["language"],
        category=typed["category"], team_id=_typed_id(typed["team_id"]),
        agent_id=_typed_id(typed["agent_id"]), label_id=_typed_id(typed["label_id"]))


@pages.get("/reports", response_class=HTMLResponse)
async def reports_page(request: Request, agent: PageManager, services: ServicesDep,
                       signer: SignerDep, templates: TemplatesDep, typed: Typed,
                       rating: Annotated[list[Rating] | None, Query(max_length=5)] = None,
                       q: Annotated[str | None, Query(max_length=100)] = None) -> Response:
    """The page's filters and period at once; each panel is fetched on its own
    (``reports_panel``) by the page's script. Filters that cannot be used (a day that does
    not exist, an end before the start) are said on the page, above the form as typed; no
    report is shown for them rather than another period's."""
    error: Invalid | None = None
    async with services.read_reports() as session:
        filter_values = await filter_choices(session)
        try:
            report = parse_typed(typed)
            await check_filter_ids(session, report)  # an unknown team: not "all teams"
        except Invalid as exc:
            error = exc
    if error is not None:
        filter_values.reasons, reason_chosen = chosen_reason(filter_values.reasons,
                                                             typed["reason"])
        return templates.TemplateResponse(request, "reports/index.html", {
            "agent": agent, "csrf_token": signer.csrf_token(request.state.session),
            "error": refusal(request, error), "report": as_typed(typed), "choices": filter_values,
            "reason_chosen": reason_chosen}, status_code=422)
    # the reason asked for may be another code of an offered one (the label "Security")
    filter_values.reasons, reason_chosen = chosen_reason(filter_values.reasons, report.reason)
    query = report.query_string()
    comment_query = {"rating": rating or [], "q": q or ""}
    return templates.TemplateResponse(request, "reports/index.html", {
        "agent": agent, "csrf_token": signer.csrf_token(request.state.session),
        "report": report, "period": period_of(report),
        "previous_period": period_of(report.previous()), "choices": filter_values,
        "reason_chosen": reason_chosen, "query": query, "panels": PANELS, "comment_filter": comment_query,
        "panel_query": {panel: urlencode({**query, **comment_query} if panel == "comments"
                                         else query, doseq=True) for panel in PANELS}})


@pages.get("/reports/panels/{panel}", response_class=HTMLResponse)
async def reports_panel(request: Request, panel: PanelName, agent: PageManager,
                        services: ServicesDep, templates: TemplatesDep, report: Filter,
                        rating: Annotated[list[Rating] | None, Query(max_length=5)] = None,
                        q: Annotated[str | None, Query(max_length=100)] = None) -> Response:
    """One panel of the reports page as an HTML fragment: one report (and the figures
    its charts draw, as JSON in the fragment)."""
    options = PanelOptions(ratings=rating, search=q)
    async with services.read_reports() as session:
        data = await panel_report(session, panel, report, options)
    return templates.TemplateResponse(request, "reports/panel.html", {
        "panel": panel, "data": data, "report": report, "query": report.query_string(),
        "comment_filter": {"rating": rating or [], "q": q or ""},
        "chart_data": data.model_dump(mode="json", include=CHARTED[panel])
        if panel in CHARTED else None},
        headers={"Cache-Control": "no-store"})


router.include_router(api)
router.include_router(choices)
router.include_router(pages)
