"""Incidents: announcements and spike alerts.

- ``/api/v1/announcements…`` and ``/api/v1/spike-alerts…``: supervisors and admins (and their
  API tokens); an agent links a conversation they may see to an announcement.
- ``/admin/incidents…``: the same for people (supervisors and admins).
- ``/status`` (public): current and past incidents in the visitor's language;
  ``/status/active`` (public JSON): what the widget and help-centre banners show.
"""

from datetime import UTC, datetime
from typing import Annotated, Any, Literal, cast

from fastapi import APIRouter, Query, Request, status
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import AwareDatetime, BaseModel, Field

from walletdesk import i18n
from walletdesk.conversations.contact_reasons import contact_reason_choices
from walletdesk.conversations.queries import conversation_for_agent
from walletdesk.conversations.reasons import chosen_reason, merged_reasons
from walletdesk.errors import DomainError, Invalid
from walletdesk.incidents import actions
from walletdesk.incidents.alerts import handle_alert
from walletdesk.incidents.models import IncidentStatus, LinkSource, Severity
from walletdesk.incidents.queries import (
    active_announcements,
    alert_payloads,
    announcement_history,
    announcement_payload,
    get_announcement,
    linked_counts,
    list_alerts,
    list_announcements,
    open_alert_count,
)
from walletdesk.incidents.texts import severity_name, status_name
from walletdesk.incidents.vocabulary import TERMS
from walletdesk.web.deps import (
    ApiAgent,
    ApiManager,
    PageManager,
    RowId,
    ServicesDep,
    SignerDep,
    TemplatesDep,
)
from walletdesk.web.forms import NO_DRAFT, Draft, typed
from walletdesk.web.localization import (
    customer_language_choices,
    request_locale,
    use_customer_locale,
)
from walletdesk.web.routes.refusals import refusal

MAX_LOCALES = 12


class AnnouncementTextIn(BaseModel):
    title: str = Field(min_length=1, max_length=actions.MAX_TITLE_CHARS)
    body: str = Field(default="", max_length=actions.MAX_BODY_CHARS)


class AnnouncementIn(BaseModel):
    texts: dict[Annotated[str, Field(max_length=16)], AnnouncementTextIn] = Field(
        min_length=1, max_length=MAX_LOCALES, description="title and body per locale "
        "(zh-Hans, zh-Hant, en, es …); the other Chinese script is converted when missing")
    severity: Severity = Severity.minor
    affected: list[Annotated[str, Field(max_length=40)]] = Field(
        default_factory=list, max_length=len(TERMS),
        description="chain/asset/feature keys: " + ", ".join(t.key for t in TERMS))
    contact_reasons: list[Annotated[str, Field(max_length=80)]] = Field(
        default_factory=list, max_length=actions.MAX_REASONS)
    starts_at: AwareDatetime | None = Field(default=None, description="default: now")
    ends_at: AwareDatetime | None = Field(default=None, description="default: until resolved")
    published: bool = Field(default=False, description="false: a draft nobody outside sees")

    def fields(self) -> actions.AnnouncementFields:
        return actions.AnnouncementFields(
            texts={locale: (t.title, t.body) for locale, t in self.texts.items()},
            severity=self.severity, affected=self.affected,
            contact_reasons=self.contact_reasons, starts_at=self.starts_at,
            ends_at=self.ends_at, published=self.published)


class StatusIn(BaseModel):
    status: Literal["identified", "monitoring", "resolved"]
    notes: dict[Annotated[str, Field(max_length=16)],
                Annotated[str, Field(max_length=actions.MAX_NOTE_CHARS)]] = Field(
        default_factory=dict, max_length=MAX_LOCALES, description="a note per locale")


class StepOut(BaseModel):
    status: str
    notes: dict[str, str]
    at: datetime


class TextOut(BaseModel):
    title: str
    body: str


class AnnouncementOut(BaseModel):
    id: int
    severity: str
    status: str
    published: bool
    affected: list[str]
    contact_reasons: list[str]
    starts_at: datetime
    ends_at: datetime | None
    created_at: datetime
    updated_at: datetime
    published_at: datetime | None
    resolved_at: datetime | None
    texts: dict[str, TextOut]
    history: list[StepOut]
    conversations: int = Field(description="conversations that asked about it")
    told: int = Field(description="of them, told of the resolution")


