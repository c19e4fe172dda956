"""Transfers by hash, the desk's side: look up what a customer's message names, store it for
the agent and answer the customer (or ask for the hash, or for the network).

Called from the after-commit listener (walletdesk.chains.listeners) with the stored — so
protected — text of the message. The chain requests run outside any database transaction;
only storing the result and the answer take one. Whatever the endpoint does, the customer
gets a clear answer or a person: an unsupported chain or an endpoint that did not answer
hands the conversation over.
"""

import asyncio
import contextlib
import math
from collections.abc import AsyncIterator
from typing import Any

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from walletdesk.accounts.models import Agent
from walletdesk.bot.actions import hand_off
from walletdesk.bot.choices import CHOSEN, MATCHED_OUTCOMES
from walletdesk.bot.models import BotTurn
from walletdesk.chains import texts
from walletdesk.chains.detection import (
    ASSET_NATIVE,
    MAX_PER_MESSAGE,
    detect,
    incomplete_hashes,
)
from walletdesk.chains.lookup import (
    Outcome,
    address_key,
    look_up_found,
    memo_exchanges,
    ready_client,
)
from walletdesk.chains.models import ChainLookup
from walletdesk.chains.networks import label_of
from walletdesk.chains.queries import ASK_NETWORK, lookup_payload, waiting_for_network
from walletdesk.chains.results import (
    CONFIRMED,
    FAILED,
    NOT_FOUND,
    OUT_OF_BANDWIDTH,
    OUT_OF_ENERGY,
    OUT_OF_GAS,
    PENDING,
    REVERTED,
    UNAVAILABLE,
    UNSUPPORTED,
    TransferStatus,
)
from walletdesk.chains.verify import ASK_HASH_KIND
from walletdesk.config import Settings
from walletdesk.conversations.messages import append_message, lock_conversation
from walletdesk.conversations.models import Conversation, Message, SenderKind, Status
from walletdesk.conversations.queries import conversation_for_agent
from walletdesk.customers.privacy import ERASED
from walletdesk.db.base import utcnow
from walletdesk.errors import DomainError, Invalid, NotFound
from walletdesk.i18n import N_
from walletdesk.kb.models import Article
from walletdesk.services import Services

KIND = "chain_lookup"  # the meta kind of the bot's messages about transfers
# an agent's refresh asks the chain again at most this often per lookup (RefreshTooSoon)
REFRESH_EVERY_S = 20
# the bot's typing indicator is sent again this often while it looks up: the widget hides
# one 6 s after its last frame, and a lookup can wait for the endpoint's timeout and retries
TYPING_EVERY_S = 4.0
log = structlog.get_logger(__name__)


class RefreshTooSoon(DomainError):
    """The lookup was checked less than ``REFRESH_EVERY_S`` ago: its stored answer stands
    (the web layer answers 429 with Retry-After)."""

    code = "too_soon"

    def __init__(self, checked_s_ago: int, retry_after_s: int) -> None:
        super().__init__(N_("checked {checked} s ago; refresh again in {retry_after} s"),
                         checked=checked_s_ago, retry_after=retry_after_s)
        self.retry_after_s = retry_after_s


async def look_up_message(services: Services, conversation_id: int, message_id: int,
                          text: str, *, with_bot: bool) -> list[ChainLookup]:
    """Look up the hashes in a customer's message; ``with_bot``: the bot was answering this
    conversation when it arrived, so the customer is answered (else the lookups are only
    stored for the agent)."""
    client = await ready_client(services)
    if not client.adapters:
        return []  # no chain configured: the feature is off
    detection = detect(text)
    native = detection.asset == ASSET_NATIVE  # "100 TRX": asked in one round trip (0053)
    if detection.transactions:
        async with _bot_typing(services, conversation_id, with_bot):
            outcomes = await asyncio.gather(*(
                look_up_found(client, found, detection.hints, native=native)
                for found in detection.transactions[:MAX_PER_MESSAGE]))
            return await _record(services, conversation_id, message_id, outcomes, with_bot,
                                 unchecked=len(detection.transactions) > MAX_PER_MESSAGE)
    if detection.hints:  # the network the bot asked for? (it answers, even if a person
        # has been called meanwhile: it asked; not once an agent has it: _record)
        async with services.read() as session:
            waiting = await waiting_for_network(session, conversation_id)
        if waiting is not None:
            found = detect(waiting.tx).transactions
            if found:
                async with _bot_typing(services, conversation_id, True):
                    outcome = await look_up_found(client, found[0], detection.hints,
                                                  native=native)
                    if outcome.result is not None:
                        return await _record(services, conversation_id, message_id,
                                             [outcome], True, replaces=waiting.id)
    if not with_bot:
        return []
    incomplete = incomplete_hashes(text)
    if incomplete:  # a hash copied short or mistyped: no chain has it, ask for it again
        await _ask_again(services, conversation_id, message_id, incomplete[0])
        return []
    await _ask_for_hash(services, conversation_id, message_id, bool(detection.addresses))
    return []


