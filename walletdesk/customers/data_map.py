"""Which stored text is personal data: every text, JSON and binary column of every table,
classified in this one place.

- ``PERSONAL``: a customer's personal data (what they wrote, who they are, what staff wrote
  about them). Exported on request and erased (walletdesk.customers.privacy); the rows of
  each table that belong to one customer are selected by ``customer_rows``.
- ``DERIVED``: keyed hashes and digests of personal values, recomputed or cleared with them.
- ``STAFF``: the staff's own accounts (agents' names, e-mail addresses, secrets).
- ``CONFIG``: the operator's configuration and content (teams, knowledge base, labels,
  canned replies, the privacy notice).
- ``OPERATIONAL``: statuses, kinds, codes, ids, hashes of secrets, job bookkeeping.

tests/customers/test_privacy_complete.py fails when a table gets a text column that is not
listed here, and checks that export holds, and erasure removes, every ``PERSONAL`` column.
"""

from enum import StrEnum

from sqlalchemy import Select, and_, false, or_, select

from walletdesk.audit.models import AuditEvent
from walletdesk.bot.models import BotTurn
from walletdesk.cases.models import Survey
from walletdesk.chains.models import ChainLookup
from walletdesk.complaints.models import Complaint, ComplaintEvent
from walletdesk.conversations.models import Attachment, Conversation, Message
from walletdesk.customer_context.models import DeviceContext
from walletdesk.customers.models import Customer, CustomerIdentity, EmailCode
from walletdesk.followups.models import FollowUp


class Kind(StrEnum):
    PERSONAL = "personal"
    DERIVED = "derived"
    STAFF = "staff"
    CONFIG = "config"
    OPERATIONAL = "operational"


P, D, S, C, OP = Kind.PERSONAL, Kind.DERIVED, Kind.STAFF, Kind.CONFIG, Kind.OPERATIONAL

COLUMNS: dict[str, dict[str, Kind]] = {
    # the customer and what they wrote
    "customers": {"display_name": P, "email": P, "verified_user_id": P, "phone": P, "note": P,
                  "name_hash": D, "email_hash": D, "verified_user_hash": D, "phone_hash": D,
                  "language": OP},
    "customer_identities": {"external_id": P, "external_hash": D, "channel": OP},
    "email_codes": {"email": P, "code_hash": OP},
    # the codes mailed lately per customer (its id) or per address (its keyed hash): cleared
    # with the customer's codes on erasure, removed a window after (customers.code_quotas)
    "email_code_quotas": {"scope": OP, "key": D, "code_ids": OP},
    "conversations": {"subject": P, "last_message_preview": P, "channel": OP, "status": OP,
                      "language": OP, "category": OP, "verification_state": OP,
                      "handoff_reason": OP, "contact_reason": OP},
    "messages": {"sender_name": P, "text": P, "meta": P, "sender_kind": OP, "client_id": OP},
    "attachments": {"filename": P, "sha256": D, "content_type": OP},
    "bot_turns": {"query": P, "candidates": OP, "language": OP, "outcome": OP, "reason": OP,
                  "article_slug": OP},
    "surveys": {"comment": P, "channel": OP, "source": OP},
    "complaints": {"summary": P, "notes": P, "close_reason": P, "stage": OP, "category": OP,
                   "resolution_kind": OP, "asset": OP},
    "complaint_events": {"detail": P, "stage": OP},
    "followups": {"reason": P, "notes": P, "source_ref": P, "status": OP, "notified_via": OP,
                  "outcome": OP},
    # the audit log keeps what happened; complaint entries carried their texts
    "audit_events": {"detail": P, "action": OP, "target_type": OP, "target_id": OP},
    "email_messages": {"rfc_message_id": OP, "direction": OP, "raw_sha256": D},
    "conversation_labels": {"source": OP},
    # staff
    "agents": {"email": S, "display_name": S, "password_hash": S, "totp_secret": S,
               "role": OP, "languages": OP, "presence": OP, "interface_locale": OP},
    "agent_sessions": {"token_hash": OP},
    "agent_recovery_codes": {"code_hash": OP},
    # failed sign-ins: keyed hashes of the e-mail typed and of the source address, removed
    # when they count nothing any more (accounts.login_throttle)
    "login_throttles": {"account_key": OP, "source_key": OP},
    "api_tokens": {"name": S, "token_hash": OP, "scope": OP},
    # the operator's configuration and content
    "teams": {"name": C, "languages": C, "timezone": C, "weekly_hours": C, "holidays": C},
    "articles": {"slug": C, "category": C, "status": OP},
    "article_translations": {"locale": C, "title": C, "body": C, "examples": C},
    "article_versions": {"status": OP, "category": C, "content": C},
    "article_feedback": {"locale": OP},
    "bot_config": {"sensitive_categories": C, "sensitive_phrases": C, "custody": C},
    "official_channels": {"kind": C, "value": C, "label": C},
    "sla_policies": {"name": C, "channel": C, "category": C},
    "followup_programmes": {"name": C, "trigger": C, "rule": C, "channel": C},
    "labels": {"name": C, "color": C, "description": C},
    "label_rules": {"category": C},
    "label_rules_applied": {"category": OP},
    "canned_replies": {"shortcut": C, "title": C, "scope": C},
    "canned_reply_texts": {"language": C, "text": C},
    "privacy_notices": {"locale": C, "text": C, "url": C},
    "jobs": {"kind": OP, "payload": OP, "dedupe_key": OP, "status": OP, "lease_token": OP,
             "done_by": OP, "last_error": OP},
    # presence history and the report rollups: statuses and keys, no text of anyone's
    "presence_changes": {"presence": OP},
    "report_rollup_state": {"hours_key": OP},
    "report_conversation_facts": {"channel": OP, "language": OP, "category": OP,
                                  "status": OP, "handoff_reason": OP, "reason": OP,
                                  "reason_source": OP},
    "report_message_quarters": {"quarter": OP},
    # hourly counts per filter value (a channel, team id, language, category, reason)
    "report_hourly": {"dimension": OP, "value": OP},
    "report_hourly_messages": {"dimension": OP, "value": OP, "message_hour": OP},
    # daily rows: internal customer ids (numbers that name no one once a customer is erased)
    # and duration histograms (bucket:count)
    "report_daily": {"dimension": OP, "value": OP, "customers": OP, "new_customers": OP,
                     "first_response_s": OP, "first_response_business_s": OP,
                     "resolution_s": OP, "resolution_business_s": OP, "handling_s": OP,
                     "handling_business_s": OP},
    # staffing (walletdesk.staffing): the roster is the operator's plan; an overflow offer
    # keeps the customer's choice only (their address or number is on the customer)
    "staffing_shifts": {"starts": C, "ends": C, "timezone": C},
    "overflow_offers": {"choice": OP},
    # the customer's context (walletdesk.customer_context): what their widget reported about
    # their device and app, and the wallet addresses they chose to share
    "conversation_device_contexts": {"app_version": P, "os": P, "platform": P,
                                     "wallet_addresses": P, "language": OP},
    # transfers looked up on chain (walletdesk.chains): the customer's hash, and what the
    # chain said about it (their addresses, amounts)
    "chain_lookups": {"tx": P, "result": P, "chain": OP, "named_chain": OP, "candidates": OP,
                      "status": OP},
    # incidents (walletdesk.incidents): the operator's notices; alerts keep message ids only
    "announcements": {"severity": C, "status": OP, "affected": C, "contact_reasons": C},
    "announcement_texts": {"locale": C, "title": C, "body": C},
    "announcement_updates": {"status": OP, "notes": C},
    "announcement_conversations": {"source": OP, "language": OP},
    "spike_alerts": {"signals": OP, "sample_message_ids": OP, "status": OP},
    # proactive messages (walletdesk.outreach): staff-written texts and rules, send bookkeeping
    "outreach_segments": {"name": C, "rule": C},
    "outreach_campaigns": {"name": C, "kind": C, "channel": C, "texts": C, "subjects": C,
                           "status": OP},
    "outreach_sends": {"channel": OP, "status": OP, "provider_id": OP, "error": OP},
    "outreach_contacts": {"timezone": OP, "opted_out_via": OP},
}


