"""Bulk actions on conversations selected in the inbox: one domain action applied to each.

Each conversation goes through the same action (and access rule, and audit entry) as when it
is done one at a time, in its own transaction: one refused conversation (not visible, closed,
someone else's) is reported and does not undo the others.

Actions are named in ``BULK_ACTIONS``; each entry turns the request's parameters into the
per-conversation call (assign, resolve, snooze, label and their undoing). Another feature adds
its own with ``register_bulk_action``.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from walletdesk.accounts.models import Agent
from walletdesk.conversations.actions import assign_conversation, resolve_conversation
from walletdesk.conversations.snooze import snooze_conversation, unsnooze_conversation
from walletdesk.errors import DomainError, Invalid
from walletdesk.i18n import Phrase
from walletdesk.labels.actions import add_conversation_label, remove_conversation_label
from walletdesk.services import Services

MAX_BULK = 100

# one conversation's action: (services, actor, conversation id) → anything
ConversationAction = Callable[[Services, Agent, int], Awaitable[object]]
# the request's parameters → that action (raises Invalid for bad parameters)
BulkActionFactory = Callable[[dict[str, Any]], ConversationAction]


@dataclass
class BulkResult:
    done: list[int] = field(default_factory=list)
    # conversation id → why: the refusal's Phrase (English as a string; the page's words with
    # ``translated``)
    failed: dict[int, Phrase] = field(default_factory=dict)


def _id_param(params: dict[str, Any], key: str) -> int:
    value = params.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise Invalid("{key} must be a positive integer", key=key)
    return value


def _assign(params: dict[str, Any]) -> ConversationAction:
    agent_id = _id_param(params, "agent_id")

    async def run(services: Services, actor: Agent, conversation_id: int) -> object:
        return await assign_conversation(services, actor, conversation_id, agent_id=agent_id)
    return run


def _resolve(params: dict[str, Any]) -> ConversationAction:
    return resolve_conversation


def _snooze(params: dict[str, Any]) -> ConversationAction:
    raw = params.get("until")
    if raw is not None and not isinstance(raw, str):
        raise Invalid("until must be an ISO 8601 time, or null for until the customer replies")
    try:
        until = datetime.fromisoformat(raw) if raw else None
    except ValueError as exc:
        raise Invalid("until must be an ISO 8601 time, e.g. 2026-12-01T09:00:00+08:00") from exc

    async def run(services: Services, actor: Agent, conversation_id: int) -> object:
        return await snooze_conversation(services, actor, conversation_id, until=until)
    return run


def _unsnooze(params: dict[str, Any]) -> ConversationAction:
    return unsnooze_conversation


def _label(params: dict[str, Any]) -> ConversationAction:
    label_id = _id_param(params, "label_id")

    async def run(services: Services, actor: Agent, conversation_id: int) -> object:
        return await add_conversation_label(services, actor, conversation_id, label_id)
    return run


def _unlabel(params: dict[str, Any]) -> ConversationAction:
    label_id = _id_param(params, "label_id")

    async def run(services: Services, actor: Agent, conversation_id: int) -> object:
        return await remove_conversation_label(services, actor, conversation_id, label_id)
    return run


BULK_ACTIONS: dict[str, BulkActionFactory] = {
    "assign": _assign, "resolve": _resolve, "snooze": _snooze, "unsnooze": _unsnooze,
    "label": _label, "unlabel": _unlabel,
}


def register_bulk_action(name: str, factory: BulkActionFactory) -> None:
    """Offer another per-conversation action in bulk (e.g. labels)."""
    BULK_ACTIONS[name] = factory


def bulk_action(name: str, params: dict[str, Any]) -> ConversationAction:
    factory = BULK_ACTIONS.get(name)
    if factory is None:
        raise Invalid("unknown bulk action {action}; one of {actions}", action=repr(name),
                      actions=", ".join(sorted(BULK_ACTIONS)))
    return factory(params)


async def apply_to_conversations(services: Services, actor: Agent, conversation_ids: list[int],
                                 action: ConversationAction) -> BulkResult:
    """Run ``action`` on each conversation (in the order given, each once)."""
    ids = list(dict.fromkeys(conversation_ids))
    if not ids:
        raise Invalid("select at least one conversation")
    if len(ids) > MAX_BULK:
        raise Invalid("at most {max} conversations at a time", max=MAX_BULK)
    result = BulkResult()
    for conversation_id in ids:
        try:
            await action(services, actor, conversation_id)
        except DomainError as exc:
            result.failed[conversation_id] = exc.detail
        else:
            result.done.append(conversation_id)
    return result


async def bulk_update(services: Services, actor: Agent, conversation_ids: list[int], name: str,
                      params: dict[str, Any] | None = None) -> BulkResult:
    """The named bulk action (``BULK_ACTIONS``) on the selected conversations."""
    return await apply_to_conversations(services, actor, conversation_ids,
                                        bulk_action(name, params or {}))
