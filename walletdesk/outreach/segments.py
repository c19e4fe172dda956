"""Segments: which customers a rule means, as one query, and its preview.

A rule is a JSON object; every key is optional and they all must hold:
``reason`` (a contact reason the customer asked about, within ``days``: any code of it,
:mod:`walletdesk.conversations.reasons`), ``channels`` (channels they wrote on, within ``days``),
``label`` (a label on one of their conversations, within ``days``), ``languages``,
``verified`` (true/false: a signed identity or not) and ``active_days`` (seen in the
widget/app within that many days). Erased customers are never in a segment.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from walletdesk.accounts.access import mask_email, mask_name
from walletdesk.conversations.contact_reasons import MAX_REASON_CHARS
from walletdesk.conversations.models import Conversation
from walletdesk.conversations.reasons import lower_reason_names, same_reason_codes
from walletdesk.customers.masking import mask_phone
from walletdesk.customers.models import Customer
from walletdesk.errors import Invalid
from walletdesk.i18n import customer_language
from walletdesk.labels.models import ConversationLabel, Label

DEFAULT_DAYS = 30
MAX_DAYS = 365
MAX_LIST = 20
SAMPLE_SIZE = 5
KNOWN_KEYS = {"reason", "days", "languages", "verified", "channels", "label", "active_days"}


def _days(value: Any, key: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_DAYS:
        raise Invalid("{key} is a whole number of days from 1 to {max}", key=key, max=MAX_DAYS)
    return value


def _words(value: Any, key: str, max_chars: int = 40) -> list[str]:
    if not isinstance(value, list) or len(value) > MAX_LIST or not all(
            isinstance(item, str) and 0 < len(item.strip()) <= max_chars for item in value):
        raise Invalid("{key} is a list of up to {max} short names", key=key, max=MAX_LIST)
    return sorted({item.strip() for item in value})


def valid_rule(rule: Any, default_language: str = "en") -> dict[str, Any]:
    """The rule as stored; Invalid with a clear reason otherwise."""
    if not isinstance(rule, dict):
        raise Invalid("a segment's rule is a JSON object")
    unknown = set(rule) - KNOWN_KEYS
    if unknown:
        raise Invalid("unknown rule keys: {keys}", keys=", ".join(sorted(unknown)))
    clean: dict[str, Any] = {}
    for key in ("reason", "label"):
        value = rule.get(key)
        if value in (None, ""):
            continue
        if not isinstance(value, str) or len(value.strip()) > MAX_REASON_CHARS:
            raise Invalid("{key} is a name of up to {max} characters", key=key,
                          max=MAX_REASON_CHARS)
        clean[key] = value.strip()
    if rule.get("channels"):
        clean["channels"] = _words(rule["channels"], "channels", 20)
    if rule.get("languages"):
        clean["languages"] = sorted({customer_language(tag, default_language)
                                     for tag in _words(rule["languages"], "languages", 16)})
    if rule.get("verified") is not None:
        if not isinstance(rule["verified"], bool):
            raise Invalid("verified is true, false or left out")
        clean["verified"] = rule["verified"]
    if rule.get("days") is not None:
        clean["days"] = _days(rule["days"], "days")
    if rule.get("active_days") is not None:
        clean["active_days"] = _days(rule["active_days"], "active_days")
    return clean


def audience(rule: dict[str, Any], now: datetime) -> Select[tuple[int]]:
    """The ids of the customers a (valid) rule means, in id order."""
    since = now - timedelta(days=int(rule.get("days", DEFAULT_DAYS)))
    conditions: list[Any] = [Customer.erased_at.is_(None)]
    recent = [Conversation.customer_id == Customer.id, Conversation.created_at >= since]
    if rule.get("reason"):  # any code of the reason: "security", the label "Security" …
        codes, lowered = same_reason_codes(rule["reason"]), lower_reason_names(rule["reason"])
        conditions.append(exists(select(Conversation.id).where(
            *recent, or_(Conversation.contact_reason.in_(codes),
                         func.lower(Conversation.contact_reason).in_(lowered),
                         Conversation.category.in_(codes)))))
    if rule.get("channels"):
        conditions.append(exists(select(Conversation.id).where(
            *recent, Conversation.channel.in_(rule["channels"]))))
    if rule.get("label"):
        conditions.append(exists(
            select(ConversationLabel.conversation_id)
            .join(Label, Label.id == ConversationLabel.label_id)
            .join(Conversation, Conversation.id == ConversationLabel.conversation_id)
            .where(*recent, Label.name == rule["label"])))
    if rule.get("languages"):
        conditions.append(Customer.language.in_(rule["languages"]))
    if rule.get("verified") is True:
        conditions.append(Customer.verified_user_hash.is_not(None))
    elif rule.get("verified") is False:
        conditions.append(Customer.verified_user_hash.is_(None))
    if rule.get("active_days"):
        conditions.append(Customer.last_seen_at >= now - timedelta(days=rule["active_days"]))
    return select(Customer.id).where(*conditions).order_by(Customer.id)


@dataclass
class SampleCustomer:
    """A customer in a preview, masked as an outsourced agent would see them."""

    id: int
    name: str
    email: str | None
    phone: str | None
    language: str | None
    verified: bool


@dataclass
class Preview:
    count: int
    sample: list[SampleCustomer]


async def preview(session: AsyncSession, rule: dict[str, Any], now: datetime) -> Preview:
    """How many customers a rule means now, and the first few of them, masked."""
    ids = audience(rule, now)
    count = int(await session.scalar(select(func.count()).select_from(ids.subquery())) or 0)
    customers = (await session.scalars(select(Customer).where(
        Customer.id.in_(ids.limit(SAMPLE_SIZE))).order_by(Customer.id))).all()
    return Preview(count=count, sample=[SampleCustomer(
        id=c.id, name=mask_name(c.display_name), email=mask_email(c.email),
        phone=mask_phone(c.phone) if c.phone else None, language=c.language,
        verified=c.verified_user_hash is not None) for c in customers])
