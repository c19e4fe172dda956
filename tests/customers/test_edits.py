"""Agents editing a customer's name, e-mail and private note from the side panel."""

import pytest
from mnemonic import Mnemonic
from sqlalchemy import select, text

from walletdesk.accounts.models import Role
from walletdesk.audit.models import AuditEvent
from walletdesk.conversations.actions import InboundMessage, receive_message
from walletdesk.conversations.workspace import customer_profile
from walletdesk.crypto import keyring
from walletdesk.customers.edits import update_customer_details
from walletdesk.customers.models import Customer
from walletdesk.customers.privacy import erase_customer
from walletdesk.errors import Forbidden, Invalid, NotFound


@pytest.fixture
async def people(services, make_team, make_agent):  # type: ignore[no-untyped-def]
    team_a = await make_team("Team A", is_default=True)
    team_b = await make_team("Team B")
    agents = {
        "alice": await make_agent("Alice", teams=[team_a], online=True),
        "carl": await make_agent("Carl", teams=[team_a]),
        "olga": await make_agent("Olga", role=Role.outsourced, teams=[team_a]),
        "bob": await make_agent("Bob", teams=[team_b]),
        "sue": await make_agent("Sue", role=Role.supervisor),
        "ada": await make_agent("Ada", role=Role.admin),
    }
    delivered = await receive_message(services, InboundMessage(
        channel="email", external_id="li.wei@example.com", text="my deposit is missing",
        customer_name="Li Wei", customer_email="li.wei@example.com"))
    async with services.transaction() as session:
        customer = await session.get(Customer, delivered.conversation.customer_id)
        assert customer is not None
        customer.email_verified_at = customer.created_at
    return agents, delivered.conversation.customer_id


async def raw_customer(services, customer_id: int) -> dict[str, str | None]:  # type: ignore[no-untyped-def]
    async with services.read() as session:
        row = (await session.execute(text(
            "SELECT display_name, email, note FROM customers WHERE id = :id"),
            {"id": customer_id})).one()
    return {"display_name": row[0], "email": row[1], "note": row[2]}


async def test_an_agent_edits_name_email_and_note_encrypted_at_rest(services, people):
    agents, customer_id = people
    shown = await update_customer_details(services, agents["alice"], customer_id, {
        "display_name": "Li Wei (Ivy)", "email": "ivy.li@example.com",
        "note": "prefers e-mail; VIP since 2024"})

    assert shown["display_name"] == "Li Wei (Ivy)" and shown["email"] == "ivy.li@example.com"
    assert shown["note"] == "prefers e-mail; VIP since 2024"
    assert shown["email_verified"] is False  # the code proved the old address only
    stored = await raw_customer(services, customer_id)
    plain = {"display_name": "Li Wei (Ivy)", "email": "ivy.li@example.com",
             "note": "prefers e-mail; VIP since 2024"}
    for field, value in stored.items():
        assert value is not None and value.startswith("enc1:"), field
        # the whole value, not a word of it: a short word ("VIP") turns up in random
        # ciphertext now and then (the test failed so, once in a few hundred runs)
        assert plain[field] not in value and keyring().decrypt(value) == plain[field], field
    async with services.read() as session:
        customer = await session.get(Customer, customer_id)
        audit = (await session.scalars(select(AuditEvent).where(
            AuditEvent.action == "customer.edit"))).one()
    assert customer is not None and customer.email_hash is not None
    assert audit.actor_agent_id == agents["alice"].id
    assert sorted(audit.detail["fields"]) == ["display_name", "email", "note"]
    assert "ivy" not in str(audit.detail).lower()  # names of fields, never values


async def test_a_seed_phrase_in_the_note_is_removed_before_it_is_stored(services, people):
    agents, customer_id = people
    phrase = Mnemonic("english").generate(128)
    shown = await update_customer_details(services, agents["alice"], customer_id,
                                          {"note": f"customer pasted {phrase} in chat"})
    assert phrase not in shown["note"] and "[seed phrase removed]" in shown["note"]
    async with services.read() as session:
        customer = await session.get(Customer, customer_id)
    assert customer is not None and phrase.split()[0] + " " + phrase.split()[1] \
        not in (customer.note or "")


