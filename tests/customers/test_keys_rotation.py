"""`walletdesk keys rotate` moves every encrypted value to the new key, so the old key can be
removed: agents still pass two-factor login, a mailed code still verifies the address. A
missing or wrong old key, or no keys at all, stop it before anything is written; so does a
hash key other than the one the stored hashes were made with, unless it changes on purpose
(then returning customers are found with the new one)."""

import base64
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select, text

from tests.conftest import make_agent_in, make_settings
from tests.customers.test_code_limits import codes_for, custodial_bot, say  # noqa: F401
from tests.email.conftest import MailDesk, mail_desk  # noqa: F401 - fixture
from walletdesk import crypto
from walletdesk.accounts import totp
from walletdesk.accounts.models import Agent, Role
from walletdesk.accounts.two_factor import (
    begin_enrolment,
    confirm_enrolment,
    verify_second_factor,
)
from walletdesk.audit.models import AuditEvent
from walletdesk.conversations.actions import InboundMessage, receive_message
from walletdesk.conversations.queries import InboxFilter, InboxView, list_inbox
from walletdesk.customers import keys
from walletdesk.customers.keys import ENCRYPTED, HashKeyMismatch, Rotated, rotate_keys
from walletdesk.customers.models import Customer
from walletdesk.db.engine import Database
from walletdesk.db.migrate import upgrade_database
from walletdesk.services import Services

KEY_A = "ka:" + base64.b64encode(b"A" * 32).decode()
KEY_B = "kb:" + base64.b64encode(b"B" * 32).decode()
KEY_C = "kc:" + base64.b64encode(b"C" * 32).decode()
WRONG_A = "ka:" + base64.b64encode(b"W" * 32).decode()  # the id of KEY_A, other bytes
HASH_KEY = "hash-key"
TYPO_HASH_KEY = "hash-kee"


@pytest.fixture(autouse=True)
def keyring_restored(monkeypatch: pytest.MonkeyPatch) -> None:
    """The process's keyring as it was before the test (the tests configure their own)."""
    monkeypatch.setattr(crypto, "_keyring", crypto._keyring)


def use_keys(spec: str, secret_key: str = "", hash_key: str | None = HASH_KEY) -> None:
    crypto.configure(spec, hash_key, secret_key)


async def stored_values(services: Services) -> dict[str, list[str | None]]:
    """Every encrypted column as stored (not decrypted), by table.column."""
    values: dict[str, list[str | None]] = {}
    async with services.read() as session:
        for spec in ENCRYPTED:
            for name in spec.columns:
                values[f"{spec.table}.{name}"] = list((await session.scalars(text(
                    f"SELECT {name} FROM {spec.table} ORDER BY id"))).all())  # noqa: S608
    return values


async def stored_hashes(services: Services) -> dict[str, list[str | None]]:
    """Every keyed hash as stored, by table.column."""
    values: dict[str, list[str | None]] = {}
    async with services.read() as session:
        for spec in ENCRYPTED:
            for hashed in spec.hashes.values():
                values[f"{spec.table}.{hashed}"] = list((await session.scalars(text(
                    f"SELECT {hashed} FROM {spec.table} ORDER BY id"))).all())  # noqa: S608
    return values


async def stored(services: Services) -> dict[str, list[str | None]]:
    return {**await stored_values(services), **await stored_hashes(services)}


async def email_customer(services: Services, address: str) -> int:
    delivered = await receive_message(services, InboundMessage(
        channel="email", external_id=address, text="my deposit is missing",
        customer_name=address.split("@")[0].title(), customer_email=address))
    return delivered.conversation.customer_id


async def two_factor_agent(services: Services, name: str = "Alice") -> tuple[int, str]:
    agent = await make_agent_in(services, name)
    enrolment = await begin_enrolment(services, agent.id)
    await confirm_enrolment(services, agent.id, totp.code_at(enrolment.secret))
    return agent.id, enrolment.secret


def next_code(secret: str) -> str:
    # the next time step's code: confirming spent the current one (no replay), and the next
    # one is accepted (clock drift)
    return totp.code_at(secret, time.time() + totp.STEP_S)


def last_code(desk: MailDesk) -> str:
    body = desk.relay.received[-1].get_body(("plain",)).get_content()  # type: ignore[union-attr]
    found = re.search(r"\b(\d{6})\b", body)
    assert found, body
    return found.group(1)