@contextlib.asynccontextmanager
async def _bot_typing(services: Services, conversation_id: int, on: bool) -> AsyncIterator[None]:
    """The bot's typing indicator in the customer's widget while it looks a transfer up
    (``on``: the bot answers): the lookup waits for the endpoint, up to its timeout and
    retries, and a customer who sees nothing for 16 s writes again or leaves. Sent again every
    ``TYPING_EVERY_S`` and turned off at the end, whatever the lookup did; only when the
    message names a transaction (most messages never reach the chain)."""
    customer_id: int | None = None
    if on:
        async with services.read() as session:
            customer_id = await session.scalar(
                select(Conversation.customer_id).where(Conversation.id == conversation_id))
    if customer_id is None:
        yield
        return
    event = {"type": "typing", "sender_kind": "bot", "conversation_id": conversation_id,
             "customer_id": customer_id, "name": ""}

    async def keep_typing() -> None:
        while True:
            await asyncio.sleep(TYPING_EVERY_S)
            await _publish_typing(services, {**event, "state": True})

    await _publish_typing(services, {**event, "state": True})
    typing = asyncio.create_task(keep_typing(), name="chain-lookup-typing")
    try:
        yield
    finally:
        typing.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await typing
        await _publish_typing(services, {**event, "state": False})


async def _publish_typing(services: Services, event: dict[str, Any]) -> None:
    """A lost typing frame costs the customer an indicator, never the lookup."""
    try:
        await services.bus.publish(event)
    except Exception as exc:
        log.warning("chain_lookup_typing_failed", conversation_id=event["conversation_id"],
                    error=type(exc).__name__)


async def refresh_lookup(services: Services, agent: Agent, conversation_id: int,
                         lookup_id: int) -> dict[str, Any]:
    """The agent's "refresh": ask the chain again (not the cache). At most once per
    ``REFRESH_EVERY_S`` per lookup (else RefreshTooSoon): the endpoint is the operator's,
    often paid per request, and an agent's session (or a script with one) must not keep it
    busy. The check is claimed under the row's lock, so parallel refreshes ask once. A
    lookup erased with its customer's data has no hash left to ask about (Invalid)."""
    async with services.transaction() as session:
        await conversation_for_agent(session, agent, conversation_id)
        row = await session.scalar(select(ChainLookup).where(ChainLookup.id == lookup_id)
                                   .with_for_update())
        if row is None or row.conversation_id != conversation_id:
            raise NotFound("lookup not found")
        if row.tx == ERASED:
            raise Invalid("this lookup was erased with the customer's personal data: nothing "
                          "to look up")
        now = utcnow()
        waited = max(0.0, (now - row.checked_at).total_seconds())
        if waited < REFRESH_EVERY_S:
            raise RefreshTooSoon(int(waited), math.ceil(REFRESH_EVERY_S - waited))
        row.checked_at = now  # the claim: another refresh within the interval is refused
        tx, chain, named = row.tx, row.chain, row.named_chain
        on_candidate = chain is not None and chain in row.candidates
        wrong_network = row.result.get("wrong_network")
        # the hint (decision 0053) from what the chain said last time: a TRX transfer stays one
        native = row.result.get("token") == "TRX"
    client = await ready_client(services)
    found = detect(tx).transactions
    if on_candidate and chain is not None:
        outcome_result: TransferStatus | None = await client.look_up(chain, tx, fresh=True,
                                                                     native=native)
        named_elsewhere = wrong_network
    elif found:
        outcome = await look_up_found(client, found[0], [named] if named else [], fresh=True,
                                      native=native)
        outcome_result, named_elsewhere = outcome.result, outcome.named_elsewhere
    else:
        outcome_result, named_elsewhere = None, None
    async with services.transaction() as session:
        row = await session.get(ChainLookup, lookup_id)
        if row is None:
            raise NotFound("lookup not found")
        if row.tx == ERASED:  # erased while the chain answered: its answer is not kept
            raise Invalid("this lookup was erased with the customer's personal data: nothing "
                          "to look up")
        if outcome_result is not None:
            _fill(row, outcome_result, named_elsewhere, services.settings)
        row.checked_at = utcnow()
        await session.flush()
        return lookup_payload(row, agent)


