"""Whisper through openai-whisper (PyTorch) on any torch device, from converted CT2 weights."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

from interview.backend.catalogue import ModelEntry
from interview.backend.convert_whisper import alignment_heads, convert
from interview.backend.engines.faster_whisper_engine import as_audio, clean_word, ct2_folder
from interview.backend.protocols import Audio
from interview.backend.schemas import Segment, Transcription
from interview.backend.weights import sha256_file
from interview.errors import BackendUnavailable, InvalidInput

ENGINE = "openai-whisper"
SAMPLE_RATE = 16_000  # Hz, whisper.audio.SAMPLE_RATE


def prepare(entry: ModelEntry, cache_dir: Path) -> dict[str, str | bool]:
    """Assemble and verify the CT2 folder, convert it once to a checkpoint; say what was done."""
    done = ct2_folder(entry, cache_dir / entry.name / "ct2")
    # Named by the source checksum so new weights never reuse an old conversion.
    checkpoint = cache_dir / entry.name / f"model-{str(done['sha256'])[:12]}.pt"
    converted = not checkpoint.exists()
    if converted:
        convert(Path(str(done["folder"])), checkpoint)
    return {
        **done,
        "checkpoint": str(checkpoint),
        "checkpoint_sha256": sha256_file(checkpoint),
        "converted": converted,
    }


def _segment(s: dict[str, Any]) -> Segment:
    words = tuple(
        clean_word(w["word"], w["start"], w["end"], w["probability"]) for w in s.get("words", ())
    )
    return Segment(
        start=s["start"],
        end=s["end"],
        text=s["text"].strip(),
        words=words,
        avg_logprob=s["avg_logprob"],
        no_speech_prob=s["no_speech_prob"],
    )


class WhisperRecognizer:
    """A SpeechRecognizer running openai-whisper; fp16 only on CUDA (its CPU kernels lack it)."""

    def __init__(self, entry: ModelEntry, device: str, cache_dir: Path) -> None:
        import whisper  # heavy; imported when the model loads

        self.entry = entry
        self.device = device
        self.prepared = prepare(entry, cache_dir)
        kind = device.split(":")[0]
        self.fp16 = kind == "cuda" and entry.dtype.get(kind) == "float16"
        self.beam_size = int(entry.options.get("beam_size", 1))
        model = whisper.load_model(str(self.prepared["checkpoint"]), device="cpu")
        config = Path(str(self.prepared["folder"])) / "config.json"
        if "alignment_heads" in json.loads(config.read_text(encoding="utf-8")):
            # load_model knows the heads only for OpenAI's named downloads; word timing uses them.
            model.set_alignment_heads(
                alignment_heads(config, model.dims.n_text_layer, model.dims.n_text_head)
            )
        try:
            self._model = model.to(device)  # after set_alignment_heads, so the mask moves too
        except (RuntimeError, AssertionError) as exc:
            raise BackendUnavailable(
                f"model {entry.name!r}: torch cannot use device {device!r} ({exc}); pin "
                "another device with INTERVIEW_DEVICE_POLICY"
            ) from exc
        self._lock = threading.Lock()  # word timing installs hooks on the shared model

    def _detect(self, samples: Audio) -> tuple[str, float]:
        """Language and its probability from the first 30 s, as transcribe() would pick it."""
        import whisper

        if not self._model.is_multilingual:
            return "en", 1.0
        window = whisper.pad_or_trim(samples)
        mel = whisper.log_mel_spectrogram(window, self._model.dims.n_mels).to(self._model.device)
        _, probs = self._model.detect_language(mel)
        language = max(probs, key=probs.get)
        return language, float(probs[language])

    def transcribe(
        self, audio: Audio, language: str | None = None, word_timestamps: bool = True
    ) -> Transcription:
        """Transcribe 16 kHz mono audio, detecting the language unless it is given."""
        import whisper

        samples = as_audio(audio)
        if language is not None and language not in whisper.tokenizer.LANGUAGES:
            raise InvalidInput(
                f"language {language!r} is not a Whisper language code; use e.g. 'en' or 'zh'"
            )
        probability = 1.0  # as faster-whisper reports a language it was given
        beam = {"beam_size": self.beam_size, "best_of": self.beam_size}
        with self._lock:
            if language is None:
                language, probability = self._detect(samples)
            result = whisper.transcribe(
                self._model,
                samples,
                language=language,
                fp16=self.fp16,
                verbose=None,
                word_timestamps=word_timestamps,
                **(beam if self.beam_size > 1 else {}),
            )
        return Transcription(
            text=str(result["text"]).strip(),
            language=language,
            language_probability=probability,
            duration=len(samples) / SAMPLE_RATE,
            segments=tuple(_segment(s) for s in result["segments"]),
            model=self.entry.name,
            engine=ENGINE,
        )
