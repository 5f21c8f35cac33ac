"""The remote engine: a model served elsewhere over the OpenAI-compatible protocol.

Works against vLLM, SGLang, hosted APIs and other nodes of ours (`interview serve` with
INTERVIEW_NODE_API_KEY set). Token scoring is an extension only our nodes implement.
"""

from __future__ import annotations

import io
import wave
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlparse

import httpx
import numpy as np

from interview.backend.catalogue import ModelEntry
from interview.backend.protocols import Audio, Vectors
from interview.backend.schemas import Generation, TokenScores, Transcription
from interview.errors import BackendUnavailable, Overloaded


class _Remote:
    def __init__(self, entry: ModelEntry, api_key: str = "") -> None:
        if entry.remote is None:
            raise BackendUnavailable(
                f"model {entry.name!r}: engine 'remote' needs a remote: "
                "section with base_url and model"
            )
        self.entry = entry
        self.spec = entry.remote
        self.host = urlparse(self.spec.base_url).netloc
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._http = httpx.Client(
            base_url=self.spec.base_url.rstrip("/") + "/",
            timeout=self.spec.timeout_s,
            headers=headers,
        )

    def _post(self, path: str, **kwargs: Any) -> Any:
        try:
            r = self._http.post(path, **kwargs)
        except httpx.HTTPError as exc:
            raise BackendUnavailable(
                f"remote model {self.entry.name!r} at {self.host} is unreachable: {exc}"
            ) from exc
        if r.status_code == 429:
            raise Overloaded(
                f"remote model {self.entry.name!r} at {self.host} is saturated",
                retry_after=float(r.headers.get("Retry-After", "1")),
            )
        if r.status_code >= 400:
            raise BackendUnavailable(
                f"remote model {self.entry.name!r} at {self.host} answered "
                f"{r.status_code}: {r.text[:300]}"
            )
        return r.json()


class RemoteEmbedder(_Remote):
    @property
    def dimension(self) -> int:
        return self.entry.dimension or 0

    def _embed(self, texts: Sequence[str], input_type: str) -> Vectors:
        body = {"model": self.spec.model, "input": list(texts), "input_type": input_type}
        data = self._post("embeddings", json=body)["data"]
        rows = sorted(data, key=lambda d: d["index"])
        return np.asarray([d["embedding"] for d in rows], dtype=np.float32)

    def embed_passages(self, texts: Sequence[str]) -> Vectors:
        return self._embed(texts, "passage")

    def embed_queries(self, texts: Sequence[str]) -> Vectors:
        return self._embed(texts, "query")


class RemoteGenerator(_Remote):
    def generate(
        self,
        prompts: Sequence[str],
        max_new_tokens: int = 64,
        temperature: float = 0.0,
        stop: Sequence[str] = (),
    ) -> list[Generation]:
        out = []
        chat = bool(self.entry.options.get("chat"))
        for prompt in prompts:  # one request each: chat endpoints take one conversation
            body: dict[str, Any] = {
                "model": self.spec.model,
                "max_tokens": max_new_tokens,
                "temperature": temperature,
            }
            if stop:
                body["stop"] = list(stop)
            if chat:
                body["messages"] = [{"role": "user", "content": prompt}]
                data = self._post("chat/completions", json=body)
                text = data["choices"][0]["message"]["content"]
            else:
                body["prompt"] = prompt
                data = self._post("completions", json=body)
                text = data["choices"][0]["text"]
            usage = data.get("usage") or {}
            details = usage.get("prompt_tokens_details") or {}
            out.append(
                Generation(
                    text=text,
                    prompt_tokens=int(usage.get("prompt_tokens", 0)),
                    completion_tokens=int(usage.get("completion_tokens", 0)),
                    finish_reason=data["choices"][0].get("finish_reason") or "stop",
                    cached_prefix_tokens=int(details.get("cached_tokens") or 0),
                )
            )
        return out

    def score(self, texts: Sequence[str]) -> list[TokenScores]:
        body = {
            "model": self.spec.model,
            "prompt": list(texts),
            "max_tokens": 0,
            "interview_token_scores": True,
        }
        data = self._post("completions", json=body)
        try:
            return [
                TokenScores.model_validate(c["token_scores"])
                for c in sorted(data["choices"], key=lambda c: c["index"])
            ]
        except (KeyError, TypeError) as exc:
            raise BackendUnavailable(
                f"remote model {self.entry.name!r} at {self.host} does not return token scores "
                "(only interview nodes do); run the AI-text model locally"
            ) from exc


class RemoteRecognizer(_Remote):
    def transcribe(
        self, audio: Audio, language: str | None = None, word_timestamps: bool = True
    ) -> Transcription:
        form = {"model": self.spec.model, "response_format": "verbose_json"}
        if language:
            form["language"] = language
        if word_timestamps:
            form["timestamp_granularities[]"] = "word"
        files = {"file": ("audio.wav", to_wav(audio), "audio/wav")}
        data = self._post("audio/transcriptions", data=form, files=files)
        if "interview" in data:  # our nodes send the full typed transcription
            return Transcription.model_validate(data["interview"])
        return Transcription(
            text=data.get("text", ""),
            language=data.get("language") or (language or ""),
            duration=float(data.get("duration") or len(audio) / 16000),
            model=self.entry.name,
            engine="remote",
        )


def to_wav(audio: Audio, sr: int = 16000) -> bytes:
    """16-bit PCM WAV bytes of a float32 mono clip."""
    pcm = (np.clip(audio, -1, 1) * 32767).astype("<i2").tobytes()
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(sr)
        w.writeframes(pcm)
    return buf.getvalue()


def make_remote(entry: ModelEntry, api_key: str = "") -> _Remote:
    """The remote client for the entry's task."""
    if entry.task == "embed":
        return RemoteEmbedder(entry, api_key)
    if entry.task in ("generate", "ai_text"):
        return RemoteGenerator(entry, api_key)
    if entry.task == "asr":
        return RemoteRecognizer(entry, api_key)
    raise BackendUnavailable(f"model {entry.name!r}: task {entry.task!r} cannot run remotely")