async def _record(services: Services, conversation_id: int, message_id: int,
                  outcomes: list[Outcome], with_bot: bool,
                  replaces: int | None = None, unchecked: bool = False) -> list[ChainLookup]:
    """Store the lookups of a message and, ``with_bot``, answer them; ``unchecked``: the
    message named more transactions than are looked up (``MAX_PER_MESSAGE``): say so."""
    settings = services.settings
    async with services.transaction() as session:
        conversation = await lock_conversation(session, conversation_id)
        if conversation is None:
            return []
        # an agent took the conversation while the chain answered: the lookup is theirs to
        # tell, the customer gets no bot answer with a person (handed off and still queued:
        # the bot tells what it found while they wait)
        with_bot = with_bot and conversation.assignee_id is None
        if replaces is not None:
            old = await session.get(ChainLookup, replaces)
            if old is not None:
                await session.delete(old)
        rows: list[ChainLookup] = []
        for outcome in outcomes:
            row = ChainLookup(conversation_id=conversation.id, message_id=message_id,
                              tx=outcome.found.value, named_chain=outcome.candidates.claimed,
                              candidates=list(outcome.candidates.chains), status=ASK_NETWORK,
                              result={})
            if outcome.result is not None:
                _fill(row, outcome.result, outcome.named_elsewhere, settings)
            if row.status == PENDING:
                await _note_pending_since(session, row)
            session.add(row)
            rows.append(row)
        await session.flush()
        if with_bot:
            await _answer(session, services, conversation, rows)
            if unchecked:
                await append_message(session, conversation, sender_kind=SenderKind.bot,
                                     text=texts.text("chain_more_than_checked",
                                                     conversation.language,
                                                     count=MAX_PER_MESSAGE),
                                     meta={"kind": "chain_more", "actions": ["human"]})
        return rows


