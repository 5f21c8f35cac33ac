"""Live transcription: the live machinery with a fake recognizer on real WebM chunks, and
real Whisper base on ~57 s of espeak-ng speech fed chunk by chunk, compared with
transcribing the whole file. Cut choice and merging: tests/perception/test_stitch.py."""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from collections.abc import Callable

import numpy as np
import pytest

from interview.backend.protocols import Audio
from interview.backend.schemas import Segment, Transcription, Word
from interview.candidate.live import LiveSessions, LiveTranscriber
from interview.errors import InvalidInput
from interview.perception.media import SAMPLE_RATE, decode_audio
from interview.perception.schemas import Transcript
from interview.perception.stitch import GUARD_S, MIN_STRETCH_S
from interview.perception.transcript import transcribe_media

MODEL = "whisper-base"
SR = SAMPLE_RATE
SENTENCES = [
    "Last March, at the Northgate store where I work, our card reader failed on a Saturday.",
    "About thirty people were queuing, and some of them were getting angry.",
    "I was the shift supervisor, so it was my job to keep the queue moving.",
    "First I opened the backup till and asked a colleague to take cash payments.",
    "Then I walked along the queue and told each customer what was going on.",
    "I called the helpdesk myself and stayed on the line until they reset the terminal.",
    "As a result, the queue was down to five people within twenty minutes.",
    "Nobody left without paying, and two customers thanked us on the way out.",
]

LONG = SENTENCES + SENTENCES[:2]  # ~57 s with the pauses


# -- recordings ----------------------------------------------------------------------------
def _need_tools() -> None:
    for tool in ("espeak-ng", "ffmpeg"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} is not installed (make sysdeps)")


def _speak(text: str) -> Audio:
    wav = subprocess.run(
        ["espeak-ng", "-v", "en", "-s", "150", "--stdout", text], capture_output=True, check=True
    ).stdout
    return decode_audio(wav)


def _webm(audio: Audio) -> bytes:
    """WebM/Opus written to a pipe: unsized and unseekable, like the browser's MediaRecorder."""
    pcm = (np.clip(audio, -1, 1) * 32767).astype("<i2").tobytes()
    return subprocess.run(
        ["ffmpeg", "-v", "error", "-f", "s16le", "-ar", str(SR), "-ac", "1", "-i", "pipe:0"]
        + ["-c:a", "libopus", "-b:a", "32k", "-f", "webm", "pipe:1"],
        input=pcm,
        capture_output=True,
        check=True,
    ).stdout


def _recording(sentences: list[str], pauses: list[float], seed: int = 0) -> tuple[bytes, float]:
    """Speech with the given pause after each sentence and a faint noise floor, as WebM."""
    parts = [np.zeros(int(0.5 * SR), np.float32)]
    for text, pause in zip(sentences, pauses, strict=True):
        parts += [_speak(text), np.zeros(int(pause * SR), np.float32)]
    audio = np.concatenate(parts)
    audio += np.random.default_rng(seed).normal(0, 0.001, len(audio)).astype(np.float32)
    return _webm(audio), len(audio) / SR


def _chunks(data: bytes, duration_s: float, chunk_s: float = 2.5) -> list[bytes]:
    """Consecutive byte ranges of ~chunk_s seconds each, as MediaRecorder uploads them."""
    step = max(1, round(len(data) * chunk_s / duration_s))
    return [data[i : i + step] for i in range(0, len(data), step)]


@pytest.fixture(scope="module")
def short_answer() -> tuple[bytes, float]:
    _need_tools()
    return _recording(SENTENCES[:4], [0.5, 0.6, 0.45, 0.3])


@pytest.fixture(scope="module")
def long_answer() -> tuple[bytes, float]:
    _need_tools()
    pauses = [0.5, 0.9, 0.4, 0.7, 1.1, 0.5, 0.8, 0.6, 0.45, 0.4]
    return _recording(LONG, pauses)


def _wait_settled(settled: Callable[[], float | None], seconds: float) -> float:
    """Wait (at most 5 minutes) until `seconds` of audio were transcribed in the background."""
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        done = settled()
        if done is not None and done >= seconds:
            return done
        time.sleep(0.05)
    raise AssertionError(f"the background transcribed less than {seconds} s in 5 minutes")


# -- the machinery, with a fake recognizer --------------------------------------------------
class Fake:
    """A SpeechRecognizer that records the audio of each call and hears one word in it."""

    def __init__(self) -> None:
        self.calls: list[Audio] = []

    def transcribe(
        self, audio: Audio, language: str | None = None, word_timestamps: bool = True
    ) -> Transcription:
        self.calls.append(np.array(audio))
        n = len(self.calls)
        end = len(audio) / SR
        word = Word(word=f"w{n}", start=0.1, end=min(0.4, end), probability=0.9)
        segment = Segment(start=0.0, end=end, text=f"w{n}", words=(word,), avg_logprob=-0.1)
        return Transcription(
            text=f"w{n}",
            language=language or "en",
            duration=end,
            segments=(segment,),
            model="fake",
            engine="fake",
        )


