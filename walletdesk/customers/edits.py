"""Agents correcting a customer's details from the workspace's side panel: name, e-mail,
language and a private note about them.

The fields are personal data, encrypted at rest like the others (walletdesk.crypto). The
name and the note are free text: secrets (a seed phrase pasted by mistake) are removed before
they are stored (walletdesk.safety.protect). Outsourced agents see personal data masked and may not
edit it; other agents may edit customers whose conversations they can see. Every edit is
audited with the names of the fields changed, never their values; a language an agent set
is kept (it no longer follows the conversations' language, walletdesk.customers.language).
"""

import re
import unicodedata
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from walletdesk import i18n
from walletdesk.accounts.access import is_manager, sees_personal_data, visible_conversations
from walletdesk.accounts.models import Agent
from walletdesk.audit.actions import record_audit
from walletdesk.conversations.models import Conversation
from walletdesk.customers.models import Customer
from walletdesk.customers.queries import get_customer
from walletdesk.customers.views import customer_payload
from walletdesk.errors import Forbidden, Invalid, NotFound
from walletdesk.safety.protect import protect_text
from walletdesk.services import Services

EDITABLE = ("display_name", "email", "note", "language")
NAME_MAX = 120
EMAIL_MAX = 254
NOTE_MAX = 2000
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _clean(value: object, field: str, max_chars: int) -> str:
    if not isinstance(value, str):
        raise Invalid("{field} must be a string", field=field)
    value = unicodedata.normalize("NFC", value).replace("\x00", "").replace("\r\n", "\n").strip()
    if len(value) > max_chars:
        raise Invalid("{field} is longer than {max} characters", field=field, max=max_chars)
    return value


def clean_changes(changes: dict[str, Any]) -> dict[str, str | None]:
    """Validated new values; an empty e-mail or note clears it."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise Invalid("{field} cannot be edited here", field=repr(sorted(unknown)[0]))
    cleaned: dict[str, str | None] = {}
    if "display_name" in changes:
        name = _clean(changes["display_name"], "display_name", NAME_MAX)
        if "\n" in name:
            raise Invalid("display_name must be one line")
        cleaned["display_name"] = protect_text(name).text if name else name
    if "email" in changes:
        email = _clean(changes["email"] or "", "email", EMAIL_MAX)
        if email and not EMAIL.match(email):
            raise Invalid("email is not an e-mail address")
        cleaned["email"] = email or None
    if "note" in changes:
        note = _clean(changes["note"] or "", "note", NOTE_MAX)
        cleaned["note"] = protect_text(note).text if note else None
    if "language" in changes:
        language = changes["language"] or None
        if language is not None and language not in i18n.SUPPORTED:
            raise Invalid("language must be one of {languages}",
                          languages=", ".join(i18n.SUPPORTED))
        cleaned["language"] = language
    return cleaned


async def _editable_customer(session: AsyncSession, actor: Agent, customer_id: int) -> Customer:
    if not is_manager(actor):
        seen = await session.scalar(select(Conversation.id).where(
            Conversation.customer_id == customer_id, visible_conversations(actor)).limit(1))
        if seen is None:  # not theirs to see: as if there were no such customer
            raise NotFound("customer not found")
    return await get_customer(session, customer_id)


async def update_customer_details(services: Services, actor: Agent, customer_id: int,
                                  changes: dict[str, Any]) -> dict[str, Any]:
    """Edit some of the customer's name, e-mail, language and private note; returns the customer as
    the actor sees them."""
    if not sees_personal_data(actor):
        raise Forbidden("outsourced agents may not edit customer details")
    cleaned = clean_changes(changes)
    async with services.transaction() as session:
        customer = await _editable_customer(session, actor, customer_id)
        if customer.erased_at is not None:
            raise Invalid("this customer's personal data was erased")
        changed = [field for field, value in cleaned.items()
                   if (getattr(customer, field) or None) != (value or None)]
        for field in changed:
            setattr(customer, field, cleaned[field] if field != "display_name"
                    else cleaned[field] or "")
        if "email" in changed:
            customer.email_verified_at = None  # the code proved the old address, not this one
        if changed:
            record_audit(session, actor_agent_id=actor.id, action="customer.edit",
                         target_type="customer", target_id=customer.id,
                         detail={"fields": changed})
        return customer_payload(customer, actor)
