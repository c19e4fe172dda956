"""Detection of secrets in the shapes customers paste them, and false redactions on ordinary
support text: `python benchmarks/protect_shapes.py [--per-cell N] [--json]`.

Shapes come from walletdesk.safety.shapes (every family × every BIP-39 language, and the key
families); each shape's messages go through the protect step as the message path runs it
(every message read after the customer's previous two). A shape is detected when nothing of
its secret is left in the stored messages. False redactions: the BANKING77 and wallet_faq
texts from ../shared/data, each alone and read after the text before it. Prints figures and
one JSON object on its last line.
"""

import argparse
import json
import statistics
import time
from collections import defaultdict

from walletdesk.safety.across import protect_with_previous
from walletdesk.safety.protect import protect_text, warm_up
from walletdesk.safety.shapes import leaked, shapes, store_messages
from walletdesk.shared_data import support_texts


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--per-cell", type=int, default=20)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    warm_up()

    cells: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    misses: list[str] = []
    for shape in shapes(args.seed, args.per_cell):
        found = not leaked(shape, store_messages(shape.messages))
        cell = cells[(shape.family, shape.language)]
        cell[0] += found
        cell[1] += 1
        if not found and len(misses) < 15:
            misses.append(f"{shape.family}/{shape.language}: {shape.messages!r}"[:300])
    by_family: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    by_language: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for (family, language), (hit, total) in cells.items():
        for table, key in ((by_family, family), (by_language, language)):
            table[key][0] += hit
            table[key][1] += total
    hits = sum(h for h, _ in cells.values())
    total = sum(t for _, t in cells.values())

    texts = support_texts()
    flagged_alone = [t for t in texts if protect_text(t).findings]
    flagged_after = [texts[i] for i in range(2, len(texts))
                     if protect_with_previous(texts[i - 2:i], texts[i]).earlier]
    timings: list[float] = []
    for text in texts:
        began = time.perf_counter_ns()
        protect_text(text)
        timings.append((time.perf_counter_ns() - began) / 1000)
    across_timings: list[float] = []
    for i in range(2, len(texts)):
        began = time.perf_counter_ns()
        protect_with_previous(texts[i - 2:i], texts[i])
        across_timings.append((time.perf_counter_ns() - began) / 1000)
    timings.sort()
    across_timings.sort()
    result = {
        "shapes": total,
        "detected": round(hits / total, 4),
        "by_family": {k: round(h / t, 4) for k, (h, t) in sorted(by_family.items())},
        "by_language": {k: round(h / t, 4) for k, (h, t) in sorted(by_language.items())},
        "support_texts": len(texts),
        "false_redactions": len(flagged_alone),
        "false_redaction_rate": round(len(flagged_alone) / len(texts), 5),
        "false_earlier_redactions": len(flagged_after),
        "us_per_msg_mean": round(statistics.fmean(timings), 1),
        "us_per_msg_p50": round(timings[len(timings) // 2], 1),
        "us_per_msg_p99": round(timings[int(0.99 * len(timings))], 1),
        "us_per_msg_with_previous_p50": round(across_timings[len(across_timings) // 2], 1),
        "us_per_msg_with_previous_mean": round(statistics.fmean(across_timings), 1),
    }
    if not args.json:
        print(f"detected {hits}/{total} shapes ({hits / total:.2%})")
        for family, rate in result["by_family"].items():
            print(f"  {family:16} {rate:.2%}")
        for language, rate in result["by_language"].items():
            print(f"  {language:20} {rate:.2%}")
        print(f"false redactions: {len(flagged_alone)} of {len(texts)} support texts alone, "
              f"{len(flagged_after)} read after the two before them")
        for text in flagged_alone[:5]:
            print("   ", text[:160])
        for miss in misses:
            print("  missed:", miss)
        print(f"protect: p50 {result['us_per_msg_p50']} µs, mean {result['us_per_msg_mean']} µs,"
              f" p99 {result['us_per_msg_p99']} µs a message")
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
