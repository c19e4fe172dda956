"""Device and app context from the widget: only the fields the operator allows, validated and
size-limited, stored with the conversation (wallet addresses encrypted), from the widget's
hello frame over a real socket. Both engines."""

import pytest
from sqlalchemy import select, text

from tests.live.helpers import Customer
from walletdesk.customer_context.device import (
    DEVICE_FIELDS,
    MAX_ADDRESSES,
    WalletAddress,
    device_context_of,
    parse_device_context,
    record_device_context,
)
from walletdesk.customer_context.models import DeviceContext
from walletdesk.customers.identity import sign_user_id

ETH = "0x52908400098527886E0F7030069857D2E4169EE7"
TRON = "TJRabPrwbZy45sbavfcjinPJC18kjpRTv8"
ALL = list(DEVICE_FIELDS)


def settings_with(services, fields):  # type: ignore[no-untyped-def]
    return services.settings.model_copy(update={"device_context_fields": fields})


async def test_only_allowed_and_valid_fields_are_kept(services):
    raw = {"app_version": "3.2.1 (build 77)", "os": "iOS 17.4", "platform": "ios",
           "language": "zh-Hans-CN", "secret_flag": "x",
           "wallet_addresses": [{"chain": "Ethereum", "address": ETH}, TRON,
                                {"chain": "tron", "address": "<script>"}, 42]}
    default = parse_device_context(services.settings, raw)  # the default: no addresses
    assert default.values == {"app_version": "3.2.1 (build 77)", "os": "iOS 17.4",
                              "platform": "ios", "language": "zh-Hans-CN"}
    assert default.addresses == ()
    everything = parse_device_context(settings_with(services, ALL), raw)
    assert everything.addresses == (WalletAddress("ethereum", ETH), WalletAddress("", TRON))
    only_version = parse_device_context(settings_with(services, ["app_version"]), raw)
    assert only_version.values == {"app_version": "3.2.1 (build 77)"}
    assert parse_device_context(settings_with(services, []), raw).empty

    bad = parse_device_context(settings_with(services, ALL), {
        "app_version": "<b>1</b>", "os": "x" * 61, "platform": 7, "language": "english please",
        "wallet_addresses": "0xnot-a-list"})
    assert bad.empty
    assert parse_device_context(settings_with(services, ALL), {"os": "y" * 5000}).empty  # size
    assert parse_device_context(services.settings, ["not", "an", "object"]).empty
    many = parse_device_context(settings_with(services, ALL), {
        "wallet_addresses": [f"T{'a' * 30}{i:03d}" for i in range(50)]})
    assert len(many.addresses) == MAX_ADDRESSES


async def test_stored_with_the_conversation_addresses_encrypted(services, make_team):
    from walletdesk.conversations.actions import InboundMessage, receive_message

    await make_team()
    delivered = await receive_message(services, InboundMessage(
        channel="web", external_id="v-device", text="hello"))
    conversation_id = delivered.conversation.id
    settings = settings_with(services, ALL)
    await record_device_context(services, conversation_id, parse_device_context(settings, {
        "app_version": "3.2.0", "platform": "android", "wallet_addresses": [ETH]}))
    await record_device_context(services, conversation_id, parse_device_context(settings, {
        "app_version": "3.2.1", "os": "Android 14",
        "wallet_addresses": [{"chain": "ethereum", "address": ETH}]}))  # the update replaces
    async with services.read() as session:
        rows = (await session.scalars(select(DeviceContext))).all()
        raw = (await session.execute(text(
            "SELECT wallet_addresses FROM conversation_device_contexts"))).scalar_one()
    assert len(rows) == 1
    row = rows[0]
    assert (row.app_version, row.os, row.platform) == ("3.2.1", "Android 14", None)
    assert row.wallet_addresses == f"ethereum:{ETH}"
    assert ETH not in raw  # encrypted at rest


async def _hello(url: str, **fields: object) -> Customer:
    import websockets

    client = Customer(await websockets.connect(f"{url}/ws/widget"))
    await client.send({"type": "hello", "language": "en", **fields})
    await client.expect_type("welcome")
    await settled(client)
    return client


