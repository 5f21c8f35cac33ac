"""Causal LMs shipped as GGUF in pip packages, run by transformers: generate and score text."""

from __future__ import annotations

import copy
import json
import logging
import os
import shutil
import threading
import time
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import torch
from transformers import AutoModelForCausalLM, AutoTokenizer, DynamicCache, GgufConfig

from interview.backend import devices, weights
from interview.backend.catalogue import ModelEntry
from interview.backend.schemas import Generation, TokenScores
from interview.errors import BackendUnavailable, InvalidInput

log = logging.getLogger(__name__)

PREFIX_SLOTS = 8  # prompt prefixes kept as KV caches (least recently used goes first)
PREFIX_TOKENS = 4096  # tokens in all of them: SmolLM2-135M's fp32 KV is ~46 KB per token
SCORE_CHUNK = 64  # positions per log-softmax block in score(): bounds memory to 64 x vocab floats
MARKER = "interview-prepared.json"  # written last: a folder without it is an unfinished conversion
_SENTINEL = "\ue000"  # private-use character marking where a prefix ends inside a chat template
_CONVERTING = threading.Lock()  # one conversion at a time: each holds a whole model in memory


def model_folder(entry: ModelEntry, cache_dir: Path) -> Path:
    """Where prepare() saves the converted transformers folder."""
    return cache_dir / entry.name


def _gguf_file(entry: ModelEntry, cache_dir: Path) -> tuple[Path, bool]:
    """The GGUF to convert, and whether it was joined from parts under cache_dir (a copy)."""
    if not entry.source.parts:
        path = weights.package_file(entry, entry.source.file)
        if not path.is_file():
            raise BackendUnavailable(
                f"model {entry.name!r}: weights file {path} is missing; "
                f"reinstall {entry.source.package}"
            )
        return path, False
    parts = [weights.package_file(entry, part) for part in entry.source.parts]
    missing = [str(p) for p in parts if not p.is_file()]
    if missing:
        raise BackendUnavailable(
            f"model {entry.name!r}: weight parts {missing} are missing; "
            f"reinstall {entry.source.package}"
        )
    # Joined outside site-packages: the install may be read-only and is shared by other venvs.
    target = cache_dir / f".{entry.name}.gguf" / Path(entry.source.file).name
    return weights.join_parts(parts, target), True


