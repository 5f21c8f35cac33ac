"""Transcribing an answer in stretches: where to cut audio that is still growing, and one
transcript merged from the stretches' transcripts. Pure; candidate/live.py runs it while a
recording's chunks arrive."""

from __future__ import annotations

from collections.abc import Sequence

from interview.backend.protocols import Audio
from interview.perception.media import SAMPLE_RATE
from interview.perception.schemas import TimedWord, Transcript, TranscriptSegment
from interview.perception.speech import voice_activity
from interview.perception.transcript import CHUNK_S, plan_chunks

MIN_STRETCH_S = 6.0  # s; a stretch with speech waits until it is this long. Each Whisper call
# pays for a whole 30 s encoder window (~2 CPU-s for whisper-base), and each cut costs words
# at its edges: on espeak answers 3 s gave 9.6 % WER against the whole-file transcript, 6 s
# 6 %, 10 s 4.7 %; longer minimums leave a longer tail (3 to MIN_STRETCH_S + 3 s) for the end
MAX_STRETCH_S = CHUNK_S  # s; Whisper's window: a longer stretch is cut at its quietest point
GUARD_S = 0.5  # s; no cut this close to the end of the audio decoded so far. Cuts lie in
# pauses (silences of at least speech.MIN_PAUSE_S, so never inside a word), and a pause
# counts only once speech has resumed after it or it has lasted OPEN_PAUSE_S
OPEN_PAUSE_S = 0.8  # s; a silence at the end this long is a pause though speech has not
# resumed (the candidate stopped talking): cut OPEN_CUT_S after its start
OPEN_CUT_S = 0.3  # s; room after the last voiced frame for the word's fading end


def pause_cuts(
    spans: Sequence[tuple[float, float]],
    duration_s: float,
    open_pause_s: float = OPEN_PAUSE_S,
    guard_s: float = GUARD_S,
) -> list[float]:
    """Candidate cut times (s) in audio of `duration_s` with voiced `spans` (start, end): the
    middle of each pause between two spans, and OPEN_CUT_S into a silence at the end that has
    lasted `open_pause_s` (`guard_s` before the end when no voice was heard at all)."""
    cuts = [
        (a_end + b_start) / 2 for (_, a_end), (b_start, _) in zip(spans, spans[1:], strict=False)
    ]
    last = spans[-1][1] if spans else 0.0
    if duration_s - last >= open_pause_s:
        cuts.append(last + OPEN_CUT_S if spans else duration_s - guard_s)
    return cuts


def settled_cut(
    spans: Sequence[tuple[float, float]],
    duration_s: float,
    min_stretch_s: float = MIN_STRETCH_S,
    max_stretch_s: float = MAX_STRETCH_S,
    guard_s: float = GUARD_S,
) -> float | None:
    """The latest cut (s) in a pause that ends a stretch worth transcribing now, or None.

    A cut must lie `guard_s` before the end and at most `max_stretch_s` in; a stretch with
    voice must be at least `min_stretch_s` long (a silent one is free: it never reaches the
    model). The latest admissible cut leaves the least audio for the end of the answer.
    """
    ok = []
    for cut in pause_cuts(spans, duration_s, guard_s=guard_s):
        voiced = any(start < cut for start, _ in spans)
        if (
            cut <= duration_s - guard_s
            and cut <= max_stretch_s
            and (cut >= min_stretch_s or not voiced)
        ):
            ok.append(cut)
    return max(ok) if ok else None


def choose_cut(
    audio: Audio, sr: int = SAMPLE_RATE, min_stretch_s: float = MIN_STRETCH_S
) -> int | None:
    """Sample index ending the next settled stretch of `audio` (the not yet transcribed audio
    decoded so far), or None to wait for more; continuous speech past Whisper's window is cut
    at its quietest point, as the whole-file path cuts it."""
    duration = len(audio) / sr
    spans = [(s.start, s.end) for s in voice_activity(audio, sr)]
    cut = settled_cut(spans, duration, min_stretch_s)
    if cut is not None:
        return min(round(cut * sr), len(audio))
    if duration - GUARD_S > MAX_STRETCH_S:
        return plan_chunks(audio, sr)[0][1]
    return None


def _shift(
    piece: Transcript, offset: float, end: float
) -> tuple[list[TranscriptSegment], list[TimedWord]]:
    """A piece's segments and words moved `offset` s later, kept at or before `end`."""
    segments = [
        s.model_copy(update={"start": min(s.start + offset, end), "end": min(s.end + offset, end)})
        for s in piece.segments
    ]
    words = [
        w.model_copy(update={"start": min(w.start + offset, end), "end": min(w.end + offset, end)})
        for w in piece.words
    ]
    return segments, words


def _kept_notes(pieces: Sequence[Transcript]) -> list[str]:
    """Notes of the pieces worth keeping in the whole transcript, each once, in order."""
    notes: list[str] = []
    for piece in pieces:
        if piece.status == "silent":
            continue  # a quiet stretch of a longer answer says nothing about the answer
        for note in piece.note.split("; "):
            if note and not note.startswith("the recognizer heard no words") and note not in notes:
                notes.append(note)
    return notes


def merge_pieces(
    pieces: Sequence[tuple[float, Transcript]],
    duration_s: float,
    language: str | None,
    model_name: str,
) -> Transcript:
    """One Transcript from consecutive pieces, each (offset s, transcript of that stretch).

    Times move to the start of the answer; texts join with a space (none for Chinese);
    status is "ok" when any words survived, "silent" when every piece was silent, else
    "empty", as `transcribe` decides for a whole recording.
    """
    ordered = sorted(pieces, key=lambda p: p[0])
    heard = [p for _, p in ordered if p.status == "ok"]
    lang = heard[0].language if heard else (language or "")
    segments: list[TranscriptSegment] = []
    words: list[TimedWord] = []
    for offset, piece in ordered:
        segs, ws = _shift(piece, offset, duration_s)
        segments.extend(segs)
        for w in ws:  # in order across pieces too (each piece's words stay inside it)
            start = max(w.start, words[-1].start) if words else w.start
            words.append(
                w
                if start == w.start
                else w.model_copy(update={"start": start, "end": max(w.end, start)})
            )
    text = ("" if lang == "zh" else " ").join(p.text for p in heard).strip()
    notes = _kept_notes([p for _, p in ordered])
    if text:
        status = "ok"
    elif all(p.status == "silent" for _, p in ordered):
        status = "silent"
        notes = notes or ["no speech in any stretch of the recording; check the microphone"]
    else:
        status = "empty"
        notes.append("the recognizer heard no words in the speech-like sound")
    return Transcript(
        text=text,
        language=lang,
        duration_s=duration_s,
        words=tuple(words),
        segments=tuple(segments),
        status=status,
        note="; ".join(notes),
        model=model_name,
    )
