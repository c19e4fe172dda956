"""Recall and false positives of the "support contacted me" reading on the blind sets.

    python benchmarks/contact_claims.py [--misses]

Reads benchmarks/contact_sets/set*.csv (text,label,language; README.md there says who wrote
them and which figures are blind). Prints a line per set and language, the misses and false
positives with --misses, and a JSON summary on its last line.
"""

import argparse
import csv
import json
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT.parent))

from walletdesk.safety.contact_claims import support_reached_out  # noqa: E402

SETS = ROOT / "contact_sets"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--misses", action="store_true", help="list what was read wrong")
    args = parser.parse_args()
    summary: dict[str, dict[str, float | int]] = {}
    for path in sorted(SETS.glob("set*.csv")):
        counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])  # tp, pos, fp, neg
        wrong: list[str] = []
        for row in csv.DictReader(path.open(encoding="utf-8")):
            if row["label"] not in ("positive", "negative"):
                continue
            told = support_reached_out(row["text"])
            for key in (row["language"], "all"):
                entry = counts[key]
                if row["label"] == "positive":
                    entry[0] += told
                    entry[1] += 1
                else:
                    entry[2] += told
                    entry[3] += 1
            if told != (row["label"] == "positive"):
                wrong.append(f"  [{row['label']}] {row['text']}")
        for language, (tp, pos, fp, neg) in sorted(counts.items()):
            print(f"{path.stem} {language:12} recall {tp}/{pos} = {tp / max(pos, 1):.3f}   "
                  f"false positives {fp}/{neg} = {fp / max(neg, 1):.3f}")
        if args.misses:
            print("\n".join(wrong))
        tp, pos, fp, neg = counts["all"]
        summary[path.stem] = {"recall": round(tp / max(pos, 1), 3),
                              "false_positive_rate": round(fp / max(neg, 1), 3),
                              "tellings": pos, "others": neg}
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
