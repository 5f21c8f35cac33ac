"""Live transcription: the transcript of a recorded answer is built while its chunks arrive.

The browser uploads a recording as consecutive byte ranges of one WebM stream every few
seconds. Transcribing a 60-90 s answer only once it ends costs several seconds on a small CPU,
too late for a follow-up question. So each answer gets a LiveTranscriber: a decoder thread
turns the growing stream into samples as its bytes arrive (media.stream_audio; each byte is
decoded once, and the samples are exactly those of decoding the whole file), and whenever it
has caught up, a step on a small shared executor looks for a settled cut (the middle of a
pause that speech has resumed after, or a silence that has lasted, never within stitch.GUARD_S of
the decoded end) and transcribes the new stretch with the same `transcribe` the whole-file
path uses. At the end only the unsettled tail is left to transcribe, and the pieces merge into
one Transcript with answer-relative times.

Correctness never depends on the live state: LiveSessions.finish on an answer it does not
hold (the server restarted mid-answer, the state was dropped, the chunks fed do not match the
stored recording) transcribes the whole assembled recording instead."""

from __future__ import annotations

import hashlib
import logging
import threading
import time
import weakref
from collections.abc import Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from typing import BinaryIO, cast

import numpy as np

from interview.backend.protocols import Audio, SpeechRecognizer
from interview.backend.registry import Backend
from interview.backend.schemas import Transcription
from interview.errors import InterviewError, InvalidInput
from interview.perception.media import SAMPLE_RATE, sniff_media, stream_audio
from interview.perception.schemas import Transcript
from interview.perception.stitch import MIN_STRETCH_S, choose_cut, merge_pieces
from interview.perception.transcript import transcribe, transcribe_media

log = logging.getLogger(__name__)

IDLE_S = 900.0  # s; live state of an answer nobody fed or finished for this long is dropped
MAX_LIVE = 64  # answers held live at once; beyond it the least recently fed is dropped
WORKERS = 2  # background threads per process; the recognizer queue serialises model calls

Key = tuple[str, str, int]  # (session id, question id, attempt)
COUNTS = (
    "finished_live",  # the transcript was built while the chunks arrived
    "finished_whole",  # no live state (restart, never started, dropped): transcribed whole
    "finished_fallback",  # live state was there but unusable (chunks differ from the recording)
    "dropped_idle",  # live state untouched for idle_s
    "dropped_full",  # live state beyond max_live
    "dropped_gap",  # a chunk came after missing bytes
    "discarded",  # the caller discarded it
)


# -- one answer ----------------------------------------------------------------------------
class _Pinned:
    """The recognizer with the answer's language forced once its first stretch decided it,
    as the whole-file path forces its later 30 s windows to the first one's language."""

    def __init__(self, recognizer: SpeechRecognizer) -> None:
        self.recognizer = recognizer
        self.language: str | None = None

    def transcribe(
        self, audio: Audio, language: str | None = None, word_timestamps: bool = True
    ) -> Transcription:
        return self.recognizer.transcribe(
            audio, language=self.language or language, word_timestamps=word_timestamps
        )


class _Pipe:
    """Bytes written as chunks arrive, read by the decoder; read() blocks until more come or
    the pipe is closed, and calls `starved` first (everything written so far was read).
    Bytes once read are let go: a video answer's stream can be tens of megabytes."""

    def __init__(self, starved: Callable[[], None]) -> None:
        self.name = "the live recording"  # how media.py names it in messages
        self._starved = starved
        self._cv = threading.Condition()
        self._buf = bytearray()
        self._closed = False

    def write(self, data: bytes) -> None:
        with self._cv:
            self._buf.extend(data)
            self._cv.notify_all()

    def close(self) -> None:
        with self._cv:
            self._closed = True
            self._cv.notify_all()

    def read(self, size: int = -1) -> bytes:
        with self._cv:
            ready = bool(self._buf) or self._closed
        if not ready:
            self._starved()
        with self._cv:
            while not self._buf and not self._closed:
                self._cv.wait()
            n = len(self._buf) if size < 0 else min(size, len(self._buf))
            out = bytes(self._buf[:n])
            del self._buf[:n]
            return out


_shared: ThreadPoolExecutor | None = None
_shared_lock = threading.Lock()


