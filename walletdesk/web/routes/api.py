"""The REST API, /api/v1: token auth for integrations, session + CSRF for the workspace.

Every endpoint names its access rule in its signature: ApiAgent (any staff), ApiManager
(supervisor or admin) or ApiAdmin.
"""

from collections.abc import AsyncIterator
from dataclasses import asdict
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, Query, Response, status
from fastapi.responses import StreamingResponse

from walletdesk.accounts import actions as accounts
from walletdesk.accounts import two_factor
from walletdesk.accounts.queries import get_agent, get_team, list_agents, list_teams
from walletdesk.audit.queries import export_audit_log
from walletdesk.bot.assist import suggest_articles
from walletdesk.cases.sla import list_sla_policies, save_sla_policy
from walletdesk.complaints import actions as complaint_actions
from walletdesk.complaints import queries as complaint_queries
from walletdesk.conversations import actions as conversations
from walletdesk.conversations.messages import (
    conversation_payload,
    customer_known_data,
    message_payload,
)
from walletdesk.conversations.pages import (
    ListFilter,
    conversation_page,
    export_conversations,
    export_messages,
    message_page,
    parse_moment,
)
from walletdesk.conversations.queries import (
    InboxFilter,
    InboxSort,
    InboxView,
    conversation_for_agent,
    messages_after,
)
from walletdesk.conversations.workspace import customer_profile, inbox, open_conversation
from walletdesk.customers.privacy import erase_customer, export_customer
from walletdesk.followups import actions as followups
from walletdesk.verification.actions import add_official_channel, remove_official_channel
from walletdesk.verification.queries import list_official_channels
from walletdesk.web.deps import (
    MAX_ROW_ID,
    ApiAdmin,
    ApiAgent,
    ApiManager,
    ApiStaff,
    RowId,
    ServicesDep,
)
from walletdesk.web.schemas import (
    AgentCreate,
    AgentOut,
    AgentUpdate,
    AssignIn,
    CallIn,
    ComplaintIn,
    ComplaintOut,
    ComplaintStageIn,
    FollowUpOut,
    InboundIn,
    Json,
    MessageIn,
    OfficialChannelIn,
    PresenceIn,
    ProgrammeIn,
    ProgrammeOut,
    ResolveIn,
    SlaPolicyIn,
    SlaPolicyOut,
    TeamIn,
    TeamOut,
    TeamUpdate,
    TokenCreated,
    TokenIn,
    TransactionEventIn,
)

router = APIRouter(prefix="/api/v1", tags=["api"])


# --- the signed-in agent ------------------------------------------------------------------

@router.get("/me", response_model=AgentOut)
async def me(agent: ApiAgent) -> Any:
    return agent


@router.put("/me/presence", response_model=AgentOut)
async def set_presence(body: PresenceIn, agent: ApiAgent, services: ServicesDep) -> Any:
    return await accounts.set_presence(services, agent.id, body.presence)


@router.post("/me/tokens", response_model=TokenCreated, status_code=status.HTTP_201_CREATED)
async def create_token(body: TokenIn, agent: ApiAgent, services: ServicesDep) -> Any:
    row, token = await accounts.create_api_token(services, agent, body.name, body.scope)
    return TokenCreated(id=row.id, name=row.name, scope=row.scope, token=token)


@router.delete("/me/tokens/{token_id}", status_code=status.HTTP_204_NO_CONTENT)
async def revoke_token(token_id: RowId, agent: ApiAgent, services: ServicesDep) -> None:
    await accounts.revoke_api_token(services, agent, token_id)


# --- conversations ------------------------------------------------------------------------

def list_filter(
    since: str | None = Query(None, max_length=40, description="created at or after (ISO 8601)"),
    until: str | None = Query(None, max_length=40, description="created before (ISO 8601)"),
    channel: str | None = Query(None, max_length=20),
    status: str | None = Query(None, max_length=20, description="the conversation's status"),
    team_id: RowId | None = None, assignee_id: RowId | None = None,
    language: str | None = Query(None, max_length=16),
    label_id: int | None = Query(None, ge=1, le=MAX_ROW_ID, description="only this label"),
) -> ListFilter:
    """The filters of the cursor lists and the bulk exports (docs/api.md)."""
    return ListFilter(since=parse_moment(since, "since"), until=parse_moment(until, "until"),
                      channel=channel, status=status, team_id=team_id, assignee_id=assignee_id,
                      language=language, label_id=label_id)


