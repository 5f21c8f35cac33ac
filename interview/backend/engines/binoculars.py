"""Two causal LMs that share one tokenizer, reading the same text: the statistics of Binoculars.

Binoculars (Hans et al., ICML 2024) divides the log-perplexity of a text under one model (the
performer) by the cross-perplexity between the two: how surprised the performer is, on
average, by the next-token distribution the other model (the observer) predicts. Machine text
is unsurprising to the performer relative to what the observer expects, so the ratio is low;
human text scores higher. The ratio corrects perplexity for how predictable the topic is,
which is what makes plain perplexity flag plain writers.

This engine runs both models over the first `max_tokens` tokens of each text and returns, per
scored position, the numbers every variant of the detector needs (PairScores): each model's
log-probability of the observed token, each one's expected log-probability and its variance
under its own distribution (Fast-DetectGPT), and the cross terms in both directions. score()
gives the product's TokenScores in the orientation the catalogue entry names.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np
import torch

from interview.backend import weights
from interview.backend.catalogue import ModelEntry, get_entry
from interview.backend.engines.transformers_lm import (
    SCORE_CHUNK,
    TransformersGenerator,
    _gguf_file,
)
from interview.backend.schemas import Generation, PairScores, TokenScores
from interview.errors import BackendUnavailable, InvalidInput

DEFAULT_MAX_TOKENS = 256


class _Reader(Protocol):
    def ids(self, text: str) -> list[int]: ...

    def logprobs(self, ids: list[int]) -> torch.Tensor: ...  # len(ids) x vocab log-softmax


class _TorchReader:
    """transformers, on any torch device (GPUs; the CPU when llama.cpp is missing)."""

    def __init__(self, lm: TransformersGenerator) -> None:
        self.lm = lm

    def ids(self, text: str) -> list[int]:
        return list(self.lm.tokenizer(text).input_ids)

    def logprobs(self, ids: list[int]) -> torch.Tensor:
        inputs = torch.tensor([ids], dtype=torch.long, device=self.lm.device)
        hidden = self.lm.model.base_model(input_ids=inputs, use_cache=False).last_hidden_state[0]
        return torch.cat(
            [
                torch.log_softmax(self.lm._logits(hidden[i : i + SCORE_CHUNK]), dim=-1).cpu()
                for i in range(0, hidden.shape[0], SCORE_CHUNK)
            ]
        )


class _LlamaReader:
    """llama.cpp over the packaged 4-bit GGUF: ~3x transformers' float32 speed on a CPU."""

    def __init__(self, entry: ModelEntry, cache_dir: Path, max_tokens: int) -> None:
        from interview.backend.engines.llamacpp_logits import LlamaCppLogits

        gguf, _ = _gguf_file(entry, cache_dir)
        weights.verify(entry, gguf)
        threads = int(os.environ.get("INTERVIEW_LLAMA_THREADS", "0")) or (os.cpu_count() or 1)
        self.model = LlamaCppLogits(gguf, max_tokens, threads)

    def ids(self, text: str) -> list[int]:
        return self.model.tokenize(text)

    def logprobs(self, ids: list[int]) -> torch.Tensor:
        return torch.from_numpy(self.model.logprobs(ids))


