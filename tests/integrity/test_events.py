"""Browser events become lenient flags with spans relative to when the question appeared."""

from __future__ import annotations

from interview.integrity.events import (
    AWAY_LOW_S,
    PASTE_CHARS,
    SLOW_START_S,
    BrowserEvent,
    absences,
    event_flags,
)
from interview.integrity.summary import summarise

T0 = 1_800_000_000.0


def E(kind: str, at: float, qid: str | None = "q1", **detail: int) -> BrowserEvent:  # noqa: N802
    return BrowserEvent(kind=kind, at=T0 + at, question_id=qid, detail=detail)


def test_blur_then_hidden_counts_as_one_absence() -> None:
    events = [E("focus_lost", 10), E("tab_hidden", 10.2), E("tab_visible", 30), E("focus_back", 30)]
    gone = absences(events)
    assert len(gone) == 1 and gone[0].seconds == 20


def test_a_glance_away_is_not_flagged_a_long_absence_is() -> None:
    glance = [E("focus_lost", 5), E("focus_back", 6)]
    assert event_flags(glance, {"q1": T0}) == []
    long = [E("focus_lost", 5), E("focus_back", 5 + AWAY_LOW_S + 10)]
    [flag] = event_flags(long, {"q1": T0})
    assert flag.kind == "tab_switch" and flag.severity == "low"
    assert flag.start_s == 5 and flag.end_s == 5 + AWAY_LOW_S + 10
    assert flag.evidence["longest_s"] == AWAY_LOW_S + 10


def test_many_departures_are_medium_and_an_open_absence_runs_to_the_end() -> None:
    events = [e for i in range(5) for e in (E("tab_hidden", 10 * i), E("tab_visible", 10 * i + 2))]
    [flag] = event_flags(events, {"q1": T0})
    assert flag.severity == "medium" and flag.evidence["absences"] == 5
    [left] = event_flags([E("tab_hidden", 100)], {"q1": T0}, end=T0 + 300)
    assert left.evidence["total_s"] == 200 and left.severity == "medium"


def test_paste_copy_and_slow_start() -> None:
    events = [
        E("paste", 40, chars=PASTE_CHARS - 1),
        E("paste", 50, chars=PASTE_CHARS + 200),
        E("copy", 3, chars=80),
        E("answer_start", SLOW_START_S + 30, qid="q2"),
        E("answer_start", SLOW_START_S + 90, qid="q2"),
        E("answer_start", 20),
    ]
    flags = event_flags(events, {"q1": T0, "q2": T0})
    kinds = sorted((f.kind, f.question_id) for f in flags)
    assert kinds == [("copy", "q1"), ("paste", "q1"), ("slow_start", "q2")]
    paste = next(f for f in flags if f.kind == "paste")
    assert paste.evidence["chars"] == PASTE_CHARS + 200 and paste.start_s == 50
    slow = next(f for f in flags if f.kind == "slow_start")
    assert slow.evidence["delay_s"] == SLOW_START_S + 30  # the first start counts


def test_summary_levels() -> None:
    paste = event_flags([E("paste", 1, chars=500)], {})
    copy = event_flags([E("copy", 1)], {})
    away = event_flags([E("focus_lost", 0), E("focus_back", 120)], {})
    assert summarise([], []).level == "not_assessed"
    assert summarise([], ["browser"]).level == "low"
    assert summarise(copy, ["browser"]).level == "low"
    assert summarise(copy * 3, ["browser"]).level == "medium"
    assert summarise(paste, ["browser"]).level == "medium"
    both = summarise(paste + away, ["browser", "browser"])
    assert both.level == "high" and both.by_kind == {"paste": 1, "tab_switch": 1}
    assert both.checks == ("browser",) and "never a decision" in both.reason


def test_a_reload_is_its_own_low_flag_not_leaving_the_page() -> None:
    # As the page reports a reload: hidden as the old page unloads, page_load from the new one
    # (no question open yet), then nothing until the interview ends 326 s later.
    events = [
        E("tab_hidden", 10),
        BrowserEvent("page_load", T0 + 12.5, None, {"navigation": "reload", "away_ms": 2400}),
    ]
    [flag] = event_flags(events, {"q1": T0}, end=T0 + 336)
    assert flag.kind == "page_reload" and flag.severity == "low"
    assert flag.question_id == "q1" and flag.start_s == 10 and flag.end_s == 12.5
    assert flag.evidence == {"away_s": 2.5, "navigation": "reload"}
    assert flag.note.startswith("The page was reloaded; the candidate was away 2 s")


def test_a_long_reload_stays_low_and_never_makes_high_on_its_own() -> None:
    back = BrowserEvent("page_load", T0 + 336, None, {"navigation": "reload"})
    reload = [E("tab_hidden", 10), back]
    [flag] = event_flags(reload, {"q1": T0})
    assert flag.kind == "page_reload" and flag.severity == "low"
    assert "reloaded; the candidate was away 326 s" in flag.note
    assert summarise([flag], ["browser"]).level == "low"
    paste = event_flags([E("paste", 400, chars=500)], {"q1": T0})
    assert summarise([flag, *paste], ["browser"]).level == "medium"  # not high


def test_a_reload_whose_leave_event_was_lost_uses_the_pages_own_gap() -> None:
    opened = BrowserEvent("page_load", T0 + 100, None, {"navigation": "navigate", "away_ms": 40e3})
    [flag] = event_flags([opened], {})
    assert flag.kind == "page_reload" and flag.evidence["away_s"] == 40
    assert flag.note.startswith("The interview page was closed and opened again")
    # A tab switch after the reload is still a tab switch.
    later = [opened, E("focus_lost", 200), E("focus_back", 200 + AWAY_LOW_S + 1)]
    assert sorted(f.kind for f in event_flags(later, {})) == ["page_reload", "tab_switch"]