async def test_after_rotation_the_old_key_can_go(services, custodial_bot, mail_desk):  # noqa: F811
    use_keys(KEY_A)
    agent_id, secret = await two_factor_agent(services)
    conversation, _ = await codes_for(services, mail_desk, "v1", ["alice@example.com"])
    code = last_code(mail_desk)
    before = await stored_values(services)
    assert before["agents.totp_secret"][0].startswith("enc1:ka:")  # type: ignore[union-attr]
    assert before["email_codes.email"][0].startswith("enc1:ka:")  # type: ignore[union-attr]

    use_keys(f"{KEY_B},{KEY_A}")
    done = await rotate_keys(services)
    assert (done.two_factor_secrets, done.email_codes, done.customers, done.identities) == (
        1, 1, 1, 1)
    assert done.messages >= 1  # the customer's and the bot's
    after = await stored_values(services)
    for column, values in after.items():
        assert all(v is None or v == "" or v.startswith("enc1:kb:") for v in values), column
    # a second run: nothing to do, nothing rewritten, nothing audited
    assert await rotate_keys(services) == Rotated()
    assert await stored_values(services) == after
    async with services.read() as session:
        [audit] = (await session.scalars(
            select(AuditEvent).where(AuditEvent.action == "keys.rotate"))).all()
    assert audit.detail["two_factor_secrets"] == 1 and audit.detail["email_codes"] == 1
    assert audit.detail["primary_key"] == "kb"

    use_keys(KEY_B)  # the old key removed
    login = await verify_second_factor(services, agent_id, next_code(secret))
    assert login.agent is not None and login.error is None
    conversation, _ = await say(services, f"the code is {code}", "v1")
    assert conversation.verification_state == "verified"
    async with services.read() as session:
        customer = await session.get(Customer, conversation.customer_id)
    assert customer is not None and customer.email == "alice@example.com"


async def test_values_from_before_encryption_are_encrypted(services, make_agent):
    agent = await make_agent("Bob")
    delivered = await receive_message(services, InboundMessage(
        channel="web", external_id="v2", text="hello"))
    async with services.transaction() as session:
        await session.execute(text("UPDATE agents SET totp_secret = 'JBSWY3DPEHPK3PXP'"))
        await session.execute(text(
            "INSERT INTO email_codes (customer_id, conversation_id, email, attempts, created_at, "
            "expires_at) VALUES (:customer, :conversation, 'old@example.com', 0, "
            "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"),
            {"customer": delivered.conversation.customer_id,
             "conversation": delivered.conversation.id})
    done = await rotate_keys(services)
    assert (done.two_factor_secrets, done.email_codes) == (1, 1)
    stored = await stored_values(services)
    assert "JBSWY3DPEHPK3PXP" not in repr(stored) and "old@example.com" not in repr(stored)
    async with services.read() as session:
        rotated = await session.get(Agent, agent.id, populate_existing=True)
    assert rotated is not None and rotated.totp_secret == "JBSWY3DPEHPK3PXP"


async def test_a_missing_or_wrong_old_key_stops_it_before_anything_changes(services):
    use_keys(KEY_A)
    await two_factor_agent(services)  # agents' secrets under ka
    use_keys(KEY_C)
    await receive_message(services, InboundMessage(  # customers under kc: rotatable
        channel="email", external_id="li@example.com", text="hi", customer_name="Li",
        customer_email="li@example.com"))
    before = await stored_values(services)

    use_keys(f"{KEY_B},{KEY_C}")  # ka forgotten: customers first would be half done
    with pytest.raises(crypto.KeyError_, match=r"agents\.totp_secret .*'ka'.*nothing was changed"):
        await rotate_keys(services)
    assert await stored_values(services) == before

    use_keys(f"{KEY_B},{KEY_C},{WRONG_A}")  # ka there, but not the key it was
    with pytest.raises(crypto.KeyError_, match=r"agents\.totp_secret: .*cannot be decrypted"):
        await rotate_keys(services)
    assert await stored_values(services) == before
    async with services.read() as session:
        assert (await session.scalars(
            select(AuditEvent).where(AuditEvent.action == "keys.rotate"))).all() == []


async def found_by_hash(services: Services, make_agent: Callable[..., Any],
                        addresses: list[str]) -> tuple[list[int], list[int]]:
    """The customer the desk finds for each address writing again (by the identity's hash),
    and how many conversations a search for the address (the customers' e-mail hash) lists."""
    returning = [await email_customer(services, address) for address in addresses]
    admin = await make_agent("Boss", role=Role.admin)
    async with services.read() as session:
        searched = [len(await list_inbox(session, admin, InboxFilter(InboxView.all,
                                                                     search=address.upper())))
                    for address in addresses]
    return returning, searched


