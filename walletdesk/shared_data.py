"""Where the project's shared test and benchmark data sets live (BANKING77, wallet_faq).

They are not part of the repository. Set ``WALLETDESK_SHARED_DATA`` to their folder, or keep
them at ``../shared/data`` next to the checkout; ``/work/shared/data`` is the workplace's
own location.
"""

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]


def shared_data_dir() -> Path:
    candidates = [os.environ.get("WALLETDESK_SHARED_DATA"),
                  REPO_ROOT.parent / "shared" / "data", "/work/shared/data"]
    for candidate in candidates:
        if candidate and Path(candidate).is_dir():
            return Path(candidate)
    raise FileNotFoundError(
        "the shared data sets were not found: set WALLETDESK_SHARED_DATA to their folder "
        f"(looked in {', '.join(str(c) for c in candidates if c)})")


def support_texts(*, kb_fields: tuple[str, ...] = ("title", "answer", "examples")) -> list[str]:
    """Real support texts without secrets: BANKING77 questions, wallet_faq questions and
    articles (for false-positive tests and benchmarks)."""
    import csv
    import json

    root = shared_data_dir()
    texts: list[str] = []
    for name in ("banking77/train.csv", "banking77/test.csv", "wallet_faq/train.csv"):
        with (root / name).open(encoding="utf-8") as handle:
            texts += [row["text"] for row in csv.DictReader(handle)]
    for line in (root / "wallet_faq" / "kb.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        for field in kb_fields:
            values = record.get(field, {}).values()
            texts += [t for value in values for t in (value if isinstance(value, list) else [value])]
    return texts