class SignalOut(BaseModel):
    kind: Literal["reason", "term"]
    key: str
    label: str
    observed: int
    expected: float = Field(description="the usual count (median of the same time of week)")
    threshold: int
    score: float = Field(description="robust deviations above the usual count")


class SampleOut(BaseModel):
    message_id: int
    conversation_id: int | None
    text: str = Field(description="as stored: recovery phrases and keys already removed")


class AlertOut(BaseModel):
    id: int
    interval_start: datetime
    interval_end: datetime
    signals: list[SignalOut]
    samples: list[SampleOut]
    status: str
    announcement_id: int | None = Field(description="the proposed announcement")
    intervals: int = Field(description="intervals it stayed high")
    created_at: datetime
    updated_at: datetime


class AlertIn(BaseModel):
    status: Literal["acknowledged", "dismissed"]


class LinkOut(BaseModel):
    linked: bool = Field(description="false: it already was")


api = APIRouter(prefix="/api/v1", tags=["incidents"])
pages = APIRouter(prefix="/admin/incidents", include_in_schema=False)
public = APIRouter(include_in_schema=False)


async def _payload(services: Any, announcement_id: int) -> dict[str, object]:
    async with services.read() as session:
        return await announcement_payload(session,
                                          await get_announcement(session, announcement_id))


@api.get("/announcements", response_model=list[AnnouncementOut])
async def announcements(manager: ApiManager, services: ServicesDep) -> Any:
    """Every announcement, drafts included, newest first."""
    async with services.read() as session:
        return [await announcement_payload(session, a) for a in await list_announcements(session)]


@api.post("/announcements", response_model=AnnouncementOut,
          status_code=status.HTTP_201_CREATED)
async def create_announcement(body: AnnouncementIn, manager: ApiManager,
                              services: ServicesDep) -> Any:
    async with services.transaction() as session:
        announcement = await actions.create_announcement(session, manager, body.fields())
    return await _payload(services, announcement.id)


@api.get("/announcements/{announcement_id}", response_model=AnnouncementOut)
async def announcement(announcement_id: RowId, manager: ApiManager,
                       services: ServicesDep) -> Any:
    return await _payload(services, announcement_id)


@api.put("/announcements/{announcement_id}", response_model=AnnouncementOut)
async def update_announcement(announcement_id: RowId, body: AnnouncementIn,
                              manager: ApiManager, services: ServicesDep) -> Any:
    """Replace texts, severity, what it affects and the window; publish or unpublish."""
    async with services.transaction() as session:
        await actions.update_announcement(session, manager, announcement_id, body.fields())
    return await _payload(services, announcement_id)


@api.post("/announcements/{announcement_id}/status", response_model=AnnouncementOut)
async def advance_announcement(announcement_id: RowId, body: StatusIn, manager: ApiManager,
                               services: ServicesDep) -> Any:
    """Move forward (investigating → identified → monitoring → resolved). Resolving tells
    the customers who asked about it, once each, in their channel and language."""
    async with services.transaction() as session:
        await actions.advance_announcement(session, manager, announcement_id, body.status,
                                           body.notes)
    return await _payload(services, announcement_id)


@api.post("/conversations/{conversation_id}/announcements/{announcement_id}",
          response_model=LinkOut)
async def link_announcement(conversation_id: RowId, announcement_id: RowId, agent: ApiAgent,
                            services: ServicesDep) -> Any:
    """The agent answered this conversation about the announcement: its customer is told
    when it is resolved."""
    async with services.transaction() as session:
        conversation = await conversation_for_agent(session, agent, conversation_id)
        await get_announcement(session, announcement_id)
        return {"linked": await actions.link_conversation(session, announcement_id,
                                                          conversation.id, LinkSource.agent)}


@api.get("/spike-alerts", response_model=list[AlertOut])
async def spike_alerts(manager: ApiManager, services: ServicesDep,
                       status_: Annotated[Literal["open", "acknowledged", "dismissed"] | None,
                                          Query(alias="status")] = None) -> Any:
    """The detector's alerts, newest first, with sample messages."""
    async with services.read() as session:
        return await alert_payloads(session, await list_alerts(session, status=status_))