@pytest.mark.parametrize("who, error", [
    ("alice", None), ("carl", None), ("sue", None), ("ada", None),
    ("olga", Forbidden), ("bob", NotFound),
])
async def test_who_may_edit(services, people, who, error):
    agents, customer_id = people
    if error is None:
        shown = await update_customer_details(services, agents[who], customer_id,
                                              {"note": f"checked by {who}"})
        assert shown["note"] == f"checked by {who}"
    else:
        with pytest.raises(error):
            await update_customer_details(services, agents[who], customer_id,
                                          {"note": "not allowed"})
        async with services.read() as session:
            customer = await session.get(Customer, customer_id)
        assert customer is not None and customer.note is None


async def test_outsourced_agents_see_the_note_and_contact_masked(services, people):
    agents, customer_id = people
    await update_customer_details(services, agents["alice"], customer_id,
                                  {"note": "lost phone; new number pending"})
    seen = (await customer_profile(services, agents["olga"], customer_id))["customer"]
    assert seen["note"] == "***" and seen["can_edit"] is False
    assert seen["display_name"] == "L***" and seen["email"] != "li.wei@example.com"
    full = (await customer_profile(services, agents["carl"], customer_id))["customer"]
    assert full["note"] == "lost phone; new number pending" and full["can_edit"] is True


@pytest.mark.parametrize("changes", [
    {"email": "not-an-address"}, {"display_name": "two\nlines"}, {"display_name": "x" * 121},
    {"note": "n" * 2001}, {"phone": "+85291234567"}, {"display_name": 5},
    {"language": "fr"}, {"language": 5},
])
async def test_bad_values_are_refused(services, people, changes):
    agents, customer_id = people
    with pytest.raises(Invalid):
        await update_customer_details(services, agents["alice"], customer_id, changes)


async def test_clearing_and_unchanged_values(services, people):
    agents, customer_id = people
    await update_customer_details(services, agents["alice"], customer_id, {"note": "temp"})
    shown = await update_customer_details(services, agents["alice"], customer_id,
                                          {"note": "", "email": "li.wei@example.com"})
    assert shown["note"] is None
    assert shown["email_verified"] is True  # same address: still verified
    async with services.read() as session:
        fields = [e.detail["fields"] for e in (await session.scalars(
            select(AuditEvent).where(AuditEvent.action == "customer.edit")
            .order_by(AuditEvent.id))).all()]
    assert fields == [["note"], ["note"]]


async def test_erasure_removes_the_note_and_blocks_edits(services, people):
    agents, customer_id = people
    await update_customer_details(services, agents["alice"], customer_id, {"note": "vip"})
    await erase_customer(services, agents["ada"].id, customer_id)
    assert (await raw_customer(services, customer_id))["note"] is None
    with pytest.raises(Invalid):
        await update_customer_details(services, agents["ada"], customer_id, {"note": "again"})


async def test_key_rotation_re_encrypts_the_note(services, make_team, make_agent):
    import base64

    from walletdesk import crypto
    from walletdesk.customers.keys import rotate_keys

    settings = services.settings
    old = "ka:" + base64.b64encode(b"A" * 32).decode()
    new = "kb:" + base64.b64encode(b"B" * 32).decode()
    try:
        crypto.configure(old, "hash-key", settings.secret_key)  # everything under the old key
        team = await make_team("Team A", is_default=True)
        alice = await make_agent("Alice", teams=[team], online=True)
        delivered = await receive_message(services, InboundMessage(
            channel="web", external_id="v1", text="hi", customer_name="Li Wei"))
        customer_id = delivered.conversation.customer_id
        await update_customer_details(services, alice, customer_id,
                                      {"note": "prefers calls after 6pm"})
        assert (await raw_customer(services, customer_id))["note"].startswith("enc1:ka:")
        crypto.configure(f"{new},{old}", "hash-key", settings.secret_key)
        await rotate_keys(services)
        assert (await raw_customer(services, customer_id))["note"].startswith("enc1:kb:")
        crypto.configure(new, "hash-key", settings.secret_key)  # the old key is gone
        async with services.read() as session:
            customer = await session.get(Customer, customer_id)
        assert customer is not None and customer.note == "prefers calls after 6pm"
    finally:
        crypto.configure(settings.encryption_keys, settings.hash_key, settings.secret_key)
