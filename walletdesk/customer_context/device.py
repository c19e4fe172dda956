"""Device and app context from the widget: the operator allows which fields it passes
(``settings.device_context_fields``); the desk keeps only those, validated and size-limited,
with the conversation.

The operator's page sets ``window.walletdeskSettings.context`` (or an in-app web view puts
``context=<JSON>`` in the widget URL's fragment); the widget sends it in its hello frame
(docs/widget.md). A field the operator does not allow, or a value that does not fit its
shape, is dropped without a word: the customer's chat never fails because of it.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson
import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from walletdesk.config import Settings
from walletdesk.conversations.messages import lock_conversation
from walletdesk.customer_context.models import DeviceContext
from walletdesk.customers.masking import mask_identifier
from walletdesk.db.base import utcnow
from walletdesk.services import Services

log = structlog.get_logger(__name__)

DEVICE_FIELDS = ("app_version", "os", "platform", "language", "wallet_addresses")
MAX_CONTEXT_BYTES = 4096  # the whole object as JSON; larger: ignored altogether
MAX_ADDRESSES = 10
# each field's shape; \w is Unicode (an OS name in Chinese is fine), never markup or controls
_SHAPES: dict[str, re.Pattern[str]] = {
    "app_version": re.compile(r"[\w.+\- ()]{1,40}"),
    "os": re.compile(r"[\w.,+\-/ ()]{1,60}"),
    "platform": re.compile(r"[\w.,+\-/ ()]{1,40}"),
    "language": re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8}){0,3}"),
}
# what a wallet address looks like on any chain we know (hex 0x…, bech32 bc1…, base58 T…/
# Solana): letters and digits only; the chain is a short name (ethereum, tron, btc, bsc …)
ADDRESS = re.compile(r"[A-Za-z0-9]{20,128}")
CHAIN = re.compile(r"[a-z0-9][a-z0-9 _-]{0,29}")


@dataclass(frozen=True)
class WalletAddress:
    chain: str
    address: str


@dataclass(frozen=True)
class DeviceReport:
    """The allowed, valid part of what a widget reported (empty when nothing was)."""

    values: dict[str, str] = field(default_factory=dict)
    addresses: tuple[WalletAddress, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.values and not self.addresses


def _address(item: object) -> WalletAddress | None:
    if isinstance(item, str):
        chain, address = "", item.strip()
    elif isinstance(item, Mapping):
        chain = item.get("chain", "")
        address = item.get("address", "")
        if not isinstance(chain, str) or not isinstance(address, str):
            return None
        chain, address = chain.strip().lower(), address.strip()
    else:
        return None
    if not ADDRESS.fullmatch(address) or (chain and not CHAIN.fullmatch(chain)):
        return None
    return WalletAddress(chain, address)


def parse_device_context(settings: Settings, raw: object) -> DeviceReport:
    """Only the fields the operator allows, each fitting its shape; anything else dropped."""
    if not isinstance(raw, Mapping) or not settings.device_context_fields:
        return DeviceReport()
    try:
        if len(orjson.dumps(raw)) > MAX_CONTEXT_BYTES:
            return DeviceReport()
    except (TypeError, orjson.JSONEncodeError):
        return DeviceReport()
    allowed = set(settings.device_context_fields)
    values: dict[str, str] = {}
    for name, shape in _SHAPES.items():
        value = raw.get(name)
        if name in allowed and isinstance(value, str) and shape.fullmatch(value.strip()):
            values[name] = value.strip()
    addresses: list[WalletAddress] = []
    listed = raw.get("wallet_addresses")
    if "wallet_addresses" in allowed and isinstance(listed, list):
        for item in listed[:MAX_ADDRESSES]:
            found = _address(item)
            if found is not None and found not in addresses:
                addresses.append(found)
    return DeviceReport(values, tuple(addresses))


def addresses_text(addresses: tuple[WalletAddress, ...] | list[WalletAddress]) -> str | None:
    return "\n".join(f"{a.chain}:{a.address}" for a in addresses) or None


def addresses_of(stored: str | None) -> list[WalletAddress]:
    """The stored lines back as addresses (a line without a chain keeps all of it)."""
    found = []
    for line in (stored or "").splitlines():
        chain, sep, address = line.partition(":")
        found.append(WalletAddress(chain, address) if sep else WalletAddress("", line))
    return found


async def record_device_context(services: Services, conversation_id: int,
                                report: DeviceReport) -> None:
    """Keep what the widget reported with the conversation (the latest report replaces the
    one before: a customer who updates the app mid-conversation shows the new version)."""
    if report.empty:
        return
    async with services.transaction() as session:
        conversation = await lock_conversation(session, conversation_id)
        if conversation is None:
            return
        row = await device_context_of(session, conversation_id)
        if row is None:
            row = DeviceContext(conversation_id=conversation_id)
            session.add(row)
        for name in _SHAPES:
            setattr(row, name, report.values.get(name))
        row.wallet_addresses = addresses_text(report.addresses)
        row.reported_at = utcnow()


async def device_context_of(session: AsyncSession, conversation_id: int) -> DeviceContext | None:
    return await session.scalar(select(DeviceContext).where(
        DeviceContext.conversation_id == conversation_id))


class WidgetDeviceContext:
    """One widget socket's report, stored once per conversation the socket is in (after its
    hello, and when its first message starts a conversation): one comparison per message."""

    def __init__(self, settings: Settings, raw: object) -> None:
        self.report = parse_device_context(settings, raw)
        self.stored_for: int | None = None

    async def keep_with(self, services: Services, conversation_id: int | None) -> None:
        if self.report.empty or conversation_id is None or conversation_id == self.stored_for:
            return
        self.stored_for = conversation_id
        try:
            await record_device_context(services, conversation_id, self.report)
        except Exception:  # the context is a help for agents; the chat goes on without it
            self.stored_for = None
            log.exception("device_context_not_stored", conversation_id=conversation_id)


def device_report_payload(row: DeviceContext | None, full: bool) -> dict[str, Any] | None:
    """What an agent sees; the addresses masked for those who see personal data masked."""
    if row is None:
        return None
    return {
        "reported_at": row.reported_at.isoformat(),
        "app_version": row.app_version, "os": row.os, "platform": row.platform,
        "language": row.language,
        "wallet_addresses": [{"chain": a.chain, "address": a.address if full
                              else mask_identifier(a.address)}
                             for a in addresses_of(row.wallet_addresses)],
    }
