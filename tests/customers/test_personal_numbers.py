"""Identity and card numbers and self-introduced names, masked for outsourced agents
(walletdesk.customers.personal_numbers, .self_names, through masking.mask_personal_text), and
what only looks like them kept: amounts, order numbers, dates, transaction hashes."""

import httpx
import pytest

from tests.conftest import PASSWORD
from walletdesk.accounts.models import Role
from walletdesk.conversations.actions import InboundMessage, receive_message
from walletdesk.conversations.queries import InboxFilter, InboxView
from walletdesk.conversations.workspace import inbox, open_conversation
from walletdesk.customers.masking import mask_personal_text
from walletdesk.customers.personal_numbers import (
    card_candidates,
    is_card_number,
    is_cn_resident_id,
    is_hk_id,
    is_tw_id,
)
from walletdesk.web.app import create_app

# the reviewer's message: the 身份证 number's check digit is wrong (a typo, or made up), but
# the word before it says what it is
REVIEWED = ("我叫陈静，邮箱 chen.jing@example.com，电话 13812345678，转账一直没到，"
            "身份证 110101199003071234")
REVIEWED_CLEAR = ("陈静", "chen.jing", "13812345678", "110101199003071234", "11010119900307")


@pytest.mark.parametrize(("text", "secret", "shown"), [
    # mainland China resident IDs: valid check character (X too), with or without a keyword
    ("证件 11010519491231002X 谢谢", "11010519491231002", "****************2X"),
    ("my id 440524199001010018.", "44052419900101", "****************18"),
    ("110105 19491231 002X", "19491231", "****** ******** **2X"),
    ("身份证号码：110101199003071234", "1101011990", "****************34"),
    # Hong Kong (check digit in brackets), Taiwan (weighted check)
    ("HKID A123456(3) please", "A123456", "******6(3)"),
    ("香港身份證 AB987654(3)", "AB98765", "*******4(3)"),
    ("台灣身分證字號 A123456789", "A1234567", "********89"),
    # passports only after the word
    ("my passport number is E12345678", "E1234567", "*******78"),
    ("护照号码：EA1234567", "EA12345", "*******67"),
    ("護照號碼 K12345678", "K123456", "*******78"),
    ("número de pasaporte: PAA123456", "PAA1234", "*******56"),
    # Spanish DNI / NIE (mod-23 letter)
    ("mi DNI es 12345678Z", "12345678", "*******8Z"),
    ("NIE X1234567L", "X1234567", "*******7L"),
    # bank cards: 13-19 digits, Luhn, a network's first digits, in groups of four or not
    ("card 4111 1111 1111 1111 thanks", "4111 1111 1111", "**** **** **** 1111"),
    ("卡号 6212345678901232", "621234567890", "************1232"),
    ("UnionPay 6212-3456-7890-1234-569", "6212-3456-7890", "****-****-****-***4-569"),
    ("amex 3782 822463 10005", "3782 822463", "**** ****** *0005"),
    ("paid 5000 with 5555 5555 5555 4444", "5555 5555 5555 4444", "5000 with **** **** **** 4444"),
    # names given in the message (no stored name), masked wherever the message repeats them
    ("我叫陈静，陈静的账户被冻结了", "陈静", "我叫陈***，陈***的账户"),
    ("您好，我是王先生，提现没到账", "王先生", "我是王***，"),
    ("我的名字是歐陽娜娜", "歐陽娜娜", "我的名字是歐***"),
    ("Hi, my name is John Smith and my USDT is missing", "Smith", "my name is J*** and"),
    ("Hola, me llamo María de la Cruz y no recibo mi retiro", "María", "me llamo M*** de la C***"),
    ("my name is ana lopez, please help", "ana lopez", "my name is a***, please"),
])
def test_identity_numbers_cards_and_names_are_masked(text: str, secret: str, shown: str) -> None:
    masked = mask_personal_text(text)
    assert secret not in masked and shown in masked, masked


@pytest.mark.parametrize("text", [
    "tx 0x5c504ed432cb51138bcf09aa5e8a410dd4a1e204ef84bfed1be16dfba1b22060 still pending",
    "txid 9f3c1c2d7b1e4a5f8a6b0c3d2e1f4a5b6c7d8e9f0a1b2c3d4e5f60718293a4b5",
    "I sent 25000 USDT on 2026-12-02 at 10:30:00",
    "金额 1,234,567.89 USDT，2026年12月2日",
    "order 202612021234567890 and order #1234567890123456",
    "订单号 20261202153045678901，区块 19234567",
    "ts 1764633600000 nonce 4294967295",
    "ref 4111 1111 1111 1112",  # Luhn fails
    "110101199003071234",  # a resident ID's shape, wrong check digit, no word for it
    "AB123456(7) is my ticket",  # a Hong Kong ID's shape, wrong check digit
    "passport photo upload failed",
    "我是新用户，我是高级会员，我是马来西亚的用户，我叫客服好几次了",
    "my name is on the account but it is wrong",
    "My name is not showing in the app",
    "me llamo y no contestan",
])
def test_what_only_looks_like_them_is_kept(text: str) -> None:
    assert mask_personal_text(text) == text


