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


def _readable(source: Source, noun: str, kind: str) -> str | BinaryIO:
    """What av.open() takes; a missing file or empty bytes is InvalidInput naming it."""
    if isinstance(source, Path) and not source.is_file():
        raise InvalidInput(f"{noun} file {_describe(source)} does not exist; check the path")
    if source == b"":
        raise InvalidInput(f"{noun} is empty (0 bytes); send a recorded {kind}")
    if isinstance(source, Path):
        return str(source)
    if isinstance(source, bytes):
        return io.BytesIO(source)
    return source


@contextmanager
def _open_audio(source: Source) -> Iterator[tuple[av.container.InputContainer, av.AudioStream]]:
    """Open `source` and yield its first audio stream; FFmpeg errors become InvalidInput."""
    what = _describe(source)
    file = _readable(source, "media", "audio file")
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


def stream_audio(source: BinaryIO, sr: int = SAMPLE_RATE) -> Iterator[npt.NDArray[np.float32]]:
    """Decode the first audio stream block by block as its bytes arrive: `source` may block in
    read() until more come (a recording still being uploaded). Together the blocks are the
    samples decode_audio gives; damaged packets are skipped and a cut-off end stops quietly."""
    resampler = av.AudioResampler(format="flt", layout="mono", rate=sr)
    with _open_audio(source) as (container, stream):
        packets = container.demux(stream)
        while True:
            try:
                packet = next(packets)
            except StopIteration:
                break
            except (av.FFmpegError, EOFError, OSError) as exc:
                log.warning("audio of %s ends early: %s", _describe(source), exc)
                break
            try:
                frames = packet.decode()
            except av.FFmpegError:
                continue  # a damaged packet, skipped as decode_audio skips it
            for frame in frames:
                for out in resampler.resample(frame):
                    yield out.to_ndarray().reshape(-1).astype(np.float32, copy=False)
        for out in resampler.resample(None):  # the resampler's delay line
            yield out.to_ndarray().reshape(-1).astype(np.float32, copy=False)


def audio_duration(source: Source) -> float:
    """Seconds of audio: the stream header when it says, else counted by decoding (WebM)."""
    with _open_audio(source) as (container, stream):
        if stream.duration is not None and stream.time_base is not None:
            return float(stream.duration * stream.time_base)
        samples = sum(frame.samples for frame in container.decode(stream))
        return samples / stream.rate if stream.rate else 0.0


# -- video ---------------------------------------------------------------------------------

VIDEO_FPS = 3.0  # frames per second sampled for perception; head pose and gaze change slower
VIDEO_MAX_SIDE = 640  # pixels; face models work at <= 640 px, larger frames only cost time
TIME_SLACK = 0.002  # seconds; WebM stamps frames to the millisecond (2.333 for 2.3333...)


@contextmanager
def _open_video(source: Source) -> Iterator[tuple[av.container.InputContainer, av.VideoStream]]:
    """Open `source` and yield its first video stream; FFmpeg errors become InvalidInput."""
    what = _describe(source)
    file = _readable(source, "video", "video file")
    try:
        container = av.open(file, mode="r")
    except (av.FFmpegError, EOFError, OSError) as exc:
        raise InvalidInput(f"could not decode {what}: {exc}; send MP4, WebM or AVI video") from exc
    with container:
        if not container.streams.video:
            raise InvalidInput(f"no video stream in {what}; record with the camera enabled")
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"  # frame and slice threads: decoding is most of the cost
        yield container, stream


def _clockwise(rotation: int) -> int:
    """Degrees to turn a stored frame clockwise to show it upright, from FFmpeg's display
    matrix angle (counter-clockwise; phones write -90 for a portrait clip): 0, 90, 180, 270."""
    return (-round(rotation / 90) * 90) % 360


