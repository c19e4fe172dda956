"""The numpy MiniLM encoder against the reference implementation, and the bot's classifier
against scikit-learn's logistic regression on the same objective."""

import json
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression

from walletdesk.bot.engine import MINILM_WEIGHT, USE_WEIGHT, embed
from walletdesk.bot.minilm import minilm, read_safetensors
from walletdesk.bot.softmax import SoftmaxRegression

REFERENCE = json.loads((Path(__file__).parent / "data" / "minilm_reference.json").read_text())


def test_minilm_matches_sentence_transformers():
    """Vectors saved from sentence-transformers + PyTorch (see the file's "model" field)."""
    ours = minilm().encode(REFERENCE["texts"])
    reference = np.array(REFERENCE["embeddings"], dtype=np.float32)
    assert ours.shape == reference.shape == (4, 384)
    np.testing.assert_allclose(ours, reference, atol=2e-5)


def test_minilm_keeps_order_across_lengths_and_batches():
    texts = ["short", "a much longer question about a transfer that has not arrived yet " * 3] * 40
    texts.append("the last one")
    together = minilm().encode(texts)
    alone = np.vstack([minilm().encode([t]) for t in (texts[0], texts[1], texts[-1])])
    np.testing.assert_allclose(together[[0, 1, -1]], alone, atol=1e-5)
    assert np.allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-5)


def test_minilm_bad_input():
    assert minilm().encode([]).shape == (0, 384)
    odd = minilm().encode(["", "🙂🙂", "x" * 20_000, "\x00\x01\ufffd"])  # truncated, never fails
    assert odd.shape == (4, 384) and np.isfinite(odd).all()


def test_safetensors_reader_refuses_a_truncated_file(tmp_path):
    broken = tmp_path / "model.safetensors"
    broken.write_bytes((10_000).to_bytes(8, "little") + b'{"a": ')
    with pytest.raises(ValueError):
        read_safetensors(broken)


def test_other_languages_are_left_to_the_multilingual_block():
    vectors = embed(["我的转账一直没到账", "mi transferencia todavía no ha llegado",
                     "my transfer has not arrived"])
    use_part, english_part = vectors[:, :512], vectors[:, 512:]
    assert not english_part[:2].any()  # MiniLM is English only: its block stays empty
    assert np.linalg.norm(english_part[2]) == pytest.approx(MINILM_WEIGHT, rel=1e-4)
    assert np.linalg.norm(use_part[:2], axis=1) == pytest.approx(
        [USE_WEIGHT + MINILM_WEIGHT] * 2, rel=1e-4)
    assert np.linalg.norm(use_part[2]) == pytest.approx(USE_WEIGHT, rel=1e-4)


def test_softmax_regression_matches_scikit_learn():
    rng = np.random.default_rng(0)
    n, classes = 300, 4
    labels = rng.integers(0, classes, n)
    sparse = sp.random(n, 50, density=0.1, random_state=1, format="csr")
    dense = (rng.normal(size=(n, 8)) + labels[:, None] * 0.5).astype(np.float32)
    ours = SoftmaxRegression(C=2.0, max_iter=500, tol=1e-8).fit((sparse, dense), labels)
    theirs = LogisticRegression(C=2.0, max_iter=2000, tol=1e-8).fit(
        sp.hstack([sparse, sp.csr_matrix(dense)]).tocsr(), labels)
    ours_p = ours.predict_proba((sparse, dense))
    theirs_p = theirs.predict_proba(sp.hstack([sparse, sp.csr_matrix(dense)]).tocsr())
    np.testing.assert_allclose(ours_p, theirs_p, atol=2e-3)
    assert list(ours.classes_) == list(theirs.classes_)
    assert (ours_p.argmax(1) == labels).mean() > 0.5  # it learnt something


def test_softmax_sample_weights_match_scikit_learn():
    rng = np.random.default_rng(3)
    n = 300
    labels = rng.integers(0, 3, n)
    sparse = sp.random(n, 40, density=0.1, random_state=2, format="csr")
    dense = (rng.normal(size=(n, 6)) + labels[:, None] * 0.5).astype(np.float32)
    weights = np.where(labels == 0, 0.2, 1.0)  # as the engine weighs its off-topic examples
    ours = SoftmaxRegression(C=2.0, max_iter=500, tol=1e-8).fit((sparse, dense), labels,
                                                                 sample_weight=weights)
    stacked = sp.hstack([sparse, sp.csr_matrix(dense)]).tocsr()
    theirs = LogisticRegression(C=2.0, max_iter=2000, tol=1e-8).fit(stacked, labels,
                                                                    sample_weight=weights)
    np.testing.assert_allclose(ours.predict_proba((sparse, dense)),
                               theirs.predict_proba(stacked), atol=2e-3)
