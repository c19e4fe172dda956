"""Names customers give themselves in free text ("我叫陈静", "我是王先生", "my name is Ana
Lopez", "me llamo María de la Cruz"), for the masking of outsourced agents' views
(walletdesk.customers.masking) when no name is stored for the customer.

Conservative: only after an introduction, and "我是" ("I am", also "我是新用户", "I am a new
user") only before a common Chinese surname. The name must end where the words do (a
punctuation mark, a space, the end, or a word that commonly follows a name: "邮箱", "电话" …):
"我是高级会员" or "我是马来西亚的用户" name nobody. Pure.
"""

import re

_HAN = "\u4e00-\u9fff"
# the most common single-character surnames (simplified and traditional) and compound ones
_SURNAMES = (
    "王李张張刘劉陈陳杨楊黄黃赵趙吴吳周徐孙孫马馬朱胡郭何高林罗羅郑鄭梁谢謝宋唐许許韩韓冯馮"
    "邓鄧曹彭曾肖萧蕭田董袁潘于蒋蔣蔡余杜叶葉程苏蘇魏吕呂丁任沈姚卢盧姜崔钟鍾谭譚陆陸汪范範"
    "金石廖贾賈夏韦韋付傅方白邹鄒孟熊秦邱江尹薛闫閆段雷侯龙龍史陶黎贺賀顾顧毛郝龚龔邵钱錢"
    "严嚴覃武戴莫孔向汤湯温溫欧歐柳郁翁"
)
_COMPOUND = ("欧阳", "歐陽", "司马", "司馬", "诸葛", "諸葛", "上官", "东方", "東方", "司徒", "慕容",
             "皇甫", "令狐", "夏侯", "长孙", "長孫", "公孙", "公孫", "宇文")
# words that commonly follow a name glued to it, in a customer's message
_AFTER_NAME = ("邮箱", "郵箱", "电话", "電話", "手机", "手機", "身份", "护照", "護照", "来自", "來自",
               "住在", "今年", "账号", "帳號", "账户", "帳戶", "是")
_END = rf"(?=[^{_HAN}]|$|" + "|".join(_AFTER_NAME) + ")"
# "我叫" + 2-3 characters; not "我叫了", "我叫你", "我叫客服" (a call, not a name)
_ZH_CALLED = re.compile(
    rf"(?:我叫|我名叫|我的名字[是叫]|我的姓名是|姓名[:：]?)[^\S\n]*"
    rf"(?P<name>(?![了过過你他她它们們人客朋什怎这這那])"
    rf"(?:(?:{'|'.join(_COMPOUND)})[{_HAN}]{{1,2}}|[{_HAN}]{{2,3}})){_END}")
_ZH_I_AM = re.compile(
    rf"我是[^\S\n]*(?P<name>(?:{'|'.join(_COMPOUND)}|[{_SURNAMES}])[{_HAN}]{{1,2}}){_END}")

_WORD = r"[A-Za-zÀ-ÖØ-öø-ÿ][A-Za-zÀ-ÖØ-öø-ÿ'’-]*"
_LATIN_INTRO = re.compile(
    rf"(?<![A-Za-z])(?:my (?:full )?name is|my name's|me llamo|mi nombre (?:completo )?es)"
    rf"[^\S\n]*[:,]?[^\S\n]*(?P<words>{_WORD}(?:[^\S\n]+{_WORD}){{0,4}})", re.IGNORECASE)
# words after "my name is" that are not a name ("my name is on the account", "… is wrong")
_NOT_NAME_WORDS = (
    "a an the and or but not on in at to for from with of is was are be been also already "
    "still i i'm im my me we you your it its this that there here so please thanks thank "
    "wrong incorrect missing misspelled spelled spelt showing shown displayed different "
    "correct right changed same written registered listed "
    "y e o pero no en con desde para por mi mis soy es era que tengo tiene estoy como al el")
