"""An agent's choice of interface language."""

from walletdesk.accounts.models import Agent
from walletdesk.errors import Invalid, NotFound
from walletdesk.i18n import available_locales
from walletdesk.services import Services


async def set_interface_locale(services: Services, agent_id: int, locale: str | None) -> Agent:
    """``locale`` is one of the available catalogs, or None to follow the browser's language."""
    if locale is not None and locale not in available_locales():
        raise Invalid("no interface language {locale}; available: {available}",
                      locale=repr(locale), available=", ".join(available_locales()))
    async with services.transaction() as session:
        agent = await session.get(Agent, agent_id)
        if agent is None:
            raise NotFound("agent not found")
        agent.interface_locale = locale
    return agent