def _read_marker(folder: Path) -> dict[str, Any] | None:
    try:
        data = json.loads((folder / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def prepare(entry: ModelEntry, cache_dir: Path) -> dict[str, Any]:
    """Join, verify and convert the GGUF into a saved float32 folder once; say what was done."""
    folder = model_folder(entry, cache_dir)
    with _CONVERTING:
        marker = _read_marker(folder)
        if marker is not None and entry.source.sha256 in (None, marker.get("sha256")):
            return {"model": entry.name, "folder": str(folder), "converted": False, **marker}
        return _convert(entry, cache_dir, folder)


def _convert(entry: ModelEntry, cache_dir: Path, folder: Path) -> dict[str, Any]:
    started = time.perf_counter()
    gguf, joined = _gguf_file(entry, cache_dir)
    try:
        digest = weights.verify(entry, gguf)
    except BackendUnavailable:
        if joined:  # rejoin after a reinstall rather than reuse this copy
            shutil.rmtree(gguf.parent, ignore_errors=True)
        raise
    # Dense float32: transformers has no CPU kernels for GGUF blocks, and a dense folder
    # loads in seconds where parsing the GGUF takes 15-60 s.
    config = GgufConfig(dequantize=True)
    tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
    model = AutoModelForCausalLM.from_pretrained(
        gguf.parent, gguf_file=gguf.name, dtype=torch.float32, quantization_config=config
    )
    # The dequantized model keeps its GGUF quantizer attached, and save_pretrained refuses any
    # quantized model; no packed weight is left, so the model is plain and can be saved.
    model.hf_quantizer = None  # type: ignore[assignment]
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    tmp = cache_dir / f".{entry.name}.{os.getpid()}.tmp"  # other processes may convert too
    shutil.rmtree(tmp, ignore_errors=True)
    model.save_pretrained(tmp)
    tokenizer.save_pretrained(tmp)
    done = {"sha256": digest, "package": entry.source.package, "source": gguf.name}
    (tmp / MARKER).write_text(json.dumps(done), encoding="utf-8")
    shutil.rmtree(folder, ignore_errors=True)
    try:
        os.replace(tmp, folder)
    except OSError:  # another process finished the same conversion first
        shutil.rmtree(tmp, ignore_errors=True)
    if joined:  # the saved folder replaces it; the parts stay installed
        shutil.rmtree(gguf.parent, ignore_errors=True)
    seconds = round(time.perf_counter() - started, 1)
    log.info("model %s converted from %s to %s in %.1f s", entry.name, gguf.name, folder, seconds)
    return {
        "model": entry.name,
        "folder": str(folder),
        "converted": True,
        "joined_parts": len(entry.source.parts),
        "seconds": seconds,
        **done,
    }


def _torch_dtype(entry: ModelEntry, device: str) -> torch.dtype:
    kind = device.split(":")[0]
    name = entry.dtype.get(kind, "float32")
    if kind in devices.platforms():
        name = devices.adapt_dtype(device, name)  # e.g. float16 -> float32 on CPU
    dtype = getattr(torch, name, None)
    if not isinstance(dtype, torch.dtype):
        raise InvalidInput(
            f"model {entry.name!r}: dtype {name!r} for {kind} is not a torch dtype; "
            "use float32, float16 or bfloat16 in its catalogue entry"
        )
    return dtype


def _common_prefix(a: Sequence[int], b: Sequence[int]) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


class TransformersGenerator:
    """A causal LM that reuses the KV cache of prompt prefixes it has already seen."""

    def __init__(self, entry: ModelEntry, device: str, cache_dir: Path) -> None:
        self.entry = entry
        self.device = torch.device(device)
        self.prepared = prepare(entry, cache_dir)
        folder = model_folder(entry, cache_dir)
        started = time.perf_counter()
        self.tokenizer = AutoTokenizer.from_pretrained(folder)
        self.model = AutoModelForCausalLM.from_pretrained(
            folder, dtype=_torch_dtype(entry, device), device_map=str(self.device)
        ).eval()
        self.load_seconds = time.perf_counter() - started
        self.chat = bool(entry.options.get("chat", False))
        if self.chat and not self.tokenizer.chat_template:
            raise InvalidInput(
                f"model {entry.name!r} has options.chat true but its tokenizer has no chat "
                "template; set chat: false in its catalogue entry"
            )
        self.max_positions = int(getattr(self.model.config, "max_position_embeddings", 2048))
        self._stop_ids = self._eos_ids()
        self._prefixes: OrderedDict[tuple[int, ...], DynamicCache] = OrderedDict()
        self._lock = threading.RLock()  # one forward at a time; the prefix cache is shared state

    def _eos_ids(self) -> set[int]:
        ids: set[int] = set()
        for value in (self.model.generation_config.eos_token_id, self.tokenizer.eos_token_id):
            if isinstance(value, int):
                ids.add(value)
            elif isinstance(value, list):
                ids.update(int(v) for v in value)
        return ids

    # -- prompts -> token ids ------------------------------------------------------------

    def _render(self, text: str) -> str:
        """The text as a user turn in the chat template, ready for the assistant's reply."""
        messages = [{"role": "user", "content": text}]
        rendered = self.tokenizer.apply_chat_template(
            messages, tokenize=False, add_generation_prompt=True
        )
        return str(rendered)

    def _prompt_ids(self, text: str) -> list[int]:
        if self.chat:  # the template already carries the special tokens
            return list(self.tokenizer(self._render(text), add_special_tokens=False).input_ids)
        return list(self.tokenizer(text).input_ids)

    def _prefix_ids(self, text: str) -> list[int]:
        """Token ids a prompt starting with `text` starts with (up to a merge at the seam)."""
        if not self.chat:
            return list(self.tokenizer(text).input_ids)
        rendered = self._render(text + _SENTINEL)
        head = rendered[: rendered.index(_SENTINEL)]
        return list(self.tokenizer(head, add_special_tokens=False).input_ids)

    # -- the prefix cache ----------------------------------------------------------------

    @property
    def cached_prefixes(self) -> int:
        """How many prompt prefixes hold a KV cache now."""
        return len(self._prefixes)

    def clear_prefix_cache(self) -> None:
        """Forget every cached prefix (the next prompts run cold)."""
        with self._lock:
            self._prefixes.clear()

    def _remember(self, ids: Sequence[int], cache: DynamicCache) -> None:
        key = tuple(ids)
        if len(key) > PREFIX_TOKENS:
            return
        self._prefixes[key] = copy.deepcopy(cache)
        self._prefixes.move_to_end(key)
        while len(self._prefixes) > PREFIX_SLOTS or sum(map(len, self._prefixes)) > PREFIX_TOKENS:
            self._prefixes.popitem(last=False)

    def _reuse(self, ids: Sequence[int]) -> tuple[DynamicCache | None, int]:
        """A copy of the cache of the longest cached prefix of ids (leaving >= 1 token to run)."""
        best_key: tuple[int, ...] | None = None
        best = 0
        for key in self._prefixes:
            n = min(_common_prefix(key, ids), len(ids) - 1)
            if n > best:
                best_key, best = key, n
        if best_key is None:
            return None, 0
        cache = copy.deepcopy(self._prefixes[best_key])
        self._prefixes.move_to_end(best_key)
        extra = cache.get_seq_length() - best
        if extra > 0:
            try:
                cache.crop(-extra)
            except (RuntimeError, ValueError):
                # A sliding-window layer already past its window cannot roll back: run cold.
                return None, 0
        return cache, best

    def _prefill(self, ids: list[int]) -> tuple[torch.Tensor, DynamicCache, int]:
        """Run the prompt's uncached suffix; return the last logits, the cache, tokens reused."""
        cache, reused = self._reuse(ids)
        if cache is None:
            cache = DynamicCache(config=self.model.config)
        suffix = torch.tensor([ids[reused:]], dtype=torch.long, device=self.device)
        out = self.model(input_ids=suffix, cache=cache, use_cache=True)
        return out.logits[0, -1].float(), cache, reused

    def warm_prefix(self, text: str) -> int:
        """Cache the KV of a shared prompt prefix (e.g. a rubric); return the tokens cached."""
        if not isinstance(text, str) or not text:
            raise InvalidInput(f"warm_prefix needs a non-empty string, got {text!r}")
        # Leave out the last token: it may merge with the text that follows (" Level:" + " 3"),
        # and a cache past a sliding window cannot be cropped back to the seam.
        ids = self._prefix_ids(text)[:-1]
        if not ids:
            return 0
        with self._lock, torch.no_grad():
            if tuple(ids) in self._prefixes:
                self._prefixes.move_to_end(tuple(ids))
                return len(ids)
            _, cache, _ = self._prefill(ids)
            self._remember(ids, cache)
        return len(ids)

    # -- generation ----------------------------------------------------------------------

    def generate(
        self,
        prompts: Sequence[str],
        max_new_tokens: int = 64,
        temperature: float = 0.0,
        stop: Sequence[str] = (),
    ) -> list[Generation]:
        """Complete each prompt: greedy at temperature 0, cut at the first stop string."""
        if isinstance(prompts, str) or not all(isinstance(p, str) for p in prompts):
            raise InvalidInput("generate needs a list of prompt strings; wrap one prompt in [...]")
        if max_new_tokens < 1:
            raise InvalidInput(f"max_new_tokens must be >= 1, got {max_new_tokens}")
        if temperature < 0:
            raise InvalidInput(f"temperature must be >= 0 (0 is greedy), got {temperature}")
        stops = [s for s in stop if s]
        with self._lock, torch.no_grad():
            return [self._generate_one(p, max_new_tokens, temperature, stops) for p in prompts]

    def _generate_one(
        self, prompt: str, max_new_tokens: int, temperature: float, stops: list[str]
    ) -> Generation:
        ids = self._prompt_ids(prompt)
        if not ids:
            raise InvalidInput("generate got an empty prompt; pass some text")
        if len(ids) + max_new_tokens > self.max_positions:
            raise InvalidInput(
                f"prompt of {len(ids)} tokens + max_new_tokens {max_new_tokens} exceeds "
                f"{self.entry.name}'s context of {self.max_positions}; shorten the prompt"
            )
        logits, cache, reused = self._prefill(ids)
        self._remember(ids, cache)  # later prompts sharing a prefix with this one start warm
        out: list[int] = []
        text, finish = "", "length"
        for _ in range(max_new_tokens):
            token = self._pick(logits, temperature)
            if token in self._stop_ids:
                finish = "stop"
                break
            out.append(token)
            text = str(self.tokenizer.decode(out, skip_special_tokens=True))
            cut = min((i for s in stops if (i := text.find(s)) >= 0), default=-1)
            if cut >= 0:
                text, finish = text[:cut], "stop"
                break
            step = torch.tensor([[token]], dtype=torch.long, device=self.device)
            logits = self.model(input_ids=step, cache=cache, use_cache=True).logits
            logits = logits[0, -1].float()
        return Generation(
            text=text,
            prompt_tokens=len(ids),
            completion_tokens=len(out),
            finish_reason=finish,
            cached_prefix_tokens=reused,
        )

    @staticmethod
    def _pick(logits: torch.Tensor, temperature: float) -> int:
        if temperature == 0:
            return int(torch.argmax(logits).item())
        probs = torch.softmax(logits / temperature, dim=-1)
        return int(torch.multinomial(probs, 1).item())

    # -- scoring -------------------------------------------------------------------------

    def score(self, texts: Sequence[str]) -> list[TokenScores]:
        """Per-token log p(observed), E[log p] and Var[log p] for tokens 1..n-1 of each text.

        Texts are scored as they are (no chat template). `tokens` counts every input id (with
        the BOS the tokenizer adds, if any); the first id has no context and is not scored, so
        each tuple holds tokens - 1 values.
        """
        if isinstance(texts, str) or not all(isinstance(t, str) for t in texts):
            raise InvalidInput("score needs a list of strings; wrap one text in [...]")
        with self._lock, torch.no_grad():
            return [self._score_one(t) for t in texts]

    def _logits(self, hidden: torch.Tensor) -> torch.Tensor:
        """What the model's own head computes from hidden states (float32)."""
        logits = self.model.get_output_embeddings()(hidden).float()
        cap = getattr(self.model.config, "final_logit_softcapping", None)
        if cap:  # Gemma 2 style soft capping, done by the full model's forward
            logits = torch.tanh(logits / cap) * cap
        return logits

    def _score_one(self, text: str) -> TokenScores:
        ids = list(self.tokenizer(text).input_ids)
        if len(ids) > self.max_positions:
            raise InvalidInput(
                f"text of {len(ids)} tokens exceeds {self.entry.name}'s context of "
                f"{self.max_positions}; split it"
            )
        if len(ids) < 2:
            return TokenScores(tokens=len(ids), logprob=(), expected_logprob=(), variance=())
        inputs = torch.tensor([ids], dtype=torch.long, device=self.device)
        # Project hidden states to the vocabulary a block at a time: all logits of a long text
        # at once would take n x vocab floats (1 GB for 1,000 tokens of Gemma's 262k vocab).
        hidden = self.model.base_model(input_ids=inputs, use_cache=False).last_hidden_state[0, :-1]
        targets = inputs[0, 1:]
        observed, means, variances = [], [], []
        for start in range(0, hidden.shape[0], SCORE_CHUNK):
            logp = torch.log_softmax(self._logits(hidden[start : start + SCORE_CHUNK]), dim=-1)
            p = logp.exp()
            mean = (p * logp).sum(-1)
            # Rounding can push these a hair past their bounds; clamp to the true ranges.
            var = ((p * logp.square()).sum(-1) - mean.square()).clamp(min=0.0)
            observed.append(logp.gather(-1, targets[start : start + SCORE_CHUNK, None])[:, 0])
            means.append(mean.clamp(max=0.0))
            variances.append(var)
        return TokenScores(
            tokens=len(ids),
            logprob=tuple(torch.cat(observed).tolist()),
            expected_logprob=tuple(torch.cat(means).tolist()),
            variance=tuple(torch.cat(variances).tolist()),
        )
