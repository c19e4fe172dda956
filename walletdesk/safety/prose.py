"""Does a run of wordlist words read like prose? Used only where no checksum decides.

A run of ten or eleven wordlist words (a phrase one or two words short), or a longer run
with no valid checksum, is taken for a phrase unless it reads like prose:

- half its words or more are everyday words of its language (this, you, can, please, until …)
  written as prose is, with spaces between them — a random phrase draws its words evenly
  from 2,048 and has few of them; or
- a sentence ends inside it ("… until now. Can you …") while its other separators are
  plain spaces — a phrase's separators are all alike.
- a number stands between some of its words and not others: numbered items of several
  words ("(3) select token (4) enter amount"), or code ("alert(1)</script> title") — a
  numbered phrase numbers every word alike ("1. abandon 2. ability …").
- half its words are repeats ("test test test test test", "prueba prueba …"): twelve words
  drawn from 2,048 almost never repeat one (a phrase with a valid checksum is kept whole).

The everyday words are written here per language as the common words a support message is
made of; only those that are also in the BIP-39 list matter (the intersection is taken).
"""

import re
from collections import Counter
from functools import lru_cache

from mnemonic import Mnemonic

_COMMON = {
    "english": """
        a about above across act actual after again against age ago air all almost alone
        already also always among amount and another answer any anyone anything are area
        around ask at away back bad be because become been before begin behind being below
        best better between big both bring but buy by call can cannot car card case catch
        cause change check child city clear close come could country course cover cut day
        deal did different do does doing done door down during each early easy else end
        enough even ever every example explain face fact fail family far feel few figure
        fill find fine first follow for found free friend from full future get give go good
        great group hand happen happy hard have he hello help her here high him his hold
        home hope hour how idea if important in into issue it its just keep kind know large
        last late later leave left less let life like line list little live long look lot
        make man many matter may me mean might mind minute miss moment money month more
        most move much must my myself name need never new next nice night no normal not
        nothing notice now number of off offer often okay old on once one only open or
        order other our out over own part pay people perhaps person phone place plan please
        point possible problem provide put question quick quite rather reach read ready real
        really reason receive remember report right run same say second see seem send set
        several she should show side since small so some someone something soon sorry sound
        start state still stop story such suggest sure take talk tell than thank that the
        their them then there these they thing think this those though three through time
        to today together tomorrow too try turn twice two under understand until up upon us
        use used very wait want was way we week well were what when where which while who
        why will wish with without word work would wrong year yes yet you your
        zero one two three four five six seven eight nine ten eleven twelve
    """,
    "spanish": """
        a acción ahora al algo alguien alguno antes año aquí así aún ayuda ayudar bajo bien
        bueno cada caso casi cierto como con contra cosa cual cuando cuenta dar de decir
        dejar del desde después día donde dos durante el ella ellos en entonces entre era
        es esa ese eso esta estar este esto favor forma fue gracias gran haber hace hacer
        hasta hay hoy igual la las le lo los luego más me mejor menos mi mismo momento mucho
        muy nada ni no nos nuevo nunca o otro para pero poco poder por porque primero pronto
        pueden puede que quien saber se sea según ser si sí siempre sin sobre solo su sus
        también tan tanto tener tiempo todo todos tu un una uno usted vez ya yo
        cero dos tres cuatro cinco seis siete ocho nueve diez once doce
    """,
    "french": """
        à affaire ainsi alors après argent assez au aucun aussi autre avant avec avoir
        besoin bien bon ça car ce cela celle ces cet cette chaque chose comme comment compte
        dans de depuis des deux dire donc dont du elle en encore entre est et être fait
        faire fois homme ici il jamais je jour juste la le les leur lui mais me même merci
        moins mon monde non nous nouveau ou où par parce pas peu peut plus pour pourquoi
        pouvoir premier prendre quand que quel qui rien sans savoir se selon ses si son sont
        sur temps tout toujours très trop un une vers voir votre vous
    """,
    "italian": """
        a adesso ali allora altro anche ancora avere bene buono che chi ci come con cosa
        così da dare del della dopo dove e è essere fare forse fra già grazie ho il in io la
        le lo loro ma me mai meglio mi molto nel no noi non nuovo o ogni ora per perché più
        poco poi potere prima proprio qualche quando quello questo se sempre senza si solo
        sono stato su subito suo tempo tra tutto un una uno volta
    """,
    "portuguese": """
        a agora ainda algo alguem antes ao aqui assim bem bom cada coisa com como conta da
        dar de depois dia do dois e ela ele em entao entre era esta estar este eu fazer
        favor foi hoje isso isto ja la mais mas me menos meu mesmo muito nada nao no nos
        nunca o obrigado onde ou outro para pela pelo pode poder por porque quando que quem
        se sem ser seu sim sobre sua tambem tempo ter todo tudo um uma vez voce
    """,
    "russian": """
        и в не на я быть он с что а по это она этот к но они мы как из у который то за свой
        весь год от так о для ты же все тот мочь вы человек такой его сказать только или ещё
        бы себя один уже до время если сам когда другой вот говорить наш мой знать стать при
        чтобы дело жизнь кто первый очень два день её новый рука даже во со раз где там под
        можно ну какой после их работа без самый потом надо хотеть ли слово идти большой
        должен место иметь ничто деньги счёт кошелёк помощь вопрос сегодня завтра пожалуйста
        спасибо проблема перевод карта
    """,
    "turkish": """
        bir ve bu da de için ne ben sen o biz siz onlar var yok çok daha en gibi ile ama ki mi
        her şey kadar sonra önce şimdi bugün yarın lütfen teşekkür merhaba yardım para hesap
        kart cüzdan sorun neden nasıl nerede zaman gün iyi kötü büyük küçük yeni eski başka
        aynı bütün olmak yapmak etmek gelmek gitmek istemek bilmek görmek vermek almak demek
    """,
    "czech": """
        a ale ani asi bez bude by byl byt co dnes do dobre jak jako jen jeste jsem jsme
        jste ke kde kdy kdyz ktery ma mam mi mit moc muj na nad nebo neni nic od po pod
        pokud pro proc protoze prosim sem se si tady tak take tam ten to tu uz v ve vse za
        ze zase
    """,
}
EVERYDAY_SHARE = 0.5  # a run half made of everyday words is prose (a random phrase: ~0.1%)
SENTENCE_END = re.compile(r"[.?!。？！]")
_PROSE_GAP = re.compile(r"^[,.;:!?\"')\]]*[ \t\u00a0]+[\"'(\[]*$")  # "word, word" "word. Word"
_DIGITS = re.compile(r"\d+")


