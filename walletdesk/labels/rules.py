"""The category rules, applied by a listener of after-commit events (not from the message
path): a conversation whose category is set (a scam report, a complaint) or whose customer
the bot answered from an article of a category gets the labels mapped to that category.

Which categories have rules is kept in memory and dropped on ``labels.rules_changed`` (an
event every server process hears), so most events cost no database query.
"""

import contextlib
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from sqlalchemy.exc import IntegrityError

from walletdesk.bot.choices import CHOSEN
from walletdesk.events.bus import Event
from walletdesk.labels.actions import RULES_CHANGED, apply_category_rules
from walletdesk.labels.queries import rule_categories
from walletdesk.services import Services

DONE_MEMORY = 10_000  # (conversation, category) pairs remembered as handled
# bot turns whose article is what the conversation is about: the bot answered from it, the
# customer picked it among the offered ones (the event names the picked article's category),
# or the bot handed the conversation over because the article's category is a sensitive one
MATCHED_TURN_OUTCOMES = ("answered", CHOSEN)
MATCHED_TURN_REASONS = ("sensitive_topic",)


def category_of(event: Event) -> tuple[int, str] | None:
    """(conversation id, category) when the event says a conversation has a category."""
    kind = event.get("type")
    if kind == "conversation":
        summary: dict[str, Any] = event.get("conversation") or {}
        if summary.get("category") and summary.get("id"):
            return int(summary["id"]), str(summary["category"])
    elif kind == "bot.turn" and event.get("category") and (
            event.get("outcome") in MATCHED_TURN_OUTCOMES
            or event.get("reason") in MATCHED_TURN_REASONS):
        return int(event["conversation_id"]), str(event["category"])
    return None


class LabelRulesListener:
    def __init__(self, services: Services) -> None:
        self.services = services
        self._categories: frozenset[str] | None = None
        self._generation = 0
        self._done: OrderedDict[tuple[int, str], None] = OrderedDict()

    async def on_event(self, event: Event) -> None:
        if event.get("type") == RULES_CHANGED:
            self._generation += 1
            self._categories = None
            self._done.clear()
            return
        found = category_of(event)
        if found is None or found in self._done:
            return
        if found[1] not in await self._rule_categories():
            return
        # IntegrityError: another server process applied them at the same moment
        with contextlib.suppress(IntegrityError):
            await apply_category_rules(self.services, *found)
        self._done[found] = None
        if len(self._done) > DONE_MEMORY:
            self._done.popitem(last=False)

    async def _rule_categories(self) -> frozenset[str]:
        if self._categories is None:
            generation = self._generation
            async with self.services.read() as session:
                categories = await rule_categories(session)
            if generation != self._generation:
                return categories  # changed meanwhile: use it, but reload next time
            self._categories = categories
        return self._categories


def subscribe_label_rules(services: Services) -> Callable[[], None]:
    """Start applying the rules in this process; returns the unsubscribe function."""
    listener = LabelRulesListener(services)
    return services.bus.subscribe(listener.on_event)
