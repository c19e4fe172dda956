"""A message naming a transaction is answered by its lookup, not handed off by the bot first.

Found in the demo (stop 26): "where is my transfer? txid <hash>" matched no article, so the
bot said "I'm passing you to a person" and queued the case; a moment later the lookup told
the customer the transfer was confirmed. The bot now leaves such a message to the lookup,
which answers, asks for the network, or hands over when it cannot. On SQLite and PostgreSQL.
"""

from sqlalchemy import select

from tests.chains.desk import desk, say
from tests.chains.test_http_chains import TRON_OK, trc20_transfer, tron_info
from tests.chains.wire_servers import trongrid
from walletdesk.bot.actions import CHAIN_LOOKUP, left_to_lookup
from walletdesk.bot.models import BotTurn
from walletdesk.conversations.models import SenderKind, Status
from walletdesk.services import Services

UNMATCHED = f"tx {TRON_OK} on tron, thoughts?"  # no article matches: the hash is the question


async def turns(services: Services, conversation_id: int) -> list[tuple[str, str]]:
    async with services.read() as session:
        return [(t.outcome, t.reason) for t in (await session.scalars(
            select(BotTurn).where(BotTurn.conversation_id == conversation_id)
            .order_by(BotTurn.id))).all()]


def bot_kinds(replies) -> list[str]:  # type: ignore[no-untyped-def]
    return [(r.meta or {}).get("kind", "") for r in replies if r.sender_kind == SenderKind.bot]


async def test_a_hash_the_bot_cannot_match_is_answered_by_its_lookup_alone(database_url):
    async with trongrid({TRON_OK: trc20_transfer(TRON_OK, 100_000_000)},
                        {TRON_OK: tron_info(TRON_OK, 77_000_000, "SUCCESS")},
                        77_000_019) as (tron, _), \
            desk(database_url, {"tron": tron.url}) as services:
        conversation, replies, lookups = await say(services, UNMATCHED)
        recorded = await turns(services, conversation.id)
    assert conversation.status == Status.bot  # not queued for a person
    assert bot_kinds(replies) == ["chain_lookup"]  # no "passing you to a person" first
    assert replies[-1].meta["status"] == "confirmed" and "100 USDT" in replies[-1].text
    assert recorded[0][0] == CHAIN_LOOKUP and recorded[0][1] in ("out_of_scope",
                                                                "low_confidence")
    assert [lookup.status for lookup in lookups] == ["confirmed"]


async def test_without_an_endpoint_the_same_message_is_handed_off(database_url):
    async with desk(database_url, {}) as services:
        conversation, replies, lookups = await say(services, UNMATCHED)
        recorded = await turns(services, conversation.id)
    assert conversation.status != Status.bot
    assert recorded[0][0] == "handed_off" and lookups == []


async def test_an_endpoint_down_still_brings_a_person(database_url):
    async with desk(database_url, {"tron": "http://127.0.0.1:9"}) as services:
        conversation, replies, _ = await say(services, UNMATCHED)
    assert conversation.status != Status.bot  # the lookup handed over
    [told] = [r.text for r in replies if "passing you to a person" in r.text]  # said once,
    assert bot_kinds(replies) == ["chain_lookup"]  # by the lookup
    assert told


async def test_asking_for_a_person_with_a_hash_is_handed_off_at_once(database_url):
    async with desk(database_url, {"tron": "http://127.0.0.1:9"}) as services:
        conversation, _, _ = await say(services, f"tx {TRON_OK} on tron, talk to a human please")
        recorded = await turns(services, conversation.id)
    assert recorded[0] == ("handed_off", "asked_for_human")


def test_only_a_transaction_on_a_desk_with_an_endpoint_is_left_to_the_lookup():
    from tests.conftest import make_settings

    with_tron = make_settings("sqlite+aiosqlite://", chain_endpoints={"tron": "http://x"})
    unknown_chain = make_settings("sqlite+aiosqlite://", chain_endpoints={"dogechain": "http://x"})
    assert left_to_lookup(with_tron, f"txid {TRON_OK}")
    assert not left_to_lookup(with_tron, "my transfer has not arrived")  # asked for the hash
    assert not left_to_lookup(with_tron, "TXYZ1234 is my reference")
    assert not left_to_lookup(unknown_chain, f"txid {TRON_OK}")
