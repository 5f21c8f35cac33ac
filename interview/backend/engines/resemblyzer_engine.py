"""Resemblyzer's GE2E voice encoder: 256-d speaker vectors of short clips (VoiceEmbedder).

The weights (pretrained.pt, 17 MB) ship inside the Resemblyzer wheel and are read in place
after their checksum is verified; nothing is downloaded. The vectors say whether two clips
sound like the same speaker; nothing here reads tone, mood or emotion.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import numpy as np

from interview.backend.catalogue import ModelEntry
from interview.backend.engines._faces import package_files, require_cpu
from interview.backend.protocols import Audio, Vectors
from interview.errors import InvalidInput

SAMPLE_RATE = 16_000  # the encoder's mel front end assumes it
MIN_CLIP_S = 0.5  # shorter clips give vectors that say little about the speaker


def prepare(entry: ModelEntry, cache_dir: Path) -> dict[str, Any]:
    """Locate pretrained.pt inside the resemblyzer package and verify its checksum."""
    return package_files(entry, entry.source.module or "resemblyzer")


class ResemblyzerVoiceEmbedder:
    """A 3-layer LSTM over 40 mel bands; one unit-length 256-d vector per clip."""

    def __init__(self, entry: ModelEntry, device: str, cache_dir: Path) -> None:
        import torch

        with warnings.catch_warnings():  # its audio module imports scipy.ndimage.morphology
            warnings.simplefilter("ignore", DeprecationWarning)
            from resemblyzer import VoiceEncoder
            from resemblyzer.audio import wav_to_mel_spectrogram

        require_cpu(entry, device)
        self.entry = entry
        self.files = prepare(entry, cache_dir)
        self.dimension = entry.dimension or 256
        self._torch = torch
        self._mel = wav_to_mel_spectrogram
        self._encoder = VoiceEncoder("cpu", verbose=False, weights_fpath=self.files["file"])
        self._encoder.eval()

    def embed_voices(self, clips: Audio) -> Vectors:
        """Rows of `clips` (n x samples, 16 kHz, equal length) -> (n, 256) float32 vectors."""
        clips = np.asarray(clips)
        if clips.ndim != 2 or clips.shape[0] == 0:
            raise InvalidInput(
                f"voice clips must be a 2-D array (clips x samples); got shape {clips.shape}"
            )
        if clips.shape[1] < MIN_CLIP_S * SAMPLE_RATE:
            raise InvalidInput(
                f"voice clips are {clips.shape[1] / SAMPLE_RATE:.2f} s long; "
                f"give at least {MIN_CLIP_S} s at {SAMPLE_RATE} Hz"
            )
        mels = np.stack([self._mel(c.astype(np.float32)) for c in clips])  # (n, frames, 40)
        with self._torch.inference_mode():
            out = self._encoder(self._torch.from_numpy(mels)).numpy()
        # A silent clip has an all-zero ReLU output, which the encoder's normalising turns into
        # NaN; zero vectors keep it harmless (similarity 0 to everything).
        return np.nan_to_num(out, nan=0.0).astype(np.float32)
