"""After-commit listeners of the agent workspace's tools, subscribed to the event bus by each
server process (walletdesk.web.app): they react to what the message path published without
the message path knowing them."""

from collections.abc import Awaitable, Callable
from functools import partial

from walletdesk.conversations.mentions import record_mentions
from walletdesk.conversations.snooze import wake_on_customer_reply
from walletdesk.events.bus import Event
from walletdesk.services import Services

LISTENERS: tuple[Callable[[Services, Event], Awaitable[None]], ...] = (
    wake_on_customer_reply, record_mentions)


def subscribe_workspace_listeners(services: Services) -> Callable[[], None]:
    """Subscribe each listener (one failing never stops another); returns the function that
    unsubscribes them."""
    unsubscribes = [services.bus.subscribe(partial(listener, services))
                    for listener in LISTENERS]

    def unsubscribe() -> None:
        for undo in unsubscribes:
            undo()
    return unsubscribe
