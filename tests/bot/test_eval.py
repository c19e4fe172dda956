"""The bot's quality on wallet questions it has never seen (a regression guard), and
`walletdesk bot eval` on bad input."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from walletdesk.bot.evaluate import EvalDataError, evaluate, read_extra_rows
from walletdesk.shared_data import shared_data_dir

SHARED_TRAIN = shared_data_dir() / "wallet_faq" / "train.csv"
OUR_TEST = Path(__file__).parent / "data" / "wallet_faq_test.csv"


def test_wallet_faq_questions_written_for_this_test(tmp_path):
    assert SHARED_TRAIN.is_file(), f"shared data missing: {SHARED_TRAIN}"
    shutil.copy(SHARED_TRAIN, tmp_path / "train.csv")
    shutil.copy(OUR_TEST, tmp_path / "test.csv")
    result = evaluate(tmp_path)
    assert result["n"] >= 170
    # measured 0.964 / 0.036 / 0.895 (docs/bot.md, issue 12); margins for machine noise only
    assert result["top1_accuracy"] >= 0.92
    assert result["false_handoff_rate"] <= 0.10
    assert result["oos_recall"] >= 0.85
    # latency is printed by `walletdesk bot eval`, never asserted (a loaded machine fails it)
    assert result["p95_ms"] > 0


def test_spanish_questions_over_an_english_and_chinese_knowledge_base(tmp_path):
    """34 Spanish questions written for this test (no Spanish in the knowledge base) and
    6 out-of-scope ones: the multilingual embeddings carry them across languages, and the
    off-topic class, trained in the knowledge base's languages only, does not take them."""
    shutil.copy(SHARED_TRAIN, tmp_path / "train.csv")
    shutil.copy(OUR_TEST.with_name("wallet_faq_es_test.csv"), tmp_path / "test.csv")
    result = evaluate(tmp_path)
    assert result["n"] == 40
    # measured 0.912 / 0.059 / 0.029 / 1.0 (docs/bot.md, issue 12); margins for noise only
    assert result["top1_accuracy"] >= 0.85
    assert result["false_handoff_rate"] <= 0.10
    assert result["wrong_answer_rate"] <= 0.05
    assert result["oos_recall"] >= 0.80


def run_eval(directory: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "walletdesk.cli", "bot", "eval", str(directory),
                           "--json"], capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin", "COLUMNS": "200"})


def test_eval_refuses_missing_or_malformed_files(tmp_path):
    missing = run_eval(tmp_path)
    assert missing.returncode == 2 and "train.csv is missing" in missing.stdout
    (tmp_path / "train.csv").write_text("question,label\nhi,x\n", encoding="utf-8")
    (tmp_path / "test.csv").write_text("text,category\nhi,x\n", encoding="utf-8")
    header = run_eval(tmp_path)
    assert header.returncode == 2 and "header must be text,category" in header.stdout
    with pytest.raises(EvalDataError, match="text,category or text,label"):
        read_extra_rows(tmp_path / "train.csv")


def test_single_entry_knowledge_base_and_odd_rows(tmp_path):
    (tmp_path / "train.csv").write_text("text,category\nhow do I reset my password,reset\n"
                                        ",empty\n", encoding="utf-8")
    (tmp_path / "test.csv").write_text("text,category\nreset password please,reset\n"
                                       "😀😀😀,oos\n" + "x" * 10000 + ",oos\n",
                                       encoding="utf-8")
    extra = tmp_path / "offtopic.csv"  # an independent off-topic set: text,label
    extra.write_text("text,label\nwhat is the weather tomorrow,oos\n", encoding="utf-8")
    result = evaluate(tmp_path, extra_test=extra)
    assert result["n"] == 4 and result["oos_recall"] is not None
    assert result["peak_rss_mb"] > 100  # the process's peak, models loaded