_NOT_NAMES = frozenset(_NOT_NAME_WORDS.split())
# particles inside a name, kept when a capitalised word follows ("María de la Cruz")
_PARTICLES = frozenset({"de", "del", "la", "las", "los", "van", "von", "da", "di", "le", "y"})
MAX_NAME_WORDS = 3


def _latin_name(words: str) -> str:
    """The name at the start of ``words``, without its particles ("María de la Cruz" →
    "María Cruz": each word is masked wherever it stands, and "de" is no name): up to three
    capitalised words, or two lower-case ones ("my name is ana lopez"), stopping at a word
    that is no name."""
    parts = words.split()
    capitalised = parts[0][:1].isupper()
    taken: list[str] = []
    for index, word in enumerate(parts):
        lowered = word.lower().replace("’", "'")
        if taken and capitalised and lowered in _PARTICLES:
            following = next((w for w in parts[index + 1:] if w.lower() not in _PARTICLES), "")
            if following[:1].isupper():
                continue
        if lowered in _NOT_NAMES or (capitalised and not word[:1].isupper()):
            break
        taken.append(word)
        if len(taken) >= (MAX_NAME_WORDS if capitalised else 2):
            break
    name = " ".join(taken)
    return name if len(name) >= 2 else ""


def self_introduced_names(text: str) -> list[str]:
    """The names ``text`` introduces its writer by."""
    names: list[str] = []
    if "我" in text or "姓名" in text:
        names += [found.group("name") for found in _ZH_CALLED.finditer(text)]
        names += [found.group("name") for found in _ZH_I_AM.finditer(text)]
    lowered = text.lower()
    if "name" in lowered or "llamo" in lowered or "nombre" in lowered:
        names += [name for found in _LATIN_INTRO.finditer(text)
                  if (name := _latin_name(found.group("words")))]
    return names


# "Hi, I'm John Carter", "this is Ana", "soy María López": a greeting that may give a name.
# Less certain than "my name is" ("I'm Chinese", "soy Cliente"), so these names are only
# masked in outsourced agents' views, never stored as the customer's name; and only
# capitalised words are taken ("i'm john" and "I'm stuck" name nobody).
_GREETING_WORDS = ("i'm", "i’m", "i am", "this is", "soy")
_CAPITAL_WORD = r"[A-ZÀ-ÖØ-Þ][A-Za-zÀ-ÖØ-öø-ÿ'’-]*"
_GREETING_INTRO = re.compile(
    rf"(?<![A-Za-z])(?i:I['’]m|I am|this is|soy)[^\S\n]*[:,]?[^\S\n]*"
    rf"(?P<words>{_CAPITAL_WORD}(?:[^\S\n]+{_WORD}){{0,4}})")
# capitalised words after "I'm" / "this is" that are no name
_NOT_GREETING_WORDS = (
    "sorry not so very just still really trying having unable looking writing contacting "
    "here back new sure afraid worried confused stuck waiting using based calling asking "
    "from in at on with the a an your demowallet support customer client user usuario "
    "cliente nuevo nueva chinese english spanish american british canadian australian "
    "indian mexican español española chino china")
_NOT_GREETING_NAMES = frozenset(_NOT_GREETING_WORDS.split()) | _NOT_NAMES


def likely_self_names(text: str) -> list[str]:
    """The names a greeting in ``text`` may give its writer ("Hi, I'm John Carter"), for
    masking only (see :func:`self_introduced_names` for the certain ones)."""
    lowered_text = text.lower()
    if not any(intro in lowered_text for intro in _GREETING_WORDS):
        return []
    names: list[str] = []
    for found in _GREETING_INTRO.finditer(text):
        first = found.group("words").split()[0]
        lowered = first.lower().replace("’", "'")
        if lowered in _NOT_GREETING_NAMES or (first.isupper() and len(first) > 1):
            continue  # "I'm USDT …", "I'm Chinese"
        if name := _latin_name(found.group("words")):
            names.append(name)
    return names
