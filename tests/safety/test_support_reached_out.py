"""A customer telling that "support" contacted them is warned before anything else the bot says.

Found in an outside review of the demo: "Someone from support DMed me asking for my recovery
phrase" got two article titles to pick from, "I got a DM from walletdesk support saying my
account is locked" the locked-account article or a person, and no word that the message was a
scam: the official-channel check (walletdesk.safety.lookalike) needs a link, handle or number
to check, and most customers paste none. The bot now says first, in the customer's language,
that support never asks for a recovery phrase, key or code, for funds or to "verify" a wallet,
and how to check what contacted them; then it answers, offers or hands off as before.

The bot runs the demo knowledge base's real engine (tests/bot/test_bot_flow.py) on SQLite and
PostgreSQL.
"""

import pytest

from tests.bot.test_bot_flow import ask, bot, demo_engine  # noqa: F401 (the fixtures)
from walletdesk import i18n
from walletdesk.conversations.models import SenderKind
from walletdesk.safety.contact_claims import support_reached_out

TOLD = [
    "Someone from support DMed me asking for my recovery phrase",
    "a guy from your support team messaged me on telegram, is that legit?",
    "support contacted me on whatsapp and asked me to verify my wallet",
    "I got a DM from walletdesk support saying my account is locked",
    "got a call from customer service about suspicious activity",
    "an admin from the telegram group messaged me",
    "someone claiming to be support wants my seed",
    "Your team emailed me about a refund, I need to connect my wallet",
    "有客服私信我要助记词",
    "客服打电话给我说账户异常",
    "官方客服加我微信",
    "收到客服的短信说要验证钱包",
    "有人自稱客服叫我俾助記詞佢",
    "佢話係客服 send咗條link俾我",
    "客服主動聯絡我話要升級錢包",
    "alguien de soporte me escribio por telegram y me pidio mi frase semilla",
    "un agente de soporte me mando DM para validar mi billetera",
    "me llamaron de soporte para verificar mi cuenta",
    "dice que es de soporte y me pide la frase",
    "un tipo se hace pasar por el equipo y me pide enviar USDT",
    # passive, third person, mixed Chinese and English, a handle (a blind evaluation's kinds)
    "I was contacted by support on Twitter, they said my account will be frozen",
    "my dad said your support phoned him and asked him to download an app",
    "is this legit? @WalletDesk_Help just messaged me",
    "i got a call from a number saying they are customer support",
    "有个support DM我，叫我connect wallet",
    "被一个official support加了telegram",
    "接到一个电话，对方说是钱包客服，问我要验证码",
    "fui contactado por soporte en discord, es legit?",
    "a mi mama la llamaron de su soporte y le dijeron que sus fondos estaban en riesgo",
    "support dm me on tg",
    "someone on whatsapp says hes from ur team and wants my secret phrase, should i send it?",
    "An email from support@walletdesk-help.net arrived asking me to connect my wallet",
    "Just got a phone call from your fraud department, they knew my name",
    "客服私我了，說要幫我升級錢包",
    "收到一条短信自称是钱包安全中心，说我的账户被冻结",
    "Me acaban de llamar de su área de fraudes",
]
NOT_TOLD = [
    "I contacted support yesterday and nobody answered",
    "how do I contact support?",
    "support never replied to me",
    "I messaged support twice",
    "can support call me?",
    "please have an agent call me back",
    "agent said he will call me tomorrow",
    "I asked support and the agent replied to me",
    "does support ever DM users?",
    "my deposit is missing",
    "怎么联系客服",
    "我想找客服",
    "我给客服发了消息没人回",
    "客服叫我等24小时",
    "quiero contactar a soporte",
    "escribí a soporte y nadie me contesta",
    "el agente me dijo que espere",
    # requests, questions, reports: the customer is not telling of a contact
    "Can I get a call from support? It's urgent",
    "能不能让客服给我打个电话",
    "可唔可以叫客服打俾我",
    "客服会主动私信用户吗？",
    "我举报了一个假冒客服的账号",
    "有客服电话吗",
    "我给管理员发私信他没回",
    "Support never contacts me when I have an issue, I always have to chase them",
    "If someone messages me saying they're from support, how can I check it's really you?",
    "如果有人打电话说是客服，我怎么确认是真的？",
    "si alguien me escribe diciendo que es de soporte como se que son ustedes?",
    "I found a fake account pretending to be your support on Instagram, please report it",
    "Is it possible to have someone from the team DM me on Discord?",
]


@pytest.mark.parametrize("text", TOLD)
def test_support_reaching_out_is_recognised(text: str) -> None:
    assert support_reached_out(text)


@pytest.mark.parametrize("text", NOT_TOLD)
def test_the_customer_reaching_support_is_not(text: str) -> None:
    assert not support_reached_out(text)


@pytest.mark.parametrize(("text", "language"), [
    ("Someone from support DMed me asking for my recovery phrase", "en"),
    ("有客服私信我要助记词", "zh-Hans"),
    ("alguien de soporte me escribio por telegram y me pidio mi frase semilla", "es"),
])
async def test_the_bot_warns_first_in_the_customers_language(services, bot, text, language):  # noqa: F811
    conversation, replies, turns = await ask(services, text, language=language)
    warning = replies[0]
    assert warning.sender_kind == SenderKind.bot and warning.meta["kind"] == "scam_warning"
    assert warning.text == i18n.text("support_reached_out", conversation.language,
                                     brand=services.settings.brand_name)
    assert conversation.language == language
    # then the bot goes on as it would have: an answer, a choice or a person
    assert len(replies) >= 2 and turns[-1].outcome in ("answered", "suggested", "handed_off")
    assert warning.meta["turn_id"] == turns[-1].id


async def test_no_warning_when_the_customer_wrote_to_support(services, bot):  # noqa: F811
    _, replies, _ = await ask(services, "I contacted support yesterday about a pending transfer")
    assert replies and all(reply.meta.get("kind") != "scam_warning" for reply in replies)