def test_each_sample_is_transcribed_once_in_order(short_answer: tuple[bytes, float]) -> None:
    data, duration = short_answer
    fake = Fake()
    live = LiveTranscriber(fake, "en", "fake")
    chunks = _chunks(data, duration)
    for chunk in chunks[:-1]:
        live.feed(chunk)
    _wait_settled(lambda: live.settled_s, MIN_STRETCH_S)
    assert len(fake.calls) >= 1  # some stretch was transcribed before the end
    live.feed(chunks[-1])
    t = live.finish(data)
    assert live.fallback == ""
    # The stretches handed to the model are consecutive slices of the whole decoded audio.
    audio = decode_audio(data)
    heard = np.concatenate(fake.calls)
    assert len(heard) == len(audio) and np.array_equal(heard, audio)
    assert t.text == " ".join(f"w{i + 1}" for i in range(len(fake.calls)))
    assert t.duration_s == pytest.approx(duration, abs=0.05)
    starts = [w.start for w in t.words]
    assert starts == sorted(starts) and len(set(starts)) == len(starts)
    # Each word sits 0.1 s into its stretch: the stretch offsets are the cuts, in pauses.
    offsets = [round(w.start - 0.1, 3) for w in t.words]
    assert offsets[0] == 0.0 and all(o < duration - GUARD_S for o in offsets)
    assert live.finish(data) is t  # a second call returns the same transcript


def test_finish_feeds_the_missing_end_and_falls_back_on_other_bytes(
    short_answer: tuple[bytes, float],
) -> None:
    data, duration = short_answer
    chunks = _chunks(data, duration)
    fake = Fake()
    live = LiveTranscriber(fake, "en", "fake")
    for chunk in chunks[:3]:
        live.feed(chunk)
    t = live.finish(data)  # the last chunks came only with the stored recording
    assert live.fallback == "" and t.status == "ok"
    assert sum(len(c) for c in fake.calls) == len(decode_audio(data))

    other = LiveTranscriber(Fake(), "en", "fake")
    other.feed(chunks[0][:-10] + b"\x00" * 10)  # not the bytes that were stored
    other.finish(data)
    assert other.fallback == "differ from the stored recording"


def test_silence_never_reaches_the_model() -> None:
    _need_tools()
    noise = np.random.default_rng(3).normal(0, 0.001, 12 * SR).astype(np.float32)
    data = _webm(noise)
    fake = Fake()
    live = LiveTranscriber(fake, "en", "fake")
    for chunk in _chunks(data, 12.0):
        live.feed(chunk)
        time.sleep(0.02)
    t = live.finish(data)
    assert t.status == "silent" and t.text == "" and fake.calls == []
    assert t.duration_s == pytest.approx(12.0, abs=0.05)


def test_bad_input_is_named() -> None:
    with pytest.raises(InvalidInput, match="language 'fr'"):
        LiveTranscriber(Fake(), "fr", "fake")
    with pytest.raises(InvalidInput, match="idle_s"):
        LiveSessions(Fake(), "fake", idle_s=0)
    live = LiveTranscriber(Fake(), "en", "fake")
    live.feed(b"\x1a\x45\xdf\xa3 this is not a webm stream at all" * 20)
    t = live.finish()  # no stored recording to fall back on: a failed transcript says why
    assert t.status == "failed" and "could not be decoded" in t.note


