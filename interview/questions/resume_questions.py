"""Resume questions: one open question per risk point (by name), then claims to verify. Pure.

Wording is neutral on purpose: a gap may be caregiving, illness, study or a move, a short job
may have ended for reasons outside the candidate's control. Every question asks openly, none
presumes a cause, and gap questions say that personal details may stay private.
"""

from __future__ import annotations

from datetime import date

from interview.errors import InvalidInput
from interview.questions.schemas import Question
from interview.resume.schemas import Highlight, Job, ResumeFacts, RiskPoint

MAX_QUESTIONS = 4
MAX_NAME_CHARS = 60  # names are quoted in the question; a runaway line is cut
MAX_QUOTE_CHARS = 120

# Which library competency an answer to each kind of question speaks to.
COMPETENCY = {
    "job_hopping": "ownership",  # owning one's career decisions and commitments
    "short_tenure": "ownership",
    "gap": "communication",  # explaining a period openly; never scored on its cause
    "title_drop": "learning_agility",  # changing direction, learning a new setting
    "team_management": "teamwork",
    "quantified_result": "problem_solving",
    "claimed_skill": "learning_agility",
}
# Ask about the broadest patterns first; skip a risk whose moves were all asked about already.
_RISK_ORDER = {"job_hopping": 0, "gap": 1, "short_tenure": 2, "title_drop": 3}
_HIGHLIGHT_ORDER = {"team_management": 0, "quantified_result": 1, "claimed_skill": 2}

_EN_WORDS = (
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen", "twenty",
)  # fmt: skip
_ZH_DIGITS = "零一二三四五六七八九"
_EN_MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip


def resume_questions(
    facts: ResumeFacts, language: str, *, max_questions: int = MAX_QUESTIONS
) -> tuple[Question, ...]:
    """Questions about this candidate's resume: risk points first, then one or more claims."""
    if language not in ("en", "zh"):
        raise InvalidInput(f"language {language!r} is not supported; use 'en' or 'zh'")
    if max_questions < 1:
        raise InvalidInput(f"max_questions must be at least 1, got {max_questions}")
    highlights = sorted(facts.highlights, key=lambda h: _HIGHLIGHT_ORDER[h.kind])
    # Keep one slot for a claim when there is one: an interview only about gaps is one-sided.
    risk_slots = max_questions - 1 if highlights and max_questions > 1 else max_questions
    asked: set[tuple[_Key, _Key | None]] = set()  # moves (from job, to job) already asked about
    quoted: set[str] = set()  # evidence lines a claim question already quoted
    counters: dict[str, int] = {}
    out: list[Question] = []

    def add(kind: str, text: str) -> None:
        n = counters.get(kind, 0)
        counters[kind] = n + 1
        out.append(
            Question(
                id=f"resume:{kind}:{n}",
                competency_id=COMPETENCY[kind],
                kind="resume",
                text=text,
            )
        )

    for risk in sorted(facts.risks, key=lambda r: _RISK_ORDER[r.kind]):
        if len(out) >= risk_slots:
            break
        moves = _moves(risk)
        if moves <= asked:
            continue  # e.g. a title drop from ABC to XYZ after "you left ABC for XYZ; why?"
        text = _risk_text(risk, language)
        if text:
            add(risk.kind, text)
            asked |= moves
    # Claims round-robin by kind (team, result, skill), so one kind cannot fill every slot;
    # a line that makes two claims ("led 12 people, cut errors 30%") is asked about once.
    pending = list(highlights)
    while len(out) < max_questions:
        progressed = False
        for kind in _HIGHLIGHT_ORDER:
            pick = next(
                (
                    h
                    for h in pending
                    if h.kind == kind and (kind == "claimed_skill" or not quoted & set(h.evidence))
                ),
                None,
            )
            if pick is None or len(out) >= max_questions:
                continue
            add(pick.kind, _highlight_text(pick, language))
            quoted |= set(pick.evidence)
            pending.remove(pick)
            progressed = True
        if not progressed:
            break
    return tuple(out)


_Key = tuple[str, str, date | None]  # (employer, title, start): one job


def _key(job: Job) -> _Key:
    return (job.employer, job.title, job.start)


def _moves(risk: RiskPoint) -> set[tuple[_Key, _Key | None]]:
    """The moves between jobs a risk question asks about; (job, None) for a tenure alone."""
    keys = [_key(j) for j in risk.jobs]
    if len(keys) == 1:
        return {(keys[0], None)}
    return set(zip(keys, keys[1:], strict=False))


# --- wording --------------------------------------------------------------------------------


