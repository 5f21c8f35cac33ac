"""Whisper through faster-whisper (CTranslate2): int8 on CPU, float16 on CUDA."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from interview.backend.catalogue import ModelEntry
from interview.backend.protocols import Audio
from interview.backend.schemas import Segment, Transcription, Word
from interview.backend.weights import join_parts, package_file, verify
from interview.errors import BackendUnavailable, InvalidInput

ENGINE = "faster-whisper"
# What a CTranslate2 Whisper folder holds beside model.bin.
SIDE_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")


def ct2_folder(entry: ModelEntry, target: Path) -> dict[str, str | bool]:
    """The verified CTranslate2 folder: in the package, or joined from parts into `target` once."""
    main = package_file(entry, entry.source.file)
    if not entry.source.parts:
        return {"folder": str(main.parent), "sha256": verify(entry, main), "joined": False}
    target.mkdir(parents=True, exist_ok=True)
    for name in SIDE_FILES:
        if not (target / name).exists():
            if not (main.parent / name).is_file():
                raise BackendUnavailable(
                    f"model {entry.name!r}: {main.parent / name} is missing; "
                    f"reinstall {entry.source.package}"
                )
            shutil.copyfile(main.parent / name, target / f"{name}.part")
            os.replace(target / f"{name}.part", target / name)  # atomic: no half-copied file
    model = target / main.name
    parts = [package_file(entry, part) for part in entry.source.parts]
    joined = not model.exists()
    join_parts(parts, model)
    try:
        sha256 = verify(entry, model)
    except BackendUnavailable:
        if joined:
            raise  # the parts themselves are wrong; verify's message says to reinstall
        model.unlink()  # a cache from other parts (an upgrade): join again, once
        sha256, joined = verify(entry, join_parts(parts, model)), True
    return {"folder": str(target), "sha256": sha256, "joined": joined}


def prepare(entry: ModelEntry, cache_dir: Path) -> dict[str, str | bool]:
    """Assemble and verify the model folder faster-whisper loads; say what was done."""
    return ct2_folder(entry, cache_dir / entry.name)


def as_audio(audio: Audio) -> Audio:
    """The samples as contiguous mono float32, or InvalidInput saying what is wrong."""
    samples = np.ascontiguousarray(audio, dtype=np.float32)
    if samples.ndim != 1:
        raise InvalidInput(
            f"audio has shape {samples.shape}; pass mono 16 kHz samples "
            "(interview.perception.media.decode_audio gives them)"
        )
    if not np.isfinite(samples).all():
        raise InvalidInput("audio contains NaN or infinite samples; decode it again")
    return samples


def clean_word(word: str, start: float, end: float, probability: float) -> Word:
    """A Word without Whisper's leading space, its probability clamped (exp may round past 1)."""
    return Word(word=word.strip(), start=start, end=end, probability=min(max(probability, 0), 1))


def _segments(segments: Iterable[Any]) -> tuple[Segment, ...]:
    return tuple(
        Segment(
            start=s.start,
            end=s.end,
            text=s.text.strip(),
            words=tuple(clean_word(w.word, w.start, w.end, w.probability) for w in s.words or ()),
            avg_logprob=s.avg_logprob,
            no_speech_prob=s.no_speech_prob,
        )
        for s in segments
    )


class FasterWhisperRecognizer:
    """A SpeechRecognizer over a CTranslate2 Whisper folder."""

    def __init__(self, entry: ModelEntry, device: str, cache_dir: Path) -> None:
        from faster_whisper import WhisperModel  # heavy; imported when the model loads

        self.entry = entry
        self.device = device
        self.prepared = prepare(entry, cache_dir)
        kind, _, index = device.partition(":")
        compute_type = entry.dtype.get(kind, "default")
        self.beam_size = int(entry.options.get("beam_size", 5))
        try:
            self._model = WhisperModel(
                str(self.prepared["folder"]),
                device=kind,
                device_index=int(index or 0),
                compute_type=compute_type,
                cpu_threads=int(entry.options.get("cpu_threads", 0)),  # 0: CTranslate2 decides
            )
        except (RuntimeError, ValueError) as exc:
            raise BackendUnavailable(
                f"model {entry.name!r}: faster-whisper cannot run on {device!r} with "
                f"{compute_type} ({exc}); pin another device with INTERVIEW_DEVICE_POLICY "
                f"or change dtype in models/{entry.name}.yaml"
            ) from exc

    def transcribe(
        self, audio: Audio, language: str | None = None, word_timestamps: bool = True
    ) -> Transcription:
        """Transcribe 16 kHz mono audio, detecting the language unless it is given."""
        samples = as_audio(audio)
        try:
            segments, info = self._model.transcribe(
                samples,
                language=language,
                beam_size=self.beam_size,
                word_timestamps=word_timestamps,
            )
            raw = list(segments)  # a generator: decoding happens here
        except ValueError as exc:  # e.g. a language code the model does not know
            raise InvalidInput(f"model {self.entry.name!r} cannot transcribe: {exc}") from exc
        result = _segments(raw)
        return Transcription(
            text="".join(s.text for s in raw).strip(),  # segments carry their own spaces
            language=info.language,
            language_probability=info.language_probability,
            duration=info.duration,
            segments=result,
            model=self.entry.name,
            engine=ENGINE,
        )
