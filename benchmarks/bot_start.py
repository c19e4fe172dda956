"""Start-to-first-answer of the bot: a cold start (no saved engine) and a warm start (saved).

    python benchmarks/bot_start.py [--kb demo|banking77|banking77-10shot|DIR ...] [--json]

For each knowledge base: one SQLite database in a temporary directory gets the articles (the
demo's articles.jsonl; for a labelled set, one article per category whose example questions
are its train.csv rows), then a fresh Python process per start runs what a server does at
start-up (``BotRuntime.schedule_rebuild``) and asks a question from the knowledge base every
0.1 s. Each start reports, from the process's first line (imports included):

- ``first_answer_s``: the first question answered (the lexical stand-in counts);
- ``engine_answer_s``: the first question answered by the full engine;
- ``engine_file_load_s``: reading the saved engine file alone (the warm start).

The cold start deletes the engine directory first; the warm start reuses the file the cold
start saved. Questions go to the runtime's ``match()`` (the bot's decision), not through the
message path. One JSON object on the last line.
"""

import argparse
import asyncio
import csv
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "walletdesk" / "demo_content" / "articles.jsonl"
POLL_S = 0.1
TIMEOUT_S = 3600


def shared_data() -> Path:
    from walletdesk.shared_data import shared_data_dir

    return shared_data_dir()


def knowledge_base(name: str) -> tuple[list[str], str]:
    """(JSON Lines of articles, a question one of them answers)."""
    if name == "demo":
        lines = DEMO.read_text(encoding="utf-8").splitlines()
        first = json.loads(lines[0])
        return lines, next(iter(first["examples"].values()))[0]
    directory = {"banking77": shared_data() / "banking77",
                 "banking77-10shot": shared_data() / "banking77" / "fewshot10"}.get(name)
    directory = directory or Path(name)
    examples: dict[str, list[str]] = defaultdict(list)
    with (directory / "train.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["category"] != "oos":
                examples[row["category"]].append(row["text"])
    lines = [json.dumps({"id": re.sub(r"[^a-z0-9._-]+", "-", category.lower()).strip("-")[:100],
                         "category": category,
                         "title": {"en": category.replace("_", " ")},
                         "answer": {"en": f"About {category.replace('_', ' ')}."},
                         "examples": {"en": texts[:200]}}, ensure_ascii=False)
             for category, texts in sorted(examples.items())]
    return lines, next(iter(sorted(examples.items())))[1][0]


async def prepare(database_url: str, lines: list[str]) -> None:
    from walletdesk.config import Settings
    from walletdesk.db.engine import Database
    from walletdesk.db.migrate import upgrade_database
    from walletdesk.kb.actions import import_articles
    from walletdesk.services import Services

    database = Database(database_url)
    await upgrade_database(database.engine)
    await database.dispose()
    services = Services(Settings(database_url=database_url, log_level="WARNING"))
    try:
        report = await import_articles(services, lines)
        assert not getattr(report, "errors", None), report
    finally:
        await services.stop()


def start(code: Path, database_url: str, engine_dir: str, question: str) -> dict[str, Any]:
    """One start in a fresh process, on the code snapshot ``code``; what it measured."""
    output = subprocess.run(
        [sys.executable, __file__, "--child", database_url, engine_dir, question],
        capture_output=True, text=True, timeout=TIMEOUT_S, cwd=code, check=True,
        env={**os.environ, "PYTHONPATH": str(code)}).stdout
    return json.loads(output.strip().splitlines()[-1])


def child(database_url: str, engine_dir: str, question: str) -> None:
    began = time.perf_counter()
    from walletdesk.bot.engine_store import EngineStore, knowledge_base_key
    from walletdesk.bot.runtime import BotRuntime, entries_from_articles
    from walletdesk.config import Settings
    from walletdesk.kb.queries import published_articles
    from walletdesk.logging import configure_logging
    from walletdesk.services import Services

    settings = Settings(database_url=database_url, bot_engine_dir=engine_dir,
                        log_level="WARNING")
    configure_logging(settings)

    async def run() -> dict[str, Any]:
        services = Services(settings)
        runtime = BotRuntime("en")
        runtime.schedule_rebuild(services, delay=0)  # as the server's start-up does
        first_answer = engine_answer = ready = engine_ready = None
        by = ""
        try:
            while engine_answer is None:
                if time.perf_counter() - began > TIMEOUT_S:
                    raise TimeoutError("no answer")
                if runtime.ready and ready is None:
                    ready = round(time.perf_counter() - began, 2)
                if runtime.engine is not None and engine_ready is None:
                    engine_ready = round(time.perf_counter() - began, 2)
                if runtime.ready:
                    full = runtime.engine is not None
                    result = await runtime.match(question)
                    if result.decision == "answer":
                        now = round(time.perf_counter() - began, 2)
                        if first_answer is None:
                            first_answer, by = now, "engine" if full else "lexical"
                        if full:
                            engine_answer = now
                await asyncio.sleep(POLL_S)
            async with services.read() as session:
                key = knowledge_base_key(entries_from_articles(await published_articles(session)))
        finally:
            await runtime.stop()
            await services.stop()
        loading = time.perf_counter()
        assert EngineStore(engine_dir).load(key) is not None
        return {"ready_s": ready, "first_answer_s": first_answer, "first_answer_by": by,
                "engine_ready_s": engine_ready, "engine_answer_s": engine_answer,
                "engine_file_load_s": round(time.perf_counter() - loading, 3),
                "engine_file_mb": round(EngineStore(engine_dir).path(key).stat().st_size / 1e6, 1),
                "load_average": round(os.getloadavg()[0], 1), "key": key[:12]}

    print(json.dumps(asyncio.run(run())))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--kb", action="append", help="demo, banking77, banking77-10shot or a "
                        "directory with train.csv (default: demo and banking77)")
    parser.add_argument("--json", action="store_true", help="only the JSON line")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    results: dict[str, Any] = {}
    for name in args.kb or ["demo", "banking77"]:
        lines, question = knowledge_base(name)
        with tempfile.TemporaryDirectory(prefix="wd-bot-start-") as temporary:
            database_url = f"sqlite+aiosqlite:///{temporary}/kb.db"
            engine_dir = str(Path(temporary) / "engines")
            asyncio.run(prepare(database_url, lines))
            # both starts run one copy of the code: an edit of the engine's source in between
            # (a shared checkout) would change the key and make the warm start build
            code = Path(temporary) / "code"
            shutil.copytree(ROOT / "walletdesk", code / "walletdesk",
                            ignore=shutil.ignore_patterns("__pycache__"))
            shutil.rmtree(engine_dir, ignore_errors=True)
            cold = start(code, database_url, engine_dir, question)
            warm = start(code, database_url, engine_dir, question)
        if warm["key"] != cold["key"]:  # the engine's code changed in between (a checkout)
            warm["note"] = "the engine's source changed after the cold start: warm start built"
        results[name] = {"articles": len(lines), "cold": cold, "warm": warm}
        if not args.json:
            print(f"{name}: {len(lines)} articles; cold start {cold}; warm start {warm}")
    print(json.dumps({"bot_start": results}))


if __name__ == "__main__":
    main()
