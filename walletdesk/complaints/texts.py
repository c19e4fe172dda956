"""What the customer is told about their complaint, in the supported languages
(walletdesk.i18n.SUPPORTED). ``{ref}`` is the complaint's number; outcomes with money name
``{amount}`` and ``{asset}``."""

from walletdesk.i18n import localized

TEXTS: dict[str, dict[str, str]] = {
    "complaint_received": {
        "en": "We have registered your complaint (reference #{ref}). We take it seriously and "
        "will keep you updated here.",
        "zh-Hans": "我们已登记您的投诉（编号 #{ref}）。我们非常重视，处理进展会在此告知您。",
        "zh-Hant": "我們已登記您的投訴（編號 #{ref}）。我們非常重視，處理進度會在此告知您。",
        "es": "Hemos registrado tu reclamación (referencia #{ref}). La tomamos muy en serio y te "
        "mantendremos informado aquí.",
    },
    "complaint_investigating": {
        "en": "Our team is now investigating your complaint #{ref}. We will tell you the outcome "
        "here.",
        "zh-Hans": "您的投诉 #{ref} 已进入调查阶段，处理结果会在此告知您。",
        "zh-Hant": "您的投訴 #{ref} 已進入調查階段，處理結果會在此告知您。",
        "es": "Nuestro equipo está investigando tu reclamación #{ref}. Te comunicaremos el "
        "resultado aquí.",
    },
    "complaint_resolution_proposed": {
        "en": "We have worked out a resolution for your complaint #{ref}; it is being reviewed "
        "and we will tell you the details here.",
        "zh-Hans": "我们已为您的投诉 #{ref} 拟定处理方案，正在审核中，详情稍后在此告知您。",
        "zh-Hant": "我們已為您的投訴 #{ref} 擬定處理方案，正在審核中，詳情稍後在此告知您。",
        "es": "Hemos preparado una solución para tu reclamación #{ref}; se está revisando y te "
        "daremos los detalles aquí.",
    },
    "complaint_approved": {
        "en": "The resolution of your complaint #{ref} has been approved. The details follow "
        "here shortly.",
        "zh-Hans": "您的投诉 #{ref} 的处理方案已获批准，详情稍后在此告知您。",
        "zh-Hant": "您的投訴 #{ref} 的處理方案已獲批准，詳情稍後在此告知您。",
        "es": "La solución de tu reclamación #{ref} ha sido aprobada. En breve te daremos los "
        "detalles aquí.",
    },
    "complaint_followed_up": {
        "en": "Thank you for talking with us about your complaint #{ref}. We have noted what "
        "you told us.",
        "zh-Hans": "感谢您就投诉 #{ref} 接受我们的回访，您的反馈我们已记录。",
        "zh-Hant": "感謝您就投訴 #{ref} 接受我們的回訪，您的回饋我們已記錄。",
        "es": "Gracias por hablar con nosotros sobre tu reclamación #{ref}. Hemos tomado nota "
        "de lo que nos dijiste.",
    },
    "complaint_outcome_refund": {
        "en": "Outcome of your complaint #{ref}: we will refund {amount} {asset} to you.",
        "zh-Hans": "您的投诉 #{ref} 处理结果：我们将向您退款 {amount} {asset}。",
        "zh-Hant": "您的投訴 #{ref} 處理結果：我們將向您退款 {amount} {asset}。",
        "es": "Resultado de tu reclamación #{ref}: te reembolsaremos {amount} {asset}.",
    },
    "complaint_outcome_compensation": {
        "en": "Outcome of your complaint #{ref}: we will compensate you with {amount} {asset}.",
        "zh-Hans": "您的投诉 #{ref} 处理结果：我们将向您补偿 {amount} {asset}。",
        "zh-Hant": "您的投訴 #{ref} 處理結果：我們將向您補償 {amount} {asset}。",
        "es": "Resultado de tu reclamación #{ref}: te compensaremos con {amount} {asset}.",
    },
    "complaint_outcome_explanation": {
        "en": "We have finished reviewing your complaint #{ref}. Our team will explain the "
        "outcome in this conversation; reply here if you have any questions.",
        "zh-Hans": "我们已完成对您的投诉 #{ref} 的核查，客服会在此对话中向您说明处理结果；"
        "如有疑问，请直接回复。",
        "zh-Hant": "我們已完成對您的投訴 #{ref} 的核查，客服會在此對話中向您說明處理結果；"
        "如有疑問，請直接回覆。",
        "es": "Hemos terminado de revisar tu reclamación #{ref}. Nuestro equipo te explicará el "
        "resultado en esta conversación; responde aquí si tienes alguna pregunta.",
    },
    "complaint_closed": {
        "en": "Your complaint #{ref} is now closed. If anything is still not right, just write "
        "to us here.",
        "zh-Hans": "您的投诉 #{ref} 已结案。如仍有问题，请随时在此留言。",
        "zh-Hant": "您的投訴 #{ref} 已結案。如仍有問題，請隨時在此留言。",
        "es": "Tu reclamación #{ref} está cerrada. Si algo sigue sin estar bien, escríbenos aquí.",
    },
}


def text(key: str, language: str | None, **values: str) -> str:
    """The text in the conversation's language (English when unknown)."""
    return localized(TEXTS[key], language, **values)
