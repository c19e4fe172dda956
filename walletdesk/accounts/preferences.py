"""An agent's notification preferences: what the workspace tells them about, and how.

Stored per agent on the server (``NotificationPreferences``), so they follow the agent from
browser to browser; an agent without a row has the defaults. Each agent edits only their own.
"""

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from walletdesk.accounts.models import Agent, NotificationPreferences
from walletdesk.db.base import utcnow
from walletdesk.errors import Invalid
from walletdesk.services import Services

PREFERENCE_FIELDS = ("sound", "desktop", "on_offered", "on_customer_message", "on_mention")
DEFAULTS = {"sound": True, "desktop": False, "on_offered": True, "on_customer_message": True,
            "on_mention": True}


def preferences_payload(row: NotificationPreferences | None) -> dict[str, bool]:
    if row is None:
        return dict(DEFAULTS)
    return {name: bool(getattr(row, name)) for name in PREFERENCE_FIELDS}


async def load_preferences(session: AsyncSession, agent_id: int) -> NotificationPreferences | None:
    return await session.get(NotificationPreferences, agent_id, populate_existing=True)


async def notification_preferences(services: Services, agent: Agent) -> dict[str, bool]:
    async with services.read() as session:
        return preferences_payload(await load_preferences(session, agent.id))


async def update_notification_preferences(services: Services, agent: Agent,
                                          changes: dict[str, Any]) -> dict[str, bool]:
    """Change some of the agent's own preferences; the others keep their values."""
    unknown = set(changes) - set(PREFERENCE_FIELDS)
    if unknown:
        raise Invalid("unknown preference {name}", name=repr(sorted(unknown)[0]))
    for name, value in changes.items():
        if not isinstance(value, bool):
            raise Invalid("{name} must be true or false", name=name)
    async with services.transaction() as session:
        row = await load_preferences(session, agent.id)
        if row is None:
            row = NotificationPreferences(agent_id=agent.id, **DEFAULTS)
            session.add(row)
        for name, value in changes.items():
            setattr(row, name, value)
        row.updated_at = utcnow()
        await session.flush()
        return preferences_payload(row)