def personal_columns(table: str) -> list[str]:
    return [name for name, kind in COLUMNS.get(table, {}).items() if kind is Kind.PERSONAL]


def customer_rows(customer_id: int, complaint_ids: list[int] | None = None
                  ) -> dict[str, Select[tuple[int]]]:
    """For each table with personal columns, the ids of the rows that are this customer's
    (``complaint_ids``: theirs, for the audit entries that name them by a string id).
    Staff notes (internal messages) are erased with the rest but are not exported."""
    conversations = select(Conversation.id).where(Conversation.customer_id == customer_id)
    complaints = select(Complaint.id).where(Complaint.customer_id == customer_id)
    public = and_(Message.conversation_id.in_(conversations), Message.is_internal.is_(False))
    audit_targets = [AuditEvent.target_type == "customer",
                     AuditEvent.target_id == str(customer_id)]
    return {
        "customers": select(Customer.id).where(Customer.id == customer_id),
        "customer_identities": select(CustomerIdentity.id).where(
            CustomerIdentity.customer_id == customer_id),
        "email_codes": select(EmailCode.id).where(EmailCode.customer_id == customer_id),
        "conversations": conversations,
        "messages": select(Message.id).where(public),
        "attachments": select(Attachment.id).join(Message, Message.id == Attachment.message_id)
        .where(public),
        "bot_turns": select(BotTurn.id).where(BotTurn.conversation_id.in_(conversations)),
        "surveys": select(Survey.id).where(Survey.customer_id == customer_id),
        "complaints": complaints,
        "complaint_events": select(ComplaintEvent.id).where(
            ComplaintEvent.complaint_id.in_(complaints)),
        "followups": select(FollowUp.id).where(FollowUp.customer_id == customer_id),
        "conversation_device_contexts": select(DeviceContext.id).where(
            DeviceContext.conversation_id.in_(conversations)),
        "chain_lookups": select(ChainLookup.id).where(
            ChainLookup.conversation_id.in_(conversations)),
        "audit_events": select(AuditEvent.id).where(or_(
            and_(*audit_targets),
            and_(AuditEvent.target_type == "complaint",
                 AuditEvent.target_id.in_([str(i) for i in complaint_ids or []]))
            if complaint_ids else false()))
    }