async def _note_pending_since(session: AsyncSession, row: ChainLookup) -> None:
    """How long the desk has seen this transfer pending (the chain does not say)."""
    first = await session.scalar(
        select(ChainLookup.created_at)
        .where(ChainLookup.conversation_id == row.conversation_id, ChainLookup.tx == row.tx)
        .order_by(ChainLookup.id).limit(1))
    if first is not None:
        minutes = int((utcnow() - first).total_seconds() // 60)
        if minutes >= 1:
            row.result = {**row.result, "first_seen_minutes": minutes}


def _fill(row: ChainLookup, result: TransferStatus, named_elsewhere: str | None,
          settings: Settings) -> None:
    row.chain = result.chain or None
    row.status = result.status
    row.tx = result.tx or row.tx
    notes: dict[str, Any] = {}
    if named_elsewhere:
        notes["wrong_network"] = named_elsewhere
    exchange = memo_missing(result, settings)
    if exchange:
        notes["memo_missing"] = exchange
    row.result = {**result.to_json(), **notes}


def memo_missing(result: TransferStatus, settings: Settings) -> str | None:
    """The exchange whose memo-needing deposit address the transfer went to without one."""
    if result.recipient is None or result.memo:
        return None
    return memo_exchanges(result.chain, settings).get(address_key(result.recipient))


async def _answer(session: AsyncSession, services: Services, conversation: Conversation,
                  rows: list[ChainLookup]) -> None:
    language = conversation.language
    handoff: str | None = None
    for row in rows:
        sentences, article_key = answer_text(row, language, services.settings)
        if row.status == UNSUPPORTED:
            handoff = handoff or "chain_unsupported"
        elif row.status == UNAVAILABLE:
            handoff = handoff or "chain_unavailable"
        meta: dict[str, Any] = {"kind": KIND, "lookup_id": row.id, "status": row.status,
                                "actions": ["human"]}
        link = await _article_link(session, services, article_key, language)
        if link is not None:
            meta["article"] = link
        await append_message(session, conversation, sender_kind=SenderKind.bot,
                             text=" ".join(sentences), meta=meta)
    if handoff and conversation.status == Status.bot:
        await hand_off(session, services, conversation, handoff, text_key=None)


def short(tx: str) -> str:
    return tx if len(tx) <= 20 else f"{tx[:10]}…{tx[-6:]}"


def answer_text(row: ChainLookup, language: str | None,
                 settings: Settings) -> tuple[list[str], str | None]:
    """The sentences for one lookup and the key of the article to link (chain_articles)."""
    result = TransferStatus.from_json(row.result) if row.result else None
    values: dict[str, Any] = {"tx": short(row.tx), "network": label_of(
        row.chain or row.named_chain or "", result.token if result is not None else None)
        # none named and none fitting checked: every network the hash's format fits
        or " / ".join(dict.fromkeys(label_of(c) for c in row.candidates))}
    if result is None or row.status == ASK_NETWORK:
        options = ", ".join(dict.fromkeys(label_of(c) for c in row.candidates))
        return [texts.text("chain_ask_network", language, tx=short(row.tx), options=options)], \
            None
    article: str | None = None
    if result.status == NOT_FOUND:
        sentences, article = [texts.text("chain_not_found", language, **values)], "not_found"
    elif result.status == PENDING:
        article = "pending"
        if result.fee_offered_gwei is not None and result.base_fee_gwei is not None:
            key = "chain_pending_underpriced" if result.underpriced else "chain_pending_priced"
            sentences = [texts.text(key, language, offered=_gwei(result.fee_offered_gwei),
                                    base_fee=_gwei(result.base_fee_gwei), **values)]
        else:
            sentences = [texts.text("chain_pending", language, **values)]
        first_seen = row.result.get("first_seen_minutes")
        if first_seen:
            sentences.append(texts.text("chain_pending_since", language, minutes=first_seen))
    elif result.status == CONFIRMED:  # a token the desk does not know: said so (0054)
        sentence, article = texts.confirmed(result, language, **values)
        sentences = [sentence]
    elif result.status == FAILED:
        article = "failed"
        key = {REVERTED: "chain_failed_reverted", OUT_OF_GAS: "chain_failed_out_of_gas",
               OUT_OF_ENERGY: "chain_failed_out_of_energy",
               OUT_OF_BANDWIDTH: "chain_failed_out_of_bandwidth"}.get(result.failure or "")
        if result.failure in (OUT_OF_ENERGY, OUT_OF_BANDWIDTH):
            article = "out_of_energy"
        sentences = [texts.text(key, language, **values) if key else
                     texts.text("chain_failed_other", language,
                                reason=result.failure or "?", **values)]
    elif result.status == UNSUPPORTED:
        sentences = [texts.text("chain_unsupported", language, **values)]
    else:
        sentences = [texts.text("chain_unavailable", language, **values)]
    if row.result.get("wrong_network"):
        article = "wrong_network"
        sentences.append(texts.text("chain_wrong_network", language,
                                    named=label_of(row.result["wrong_network"]), **values))
    if row.result.get("memo_missing"):
        article = "memo"
        sentences.append(texts.text("chain_memo_missing", language,
                                    recipient=result.recipient or "",
                                    exchange=row.result["memo_missing"]))
    return sentences, article


def _gwei(value: str) -> str:
    number = float(value)
    return f"{number:.2f}".rstrip("0").rstrip(".") if number < 1000 else f"{number:.0f}"


async def _article_link(session: AsyncSession, services: Services, key: str | None,
                        language: str | None) -> dict[str, str] | None:
    slug = services.settings.chain_articles.get(key or "")
    if not slug:
        return None
    article = await session.scalar(select(Article).where(Article.slug == slug))
    if article is None:
        return None
    title = slug
    if services.bot is not None and (localized := services.bot.article(slug, language or "en")):
        title = localized.title
    return {"slug": slug, "title": title, "url": f"/help/articles/{slug}?lang={language or 'en'}"}


def about_transfer(turn: BotTurn, categories: set[str]) -> bool:
    """Is the bot's turn about a transfer: the article it answered with, the one the customer
    picked from its choice (``CHOSEN``: the picked slug among its candidates) or its top
    suggestion is of one of ``categories``?"""
    if turn.outcome not in MATCHED_OUTCOMES:
        return False
    candidates = [c for c in turn.candidates or [] if isinstance(c, dict)]
    if turn.outcome == CHOSEN:
        article = next((c for c in candidates if c.get("slug") == turn.article_slug), None)
    else:
        article = candidates[0] if candidates else None
    return article is not None and article.get("category") in categories


async def _ask_for_hash(services: Services, conversation_id: int, message_id: int,
                        gave_address: bool) -> None:
    """A question about a transfer without its hash: ask for it (once in a row)."""
    categories = set(services.settings.chain_transfer_categories)
    async with services.read() as session:  # most messages stop here: no write
        turn = await session.scalar(select(BotTurn).where(BotTurn.message_id == message_id)
                                    .order_by(BotTurn.id.desc()).limit(1))
    if turn is None or not about_transfer(turn, categories):
        return
    async with services.transaction() as session:
        conversation = await lock_conversation(session, conversation_id)
        if conversation is None or conversation.status != Status.bot:
            return
        await _ask(session, conversation, turn, message_id, gave_address)


async def _ask_again(services: Services, conversation_id: int, message_id: int,
                     value: str) -> None:
    """The message holds a hex run a few digits off a hash (``incomplete_hashes``): tell the
    customer it looks incomplete and ask them to paste it again, whatever the bot matched
    (handed off, it went unanswered while they waited; the desk also said "send the hash"
    to someone who had just sent it). Also while handed off and not yet taken, as a lookup's
    answer is (``_record``). Asked as the hash question is (``ASK_HASH_KIND``): a bare 64-hex
    pasted next is checked on the chains, not removed as a possible key (0044)."""
    async with services.transaction() as session:
        conversation = await lock_conversation(session, conversation_id)
        if conversation is None or conversation.assignee_id is not None \
                or conversation.status not in (Status.bot, Status.queued):
            return
        turn_id = await session.scalar(select(BotTurn.id).where(BotTurn.message_id == message_id)
                                       .order_by(BotTurn.id.desc()).limit(1))
        digits = value[2:] if value[:2].lower() == "0x" else value
        await append_message(
            session, conversation, sender_kind=SenderKind.bot,
            text=texts.text("chain_ask_hash_incomplete", conversation.language,
                            tx=short(value), count=len(digits)),
            meta={"kind": ASK_HASH_KIND, "turn_id": turn_id, "actions": ["human"]})


async def ask_for_hash_after_pick(services: Services, conversation_id: int,
                                  turn_id: int) -> bool:
    """The customer picked a transfer article from the bot's choice: ask for the hash, as
    after a direct answer (once: not when it was asked for that question already, or just
    before it). True when asked."""
    categories = set(services.settings.chain_transfer_categories)
    async with services.transaction() as session:
        conversation = await lock_conversation(session, conversation_id)
        if conversation is None or conversation.status != Status.bot:
            return False
        turn = await session.get(BotTurn, turn_id)
        if turn is None or turn.conversation_id != conversation.id or turn.outcome != CHOSEN \
                or turn.message_id is None or not about_transfer(turn, categories):
            return False
        return await _ask(session, conversation, turn, turn.message_id,
                          bool(detect(turn.query).addresses))


async def _ask(session: AsyncSession, conversation: Conversation, turn: BotTurn,
               message_id: int, gave_address: bool) -> bool:
    """Ask for the hash after the customer's message ``message_id`` (the conversation is
    locked), unless the desk asked just before it or has asked for this turn already."""
    bot_messages = select(Message.meta).where(Message.conversation_id == conversation.id,
                                              Message.sender_kind == SenderKind.bot)
    last_bot = await session.scalar(bot_messages.where(Message.id < message_id)
                                    .order_by(Message.id.desc()).limit(1))
    if (last_bot or {}).get("kind") == ASK_HASH_KIND:
        return False  # asked already; the article answered this time
    since = (await session.scalars(bot_messages.where(Message.id > message_id))).all()
    if any((meta or {}).get("kind") == ASK_HASH_KIND and (meta or {}).get("turn_id") == turn.id
           for meta in since):
        return False  # asked for this question already (its top suggestion, then the pick)
    await append_message(
        session, conversation, sender_kind=SenderKind.bot,
        text=texts.text("chain_ask_hash_address" if gave_address else "chain_ask_hash",
                        conversation.language),
        meta={"kind": ASK_HASH_KIND, "turn_id": turn.id, "actions": ["human"]})
    return True