async def keys_rotations(services: Services) -> list[AuditEvent]:
    async with services.read() as session:
        return list((await session.scalars(select(AuditEvent).where(
            AuditEvent.action == "keys.rotate").order_by(AuditEvent.id))).all())


ADDRESSES = ["ann@example.com", "bo@example.com", "cy@example.com", "di@example.com"]


async def test_hashes_of_another_hash_key_stop_it_unless_the_change_is_meant(
        services, make_agent):
    use_keys(KEY_A)
    customers = [await email_customer(services, address) for address in ADDRESSES]
    before = await stored(services)

    # the shell without the desk's hash key (derived from the secret key), or a typo in it
    for hash_key in (None, TYPO_HASH_KEY):
        use_keys(f"{KEY_B},{KEY_A}", secret_key="another-secret", hash_key=hash_key)
        with pytest.raises(HashKeyMismatch, match=r"not made with this WALLETDESK_HASH_KEY "
                           r"\(none of 12 sampled .*--new-hash-key.*nothing was changed"):
            await rotate_keys(services)
        assert await stored(services) == before
    assert await keys_rotations(services) == []

    # changed on purpose: everything under the new key and its hashes
    done = await rotate_keys(services, new_hash_key=True)
    assert (done.customers, done.identities) == (4, 4)
    after = await stored_hashes(services)
    assert after["customers.email_hash"] == [crypto.keyring().hash(a) for a in ADDRESSES]
    assert await found_by_hash(services, make_agent, ADDRESSES) == (customers, [1, 1, 1, 1])
    assert await rotate_keys(services) == Rotated()  # the hashes are this key's now
    [audit] = await keys_rotations(services)
    assert audit.detail["new_hash_key"] is True


async def test_a_hash_key_change_that_stopped_part_way_goes_on_without_the_flag(
        services, make_agent, monkeypatch):
    use_keys(KEY_A)
    customers = [await email_customer(services, address) for address in ADDRESSES]
    use_keys(KEY_A, hash_key=TYPO_HASH_KEY)  # now the desk's hash key, on purpose
    ring = crypto.keyring()
    real_transaction = services.transaction

    batches: list[int] = []

    def the_database_goes_away_after_one_batch(**kwargs: bool) -> Any:
        batches.append(1)
        if len(batches) > 1:
            raise ConnectionError("the database went away")
        return real_transaction(**kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(keys, "BATCH", 2)
        patch.setattr(services, "transaction", the_database_goes_away_after_one_batch)
        with pytest.raises(ConnectionError):
            await rotate_keys(services, new_hash_key=True)
    half = await stored_hashes(services)
    assert [h == ring.hash(a) for h, a in zip(half["customers.email_hash"], ADDRESSES,
                                              strict=True)] == [True, True, False, False]
    assert not any(h == ring.hash(a) for h, a in zip(half["customer_identities.external_hash"],
                                                     ADDRESSES, strict=True))

    done = await rotate_keys(services)  # resumed, without --new-hash-key
    assert (done.customers, done.identities) == (2, 4)
    after = await stored_hashes(services)
    assert after["customers.email_hash"] == [ring.hash(a) for a in ADDRESSES]
    assert after["customer_identities.external_hash"] == [ring.hash(a) for a in ADDRESSES]
    assert await found_by_hash(services, make_agent, ADDRESSES) == (customers, [1, 1, 1, 1])


async def stored_values_of(url: str) -> dict[str, list[str | None]]:
    services = Services(make_settings(url))
    try:
        return await stored_values(services)
    finally:
        await services.stop()


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "walletdesk.cli", "keys", "rotate", *args],
                          env=env, capture_output=True, text=True)


