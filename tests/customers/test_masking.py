"""Personal data the customer typed, masked for outsourced agents in every payload they
receive (REST, socket snapshots, live events, inbox), and kept out of their inbox search
(SQLite and PostgreSQL); the masking function itself is pure."""

import httpx
import pytest

from tests.live.helpers import agent as agent_socket
from walletdesk.accounts.models import Role
from walletdesk.bot.models import BotTurn
from walletdesk.conversations.actions import InboundMessage, receive_message, send_message
from walletdesk.conversations.queries import InboxFilter, InboxView
from walletdesk.conversations.workspace import inbox, open_conversation
from walletdesk.customers.masking import mask_personal_text, mask_phone

TEXT = "我叫陈静，手机 13812345678，邮箱 chen.jing@example.com"
CLEAR = ("陈静", "13812345678", "chen.jing", "example.com", "12345678")


@pytest.mark.parametrize(("text", "gone", "kept"), [
    (TEXT, CLEAR, ["我叫", "手机", "邮箱"]),
    ("call me on +86 138 1234 5678", ["138 1234"], ["+** *** **** **78"]),
    ("my number is +1 (415) 555-0100 thanks", ["415", "555"], ["-**00 thanks"]),
    ("office 010-12345678 or 138-1234-5678", ["12345678", "1234-5678"], ["office"]),
    ("write to Li.Wei+desk@mail.example.org", ["Li.Wei", "mail.example"], ["write to"]),
])
def test_emails_and_phones_are_masked(text: str, gone: list[str], kept: list[str]) -> None:
    masked = mask_personal_text(text, ["陈静"])
    assert all(value not in masked for value in gone)
    assert all(value in masked for value in kept)


def test_the_customers_own_name_is_masked_whole_and_by_parts() -> None:
    masked = mask_personal_text("Chen Jing here; jing again, CHEN too", ["Chen Jing"])
    assert "Chen" not in masked and "Jing" not in masked.title() and "CHEN" not in masked
    assert masked.startswith("C***")
    assert mask_personal_text("call 138 1234 5678", ["+8613812345678"]).count("*") == 9


def test_a_latin_name_is_masked_as_a_word_and_a_chinese_one_where_it_stands() -> None:
    masked = mask_personal_text("Ana here: I sent bananas to Banana Inc.", ["Ana Lopez"])
    assert masked.startswith("A*** here") and "bananas" in masked and "Banana Inc" in masked
    assert "Ana" not in mask_personal_text("我是Ana的朋友", ["Ana Lopez"])  # glued to Chinese
    assert "陈静" not in mask_personal_text("陈静你好，我是陈静的朋友", ["陈静"])
    assert "María" not in mask_personal_text("María, y Cruz", ["María de la Cruz"])
    assert "Cruz" not in mask_personal_text("María, y Cruz", ["María de la Cruz"])


@pytest.mark.parametrize("text", [
    "tx 0x13812345678abc failed", "order 12345678 of 2024-05-01", "send 100 200 USDT",
    "address TQ1381234567812345678abcdEFGH", "",
])
def test_what_is_not_personal_data_is_kept(text: str) -> None:
    assert mask_personal_text(text, ["Ann Lee"]) == text


@pytest.mark.parametrize("address", [
    "0x52908400098527886E0F7030069857D2E4169EE7",  # EVM
    "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t",  # TRON
    "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2",  # Bitcoin
    "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v",  # Solana
])
def test_wallet_addresses_are_masked_and_transaction_hashes_kept(address: str) -> None:
    # the bot's "confirmed: 250 USDT to <address>" and the customer's own words
    tx = "9f" * 32
    masked = mask_personal_text(f"sent to {address}, txid {tx}. Is it there?")
    assert address not in masked and address[:8] not in masked
    assert masked == f"sent to {address[:4]}***{address[-2:]}, txid {tx}. Is it there?"


@pytest.mark.parametrize("text", [
    "my e-mail is john.carter@example.com, John Carter",
    "John Carter here; my e-mail is john.carter@example.com",
    "carter@example.com and john@carter.example.com, Carter speaking",
    "JOHN.CARTER@EXAMPLE.COM from john carter",
])
def test_a_known_name_inside_an_e_mail_never_unmasks_the_e_mail(text: str) -> None:
    # the name used to be masked first ("j***.c***@example.com"): the e-mail, no longer
    # found, kept its domain in clear
    masked = mask_personal_text(text, ["John Carter"])
    assert "example" not in masked.lower() and "carter" not in masked.lower(), masked
    assert "john" not in masked.lower(), masked
    assert masked == mask_personal_text(text, ["John Carter"]) and "***@" in masked
    assert mask_personal_text("write to john.carter@example.com", ["John Carter"]) \
        == mask_personal_text("write to john.carter@example.com") == "write to j***@e***.com"


def test_every_personal_span_is_masked_once_and_fully() -> None:
    text = "Ann: +86 138 1234 5678, 13812345678@qq.com, ann@ann.example.org, card 4111 1111 1111 1111"
    masked = mask_personal_text(text, ["Ann", "+8613812345678"])
    assert masked == ("A***: +** *** **** **78, 1***@q***.com, a***@a***.org, "
                      "card **** **** **** 1111")
    # spans that overlap without one covering the other: masked whole
    assert mask_personal_text("Li Wei", ["Li Wei", "Wei Zhang"]) == "L***"  # parts inside
    assert mask_personal_text("to Ann Lee.x@ex.com now", ["Ann Lee"]) == "to *** ***.*@**.*** now"