Listed = Annotated[ListFilter, Depends(list_filter)]
CURSOR_HELP = ("an opaque cursor: empty for the first page, then the X-Next-Cursor header "
               "of the page before; pages every conversation you may see by "
               "(created_at, id), with the filters since, until, channel, status, team_id, "
               "assignee_id, language and label_id (view, q and sort do not apply)")
NEXT_CURSOR = {"X-Next-Cursor": {"description": "the cursor of the next page; absent on the "
                                                "last page", "schema": {"type": "string"}}}


def _paged(response: Response, next_cursor: str | None) -> None:
    if next_cursor is not None:
        response.headers["X-Next-Cursor"] = next_cursor


@router.get("/conversations", responses={200: {"headers": NEXT_CURSOR}})
async def list_conversations(
    agent: ApiAgent, services: ServicesDep, response: Response, listed: Listed,
    view: InboxView = InboxView.mine,
    q: str | None = Query(None, max_length=200), limit: int = Query(50, ge=1, le=1000),
    sort: InboxSort = InboxSort.recent,
    cursor: str | None = Query(None, max_length=200, description=CURSOR_HELP),
) -> list[Json]:
    """The inbox (at most 200 rows, by ``view`` and ``sort``); with ``cursor``, every
    conversation you may see, page after page."""
    if cursor is not None:
        page = await conversation_page(services, agent, listed, cursor, limit)
        _paged(response, page.next_cursor)
        return page.rows
    return await inbox(services, agent, InboxFilter(
        view, listed.team_id, listed.language, q, min(limit, 200), sort,
        label_id=listed.label_id))


@router.get("/conversations/export", response_class=StreamingResponse, responses={200: {
    "content": {"text/csv": {}, "application/x-ndjson": {}},
    "description": "every conversation the filters select, oldest first, streamed"}})
async def conversations_export(manager: ApiManager, services: ServicesDep, listed: Listed,
                               format: Literal["csv", "jsonl"] = "csv") -> StreamingResponse:
    """Bulk export (CSV or JSON lines), streamed in constant memory."""
    return _download(export_conversations(services, manager, listed, format), "conversations",
                     format)


@router.get("/messages", responses={200: {"headers": NEXT_CURSOR}})
async def list_messages(manager: ApiManager, services: ServicesDep, response: Response,
                        listed: Listed, cursor: str = Query("", max_length=200),
                        limit: int = Query(100, ge=1, le=1000)) -> list[Json]:
    """Messages of every conversation the filters select (``since``/``until`` bound the
    messages' own time), by (created_at, id), page after page with ``cursor``."""
    page = await message_page(services, manager, listed, cursor, limit)
    _paged(response, page.next_cursor)
    return page.rows


@router.get("/messages/export", response_class=StreamingResponse, responses={200: {
    "content": {"text/csv": {}, "application/x-ndjson": {}},
    "description": "every message the filters select, oldest first, streamed"}})
async def messages_export(manager: ApiManager, services: ServicesDep, listed: Listed,
                          format: Literal["csv", "jsonl"] = "csv") -> StreamingResponse:
    """Bulk export of messages (internal notes included), streamed in constant memory."""
    return _download(export_messages(services, manager, listed, format), "messages", format)


def _download(body: AsyncIterator[str], name: str, fmt: str) -> StreamingResponse:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return StreamingResponse(
        body, media_type="text/csv; charset=utf-8" if fmt == "csv" else "application/x-ndjson",
        headers={"Content-Disposition": f'attachment; filename="walletdesk-{name}-{stamp}.{fmt}"'})


@router.get("/conversations/{conversation_id}")
async def get_conversation(conversation_id: RowId, agent: ApiAgent, services: ServicesDep) -> Json:
    """The conversation with its customer, other conversations, messages and bot turns."""
    return await open_conversation(services, agent, conversation_id)


@router.get("/conversations/{conversation_id}/suggestions")
async def suggestions(conversation_id: RowId, agent: ApiAgent, services: ServicesDep) -> list[Json]:
    """Knowledge-base articles for the customer's latest questions (agent assist)."""
    return await suggest_articles(services, agent, conversation_id)