async def test_the_command_refuses_bad_keys_and_reports_every_count(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path}/desk.db"
    database = Database(url)
    await upgrade_database(database.engine)
    await database.dispose()
    services = Services(make_settings(url, encryption_keys=KEY_A, hash_key=HASH_KEY))
    try:
        await two_factor_agent(services)
    finally:
        await services.stop()
    before = await stored_values_of(url)
    env = {k: v for k, v in os.environ.items() if k != "WALLETDESK_ENCRYPTION_KEYS"}
    env.update({"WALLETDESK_DATABASE_URL": url, "WALLETDESK_HASH_KEY": HASH_KEY,
                "COLUMNS": "300"})
    refusals = [({}, "WALLETDESK_ENCRYPTION_KEYS is not set"),
                ({"WALLETDESK_ENCRYPTION_KEYS": "k1:not-a-key"}, "not valid base64"),
                ({"WALLETDESK_ENCRYPTION_KEYS": KEY_B}, "agents.totp_secret holds values "
                                                        "encrypted with key 'ka'")]
    for extra, message in refusals:
        done = _cli({**env, **extra}, "--json")
        assert done.returncode == 2, done.stdout + done.stderr
        assert message in " ".join(done.stdout.split()), done.stdout
        assert "Traceback" not in done.stdout + done.stderr
    assert await stored_values_of(url) == before

    done = _cli({**env, "WALLETDESK_ENCRYPTION_KEYS": f"{KEY_B},{KEY_A}"}, "--json")
    assert done.returncode == 0, done.stdout + done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == {
        "customers": 0, "identities": 0, "messages": 0, "device_addresses": 0,
        "email_codes": 0, "two_factor_secrets": 1, "primary_key": "kb"}
    done = _cli({**env, "WALLETDESK_ENCRYPTION_KEYS": KEY_B})  # the old key gone: nothing left
    assert done.returncode == 0, done.stdout + done.stderr
    assert " ".join(done.stdout.split()) == (
        "re-encrypted with key 'kb': 0 customers, 0 channel identities, 0 message sender names, "
        "0 reported wallet addresses, 0 email-code addresses, 0 two-factor secrets")


async def test_the_command_refuses_another_hash_key_unless_told_it_is_new(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path}/desk.db"
    database = Database(url)
    await upgrade_database(database.engine)
    await database.dispose()
    desk = Services(make_settings(url, encryption_keys=KEY_A, hash_key=HASH_KEY))
    try:
        customer_id = await email_customer(desk, "ann@example.com")
        before = await stored(desk)
    finally:
        await desk.stop()
    env = {k: v for k, v in os.environ.items()
           if k not in ("WALLETDESK_ENCRYPTION_KEYS", "WALLETDESK_HASH_KEY")}
    env.update({"WALLETDESK_DATABASE_URL": url, "WALLETDESK_ENCRYPTION_KEYS": KEY_A,
                "COLUMNS": "300"})
    refusal = ("the stored keyed hashes were not made with this WALLETDESK_HASH_KEY (none of 3 "
               "sampled recomputes to its stored value): run with the desk's own hash key, or "
               "with `walletdesk keys rotate --new-hash-key` if you are changing it on purpose; "
               "nothing was changed")
    for extra, unset in (({}, True), ({"WALLETDESK_HASH_KEY": TYPO_HASH_KEY}, False)):
        done = _cli({**env, **extra})
        assert done.returncode == 2, done.stdout + done.stderr
        shown = " ".join(done.stdout.split())
        assert shown == "error: " + ("WALLETDESK_HASH_KEY is not set here, so it is derived "
                                     "from WALLETDESK_SECRET_KEY; " if unset else "") + refusal
    upgrade = subprocess.run([sys.executable, "-m", "walletdesk.cli", "db", "upgrade"],
                             env={**env, "WALLETDESK_HASH_KEY": TYPO_HASH_KEY},
                             capture_output=True, text=True)
    assert upgrade.returncode == 2, upgrade.stdout + upgrade.stderr  # says what it did do
    assert " ".join(upgrade.stdout.split()) == (
        f"error: the schema of {url} is up to date, but personal data was not re-encrypted: "
        + refusal)
    desk = Services(make_settings(url, encryption_keys=KEY_A, hash_key=HASH_KEY))
    try:
        assert await stored(desk) == before
    finally:
        await desk.stop()

    done = _cli({**env, "WALLETDESK_HASH_KEY": HASH_KEY})  # the desk's own: nothing to do
    assert done.returncode == 0 and " 0 customers, 0 channel identities" in done.stdout
    done = _cli({**env, "WALLETDESK_HASH_KEY": TYPO_HASH_KEY}, "--new-hash-key")
    assert done.returncode == 0, done.stdout + done.stderr
    assert " ".join(done.stdout.split()) == (
        "re-encrypted with key 'ka': 1 customers, 1 channel identities, 0 message sender names, "
        "0 reported wallet addresses, 0 email-code addresses, 0 two-factor secrets; their keyed "
        "hashes recomputed with this WALLETDESK_HASH_KEY")
    desk = Services(make_settings(url, encryption_keys=KEY_A, hash_key=TYPO_HASH_KEY))
    try:  # the desk restarted with the new hash key finds the customer writing again
        assert await email_customer(desk, "ann@example.com") == customer_id
    finally:
        await desk.stop()