@pytest.mark.parametrize(("text", "gone", "kept"), [
    ("Hi I'm John Carter", ["John", "Carter"], ["Hi I'm J***"]),
    ("hello, this is Ana Lopez. Ana again", ["Ana", "Lopez"], ["this is A***"]),
    ("Soy María López", ["María", "López"], ["Soy M***"]),
    ("I'm stuck, I'm Chinese, i'm new", [], ["I'm stuck, I'm Chinese, i'm new"]),
    ("I'm USDT holder; This is DemoWallet", [], ["I'm USDT holder; This is DemoWallet"]),
])
def test_a_name_a_greeting_gives_is_masked(text: str, gone: list[str], kept: list[str]) -> None:
    masked = mask_personal_text(text)
    assert all(value not in masked for value in gone), masked
    assert all(value in masked for value in kept), masked


def test_mask_phone_keeps_separators_and_the_last_two_digits() -> None:
    assert mask_phone("138-1234-5678") == "***-****-**78"


async def test_outsourced_agents_never_get_the_customers_data(
        services, make_team, make_agent, live_server) -> None:
    team = await make_team("Support")
    staff = await make_agent("Alice", teams=[team])
    partner = await make_agent("Partner", role=Role.outsourced, teams=[team])
    partner_ws = await agent_socket(live_server.url, live_server.ws_url, partner.email)
    try:
        await partner_ws.send({"type": "inbox", "on": True})
        first = await receive_message(services, InboundMessage(
            channel="api", external_id="chen-1", text=TEXT, customer_name="陈静",
            customer_email="chen.jing@example.com"))
        cid = first.conversation.id
        await partner_ws.send({"type": "subscribe", "conversation_id": cid})
        snapshot = await partner_ws.expect_type("subscribed")
        await receive_message(services, InboundMessage(
            channel="api", external_id="chen-1", text="陈静 again: 13812345678"))
        live = await partner_ws.expect(lambda f: f.get("type") == "message"
                                       and f["message"]["sender_kind"] == "customer")
        await send_message(services, staff, cid, "陈静, we wrote to chen.jing@example.com")
        await partner_ws.expect(lambda f: f.get("type") == "message"
                                and f["message"]["sender_kind"] == "agent")
        frames = str(partner_ws.frames)
    finally:
        await partner_ws.close()
    assert live["message"]["text"] == "陈*** again: *********78"
    assert snapshot["messages"][0]["text"].startswith("我叫陈***")
    assert snapshot["conversation"]["subject"].startswith("我叫陈***")
    assert [value for value in CLEAR if value in frames] == [], frames

    async with httpx.AsyncClient(base_url=live_server.url) as http:
        login = await http.post("/login", data={"email": partner.email,
                                                "password": "correct-horse-battery"})
        assert login.status_code == 303
        rest = [(await http.get(f"/api/v1/conversations/{cid}/messages")).text,
                (await http.get(f"/api/v1/conversations/{cid}")).text,
                (await http.get("/api/v1/conversations", params={"view": "all"})).text]
    assert all(value not in page for page in rest for value in CLEAR)
    assert "陈***" in rest[2] or "\\u9648***" in rest[2]

    async with services.transaction() as session:  # the bot had answered the first message
        session.add(BotTurn(conversation_id=cid, message_id=first.message.id, query=TEXT,
                            language="zh", outcome="handed_off"))
    partner_view = str(await open_conversation(services, partner, cid))
    assert "陈***" in partner_view
    assert [value for value in CLEAR if value in partner_view] == []
    opened = await open_conversation(services, staff, cid)  # staff still see it all
    assert opened["messages"][0]["text"] == TEXT
    assert opened["conversation"]["preview"].startswith("陈静")


async def test_outsourced_inbox_search_does_not_match_personal_data(
        services, make_team, make_agent) -> None:
    team = await make_team("Support")
    staff = await make_agent("Alice", teams=[team])
    partner = await make_agent("Partner", role=Role.outsourced, teams=[team])
    await receive_message(services, InboundMessage(
        channel="api", external_id="chen-2", text=TEXT, customer_name="Chen Jing",
        customer_email="chen.jing@example.com"))
    for term in ("Chen", "陈静", "Chen Jing", "chen.jing@example.com", "13812345678"):
        found = await inbox(services, partner, InboxFilter(view=InboxView.all, search=term))
        assert found == [], term
    for term in ("陈静", "Chen Jing", "chen.jing@example.com"):
        found = await inbox(services, staff, InboxFilter(view=InboxView.all, search=term))
        assert len(found) == 1, term


async def test_an_outsourced_agent_sees_a_named_customers_e_mail_masked_whole(
        services, make_team, make_agent) -> None:
    # the review: once the customer's name was "John Carter", the e-mail in a message read
    # "j***.c***@example.com" to the partner (the name masked first, the e-mail then missed)
    team = await make_team("Support")
    partner = await make_agent("Partner", role=Role.outsourced, teams=[team])
    first = await receive_message(services, InboundMessage(
        channel="api", external_id="john-1", text="Hi I'm John Carter",
        customer_name="John Carter"))
    await receive_message(services, InboundMessage(
        channel="api", external_id="john-1",
        text="write to john.carter@example.com or +44 20 7946 0958, Carter"))
    seen = await open_conversation(services, partner, first.conversation.id)
    texts = [m["text"] for m in seen["messages"] if m["sender_kind"] == "customer"]
    assert texts == ["Hi I'm J***", "write to j***@e***.com or +** ** **** **58, C***"]
    assert "example" not in str(seen) and "Carter" not in str(seen)
