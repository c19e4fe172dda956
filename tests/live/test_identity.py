"""Widget identity verification: a signed user id is the same verified customer everywhere;
a forged one is an anonymous visitor."""

import json

import pytest
import websockets

from tests.live.helpers import Customer
from walletdesk.conversations.models import Conversation
from walletdesk.customers.identity import sign_user_id, verified_user_id
from walletdesk.customers.models import Customer as CustomerRow

SECRET = "operator-shared-identity-secret"


async def hello(url: str, **fields: object) -> tuple[Customer, dict, list[dict]]:
    ws = await websockets.connect(f"{url}/ws/widget")
    client = Customer(ws)
    await client.send({"type": "hello", "language": "en", **fields})
    welcome = await client.expect_type("welcome")
    return client, welcome, client.frames


def test_signature_rules():
    assert verified_user_id(SECRET, "42", sign_user_id(SECRET, "42")) == "42"
    assert verified_user_id(SECRET, "42", sign_user_id(SECRET, "43")) is None
    assert verified_user_id(SECRET, "42", sign_user_id("other", "42")) is None
    assert verified_user_id(None, "42", sign_user_id(SECRET, "42")) is None
    assert verified_user_id(SECRET, "x" * 500, sign_user_id(SECRET, "x" * 500)) is None
    assert verified_user_id(SECRET, 42, "abc") is None


async def test_signed_user_is_verified_on_every_device(services, live_server, make_team):
    services.settings.identity_secret = SECRET
    await make_team()
    user = {"user_id": "user-42", "user_hash": sign_user_id(SECRET, "user-42")}
    phone, welcome, _ = await hello(live_server.ws_url, **user)
    assert welcome["verified"] is True
    ack = await phone.say("my withdrawal of 2 ETH")
    laptop, again, _ = await hello(live_server.ws_url, **user)  # another browser, no token
    assert again["conversation"]["id"] == ack["conversation_id"]
    async with services.read() as session:
        conversation = await session.get(Conversation, ack["conversation_id"])
        customer = await session.get(CustomerRow, conversation.customer_id)
    assert customer is not None and customer.verified_user_id == "user-42"

    # the same browser without the signature is an anonymous visitor, not user-42
    anonymous, plain, _ = await hello(live_server.ws_url,
                                      visitor_token=welcome["visitor_token"])
    assert plain["verified"] is False and plain["conversation"] is None
    for client in (phone, laptop, anonymous):
        await client.close()


@pytest.mark.parametrize("forged", ["0" * 64, "not-hex", ""])
async def test_forged_signature_is_refused_and_anonymous(services, live_server, make_team,
                                                         forged):
    services.settings.identity_secret = SECRET
    await make_team()
    client, welcome, frames = await hello(live_server.ws_url, user_id="user-42",
                                          user_hash=forged)
    assert welcome["verified"] is False
    errors = [f for f in frames if f.get("type") == "error"]
    assert errors and errors[0]["code"] == "identity_invalid"
    ack = await client.say("hello")
    assert ack["type"] == "ack"
    async with services.read() as session:
        from sqlalchemy import select

        rows = (await session.scalars(select(CustomerRow))).all()
    assert all(row.verified_user_id is None for row in rows)
    await client.close()
    assert json.dumps(welcome)