async def settled(client: Customer) -> None:
    """The socket handles frames in order: once a ping is answered, what the frames before it
    started (storing the context) is done."""
    await client.send({"type": "ping"})
    await client.expect_type("pong")


async def test_the_widget_hello_carries_the_context(services, live_server, make_team):
    services.settings.identity_secret = "operator-shared-identity-secret"
    services.settings.device_context_fields = ["app_version", "platform", "wallet_addresses"]
    await make_team()
    context = {"app_version": "4.0.0", "os": "iOS 18", "platform": "ios",
               "wallet_addresses": [{"chain": "tron", "address": TRON}]}
    user = {"user_id": "user-7", "user_hash": sign_user_id("operator-shared-identity-secret",
                                                           "user-7")}
    phone = await _hello(live_server.ws_url, device_context=context, **user)
    ack = await phone.say("hi, where is my deposit")
    assert ack["type"] == "ack"
    conversation_id = ack["conversation_id"]
    await phone.say("it was yesterday")  # a second message writes nothing more
    await settled(phone)
    async with services.read() as session:
        row = await device_context_of(session, conversation_id)
    assert row is not None
    assert (row.app_version, row.os, row.platform) == ("4.0.0", None, "ios")  # os not allowed
    assert row.wallet_addresses == f"tron:{TRON}"
    first_report = row.reported_at

    # the same customer on another device: its context replaces the first, on reconnect
    laptop = await _hello(live_server.ws_url, device_context={
        "app_version": "web-2.1", "platform": "web"}, **user)
    async with services.read() as session:
        row = await device_context_of(session, conversation_id)
    assert row is not None and row.platform == "web" and row.reported_at >= first_report
    assert row.wallet_addresses is None
    # a malformed context never stops the chat
    odd = await _hello(live_server.ws_url, device_context="not an object")
    assert (await odd.say("hello"))["type"] == "ack"
    for client in (phone, laptop, odd):
        await client.close()


@pytest.mark.parametrize("fields", [["app_version"], []])
async def test_the_operator_decides_what_is_kept(services, live_server, make_team, fields):
    services.settings.device_context_fields = fields
    await make_team()
    client = await _hello(live_server.ws_url, device_context={"app_version": "1.0",
                                                             "platform": "web"})
    ack = await client.say("hello")
    await settled(client)
    async with services.read() as session:
        row = await device_context_of(session, ack["conversation_id"])
    if fields:
        assert row is not None and (row.app_version, row.platform) == ("1.0", None)
    else:
        assert row is None
    await client.close()


async def test_key_rotation_re_encrypts_the_addresses(services, make_team):
    import base64

    from walletdesk import crypto
    from walletdesk.conversations.actions import InboundMessage, receive_message
    from walletdesk.customers.keys import rotate_keys

    key_a = "ka:" + base64.b64encode(b"A" * 32).decode()
    key_b = "kb:" + base64.b64encode(b"B" * 32).decode()
    await make_team()
    try:
        crypto.configure(key_a, "hash-key", services.settings.secret_key)
        delivered = await receive_message(services, InboundMessage(
            channel="web", external_id="v-rotate", text="hello"))
        await record_device_context(services, delivered.conversation.id, parse_device_context(
            settings_with(services, ALL), {"wallet_addresses": [TRON]}))
        crypto.configure(f"{key_b},{key_a}", "hash-key", services.settings.secret_key)
        done = await rotate_keys(services)
        assert done.device_addresses == 1
        assert (await rotate_keys(services)).device_addresses == 0  # nothing left to do
        async with services.read() as session:
            raw = (await session.execute(text(
                "SELECT wallet_addresses FROM conversation_device_contexts"))).scalar_one()
        assert raw.startswith("enc1:kb:")
        crypto.configure(key_b, "hash-key", services.settings.secret_key)  # the old key gone
        async with services.read() as session:
            row = await device_context_of(session, delivered.conversation.id)
        assert row is not None and row.wallet_addresses == f":{TRON}"
    finally:
        settings = services.settings
        crypto.configure(settings.encryption_keys, settings.hash_key, settings.secret_key)
