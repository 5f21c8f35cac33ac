"""Media decoding: the one module that opens audio (and later video) files, through PyAV."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO

import av
import numpy as np
import numpy.typing as npt

from interview.errors import InvalidInput

log = logging.getLogger(__name__)

SAMPLE_RATE = 16_000  # Hz; what every speech model in the catalogue expects

Source = Path | bytes | BinaryIO


def _describe(source: Source) -> str:
    if isinstance(source, Path):
        return str(source)
    if isinstance(source, bytes):
        return f"{len(source)} bytes of media"
    return str(getattr(source, "name", None) or "the uploaded stream")


@contextmanager
def _open_audio(source: Source) -> Iterator[tuple[av.container.InputContainer, av.AudioStream]]:
    """Open `source` and yield its first audio stream; FFmpeg errors become InvalidInput."""
    what = _describe(source)
    if isinstance(source, Path) and not source.is_file():
        raise InvalidInput(f"media file {what} does not exist; check the path")
    if source == b"":
        raise InvalidInput("media is empty (0 bytes); send a recorded audio file")
    file: str | BinaryIO
    if isinstance(source, Path):
        file = str(source)
    elif isinstance(source, bytes):
        file = io.BytesIO(source)
    else:
        file = source
    try:
        container = av.open(file, mode="r")
    except (av.FFmpegError, EOFError, OSError) as exc:
        raise InvalidInput(
            f"could not decode {what}: {exc}; send WAV, FLAC, MP3, OGG or WebM"
        ) from exc
    with container:
        if not container.streams.audio:
            raise InvalidInput(f"no audio stream in {what}; record with a microphone enabled")
        try:
            yield container, container.streams.audio[0]
        except (av.FFmpegError, EOFError) as exc:
            # Truncated or corrupt packets surface only while decoding.
            raise InvalidInput(
                f"could not decode {what}: {exc}; the file may be truncated"
            ) from exc


def decode_audio(source: Source, sr: int = SAMPLE_RATE) -> npt.NDArray[np.float32]:
    """Decode the first audio stream to mono float32 at `sr` Hz (FFmpeg's downmix, as Whisper's)."""
    resampler = av.AudioResampler(format="flt", layout="mono", rate=sr)
    chunks: list[npt.NDArray[Any]] = []
    bad_packets = 0
    with _open_audio(source) as (container, stream):
        for packet in container.demux(stream):
            try:
                frames = packet.decode()
            except av.FFmpegError:
                # Like the ffmpeg program, skip a damaged packet (a cut-off upload ends in
                # one) rather than lose the whole answer.
                bad_packets += 1
                continue
            for frame in frames:
                chunks.extend(out.to_ndarray().reshape(-1) for out in resampler.resample(frame))
        # Flush the resampler's delay line.
        chunks.extend(out.to_ndarray().reshape(-1) for out in resampler.resample(None))
    if bad_packets:
        if not chunks:
            raise InvalidInput(
                f"could not decode {_describe(source)}: all {bad_packets} audio packets are "
                "damaged; record the answer again"
            )
        log.warning("skipped %d damaged audio packets in %s", bad_packets, _describe(source))
    if not chunks:
        return np.zeros(0, dtype=np.float32)
    return np.concatenate(chunks).astype(np.float32, copy=False)


def audio_duration(source: Source) -> float:
    """Seconds of audio: the stream header when it says, else counted by decoding (WebM)."""
    with _open_audio(source) as (container, stream):
        if stream.duration is not None and stream.time_base is not None:
            return float(stream.duration * stream.time_base)
        samples = sum(frame.samples for frame in container.decode(stream))
        return samples / stream.rate if stream.rate else 0.0
