"""A customer telling that "support" reached out to them: the most common opening of a wallet
scam (a DM on Telegram, a call, an e-mail "from the support team" asking to verify the wallet,
to move funds or for the recovery phrase). The bot warns them before anything else it says,
also when they paste no link or handle to check (walletdesk.safety.lookalike checks those).

Only the direction support -> customer counts: "support DMed me", "客服私信我", "un agente de
soporte me escribió", "someone claiming to be support"; "I contacted support", "how do I
contact support?" or "support never answered me" are questions for the knowledge base."""

import re

# who claims to be the desk
_STAFF_EN = (r"(?:support|customer (?:service|care|success)|help ?desk|helpdesk|admins?|"
             r"moderators?|mods?|staff|agents?|representatives?|reps?|officials?|"
             r"(?:your|the) team|security team)")
# reached the customer, unasked ("... me", "... my husband", "slid into my DMs")
_TO_ME_EN = (r"(?:(?:dm'?e?d|pm'?e?d|messag(?:ed|es|ing)|text(?:ed|s|ing)|call(?:ed|s|ing)|"
             r"contact(?:ed|s|ing)|reach(?:ed|es|ing) out to|wr(?:ote|ites|iting) to|"
             r"e-?mail(?:ed|s|ing)|add(?:ed|s)|sen[dt]s?|ping(?:ed|s)|hit|approach(?:ed|es))"
             r"\s+(?:me|us|my)\b|slid into my dms)")
_EN = re.compile(
    # "support DMed me", "an admin messaged me on telegram", "your team called me"
    rf"\b{_STAFF_EN}\b[^.?!\n]{{0,30}}?\b{_TO_ME_EN}"
    # "got a DM from support", "a call from your support team"
    rf"|\b(?:got|get|received|getting|had)\b[^.?!\n]{{0,20}}\b(?:dm|pm|message|call|text|"
    rf"e-?mail|friend request|invite)s?\b[^.?!\n]{{0,25}}\bfrom\b[^.?!\n]{{0,20}}\b{_STAFF_EN}\b"
    # "someone claiming to be support", "pretending to be from your team"
    r"|\b(?:claim(?:s|ed|ing)?|pretend(?:s|ed|ing)?|posing as|impersonat\w*|"
    r"says? (?:they are|he is|she is|(?:they're|he's|she's))|said (?:they were|he was|she was))"
    rf"\b[^.?!\n]{{0,15}}\b{_STAFF_EN}\b", re.IGNORECASE)
# Chinese (Simplified, Traditional, Cantonese)
_STAFF_ZH = r"(?:客服|官方|管理员|管理員|工作人员|工作人員|技术支持|技術支援|技術支持|支持团队|团队|團隊)"
_ZH = re.compile(
    rf"{_STAFF_ZH}.{{0,8}}?(?:私信|私聊|私讯|私訊|私下|主动|主動|加我|加了我|找我|找上我|联系我|"
    r"聯繫我|聯絡我|打(?:电话|電話)?(?:给|給|俾)我|(?:给|給|俾)我(?:打|发|發|私|留言|send)|"
    r"发(?:消息|信息|短信|邮件)(?:给|給)?我|發(?:訊息|短訊|信息|郵件)(?:給|俾)?我|call我|dm我|pm我|inbox我)"
    rf"|(?:自称|自稱|冒充|假冒|扮|假扮|说是|說是|话系|話係|讲系|講係|说他是|說他是){_STAFF_ZH}"
    rf"|(?:收到|接到).{{0,10}}?{_STAFF_ZH}.{{0,6}}?(?:私信|私訊|电话|電話|短信|短訊|消息|訊息|邮件|郵件|好友请求)",
    re.IGNORECASE)
# Spanish
_STAFF_ES = (r"(?:soporte|agente|asesor|asesora|servicio al cliente|atenci[oó]n al cliente|"
             r"administrador|admin|moderador|equipo|personal|representante|ejecutivo)")
_ES = re.compile(
    rf"\b{_STAFF_ES}\b[^.?!\n]{{0,30}}?\bme\s+(?:escribi[oó]|escribieron|contact[oó]|contactaron|"
    r"llam[oó]|llamaron|mand[oó]|mandaron|envi[oó]|enviaron|agreg[oó]|agregaron|a[nñ]adi[oó]|"
    r"habl[oó]|hablaron|dm|manda|escribe|llama|contacta)\b"
    rf"|\bme\s+(?:escribi[oó]|escribieron|contact[oó]|contactaron|llam[oó]|llamaron|mand[oó]|"
    rf"mandaron|envi[oó]|enviaron|agreg[oó]|agregaron)\b[^.?!\n]{{0,30}}\b{_STAFF_ES}\b"
    rf"|\b(?:dice|dicen|dijo|dijeron|dec[ií]a)\s+(?:ser|que\s+(?:es|son|era|eran))\s+(?:de\s+)?"
    rf"(?:el\s+|la\s+|del\s+)?{_STAFF_ES}\b|\bse\s+hac(?:e|en|[ií]a)\s+pasar\s+por\b",
    re.IGNORECASE)


def support_reached_out(text: str) -> bool:
    """Whether the customer tells that someone from "support" contacted them first."""
    return bool(_EN.search(text) or _ZH.search(text) or _ES.search(text))
