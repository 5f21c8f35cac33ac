"""A short resume built by asking, for frontline candidates who have none. Pure.

The interviewer asks (questions/history.py) what the last job was, how long it lasted and
why it ended; vague spoken durations ("a few months", "两三年") are normalised into month
ranges, and the result is a ResumeFacts that risk checks and resume questions use like a
parsed resume.
"""

from __future__ import annotations

from datetime import date

from interview.resume.dates import normalise_duration
from interview.resume.risks import find_risks
from interview.resume.schemas import Job, ResumeFacts

JOB, DURATION, REASON = "history:job", "history:duration", "history:reason"
MAX_ANSWER_CHARS = 200  # a job description, not an essay


def facts_from_history(answers: dict[str, str], language: str, today: date) -> ResumeFacts:
    """The asked-for history as resume facts; the job's length is the middle of its range."""
    job_text = " ".join(answers.get(JOB, "").split())[:MAX_ANSWER_CHARS]
    duration = normalise_duration(answers.get(DURATION, ""), language, today)
    jobs: tuple[Job, ...] = ()
    if job_text:
        months = None if duration is None else round((duration[0] + duration[1]) / 2)
        raw = " | ".join(
            a for a in (job_text, answers.get(DURATION, ""), answers.get(REASON, "")) if a
        )
        jobs = (
            Job(
                employer="",
                title=job_text,
                start=None,
                end=None,
                months=months,
                raw=raw[: MAX_ANSWER_CHARS * 3],
            ),
        )
    return ResumeFacts(
        language="zh" if language == "zh" else "en",
        jobs=jobs,
        risks=find_risks(jobs, today),
        text_chars=sum(len(a) for a in answers.values()),
    )
