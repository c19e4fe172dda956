"""Canned replies: the REST API (/api/v1/canned-replies, and the reply box's picker at
/api/v1/conversations/{id}/canned-replies) and the page /app/canned-replies.

Access: every agent (outsourced too) keeps personal replies and uses the replies they see
(walletdesk.macros.queries); supervisors and admins write the shared ones (per team or for
everyone). Those rules depend on the reply, so the actions check them.
"""

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from walletdesk import i18n
from walletdesk.accounts.access import is_manager
from walletdesk.accounts.queries import list_teams
from walletdesk.errors import DomainError, Invalid
from walletdesk.i18n import N_
from walletdesk.macros import actions
from walletdesk.macros.models import Scope
from walletdesk.macros.queries import (
    canned_reply_payload,
    get_canned_reply,
    list_canned_replies,
    replies_for_conversation,
)
from walletdesk.macros.render import PLACEHOLDERS
from walletdesk.web.deps import ApiAgent, PageAgent, RowId, ServicesDep, SignerDep, TemplatesDep
from walletdesk.web.forms import NO_DRAFT, Draft, typed
from walletdesk.web.routes.refusals import refusal, said
from walletdesk.web.schemas import MAX_ROW_ID, Id

ReplyText = Annotated[str, Field(max_length=20_000)]


class CannedReplyIn(BaseModel):
    shortcut: str = Field(min_length=1, max_length=41, examples=["greeting"],
                          description='typed after "/" in the reply box')
    title: str = Field(min_length=1, max_length=120)
    scope: Scope = Field(default=Scope.personal, description="personal (yours only), team "
                         "(its members; supervisors and admins) or everyone")
    team_id: Id | None = None
    texts: dict[str, ReplyText] = Field(
        min_length=1, max_length=10, examples=[{"en": "Hi {{customer_name}}, I'm {{agent_name}}.",
                                                "zh-Hans": "{{customer_name}}您好，我是{{agent_name}}。"}],
        description="the reply per language (zh-Hans, zh-Hant, en, es); placeholders: "
                    + ", ".join("{{" + name + "}}" for name in PLACEHOLDERS))


class CannedReplyOut(BaseModel):
    id: int
    shortcut: str
    title: str
    scope: Scope
    team_id: int | None
    owner_agent_id: int | None
    texts: dict[str, str]
    can_manage: bool
    updated_at: datetime
    secrets_removed: int = Field(default=0, description="seed phrases or keys replaced in "
                                 "the texts just saved (the protect step)")


class CannedReplyFilled(BaseModel):
    id: int
    shortcut: str
    title: str
    scope: Scope
    language: str = Field(description="the variant used for the conversation's language")
    text: str = Field(description="placeholders filled in for this conversation and agent")


api = APIRouter(prefix="/api/v1", tags=["canned replies"])
pages = APIRouter(prefix="/app/canned-replies", include_in_schema=False)


def _out(saved: actions.SavedReply, agent: Any) -> dict[str, Any]:
    return {**canned_reply_payload(saved.reply, agent), "secrets_removed": saved.secrets_removed}


@api.get("/canned-replies", response_model=list[CannedReplyOut])
async def canned_replies(agent: ApiAgent, services: ServicesDep,
                         q: str | None = Query(None, max_length=100)) -> Any:
    """The replies you see: yours, your teams' (all teams' for managers) and everyone's."""
    async with services.read() as session:
        return [canned_reply_payload(reply, agent)
                for reply in await list_canned_replies(session, agent, q)]


@api.post("/canned-replies", response_model=CannedReplyOut,
          status_code=status.HTTP_201_CREATED)
async def create_canned_reply(body: CannedReplyIn, agent: ApiAgent,
                              services: ServicesDep) -> Any:
    return _out(await actions.create_canned_reply(services, agent, **body.model_dump()), agent)


@api.get("/canned-replies/{reply_id}", response_model=CannedReplyOut)
async def canned_reply(reply_id: RowId, agent: ApiAgent, services: ServicesDep) -> Any:
    async with services.read() as session:
        return canned_reply_payload(await get_canned_reply(session, agent, reply_id), agent)


@api.put("/canned-replies/{reply_id}", response_model=CannedReplyOut)
async def update_canned_reply(reply_id: RowId, body: CannedReplyIn, agent: ApiAgent,
                              services: ServicesDep) -> Any:
    """Replace the reply (a language left out of ``texts`` is removed)."""
    return _out(await actions.update_canned_reply(services, agent, reply_id,
                                                  **body.model_dump()), agent)


