"""Adaptive follow-ups: from an answer's STAR analysis (text/star.py), ask one probe.

Pure. Relevance needs a model, so the caller embeds the answer and relevance_reference()
through the backend's Embedder and passes the cosine to analyse_answer().
"""

from __future__ import annotations

from typing import get_args

from interview.competency.schemas import Competency
from interview.errors import InvalidInput
from interview.questions.followup_schemas import FollowUp, Gap
from interview.text.schemas import StarAnalysis

TOO_SHORT_WORDS = 12  # below this no answer can tell what happened and how it ended
MAX_FOLLOWUPS = 2

# Most important first: the order of Gap itself (see followup_schemas).
PRIORITY: tuple[Gap, ...] = get_args(Gap)


def relevance_reference(competency: Competency, language: str, question: str = "") -> str:
    """The text to embed against the answer: the question asked, else the competency."""
    if question.strip():
        return question.strip()
    return f"{competency.name.get(language)}: {competency.definition.get(language)}"


# --- Probes -------------------------------------------------------------------------------

# Two phrasings per gap and language; the second follow-up uses the other one. {name} is
# the competency's name. Open questions only: no hint of a right answer, never a score.
_PROBES: dict[str, dict[Gap, tuple[str, ...]]] = {
    "en": {
        "relevance": (
            "Let's come back to {name}. Could you tell me about a time at work that shows it?",
            "I'd like to hear an example about {name}. What happened, and what did you do?",
        ),
        "hypothetical": (
            "That's how you would approach it. Can you tell me about a time it actually "
            "happened? What did you do?",
            "Has something like this happened to you? Please walk me through what you did then.",
        ),
        "too_short": (
            "Could you tell me more? Pick one specific time and walk me through it.",
            "Could you say a bit more about what happened and what you did?",
        ),
        "action": (
            "What did you do yourself, step by step?",
            "What exactly did you do at that point?",
        ),
        "result": (
            "How did it turn out in the end?",
            "What happened as a result of what you did?",
        ),
        "specificity": (
            "Could you be more specific: when was this, who was involved, and how much or how "
            "many?",
            "Can you give me a concrete detail or two, such as a date, a place or a number?",
        ),
        "situation": (
            "Could you set the scene: when and where was this, and what was going on?",
            "What was the situation at the time?",
        ),
        "task": (
            "What were you responsible for there, or what did you need to achieve?",
            "What was your role in this, and what did it need to achieve?",
        ),
        "first_person": (
            "You've told me what the team did. What was your own part in it?",
            "Which of those steps did you take yourself?",
        ),
    },
    "zh": {
        "relevance": (
            "我们回到“{name}”这个话题。能讲一个您工作中体现这一点的具体经历吗？",
            "想听您讲一个和“{name}”有关的例子：当时发生了什么，您做了什么？",
        ),
        "hypothetical": (
            "这是您的思路。您真实遇到过类似的情况吗？当时您具体是怎么做的？",
            "能讲一次您亲身经历的类似情况吗？当时您做了什么？",
        ),
        "too_short": (
            "能多讲一些吗？挑一次具体的经历，从头说说。",
            "能再具体说说当时发生了什么、您做了什么吗？",
        ),
        "action": (
            "您自己具体做了哪些事？",
            "当时您具体是怎么做的？能一步一步说说吗？",
        ),
        "result": (
            "最后结果怎么样？",
            "您这样做之后，事情后来怎么样了？",
        ),
        "specificity": (
            "能说得再具体一点吗？比如是什么时候、涉及哪些人、有多少？",
            "能补充一两个具体细节吗？比如时间、地点或者数字。",
        ),
        "situation": (
            "能先讲讲背景吗？这是什么时候、在哪里，当时是什么情况？",
            "当时是在什么情况下发生的？",
        ),
        "task": (
            "当时您负责什么？需要达成什么目标？",
            "在这件事里，您的职责是什么？",
        ),
        "first_person": (
            "您刚才讲了团队做的事，其中您自己具体做了哪些？",
            "这些事情里，哪些是您亲自做的？",
        ),
    },
}


def missing_gaps(analysis: StarAnalysis) -> tuple[Gap, ...]:
    """Every gap the analysis shows, in PRIORITY order."""
    present: dict[Gap, bool] = {
        "relevance": analysis.relevant is not False,
        "hypothetical": not analysis.hypothetical,
        "too_short": analysis.words >= TOO_SHORT_WORDS,
        "action": analysis.action,
        "result": analysis.result,
        "specificity": analysis.specific,
        "situation": analysis.situation,
        "task": analysis.task,
        "first_person": analysis.first_person,
    }
    return tuple(g for g in PRIORITY if not present[g])


def decide_followup(
    analysis: StarAnalysis,
    competency: Competency,
    language: str,
    followups_asked: int,
    max_followups: int = MAX_FOLLOWUPS,
) -> FollowUp:
    """One probe for the most important gap, or none when the answer is enough or max is reached.

    Situation and task count as one context: either is enough to score, as an interviewer
    infers the other; both missing block (and the situation probe asks for the scene)."""
    if language not in _PROBES:
        raise InvalidInput(f"language {language!r} is not supported; use 'en' or 'zh'")
    if followups_asked < 0:
        raise InvalidInput(f"followups_asked must be 0 or more, got {followups_asked}")
    missing = missing_gaps(analysis)
    context_given = analysis.situation or analysis.task
    blocking = [g for g in missing if not (g in ("situation", "task") and context_given)]
    enough = not blocking
    needed = not enough and followups_asked < max_followups
    gap = blocking[0] if needed else None
    probe = None
    if gap is not None:
        variants = _PROBES[language][gap]
        name = competency.name.get(language)
        probe = variants[followups_asked % len(variants)].format(
            name=name.lower() if language == "en" else name
        )
    return FollowUp(needed=needed, gap=gap, probe=probe, missing=missing, enough_to_score=enough)