def _stats(logp: torch.Tensor, weights_: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Mean and variance of logp under the distribution `weights_` (both n x vocab)."""
    mean = (weights_ * logp).sum(-1)
    var = ((weights_ * logp.square()).sum(-1) - mean.square()).clamp(min=0.0)
    return mean.clamp(max=0.0), var


class BinocularsScorer:
    """An observer and a performer LM on one device; score() and generate() as one model.

    On a CPU with llama.cpp installed (xllamacpp) both read the packaged GGUF files directly;
    elsewhere, or with options.runtime "transformers", transformers runs them (generate()
    always uses transformers, loading the performer the first time it is asked to write).
    """

    def __init__(self, entry: ModelEntry, device: str, cache_dir: Path) -> None:
        self.entry = entry
        self.cache_dir = cache_dir
        self.device_name = device
        names = {role: entry.options.get(role) for role in ("observer", "performer")}
        missing = [role for role, name in names.items() if not isinstance(name, str)]
        if missing:
            raise InvalidInput(
                f"model {entry.name!r}: engine binoculars needs options.{missing[0]} "
                "(the catalogue name of a transformers LM)"
            )
        self.observer_entry = get_entry(str(names["observer"]))
        self.performer_entry = get_entry(str(names["performer"]))
        self.max_tokens = int(entry.options.get("max_tokens", DEFAULT_MAX_TOKENS))
        # "performer": log p and cross-entropy as in the paper (performer's perplexity over the
        # observer-to-performer cross-perplexity); "observer": the two roles swapped.
        self.orientation = str(entry.options.get("orientation", "performer"))
        if self.orientation not in ("performer", "observer"):
            raise InvalidInput(
                f"model {entry.name!r}: options.orientation must be 'performer' or 'observer', "
                f"not {self.orientation!r}"
            )
        self.runtime = self._runtime(device, str(entry.options.get("runtime", "auto")))
        self._writer: TransformersGenerator | None = None
        self.observer: _Reader
        self.performer: _Reader
        if self.runtime == "llamacpp":
            # one more position than scored: the first token has no context
            self.observer = _LlamaReader(self.observer_entry, cache_dir, self.max_tokens + 1)
            self.performer = _LlamaReader(self.performer_entry, cache_dir, self.max_tokens + 1)
        else:
            self._writer = TransformersGenerator(self.performer_entry, device, cache_dir)
            self.observer = _TorchReader(
                TransformersGenerator(self.observer_entry, device, cache_dir)
            )
            self.performer = _TorchReader(self._writer)
        probe = "Binoculars: one tokenizer for both models, 两个模型"
        if self.observer.ids(probe) != self.performer.ids(probe):
            raise BackendUnavailable(
                f"model {entry.name!r}: {names['observer']} and {names['performer']} do not "
                "share one tokenizer; Binoculars compares their predictions token by token"
            )
        self._lock = threading.Lock()

    @staticmethod
    def _runtime(device: str, wanted: str) -> str:
        if wanted not in ("auto", "llamacpp", "transformers"):
            raise InvalidInput(
                f"options.runtime must be auto, llamacpp or transformers, not {wanted!r}"
            )
        if wanted != "auto":
            return wanted
        if device.split(":")[0] != "cpu":
            return "transformers"
        try:
            import xllamacpp  # noqa: F401
        except ImportError:
            return "transformers"
        return "llamacpp"

    def generate(
        self,
        prompts: Sequence[str],
        max_new_tokens: int = 64,
        temperature: float = 0.0,
        stop: Sequence[str] = (),
    ) -> list[Generation]:
        """The performer writes (it is the stronger of the two)."""
        with self._lock:
            if self._writer is None:
                self._writer = TransformersGenerator(
                    self.performer_entry, self.device_name, self.cache_dir
                )
        return self._writer.generate(prompts, max_new_tokens, temperature, stop)

    def score(self, texts: Sequence[str]) -> list[TokenScores]:
        """TokenScores with cross_entropy, in the entry's orientation (first max_tokens)."""
        return [pair.token_scores(self.orientation) for pair in self.pair_scores(texts)]

    def pair_scores(self, texts: Sequence[str]) -> list[PairScores]:
        """Every per-position statistic of both models for each text (first max_tokens)."""
        if isinstance(texts, str) or not all(isinstance(t, str) for t in texts):
            raise InvalidInput("score needs a list of strings; wrap one text in [...]")
        with self._lock, torch.no_grad():
            return [self._pair_one(t) for t in texts]

    def _pair_one(self, text: str) -> PairScores:
        ids = self.performer.ids(text)[: self.max_tokens + 1]
        if len(ids) < 2:
            return PairScores(tokens=len(ids))
        all_o = self.observer.logprobs(ids)[:-1]
        all_p = self.performer.logprobs(ids)[:-1]
        targets = torch.tensor(ids[1:], dtype=torch.long)
        columns: dict[str, list[torch.Tensor]] = {name: [] for name in PairScores.COLUMNS}
        for start in range(0, targets.shape[0], SCORE_CHUNK):
            block = slice(start, start + SCORE_CHUNK)
            lo, lp = all_o[block].float(), all_p[block].float()
            po, pp = lo.exp(), lp.exp()
            target = targets[block, None]
            mean_o, var_o = _stats(lo, po)
            mean_p, var_p = _stats(lp, pp)
            mean_op, var_op = _stats(lp, po)  # performer's log p under the observer's choices
            mean_po, var_po = _stats(lo, pp)
            for name, value in (
                ("logprob_observer", lo.gather(-1, target)[:, 0]),
                ("logprob_performer", lp.gather(-1, target)[:, 0]),
                ("mean_observer", mean_o),
                ("var_observer", var_o),
                ("mean_performer", mean_p),
                ("var_performer", var_p),
                ("mean_observer_performer", mean_op),
                ("var_observer_performer", var_op),
                ("mean_performer_observer", mean_po),
                ("var_performer_observer", var_po),
            ):
                columns[name].append(value)
        return PairScores(
            tokens=len(ids),
            **{
                name: tuple(np.round(torch.cat(parts).numpy().astype(np.float64), 6).tolist())
                for name, parts in columns.items()
            },
        )