@lru_cache(maxsize=1)
def common_indices() -> dict[str, frozenset[int]]:
    """{language: indices of its everyday words that are in its BIP-39 list}."""
    import unicodedata

    from walletdesk.safety.wordlists import strip_accents

    table: dict[str, frozenset[int]] = {}
    for language, words in _COMMON.items():
        wordlist = [strip_accents(unicodedata.normalize("NFKD", w))
                    for w in Mnemonic(language).wordlist]
        position = {w: i for i, w in enumerate(wordlist)}
        table[language] = frozenset(
            position[key] for w in words.split()
            if (key := strip_accents(unicodedata.normalize("NFKD", w))) in position)
    return table


def reads_like_prose(language: str, indices: list[int], gaps: list[str]) -> bool:
    """``indices``: the run's words; ``gaps``: the text between them (len(indices) - 1)."""
    if len(indices) >= 4 and len(set(indices)) * 2 <= len(indices):
        return True  # "test test test test test": half of it repeats (a random phrase: never)
    numbered = sum(1 for gap in gaps if _DIGITS.search(gap))
    if 0 < numbered < len(gaps):
        # a number between some words and not others numbers items of several words ("(3)
        # select token (4) enter amount", "alert(1)</script> title"): a numbered phrase
        # numbers every word alike
        return True
    common = common_indices().get(language, frozenset())
    everyday = sum(1 for index in indices if index in common)
    spaced = sum(1 for gap in gaps if _PROSE_GAP.match(gap))
    if everyday >= EVERYDAY_SHARE * len(indices) and spaced >= 0.8 * len(gaps):
        return True  # (words one per line, or joined by "." or "-", are a list, not prose)
    counts = Counter(_DIGITS.sub("#", gap) for gap in gaps)
    if len(counts) > 1:
        # the usual separator is the most frequent; when several are as frequent, prose
        # only if it reads as prose whichever of them is the usual one (the same answer
        # in every process: a set's order would depend on the hash seed)
        most = max(counts.values())
        return all(any(SENTENCE_END.search(shape) for shape in counts if shape != usual)
                   for usual, count in counts.items() if count == most)
    return False
