"""Browser events as integrity flags: leaving the page, pasting, copying, a long silence.

The candidate page reports focus and visibility changes, paste and copy (sizes only, never
the text), the start of each answer and each time it is loaded again during the interview
(a reload, or the link opened again); the server records when each question was first
shown. A reload hides the page too, but it is not leaving it for another window: its gap is
flagged apart, as a reload, and low. The rules are deliberately lenient: people glance at a
notification, paste their own notes, take a minute to think. A flag asks a reviewer to look
at that answer, nothing more.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from interview.integrity.schemas import Flag

LEAVE = ("focus_lost", "tab_hidden")
RETURN = ("focus_back", "tab_visible")
RELOAD = "page_load"  # the page loaded again: it closes an open absence, as a reload gap
AWAY_LOW_S = 5.0  # one absence at least this long while a question was open
AWAY_MEDIUM_S = 60.0  # total absence during one question
DEPARTURES_MEDIUM = 5  # separate absences during one question
PASTE_CHARS = 50  # pasting this much into an answer box is a flag (medium)
SLOW_START_S = 120.0  # from a question shown to the answer begun


@dataclass(frozen=True)
class BrowserEvent:
    kind: str  # focus_lost, focus_back, tab_hidden, tab_visible, paste, copy, answer_start,
    # page_load (detail: navigation "reload" / "navigate" / "back_forward", away_ms if known)
    at: float  # seconds since the epoch, as the page's clock said
    question_id: str | None = None
    detail: Mapping[str, Any] = field(default_factory=dict)


@dataclass
class _Absence:
    start: float
    end: float
    question_id: str | None
    reload: BrowserEvent | None = None  # the page_load that ended it: a reload's gap

    @property
    def seconds(self) -> float:
        return self.end - self.start


def absences(events: Sequence[BrowserEvent], end: float | None = None) -> list[_Absence]:
    """Stretches from a leave event to the next return (or `end`); overlapping leave
    events (blur then hidden) count once. A page_load with no absence open (the leave event
    was lost with the old page) is a reload gap of the `away_ms` the page measured, if any."""
    out: list[_Absence] = []
    open_at: BrowserEvent | None = None
    for e in sorted(events, key=lambda e: e.at):
        if e.kind in LEAVE and open_at is None:
            open_at = e
        elif e.kind in RETURN and open_at is not None:
            out.append(_Absence(open_at.at, e.at, open_at.question_id))
            open_at = None
        elif e.kind == RELOAD and open_at is not None:
            out.append(_Absence(open_at.at, e.at, open_at.question_id, reload=e))
            open_at = None
        elif e.kind == RELOAD:
            away = max(0.0, float(e.detail.get("away_ms", 0) or 0) / 1000)
            out.append(_Absence(e.at - away, e.at, e.question_id, reload=e))
    if open_at is not None and end is not None and end > open_at.at:
        out.append(_Absence(open_at.at, end, open_at.question_id))
    return out


def _offset(at: float, shown: Mapping[str, float], qid: str | None) -> float | None:
    if qid is None or qid not in shown:
        return None
    return max(0.0, round(at - shown[qid], 3))


def event_flags(
    events: Sequence[BrowserEvent], shown: Mapping[str, float], end: float | None = None
) -> list[Flag]:
    """Flags per question from the page's events; `shown` maps question ids to the time
    (epoch seconds) each was first shown, so spans are seconds after the question appeared."""
    flags: list[Flag] = []
    by_question: dict[str | None, list[_Absence]] = defaultdict(list)
    for a in absences(events, end):
        if a.reload is not None:
            flags.append(_reload_flag(a, shown))
        else:
            by_question[a.question_id].append(a)
    for qid, gone in by_question.items():
        total = sum(a.seconds for a in gone)
        longest = max(gone, key=lambda a: a.seconds)
        if total < AWAY_LOW_S and longest.seconds < AWAY_LOW_S:
            continue
        medium = total >= AWAY_MEDIUM_S or len(gone) >= DEPARTURES_MEDIUM
        start = _offset(longest.start, shown, qid)
        flags.append(
            Flag(
                kind="tab_switch",
                severity="medium" if medium else "low",
                confidence=1.0,  # the browser reported it; what it means is for the reviewer
                start_s=start,
                end_s=None if start is None else round(start + longest.seconds, 3),
                evidence={
                    "absences": len(gone),
                    "total_s": round(total, 1),
                    "longest_s": round(longest.seconds, 1),
                    "threshold_s": AWAY_MEDIUM_S if medium else AWAY_LOW_S,
                    "departures_threshold": DEPARTURES_MEDIUM,
                },
                question_id=qid,
                note=(
                    f"The interview page was left {len(gone)} time(s) for {total:.0f} s in all "
                    "while this question was open. A notification or another window can "
                    "explain it; look at the answer given afterwards."
                ),
            )
        )
    for e in events:
        chars = int(e.detail.get("chars", 0) or 0)
        if e.kind == "paste" and chars >= PASTE_CHARS:
            at = _offset(e.at, shown, e.question_id)
            flags.append(
                Flag(
                    kind="paste",
                    severity="medium",
                    confidence=1.0,
                    start_s=at,
                    end_s=at,
                    evidence={"chars": chars, "threshold_chars": PASTE_CHARS},
                    question_id=e.question_id,
                    note=(
                        f"{chars} characters were pasted into the answer. The candidate may "
                        "have pasted their own notes; compare with the rest of the interview."
                    ),
                )
            )
        elif e.kind == "copy":
            at = _offset(e.at, shown, e.question_id)
            flags.append(
                Flag(
                    kind="copy",
                    severity="low",
                    confidence=1.0,
                    start_s=at,
                    end_s=at,
                    evidence={"chars": chars},
                    question_id=e.question_id,
                    note="Text was copied from the interview page (the question, most likely).",
                )
            )
    starts: dict[str | None, float] = {}
    for e in events:  # the first start of each question's answer
        if e.kind == "answer_start":
            starts[e.question_id] = min(e.at, starts.get(e.question_id, e.at))
    for e_qid, began in starts.items():
        if e_qid is None or e_qid not in shown:
            continue
        delay = began - shown[e_qid]
        if delay >= SLOW_START_S:
            flags.append(
                Flag(
                    kind="slow_start",
                    severity="low",
                    confidence=1.0,
                    start_s=0.0,
                    end_s=round(delay, 3),
                    evidence={"delay_s": round(delay, 1), "threshold_s": SLOW_START_S},
                    question_id=e_qid,
                    note=(
                        f"The answer began {delay:.0f} s after the question was shown. Taking "
                        "time to think is normal; it matters only beside other flags."
                    ),
                )
            )
    return flags


def _reload_flag(gap: _Absence, shown: Mapping[str, float]) -> Flag:
    """A reload (or the link opened again) with the time the page was gone: low, always.

    The page was not showing another window; a slow connection, a stuck camera or a
    mistaken key explain most reloads. Only the length of the gap is for the reviewer."""
    assert gap.reload is not None
    navigation = str(gap.reload.detail.get("navigation", "reload"))
    start = _offset(gap.start, shown, gap.question_id)
    what = (
        "The page was reloaded"
        if navigation == "reload"
        else "The interview page was closed and opened again"
    )
    return Flag(
        kind="page_reload",
        severity="low",
        confidence=1.0,
        start_s=start,
        end_s=None if start is None else round(start + gap.seconds, 3),
        evidence={"away_s": round(gap.seconds, 1), "navigation": navigation},
        question_id=gap.question_id,
        note=(
            f"{what}; the candidate was away {gap.seconds:.0f} s. A reload is not leaving "
            "the page for another window: a slow connection or a stuck camera can explain it."
        ),
    )
