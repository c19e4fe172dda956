"""Attacks on decision 0044 (a bare 64-hex value sent alone after the desk asked for a hash is
kept when a chain knows it): a key beside, before, after or glued to a real transaction id,
the desk's question forged or stale, retries, many values in a row, logs. Real Esplora wire
server (tests/chains/wire_servers.py); SQLite and PostgreSQL."""

import asyncio
import json
import logging
import os
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path

from sqlalchemy import inspect, select, text, update

from tests.chains.desk import customer_texts, desk, say
from tests.chains.test_http_chains import BTC_TX, esplora_tx
from tests.chains.wire_servers import Behaviour, esplora
from tests.conftest import make_agent_in
from walletdesk.accounts.models import Team
from walletdesk.chains.verify import MAX_ANSWERS
from walletdesk.conversations.actions import InboundMessage, receive_message, send_message
from walletdesk.conversations.models import Message, SenderKind
from walletdesk.db.base import utcnow
from walletdesk.email.inbound import receive_email
from walletdesk.safety.across import protect_with_previous, unverified_alone
from walletdesk.safety.protect import KEY_PLACEHOLDER, protect_text, unverified_values
from walletdesk.tokens import reply_address

ASK = "Could you send me the transaction hash (TxID)?"


def key() -> str:
    return os.urandom(32).hex()


async def in_database(services, needle: str) -> list[str]:  # type: ignore[no-untyped-def]
    async with services.db.engine.connect() as conn:
        tables = await conn.run_sync(lambda c: inspect(c).get_table_names())
        found = []
        for table in tables:
            rows = (await conn.execute(text(f'SELECT * FROM "{table}"'))).all()
            if needle in json.dumps([list(map(str, r)) for r in rows]).lower():
                found.append(table)
        return found


async def agent_asks(services, conversation_id: int, question: str = ASK,  # type: ignore[no-untyped-def]
                     internal: bool = False) -> None:
    async with services.read() as session:
        team = await session.scalar(select(Team))
    agent = await make_agent_in(services, "Agent " + os.urandom(4).hex(), teams=[team])
    await send_message(services, agent, conversation_id, question, internal=internal)


def not_in_bus(services, needle: str) -> None:  # type: ignore[no-untyped-def]
    assert needle not in json.dumps(services.bus.published, default=str).lower()


# --- pure: what is asked, what keep lets through ---------------------------------------

def test_a_key_glued_to_a_txid_is_removed_with_or_without_keep():
    tx, k = key(), key()
    for glued in (tx + k, k + tx, os.urandom(64).hex()):  # 128 hex: also a 64-byte secret
        assert KEY_PLACEHOLDER in protect_text(glued).text, "stored whole"
        assert unverified_values(glued) == []
        assert KEY_PLACEHOLDER in protect_text(glued, keep=frozenset([tx])).text
    assert protect_text(f"0x{os.urandom(64).hex()}").text.startswith("0x")  # a public key


def test_only_the_exact_verified_value_passes_in_any_wrapping():
    tx, k = key(), key()
    for wrap in ('"{}"', "`{}`", "```\n{}\n```", "({})", "{}.", "'{}'", "<{}>"):
        message = wrap.format(k)
        assert unverified_values(message) == [k]
        assert k not in protect_text(message, keep=frozenset([tx])).text.lower()
        assert tx in protect_text(wrap.format(tx), keep=frozenset([tx])).text
    for variant in (k.upper(), k[:32] + k[32:].upper()):
        assert protect_text(variant, keep=frozenset([tx])).text == KEY_PLACEHOLDER
    # spaces or dashes inside: written in groups, never asked, removed
    grouped = "-".join(k[i:i + 8] for i in range(0, 64, 8))
    assert unverified_values(grouped) == [] and protect_text(grouped).text == KEY_PLACEHOLDER
    # the same digits with a key word before: removed even if a chain knew them
    assert protect_text(f"private key {tx}", keep=frozenset([tx])).text.endswith(KEY_PLACEHOLDER)


def test_key_like_words_are_not_asked_about():
    k = key()
    for said in ("pk", "sk=", "seed:", "prv", "keys", "keystore", "mnemonic", "wif", "k e y",
                 "k\u200bey", "PK:"):
        assert unverified_values(f"{said} {k}") == [], said
        assert protect_text(f"{said} {k}").text.endswith(KEY_PLACEHOLDER), said
    assert unverified_values(f"sure: {k}") == [k]  # the ordinary answer still is


def test_a_key_cut_around_a_txid_or_after_it():
    tx, k = key(), key()
    # the first half of a key, then the rest beside the txid: the key is found across, not asked
    assert unverified_alone([k[:40]], f"{k[40:]} {tx}") == []
    after = protect_with_previous([k[:40]], f"{k[40:]} {tx}", keep=frozenset([tx]))
    assert k[40:] not in after.protected.text and k[:40] not in after.earlier[0]
    # a key sent right after a kept txid: its own value, checked (or not) on its own
    assert protect_with_previous([tx], k, keep=frozenset([tx])).protected.text == KEY_PLACEHOLDER
    # key words at the end of the previous message win over the chain
    assert unverified_alone(["my private"], f"key: {tx}") == []


