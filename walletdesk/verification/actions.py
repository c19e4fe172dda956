"""Registering official channels, checking a claim, and reporting a scam as a case."""

import uuid
from typing import Any

from sqlalchemy import select

from walletdesk.audit.actions import record_audit
from walletdesk.conversations.actions import Delivered, InboundMessage, receive_message
from walletdesk.errors import Conflict, Invalid, NotFound
from walletdesk.safety.lookalike import KINDS, Channel, Verdict, normalise, verify_channel
from walletdesk.services import Services
from walletdesk.verification.models import OfficialChannel
from walletdesk.verification.queries import list_official_channels

SCAM_CATEGORY = "scam"


async def add_official_channel(services: Services, actor: Any, *, kind: str, value: str,
                               label: str = "") -> OfficialChannel:
    if kind not in KINDS:
        raise Invalid("kind must be one of {kinds}", kinds=", ".join(KINDS))
    value = value.strip()[:300]
    if not normalise(kind, value):
        raise Invalid("{value} is not a usable {kind}", value=repr(value), kind=kind)
    async with services.transaction() as session:
        existing = (await session.scalars(select(OfficialChannel).where(
            OfficialChannel.kind == kind))).all()
        if any(normalise(kind, c.value) == normalise(kind, value) for c in existing):
            raise Conflict("this channel is registered already")
        channel = OfficialChannel(kind=kind, value=value, label=label.strip()[:120])
        session.add(channel)
        await session.flush()
        record_audit(session, actor_agent_id=actor.id, action="official_channel.add",
                     target_type="official_channel", target_id=channel.id,
                     detail={"kind": kind, "value": value})
        return channel


async def remove_official_channel(services: Services, actor: Any, channel_id: int) -> None:
    async with services.transaction() as session:
        channel = await session.get(OfficialChannel, channel_id)
        if channel is None:
            raise NotFound("channel not found")
        await session.delete(channel)
        record_audit(session, actor_agent_id=actor.id, action="official_channel.remove",
                     target_type="official_channel", target_id=channel_id,
                     detail={"kind": channel.kind, "value": channel.value})


async def check_claim(services: Services, value: str, kind: str | None = None) -> Verdict:
    return (await check_claims(services, [value], kind))[0]


async def check_claims(services: Services, values: list[str],
                       kind: str | None = None) -> list[Verdict]:
    """Each value's verdict, against the official channels read once."""
    async with services.read() as session:
        rows = await list_official_channels(session)
    official = [Channel(r.kind, r.value, r.label) for r in rows]
    return [verify_channel(value, official, kind) for value in values]


def describe(verdict: Verdict) -> str:
    if verdict.status == "lookalike" and verdict.channel is not None:
        return (f"looks like the official {verdict.channel.kind} {verdict.channel.value}: "
                + "; ".join(verdict.reasons))
    return verdict.status.replace("_", " ")


async def report_scam(services: Services, *, value: str, details: str = "",
                      reporter: str | None = None, language: str | None = None) -> Delivered:
    """A customer reports what contacted them: a case tagged "scam", with the evidence."""
    if not value.strip():
        raise Invalid("say which link, handle, e-mail or number contacted you")
    verdict = await check_claim(services, value)
    evidence = (f"Scam report: {value.strip()[:500]}\n"
                f"Check: {describe(verdict)}\n"
                f"Details from the customer: {details.strip()[:2000] or '—'}")
    return await receive_message(services, InboundMessage(
        channel="report", external_id=reporter or uuid.uuid4().hex, text=evidence,
        language=language, category=SCAM_CATEGORY))
