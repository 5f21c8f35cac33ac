"""The work-history questions asked first when a frontline candidate has no resume; the
answers become resume facts in interview.resume.history."""

from __future__ import annotations

from interview.questions.schemas import Question
from interview.resume.history import DURATION, JOB, REASON

_TEXTS = {
    "en": {
        JOB: "Let's start with your work so far. What was your most recent job, and where was it?",
        DURATION: "How long did you work there?",
        REASON: "What made you leave, or why are you looking for a change now?",
    },
    "zh": {
        JOB: "我们先聊聊您的工作经历。您最近一份工作是做什么的？在哪里？",
        DURATION: "您在那里做了多长时间？",
        REASON: "您当时为什么离开，或者现在为什么想换工作？",
    },
}


def history_questions(language: str) -> tuple[Question, ...]:
    """Three short questions, asked first, not scored (kind "history")."""
    texts = _TEXTS["zh" if language == "zh" else "en"]
    return tuple(
        Question(id=qid, competency_id="communication", kind="history", text=text, time_limit_s=90)
        for qid, text in texts.items()
    )