def _upright(frame: av.VideoFrame, max_side: int, turn: int) -> npt.NDArray[np.uint8]:
    """The frame as upright BGR, scaled (by FFmpeg's swscale) so its long side <= max_side."""
    scale = min(1.0, max_side / max(frame.width, frame.height))
    width, height = max(1, round(frame.width * scale)), max(1, round(frame.height * scale))
    image = np.asarray(frame.to_ndarray(width=width, height=height, format="bgr24"), np.uint8)
    if turn:
        # np.rot90 turns counter-clockwise for positive k.
        image = np.ascontiguousarray(np.rot90(image, k=-(turn // 90)))
    return image


def iter_frames(
    source: Source, fps: float = VIDEO_FPS, max_side: int = VIDEO_MAX_SIDE
) -> Iterator[tuple[float, npt.NDArray[np.uint8]]]:
    """Upright BGR frames sampled ~`fps` per second by timestamp, as (seconds, image).

    Seconds count from the first decoded frame. The stream's rotation tag is applied and
    frames shrink so their long side is at most `max_side` pixels. A truncated recording
    yields the frames it has, then stops; a file with no decodable frame is InvalidInput.
    """
    if not fps > 0:
        raise InvalidInput(f"fps is {fps}; sample at least one frame per run (e.g. fps=3)")
    if max_side < 16:
        raise InvalidInput(f"max_side is {max_side} px; use 16 or more (e.g. 640)")
    what = _describe(source)
    step = 1.0 / fps
    with _open_video(source) as (container, stream):
        rate = float(stream.average_rate or stream.guessed_rate or 30)  # frames per second
        origin: float | None = None
        next_t = 0.0
        decoded = bad_packets = 0
        packets = container.demux(stream)
        while True:
            try:
                packet = next(packets)
            except StopIteration:
                break
            except (av.FFmpegError, EOFError, OSError) as exc:
                # A cut-off upload ends mid-packet; keep what was decoded.
                log.warning("video %s ends early after %d frames: %s", what, decoded, exc)
                break
            try:
                frames = packet.decode()
            except av.FFmpegError:
                bad_packets += 1  # a damaged packet, as the ffmpeg program skips it
                continue
            for frame in frames:
                # Timestamps, not frame counts: phone and browser clips have variable rates.
                t = float(frame.time) if frame.time is not None else decoded / rate
                decoded += 1
                if origin is None:
                    origin = t
                t -= origin
                if t + TIME_SLACK < next_t:
                    continue
                while next_t <= t + TIME_SLACK:
                    next_t += step
                yield round(t, 4), _upright(frame, max_side, _clockwise(frame.rotation))
    if bad_packets:
        log.warning("skipped %d damaged video packets in %s", bad_packets, what)
    if not decoded:
        raise InvalidInput(
            f"could not decode any video frame from {what}"
            + (f" ({bad_packets} damaged packets)" if bad_packets else "")
            + "; record the answer again"
        )


def video_duration(source: Source) -> float:
    """Seconds of video: the stream header when it says, else from packet timestamps (WebM
    from a browser has no duration; FFmpeg's own guess from the bit rate can be far off)."""
    with _open_video(source) as (container, stream):
        if stream.duration is not None and stream.time_base is not None:
            return float(stream.duration * stream.time_base)
        first: int | None = None
        last = 0
        try:
            for packet in container.demux(stream):
                if packet.pts is None:
                    continue
                first = packet.pts if first is None else min(first, packet.pts)
                last = max(last, packet.pts + (packet.duration or 0))
        except (av.FFmpegError, EOFError, OSError) as exc:
            log.warning("video %s ends early: %s", _describe(source), exc)
        if first is not None and stream.time_base is not None:
            return float((last - first) * stream.time_base)
        return container.duration / 1_000_000 if container.duration else 0.0  # microseconds


# -- validating uploads -------------------------------------------------------------------
MEDIA_TYPES = {  # container sniffed from magic bytes -> the MIME type we store
    "webm": "video/webm",
    "mp4": "video/mp4",
    "wav": "audio/wav",
    "flac": "audio/flac",
    "ogg": "audio/ogg",
    "mp3": "audio/mpeg",
}


def sniff_media(data: bytes) -> str:
    """The container named by the file's first bytes (never by its name); InvalidInput else."""
    if not data:
        raise InvalidInput("the recording is empty (0 bytes)")
    head = data[:16]
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "webm"
    if head[4:8] == b"ftyp":
        return "mp4"
    if head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        return "wav"
    if head.startswith(b"fLaC"):
        return "flac"
    if head.startswith(b"OggS"):
        return "ogg"
    if head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return "mp3"
    raise InvalidInput(
        "the file is not a recording we accept (webm, mp4, wav, flac, ogg or "
        "mp3, recognised by its content, not its name)"
    )


def probe_media(data: bytes) -> tuple[bool, bool]:
    """(has audio, has video) after checking the media decodes; InvalidInput names the problem."""
    sniff_media(data)
    try:
        with av.open(io.BytesIO(data)) as container:
            has_audio = any(s.type == "audio" for s in container.streams)
            has_video = any(s.type == "video" for s in container.streams)
    except av.error.FFmpegError as exc:
        raise InvalidInput(f"the recording could not be read ({exc}); record it again") from exc
    if not has_audio:
        raise InvalidInput("the recording has no sound track; check the microphone")
    decode_audio(data)  # raises InvalidInput when nothing decodes (truncated, corrupt)
    return has_audio, has_video
