"""Secret-detection throughput on one core: `python benchmarks/protect.py [--json]`.

Messages: the BANKING77 and wallet_faq texts from ../shared/data, plus one in fifty carrying
a recovery phrase or a key. Prints one JSON object on its last line.
"""

import json
import random
import statistics
import sys
import time

from mnemonic import Mnemonic

from walletdesk.safety.protect import protect_text
from walletdesk.shared_data import support_texts


def messages() -> list[str]:
    texts = support_texts(kb_fields=("answer",))
    rng = random.Random(7)
    languages = Mnemonic.list_languages()
    for index in range(0, len(texts), 50):
        language = languages[index % len(languages)]
        texts[index] = "my words: " + Mnemonic(language).generate(128) + " help"
    rng.shuffle(texts)
    return texts


def main() -> None:
    texts = messages()
    protect_text("warm up the wordlists: abandon ability able about above absent absorb abstract "
                 "absurd abuse accesss accident 我的助记词是的一是在不了有和人这中大为上个国我以要他时来用们")
    per_message: list[float] = []
    started = time.perf_counter()
    for text in texts:
        began = time.perf_counter_ns()
        protect_text(text)
        per_message.append((time.perf_counter_ns() - began) / 1000)
    elapsed = time.perf_counter() - started
    per_message.sort()
    result = {
        "n": len(texts),
        "msgs_per_s": round(len(texts) / elapsed),
        "us_per_msg_p50": round(statistics.median(per_message), 1),
        "us_per_msg_p99": round(per_message[int(0.99 * len(per_message))], 1),
    }
    if "--json" not in sys.argv:
        print(f"{result['msgs_per_s']:,} messages/s on one core ({result['n']} messages)")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
