"""`walletdesk bot eval DIR`: the bot's quality and speed on a labelled question set.

DIR/train.csv and DIR/test.csv have the header ``text,category``. Each train category becomes
one knowledge-base entry whose example questions are its rows (plus, when DIR/kb.jsonl holds
articles with a ``category``, a ``title`` and a ``body``, the titles and the body's
sentences, as the desk's own articles add theirs); test rows of category ``oos`` must be handed off.

``--leave-groups-out`` measures on train.csv alone, for knowledge bases without questions of
their own: each round holds out a fifth of the categories whole (their rows become off-topic
questions) and one random example of every other category with 3 or more (an in-scope
question), and builds the knowledge base from the rest.

``--extra-test FILE`` appends FILE's rows (header ``text`` and ``category`` or ``label``) to
the test questions: an independent off-topic set for a knowledge base whose own test set has
none (BANKING77), its rows labelled ``oos``.
"""

import csv
import json
import random
import resource
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import numpy as np

from walletdesk.bot.choices import choice
from walletdesk.bot.engine import BotEngine, KBEntry, passages_of
from walletdesk.kb.text import markdown_to_chat_text

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


def read_extra_rows(path: Path) -> list[tuple[str, str]]:
    """Extra test rows from a CSV whose label column is ``category`` or ``label``."""
    if not path.is_file():
        raise EvalDataError(f"{path} is missing")
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        fields = set(reader.fieldnames or ())
        column = "category" if "category" in fields else "label"
        if "text" not in fields or column not in fields:
            raise EvalDataError(f"{path}: the header must be text,category or text,label")
        return [(row["text"] or "", (row[column] or "").strip()) for row in reader]


def _strings(value: Any) -> list[str]:
    """A kb.jsonl field: one string, or strings by locale."""
    if isinstance(value, dict):
        return [v for v in value.values() if isinstance(v, str)]
    return [value] if isinstance(value, str) else []


def read_articles(path: Path) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """(titles, body passages) by category from a kb.jsonl ({"category", "title", "body"} a
    line), if there is one."""
    titles: dict[str, list[str]] = defaultdict(list)
    passages: dict[str, list[str]] = defaultdict(list)
    if not path.is_file():
        return titles, passages
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                article = json.loads(line)
            except json.JSONDecodeError as exc:
                raise EvalDataError(f"{path}:{number}: not JSON ({exc.msg})") from exc
            if not isinstance(article, dict):
                raise EvalDataError(f"{path}:{number}: not an article object")
            category = str(article.get("category", ""))
            titles[category] += _strings(article.get("title"))
            for body in _strings(article.get("body")):
                passages[category] += passages_of(markdown_to_chat_text(body))
    return titles, passages


