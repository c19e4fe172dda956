"""Fit the bot's decision prior on customers' questions to other operators' knowledge bases.

    python benchmarks/fit_decision_prior.py [SET_DIR ...] [--write] [--loso]

Small knowledge bases (a new operator's few clean examples an article) decide whether to
answer, offer the top articles or hand off with walletdesk/bot/decision_prior.json: the same
small model as walletdesk.bot.decision, fitted on the decision features of real-looking
customer questions (each set's test.csv) to the knowledge bases built from each set's
train.csv and kb.jsonl. The thresholds are chosen on the same rows: the most answered right
plus off-topic handed off, averaged over the sets, with wrong answers above 5 % and false
hand-offs above 8 % of a set's in-scope questions penalised.

The sets used must not be the ones the bot is judged on: the default is the three sets the
bot was tuned on (novavault, pluma_wallet, keystone_hub); tidepool_hk, ridgeline_defi and
lotus_pay_large stay unseen (docs/decisions/0038-a-decision-learnt-across-knowledge-bases.md).
Prints a JSON summary on its last line; --write replaces the shipped prior. --loso adds
leave-one-set-out figures: the prior and its thresholds fitted on the other sets, judged on
each (the transfer a new knowledge base asks of it; every question judged by the prior, also
those in a language the articles lack, which the engine judges by its own decision).

PRIOR_C is the model's regularisation: C = 0.05 was better leave-one-set-out on the
development sets but not on the unseen ones, so the shipped prior keeps C = 1 (decision 0050).
"""

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT.parent))

from walletdesk.bot import decision as decision_module  # noqa: E402
from walletdesk.bot.decision import OFF, RIGHT, WRONG, Decision, top_is_off  # noqa: E402
from walletdesk.bot.engine import BotEngine, screened  # noqa: E402
from walletdesk.bot.evaluate import (  # noqa: E402
    OOS_LABEL,
    entries_of,
    read_articles,
    read_rows,
)

DEFAULT_SETS = [ROOT / "bot_sets" / name for name in ("novavault", "pluma_wallet", "keystone_hub")]
WRONG_LIMIT = 0.03  # below the goal of 5 %: a new knowledge base answers less surely than these
FALSE_HANDOFF_LIMIT = 0.06
PENALTY = 20  # a point over a limit costs 20 points of answered right or off-topic recall
SUGGEST_AT = 0.15  # as walletdesk.bot.engine
# The logistic regression's C (decision 0050): leave-one-set-out on the development sets, C = 1
# answered right 0.706 / wrong 0.039 / false hand-off 0.057 / off-topic recall 0.628 (mean of
# the three), C = 0.05 0.727 / 0.038 / 0.060 / 0.638; on the unseen sets C = 0.05 was not
# better (ridgeline_defi false hand-offs 0.078 -> 0.101), so the shipped prior keeps C = 1.
PRIOR_C = 1.0
# Refitted on the features as they are after decision 0061 (3 December 2026, /tmp script that
# scored the decision's features of every set's test questions): the shipped prior, fitted before
# it, answered right 0.613 on the four unseen sets' mean (wrong 0.055, false hand-off 0.062,
# off-topic recall 0.628); refitted on the three development sets 0.597 (0.050 / 0.068 / 0.656);
# refitted with orbit_superapp as a fourth 0.590 (0.047 / 0.045 / 0.562). Not written.


def rows_of(directory: Path) -> tuple[np.ndarray, np.ndarray]:
    """(decision features, outcome) of each test question of a set."""
    titles, passages = read_articles(directory / "kb.jsonl")
    entries = entries_of(read_rows(directory / "train.csv"), titles, passages)
    decision_module.prior.cache_clear()
    engine = BotEngine.build(entries)
    xs, outcomes = [], []
    for text, category in read_rows(directory / "test.csv"):
        language, normalised, early = screened(text)
        if early is not None:
            continue
        probabilities, lexical, dense = engine.scores([normalised], [language])
        x, top = decision_module.features(probabilities, engine.oos, engine.neighbours, dense,
                                          lexical, engine.signs([normalised]))
        xs.append(x[0])
        outcomes.append(OFF if category == OOS_LABEL
                        else RIGHT if engine.classes[int(top[0])] == category else WRONG)
    return np.array(xs), np.array(outcomes)


