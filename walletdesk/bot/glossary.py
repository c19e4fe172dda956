"""A wallet glossary: the same notion in the words customers use, in every supported language.

A question and an example that name one notion with different words — 助记词 / 注记词 /
recovery phrase / frase semilla, 提币 / withdraw / retirar — share no TF-IDF word. Each notion
found in a text adds one concept token (``§seed``) to its words, for examples and questions
alike, so they meet whatever words and language either uses. Patterns run on normalised text
(lower case, Simplified Chinese, Cantonese folded): Chinese as substrings, other words whole.
"""

import re
from functools import lru_cache

import numpy as np
import scipy.sparse as sp

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
    # the account, its codes and limits, money back, the people and papers of a custodial
    # wallet or an OTC desk (decision 0061)
    "close_account": ("注销", "销户", "闩户", "关闭账户", "关闭账号", "删除账户", "删除账号",
                      "close my account", "close account", "closing my account",
                      "delete my account", "delete account",
                      "cerrar cuenta", "cerrar mi cuenta", "eliminar cuenta", "eliminar mi cuenta",
                      "dar de baja", "darme de baja"),
    "signup": ("注册", "开户", "sign up", "signup", "register", "registration", "create an account",
               "open an account", "registrarme", "registro", "crear cuenta", "abrir cuenta",
               "crear una cuenta", "abrir una cuenta"),
    "frozen": ("冻结", "冻卡", "锁定", "被锁", "锁了", "封号", "封了", "frozen", "freeze", "locked",
               "suspended", "restricted", "congelada", "congelado", "congelaron", "bloqueada",
               "bloqueado", "bloquearon", "suspendida", "suspendido"),
    "two_factor": ("谷歌验证", "二次验证", "双重验证", "两步验证", "验证器", "2fa", "two factor",
                   "two-factor", "authenticator", "autenticador", "doble factor"),
    "sms": ("短信", "sms", "text message", "mensaje de texto"),
    "code": ("验证码", "verification code", "otp", "codigo de verificacion", "código de verificación",
             "codigo", "código"),
    "limit": ("限额", "额度", "上限", "limit", "limits", "maximum", "minimum", "limite", "límite",
              "limites", "límites", "tope", "monto maximo", "monto minimo"),
    "cancel": ("取消", "撤回", "撤销", "cancel", "cancelled", "canceled", "cancelar", "anular"),
    "refund": ("退款", "退回", "退钱", "refund", "refunded", "reembolso", "devolucion", "devolución",
               "devolver", "devuelvan"),
    "bank": ("银行", "bank", "banco"),
    "login": ("登录", "登入", "登陆", "登不上", "log in", "login", "sign in", "iniciar sesion",
              "iniciar sesión", "no puedo entrar"),
    "update": ("更新", "升级", "新版本", "update", "upgrade", "new version", "actualizar",
               "actualizacion", "actualización"),
    "how_long": ("多久", "多长时间", "几天", "几个小时", "how long", "taking forever", "cuanto tarda",
                 "cuánto tarda", "cuanto demora", "cuánto demora", "demora"),
    "interest": ("利息", "收益", "理财", "年化", "interest", "apy", "apr", "yield", "earn",
                 "rendimiento", "rendimientos", "intereses"),
    "referral": ("邀请", "推荐人", "返佣", "佣金", "referral", "referrals", "invite", "refer a friend",
                 "referido", "referidos", "invitar", "invitacion", "invitación"),
    "merchant": ("商家", "承兑商", "卖家", "merchant", "merchants", "seller", "comerciante", "vendedor"),
    "appeal": ("申诉", "appeal", "dispute", "apelacion", "apelación", "disputa"),
    "complaint": ("投诉", "complaint", "complain", "queja", "reclamo", "reclamacion", "reclamación"),
    "id_document": ("身份证", "护照", "证件", "passport", "id card", "identity card", "driver's license",
                    "pasaporte", "cedula", "cédula", "dni", "ine"),
    "selfie": ("人脸", "自拍", "刷脸", "selfie", "face verification", "face scan"),
    "history": ("记录", "账单", "流水", "明细", "history", "statement", "records", "historial",
                "extracto", "movimientos"),
    "country": ("国家", "地区", "country", "countries", "region", "pais", "país", "paises", "países"),
    "unauthorized": ("不是我操作", "不是我本人", "不是我做", "没有授权", "unauthorized", "without permission",
                     "wasn't me", "not me", "no fui yo", "no autorice", "no autoricé"),
}
_CJK = re.compile(r"[\u3400-\u9fff]")


@lru_cache(maxsize=1)
def _patterns() -> list[tuple[str, re.Pattern[str]]]:
    patterns = []
    for notion, words in GLOSSARY.items():
        chinese = [re.escape(w) for w in words if _CJK.search(w)]
        other = [re.escape(w) for w in words if not _CJK.search(w)]
        # other words whole: no letter or digit right before or after them
        # (a Chinese character beside one is a boundary: "转账一直pending", "提现pending好久")
        edge = r"[^\W_\u3400-\u9fff]"
        parts = chinese + ([rf"(?<!{edge})(?:{'|'.join(other)})(?!{edge})"] if other else [])
        patterns.append((notion, re.compile("|".join(parts))))
    return patterns


def _named(normalised: str) -> list[int]:
    """The positions in GLOSSARY of the notions a normalised text names."""
    return [i for i, (_, pattern) in enumerate(_patterns()) if pattern.search(normalised)]


def concepts(normalised: str) -> list[str]:
    """The concept tokens (``§seed`` …) of the notions a normalised text names."""
    return [f"§{_patterns()[i][0]}" for i in _named(normalised)]


def concept_rows(normalised: list[str]) -> sp.csr_matrix:
    """One row per normalised text, one column per notion of the glossary: 1 where the text
    names it. The same columns whatever the text's language."""
    rows: list[int] = []
    columns: list[int] = []
    for row, text in enumerate(normalised):
        named = _named(text)
        rows += [row] * len(named)
        columns += named
    return sp.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, columns)),
                         shape=(len(normalised), len(GLOSSARY)))


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