@router.get("/conversations/{conversation_id}/messages")
async def get_messages(conversation_id: RowId, agent: ApiAgent, services: ServicesDep,
                       after_seq: int = Query(0, ge=0, le=MAX_ROW_ID)) -> list[Json]:
    async with services.read() as session:
        conversation = await conversation_for_agent(session, agent, conversation_id)
        messages = await messages_after(session, conversation_id, after_seq,
                                        include_internal=True)
        known = customer_known_data(conversation)
        return [message_payload(m, agent, known) for m in messages]


@router.post("/conversations/{conversation_id}/messages", status_code=status.HTTP_201_CREATED)
async def post_message(conversation_id: RowId, body: MessageIn, agent: ApiAgent,
                       services: ServicesDep) -> Json:
    delivered = await conversations.send_message(
        services, agent, conversation_id, body.text, client_id=body.client_id,
        internal=body.internal)
    return {"message": message_payload(delivered.message, agent),
            "duplicate": delivered.duplicate}


@router.post("/conversations/{conversation_id}/assign")
async def assign(conversation_id: RowId, body: AssignIn, agent: ApiAgent,
                 services: ServicesDep) -> Json:
    conversation = await conversations.assign_conversation(
        services, agent, conversation_id, agent_id=body.agent_id, team_id=body.team_id)
    return conversation_payload(conversation, agent)


@router.post("/conversations/{conversation_id}/resolve")
async def resolve(conversation_id: RowId, agent: ApiAgent, services: ServicesDep,
                  body: ResolveIn | None = Body(None)) -> Json:
    """``contact_reason`` (optional): one of GET /api/v1/contact-reasons."""
    return conversation_payload(await conversations.resolve_conversation(
        services, agent, conversation_id,
        contact_reason=body.contact_reason if body else None), agent)


@router.post("/conversations/{conversation_id}/reopen")
async def reopen(conversation_id: RowId, agent: ApiAgent, services: ServicesDep) -> Json:
    return conversation_payload(
        await conversations.reopen_conversation(services, agent, conversation_id), agent)


@router.post("/inbound", status_code=status.HTTP_201_CREATED)
async def inbound(body: InboundIn, agent: ApiManager, services: ServicesDep) -> Json:
    """A customer message from the operator's backend or app (channel "api")."""
    delivered = await conversations.receive_message(services, conversations.InboundMessage(
        channel="api", external_id=body.external_id, text=body.text, client_id=body.client_id,
        customer_name=body.customer_name, language=body.language))
    return {"conversation": conversation_payload(delivered.conversation),
            "message": message_payload(delivered.message), "duplicate": delivered.duplicate}


# --- customers ----------------------------------------------------------------------------

@router.get("/customers/{customer_id}")
async def customer(customer_id: RowId, agent: ApiAgent, services: ServicesDep) -> Json:
    return await customer_profile(services, agent, customer_id)


@router.get("/customers/{customer_id}/export")
async def customer_export(customer_id: RowId, manager: ApiManager, services: ServicesDep) -> Json:
    """Everything held about the customer (GDPR access request); audited."""
    return await export_customer(services, manager.id, customer_id)


@router.post("/customers/{customer_id}/erase", status_code=status.HTTP_204_NO_CONTENT)
async def customer_erase(customer_id: RowId, admin: ApiAdmin, services: ServicesDep) -> None:
    """Remove the customer's personal data and message texts; aggregates stay; audited."""
    await erase_customer(services, admin.id, customer_id)


# --- agents and teams (administration) ------------------------------------------------------

@router.get("/agents", response_model=list[AgentOut])
async def agents(agent: ApiAgent, services: ServicesDep) -> Any:
    async with services.read() as session:
        return await list_agents(session)


@router.post("/agents", response_model=AgentOut, status_code=status.HTTP_201_CREATED)
async def create_agent(body: AgentCreate, admin: ApiAdmin, services: ServicesDep) -> Any:
    async with services.transaction() as session:
        return await accounts.create_agent(session, actor=admin, **body.model_dump())