def test_sessions_restart_offsets_and_eviction(short_answer: tuple[bytes, float]) -> None:
    data, duration = short_answer
    chunks = _chunks(data, duration)
    fake = Fake()
    now = [0.0]
    live = LiveSessions(fake, "fake", idle_s=60, max_live=2, clock=lambda: now[0])

    # A process that restarted mid-answer sees a chunk that does not start a recording.
    restarted = ("s1", "q1", 1)
    live.feed(restarted, chunks[2], "en")
    assert restarted not in live
    t = live.finish(restarted, data, "en")
    assert t.status == "ok" and live.counts["finished_whole"] == 1

    # Chunks with offsets: a retried chunk is ignored, the result is as if it came once.
    key = ("s1", "q2", 1)
    offset = 0
    for chunk in chunks:
        live.feed(key, chunk, "en", offset=offset)
        live.feed(key, chunk, "en", offset=offset)  # the browser retried it
        offset += len(chunk)
    calls_before = len(fake.calls)
    live.finish(key, data, "en")
    assert live.counts["finished_live"] == 1 and live.counts["finished_fallback"] == 0
    heard = np.concatenate(fake.calls[calls_before:])
    assert np.array_equal(heard, decode_audio(data))

    # A gap (a lost chunk) drops the live state; finish then transcribes the whole recording.
    gap = ("s1", "q3", 1)
    live.feed(gap, chunks[0], "en", offset=0)
    live.feed(gap, chunks[2], "en", offset=len(chunks[0]) + len(chunks[1]))
    assert gap not in live and live.counts["dropped_gap"] == 1

    # Eviction: idle answers, then the oldest beyond max_live.
    a, b, c = ("s2", "q1", 1), ("s3", "q1", 1), ("s4", "q1", 1)
    live.feed(a, chunks[0], "en")
    now[0] = 61.0
    live.feed(b, chunks[0], "en")
    assert a not in live and b in live and live.counts["dropped_idle"] == 1
    now[0] = 62.0
    live.feed(c, chunks[0], "en")
    live.feed(("s5", "q1", 1), chunks[0], "en")
    assert b not in live and c in live and len(live) == 2 and live.counts["dropped_full"] == 1
    assert live.discard(c) and not live.discard(c) and live.counts["discarded"] == 1
    now[0] = 200.0
    assert live.expire() == 1 and len(live) == 0


# -- real Whisper --------------------------------------------------------------------------
def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower())


def word_error_rate(reference: list[str], hypothesis: list[str]) -> float:
    prev = list(range(len(hypothesis) + 1))
    for i, r in enumerate(reference, 1):
        cur = [i] + [0] * len(hypothesis)
        for j, h in enumerate(hypothesis, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (r != h))
        prev = cur
    return prev[-1] / max(len(reference), 1)


def test_word_error_rate() -> None:
    assert word_error_rate(["a", "b", "c", "d"], ["a", "x", "c"]) == 0.5
    assert word_error_rate(["a"], ["a"]) == 0.0


@pytest.fixture(scope="module")
def recognizer(backend):  # type: ignore[no-untyped-def]
    return backend.recognizer(MODEL)


@pytest.mark.slow
def test_live_transcript_matches_the_whole_file(  # type: ignore[no-untyped-def]
    recognizer, long_answer: tuple[bytes, float]
) -> None:
    data, duration = long_answer
    assert 45 < duration < 70
    chunks = _chunks(data, duration)
    whole = transcribe_media(recognizer, data, "en", MODEL)
    assert whole.status == "ok"

    sessions = LiveSessions(recognizer, MODEL)
    key = ("session", "q1", 1)
    for i, chunk in enumerate(chunks[:-1]):
        sessions.feed(key, chunk, "en", offset=sum(len(c) for c in chunks[:i]))
        time.sleep(0.2)
    settled = _wait_settled(
        lambda: sessions.settled_s(key), 0.5 * duration
    )  # most of the answer is transcribed before its last chunk
    sessions.feed(key, chunks[-1], "en")
    live = sessions.finish(key, data, "en")
    assert sessions.counts["finished_live"] == 1 and settled < duration

    assert live.status == "ok" and live.language == "en" and live.model == MODEL
    assert live.duration_s == pytest.approx(whole.duration_s, abs=0.05)
    wer = word_error_rate(_words(whole.text), _words(live.text))
    assert wer < 0.15, (wer, whole.text, live.text)
    script = _words(" ".join(LONG))
    assert word_error_rate(script, _words(live.text)) < 0.25, live.text
    starts = [w.start for w in live.words]
    assert starts == sorted(starts) and len(live.words) > 0.8 * len(script)
    assert all(0 <= w.start <= w.end <= live.duration_s for w in live.words)
    assert all(s.start <= s.end <= live.duration_s for s in live.segments)

    # Word times agree with the whole-file transcript's: the same words at the same moments.
    def first(t: Transcript, word: str) -> float | None:
        return next((w.start for w in t.words if _words(w.word) == [word]), None)

    marks = ["supervisor", "colleague", "helpdesk", "terminal", "minutes", "customers"]
    times = [(first(live, m), first(whole, m)) for m in marks]
    both = [(a, b) for a, b in times if a is not None and b is not None]
    assert len(both) >= 3 and all(abs(a - b) < 0.5 for a, b in both), times

    # The restart fallback: no live state, the assembled recording is transcribed whole.
    fresh = LiveSessions(recognizer, MODEL)
    for chunk in chunks[3:]:
        fresh.feed(key, chunk, "en")
    assert key not in fresh
    again = fresh.finish(key, data, "en")
    assert fresh.counts["finished_whole"] == 1
    assert again.text == whole.text and again.words == whole.words