def shared_executor() -> ThreadPoolExecutor:
    """The process's pool of WORKERS background threads for live transcription."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="live-asr")
        return _shared


class LiveTranscriber:
    """Transcribes one answer while its chunks arrive; `finish` returns the whole Transcript.

    A decoder thread of its own turns the growing stream into samples as bytes arrive (each
    byte decoded once; it sleeps while no bytes come). Whenever it has decoded all that was
    fed, a step on the shared executor looks for a settled stretch and transcribes it; steps
    of one answer run one at a time. `feed` never decodes or waits for the model.
    """

    def __init__(
        self,
        recognizer: SpeechRecognizer,
        language: str | None,
        model_name: str,
        executor: Executor | None = None,
        min_stretch_s: float = MIN_STRETCH_S,
    ) -> None:
        if language is not None and language not in ("en", "zh"):
            raise InvalidInput(f"language {language!r} is not supported; use 'en' or 'zh'")
        self.recognizer = recognizer
        self.language = language
        self.model_name = model_name
        self.min_stretch_s = min_stretch_s
        self._executor = executor or shared_executor()
        self._pinned = _Pinned(recognizer)
        self._lock = threading.Lock()
        self._step_done = threading.Condition(self._lock)
        self._pipe = _Pipe(self._kick)
        self._fed = 0  # bytes fed
        self._digest = hashlib.sha256()  # of the bytes fed, to check the stored recording
        self._decoder: threading.Thread | None = None
        self._blocks: list[Audio] = []  # samples decoded so far, in order
        self._decode_error = ""
        self._pieces: list[tuple[float, Transcript]] = []
        self._cut = 0  # samples already transcribed: the pieces cover [0, _cut)
        self._running = False  # a step is scheduled or running
        self._active = False  # a step is running (finish waits for it, not for queued ones)
        self._again = False  # more audio was decoded since the running step looked
        self._closing = False  # finish() or close() was called: no more model calls start
        self._dropped = False  # close() was called: the live state is incomplete
        self._result: Transcript | None = None
        self.fallback = ""  # after finish: why the recording was transcribed whole, if it was

    @property
    def bytes_fed(self) -> int:
        with self._lock:
            return self._fed

    @property
    def settled_s(self) -> float:
        """Seconds of audio already transcribed in the background."""
        with self._lock:
            return self._cut / SAMPLE_RATE

    def feed(self, data: bytes) -> None:
        """Append the next chunk of the recording (chunks in order); returns at once."""
        with self._lock:
            if self._closing:
                log.warning("a chunk for a finished or dropped answer was ignored")
                return
            self._fed += len(data)
            self._digest.update(data)
            if self._decoder is None:
                self._decoder = threading.Thread(
                    target=self._decode, name="live-decode", daemon=True
                )
                self._decoder.start()
            self._pipe.write(data)

    def close(self) -> None:
        """Stop work on an abandoned answer (a model call running now still ends)."""
        with self._lock:
            self._closing = self._dropped = True
        self._pipe.close()

    # background ------------------------------------------------------------------------
    def _decode(self) -> None:
        try:
            for block in stream_audio(cast(BinaryIO, self._pipe), SAMPLE_RATE):
                with self._lock:
                    self._blocks.append(block)
        except Exception as exc:  # candidate media: finish() decides what to do with it
            log.warning("live decoding stopped: %s", exc)
            with self._lock:
                self._decode_error = str(exc)
            self._pipe.close()

    def _audio(self) -> Audio:
        """The samples decoded so far, as one array (kept as one block from then on)."""
        with self._lock:
            if len(self._blocks) > 1:
                self._blocks = [np.concatenate(self._blocks)]
            return self._blocks[0] if self._blocks else np.zeros(0, np.float32)

    def _kick(self) -> None:
        """The decoder caught up with the bytes fed: look for a settled stretch."""
        with self._lock:
            if self._closing:
                return
            if self._running:
                self._again = True
                return
            self._running = True
        self._schedule()

    def _schedule(self) -> None:
        try:
            self._executor.submit(self._step)
        except RuntimeError:  # the executor is shut down (the process is stopping)
            with self._lock:
                self._running = False

    def _step(self) -> None:
        """Transcribe the next settled stretch; run again if more audio came meanwhile or more
        is settled already (at the back of the executor's queue, so that answers recorded at
        the same time take turns). A step still queued when finish() comes does nothing."""
        with self._lock:
            if self._closing:
                self._running = False
                return
            self._active = True
            self._again = False
        progressed = False
        try:
            progressed = self._advance()
        except InterviewError as exc:  # a busy or missing model: finish() transcribes the rest
            log.warning("live transcription step failed, left for the end: %s", exc)
        except Exception:
            log.exception("live transcription step failed, left for the end")
        with self._lock:
            self._active = False
            again = (self._again or progressed) and not self._closing
            self._running = again
            self._step_done.notify_all()
        if again:
            self._schedule()

    def _advance(self) -> bool:
        """Transcribe the next settled stretch, if there is one; whether there was."""
        audio = self._audio()
        with self._lock:
            start = self._cut
        rest = audio[start:]
        cut = choose_cut(rest, SAMPLE_RATE, self.min_stretch_s)
        if cut is None or cut <= 0:
            return False
        with self._lock:
            if self._closing:
                return False  # finish() takes this audio with the tail, in one model call
        piece = transcribe(self._pinned, rest[:cut], self.language, self.model_name)
        with self._lock:
            self._pieces.append((start / SAMPLE_RATE, piece))
            self._cut = start + cut
            if piece.status == "ok" and self._pinned.language is None:
                self._pinned.language = piece.language
        return True

    # the end ---------------------------------------------------------------------------
    def finish(self, assembled: bytes | None = None) -> Transcript:
        """The whole answer's Transcript, once the unsettled tail is transcribed.

        `assembled` is the stored recording when the caller has it: bytes past those fed are
        fed first, and a recording that does not begin with the fed bytes is transcribed
        whole. Blocks (call it from a worker thread in async code); later calls return the
        same Transcript.
        """
        with self._lock:
            if self._result is not None:
                return self._result
            fed = self._fed
            same = assembled is None or (
                len(assembled) >= fed
                and hashlib.sha256(assembled[:fed]).digest() == self._digest.digest()
            )
        if assembled is not None and same and len(assembled) > fed:
            self.feed(assembled[fed:])
        with self._lock:
            self._closing = True
            decoder = self._decoder
        self._pipe.close()
        if decoder is not None:
            decoder.join()
        with self._step_done:
            while self._active:  # a model call under way: its stretch is not redone
                self._step_done.wait()
        result = self._complete(assembled, same)
        with self._lock:
            self._result = result
        return result

    def _complete(self, assembled: bytes | None, same: bool) -> Transcript:
        with self._lock:
            pieces, cut, error, fed = list(self._pieces), self._cut, self._decode_error, self._fed
            dropped = self._dropped
        if assembled is not None and (not same or error or dropped):
            why = (
                "differ from the stored recording"
                if not same
                else f"did not decode ({error})"
                if error
                else "were dropped before the end"
            )
            log.warning("live chunks (%d bytes) %s; transcribing the recording whole", fed, why)
            self.fallback = why
            return transcribe_media(self.recognizer, assembled, self.language, self.model_name)
        if error or fed == 0:
            note = f"media could not be decoded ({error})" if error else "no recording was fed"
            return Transcript(
                text="",
                language=self.language or "",
                duration_s=0.0,
                status="failed",
                note=note,
                model=self.model_name,
            )
        audio = self._audio()
        if cut < len(audio):
            tail = transcribe(self._pinned, audio[cut:], self.language, self.model_name)
            pieces.append((cut / SAMPLE_RATE, tail))
        merged = merge_pieces(pieces, len(audio) / SAMPLE_RATE, self.language, self.model_name)
        if merged.status == "silent":
            # Free: a silent recording never reaches the model, and this gives its exact note.
            return transcribe(self.recognizer, audio, self.language, self.model_name)
        return merged


# -- every answer being recorded -----------------------------------------------------------
class _Entry:
    def __init__(self, transcriber: LiveTranscriber, now: float) -> None:
        self.transcriber = transcriber
        self.touched = now


class LiveSessions:
    """The answers being recorded in this process, keyed by (session id, question id, attempt).

    Thread-safe. State of an answer untouched for `idle_s` seconds, or beyond the `max_live`
    most recently fed, is dropped (checked on every call); `finish` on an answer without live
    state transcribes the assembled recording whole, so dropping costs time, never words.
    """

    def __init__(
        self,
        recognizer: SpeechRecognizer,
        model_name: str,
        idle_s: float = IDLE_S,
        max_live: int = MAX_LIVE,
        executor: Executor | None = None,
        clock: Callable[[], float] = time.monotonic,
        min_stretch_s: float = MIN_STRETCH_S,
    ) -> None:
        if idle_s <= 0 or max_live < 1:
            raise InvalidInput(f"idle_s={idle_s} and max_live={max_live} must be positive")
        self.recognizer = recognizer
        self.model_name = model_name
        self.idle_s = idle_s
        self.max_live = max_live
        self._executor = executor
        self._clock = clock
        self.min_stretch_s = min_stretch_s
        self._lock = threading.Lock()
        self._live: dict[Key, _Entry] = {}
        # What happened to answers, for metrics: finished live or whole, live state dropped.
        self.counts = dict.fromkeys(COUNTS, 0)

    def __len__(self) -> int:
        with self._lock:
            return len(self._live)

    def __contains__(self, key: object) -> bool:
        with self._lock:
            return key in self._live

    def feed(self, key: Key, data: bytes, language: str | None, offset: int | None = None) -> None:
        """Feed the next chunk of an answer. `offset` (optional) is the chunk's byte position in
        the recording: a repeated chunk is ignored, and a gap drops the live state (finish then
        transcribes the whole recording). A first chunk that does not start a recording (the
        process restarted mid-answer) starts no live state."""
        now = self._clock()
        with self._lock:
            dropped = self._expire(now)
            entry = self._live.get(key)
            if entry is None:
                if (offset or 0) != 0 or not _starts_recording(data):
                    return
                transcriber = LiveTranscriber(
                    self.recognizer, language, self.model_name, self._executor, self.min_stretch_s
                )
                entry = _Entry(transcriber, now)
                self._live[key] = entry
                dropped += self._trim()
            entry.touched = now
            transcriber = entry.transcriber
            held = transcriber.bytes_fed
            gap = offset is not None and offset > held
            if gap:
                del self._live[key]
                dropped.append(transcriber)
                self.counts["dropped_gap"] += 1
        for old in dropped:
            old.close()
        if gap:
            log.warning(
                "answer %s: chunk at byte %s after %d bytes; live state dropped", key, offset, held
            )
            return
        if offset is not None and offset < held:
            data = data[held - offset :]  # a repeated (retried) chunk, or its overlap
            if not data:
                return
        transcriber.feed(data)

    def finish(self, key: Key, assembled: bytes, language: str | None) -> Transcript:
        """The answer's Transcript; `assembled` is the whole stored recording (used to feed a
        missing last chunk, or transcribed whole when the answer has no live state). Blocks."""
        with self._lock:
            dropped = self._expire(self._clock())
            entry = self._live.pop(key, None)
        for old in dropped:
            old.close()
        if entry is None:
            with self._lock:
                self.counts["finished_whole"] += 1
            return transcribe_media(self.recognizer, assembled, language, self.model_name)
        result = entry.transcriber.finish(assembled)
        with self._lock:
            self.counts["finished_fallback" if entry.transcriber.fallback else "finished_live"] += 1
        return result

    def settled_s(self, key: Key) -> float | None:
        """Seconds of an answer already transcribed in the background; None if not live."""
        with self._lock:
            entry = self._live.get(key)
        return entry.transcriber.settled_s if entry is not None else None

    def discard(self, key: Key) -> bool:
        """Drop an answer's live state (recording abandoned or restarted); True if there was one."""
        with self._lock:
            entry = self._live.pop(key, None)
            self.counts["discarded"] += entry is not None
        if entry is not None:
            entry.transcriber.close()
        return entry is not None

    def expire(self) -> int:
        """Drop the state of answers idle past `idle_s`; how many were dropped."""
        with self._lock:
            dropped = self._expire(self._clock())
        for old in dropped:
            old.close()
        return len(dropped)

    def _expire(self, now: float) -> list[LiveTranscriber]:
        old = [k for k, e in self._live.items() if now - e.touched > self.idle_s]
        if old:
            log.info("dropping live state of %d idle answer(s)", len(old))
            self.counts["dropped_idle"] += len(old)
        return [self._live.pop(k).transcriber for k in old]

    def _trim(self) -> list[LiveTranscriber]:
        over = len(self._live) - self.max_live
        if over <= 0:
            return []
        oldest = sorted(self._live, key=lambda k: self._live[k].touched)[:over]
        log.warning("more than %d answers live; dropping %d", self.max_live, over)
        self.counts["dropped_full"] += over
        return [self._live.pop(k).transcriber for k in oldest]


_PER_BACKEND: weakref.WeakKeyDictionary[object, LiveSessions] = weakref.WeakKeyDictionary()
_PER_BACKEND_LOCK = threading.Lock()


def live_sessions(backend: Backend, model: str = "whisper-base") -> LiveSessions:
    """The process's LiveSessions for `backend` (one per backend, made on first use)."""
    with _PER_BACKEND_LOCK:
        live = _PER_BACKEND.get(backend)
        if live is None:
            live = _PER_BACKEND[backend] = LiveSessions(backend.recognizer(model), model)
        return live


def chunk_offset(sizes: dict[int, int], seq: int) -> int | None:
    """Byte position of chunk `seq` in its recording from the stored chunks' sizes by
    number; None while an earlier chunk is missing (it arrived out of order)."""
    if any(n not in sizes for n in range(seq)):
        return None
    return sum(sizes[n] for n in range(seq))


def _starts_recording(data: bytes) -> bool:
    try:
        sniff_media(data)
    except InvalidInput:
        return False
    return True
