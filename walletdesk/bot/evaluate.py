"""`walletdesk bot eval DIR`: the bot's quality and speed on a labelled question set.

DIR/train.csv and DIR/test.csv have the header ``text,category``. Each train category becomes
one knowledge-base entry whose example questions are its rows; test rows of category ``oos``
must be handed off.
"""

import csv
import resource
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

from walletdesk.bot.engine import BotEngine, KBEntry

OOS_LABEL = "oos"


class EvalDataError(ValueError):
    pass


def read_rows(path: Path) -> list[tuple[str, str]]:
    if not path.is_file():
        raise EvalDataError(f"{path} is missing")
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames is None or not {"text", "category"} <= set(reader.fieldnames):
            raise EvalDataError(f"{path}: the header must be text,category")
        return [(row["text"] or "", (row["category"] or "").strip()) for row in reader]


def evaluate(directory: Path, progress: Any = None) -> dict[str, Any]:
    train = read_rows(directory / "train.csv")
    test = read_rows(directory / "test.csv")
    if not train:
        raise EvalDataError("train.csv has no rows")
    examples: dict[str, list[str]] = defaultdict(list)
    for text, category in train:
        if category and category != OOS_LABEL:
            examples[category].append(text)
    entries = [KBEntry(id=c, category=c, texts_by_locale={"any": texts})
               for c, texts in examples.items()]
    started = time.perf_counter()
    engine = BotEngine.build(entries)
    index_s = time.perf_counter() - started

    latencies: list[float] = []
    in_scope = top1 = answered_right = handed_off = answered_wrong = 0
    oos = oos_handed_off = 0
    for text, category in test:
        began = time.perf_counter()
        result = engine.match(text)
        latencies.append((time.perf_counter() - began) * 1000)
        best = result.candidates[0][0] if result.candidates else None
        if category == OOS_LABEL:
            oos += 1
            oos_handed_off += result.decision == "handoff"
            continue
        in_scope += 1
        top1 += best == category
        if result.decision == "handoff":
            handed_off += 1
        elif result.decision == "answer":
            answered_right += best == category
            answered_wrong += best != category
        if progress is not None:
            progress()
    return {
        "n": len(test),
        "top1_accuracy": round(top1 / in_scope, 4) if in_scope else None,
        "answer_accuracy": round(answered_right / in_scope, 4) if in_scope else None,
        "false_handoff_rate": round(handed_off / in_scope, 4) if in_scope else None,
        "wrong_answer_rate": round(answered_wrong / in_scope, 4) if in_scope else None,
        "oos_recall": round(oos_handed_off / oos, 4) if oos else None,
        "p50_ms": round(float(np.percentile(latencies, 50)), 2) if latencies else None,
        "p95_ms": round(float(np.percentile(latencies, 95)), 2) if latencies else None,
        "index_s": round(index_s, 2),
        "entries": len(entries),
        # the process's peak resident memory so far (Linux reports kilobytes): build + queries
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }
