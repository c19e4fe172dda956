"""Labels: the REST API (/api/v1/labels, /api/v1/conversations/{id}/labels, /api/v1/label-rules)
and the admin page /admin/labels.

Access: every agent reads the labels and labels the conversations they may see; supervisors
and admins define labels and the category rules.
"""

from collections.abc import Hashable
from typing import Annotated, Any

from fastapi import APIRouter, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from walletdesk.complaints.actions import COMPLAINT_CATEGORY
from walletdesk.conversations.queries import conversation_for_agent
from walletdesk.errors import DomainError
from walletdesk.i18n import N_
from walletdesk.labels import actions
from walletdesk.labels.queries import (
    category_choices,
    conversation_labels,
    get_label,
    label_payload,
    list_labels,
    list_rules,
    rule_payload,
)
from walletdesk.verification.actions import SCAM_CATEGORY
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
from walletdesk.web.routes.refusals import refusal, said
from walletdesk.web.schemas import MAX_ROW_ID, Id

Color = Annotated[str, Field(min_length=4, max_length=7, examples=["#1a7f37"])]


class LabelIn(BaseModel):
    name: str = Field(min_length=1, max_length=40)
    color: Color
    description: str = Field(default="", max_length=200)


class LabelUpdate(BaseModel):
    name: str | None = Field(default=None, min_length=1, max_length=40)
    color: Color | None = None
    description: str | None = Field(default=None, max_length=200)


class LabelOut(BaseModel):
    id: int
    name: str
    color: str
    text_color: str = Field(description="black or white: readable on the label's colour")
    description: str


class LabelRuleIn(BaseModel):
    category: str = Field(min_length=1, max_length=40,
                          description="a knowledge-base category the bot matches, or a "
                                      "conversation category such as scam or complaint")
    label_id: Id


class LabelRuleOut(BaseModel):
    id: int
    category: str
    label: LabelOut


api = APIRouter(prefix="/api/v1", tags=["labels"])
pages = APIRouter(prefix="/admin/labels", include_in_schema=False)


@api.get("/labels", response_model=list[LabelOut])
async def labels(agent: ApiAgent, services: ServicesDep) -> Any:
    async with services.read() as session:
        return [label_payload(label) for label in await list_labels(session)]


@api.post("/labels", response_model=LabelOut, status_code=status.HTTP_201_CREATED)
async def create_label(body: LabelIn, manager: ApiManager, services: ServicesDep) -> Any:
    return label_payload(await actions.create_label(services, manager, **body.model_dump()))


@api.patch("/labels/{label_id}", response_model=LabelOut)
async def update_label(label_id: RowId, body: LabelUpdate, manager: ApiManager,
                       services: ServicesDep) -> Any:
    return label_payload(await actions.update_label(
        services, manager, label_id, **body.model_dump(exclude_unset=True)))