@router.patch("/agents/{agent_id}", response_model=AgentOut)
async def update_agent(agent_id: RowId, body: AgentUpdate, manager: ApiManager,
                       services: ServicesDep) -> Any:
    changes = body.model_dump(exclude_unset=True)
    accounts.check_agent_change_allowed(manager, changes)
    return await accounts.update_agent(services, manager, agent_id, changes)


@router.post("/agents/{agent_id}/two-factor/reset", status_code=status.HTTP_204_NO_CONTENT)
async def reset_two_factor(agent_id: RowId, admin: ApiAdmin, services: ServicesDep) -> None:
    """A lost phone: the agent sets two-factor login up again at the next sign-in; audited."""
    await two_factor.turn_off(services, admin, agent_id)


@router.get("/agents/{agent_id}", response_model=AgentOut)
async def agent_detail(agent_id: RowId, agent: ApiAgent, services: ServicesDep) -> Any:
    async with services.read() as session:
        return await get_agent(session, agent_id)


@router.get("/teams", response_model=list[TeamOut])
async def teams(agent: ApiAgent, services: ServicesDep) -> Any:
    async with services.read() as session:
        return await list_teams(session)


@router.post("/teams", response_model=TeamOut, status_code=status.HTTP_201_CREATED)
async def create_team(body: TeamIn, manager: ApiManager, services: ServicesDep) -> Any:
    async with services.transaction() as session:
        return await accounts.create_team(session, manager, **body.model_dump())


@router.get("/teams/{team_id}", response_model=TeamOut)
async def team_detail(team_id: RowId, agent: ApiAgent, services: ServicesDep) -> Any:
    async with services.read() as session:
        return await get_team(session, team_id)


@router.patch("/teams/{team_id}", response_model=TeamOut)
async def update_team(team_id: RowId, body: TeamUpdate, manager: ApiManager,
                      services: ServicesDep) -> Any:
    return await accounts.update_team(services, manager, team_id,
                                      body.model_dump(exclude_unset=True))


