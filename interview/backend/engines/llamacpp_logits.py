"""Full next-token log-probabilities of a GGUF model from llama.cpp, for scoring text on a CPU.

The GGUF files in our packages are 4-bit; transformers can only run them de-quantised to
float32, which on a 2-core CPU reads Qwen2.5-Coder-1.5B at about 10 tokens/s. llama.cpp runs
the 4-bit blocks directly (about 35 tokens/s there). No prebuilt llama-cpp-python wheel is on
our index, but the xllamacpp wheel carries libllama with its C API exported, so this module
binds the few functions it needs with ctypes: load a model, make a context, decode one batch
of token ids with logits for every position, read them.

Only the leading, long-stable fields of llama.cpp's parameter structs are touched; the rest
keep the library's defaults (a buffer larger than either struct receives them).
"""

from __future__ import annotations

import contextlib
import ctypes
import threading
from pathlib import Path
from typing import Any

import numpy as np

from interview.errors import BackendUnavailable, InvalidInput

_PARAMS_BYTES = 1024  # larger than llama_model_params and llama_context_params


class _Params(ctypes.Structure):
    _fields_ = [("raw", ctypes.c_uint8 * _PARAMS_BYTES)]


class _ContextHead(ctypes.Structure):
    """The first fields of llama_context_params (unchanged since llama.cpp added n_ubatch;
    the fields after them have moved between versions, so threads go through a call)."""

    _fields_ = [
        ("n_ctx", ctypes.c_uint32),
        ("n_batch", ctypes.c_uint32),
        ("n_ubatch", ctypes.c_uint32),
    ]


class _Batch(ctypes.Structure):
    _fields_ = [
        ("n_tokens", ctypes.c_int32),
        ("token", ctypes.POINTER(ctypes.c_int32)),
        ("embd", ctypes.POINTER(ctypes.c_float)),
        ("pos", ctypes.POINTER(ctypes.c_int32)),
        ("n_seq_id", ctypes.POINTER(ctypes.c_int32)),
        ("seq_id", ctypes.POINTER(ctypes.POINTER(ctypes.c_int32))),
        ("logits", ctypes.POINTER(ctypes.c_int8)),
    ]


_LIB: list[Any] = []
_LIB_LOCK = threading.Lock()


def _library() -> Any:
    """libllama inside the xllamacpp wheel, its prototypes declared, the backend initialised."""
    with _LIB_LOCK:
        if _LIB:
            return _LIB[0]
        try:
            import xllamacpp
        except ImportError as exc:
            raise BackendUnavailable(
                f"llama.cpp is not installed ({exc}); install xllamacpp==2026.10.11549"
            ) from exc
        files = sorted(Path(xllamacpp.__file__).parent.glob("xllamacpp*.so"))
        if not files:
            raise BackendUnavailable("the xllamacpp package holds no shared library; reinstall it")
        lib = ctypes.CDLL(str(files[0]))
        p, vp, i32 = ctypes.POINTER, ctypes.c_void_p, ctypes.c_int32
        signatures: dict[str, tuple[Any, list[Any]]] = {
            "llama_backend_init": (None, []),
            "llama_model_default_params": (_Params, []),
            "llama_context_default_params": (_Params, []),
            "llama_model_load_from_file": (vp, [ctypes.c_char_p, _Params]),
            "llama_init_from_model": (vp, [vp, _Params]),
            "llama_model_get_vocab": (vp, [vp]),
            "llama_vocab_n_tokens": (i32, [vp]),
            "llama_tokenize": (
                i32,
                [vp, ctypes.c_char_p, i32, p(i32), i32, ctypes.c_bool, ctypes.c_bool],
            ),
            "llama_batch_init": (_Batch, [i32, i32, i32]),
            "llama_batch_free": (None, [_Batch]),
            "llama_decode": (i32, [vp, _Batch]),
            "llama_get_logits": (p(ctypes.c_float), [vp]),
            "llama_get_memory": (vp, [vp]),
            "llama_memory_clear": (None, [vp, ctypes.c_bool]),
            "llama_set_n_threads": (None, [vp, i32, i32]),
            "llama_free": (None, [vp]),
            "llama_model_free": (None, [vp]),
        }
        for name, (restype, argtypes) in signatures.items():
            fn = getattr(lib, name)
            fn.restype, fn.argtypes = restype, argtypes
        lib.llama_backend_init()
        _LIB.append(lib)
        return lib