@api.delete("/labels/{label_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_label(label_id: RowId, manager: ApiManager, services: ServicesDep) -> None:
    """Removes the label from every conversation and rule."""
    await actions.delete_label(services, manager, label_id)


@api.get("/conversations/{conversation_id}/labels", response_model=list[LabelOut])
async def get_conversation_labels(conversation_id: RowId, agent: ApiAgent,
                                  services: ServicesDep) -> Any:
    async with services.read() as session:
        conversation = await conversation_for_agent(session, agent, conversation_id)
        return [label_payload(label)
                for label in await conversation_labels(session, conversation.id)]


@api.put("/conversations/{conversation_id}/labels/{label_id}", response_model=list[LabelOut])
async def add_conversation_label(conversation_id: RowId, label_id: RowId, agent: ApiAgent,
                                 services: ServicesDep) -> Any:
    """Put the label on the conversation (idempotent); returns the conversation's labels."""
    return [label_payload(label) for label in await actions.add_conversation_label(
        services, agent, conversation_id, label_id)]


@api.delete("/conversations/{conversation_id}/labels/{label_id}",
            response_model=list[LabelOut])
async def remove_conversation_label(conversation_id: RowId, label_id: RowId, agent: ApiAgent,
                                    services: ServicesDep) -> Any:
    """Take the label off; returns the conversation's remaining labels."""
    return [label_payload(label) for label in await actions.remove_conversation_label(
        services, agent, conversation_id, label_id)]


@api.get("/label-rules", response_model=list[LabelRuleOut])
async def label_rules(manager: ApiManager, services: ServicesDep) -> Any:
    async with services.read() as session:
        return [rule_payload(rule, label) for rule, label in await list_rules(session)]


@api.post("/label-rules", response_model=LabelRuleOut, status_code=status.HTTP_201_CREATED)
async def create_label_rule(body: LabelRuleIn, manager: ApiManager,
                            services: ServicesDep) -> Any:
    """Conversations of the category get the label (applied once per conversation, after
    the bot's answer or the category change is committed)."""
    rule = await actions.add_label_rule(services, manager, category=body.category,
                                        label_id=body.label_id)
    async with services.read() as session:
        return rule_payload(rule, await get_label(session, rule.label_id))


@api.delete("/label-rules/{rule_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_label_rule(rule_id: RowId, manager: ApiManager, services: ServicesDep) -> None:
    await actions.delete_label_rule(services, manager, rule_id)


# --- the admin page -------------------------------------------------------------------------

def _row_id(value: object) -> int:
    number = int(str(value or ""))
    if not 1 <= number <= MAX_ROW_ID:
        raise ValueError("not a row id")
    return number


async def _page(request: Request, agent: Any, services: Any, signer: Any, templates: Any,
                error: str | None = None, status_code: int = 200,
                draft: Draft = NO_DRAFT) -> Response:
    """The page; ``draft``: a refused form as typed ("new-label", "new-rule", or the id of
    the label edited), shown open with the refusal beside it."""
    async with services.read() as session:
        rows = await list_labels(session)
        rules = await list_rules(session)
        categories = await category_choices(session, (SCAM_CATEGORY, COMPLAINT_CATEGORY))
    return templates.TemplateResponse(request, "admin/labels.html", {
        "agent": agent, "labels": [label_payload(label) for label in rows],
        "rules": [rule_payload(rule, label) for rule, label in rules],
        "categories": categories, "error": error,
        "draft": draft.among(["new-label", *(["new-rule"] if rows else []),
                              *(label.id for label in rows)]),
        "csrf_token": signer.csrf_token(request.state.session)}, status_code=status_code)


@pages.get("", response_class=HTMLResponse)
async def labels_page(request: Request, agent: PageManager, services: ServicesDep,
                      signer: SignerDep, templates: TemplatesDep) -> Response:
    return await _page(request, agent, services, signer, templates)


async def _form_action(request: Request, agent: Any, services: Any, signer: Any,
                       templates: Any, action: Any, which: Hashable = None) -> Response:
    """Run ``action(form)``; on a refusal show the page again with the reason, and the form
    ``which`` (None: one with nothing typed, a delete button) as it was typed."""
    form = await request.form()
    draft = typed(form, which) if which is not None else NO_DRAFT
    try:
        await action(form)
    except DomainError as exc:
        return await _page(request, agent, services, signer, templates, refusal(request, exc),
                           422, draft)
    except ValueError:
        return await _page(request, agent, services, signer, templates,
                           said(request, N_("pick a label from the list")), 422, draft)
    return RedirectResponse("/admin/labels", status_code=303)


@pages.post("")
async def create_label_page(request: Request, agent: PageManager, services: ServicesDep,
                            signer: SignerDep, templates: TemplatesDep) -> Response:
    return await _form_action(request, agent, services, signer, templates, lambda form: (
        actions.create_label(services, agent, name=str(form.get("name", "")),
                             color=str(form.get("color", "")),
                             description=str(form.get("description", "")))), "new-label")


@pages.post("/rules")
async def create_rule_page(request: Request, agent: PageManager, services: ServicesDep,
                           signer: SignerDep, templates: TemplatesDep) -> Response:
    return await _form_action(request, agent, services, signer, templates, lambda form: (
        actions.add_label_rule(services, agent, category=str(form.get("category", "")),
                               label_id=_row_id(form.get("label_id")))), "new-rule")


@pages.post("/rules/{rule_id}/delete")
async def delete_rule_page(rule_id: RowId, request: Request, agent: PageManager,
                           services: ServicesDep, signer: SignerDep,
                           templates: TemplatesDep) -> Response:
    return await _form_action(request, agent, services, signer, templates,
                              lambda form: actions.delete_label_rule(services, agent, rule_id))


@pages.post("/{label_id}")
async def update_label_page(label_id: RowId, request: Request, agent: PageManager,
                            services: ServicesDep, signer: SignerDep,
                            templates: TemplatesDep) -> Response:
    return await _form_action(request, agent, services, signer, templates, lambda form: (
        actions.update_label(services, agent, label_id, name=str(form.get("name", "")),
                             color=str(form.get("color", "")),
                             description=str(form.get("description", "")))), label_id)


@pages.post("/{label_id}/delete")
async def delete_label_page(label_id: RowId, request: Request, agent: PageManager,
                            services: ServicesDep, signer: SignerDep,
                            templates: TemplatesDep) -> Response:
    return await _form_action(request, agent, services, signer, templates,
                              lambda form: actions.delete_label(services, agent, label_id))


router = APIRouter()
router.include_router(api)
router.include_router(pages)
