"""The agent workspace's day-one tools in /api/v1: snooze, bulk actions, notification
preferences, @mentions and editing a customer's details (docs/workspace.md).

Each handler parses, names its access rule in its signature and calls one domain function;
the finer rules (whose conversation, which role may edit) live in those functions.
"""

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field

from walletdesk.accounts.preferences import (
    notification_preferences,
    update_notification_preferences,
)
from walletdesk.conversations.bulk import MAX_BULK, bulk_update
from walletdesk.conversations.mentions import (
    mark_mentions_read,
    mentionable_agents,
    unread_mentions,
)
from walletdesk.conversations.messages import conversation_payload
from walletdesk.conversations.snooze import snooze_conversation, unsnooze_conversation
from walletdesk.customers.edits import update_customer_details
from walletdesk.web.deps import ApiAgent, ApiStaff, RowId, ServicesDep
from walletdesk.web.localization import request_locale
from walletdesk.web.schemas import Id, Json

router = APIRouter(prefix="/api/v1", tags=["workspace"])


class SnoozeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # when to bring it back (with a time zone); null: when the customer writes again
    until: datetime | None = None


class BulkIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    action: str = Field(min_length=1, max_length=40)
    conversation_ids: list[Id] = Field(min_length=1, max_length=MAX_BULK)
    # the action's own parameters: {"agent_id": 3} to assign, {"until": "…"} to snooze
    params: dict[str, Any] = Field(default_factory=dict)


class PreferencesIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sound: bool | None = None
    desktop: bool | None = None
    on_offered: bool | None = None
    on_customer_message: bool | None = None
    on_mention: bool | None = None


class MentionsReadIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    conversation_id: Id | None = None
    mention_ids: list[Id] | None = Field(default=None, max_length=500)


class CustomerEditIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    display_name: str | None = Field(default=None, max_length=120)
    email: str | None = Field(default=None, max_length=254)
    note: str | None = Field(default=None, max_length=2000)
    language: str | None = Field(default=None, max_length=16)


# --- snooze and bulk actions ----------------------------------------------------------------

@router.post("/conversations/{conversation_id}/snooze")
async def snooze(conversation_id: RowId, body: SnoozeIn, agent: ApiAgent,
                 services: ServicesDep) -> Json:
    """Out of the active views until ``until`` or the customer's next message."""
    return conversation_payload(
        await snooze_conversation(services, agent, conversation_id, until=body.until), agent)


@router.post("/conversations/{conversation_id}/unsnooze")
async def unsnooze(conversation_id: RowId, agent: ApiAgent, services: ServicesDep) -> Json:
    return conversation_payload(await unsnooze_conversation(services, agent, conversation_id),
                                agent)


@router.post("/conversations/bulk")
async def bulk(body: BulkIn, agent: ApiAgent, services: ServicesDep, request: Request) -> Json:
    """One action on each selected conversation: ``done`` ids, and ``failed`` id → reason,
    in the reader's language as a refusal is (the agent's; a token's client, English unless
    its Accept-Language asks)."""
    result = await bulk_update(services, agent, body.conversation_ids, body.action, body.params)
    locale = request_locale(request)
    return {"done": result.done,
            "failed": [{"conversation_id": k, "detail": v.translated(locale)}
                       for k, v in result.failed.items()]}


# --- the signed-in agent's notifications ------------------------------------------------------

@router.get("/me/notification-preferences")
async def get_preferences(agent: ApiAgent, services: ServicesDep) -> dict[str, bool]:
    return await notification_preferences(services, agent)


@router.put("/me/notification-preferences")
async def put_preferences(body: PreferencesIn, agent: ApiAgent,
                          services: ServicesDep) -> dict[str, bool]:
    return await update_notification_preferences(services, agent,
                                                 body.model_dump(exclude_none=True))


@router.get("/me/mentions")
async def mentions(agent: ApiAgent, services: ServicesDep) -> list[Json]:
    """The agent's unread @mentions in internal notes, newest first."""
    return await unread_mentions(services, agent)


@router.get("/conversations/{conversation_id}/mentionable")
async def mentionable(conversation_id: RowId, agent: ApiAgent, services: ServicesDep) -> list[Json]:
    """The colleagues a note in this conversation can @mention: those who may see it."""
    return await mentionable_agents(services, agent, conversation_id)


@router.post("/me/mentions/read")
async def mentions_read(body: MentionsReadIn, agent: ApiAgent, services: ServicesDep) -> Json:
    """Mark mentions read: of one conversation, the ids given, or (neither) all."""
    count = await mark_mentions_read(services, agent, conversation_id=body.conversation_id,
                                     mention_ids=body.mention_ids)
    return {"marked": count}


# --- the customer's details (side panel) ------------------------------------------------------

@router.patch("/customers/{customer_id}")
async def edit_customer(customer_id: RowId, body: CustomerEditIn, agent: ApiStaff,
                        services: ServicesDep) -> Json:
    """Correct the customer's name or e-mail, or their private note (not outsourced agents)."""
    return await update_customer_details(services, agent, customer_id,
                                         body.model_dump(exclude_unset=True))
