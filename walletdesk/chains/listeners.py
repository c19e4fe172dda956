"""The after-commit listener (subscribed in walletdesk.listeners, after the bot's): a
customer's message that names a transaction is looked up; one about a transfer without a
hash gets asked for it. ``ask_for_hash_on_pick`` listens to the bus's ``bot.turn``
events: a customer who picks a transfer article from the bot's choice gets asked for the
hash too (a pick is no customer message).

The lookup waits for the chain endpoint (up to its timeout and retries: seconds when it is
down), so the listener hands it to a task of its own and returns: the after-commit lanes,
which carry every conversation's bot answers in order, are never held by an endpoint. The
event loop is never blocked (the requests are asynchronous). ``settled()`` waits for the
lookups under way (tests, shutdown).
"""

import asyncio
import contextlib

import structlog

from walletdesk.bot.choices import CHOSEN
from walletdesk.bot.lookup_fallback import hand_over_if_unanswered
from walletdesk.chains.actions import ask_for_hash_after_pick, look_up_message
from walletdesk.chains.lookup import close_client
from walletdesk.conversations.models import Status
from walletdesk.events.bus import Event
from walletdesk.services import Services

log = structlog.get_logger(__name__)
_under_way: set[asyncio.Task[None]] = set()


async def look_up_transfer(services: Services, event: Event) -> None:
    if not services.settings.chain_endpoints:
        return
    task = asyncio.create_task(_look_up(services, event), name="chain-lookup")
    _under_way.add(task)
    task.add_done_callback(_under_way.discard)


async def _look_up(services: Services, event: Event) -> None:
    conversation_id, message_id = int(event["conversation_id"]), int(event["message_id"])
    with_bot = event["status"] == Status.bot
    try:
        await look_up_message(services, conversation_id, message_id, str(event["text"]),
                              with_bot=with_bot)
    except Exception as exc:  # the message is committed; the agent can still look it up
        log.error("chain_lookup_failed", conversation_id=conversation_id,
                  error=type(exc).__name__)
        if with_bot:  # the bot may have left the message to this lookup: a person, now
            await _hand_over(services, conversation_id, message_id)


async def _hand_over(services: Services, conversation_id: int, message_id: int) -> None:
    try:
        async with services.transaction() as session:
            await hand_over_if_unanswered(session, services, conversation_id, message_id)
    except Exception as exc:  # the bot's fallback job hands over at the deadline
        log.error("chain_lookup_hand_over_failed", conversation_id=conversation_id,
                  error=type(exc).__name__)


async def ask_for_hash_on_pick(services: Services, event: Event) -> None:
    """A bus handler (``bot.turn``, walletdesk.bot.actions.choose_article): the customer
    picked an article of a transfer category, so ask for the hash as after a direct answer.
    The event names the picked article's category: other events cost no query. Every
    process hears it; the question is asked once (under the conversation's lock)."""
    if event.get("type") != "bot.turn" or event.get("outcome") != CHOSEN \
            or not services.settings.chain_endpoints \
            or event.get("category") not in services.settings.chain_transfer_categories:
        return
    conversation_id = int(event["conversation_id"])
    try:
        await ask_for_hash_after_pick(services, conversation_id, int(event["turn_id"]))
    except Exception as exc:  # the pick is answered; the customer can still send the hash
        log.error("chain_ask_on_pick_failed", conversation_id=conversation_id,
                  error=type(exc).__name__)


async def settled() -> None:
    """Wait until every lookup under way has finished."""
    while _under_way:
        await asyncio.gather(*list(_under_way), return_exceptions=True)


async def stop_lookups(services: Services) -> None:
    """At shutdown: the lookups under way are dropped, then the connections closed."""
    for task in list(_under_way):
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task
    await close_client(services)
