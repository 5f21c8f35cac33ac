"""Transcripts: real Whisper base (faster-whisper, CPU) on real and espeak-ng speech; fakes only
for the guards around the model (silence, hallucinations, language choice)."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from interview.backend.protocols import Audio
from interview.backend.schemas import Segment, Transcription, Word
from interview.errors import InvalidInput
from interview.perception.media import SAMPLE_RATE, decode_audio
from interview.perception.schemas import Transcript
from interview.perception.transcript import CHUNK_S, plan_chunks, transcribe, transcribe_media

JFK = Path(__file__).resolve().parents[3] / "shared" / "data" / "audio" / "jfk.flac"
PHRASE = "ask not what your country can do for you"
MODEL = "whisper-base"


def speak(text: str, voice: str, folder: Path) -> Audio:
    """Speech synthesised by espeak-ng, decoded to 16 kHz mono."""
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed (apt-get install espeak-ng)")
    out = folder / f"speech-{abs(hash((text, voice)))}.wav"
    subprocess.run(["espeak-ng", "-v", voice, "-s", "150", "-w", str(out), text], check=True)
    return decode_audio(out)


def silence(seconds: float) -> Audio:
    return np.zeros(int(seconds * SAMPLE_RATE), dtype=np.float32)


def plain(text: str) -> str:
    return " ".join(re.findall(r"[a-z']+", text.lower()))


def check_words(t: Transcript) -> None:
    starts = [w.start for w in t.words]
    assert starts == sorted(starts)
    assert all(0 <= w.start <= w.end <= t.duration_s for w in t.words)


class Recorder:
    """A fake SpeechRecognizer: records each call and answers with `reply(audio, language)`."""

    def __init__(self, reply: Callable[[Audio, str | None], Transcription] | None = None) -> None:
        self.calls: list[tuple[float, str | None]] = []
        self.reply = reply or (lambda audio, language: heard(language or "en"))

    def transcribe(
        self, audio: Audio, language: str | None = None, word_timestamps: bool = True
    ) -> Transcription:
        self.calls.append((len(audio) / SAMPLE_RATE, language))
        return self.reply(audio, language)


def heard(language: str, *segments: Segment) -> Transcription:
    return Transcription(
        text=" ".join(s.text for s in segments),
        language=language,
        duration=1.0,
        segments=segments,
        model=MODEL,
        engine="fake",
    )


def segment(
    text: str, start: float, end: float, no_speech: float = 0.05, logprob: float = -0.3
) -> Segment:
    words = text.split()
    step = (end - start) / len(words)
    return Segment(
        start=start,
        end=end,
        text=text,
        words=tuple(
            Word(word=w, start=start + i * step, end=start + (i + 1) * step, probability=0.9)
            for i, w in enumerate(words)
        ),
        avg_logprob=logprob,
        no_speech_prob=no_speech,
    )


# -- real Whisper ------------------------------------------------------------------------
@pytest.fixture(scope="module")
def recognizer(backend):  # type: ignore[no-untyped-def]
    return backend.recognizer(MODEL)


@pytest.fixture(scope="module")
def jfk_transcript(recognizer) -> Transcript:  # type: ignore[no-untyped-def]
    return transcribe_media(recognizer, JFK, "en", MODEL)


@pytest.mark.slow
def test_jfk_is_transcribed_with_word_times(jfk_transcript: Transcript) -> None:
    t = jfk_transcript
    assert t.status == "ok" and t.language == "en" and t.model == MODEL
    assert t.duration_s == pytest.approx(11.0)
    assert PHRASE in plain(t.text)
    assert len(t.words) >= 20
    check_words(t)
    americans = next(w for w in t.words if "Americans" in w.word)
    assert 1.0 < americans.start < 2.5  # where JFK says it


@pytest.mark.slow
def test_chinese_speech_is_transcribed_as_chinese(recognizer, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # espeak-ng's "cmn" voice reads unknown syllables as English; the pinyin voice speaks
    # the characters as Mandarin. Whisper base often detects this robotic voice as another
    # language, which the interview's language then overrides.
    audio = speak("我负责管理一个十人的团队。", "cmn-latn-pinyin", tmp_path)
    t = transcribe(recognizer, audio, "zh", MODEL)
    assert t.status == "ok" and t.language == "zh"
    chars = [c for c in t.text if c.isalnum()]
    cjk = [c for c in chars if "\u4e00" <= c <= "\u9fff"]
    assert len(cjk) >= 6 and len(cjk) / len(chars) >= 0.8
    # Whisper writes simplified or traditional characters; either spelling counts.
    key = ["我", "负負", "责責", "管", "理", "团團", "队隊", "的"]
    assert sum(any(c in t.text for c in k) for k in key) >= 4, t.text
    check_words(t)


@pytest.mark.slow
def test_long_answer_is_chunked_with_offset_times(recognizer, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    jfk = decode_audio(JFK)
    told = speak("We shipped the new billing system on time and under budget.", "en", tmp_path)
    parts = [jfk, silence(8), told, silence(9), jfk, silence(6), told, silence(5)]
    last_jfk = sum(len(p) for p in parts) / SAMPLE_RATE
    audio = np.concatenate([*parts, jfk])
    assert 65 < len(audio) / SAMPLE_RATE < 80

    chunks = plan_chunks(audio)
    assert len(chunks) >= 3
    assert all(0 < (end - start) / SAMPLE_RATE <= CHUNK_S for start, end in chunks)
    assert [c[0] for c in chunks[1:]] == [c[1] for c in chunks[:-1]]  # no gap, no overlap

    counting = Recorder(lambda a, lang: recognizer.transcribe(a, language=lang))
    t = transcribe(counting, audio, "en", MODEL)
    assert len(counting.calls) == len(chunks)
    assert max(seconds for seconds, _ in counting.calls) <= CHUNK_S
    assert counting.calls[0][1] is None  # the first chunk detects the language ...
    assert all(lang == "en" for _, lang in counting.calls[1:])  # ... later ones keep it

    assert t.status == "ok"
    assert plain(t.text).count(PHRASE) == 3
    assert plain(t.text).count("billing system") >= 1
    check_words(t)
    assert t.words[0].start < 1.0 and t.words[-1].end > 60
    # The last JFK clip starts at `last_jfk`; its "Americans" must be found there.
    americans = [w for w in t.words if "Americans" in w.word]
    assert len(americans) == 3
    assert last_jfk + 1.0 < americans[-1].start < last_jfk + 2.5


# -- guards around the model (fakes) ---------------------------------------------------
@pytest.mark.parametrize(
    "audio",
    [
        silence(3),
        np.random.default_rng(0).normal(0, 3e-4, 3 * SAMPLE_RATE).astype(np.float32),  # -70 dBFS
        np.zeros(0, dtype=np.float32),
    ],
    ids=["zeros", "faint-noise", "no-samples"],
)
def test_silence_never_reaches_the_model(audio: Audio) -> None:
    recorder = Recorder()
    t = transcribe(recorder, audio, "en", MODEL)
    assert recorder.calls == []
    assert t.status == "silent" and t.text == "" and t.words == ()
    assert "no speech" in t.note


@pytest.mark.parametrize("data", [b"this is not audio at all " * 40, b""], ids=["garbage", "empty"])
def test_undecodable_media_fails_softly(data: bytes) -> None:
    recorder = Recorder()
    t = transcribe_media(recorder, data, "zh", MODEL)
    assert recorder.calls == []
    assert t.status == "failed" and t.text == "" and t.language == "zh"
    assert "could not be decoded" in t.note and len(t.note) > 30


def test_programming_errors_raise(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="bytes or a pathlib.Path"):
        transcribe_media(Recorder(), str(JFK), "en", MODEL)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput, match="does not exist"):
        transcribe_media(Recorder(), tmp_path / "missing.webm", "en", MODEL)
    with pytest.raises(InvalidInput, match="'fr' is not supported"):
        transcribe(Recorder(), silence(1), "fr", MODEL)
    with pytest.raises(InvalidInput, match="mono"):
        transcribe(Recorder(), np.zeros((2, 100), dtype=np.float32), "en", MODEL)


def test_hallucinations_on_near_silence_are_dropped() -> None:
    audio = np.concatenate([decode_audio(JFK)[: 3 * SAMPLE_RATE], silence(3)])
    reply = heard(
        "en",
        segment("And so my fellow", 0.0, 1.2),
        segment("Thank you.", 1.2, 2.0, logprob=-0.2),  # over speech, decoder sure: kept
        segment("Thank you.", 3.2, 4.0, no_speech=0.7, logprob=-0.4),  # decoder doubts
        segment("谢谢观看", 4.1, 4.9, no_speech=0.1, logprob=-1.2),  # very low logprob
        segment("you", 5.0, 5.5, no_speech=0.1, logprob=-0.2),  # nothing voiced under it
        segment("Sure, a real sentence.", 5.5, 6.0, no_speech=0.8, logprob=-1.5),  # Whisper rule
    )
    t = transcribe(Recorder(lambda a, lang: reply), audio, "en", MODEL)
    assert t.text == "And so my fellow Thank you."
    assert [s.text for s in t.segments] == ["And so my fellow", "Thank you."]
    assert all(w.end <= 2.0 for w in t.words)
    assert "dropped 4 segment(s)" in t.note


def test_dropping_everything_leaves_an_empty_transcript() -> None:
    reply = heard("en", segment("Thank you.", 0.0, 1.0, no_speech=0.9, logprob=-0.5))
    t = transcribe(Recorder(lambda a, lang: reply), decode_audio(JFK), "en", MODEL)
    assert t.status == "empty" and t.text == "" and t.words == ()


def _by_language(audio: Audio, language: str | None) -> Transcription:
    """Detects Thai; forced Chinese reads better than forced English."""
    if language is None:
        return heard("th", segment("สวัสดี", 0.0, 1.0, logprob=-0.9))
    logprob = {"zh": -0.4, "en": -1.3}[language]
    text = {"zh": "我们的团队", "en": "Where men the"}[language]
    return heard(language, segment(text, 0.0, 1.0, logprob=logprob))


@pytest.mark.parametrize(
    ("hint", "calls"),
    [("zh", [None, "zh"]), ("en", [None, "en"]), (None, [None, "en", "zh"])],
)
def test_languages_other_than_en_and_zh_are_rerun(hint: str | None, calls: list[str]) -> None:
    recorder = Recorder(_by_language)
    t = transcribe(recorder, decode_audio(JFK), hint, MODEL)
    assert [lang for _, lang in recorder.calls] == calls
    assert t.language == (hint or "zh")  # no hint: the better-scored reading
    assert "detected 'th'" in t.note
