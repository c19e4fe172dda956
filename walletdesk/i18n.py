"""Customer-facing system texts in the supported languages.

Languages are BCP-47-ish tags: zh-Hans, zh-Hant, en, es. ``customer_language`` maps what a
browser or channel reports (zh-CN, zh-TW, es-MX …) onto one of them.
"""

SUPPORTED = ("zh-Hans", "zh-Hant", "en", "es")

TEXTS: dict[str, dict[str, str]] = {
    "agent_joined": {
        "en": "{name} joined the conversation.",
        "zh-Hans": "{name} 已加入对话。",
        "zh-Hant": "{name} 已加入對話。",
        "es": "{name} se ha unido a la conversación.",
    },
    "queued": {
        "en": "Thanks for your message. An agent will be with you shortly.",
        "zh-Hans": "已收到您的消息，客服将尽快为您服务。",
        "zh-Hant": "已收到您的訊息，客服將盡快為您服務。",
        "es": "Gracias por tu mensaje. Un agente te atenderá en breve.",
    },
    "after_hours": {
        "en": "Our team is away right now. We're back {opens}. Leave your message here and "
        "we'll reply as soon as we're back.",
        "zh-Hans": "客服团队目前不在线，将于 {opens} 回来。请留言，我们上班后会第一时间回复您。",
        "zh-Hant": "客服團隊目前不在線，將於 {opens} 回來。請留言，我們上班後會第一時間回覆您。",
        "es": "Nuestro equipo no está disponible ahora. Volvemos {opens}. Déjanos tu mensaje y "
        "te responderemos en cuanto volvamos.",
    },
    "after_hours_unknown": {
        "en": "Our team is away right now. Leave your message here and we'll reply as soon as "
        "we're back.",
        "zh-Hans": "客服团队目前不在线。请留言，我们上班后会第一时间回复您。",
        "zh-Hant": "客服團隊目前不在線。請留言，我們上班後會第一時間回覆您。",
        "es": "Nuestro equipo no está disponible ahora. Déjanos tu mensaje y te responderemos "
        "en cuanto volvamos.",
    },
    "resolved": {
        "en": "This conversation was marked as resolved. Write again any time if you need more "
        "help.",
        "zh-Hans": "本次对话已标记为已解决。如需更多帮助，随时可以再次留言。",
        "zh-Hant": "本次對話已標記為已解決。如需更多幫助，隨時可以再次留言。",
        "es": "Esta conversación se ha marcado como resuelta. Escríbenos cuando necesites más "
        "ayuda.",
    },
    "secret_removed": {
        "en": "For your safety we removed what looked like a recovery phrase or private key "
        "from your message. Support will never ask for it. If you shared it anywhere, treat "
        "the wallet as compromised and move your funds to a new wallet.",
        "zh-Hans": "为了您的资产安全，我们已从消息中移除疑似助记词或私钥的内容。客服绝不会索要助记词或私钥。"
        "如果您曾在任何地方泄露过，请视该钱包为已泄露，并尽快将资产转移到新钱包。",
        "zh-Hant": "為了您的資產安全，我們已從訊息中移除疑似助記詞或私鑰的內容。客服絕不會索取助記詞或私鑰。"
        "如果您曾在任何地方洩露過，請視該錢包為已洩露，並盡快將資產轉移到新錢包。",
        "es": "Por tu seguridad hemos eliminado de tu mensaje lo que parecía una frase de "
        "recuperación o una clave privada. Soporte nunca te la pedirá. Si la compartiste, "
        "considera la billetera comprometida y mueve tus fondos a una billetera nueva.",
    },
}


def customer_language(tag: str | None, default: str = "en") -> str:
    """Map a reported language tag onto a supported language."""
    if not tag:
        return default
    lowered = tag.strip().lower().replace("_", "-")
    if lowered.startswith("zh"):
        traditional = ("hant", "-tw", "-hk", "-mo")
        return "zh-Hant" if any(mark in lowered for mark in traditional) else "zh-Hans"
    base = lowered.split("-")[0]
    return base if base in SUPPORTED else default


def text(key: str, language: str | None, **values: str) -> str:
    variants = TEXTS[key]
    template = variants.get(language or "en", variants["en"])
    return template.format(**values)
