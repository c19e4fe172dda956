"""The operator's privacy notice: a short text and a link per language, set by an admin,
shown by the widget until the customer acknowledges it, and again after it changes. The
acknowledgement is kept on the customer (``privacy_notice_ack_at``) and in the audit log.
"""

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from walletdesk.accounts.models import Agent
from walletdesk.audit.actions import record_audit
from walletdesk.customers.models import Customer, PrivacyNotice
from walletdesk.db.base import utcnow
from walletdesk.errors import Invalid, NotFound
from walletdesk.safety.protect import protect_text
from walletdesk.services import Services

TEXT_MAX = 1000
URL_MAX = 500


async def all_notices(session: AsyncSession) -> dict[str, PrivacyNotice]:
    return {n.locale: n for n in (await session.scalars(select(PrivacyNotice))).all()}


async def notice_for(session: AsyncSession, locale: str, default_locale: str
                     ) -> PrivacyNotice | None:
    """The notice in ``locale``, else in the desk's default language, else none."""
    notices = await all_notices(session)
    return notices.get(locale) or notices.get(default_locale)


def notice_payload(notice: PrivacyNotice) -> dict[str, Any]:
    return {"text": notice.text, "url": notice.url, "locale": notice.locale,
            "updated_at": notice.updated_at.isoformat()}


async def notice_to_show(session: AsyncSession, locale: str, default_locale: str,
                         customer_id: int | None) -> dict[str, Any] | None:
    """The notice for a widget visitor, unless they acknowledged it since it last changed."""
    notice = await notice_for(session, locale, default_locale)
    if notice is None:
        return None
    if customer_id is not None:
        acked = await session.scalar(select(Customer.privacy_notice_ack_at)
                                     .where(Customer.id == customer_id))
        if acked is not None and acked >= notice.updated_at:
            return None
    return notice_payload(notice)


async def acknowledge_privacy_notice(services: Services, customer_id: int) -> None:
    async with services.transaction() as session:
        customer = await session.get(Customer, customer_id)
        if customer is None:
            raise NotFound("customer not found")
        customer.privacy_notice_ack_at = utcnow()
        record_audit(session, actor_agent_id=None, action="privacy_notice.acknowledged",
                     target_type="customer", target_id=customer_id)


def _checked(locale: str, text: str, url: str) -> tuple[str, str]:
    text, url = text.strip(), url.strip()
    if len(text) > TEXT_MAX:
        raise Invalid("{locale}: the notice is longer than {max} characters", locale=locale,
                      max=TEXT_MAX)
    if len(url) > URL_MAX or (url and not url.startswith(("https://", "http://", "/"))):
        raise Invalid("{locale}: the link must be an https:// address or a path on this site",
                      locale=locale)
    if url and not text:
        raise Invalid("{locale}: a link needs a text to go with it", locale=locale)
    # free text shown to every widget visitor: the protect step applies (walletdesk.safety)
    return (protect_text(text).text if text else text), url


async def save_privacy_notices(services: Services, actor: Agent,
                               notices: dict[str, tuple[str, str]]) -> None:
    """Set the notice per language; an empty text removes that language's notice."""
    checked = {locale: _checked(locale, text, url) for locale, (text, url) in notices.items()}
    async with services.transaction() as session:
        existing = await all_notices(session)
        changed = []
        for locale, (text, url) in checked.items():
            row = existing.get(locale)
            if not text:
                if row is not None:
                    await session.delete(row)
                    changed.append(locale)
            elif row is None:
                session.add(PrivacyNotice(locale=locale, text=text, url=url))
                changed.append(locale)
            elif (row.text, row.url) != (text, url):
                row.text, row.url, row.updated_at = text, url, utcnow()
                changed.append(locale)
        if changed:
            record_audit(session, actor_agent_id=actor.id, action="privacy_notice.update",
                         target_type="privacy_notice", detail={"locales": changed})
