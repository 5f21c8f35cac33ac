"""The short resume a frontline candidate gives by answering three questions."""

from __future__ import annotations

from datetime import date

from interview.questions.history import history_questions
from interview.resume.history import DURATION, JOB, REASON, facts_from_history

TODAY = date(2026, 11, 28)


def test_questions_in_both_languages_are_not_scored_kinds() -> None:
    en, zh = history_questions("en"), history_questions("zh")
    assert [q.id for q in en] == [JOB, DURATION, REASON] == [q.id for q in zh]
    assert all(q.kind == "history" for q in en + zh)
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in q.text) for q in zh)


def test_vague_durations_become_months() -> None:
    zh = facts_from_history(
        {JOB: "在肯德基做服务员", DURATION: "两三年", REASON: "搬家了"}, "zh", TODAY
    )
    assert zh.jobs[0].title == "在肯德基做服务员" and zh.jobs[0].months == 30
    en = facts_from_history(
        {JOB: "Cashier at a supermarket", DURATION: "a few months"}, "en", TODAY
    )
    assert en.jobs[0].months is not None and 2 <= en.jobs[0].months <= 6
    assert "a few months" in en.jobs[0].raw


def test_no_job_given_means_no_jobs() -> None:
    facts = facts_from_history({DURATION: "half a year"}, "en", TODAY)
    assert facts.jobs == () and facts.risks == ()
