"""What the customer reads about a follow-up, in their language."""

from walletdesk.i18n import localized

TEXTS: dict[str, dict[str, str]] = {
    "invite": {
        "en": "{brand} would like to call you about {reason}. Pick a time that suits you, "
              "ask for a chat instead, or say no thanks: {link}",
        "zh-Hans": "{brand} 想就「{reason}」给您做一次回访。"
                   "请选择方便的时间，或改为在线沟通，也可以谢绝：{link}",
        "zh-Hant": "{brand} 想就「{reason}」為您做一次回訪。"
                   "請選擇方便的時間，或改為線上溝通，也可以謝絕：{link}",
        "es": "{brand} quiere llamarte sobre {reason}. Elige una hora, pide un chat en su "
              "lugar o dinos que no: {link}",
    },
    "subject": {
        "en": "{brand}: may we call you?",
        "zh-Hans": "{brand}：回访预约",
        "zh-Hant": "{brand}：回訪預約",
        "es": "{brand}: ¿podemos llamarte?",
    },
    "chat_instead": {
        "en": "I would rather chat than take a call (follow-up: {reason}).",
        "zh-Hans": "我希望在线沟通，而不是电话回访（回访事由：{reason}）。",
        "zh-Hant": "我希望線上溝通，而不是電話回訪（回訪事由：{reason}）。",
        "es": "Prefiero un chat en lugar de una llamada (seguimiento: {reason}).",
    },
}


def text(key: str, language: str | None, **values: str) -> str:
    return localized(TEXTS[key], language, **values)
