"""Who reacts to what, after commit: every domain's after-commit listeners in one place.

The conversation actions record domain events (walletdesk.conversations.events) and know
nothing of their listeners; this module, imported by each process's ``Services`` (the
composition root), subscribes them. Within one event the listeners run in this order.
"""

from walletdesk.bot.listeners import answer_customer, redact_turn
from walletdesk.cases.listeners import (
    ask_for_rating_on_resolve,
    pause_sla_on_answer,
    pause_sla_on_resolve,
    resume_sla_on_reopen,
    resume_sla_on_reply,
)
from walletdesk.chains.listeners import look_up_transfer
from walletdesk.conversations import events
from walletdesk.customers.listeners import remember_introduced_name
from walletdesk.events.after_commit import AfterCommit, Listener
from walletdesk.incidents.answering import link_on_resolve
from walletdesk.routing.listeners import (
    drain_freed_teams,
    remind_after_hours,
    route_customer_message,
    route_transfer,
)
from walletdesk.routing.overflow import OVERFLOWED

AFTER_COMMIT: dict[str, tuple[Listener, ...]] = {
    events.CUSTOMER_MESSAGE: (resume_sla_on_reply, route_customer_message, remind_after_hours,
                              answer_customer, look_up_transfer, remember_introduced_name),
    events.AGENT_REPLIED: (pause_sla_on_answer,),
    events.RESOLVED: (pause_sla_on_resolve, ask_for_rating_on_resolve, drain_freed_teams,
                      link_on_resolve),
    events.REOPENED: (resume_sla_on_reopen,),
    events.ASSIGNED: (route_transfer,),
    events.MESSAGE_REDACTED: (redact_turn,),
    OVERFLOWED: (drain_freed_teams,),  # walletdesk.routing.overflow
}


def subscribe_listeners(after_commit: AfterCommit) -> None:
    for kind, listeners in AFTER_COMMIT.items():
        for listener in listeners:
            after_commit.subscribe(kind, listener)
