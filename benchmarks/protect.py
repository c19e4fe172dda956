"""Secret-detection throughput on one core: `python benchmarks/protect.py [--json]`.

Messages: the BANKING77 and wallet_faq texts from ../shared/data, plus one in fifty carrying
a recovery phrase or a key. Prints one JSON object on its last line.

Also the CPU of the chat path on longer prose (``chat_*``): messages of 250 characters or
more glued from the same texts, none used twice (English: BANKING77 texts; Chinese:
wallet_faq sentences, also without the final 。 that lets a message be glued to the one
before it), each read after the two before it (``protect_with_previous``, as the chat path
reads a customer's message); thread CPU time a message, median and mean.
"""

import json
import random
import re
import statistics
import sys
import time

from mnemonic import Mnemonic

from walletdesk.safety.across import protect_with_previous
from walletdesk.safety.protect import protect_text
from walletdesk.shared_data import support_texts

CHAT_CHARS = 250


def messages() -> list[str]:
    texts = support_texts(kb_fields=("answer",))
    rng = random.Random(7)
    languages = Mnemonic.list_languages()
    for index in range(0, len(texts), 50):
        language = languages[index % len(languages)]
        texts[index] = "my words: " + Mnemonic(language).generate(128) + " help"
    rng.shuffle(texts)
    return texts


def chat_messages() -> dict[str, list[str]]:
    """Longer messages of ordinary prose, each support text (Chinese: sentence) used once."""
    texts = support_texts()
    rng = random.Random(14)
    english = sorted({t for t in texts if t.isascii()})
    chinese = sorted({sentence.strip() for t in texts if re.search(r"[\u4e00-\u9fff]", t)
                      for sentence in re.split(r"(?<=[。！？])", t) if sentence.strip()})
    out: dict[str, list[str]] = {}
    for name, pool, joiner in (("en", english, " "), ("zh", chinese, "")):
        rng.shuffle(pool)
        messages, current = [], ""
        for piece in pool:
            current = f"{current}{joiner}{piece}" if current else piece
            if len(current) >= CHAT_CHARS:
                messages.append(current)
                current = ""
        out[name] = messages[:400]
    out["zh_unended"] = [m.rstrip("。！？") for m in out["zh"]]
    return out


def chat_cpu(messages: list[str]) -> list[float]:
    per_message = []
    for index, text in enumerate(messages):
        began = time.thread_time_ns()
        protect_with_previous(messages[max(0, index - 2):index], text)
        per_message.append((time.thread_time_ns() - began) / 1000)
    return per_message


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
    for name, chat in chat_messages().items():
        per_chat = chat_cpu(chat)
        result[f"chat_{name}_n"] = len(chat)
        result[f"chat_{name}_chars_p50"] = round(statistics.median(map(len, chat)))
        result[f"chat_{name}_cpu_us_p50"] = round(statistics.median(per_chat), 1)
        result[f"chat_{name}_cpu_us_mean"] = round(statistics.fmean(per_chat), 1)
    if "--json" not in sys.argv:
        print(f"{result['msgs_per_s']:,} messages/s on one core ({result['n']} messages)")
        for name in ("en", "zh", "zh_unended"):
            print(f"chat path, {name} ({result[f'chat_{name}_n']} messages of "
                  f"{result[f'chat_{name}_chars_p50']} characters): "
                  f"{result[f'chat_{name}_cpu_us_p50']} µs CPU a message (median), "
                  f"{result[f'chat_{name}_cpu_us_mean']} µs (mean)")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