@router.delete("/teams/{team_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_team(team_id: RowId, admin: ApiAdmin, services: ServicesDep) -> None:
    await accounts.delete_team(services, admin, team_id)


# --- official channels ------------------------------------------------------------------------

@router.get("/sla-policies", response_model=list[SlaPolicyOut])
async def sla_policies(agent: ApiAgent, services: ServicesDep) -> Any:
    async with services.read() as session:
        return await list_sla_policies(session)


@router.post("/sla-policies", response_model=SlaPolicyOut, status_code=status.HTTP_201_CREATED)
async def create_sla_policy(body: SlaPolicyIn, manager: ApiManager, services: ServicesDep) -> Any:
    return await save_sla_policy(services, manager, **body.model_dump())


@router.put("/sla-policies/{policy_id}", response_model=SlaPolicyOut)
async def update_sla_policy(policy_id: RowId, body: SlaPolicyIn, manager: ApiManager,
                            services: ServicesDep) -> Any:
    return await save_sla_policy(services, manager, policy_id, **body.model_dump())


# --- complaints ---------------------------------------------------------------------------

@router.get("/complaints", response_model=list[ComplaintOut])
async def complaints(agent: ApiAgent, services: ServicesDep,
                     stage: str | None = Query(None, max_length=30)) -> Any:
    async with services.read() as session:
        return await complaint_queries.list_complaints(session, agent, stage)


@router.get("/complaints/report")
async def complaints_report(manager: ApiManager, services: ServicesDep,
                            days: int = Query(30, ge=1, le=366)) -> Json:
    """Time spent in each stage by complaints that entered it in the last ``days`` days."""
    async with services.read() as session:
        report = await complaint_queries.stage_durations(
            session, datetime.now(UTC) - timedelta(days=days))
    return {stage: asdict(figures) for stage, figures in report.items()}


@router.post("/conversations/{conversation_id}/complaints", response_model=ComplaintOut,
             status_code=status.HTTP_201_CREATED)
async def create_complaint(conversation_id: RowId, body: ComplaintIn, agent: ApiAgent,
                           services: ServicesDep) -> Any:
    return await complaint_actions.open_complaint(services, agent, conversation_id,
                                                  category=body.category, summary=body.summary)


@router.get("/complaints/{complaint_id}")
async def complaint_detail(complaint_id: RowId, agent: ApiAgent, services: ServicesDep) -> Json:
    async with services.read() as session:
        complaint = await complaint_queries.get_complaint(session, agent, complaint_id)
        history = await complaint_queries.complaint_history(session, complaint.id)
    return {"complaint": ComplaintOut.model_validate(complaint).model_dump(mode="json"),
            "history": [{"stage": e.stage, "actor_agent_id": e.actor_agent_id,
                         "at": e.at.isoformat(), "detail": e.detail} for e in history]}


@router.post("/complaints/{complaint_id}/stage", response_model=ComplaintOut)
async def complaint_stage(complaint_id: RowId, body: ComplaintStageIn, agent: ApiAgent,
                          services: ServicesDep) -> Any:
    fields = body.model_dump(exclude={"stage"}, exclude_none=True)
    return await complaint_actions.advance_complaint(services, agent, complaint_id, body.stage,
                                                     **fields)


# --- follow-up calls ----------------------------------------------------------------------

@router.post("/events/transactions", status_code=status.HTTP_201_CREATED)
async def transaction_event(body: TransactionEventIn, manager: ApiManager,
                            services: ServicesDep) -> Json:
    """The operator's backend reports a transaction; follow-up programmes may call back."""
    created = await followups.record_transaction(
        services, user_id=body.user_id, transaction_id=body.transaction_id, kind=body.type,
        amount=body.amount, asset=body.asset, email=body.email, phone=body.phone,
        name=body.name, language=body.language)
    return {"followups": [f.id for f in created]}


@router.get("/followups", response_model=list[FollowUpOut])
async def followup_calls(agent: ApiStaff, services: ServicesDep, day: date | None = None) -> Any:
    """The day's call list (default today, in the follow-up time zone)."""
    async with services.read() as session:
        rows = await followups.call_list(session, agent, day or datetime.now(UTC).date(),
                                         services.settings.followup_timezone)
    return [followup for followup, _ in rows]


@router.post("/followups/{followup_id}/call", response_model=FollowUpOut)
async def followup_call(followup_id: RowId, body: CallIn, agent: ApiStaff,
                        services: ServicesDep) -> Any:
    return await followups.record_call(services, agent, followup_id, outcome=body.outcome,
                                       satisfaction=body.satisfaction, notes=body.notes,
                                       new_case=body.new_case)


@router.get("/followup-programmes", response_model=list[ProgrammeOut])
async def followup_programmes(manager: ApiManager, services: ServicesDep) -> Any:
    async with services.read() as session:
        return await followups.list_programmes(session)


@router.post("/followup-programmes", response_model=ProgrammeOut,
             status_code=status.HTTP_201_CREATED)
async def create_followup_programme(body: ProgrammeIn, manager: ApiManager,
                                    services: ServicesDep) -> Any:
    return await followups.save_programme(services, manager, **body.model_dump())


@router.put("/followup-programmes/{programme_id}", response_model=ProgrammeOut)
async def update_followup_programme(programme_id: RowId, body: ProgrammeIn, manager: ApiManager,
                                    services: ServicesDep) -> Any:
    return await followups.save_programme(services, manager, programme_id, **body.model_dump())


@router.get("/audit")
async def audit_events(manager: ApiManager, services: ServicesDep,
                       since: datetime | None = None, until: datetime | None = None) -> Json:
    """The audit log between two moments (oldest first); the export itself is audited."""
    return {"events": await export_audit_log(services, manager.id, since, until)}


@router.get("/official-channels")
async def official_channels(agent: ApiAgent, services: ServicesDep) -> list[Json]:
    async with services.read() as session:
        rows = await list_official_channels(session)
    return [{"id": c.id, "kind": c.kind, "value": c.value, "label": c.label} for c in rows]


@router.post("/official-channels", status_code=status.HTTP_201_CREATED)
async def add_official(body: OfficialChannelIn, manager: ApiManager,
                       services: ServicesDep) -> Json:
    channel = await add_official_channel(services, manager, kind=body.kind, value=body.value,
                                         label=body.label)
    return {"id": channel.id, "kind": channel.kind, "value": channel.value,
            "label": channel.label}


@router.delete("/official-channels/{channel_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_official(channel_id: RowId, manager: ApiManager, services: ServicesDep) -> None:
    await remove_official_channel(services, manager, channel_id)
