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
    "bot_handoff": {
        "en": "I'm passing you to a person from our support team. They'll see everything above.",
        "zh-Hans": "正在为您转接人工客服，客服会看到以上全部对话内容。",
        "zh-Hant": "正在為您轉接真人客服，客服會看到以上全部對話內容。",
        "es": "Te paso con una persona de nuestro equipo de soporte. Verá toda la conversación.",
    },
    "verify_ask_email": {
        "en": "Before we look at your account or funds, please verify it's you: reply with the "
              "email address registered with your {brand} account and we'll send you a code. "
              "Never share your recovery phrase or private key — we will never ask for them.",
        "zh-Hans": "在查询您的账户或资金之前，需要先验证身份：请回复您在 {brand} 注册的邮箱地址，"
                   "我们会发送验证码。请勿透露助记词或私钥，我们绝不会索要。",
        "zh-Hant": "在查詢您的帳戶或資金之前，需要先驗證身分：請回覆您在 {brand} 註冊的電郵地址，"
                   "我們會發送驗證碼。請勿透露助記詞或私鑰，我們絕不會索取。",
        "es": "Antes de revisar tu cuenta o tus fondos, verifica que eres tú: responde con el "
              "correo registrado en tu cuenta de {brand} y te enviaremos un código. Nunca "
              "compartas tu frase de recuperación ni tu clave privada.",
    },
    "verify_code_sent": {
        "en": "We've sent a 6-digit code to {email}. Type it here (it is valid for 10 minutes).",
        "zh-Hans": "验证码（6 位数字）已发送至 {email}，请在 10 分钟内在此输入。",
        "zh-Hant": "驗證碼（6 位數字）已發送至 {email}，請在 10 分鐘內於此輸入。",
        "es": "Hemos enviado un código de 6 cifras a {email}. Escríbelo aquí (vale 10 minutos).",
    },
    "verify_wrong_code": {
        "en": "That code is not right or has expired. Check the email, or send your address "
              "again for a new code.",
        "zh-Hans": "验证码不正确或已过期。请检查邮件，或重新发送邮箱地址获取新验证码。",
        "zh-Hant": "驗證碼不正確或已過期。請檢查郵件，或重新傳送電郵地址取得新驗證碼。",
        "es": "Ese código no es correcto o ha caducado. Revisa el correo o envía tu dirección "
              "otra vez para recibir uno nuevo.",
    },
    "verify_done": {
        "en": "Thank you, your email is verified. I'm passing you to a person from our team.",
        "zh-Hans": "谢谢，您的邮箱已验证。正在为您转接人工客服。",
        "zh-Hant": "謝謝，您的電郵已驗證。正在為您轉接真人客服。",
        "es": "Gracias, tu correo está verificado. Te paso con una persona de nuestro equipo.",
    },
    "verify_failed": {
        "en": "We couldn't send a code right now. A person from our team will help you verify.",
        "zh-Hans": "暂时无法发送验证码，人工客服会协助您完成验证。",
        "zh-Hant": "暫時無法發送驗證碼，真人客服會協助您完成驗證。",
        "es": "No hemos podido enviar el código ahora. Una persona de nuestro equipo te ayudará "
              "a verificarte.",
    },
    "verify_code_subject": {
        "en": "{brand}: your verification code",
        "zh-Hans": "{brand}：您的验证码",
        "zh-Hant": "{brand}：您的驗證碼",
        "es": "{brand}: tu código de verificación",
    },
    "verify_code_body": {
        "en": "Your {brand} support verification code is {code}. It is valid for 10 minutes. "
              "Support will never ask for your recovery phrase or private key.",
        "zh-Hans": "您的 {brand} 客服验证码是 {code}，10 分钟内有效。客服绝不会索要您的助记词或私钥。",
        "zh-Hant": "您的 {brand} 客服驗證碼是 {code}，10 分鐘內有效。客服絕不會索取您的助記詞或私鑰。",
        "es": "Tu código de verificación de soporte de {brand} es {code}. Vale 10 minutos. "
              "Soporte nunca te pedirá tu frase de recuperación ni tu clave privada.",
    },
    "bot_suggest": {
        "en": "I'm not completely sure I understood. Do any of these help?",
        "zh-Hans": "我不太确定是否理解了您的问题，以下文章是否有帮助？",
        "zh-Hant": "我不太確定是否理解了您的問題，以下文章是否有幫助？",
        "es": "No estoy seguro de haberte entendido. ¿Te ayuda alguno de estos artículos?",
    },
    "bot_rephrase": {
        "en": "Sorry that didn't help. Could you describe the problem in other words, or tap "
        "\"Talk to a person\"?",
        "zh-Hans": "抱歉没能帮到您。能换种说法描述一下问题吗？也可以点击「转人工」。",
        "zh-Hant": "抱歉沒能幫到您。能換種說法描述一下問題嗎？也可以點擊「轉真人」。",
        "es": "Siento que no te haya ayudado. ¿Puedes describirlo con otras palabras o pulsar "
        "\"Hablar con una persona\"?",
    },
    "bot_solved": {
        "en": "Glad that helped! Write again any time.",
        "zh-Hans": "很高兴能帮到您！有问题随时再来咨询。",
        "zh-Hant": "很高興能幫到您！有問題隨時再來諮詢。",
        "es": "¡Me alegro de haberte ayudado! Escríbenos cuando quieras.",
    },
    "bot_empty": {
        "en": "Could you tell me a bit more about your question?",
        "zh-Hans": "能再具体描述一下您的问题吗？",
        "zh-Hant": "能再具體描述一下您的問題嗎？",
        "es": "¿Puedes contarme un poco más sobre tu pregunta?",
    },
    "verify_official": {
        "en": "✅ This is an official {brand} channel.",
        "zh-Hans": "✅ 这是 {brand} 的官方渠道。",
        "zh-Hant": "✅ 這是 {brand} 的官方管道。",
        "es": "✅ Es un canal oficial de {brand}.",
    },
    "verify_lookalike": {
        "en": "⚠️ Not official. This imitates our {channel}. It is very likely a scam: do not "
        "click its links, do not send funds, and never share your recovery phrase or private key.",
        "zh-Hans": "⚠️ 非官方！它在冒充我们的 {channel}，极可能是诈骗：不要点击其中的链接，不要转账，绝不要透露助记词或私钥。",
        "zh-Hant": "⚠️ 非官方！它在冒充我們的 {channel}，極可能是詐騙：不要點擊其中的連結，不要轉帳，絕不要透露助記詞或私鑰。",
        "es": "⚠️ No es oficial. Imita nuestro {channel}. Casi seguro es una estafa: no abras sus "
        "enlaces, no envíes fondos y nunca compartas tu frase de recuperación ni tu clave privada.",
    },
    "verify_not_official": {
        "en": "❌ This is not one of our official channels. Be careful: {brand} support never "
        "contacts you first and never asks for your recovery phrase.",
        "zh-Hans": "❌ 这不是我们的官方渠道。请注意：{brand} 客服不会主动联系您，也绝不会索要助记词。",
        "zh-Hant": "❌ 這不是我們的官方管道。請注意：{brand} 客服不會主動聯絡您，也絕不會索取助記詞。",
        "es": "❌ No es uno de nuestros canales oficiales. Cuidado: el soporte de {brand} nunca te "
        "contacta primero ni te pide tu frase de recuperación.",
    },
    "verify_invalid": {
        "en": "This does not look like a link, handle, e-mail address or phone number.",
        "zh-Hans": "这看起来不像链接、账号、邮箱或电话号码。",
        "zh-Hant": "這看起來不像連結、帳號、電郵或電話號碼。",
        "es": "No parece un enlace, usuario, correo ni teléfono.",
    },
    "csat_ask": {
        "en": "How did we do? Please rate this conversation from 1 to 5.",
        "zh-Hans": "请为本次服务打分（1–5 分）。",
        "zh-Hant": "請為本次服務評分（1–5 分）。",
        "es": "¿Qué tal lo hicimos? Valora esta conversación del 1 al 5.",
    },
    "csat_thanks": {
        "en": "Thank you for your rating! {points} points have been added to your account.",
        "zh-Hans": "感谢您的评价！已为您的账户增加 {points} 积分。",
        "zh-Hant": "感謝您的評價！已為您的帳戶增加 {points} 積分。",
        "es": "¡Gracias por tu valoración! Hemos sumado {points} puntos a tu cuenta.",
    },
    "email_footer": {
        "en": "Reply to this email to continue the conversation. {brand} staff will never ask "
        "for your recovery phrase (seed words) or private key.",
        "zh-Hans": "直接回复本邮件即可继续对话。{brand} 的工作人员绝不会索要您的助记词或私钥。",
        "zh-Hant": "直接回覆本郵件即可繼續對話。{brand} 的工作人員絕不會索取您的助記詞或私鑰。",
        "es": "Responde a este correo para continuar la conversación. El personal de {brand} "
        "nunca te pedirá tu frase de recuperación ni tu clave privada.",
    },
    "email_rate": {
        "en": "Rate us: {links}",
        "zh-Hans": "评分：{links}",
        "zh-Hant": "評分：{links}",
        "es": "Valóranos: {links}",
    },
    "csat_low": {
        "en": "Thank you, and sorry we fell short. If you still need help, just write here and "
        "we'll pick it up again. {points} points have been added to your account.",
        "zh-Hans": "感谢反馈，很抱歉没能让您满意。如果问题仍未解决，直接在这里留言，我们会继续跟进。已为您增加 {points} 积分。",
        "zh-Hant": "感謝回饋，很抱歉沒能讓您滿意。如果問題仍未解決，直接在這裡留言，我們會繼續跟進。已為您增加 {points} 積分。",
        "es": "Gracias, y perdona no haber estado a la altura. Si aún necesitas ayuda, escribe "
        "aquí y lo retomamos. Hemos sumado {points} puntos a tu cuenta.",
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


def verdict_text(status: str, language: str | None, brand: str, channel: str = "") -> str:
    """What a customer is told about a channel they asked us to check."""
    return text(f"verify_{status}", language, brand=brand, channel=channel)


def localized(variants: dict[str, str], language: str | None, **values: str) -> str:
    """One of a text's translations, for a customer's language tag (English when unknown);
    the complaint and follow-up texts use it with their own tables."""
    return variants.get(customer_language(language), variants["en"]).format(**values)


def text(key: str, language: str | None, **values: str) -> str:
    variants = TEXTS[key]
    template = variants.get(language or "en", variants["en"])
    return template.format(**values)