@api.post("/spike-alerts/{alert_id}", response_model=AlertOut)
async def update_spike_alert(alert_id: RowId, body: AlertIn, manager: ApiManager,
                             services: ServicesDep) -> Any:
    async with services.transaction() as session:
        alert = await handle_alert(session, manager, alert_id, body.status)
        return (await alert_payloads(session, [alert]))[0]


# --- the admin pages ------------------------------------------------------------------------

def _when(value: object) -> datetime | None:
    text = str(value or "").strip()
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise Invalid("not a date and time: {text}", text=repr(text[:30])) from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _form_fields(form: Any) -> actions.AnnouncementFields:
    return actions.AnnouncementFields(
        texts={locale: (str(form.get(f"title_{locale}", "")), str(form.get(f"body_{locale}", "")))
               for locale in i18n.SUPPORTED},
        severity=str(form.get("severity", "minor")),
        affected=[str(v) for v in form.getlist("affected")],
        contact_reasons=[str(v) for v in form.getlist("contact_reasons")],
        starts_at=_when(form.get("starts_at")), ends_at=_when(form.get("ends_at")),
        published=form.get("published") == "on")


async def _page(request: Request, agent: Any, services: Any, signer: Any, templates: Any,
                error: str | None = None, status_code: int = 200,
                draft: Draft = NO_DRAFT) -> Response:
    """The incidents page; ``draft``: the new announcement as typed when it was refused."""
    async with services.read() as session:
        alerts = await alert_payloads(session, await list_alerts(session))
        rows = await list_announcements(session)
        counts = await linked_counts(session, [a.id for a in rows])
        reasons = merged_reasons(await contact_reason_choices(session))  # each reason once
    return templates.TemplateResponse(request, "admin/incidents.html", {
        "agent": agent, "alerts": alerts, "announcements": rows, "counts": counts,
        "terms": TERMS, "reasons": reasons, "locales": i18n.SUPPORTED,
        "severities": list(Severity), "status_name": status_name,
        "severity_name": severity_name, "error": error, "a": None, "draft": draft,
        "csrf_token": signer.csrf_token(request.state.session)}, status_code=status_code)


async def _edit_page(request: Request, agent: Any, services: Any, signer: Any, templates: Any,
                     announcement_id: int, error: str | None = None,
                     status_code: int = 200, draft: Draft = NO_DRAFT) -> Response:
    """An announcement's page; ``draft``: its "status" or "edit" form as typed when it was
    refused."""
    async with services.read() as session:
        payload = await announcement_payload(session,
                                             await get_announcement(session, announcement_id))
        reasons = merged_reasons(await contact_reason_choices(session))  # each reason once
    # a stored code may be another code of an offered reason (the label "Security"): that
    # reason is checked; one no longer offered (its label deleted) is added, so it stays
    checked = []
    for stored in cast(list[str], payload["contact_reasons"]):
        reasons, code = chosen_reason(reasons, stored)
        checked.append(code)
    current = IncidentStatus(str(payload["status"]))
    later = list(IncidentStatus)[list(IncidentStatus).index(current) + 1:]
    return templates.TemplateResponse(request, "admin/announcement.html", {
        "agent": agent, "a": payload, "terms": TERMS,
        "reasons": reasons, "reasons_checked": checked,
        "locales": i18n.SUPPORTED, "severities": list(Severity), "later": later,
        "status_name": status_name, "severity_name": severity_name, "error": error,
        "draft": draft.among(["edit", *(["status"] if later else [])]),
        "csrf_token": signer.csrf_token(request.state.session)}, status_code=status_code)


@pages.get("", response_class=HTMLResponse)
async def incidents_page(request: Request, agent: PageManager, services: ServicesDep,
                         signer: SignerDep, templates: TemplatesDep) -> Response:
    return await _page(request, agent, services, signer, templates)


@pages.post("/announcements")
async def create_announcement_page(request: Request, agent: PageManager, services: ServicesDep,
                                   signer: SignerDep, templates: TemplatesDep) -> Response:
    form = await request.form()
    try:
        async with services.transaction() as session:
            created = await actions.create_announcement(session, agent, _form_fields(form))
    except DomainError as exc:
        return await _page(request, agent, services, signer, templates, refusal(request, exc),
                           422, typed(form, "new"))
    return RedirectResponse(f"/admin/incidents/announcements/{created.id}", status_code=303)