def _clip(text: str, limit: int = MAX_NAME_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _count(n: int, language: str) -> str:
    if language == "zh":
        if n == 2:
            return "两"
        if n < 10:
            return _ZH_DIGITS[n]
        if n < 100:
            tens, ones = divmod(n, 10)
            return (
                ("" if tens == 1 else _ZH_DIGITS[tens]) + "十" + (_ZH_DIGITS[ones] if ones else "")
            )
        return str(n)
    return _EN_WORDS[n] if n < len(_EN_WORDS) else str(n)


def _months(n: int, language: str) -> str:
    if language == "zh":
        return f"{_count(n, language)}个月"
    return f"{_count(n, language)} month" + ("" if n == 1 else "s")


def _when(d: date | None, language: str) -> str:
    if d is None:
        return "至今" if language == "zh" else "now"
    return f"{d.year}年{d.month}月" if language == "zh" else f"{_EN_MONTHS[d.month - 1]} {d.year}"


def _job_name(job: Job, language: str) -> str:
    if job.employer:
        return _clip(job.employer)
    if job.title:
        return (f"担任{_clip(job.title)}的那份工作" if language == "zh"
                else f"your job as {_clip(job.title)}")  # fmt: skip
    return (f"{_when(job.start, language)}开始的那份工作" if language == "zh"
            else f"the job you started in {_when(job.start, language)}")  # fmt: skip


def _join(names: list[str], language: str) -> str:
    if language == "zh":
        return "、".join(names[:-1]) + "和" + names[-1] if len(names) > 1 else names[0]
    if len(names) <= 2:
        return " and ".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def _risk_text(risk: RiskPoint, language: str) -> str | None:
    zh = language == "zh"
    jobs = risk.jobs
    if not jobs:
        return None
    if risk.kind == "job_hopping":
        names: list[str] = []
        for job in jobs:
            name = _job_name(job, language)
            if name not in names:
                names.append(name)
        within = _months(risk.months or len(jobs), language)
        if zh:
            return (
                f"您在{within}内先后加入了{_join(names, language)}。"
                "回头看，每次变动是什么情况促成的？您在下一份工作中最看重什么？"
            )
        return (
            f"You joined {_join(names, language)} within {within}. Looking back, what led to "
            "each of those moves, and what are you looking for in your next role?"
        )
    if risk.kind == "gap" and len(jobs) == 2:
        before, after = jobs
        months = _months(risk.months or 0, language)
        if zh:
            return (
                f"从{_when(before.end, language)}离开{_job_name(before, language)}，"
                f"到{_when(after.start, language)}加入{_job_name(after, language)}，"
                f"中间大约有{months}。可以谈谈这段时间吗？您只需分享自己愿意分享的内容。"
            )
        return (
            f"Between leaving {_job_name(before, language)} in {_when(before.end, language)} and "
            f"joining {_job_name(after, language)} in {_when(after.start, language)} there are "
            f"about {months}. Would you tell me about that time? Share only what you are "
            "comfortable sharing."
        )
    if risk.kind == "short_tenure":
        job = jobs[0]
        months = _months(risk.months or job.months or 0, language)
        if len(jobs) > 1:
            nxt = jobs[1]
            if zh:
                return (
                    f"您在{_job_name(job, language)}工作了{months}后"
                    f"去了{_job_name(nxt, language)}，当时是什么情况促成了这次变动？"
                )
            return (
                f"You were at {_job_name(job, language)} for {months} before moving to "
                f"{_job_name(nxt, language)}; what led to that move?"
            )
        if zh:
            return (
                f"您在{_job_name(job, language)}工作了{months}，"
                "能谈谈那段工作以及后来离开时的情况吗？"
            )
        return (
            f"You were at {_job_name(job, language)} for {months}; tell me about that role and "
            "what led you to move on."
        )
    if risk.kind == "title_drop" and len(jobs) == 2:
        before, after = jobs
        if zh:
            return (
                f"您曾在{_job_name(before, language)}担任{_clip(before.title)}，之后在"
                f"{_job_name(after, language)}担任{_clip(after.title)}。"
                "能谈谈这次转变，以及您当时的考虑吗？"
            )
        return (
            f"You were {_clip(before.title)} at {_job_name(before, language)} and later "
            f"{_clip(after.title)} at {_job_name(after, language)}. Tell me about that change "
            "and what you were looking for at the time."
        )
    return None


def _highlight_text(highlight: Highlight, language: str) -> str:
    zh = language == "zh"
    employer = _clip(highlight.employer) if highlight.employer else ""
    if highlight.kind == "team_management":
        size = highlight.team_size
        if zh:
            team = f"{size}人的团队" if size else "团队"
            where = f"在{employer}" if employer else ""
            return (
                f"您{where}带领过{team}，"
                "请讲一个您为这个团队做出的决定：当时的情况、您的做法和结果。"
            )
        team = f"a team of {size}" if size else "a team"
        where = f" at {employer}" if employer else ""
        return (
            f"You led {team}{where}; tell me about a decision you made for that team: the "
            "situation, what you did, and how it turned out."
        )
    if highlight.kind == "quantified_result":
        quote = _clip(highlight.text, MAX_QUOTE_CHARS)
        if zh:
            return (
                f"您的简历写到：“{quote}”。"
                "请具体讲讲您是怎么做到的，您本人负责哪一部分，以及这个结果是如何衡量的。"
            )
        return (
            f"Your resume says: “{quote}”. Walk me through how you achieved that, which part "
            "was yours, and how the result was measured."
        )
    skill = _clip(highlight.text)
    if zh:
        return (
            f"您在技能中列出了“{skill}”。"
            "请讲一个最近在工作中用到它的例子：当时的任务是什么，您具体做了什么？"
        )
    return (
        f"You list {skill} as a skill. Tell me about a recent time you used it at work: what "
        "was the task, and what did you do?"
    )
