"""The bot's after-commit listeners (subscribed in walletdesk.listeners): it answers a
customer's message in a conversation that is with the bot, and its record of a message
follows when a secret is removed from that message afterwards."""

from sqlalchemy import update

from walletdesk.bot.actions import check_channel_while_waiting, handle_customer_message
from walletdesk.bot.models import BotTurn
from walletdesk.conversations.models import Status
from walletdesk.events.bus import Event
from walletdesk.incidents.answering import answer_with_announcement
from walletdesk.services import Services


async def answer_customer(services: Services, event: Event) -> None:
    if event["status"] in (Status.queued, Status.assigned):  # waiting for a person: only
        await check_channel_while_waiting(  # "is this channel you?" (the gate is in there)
            services, int(event["conversation_id"]), int(event["message_id"]), str(event["text"]))
        return
    if event["status"] != Status.bot:
        return
    await answer_with_announcement(services, event)  # a known incident first (issue 15)
    await handle_customer_message(services, int(event["conversation_id"]),
                                  int(event["message_id"]), str(event["text"]))


async def redact_turn(services: Services, event: Event) -> None:
    async with services.transaction() as session:
        await session.execute(update(BotTurn)
                              .where(BotTurn.message_id == int(event["message_id"]))
                              .values(query=str(event["text"])[:2000]))
