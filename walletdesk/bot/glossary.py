"""A wallet glossary: the same notion in the words customers use, in every supported language.

A question and an example that name one notion with different words — 助记词 / 注记词 /
recovery phrase / frase semilla, 提币 / withdraw / retirar — share no TF-IDF word. Each notion
found in a text adds one concept token (``§seed``) to its words, for examples and questions
alike, so they meet whatever words and language either uses. Patterns run on normalised text
(lower case, Simplified Chinese, Cantonese folded): Chinese as substrings, other words whole.
"""

import re
from functools import lru_cache

# notion: the words that name it (Chinese substrings; other words matched whole)
GLOSSARY: dict[str, tuple[str, ...]] = {
    "seed": ("助记词", "注记词", "记忆词", "助记码", "恢复短语", "recovery phrase", "seed phrase",
             "secret phrase", "mnemonic", "seed words", "12 words", "24 words", "frase semilla",
             "frase de recuperacion", "frase de recuperación", "palabras secretas",
             "12 palabras", "24 palabras", "semilla"),
    "private_key": ("私钥", "private key", "privkey", "clave privada", "llave privada"),
    "gas": ("矿工费", "燃料费", "gas费", "gas", "gwei", "network fee", "tarifa de red",
            "comision de red", "comisión de red"),
    "fee": ("手续费", "费用", "收费", "扣费", "fee", "fees", "charge", "charged", "comision",
            "comisión", "comisiones", "cargo", "tarifa", "cobro", "cobraron", "me cobran"),
    "withdraw": ("提币", "提现", "提款", "出金", "withdraw", "withdrawal", "cash out", "retirar",
                 "retiro", "sacar"),
    "deposit": ("充值", "充币", "入金", "存入", "deposit", "top up", "topup", "top-up",
                "depositar", "deposito", "depósito", "recargar", "recarga", "cargar saldo"),
    "bridge": ("跨链", "跨鏈", "bridge", "cross-chain", "cross chain", "puente"),
    "transfer": ("转账", "转币", "汇款", "transfer", "send", "sent", "sending", "transferir",
                 "transferencia", "enviar", "envie", "envié", "envio", "envío", "mande"),
    "not_arrived": ("没到账", "未到账", "不到账", "没有到账", "没收到", "没有收到", "收不到", "还没到",
                    "没到", "未到", "not arrived", "hasn't arrived", "didn't arrive",
                    "not received", "never arrived", "not showing", "no llego", "no llegó",
                    "no me llego", "no me llegó", "no recibi", "no recibí", "no aparece"),
    "pending": ("待确认", "确认中", "卡住", "打包中", "pending", "stuck", "unconfirmed",
                "pendiente", "atascado", "atascada", "trabado", "trabada"),
    "address": ("地址", "address", "direccion", "dirección"),
    "swap": ("闪兑", "兑换", "swap", "swapping", "intercambio", "intercambiar"),
    "stake": ("质押", "staking", "stake", "staked", "unstake", "stakear"),
    "approve": ("授权", "approval", "approvals", "approve", "allowance", "revoke", "revocar",
                "aprobacion", "aprobación", "permisos"),
    "scam": ("诈骗", "骗子", "被骗", "骗局", "钓鱼", "scam", "scammed", "scammer", "phishing",
             "fraud", "estafa", "estafaron", "fraude", "estafador"),
    # Traditional forms (被盜, 盜走, 被轉走, 被駭) meet these after normalisation (Simplified)
    "stolen": ("被盗", "被偷", "被人偷", "偷走", "盗走", "被转走", "被黑", "被骇", "stolen",
               "stole", "theft", "hacked", "drained", "robo", "robó", "robaron", "robado", "robada",
               "robados", "robadas", "hackearon", "hackeo", "hackeado", "hackeada", "vaciaron"),
    "password": ("密码", "password", "passcode", "contrasena", "contraseña"),
    "backup": ("备份", "backup", "back up", "respaldo", "respaldar", "copia de seguridad"),
    "restore": ("恢复钱包", "导入钱包", "找回钱包", "restore", "recover", "import wallet",
                "recuperar", "restaurar", "importar"),
    "wrong_network": ("转错链", "错链", "转错网络", "选错网络", "wrong network", "wrong chain",
                      "red equivocada", "red incorrecta", "otra red"),
    "trc20": ("trc20", "trc-20", "波场", "tron", "trx"),
    "erc20": ("erc20", "erc-20", "以太坊", "ethereum", "eth"),
    "usdt": ("usdt", "泰达币", "tether"),
    "nft": ("nft", "nfts", "数字藏品", "藏品"),
    "kyc": ("kyc", "实名认证", "实名", "身份认证", "身份验证", "verify my identity",
            "identity verification", "verificacion de identidad", "verificación de identidad",
            "verificar identidad", "validar identidad"),
    "hardware": ("硬件钱包", "冷钱包", "hardware wallet", "cold wallet", "ledger", "trezor",
                 "billetera fria", "billetera fría"),
    "airdrop": ("空投", "airdrop", "airdrops"),
    "memo": ("memo", "destination tag", "备注", "标签"),
    "phone": ("手机", "phone", "celular", "telefono", "teléfono", "movil", "móvil"),
    "lost": ("丢了", "丢失", "弄丢", "不见了", "lost", "lose", "perdi", "perdí", "perdido",
             "robaron el celular"),
    "card": ("银行卡", "信用卡", "卡片", "card", "tarjeta"),
}
_CJK = re.compile(r"[\u3400-\u9fff]")