def test_an_evm_address_is_masked_as_an_address_not_as_a_number() -> None:
    address = "0x52908400098527886E0F7030069857D2E4169EE7"
    assert mask_personal_text(f"to {address}, 25000 USDT") == "to 0x52***E7, 25000 USDT"


def test_check_digits() -> None:
    assert is_cn_resident_id("11010519491231002X") and is_cn_resident_id("11010519491231002x")
    assert not is_cn_resident_id("110101199003071234")  # expects 3
    assert not is_cn_resident_id("990101199003071233")  # no such province
    assert not is_cn_resident_id("110101199002301230")  # 30 February
    assert is_hk_id("A", "123456", "3") and not is_hk_id("A", "123456", "7")
    assert is_tw_id("A", "123456789") and not is_tw_id("A", "123456788")
    assert is_card_number("4111111111111111") and not is_card_number("4111111111111112")
    assert not is_card_number("2026120212345678")  # a year is no card network
    assert not is_card_number("4111 1111-1111 1111")  # mixed separators: several numbers


async def test_outsourced_agents_see_the_reviewed_message_masked_everywhere(
        services, make_team, make_agent) -> None:
    team = await make_team("Support")
    staff = await make_agent("Alice", teams=[team])
    partner = await make_agent("Partner", role=Role.outsourced, teams=[team])
    first = await receive_message(services, InboundMessage(
        channel="api", external_id="chen-9", text=REVIEWED))
    cid = first.conversation.id
    opened = str(await open_conversation(services, partner, cid))
    rows = str(await inbox(services, partner, InboxFilter(view=InboxView.all)))
    app = create_app(services.settings, services)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://desk.test") as http:
        assert (await http.post("/login", data={"email": partner.email,
                                                "password": PASSWORD})).status_code == 303
        rest = [(await http.get(f"/api/v1/conversations/{cid}/messages")).text,
                (await http.get(f"/api/v1/conversations/{cid}")).text,
                (await http.get("/api/v1/conversations", params={"view": "all"})).text]
    for seen in (opened, rows, *rest):
        assert [value for value in REVIEWED_CLEAR if value in seen] == [], seen
    assert "****************34" in opened and "****************34" in rest[0]
    for term in ("110101199003071234", "陈静"):  # no search by what they cannot see
        assert await inbox(services, partner, InboxFilter(view=InboxView.all, search=term)) == []
    staff_view = await open_conversation(services, staff, cid)  # staff see it as written
    assert staff_view["messages"][0]["text"] == REVIEWED


@pytest.mark.parametrize("unit", ["1 ", "1-", "12 ", "4111 ", "4111-", "4111 111111 ",
                                  "4111111111111111 ", "4111 1111 1111 1111 1"])
def test_the_card_search_examines_a_bounded_number_of_windows(unit: str) -> None:
    """Every customer message is masked: a long run of digit groups ("1 1 1 …") must not
    cost the card search more than a few windows per group (it examined up to 7 per group,
    each split and joined again: 55 ms for 5,000 characters). Counted, not timed."""
    def examined(text: str) -> int:
        return sum(1 for _ in card_candidates(text))

    short, long = unit * 500, unit * 1000
    groups = len(long.replace("-", " ").split())
    assert examined(long) <= 2 * groups
    assert examined(long) <= 2 * examined(short) + 8  # linear in the length (ends aside)
    if unit.strip(" -") in ("1", "12"):  # no group can begin a card
        assert examined(long) == 0


def test_the_candidates_are_the_layouts_a_card_is_written_in() -> None:
    text = "5000 4111 1111 1111 1111 1 3782 822463 10005 6212345678901232 1234 56"
    assert [text[start:end] for start, end, _ in card_candidates(text)] == [
        "5000 4111 1111 1111",  # from each group of four on, longest first
        "4111 1111 1111 1111 1", "4111 1111 1111 1111", "1111 1111 1111 1",
        "3782 822463 10005", "6212345678901232"]  # not "1234 56": too short
    assert all(digits == text[start:end].replace(" ", "")
               for start, end, digits in card_candidates(text))