def figures(decision: Decision, x: np.ndarray, outcome: np.ndarray, answer_at: float,
            off_at: float) -> dict[str, float]:
    chances = decision.chances(x)
    right, off = chances[:, RIGHT], chances[:, OFF]
    handoff = (off >= off_at) | top_is_off(x) | ((right < answer_at) & (right < SUGGEST_AT))
    answer = (right >= answer_at) & ~handoff
    in_scope = outcome != OFF
    n = max(int(in_scope.sum()), 1)
    return {"answered_right": float((answer & (outcome == RIGHT)).sum() / n),
            "wrong": float((answer & (outcome == WRONG)).sum() / n),
            "false_handoff": float((handoff & in_scope).sum() / n),
            "oos_recall": float((handoff & ~in_scope).sum() / max(int((~in_scope).sum()), 1))}


def thresholds(decision: Decision, sets: list[tuple[np.ndarray, np.ndarray]]
               ) -> tuple[float, float]:
    best: tuple[float, float, float] | None = None
    for answer_at in np.arange(0.30, 0.90, 0.025):
        for off_at in np.arange(0.20, 0.90, 0.025):
            score = 0.0
            for x, outcome in sets:
                f = figures(decision, x, outcome, answer_at, off_at)
                score += (f["answered_right"] + f["oos_recall"]
                          - PENALTY * max(0.0, f["wrong"] - WRONG_LIMIT)
                          - PENALTY * max(0.0, f["false_handoff"] - FALSE_HANDOFF_LIMIT))
            if best is None or score > best[0]:
                best = (score, float(answer_at), float(off_at))
    assert best is not None
    return round(best[1], 3), round(best[2], 3)


def fitted(sets: list[tuple[np.ndarray, np.ndarray]]) -> Decision:
    """The prior fitted on these sets' rows, with thresholds chosen on them."""
    decision = Decision(c=PRIOR_C).fit(np.vstack([x for x, _ in sets]),
                                       np.concatenate([outcome for _, outcome in sets]))
    decision.answer_at, decision.off_at = thresholds(decision, sets)
    return decision


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sets", nargs="*", type=Path, default=DEFAULT_SETS)
    parser.add_argument("--write", action="store_true", help="replace the shipped prior")
    parser.add_argument("--loso", action="store_true",
                        help="also leave-one-set-out figures (fit on the others, judge each)")
    args = parser.parse_args()
    for directory in args.sets:
        if not (directory / "train.csv").is_file() or not (directory / "test.csv").is_file():
            parser.error(f"{directory}: needs train.csv and test.csv")
    sets = [rows_of(directory) for directory in args.sets]
    decision = fitted(sets)
    summary: dict[str, object] = {
        "sets": [d.name for d in args.sets], "rows": int(sum(len(x) for x, _ in sets)),
        "c": PRIOR_C, "answer_at": decision.answer_at, "off_at": decision.off_at,
        "fitted_on": {d.name: {k: round(v, 3) for k, v in figures(
            decision, x, outcome, decision.answer_at, decision.off_at).items()}
            for d, (x, outcome) in zip(args.sets, sets, strict=True)}}
    if args.loso and len(sets) > 1:
        held_out = {}
        for i, (d, (x, outcome)) in enumerate(zip(args.sets, sets, strict=True)):
            other = fitted(sets[:i] + sets[i + 1:])
            held_out[d.name] = {k: round(v, 3) for k, v in figures(
                other, x, outcome, other.answer_at, other.off_at).items()}
        summary["leave_one_set_out"] = held_out
    if args.write:
        data = {"about": "walletdesk.bot.decision prior; written by "
                         "benchmarks/fit_decision_prior.py", **summary, **decision.to_json()}
        decision_module.PRIOR_PATH.write_text(json.dumps(data, indent=1) + "\n",
                                              encoding="utf-8")
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
