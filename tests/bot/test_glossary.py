"""The wallet glossary's concept tokens and the Cantonese folding, in the matcher's words."""

from walletdesk.bot.glossary import GLOSSARY, concept_rows, concepts, fold_cantonese
from walletdesk.bot.text import normalise, tokens


def test_one_notion_in_every_language_gives_one_concept_token():
    for text in ("我忘了助记词", "注記詞不見了", "I lost my recovery phrase", "perdi mi frase semilla"):
        assert "§seed" in tokens(normalise(text)), text
    assert set(concepts(normalise("USDT-TRC20 提币一直没到账"))) >= {
        "§usdt", "§trc20", "§withdraw", "§not_arrived"}
    assert "§bridge" in concepts(normalise("how do I bridge to arbitrum"))


def test_other_words_match_whole_words_only():
    assert "§gas" not in concepts("vegas trip")  # "gas" inside a word is not gas
    assert "§gas" in concepts("gas fee too high")
    assert concepts("tell me a joke") == []


def test_cantonese_is_read_as_mandarin():
    assert normalise("我條幣轉咗過嚟點解仲未到") == "我条币转了过来为什么还没到"
    assert fold_cantonese("冇收到") == "没有收到"
    # 係 is folded before Traditional → Simplified, so the Simplified 系 of 系统 stays
    assert normalise("系统係唔係壞咗") == "系统是不是坏了"


def test_english_words_glued_to_chinese_are_still_words():
    assert "§pending" in concepts(normalise("P2P單子一直pending"))
    assert {"§withdraw", "§pending"} <= set(concepts(normalise("提现pending好久")))
    assert "§pending" not in concepts(normalise("impending doom"))


def test_the_account_notions_meet_across_languages():
    for text in ("I want to close my account", "点样注销账户", "唔想用啦 點閂戶", "quiero cerrar mi cuenta"):
        assert "§close_account" in concepts(normalise(text)), text
    for text in ("my account is frozen", "账户被冻结了", "me bloquearon la cuenta"):
        assert "§frozen" in concepts(normalise(text)), text


def test_concept_rows_have_one_column_per_notion():
    rows = concept_rows([normalise("我要注销账户"), normalise("hello there")])
    assert rows.shape == (2, len(GLOSSARY))
    named = [notion for notion, column in zip(GLOSSARY, rows[0].toarray()[0], strict=True) if column]
    assert named == ["close_account"]
    assert rows[1].nnz == 0