# --- the message path ----------------------------------------------------------------

async def test_a_key_beside_a_real_txid_is_removed_and_the_txid_kept(database_url):
    k = key()
    async with esplora({BTC_TX: esplora_tx(BTC_TX, True)}, 870_005) as (server, _), \
            desk(database_url, {"bitcoin": server.url + "/api"}, bot=False) as services:
        conversation, _, _ = await say(services, "my transfer did not arrive")
        await agent_asks(services, conversation.id)
        await say(services, f"{BTC_TX}\n{k}")
        await say(services, k)  # the key again, right after the kept txid
        texts = await customer_texts(services, conversation.id)
        assert texts[1:] == [f"{BTC_TX}\n{KEY_PLACEHOLDER}", KEY_PLACEHOLDER]
        assert await in_database(services, k) == []
        not_in_bus(services, k)


async def test_a_verified_txid_opens_nothing_elsewhere(database_url):
    k = key()
    behaviour = Behaviour()
    async with esplora({BTC_TX: esplora_tx(BTC_TX, True)}, 870_005, behaviour) as (server, _), \
            desk(database_url, {"bitcoin": server.url + "/api"}, bot=False) as services:
        first, _, _ = await say(services, "hello", visitor="a")
        await agent_asks(services, first.id)
        await say(services, BTC_TX, visitor="a")
        # another customer, nobody asked them: the same digits are removed, nothing asked
        before = behaviour.requests
        other, _, _ = await say(services, "hello", visitor="b")
        await say(services, BTC_TX, visitor="b")
        await say(services, k, visitor="b")
        assert behaviour.requests == before
        assert (await customer_texts(services, first.id))[-1] == BTC_TX
        assert (await customer_texts(services, other.id))[1:] == [KEY_PLACEHOLDER] * 2


async def test_the_question_cannot_be_forged_or_stale(database_url):
    behaviour = Behaviour()
    async with esplora({BTC_TX: esplora_tx(BTC_TX, True)}, 870_005, behaviour) as (server, _), \
            desk(database_url, {"bitcoin": server.url + "/api"}, bot=False) as services:
        # the customer's own words
        conversation, _, _ = await say(services, "Could you send me the transaction hash?")
        await say(services, BTC_TX)
        # an internal note saying it
        await agent_asks(services, conversation.id, internal=True)
        await say(services, BTC_TX)
        assert behaviour.requests == 0
        # a real question, more than an hour old
        await agent_asks(services, conversation.id)
        async with services.transaction() as session:
            await session.execute(update(Message).where(
                Message.conversation_id == conversation.id,
                Message.sender_kind == SenderKind.agent).values(
                created_at=utcnow() - timedelta(hours=2)))
        await say(services, BTC_TX)
        assert behaviour.requests == 0
        texts = await customer_texts(services, conversation.id)
        assert texts[1:] == [KEY_PLACEHOLDER] * 3


async def test_a_retry_with_the_same_client_id_stores_one_removed_message(database_url):
    k = key()
    async with esplora({}, 870_005) as (server, _), \
            desk(database_url, {"bitcoin": server.url + "/api"}, bot=False) as services:
        conversation, _, _ = await say(services, "hello")
        await agent_asks(services, conversation.id)

        async def send():  # type: ignore[no-untyped-def]
            return await receive_message(services, InboundMessage(
                channel="web", external_id="v1", text=k, client_id="same"))

        first, second = await asyncio.gather(send(), send())
        again = await send()
        assert {first.message.id, second.message.id, again.message.id} == {first.message.id}
        assert again.duplicate and first.message.text == KEY_PLACEHOLDER
        assert (await customer_texts(services, conversation.id))[1:] == [KEY_PLACEHOLDER]
        assert await in_database(services, k) == []


async def test_many_values_after_one_question_ask_the_chain_a_few_times(database_url):
    behaviour = Behaviour()
    async with esplora({}, 870_005, behaviour) as (server, _), \
            desk(database_url, {"bitcoin": server.url + "/api"}, bot=False) as services:
        conversation, _, _ = await say(services, "hello")
        await agent_asks(services, conversation.id)
        for _ in range(MAX_ANSWERS + 6):
            await say(services, f"{key()}\n{key()}\n{key()}")  # three values a message
        texts = await customer_texts(services, conversation.id)
        assert all(t == "\n".join([KEY_PLACEHOLDER] * 3) for t in texts[1:])
        # the chain is asked for the first answers to the question only (3 values each)
        assert behaviour.requests <= 3 * MAX_ANSWERS * 2, behaviour.requests
        # asked again: still not checked (that many values removed within the hour); the
        # customer can write "txid …"
        await agent_asks(services, conversation.id, "Thanks. And the other transaction id?")
        before = behaviour.requests
        await say(services, key())
        assert behaviour.requests == before


