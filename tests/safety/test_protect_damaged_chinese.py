"""A Chinese phrase written together with a character wrong or missing is removed.

Found in an outside review: "我的助记词是亚峡售蔬牌灯虚暴臂预才，最后一个字看不清" (11 of 12
words after a few words of prose) and "亚峡售蔬咖灯虚暴臂预才叙" (咖 in no list) were stored as
typed, shown in the inbox and found by search: no checksum holds, and the stretch was not a
whole one of list characters. Prose stays: no window of it reads like a phrase.
"""

import random

import pytest
from mnemonic import Mnemonic

from walletdesk.safety.damaged_chinese import find_damaged_chinese_phrases
from walletdesk.safety.protect import SEED_PLACEHOLDER, protect_text

REVIEWED = [
    # (message, what must be gone)
    ("我的助记词是亚峡售蔬牌灯虚暴臂预才，最后一个字看不清", "亚峡售蔬牌灯虚暴臂预才"),
    ("亚峡售蔬咖灯虚暴臂预才叙", "亚峡售蔬咖灯虚暴臂预才叙"),
    ("助記詞：仲輸免下執冠痕啡涉故蒙業", "仲輸免下執冠痕啡涉故蒙業"),
]


@pytest.mark.parametrize(("text", "phrase"), REVIEWED)
def test_the_reviewed_messages_lose_their_phrase(text: str, phrase: str) -> None:
    protected = protect_text(text)
    assert protected.has_secret and SEED_PLACEHOLDER in protected.text
    assert not any(phrase[i:i + 4] in protected.text for i in range(len(phrase) - 3))


@pytest.mark.parametrize("language", ["chinese_simplified", "chinese_traditional"])
@pytest.mark.parametrize("damage", ["wrong", "missing", "wrong_in_prose"])
def test_damaged_phrases_are_removed(language: str, damage: str) -> None:
    rng = random.Random(f"{language}-{damage}")
    words = Mnemonic(language)
    removed = 0
    for _ in range(40):
        phrase = "".join(words.to_mnemonic(rng.randbytes(16)).split())
        at = rng.randrange(1, 11)
        typed = phrase[:at] + phrase[at + 1:] if damage == "missing" \
            else phrase[:at] + "咖" + phrase[at + 1:]
        prose = ("我的助记词是", "请帮我看看") if language == "chinese_simplified" \
            else ("我的助記詞是", "請幫我看看")
        text = typed.join(prose) if damage == "wrong_in_prose" else typed
        protected = protect_text(text)
        removed += protected.has_secret and typed[:3] not in protected.text \
            and typed[-3:] not in protected.text
    # a random phrase holds two neighbours forming a word one time in fifty (kept: prose
    # cannot be told from it); nearly all are removed
    assert removed >= 34, removed


@pytest.mark.parametrize("text", [
    "我的钱包转账一直没有到账，已经等了三个多小时了，请帮我查一下是什么原因",
    "請問我要怎樣備份錢包？助記詞要抄在紙上還是可以截圖保存？",
    "您好，我昨天在交易所提币到钱包，交易哈希已经显示成功，但是钱包里看不到余额",
    "为了您的资产安全，请勿向任何人透露助记词、私钥或验证码，官方客服不会主动联系您",
    "佢話我個戶口有異常登入，叫我即刻改密碼同埋開雙重驗證",
    "點樣將張卡剩低嘅美金轉返去錢包度",
])
def test_prose_is_kept(text: str) -> None:
    assert not find_damaged_chinese_phrases(text)
    assert protect_text(text).text == text
