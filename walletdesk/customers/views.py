"""What staff see of a customer: masked for outsourced agents, and every unmasked view of
personal data written to the audit log."""

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from walletdesk.accounts.access import mask_email, mask_name, sees_personal_data
from walletdesk.accounts.models import Agent
from walletdesk.audit.actions import record_audit
from walletdesk.customers.models import Customer


def display_name(customer: Customer, viewer: Agent) -> str:
    name = customer.display_name or ""
    return name if sees_personal_data(viewer) else mask_name(name)


def customer_payload(customer: Customer, viewer: Agent) -> dict[str, Any]:
    """The customer with identities (load them first: customers.queries.get_customer)."""
    full = sees_personal_data(viewer)
    return {
        "id": customer.id,
        "display_name": display_name(customer, viewer),
        "email": customer.email if full else mask_email(customer.email),
        "language": customer.language,
        "created_at": customer.created_at.isoformat(),
        "verified_user_id": customer.verified_user_id if full else (
            "***" if customer.verified_user_id else None),
        "email_verified": customer.email_verified_at is not None,
        # the agents' private note (walletdesk.customers.edits); hidden from outsourced agents
        "note": customer.note if full else ("***" if customer.note else None),
        "can_edit": full and customer.erased_at is None,
        "identities": [{"channel": i.channel, "external_id": i.external_id if full else "***"}
                       for i in customer.identities],
    }


def audit_personal_data_view(session: AsyncSession, viewer: Agent, customer: Customer) -> None:
    """Unmasked personal data was shown to ``viewer``: keep a record of it."""
    if sees_personal_data(viewer) and (customer.email or customer.display_name
                                       or customer.verified_user_id):
        record_audit(session, actor_agent_id=viewer.id, action="customer.view",
                     target_type="customer", target_id=customer.id)
