"""What the workspace's side panel shows of the customer's context: the operator's answer and
the device report, masked for outsourced agents; every unmasked view of personal data in it
is written to the audit log (as for the customer's details)."""

from typing import Any

from walletdesk.accounts.access import sees_personal_data
from walletdesk.accounts.models import Agent
from walletdesk.audit.actions import record_audit
from walletdesk.conversations.queries import conversation_for_agent
from walletdesk.customer_context.device import device_context_of, device_report_payload
from walletdesk.customer_context.operator import OperatorContext, operator_context, subject_of
from walletdesk.customers.masking import mask_identifier
from walletdesk.customers.models import Customer
from walletdesk.services import Services

MASK = "***"
# what an outsourced agent sees of a transaction: its kind, asset, status and time; the
# amount and every identifier masked
MASKED_TRANSACTION_FIELDS = ("amount",)
IDENTIFIER_FIELDS = ("id", "hash", "address")


async def conversation_context(services: Services, agent: Agent, conversation_id: int,
                               refresh: bool = False) -> dict[str, Any]:
    """The context beside one conversation the agent may see (``refresh``: ask the operator's
    endpoint again instead of the cached answer)."""
    async with services.read() as session:
        conversation = await conversation_for_agent(session, agent, conversation_id)
        customer = await session.get(Customer, conversation.customer_id)
        device = await device_context_of(session, conversation_id)
        subject = subject_of(customer)
    # no database connection is held while the operator's endpoint answers
    operator = await operator_context(services.settings, subject, refresh=refresh)
    full = sees_personal_data(agent)
    payload = {
        "conversation_id": conversation_id,
        "customer_id": conversation.customer_id,
        "masked": not full,
        "operator": operator_payload(operator, full),
        "device": device_report_payload(device, full),
    }
    if full and (operator.state == "ok" or (device is not None and device.wallet_addresses)):
        async with services.transaction() as session:
            record_audit(session, actor_agent_id=agent.id, action="customer.context_view",
                         target_type="customer", target_id=conversation.customer_id)
    return payload


def operator_payload(context: OperatorContext, full: bool) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "state": context.state, "reason": context.reason, "cached": context.cached,
        "fetched_at": context.fetched_at.isoformat() if context.fetched_at else None,
    }
    if context.state != "ok":
        return payload
    transactions = None
    if context.transactions is not None:
        transactions = [transaction_values(t.values, full) for t in context.transactions]
    payload.update({
        "account_level": context.account_level, "points": context.points,
        "app_version": context.app_version, "recent_transactions": transactions,
        # the operator's other fields: their values may be anything, so masked entirely
        "fields": [{"name": name, "value": value if full else MASK}
                   for name, value in context.extra],
    })
    return payload


def transaction_values(values: dict[str, str], full: bool) -> dict[str, str | None]:
    """A transaction's fields as a viewer sees them (``full``: may see personal data)."""
    if full:
        return dict(values)
    shown: dict[str, str | None] = {}
    for name, value in values.items():
        shown[name] = (mask_identifier(value) if name in IDENTIFIER_FIELDS
                       else MASK if name in MASKED_TRANSACTION_FIELDS else value)
    return shown
