"""Who may see and do what. Every route checks through these functions."""

from sqlalchemy import ColumnElement, or_, true

from walletdesk.accounts.models import Agent, Role
from walletdesk.conversations.models import Conversation

MANAGER_ROLES = (Role.admin, Role.supervisor)


def is_manager(agent: Agent) -> bool:
    return agent.role in MANAGER_ROLES


def can_view_conversation(agent: Agent, conversation: Conversation) -> bool:
    """Managers see everything; agents see their teams' queues, unrouted and their own."""
    if is_manager(agent):
        return True
    return (
        conversation.assignee_id == agent.id
        or conversation.team_id is None
        or conversation.team_id in agent.team_ids
    )


def visible_conversations(agent: Agent) -> ColumnElement[bool]:
    """The SQL condition matching can_view_conversation."""
    if is_manager(agent):
        return true()
    return or_(
        Conversation.assignee_id == agent.id,
        Conversation.team_id.is_(None),
        Conversation.team_id.in_(agent.team_ids or [-1]),
    )


def sees_personal_data(agent: Agent) -> bool:
    """Outsourced agents see personal data masked."""
    return agent.role != Role.outsourced


def mask_name(name: str | None) -> str:
    """A person's name as an outsourced agent sees it: its first letter only."""
    return name[:1] + "***" if name else ""


def mask_email(email: str | None) -> str | None:
    if not email or "@" not in email:
        return email
    local, _, domain = email.partition("@")
    host, dot, tld = domain.rpartition(".")
    return f"{local[:1]}***@{(host or tld)[:1]}***{dot}{tld if host else ''}"
