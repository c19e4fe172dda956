"""What a customer told of a long wait chooses (walletdesk.routing.overflow made the offer):
keep the page open, get the answer by e-mail, or book a call back.

- wait: nothing changes; they keep their place in line.
- email: their address is stored on the customer (encrypted, like every address; a verified
  address is kept) and the agent's answer in the chat is mailed to them when they have left
  it (walletdesk.email.away_replies).
- callback: their phone number is stored on the customer and a follow-up call task is created
  in the "Call back at peaks" programme (walletdesk.followups): it is on the agents' call list
  at once, and the customer gets the follow-up link to pick a time slot.

The conversation stays in the queue in every case: whoever answers first closes it.
"""

import re
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from walletdesk.accounts.access import mask_email
from walletdesk.audit.actions import record_audit
from walletdesk.conversations.messages import append_message, lock_conversation
from walletdesk.conversations.models import SenderKind
from walletdesk.customers.email_code import EMAIL
from walletdesk.customers.masking import mask_phone
from walletdesk.customers.models import Customer
from walletdesk.db.base import utcnow
from walletdesk.errors import Conflict, Invalid, NotFound
from walletdesk.followups.models import (
    FollowUp,
    FollowUpProgramme,
    FollowUpStatus,
    NotifyChannel,
    Trigger,
)
from walletdesk.i18n import N_, translate
from walletdesk.services import Services
from walletdesk.staffing.models import OverflowChoice, OverflowOffer
from walletdesk.tokens import followup_token

CALLBACK_PROGRAMME = "Call back at peaks"
CALLBACK_WINDOW = timedelta(days=2)
PHONE = re.compile(r"\+?[0-9][0-9 ().-]{5,24}")

TEXTS: dict[str, str] = {
    "wait": N_("Thank you for waiting. Keep this page open: you keep your place in line."),
    "email": N_("Thank you. If you have left the chat when we answer, the answer goes to {email}."),
    "callback": N_("Thank you. We'll call you back on {phone}. Pick a time that suits you here: "
                   "{link}"),
}


def _text(key: str, language: str | None, **values: object) -> str:
    return translate(TEXTS[key], language, **values)


def clean_phone(value: str | None) -> str:
    number = (value or "").strip()
    digits = sum(c.isdigit() for c in number)
    if not PHONE.fullmatch(number) or not 6 <= digits <= 17:
        raise Invalid("give a phone number we can call, e.g. +44 20 7946 0958")
    return number


async def _callback_programme(session: AsyncSession) -> FollowUpProgramme:
    programme = await session.scalar(select(FollowUpProgramme).where(
        FollowUpProgramme.name == CALLBACK_PROGRAMME))
    if programme is None:
        programme = FollowUpProgramme(name=CALLBACK_PROGRAMME, trigger=Trigger.callback, rule={},
                                      channel=NotifyChannel.in_app, delay_s=0,
                                      window_s=int(CALLBACK_WINDOW.total_seconds()))
        session.add(programme)
        await session.flush()
    return programme


async def choose_overflow(services: Services, *, customer_id: int, offer_id: int, choice: str,
                          email: str | None = None, phone: str | None = None) -> OverflowOffer:
    """Record the customer's choice (once) and tell them in the thread what happens next."""
    if choice not in OverflowChoice.ALL:
        raise Invalid("choice must be one of {choices}", choices=", ".join(OverflowChoice.ALL))
    settings = services.settings
    async with services.transaction() as session:
        offer = await session.get(OverflowOffer, offer_id, with_for_update=True)
        if offer is None or offer.customer_id != customer_id:
            raise NotFound("no such offer")
        if offer.choice is not None:
            raise Conflict("you have already chosen")
        conversation = await lock_conversation(session, offer.conversation_id)
        customer = await session.get(Customer, customer_id)
        if conversation is None or customer is None:
            raise NotFound("no such offer")
        language = conversation.language
        link = ""
        if choice == OverflowChoice.email:
            address = (email or "").strip() or (customer.email or "")
            if customer.email and customer.email_verified_at is not None:
                address = customer.email  # a verified address is never replaced from the chat
            if not EMAIL.fullmatch(address):
                raise Invalid("give an e-mail address, e.g. name@example.com")
            customer.email = address
            note = _text("email", language, email=mask_email(address) or "")
        elif choice == OverflowChoice.callback:
            number = clean_phone(phone or customer.phone)
            customer.phone = number
            programme = await _callback_programme(session)
            now = utcnow()
            followup = FollowUp(
                programme_id=programme.id, customer_id=customer.id,
                source_ref=f"overflow:{offer.id}", reason="asked for a call back at a peak",
                status=FollowUpStatus.notified, notify_at=now, notified_at=now,
                notified_via=NotifyChannel.in_app, due_from=now,
                due_until=now + CALLBACK_WINDOW, conversation_id=conversation.id)
            session.add(followup)
            await session.flush()
            offer.followup_id = followup.id
            link = f"{settings.public_url.rstrip('/')}/followup/" \
                   f"{followup_token(settings, followup.id)}"
            note = _text("callback", language, phone=mask_phone(number), link=link)
        else:
            note = _text("wait", language)
        offer.choice, offer.chosen_at = choice, utcnow()
        meta: dict[str, object] = {"kind": "overflow_chosen", "offer_id": offer.id,
                                   "choice": choice}
        if choice == OverflowChoice.callback:
            meta["url"] = link  # the widget shows it as a link to pick the time
        await append_message(session, conversation, sender_kind=SenderKind.system, text=note,
                             meta=meta)
        record_audit(session, actor_agent_id=None, action="overflow.choose",
                     target_type="conversation", target_id=conversation.id,
                     detail={"choice": choice})
        return offer