@pages.get("/announcements/{announcement_id}", response_class=HTMLResponse)
async def announcement_page(announcement_id: RowId, request: Request, agent: PageManager,
                            services: ServicesDep, signer: SignerDep,
                            templates: TemplatesDep) -> Response:
    return await _edit_page(request, agent, services, signer, templates, announcement_id)


@pages.post("/announcements/{announcement_id}")
async def update_announcement_page(announcement_id: RowId, request: Request,
                                   agent: PageManager, services: ServicesDep,
                                   signer: SignerDep, templates: TemplatesDep) -> Response:
    form = await request.form()
    try:
        async with services.transaction() as session:
            await actions.update_announcement(session, agent, announcement_id,
                                              _form_fields(form))
    except DomainError as exc:
        return await _edit_page(request, agent, services, signer, templates, announcement_id,
                                refusal(request, exc), 422, typed(form, "edit"))
    return RedirectResponse(f"/admin/incidents/announcements/{announcement_id}",
                            status_code=303)


@pages.post("/announcements/{announcement_id}/status")
async def advance_announcement_page(announcement_id: RowId, request: Request,
                                    agent: PageManager, services: ServicesDep,
                                    signer: SignerDep, templates: TemplatesDep) -> Response:
    form = await request.form()
    try:
        async with services.transaction() as session:
            await actions.advance_announcement(
                session, agent, announcement_id, str(form.get("status", "")),
                {locale: str(form.get(f"note_{locale}", "")) for locale in i18n.SUPPORTED})
    except DomainError as exc:
        return await _edit_page(request, agent, services, signer, templates, announcement_id,
                                refusal(request, exc), 422, typed(form, "status"))
    return RedirectResponse(f"/admin/incidents/announcements/{announcement_id}",
                            status_code=303)


@pages.post("/alerts/{alert_id}")
async def handle_alert_page(alert_id: RowId, request: Request, agent: PageManager,
                            services: ServicesDep, signer: SignerDep,
                            templates: TemplatesDep) -> Response:
    form = await request.form()
    try:
        async with services.transaction() as session:
            await handle_alert(session, agent, alert_id, str(form.get("status", "")))
    except DomainError as exc:
        return await _page(request, agent, services, signer, templates, refusal(request, exc),
                           422)
    return RedirectResponse("/admin/incidents", status_code=303)


@pages.get("/badge")
async def alert_badge(request: Request, agent: PageManager, services: ServicesDep) -> Response:
    """The workspace's badge: how many alerts are open (supervisors and admins), and its
    words in the reader's language with the number's plural form."""
    async with services.read() as session:
        count = await open_alert_count(session)
    text = i18n.translations(request_locale(request)).ngettext(
        "⚠ {n} incident alert", "⚠ {n} incident alerts", count).format(n=count)
    return JSONResponse({"open": count, "text": text}, headers={"Cache-Control": "no-store"})


# --- public ---------------------------------------------------------------------------------

@public.get("/status", response_class=HTMLResponse)
async def status_page(request: Request, services: ServicesDep, templates: TemplatesDep,
                      lang: Annotated[str | None, Query(max_length=35)] = None) -> Response:
    """Current and past incidents, in the visitor's language."""
    language = use_customer_locale(request, lang)
    default = services.settings.default_language
    async with services.read() as session:
        history = await announcement_history(session, language, default=default)
    current = [a for a in history if a.status != IncidentStatus.resolved
               and a.starts_at <= datetime.now(UTC)
               and (a.ends_at is None or a.ends_at > datetime.now(UTC))]
    return templates.TemplateResponse(request, "status.html", {
        "lang": language, "languages": customer_language_choices(), "path": "/status",
        "current": current, "past": [a for a in history if a not in current]},
        headers={"Vary": "Accept-Language"})


@public.get("/status/active")
async def active_status(request: Request, services: ServicesDep,
                        lang: Annotated[str | None, Query(max_length=35)] = None) -> Response:
    """The banners' data: published, unresolved announcements in the visitor's language."""
    language = use_customer_locale(request, lang)
    async with services.read() as session:
        found = await active_announcements(session, language,
                                           default=services.settings.default_language)
    return JSONResponse({"locale": language, "status_url": f"/status?lang={language}",
                         "announcements": [a.as_json() for a in found]},
                        headers={"Vary": "Accept-Language", "Cache-Control": "max-age=30"})


router = APIRouter()
router.include_router(api)
router.include_router(pages)
router.include_router(public)
