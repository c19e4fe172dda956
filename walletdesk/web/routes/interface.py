"""The agent's own interface settings: the language of the workspace and admin pages."""

from typing import Annotated

from fastapi import APIRouter, Form
from fastapi.responses import RedirectResponse, Response

from walletdesk.accounts.interface_locale import set_interface_locale
from walletdesk.web.deps import PageAgent, ServicesDep
from walletdesk.web.routes.auth import _safe_next

router = APIRouter(include_in_schema=False)


@router.post("/app/interface-locale")
async def change_interface_locale(agent: PageAgent, services: ServicesDep,
                                  locale: Annotated[str, Form(max_length=16)] = "",
                                  next: Annotated[str, Form(max_length=500)] = "/app") -> Response:
    """Any signed-in agent, for themself only (CSRF-checked form); "" follows the browser."""
    await set_interface_locale(services, agent.id, locale or None)
    return RedirectResponse(_safe_next(next), status_code=303)
