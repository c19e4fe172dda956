"""Which questions need a verified customer before the bot goes on.

Many wallets are self-custody: their users hold their own keys and have no account (and no
e-mail address) with the operator, so every question gets its general answer. An operator
with custodial accounts says so on the bot's admin page; then a question whose answer needs
the customer's own account data (an article flagged "needs the customer's account") is
answered only after the customer proves their e-mail with a one-time code — and only when
outgoing mail is configured: without a relay no code is offered, a person takes over.
"""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from walletdesk.bot.models import BotConfig
from walletdesk.config import Settings
from walletdesk.conversations.models import Conversation
from walletdesk.customers.email_code import is_verified
from walletdesk.customers.models import Customer
from walletdesk.kb.models import Article

CUSTODIAL = "custodial"
SELF_CUSTODY = "self_custody"
CUSTODY_MODES = (CUSTODIAL, SELF_CUSTODY)


def mail_relay_configured(settings: Settings) -> bool:
    """Whether a one-time code can be mailed at all (WALLETDESK_SMTP_HOST)."""
    return bool(settings.smtp_host)


def custody_mode(config: BotConfig | None) -> str:
    return config.custody if config is not None and config.custody in CUSTODY_MODES \
        else SELF_CUSTODY


async def needs_verified_customer(session: AsyncSession, conversation: Conversation,
                                  article_slug: str) -> bool:
    """True when answering ``article_slug`` here needs the customer's e-mail verified first:
    custodial accounts, an article about the customer's own account, an unverified customer."""
    if custody_mode(await session.get(BotConfig, 1)) != CUSTODIAL:
        return False
    if not await session.scalar(select(Article.needs_account).where(Article.slug == article_slug)):
        return False
    customer = await session.get(Customer, conversation.customer_id)
    return customer is not None and not is_verified(customer)