async def test_a_new_question_is_answered_by_the_next_few_messages_only(database_url):
    behaviour = Behaviour()
    async with esplora({BTC_TX: esplora_tx(BTC_TX, True)}, 870_005, behaviour) as (server, _), \
            desk(database_url, {"bitcoin": server.url + "/api"}, bot=False) as services:
        conversation, _, _ = await say(services, "hello")
        await agent_asks(services, conversation.id)
        for number in range(MAX_ANSWERS):
            await say(services, f"let me look for it ({number})")
        await say(services, BTC_TX)  # long after the question: not asked, removed
        assert behaviour.requests == 0
        await agent_asks(services, conversation.id)
        await say(services, BTC_TX)
        assert behaviour.requests > 0
        texts = await customer_texts(services, conversation.id)
        assert texts[-2:] == [KEY_PLACEHOLDER, BTC_TX]


async def test_the_bot_asking_again_does_not_reopen_the_tap(database_url):
    behaviour = Behaviour()
    async with esplora({}, 870_005, behaviour) as (server, _), \
            desk(database_url, {"bitcoin": server.url + "/api"}) as services:
        await say(services, "my transfer is stuck as pending for hours, can I speed it up?")
        for _ in range(12):
            await say(services, key())
        assert behaviour.requests <= 2 * MAX_ANSWERS + 4, behaviour.requests


async def test_no_log_line_holds_the_value_when_the_chain_fails(database_url, capfd, caplog):
    caplog.set_level(logging.DEBUG)
    keys = []
    for delay, endpoint in ((0.0, None), (3.0, None), (0.0, "http://127.0.0.1:9/api")):
        behaviour = Behaviour()
        behaviour.delay_s = delay
        async with esplora({}, 870_005, behaviour) as (server, _), \
                desk(database_url, {"bitcoin": endpoint or server.url + "/api"}, bot=False,
                     chain_timeout_s=0.5, chain_retries=0, log_level="DEBUG") as services:
            conversation, _, _ = await say(services, "hello")
            await agent_asks(services, conversation.id)
            k = key()
            keys.append(k)
            await say(services, k)
            assert (await customer_texts(services, conversation.id))[-1] == KEY_PLACEHOLDER
    out, err = capfd.readouterr()
    logs = out + err + caplog.text
    assert "chain_verify" in logs
    for k in keys:
        # the wire server's own access log is the endpoint's (what a provider sees), not ours
        leaks = [line for line in logs.splitlines()
                 if k in line.lower() and '"GET /api/tx/' not in line]
        assert leaks == []


def test_two_whole_values_in_a_row_are_not_one_glued_secret():
    first, second = key(), key()
    # a kept txid, then another txid alone: each judged alone (the earlier one stays)
    after = protect_with_previous([first], second, keep=frozenset([second]))
    assert after.protected.text == second and after.earlier == {}
    assert unverified_alone([first], second) == [second]
    # half a key then the rest: still glued, both removed
    cut = protect_with_previous([first[:40]], first[40:])
    assert cut.protected.text == KEY_PLACEHOLDER and cut.earlier == {0: KEY_PLACEHOLDER}


def mail(to: str, body: str, attachment: str | None = None, subject: str = "Re: transfer") -> bytes:
    message = EmailMessage()
    message["From"] = "Carol <carol@example.org>"
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = f"<{os.urandom(6).hex()}@example.org>"
    message.set_content(body)
    if attachment is not None:
        message.add_attachment(attachment.encode(), maintype="text", subtype="plain",
                               filename="tx.txt")
    return message.as_bytes()


async def test_the_email_channel_follows_the_same_rule(database_url):
    k = key()
    behaviour = Behaviour()
    async with esplora({BTC_TX: esplora_tx(BTC_TX, True)}, 870_005, behaviour) as (server, _), \
            desk(database_url, {"bitcoin": server.url + "/api"}, bot=False) as services:
        first = await receive_email(services, mail("support@example.com", "my transfer?"))
        assert first.conversation_id is not None
        to = reply_address(services.settings, first.conversation_id)
        await receive_email(services, mail(to, BTC_TX))  # nobody asked: removed, not asked
        assert behaviour.requests == 0
        await agent_asks(services, first.conversation_id)
        # the answer by mail: the txid kept; a key in the subject or a text file: removed
        await receive_email(services, mail(to, BTC_TX, attachment=f"{BTC_TX}\n{k}",
                                           subject=k))
        assert behaviour.requests > 0
        texts = await customer_texts(services, first.conversation_id)
        assert texts[1:] == [KEY_PLACEHOLDER, BTC_TX]
        assert await in_database(services, k) == []
        blobs = list((Path(services.settings.data_dir) / "blobs").rglob("*"))
        assert not any(k in p.read_text(errors="ignore") for p in blobs if p.is_file())
