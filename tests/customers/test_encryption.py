"""Personal data at rest: encrypted in the database, found by keyed hash, keys rotated."""

import base64
import json
import os
import subprocess
import sys
from collections.abc import Iterator

import pytest
from pydantic import ValidationError
from sqlalchemy import text

from walletdesk import crypto
from walletdesk.config import Settings
from walletdesk.conversations.actions import InboundMessage, receive_message
from walletdesk.conversations.queries import InboxFilter, InboxView, list_inbox
from walletdesk.customers.keys import rotate_keys
from walletdesk.customers.models import Customer
from walletdesk.services import Services

KEY_A = "ka:" + base64.b64encode(b"A" * 32).decode()
KEY_B = "kb:" + base64.b64encode(b"B" * 32).decode()


@pytest.fixture
def restore_keys(services: Services) -> Iterator[None]:
    yield
    settings = services.settings
    crypto.configure(settings.encryption_keys, settings.hash_key, settings.secret_key)


async def _raw(services: Services, sql: str) -> list[tuple[str, ...]]:
    async with services.read() as session:
        return [tuple(row) for row in (await session.execute(text(sql))).all()]


async def _email_customer(services: Services, address: str = "li.wei@example.com") -> int:
    delivered = await receive_message(services, InboundMessage(
        channel="email", external_id=address, text="my deposit is missing",
        customer_name="Li Wei", customer_email=address))
    return delivered.conversation.customer_id


async def test_personal_fields_are_stored_encrypted_and_read_back(services, make_agent):
    customer_id = await _email_customer(services)
    async with services.transaction() as session:
        customer = await session.get(Customer, customer_id)
        assert customer is not None
        customer.phone = "+85291234567"
    stored = await _raw(services, "SELECT display_name, email, phone FROM customers")
    identities = await _raw(services, "SELECT external_id, external_hash FROM customer_identities")
    everything = repr(stored + identities)
    for secret in ("li.wei", "Li Wei", "91234567"):
        assert secret not in everything
    assert all(value.startswith("enc1:k0:") for value in stored[0])
    async with services.read() as session:
        customer = await session.get(Customer, customer_id)
    assert customer is not None
    assert (customer.display_name, customer.email, customer.phone) == (
        "Li Wei", "li.wei@example.com", "+85291234567")
    # the same address writing again is the same customer (found by its keyed hash)
    assert await _email_customer(services) == customer_id


async def test_search_finds_customers_by_exact_email_or_name_in_any_case(services, make_agent):
    from walletdesk.accounts.models import Role

    await _email_customer(services)
    admin = await make_agent("Boss", role=Role.admin)
    async with services.read() as session:
        for term, found in (("LI.WEI@example.com", 1), ("li wei", 1), ("li.wei", 0),
                            ("deposit", 1)):
            rows = await list_inbox(session, admin, InboxFilter(InboxView.all, search=term))
            assert len(rows) == found, term


async def test_rotation_moves_every_value_to_the_new_key(services, restore_keys):
    crypto.configure(KEY_A, "hash-key", services.settings.secret_key)
    customer_id = await _email_customer(services)
    crypto.configure(f"{KEY_B},{KEY_A}", "hash-key", services.settings.secret_key)
    done = await rotate_keys(services)
    assert (done.customers, done.identities) == (1, 1)
    assert (await rotate_keys(services)).customers == 0  # nothing left to do
    stored = await _raw(services, "SELECT display_name, email FROM customers")
    assert all(value.startswith("enc1:kb:") for value in stored[0])
    crypto.configure(KEY_B, "hash-key", services.settings.secret_key)  # the old key is gone
    async with services.read() as session:
        customer = await session.get(Customer, customer_id)
    assert customer is not None and customer.email == "li.wei@example.com"
    crypto.configure(KEY_A, "hash-key", services.settings.secret_key)
    with pytest.raises(crypto.KeyError_, match="'kb'"):
        async with services.read() as session:
            await session.get(Customer, customer_id, populate_existing=True)


async def test_plain_text_from_before_encryption_is_encrypted_and_findable(services):
    async with services.transaction() as session:
        await session.execute(text(
            "INSERT INTO customers (display_name, email, language, created_at, last_seen_at, "
            "points) VALUES ('Old Timer', 'old@example.com', 'en', CURRENT_TIMESTAMP, "
            "CURRENT_TIMESTAMP, 0)"))
        customer_id = (await session.execute(text("SELECT max(id) FROM customers"))).scalar()
        await session.execute(text(
            "INSERT INTO customer_identities (customer_id, channel, external_id, external_hash, "
            "created_at) VALUES (:id, 'email', 'old@example.com', 'legacy-1', "
            "CURRENT_TIMESTAMP)"), {"id": customer_id})
    done = await rotate_keys(services)
    assert (done.customers, done.identities) == (1, 1)
    assert "old@example.com" not in repr(await _raw(
        services, "SELECT email, display_name FROM customers") + await _raw(
        services, "SELECT external_id FROM customer_identities"))
    assert await _email_customer(services, "old@example.com") == customer_id


def test_bad_keys_and_production_without_keys_are_refused_clearly(tmp_path):
    with pytest.raises(crypto.KeyError_, match="32 random bytes"):
        crypto.parse_keys("k1:" + base64.b64encode(b"short").decode(), "secret")
    with pytest.raises(crypto.KeyError_, match="not valid base64"):
        crypto.parse_keys("k1:***", "secret")
    with pytest.raises(ValidationError, match="WALLETDESK_ENCRYPTION_KEYS"):
        Settings(environment="production", secret_key="s" * 40)
    env = {**os.environ, "WALLETDESK_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/x.db",
           "WALLETDESK_ENCRYPTION_KEYS": "k1:not-a-key", "COLUMNS": "200"}
    done = subprocess.run([sys.executable, "-m", "walletdesk.cli", "keys", "rotate", "--json"],
                          env=env, capture_output=True, text=True)
    assert done.returncode == 2 and "base64" in done.stdout


def test_keys_rotate_command_reports_what_it_did(tmp_path):
    env = {**os.environ, "WALLETDESK_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/x.db",
           "WALLETDESK_ENCRYPTION_KEYS": KEY_A, "COLUMNS": "200"}
    upgrade = subprocess.run([sys.executable, "-m", "walletdesk.cli", "db", "upgrade"],
                             env=env, capture_output=True, text=True)
    assert upgrade.returncode == 0, upgrade.stdout + upgrade.stderr
    done = subprocess.run([sys.executable, "-m", "walletdesk.cli", "keys", "rotate", "--json"],
                          env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == {
        "customers": 0, "identities": 0, "messages": 0, "device_addresses": 0, "email_codes": 0,
        "two_factor_secrets": 0, "primary_key": "ka"}
