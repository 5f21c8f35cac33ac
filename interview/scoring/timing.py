"""Evidence quotes from a transcript get the time span of the words that said them. Pure."""

from __future__ import annotations

from interview.perception.schemas import Transcript
from interview.scoring.schemas import AnswerScore


def word_offsets(transcript: Transcript) -> list[tuple[int, int, float, float]]:
    """(start_char, end_char, start_s, end_s) of each timed word inside transcript.text."""
    out = []
    cursor = 0
    text = transcript.text
    for w in transcript.words:
        token = w.word.strip()
        if not token:
            continue
        at = text.find(token, cursor)
        if at < 0:
            continue  # the recognizer's word and text disagree: leave it untimed
        out.append((at, at + len(token), w.start, w.end))
        cursor = at + len(token)
    return out


def attach_times(score: AnswerScore, transcript: Transcript) -> AnswerScore:
    """Each evidence quote's start_s/end_s from the words overlapping its characters."""
    offsets = word_offsets(transcript)
    if not offsets:
        return score
    timed = []
    for e in score.evidence:
        inside = [(s, t) for a, b, s, t in offsets if a < e.end_char and b > e.start_char]
        if inside:
            e = e.model_copy(
                update={"start_s": round(inside[0][0], 2), "end_s": round(inside[-1][1], 2)}
            )
        timed.append(e)
    return score.model_copy(update={"evidence": tuple(timed)})