@lru_cache(maxsize=1)
def _patterns() -> list[tuple[str, re.Pattern[str]]]:
    patterns = []
    for notion, words in GLOSSARY.items():
        chinese = [re.escape(w) for w in words if _CJK.search(w)]
        other = [re.escape(w) for w in words if not _CJK.search(w)]
        # other words whole: no letter or digit right before or after them
        parts = chinese + ([rf"(?<![^\W_])(?:{'|'.join(other)})(?![^\W_])"] if other else [])
        patterns.append((notion, re.compile("|".join(parts))))
    return patterns


def concepts(normalised: str) -> list[str]:
    """The concept tokens (``§seed`` …) of the notions a normalised text names."""
    return [f"§{notion}" for notion, pattern in _patterns() if pattern.search(normalised)]


# Cantonese written forms folded to Mandarin ones, before Traditional → Simplified (so 係 is
# only the Cantonese copula, never the Simplified 系 of 系统). Longer forms first.
CANTONESE = (
    ("點解", "为什么"), ("点解", "为什么"), ("點樣", "怎样"), ("点样", "怎样"), ("點算", "怎么办"),
    ("点算", "怎么办"), ("唔該", "谢谢"), ("唔该", "谢谢"), ("唔見", "不见"), ("唔见", "不见"),
    ("仲未", "还没"), ("仲有", "还有"), ("邊度", "哪里"), ("边度", "哪里"), ("邊個", "谁"),
    ("边个", "谁"), ("乜嘢", "什么"), ("咩嘢", "什么"), ("呢個", "这个"), ("呢个", "这个"),
    ("呢度", "这里"), ("佢哋", "他们"), ("今日", "今天"), ("聽日", "明天"), ("听日", "明天"),
    ("琴日", "昨天"), ("尋日", "昨天"), ("寻日", "昨天"),
    ("咗", "了"), ("嘅", "的"), ("唔", "不"), ("係", "是"), ("冇", "没有"), ("啲", "些"),
    ("佢", "他"), ("喺", "在"), ("嘢", "东西"), ("嚟", "来"), ("攞", "拿"), ("搵", "找"),
    ("揾", "找"), ("睇", "看"), ("嗰", "那"), ("咁", "这么"), ("畀", "给"), ("俾", "给"),
    ("諗", "想"), ("谂", "想"), ("啱", "对"), ("乜", "什么"), ("咩", "什么"), ("噉", "这样"),
)
_CANTONESE = re.compile("|".join(re.escape(a) for a, _ in CANTONESE))
_CANTONESE_MAP = dict(CANTONESE)


def fold_cantonese(text: str) -> str:
    """Cantonese particles and words in their Mandarin form: 點解冇到 → 为什么没有到."""
    return _CANTONESE.sub(lambda m: _CANTONESE_MAP[m.group(0)], text)