@api.delete("/canned-replies/{reply_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_canned_reply(reply_id: RowId, agent: ApiAgent, services: ServicesDep) -> None:
    await actions.delete_canned_reply(services, agent, reply_id)


@api.get("/conversations/{conversation_id}/canned-replies",
         response_model=list[CannedReplyFilled])
async def conversation_canned_replies(conversation_id: RowId, agent: ApiAgent,
                                      services: ServicesDep,
                                      q: str | None = Query(None, max_length=100)) -> Any:
    """Replies matching ``q`` (shortcut, title or text), ready to send in this conversation:
    its language's variant, placeholders filled (the customer's name left out for outsourced
    agents, who may see it masked only)."""
    async with services.read() as session:
        return await replies_for_conversation(session, agent, conversation_id, q,
                                              services.settings.default_language)


# --- the page -------------------------------------------------------------------------------

def _status(exc: Exception) -> int:
    return {"not_found": 404, "forbidden": 403}.get(getattr(exc, "code", ""), 422)


def _draft(form: Any) -> dict[str, Any]:
    """What the agent typed (a team id only when it can be one): the fields to save."""
    team = str(form.get("team_id", "")).strip()
    return {"shortcut": str(form.get("shortcut", "")), "title": str(form.get("title", "")),
            "scope": str(form.get("scope", "personal")),
            "team_id": int(team) if team.isdigit() and 0 < int(team) <= MAX_ROW_ID else None,
            "texts": {language: str(form.get(f"text_{language}", ""))
                      for language in i18n.SUPPORTED}}


def _form_fields(form: Any) -> dict[str, Any]:
    fields = _draft(form)
    if str(form.get("team_id", "")).strip() and fields["team_id"] is None:
        raise Invalid("pick a team from the list")
    return fields


async def _page(request: Request, agent: Any, services: Any, signer: Any, templates: Any,
                error: str | None = None, notice: str | None = None,
                status_code: int = 200, draft: Draft = NO_DRAFT) -> Response:
    """The page; a refused form (``draft``: what was typed; its ``which``: the reply edited,
    None for a new one) comes back open with its values and the refusal beside it."""
    async with services.read() as session:
        replies = [canned_reply_payload(r, agent) for r in await list_canned_replies(session,
                                                                                     agent)]
        teams = await list_teams(session)
    # a reply the agent cannot edit (or see) has no form: the refusal shows at the top
    draft = draft.among([None, *(reply["id"] for reply in replies if reply["can_manage"])])
    return templates.TemplateResponse(request, "canned_replies.html", {
        "agent": agent, "replies": replies,
        "teams": teams, "team_names": {t.id: t.name for t in teams},
        "is_manager": is_manager(agent), "languages": i18n.SUPPORTED,
        "placeholders": PLACEHOLDERS, "error": error, "notice": notice, "draft": draft,
        "csrf_token": signer.csrf_token(request.state.session)}, status_code=status_code)


@pages.get("", response_class=HTMLResponse)
async def canned_replies_page(request: Request, agent: PageAgent, services: ServicesDep,
                              signer: SignerDep, templates: TemplatesDep) -> Response:
    notice = (said(request, N_("A seed phrase or private key was removed from the text before "
                               "it was saved.")) if request.query_params.get("protected") else None)
    return await _page(request, agent, services, signer, templates, notice=notice)


async def _save(request: Request, agent: Any, services: Any, signer: Any, templates: Any,
                reply_id: int | None) -> Response:
    form = await request.form()
    try:
        fields = _form_fields(form)
        saved = (await actions.create_canned_reply(services, agent, **fields) if reply_id is None
                 else await actions.update_canned_reply(services, agent, reply_id, **fields))
    except (DomainError, ValueError) as exc:
        return await _page(request, agent, services, signer, templates, refusal(request, exc),
                           status_code=_status(exc), draft=typed(form, reply_id))
    suffix = "?protected=1" if saved.secrets_removed else ""
    return RedirectResponse(f"/app/canned-replies{suffix}", status_code=303)


@pages.post("")
async def create_page(request: Request, agent: PageAgent, services: ServicesDep,
                      signer: SignerDep, templates: TemplatesDep) -> Response:
    return await _save(request, agent, services, signer, templates, None)


@pages.post("/{reply_id}")
async def update_page(reply_id: RowId, request: Request, agent: PageAgent,
                      services: ServicesDep, signer: SignerDep,
                      templates: TemplatesDep) -> Response:
    return await _save(request, agent, services, signer, templates, reply_id)


@pages.post("/{reply_id}/delete")
async def delete_page(reply_id: RowId, request: Request, agent: PageAgent,
                      services: ServicesDep, signer: SignerDep,
                      templates: TemplatesDep) -> Response:
    try:
        await actions.delete_canned_reply(services, agent, reply_id)
    except DomainError as exc:
        return await _page(request, agent, services, signer, templates, refusal(request, exc),
                           status_code=_status(exc))
    return RedirectResponse("/app/canned-replies", status_code=303)


router = APIRouter()
router.include_router(api)
router.include_router(pages)
