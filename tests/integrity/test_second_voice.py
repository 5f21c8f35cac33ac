"""Second-voice flag: the real GE2E encoder (Resemblyzer, CPU) on real speech (jfk.flac) and
espeak-ng voices spliced together; fakes only for the logic around the model.

espeak-ng's male voices (en-us, en-gb+m3, cmn) come from one formant synthesizer and the
encoder hears them as one voice (similarity 0.9 and more, bench/second_voice.py), so the
second voice in these splices is the female en+f3 or a real recording.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from interview.backend.protocols import Audio
from interview.errors import InvalidInput
from interview.integrity import second_voice as sv
from interview.integrity.recording import media_integrity
from interview.perception.media import decode_audio
from interview.perception.schemas import Transcript

JFK = Path(__file__).resolve().parents[3] / "shared" / "data" / "audio" / "jfk.flac"
RATE = sv.SAMPLE_RATE
EN = [
    "I led a small team that rebuilt the billing system over six months, and we moved every "
    "customer without a single day of downtime.",
    "The hardest part was convincing finance to accept a parallel run, so I prepared a short "
    "report with the risks and the costs of each option.",
    "When the first test failed, we traced it to rounding in old invoices and fixed it.",
]
ZH = [
    "我在上一家公司负责一个小团队，我们用了半年时间重新搭建了计费系统。",
    "最难的部分是说服财务部门接受并行运行，所以我准备了一份简短的报告。",
]


@pytest.fixture(scope="module")
def voices(backend: Any) -> Any:
    """The real encoder through the backend, loaded once for this module."""
    embedder = backend.voices()
    embedder.embed_voices(np.zeros((1, int(sv.WINDOW_S * RATE)), dtype=np.float32))
    return embedder


@pytest.fixture(scope="module")
def speak(tmp_path_factory: pytest.TempPathFactory) -> Any:
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed (apt-get install espeak-ng)")
    folder = tmp_path_factory.mktemp("voices")

    def say(text: str, voice: str, wpm: int = 160) -> Audio:
        out = folder / f"{abs(hash((text, voice, wpm)))}.wav"
        subprocess.run(["espeak-ng", "-v", voice, "-s", str(wpm), "-w", str(out), text], check=True)
        return decode_audio(out)

    return say


def joined(*parts: Audio) -> tuple[Audio, float]:
    """The parts with 0.2 s pauses between them, and the time the last part begins."""
    gap = np.zeros(int(0.2 * RATE), dtype=np.float32)
    out: list[Audio] = []
    for part in parts:
        out += [part, gap]
    audio = np.concatenate(out[:-1])
    return audio.astype(np.float32), (len(audio) - len(parts[-1])) / RATE


def flagged_near(voices: Any, audio: Audio, change_s: float) -> sv.Flag:
    result, flags = sv.second_voice(voices, audio)
    assert result.judged and flags, result
    flag = min(flags, key=lambda f: abs((f.start_s or 0) - change_s))
    assert flag.start_s is not None and abs(flag.start_s - change_s) <= 3.0, (flags, change_s)
    assert flag.end_s is not None and flag.end_s > change_s + 2
    return flag


def test_two_espeak_voices_spliced(voices: Any, speak: Any) -> None:
    audio, change = joined(speak(EN[0], "en-us"), speak(EN[1], "en+f3"))
    flag = flagged_near(voices, audio, change)
    assert (flag.kind, flag.severity) == ("second_voice", "medium")
    ev = flag.evidence
    assert ev["threshold"] == sv.THRESHOLD and ev["mean_similarity"] < sv.THRESHOLD
    assert ev["min_similarity"] <= ev["mean_similarity"] <= ev["max_similarity"]
    assert ev["reference"] == "dominant" and ev["reference_windows"] >= 4
    assert f"threshold {sv.THRESHOLD:.2f}" in flag.note
    assert "not evidence of cheating" in flag.note and "listen" in flag.note


def test_real_voice_spliced_with_espeak(voices: Any, speak: Any) -> None:
    audio, change = joined(decode_audio(JFK), speak(EN[2], "en-us"))
    flagged_near(voices, audio, change)


def test_single_speakers_are_not_flagged(voices: Any, speak: Any) -> None:
    recordings = {"jfk": decode_audio(JFK)}
    for wpm in (120, 175, 250):
        recordings[f"en-us@{wpm}"] = np.concatenate(
            [speak(EN[0], "en-us", wpm), speak(EN[2], "en-us", wpm)]
        )
    for name, audio in recordings.items():
        result, flags = sv.second_voice(voices, audio)
        assert result.judged, (name, result)
        assert flags == [], (name, result)
        assert result.min_similarity is not None and result.min_similarity >= sv.THRESHOLD


def test_chinese_voice_alone_and_spliced(voices: Any, speak: Any) -> None:
    cmn = np.concatenate([speak(ZH[0], "cmn", 175), speak(ZH[1], "cmn", 175)])
    result, flags = sv.second_voice(voices, cmn)
    assert result.judged and flags == [], result
    audio, change = joined(cmn, speak(EN[0], "en+f3"))
    flagged_near(voices, audio, change)


def test_a_prompter_who_speaks_first_does_not_escape(voices: Any, speak: Any) -> None:
    """Adversary: someone says the answer first and the candidate repeats it. The voice that
    opens the answer is taken as the candidate's, so here the repetition is the stretch
    flagged: the flag is wrong about who is who, but the change of voice is still put in
    front of the reviewer, at the right time."""
    prompter = speak(EN[2], "en+f3")
    audio, change = joined(prompter, speak(EN[0], "en-us"), speak(EN[2], "en-us"))
    change = (len(prompter) + 0.2 * RATE) / RATE
    flagged_near(voices, audio, change)


def test_media_integrity_runs_the_check(voices: Any, speak: Any) -> None:
    audio, change = joined(speak(EN[0], "en-us"), speak(EN[1], "en+f3"))
    heard = Transcript(
        text="x", language="en", duration_s=len(audio) / RATE, status="ok", model="test"
    )
    flags = media_integrity(None, None, heard, "en", audio, voices)
    assert [f.kind for f in flags] == ["second_voice"]
    assert media_integrity(None, None, heard, "en", audio, None) == []


# -- logic around the model (fakes) ---------------------------------------------------------


class NoModel:
    dimension = 256

    def embed_voices(self, clips: Audio) -> np.ndarray:
        raise AssertionError("the encoder must not run on silence")


def test_silence_and_short_speech_are_not_judged() -> None:
    result, flags = sv.second_voice(NoModel(), np.zeros(20 * RATE, dtype=np.float32))
    assert (result.judged, result.windows, flags) == (False, 0, [])
    assert result.reason == f"too little speech: 0 voiced windows, need {sv.MIN_WINDOWS}"


def test_low_runs_need_length_and_allow_short_silences() -> None:
    times = np.array([0.0, 0.4, 0.8, 1.2, 1.6, 2.0, 3.2, 3.6, 4.0, 4.4, 6.8, 7.2])
    sims = np.array([0.9, 0.5, 0.5, 0.5, 0.5, 0.9, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5])
    # 0.4-1.6 lasts 1.2 s: kept; 3.2-4.4 lasts 1.2 s; 6.8-7.2 is past the 1 s gap and short
    assert sv.low_runs(times, sims, 0.7) == [(1, 4), (6, 9)]
    sims[7] = 0.9  # a window back at the candidate's voice splits the run: both too short
    assert sv.low_runs(times, sims, 0.7) == [(1, 4)]


def test_enrolled_voice_replaces_the_dominant_one(monkeypatch: pytest.MonkeyPatch) -> None:
    """Voice A speaks 8 windows, then B 4: A is the dominant voice and B is flagged; with B's
    enrolled vector, A's stretch is flagged instead."""
    times = np.arange(12) * sv.STEP_S
    clips = np.array([[1.0] if i < 8 else [-1.0] for i in range(12)], dtype=np.float32)
    monkeypatch.setattr(sv, "voiced_windows", lambda audio: (times, clips))

    class TwoVoices:
        dimension = 2

        def embed_voices(self, clips: Audio) -> np.ndarray:
            return np.array([[1.0, 0.0] if c[0] > 0 else [0.6, 0.8] for c in clips])

    audio = np.zeros(RATE, dtype=np.float32)
    result, flags = sv.second_voice(TwoVoices(), audio)
    assert (result.reference, result.reference_windows, result.min_similarity) == (
        "dominant",
        8,
        0.6,
    )
    assert [(f.start_s, f.end_s) for f in flags] == [(4.0, 5.2)]
    assert flags[0].evidence["mean_similarity"] == 0.6
    result, flags = sv.second_voice(TwoVoices(), audio, enrolled=np.array([0.6, 0.8]))
    assert (result.reference, result.reference_windows) == ("enrolled", 0)
    assert [(f.start_s, f.end_s) for f in flags] == [(0.8, 3.6)]


def test_the_engine_refuses_bad_clips(voices: Any) -> None:
    with pytest.raises(InvalidInput, match="2-D array"):
        voices.embed_voices(np.zeros(RATE, dtype=np.float32))
    with pytest.raises(InvalidInput, match="at least 0.5 s"):
        voices.embed_voices(np.zeros((2, RATE // 10), dtype=np.float32))
    out = voices.embed_voices(np.zeros((2, RATE), dtype=np.float32))
    assert out.shape == (2, 256) and out.dtype == np.float32 and not np.isnan(out).any()