class LlamaCppLogits:
    """One GGUF model and one context; logprobs(ids) gives every position's log-softmax."""

    def __init__(self, gguf: Path, max_tokens: int, threads: int) -> None:
        self.lib = _library()
        self.path = gguf
        self.max_tokens = max_tokens
        self.model = self.lib.llama_model_load_from_file(
            str(gguf).encode(), self.lib.llama_model_default_params()
        )
        if not self.model:
            raise BackendUnavailable(f"llama.cpp could not load {gguf}")
        params = self.lib.llama_context_default_params()
        head = _ContextHead.from_buffer(params)
        head.n_ctx = max(head.n_ctx, max_tokens)
        head.n_batch = max(head.n_batch, max_tokens)
        head.n_ubatch = max(head.n_ubatch, max_tokens)  # one text is one micro-batch
        self.context = self.lib.llama_init_from_model(self.model, params)
        if not self.context:
            self.lib.llama_model_free(self.model)
            raise BackendUnavailable(f"llama.cpp could not make a context for {gguf}")
        self.lib.llama_set_n_threads(self.context, max(1, threads), max(1, threads))
        self.vocab = self.lib.llama_model_get_vocab(self.model)
        self.n_vocab = int(self.lib.llama_vocab_n_tokens(self.vocab))
        self._lock = threading.Lock()

    def tokenize(self, text: str) -> list[int]:
        """llama.cpp's own tokenisation of text, with the special tokens the model adds."""
        data = text.encode("utf-8")
        room = len(data) + 8
        out = (ctypes.c_int32 * room)()
        n = self.lib.llama_tokenize(self.vocab, data, len(data), out, room, True, False)
        if n < 0:
            raise InvalidInput(f"text does not tokenize into {room} tokens ({-n} needed)")
        return list(out[:n])

    def logprobs(self, ids: list[int]) -> np.ndarray:
        """(len(ids), n_vocab) float32 log-softmax of the next token after each position."""
        if not 0 < len(ids) <= self.max_tokens:
            raise InvalidInput(f"llama.cpp scores 1 to {self.max_tokens} tokens, got {len(ids)}")
        with self._lock:
            self.lib.llama_memory_clear(self.lib.llama_get_memory(self.context), True)
            batch = self.lib.llama_batch_init(len(ids), 0, 1)
            try:
                for i, token in enumerate(ids):
                    batch.token[i] = token
                    batch.pos[i] = i
                    batch.n_seq_id[i] = 1
                    batch.seq_id[i][0] = 0
                    batch.logits[i] = 1
                batch.n_tokens = len(ids)
                code = self.lib.llama_decode(self.context, batch)
                if code != 0:
                    raise BackendUnavailable(
                        f"llama.cpp decode failed (code {code}) on {self.path}"
                    )
                raw = np.ctypeslib.as_array(
                    self.lib.llama_get_logits(self.context), shape=(len(ids), self.n_vocab)
                )
                logits = raw.astype(np.float32, copy=True)
            finally:
                self.lib.llama_batch_free(batch)
        logits -= logits.max(axis=1, keepdims=True)
        logits -= np.log(np.exp(logits).sum(axis=1, keepdims=True))
        return logits

    def close(self) -> None:
        with self._lock:
            if self.context:
                self.lib.llama_free(self.context)
                self.context = None
            if self.model:
                self.lib.llama_model_free(self.model)
                self.model = None

    def __del__(self) -> None:  # contexts hold hundreds of MB outside Python's accounting
        with contextlib.suppress(Exception):  # at shutdown the library may be gone
            self.close()