def leave_groups_out(train: list[tuple[str, str]], seed: int,
                     share: float = 0.2) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(knowledge-base rows, question rows): a share of categories held out whole as ``oos``,
    one example of each other category with 3+ examples held out as an in-scope question."""
    rng = random.Random(seed)
    by_category: dict[str, list[str]] = defaultdict(list)
    for text, category in train:
        if category and category != OOS_LABEL:
            by_category[category].append(text)
    categories = sorted(by_category)
    rng.shuffle(categories)
    held_out = set(categories[:max(1, round(len(categories) * share))])
    kept: list[tuple[str, str]] = []
    questions: list[tuple[str, str]] = []
    for category in sorted(by_category):
        texts = list(by_category[category])
        if category in held_out:
            questions += [(t, OOS_LABEL) for t in texts]
            continue
        if len(texts) >= 3:
            questions.append((texts.pop(rng.randrange(len(texts))), category))
        kept += [(t, category) for t in texts]
    return kept, questions


def evaluate(directory: Path, progress: Any = None, rounds: int = 0,
             extra_test: Path | None = None) -> dict[str, Any]:
    """The figures on DIR's test.csv (plus ``extra_test``'s rows), or (rounds > 0)
    leave-groups-out over its train.csv."""
    train = read_rows(directory / "train.csv")
    if not train:
        raise EvalDataError("train.csv has no rows")
    titles, passages = read_articles(directory / "kb.jsonl")
    if rounds <= 0:
        extra = read_extra_rows(extra_test) if extra_test is not None else []
        return score(train, read_rows(directory / "test.csv") + extra, titles, passages,
                     progress)
    results = [score(*leave_groups_out(train, seed), titles, passages, progress)
               for seed in range(rounds)]
    pooled: dict[str, Any] = {"rounds": rounds}
    for key, value in results[0].items():
        values = [r[key] for r in results if r[key] is not None]
        if key in ("n", "entries"):
            pooled[key] = sum(values)
        elif isinstance(value, dict):
            pooled[key] = dict(sum((Counter(r[key]) for r in results), Counter()))
        else:
            pooled[key] = round(float(np.mean(values)), 4) if values else None
    return pooled


def entries_of(train: list[tuple[str, str]], titles: dict[str, list[str]],
               passages: dict[str, list[str]]) -> list[KBEntry]:
    """One knowledge-base entry per train category: its rows, its titles, its passages."""
    examples: dict[str, list[str]] = defaultdict(list)
    for text, category in train:
        if category and category != OOS_LABEL:
            examples[category].append(text)
    return [KBEntry(id=c, category=c, texts_by_locale={"any": texts + titles.get(c, [])},
                    passages=passages.get(c, [])) for c, texts in examples.items()]


def score(train: list[tuple[str, str]], test: list[tuple[str, str]],
          titles: dict[str, list[str]], passages: dict[str, list[str]],
          progress: Any = None) -> dict[str, Any]:
    entries = entries_of(train, titles, passages)
    started = time.perf_counter()
    engine = BotEngine.build(entries)
    index_s = time.perf_counter() - started

    latencies: list[float] = []
    in_scope = top1 = answered_right = handed_off = answered_wrong = 0
    # "Do you mean A or B?" (walletdesk.bot.choices): questions, right among them, buttons
    choice_offered = choice_right = options_offered = 0
    oos = oos_handed_off = 0
    outcomes: Counter[str] = Counter()
    for text, category in test:
        began = time.perf_counter()
        result = engine.match(text)
        latencies.append((time.perf_counter() - began) * 1000)
        best = result.candidates[0][0] if result.candidates else None
        # as the chat meets it: a choice of one is none (walletdesk.bot.choices.choice)
        decision, reason, options = choice(result.decision, result.reason, result.candidates)
        kind = "oos" if category == OOS_LABEL else "in_scope"
        outcomes[f"{kind}:{decision}{':' + reason if reason else ''}"] += 1
        if category == OOS_LABEL:
            oos += 1
            oos_handed_off += decision == "handoff"
            continue
        in_scope += 1
        top1 += best == category
        if decision == "handoff":
            handed_off += 1
        elif decision == "answer":
            answered_right += best == category
            answered_wrong += best != category
        elif decision == "suggest":
            choice_offered += 1
            choice_right += category in options
            options_offered += len(options)
        if progress is not None:
            progress()
    return {
        "n": len(test),
        "top1_accuracy": round(top1 / in_scope, 4) if in_scope else None,
        "answer_accuracy": round(answered_right / in_scope, 4) if in_scope else None,
        "false_handoff_rate": round(handed_off / in_scope, 4) if in_scope else None,
        "wrong_answer_rate": round(answered_wrong / in_scope, 4) if in_scope else None,
        "oos_recall": round(oos_handed_off / oos, 4) if oos else None,
        # answered right, plus offered a choice that holds the right article (a customer
        # who picks it): docs/bot.md, "Do you mean A or B?"
        "resolved_with_choice": round((answered_right + choice_right) / in_scope, 4)
        if in_scope else None,
        "choice_offered_rate": round(choice_offered / in_scope, 4) if in_scope else None,
        "options_per_choice": round(options_offered / choice_offered, 2)
        if choice_offered else None,
        "p50_ms": round(float(np.percentile(latencies, 50)), 2) if latencies else None,
        "p95_ms": round(float(np.percentile(latencies, 95)), 2) if latencies else None,
        "index_s": round(index_s, 2),
        "entries": len(entries),
        "outcomes": dict(sorted(outcomes.items())),
        # the process's peak resident memory so far (Linux reports kilobytes): build + queries
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }
