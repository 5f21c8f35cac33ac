"""Adaptive follow-ups: from an answer's STAR analysis (text/star.py), ask one probe.

Pure. Relevance needs a model, so the caller embeds the answer and relevance_references()
through the backend's Embedder and passes the best cosine to analyse_answer().

What counts as enough depends on the question:
- behavioural ("Tell me about a time..."): a real occasion, the candidate's steps and how it
  turned out; the context (situation or task) may be implied, and details and "I" are asked
  for only after the steps and the outcome are there;
- situational ("What would you do if..."): "I would" is the right kind of answer; it needs
  steps and a reason or expected effect.

Probes never name the competency or the rubric, keep to the question asked, vary their
wording (several phrasings per gap, rotated per question), and address the candidate
politely (您 throughout in Chinese).
"""

from __future__ import annotations

import zlib
from typing import Literal, get_args

from interview.competency.schemas import Competency
from interview.errors import InvalidInput
from interview.questions.followup_schemas import FollowUp, Gap
from interview.text.schemas import StarAnalysis

TOO_SHORT_WORDS = 12  # below this no answer can tell what happened and how it ended
TOO_SHORT_PLAN = 5  # a plan for a hypothetical situation may be terse: "report it the same day"
# A short account with no occasion and under two concrete details tells no steps anyone could
# check ("I found the cause and fixed it, my manager was happy"): its steps are asked for.
VAGUE_WORDS = 30
VAGUE_PLATITUDE_WORDS = 60
MAX_FOLLOWUPS = 2
QuestionKind = Literal["behavioural", "situational", "resume"]

# Most important first: the order of Gap itself (see followup_schemas).
PRIORITY: tuple[Gap, ...] = get_args(Gap)
# Gaps that stop an answer from being scored, per kind of question. The others (details,
# context, "I" among "we") are noted in `missing` but asked about only when a blocking gap
# is asked first: an interviewer does not probe a complete story for a date.
BLOCKING: dict[str, frozenset[Gap]] = {
    "behavioural": frozenset(
        {"relevance", "hypothetical", "too_short", "action", "result", "first_person"}
    ),
    "resume": frozenset({"relevance", "hypothetical", "too_short", "action", "result"}),
    "situational": frozenset({"relevance", "too_short", "action", "result"}),
}


def relevance_references(competency: Competency, language: str, question: str = "") -> list[str]:
    """The texts an on-topic answer is close to: the question asked and the competency's
    definition (an answer can fit the topic in words the question does not use). The
    standards' indicators were tried as well and moved no on-topic answer of the blind dev
    labels above the threshold: not worth four more embeddings per decision."""
    refs = [question.strip()] if question.strip() else []
    refs.append(f"{competency.name.get(language)}: {competency.definition.get(language)}")
    return refs


# --- Probes -------------------------------------------------------------------------------

# Several phrasings per gap and language, rotated per question; open questions only, no hint
# of a right answer, never a score, never the competency's name.
_PROBES: dict[str, dict[Gap, tuple[str, ...]]] = {
    "en": {
        "relevance": (
            "Let's stay with the question I asked. Could you tell me about an example that "
            "fits it? What happened, and what did you do?",
            "I'd like to hear more about the question itself. Is there a time from work or "
            "study that comes to mind for it?",
            "Coming back to my question: can you think of a moment that answers it directly?",
        ),
        "hypothetical": (
            "That's how you would approach it. Can you tell me about a time it actually "
            "happened? What did you do?",
            "Has something like this happened to you? Please walk me through what you did then.",
            "Thinking of a real occasion, what did you actually do?",
        ),
        "too_short": (
            "Could you tell me more? Pick one specific time and walk me through it.",
            "Could you say a bit more about what happened and what you did?",
            "Take your time. What happened, step by step?",
        ),
        "action": (
            "What did you do yourself, step by step?",
            "What exactly did you do at that point?",
            "Walk me through the steps you took.",
        ),
        "result": (
            "How did it turn out in the end?",
            "What happened as a result of what you did?",
            "And what was the outcome?",
        ),
        "specificity": (
            "Could you be more specific: when was this, who was involved, and how much or how "
            "many?",
            "Can you give me a concrete detail or two, such as a date, a place or a number?",
            "What details do you remember about it?",
        ),
        "situation": (
            "Could you set the scene: when and where was this, and what was going on?",
            "What was the situation at the time?",
            "Where were you working then, and what was happening?",
        ),
        "task": (
            "What were you responsible for there, or what did you need to achieve?",
            "What was your role in this, and what did it need to achieve?",
            "What were you aiming for at that point?",
        ),
        "first_person": (
            "You've told me what the team did. What was your own part in it?",
            "Which of those steps did you take yourself?",
            "What did you personally do?",
        ),
    },
    "zh": {
        "relevance": (
            "我们再回到刚才的问题。您能讲一个切合这个问题的例子吗？当时发生了什么，您做了什么？",
            "想请您再围绕刚才的问题谈谈。您有没有想到一次相关的经历？",
            "回到我刚才的问题，您能举一个直接相关的例子吗？",
        ),
        "hypothetical": (
            "这是您的思路。您真实遇到过类似的情况吗？当时您具体是怎么做的？",
            "能讲一次您亲身经历的类似情况吗？当时您做了什么？",
            "想一想真实发生过的一次，您当时实际是怎么做的？",
        ),
        "too_short": (
            "能多讲一些吗？挑一次具体的经历，从头说说。",
            "能再具体说说当时发生了什么、您做了什么吗？",
            "您慢慢说，当时的经过是怎样的？",
        ),
        "action": (
            "您自己具体做了哪些事？",
            "当时您具体是怎么做的？能一步一步说说吗？",
            "能请您讲讲您采取的具体步骤吗？",
        ),
        "result": (
            "最后结果怎么样？",
            "您这样做之后，事情后来怎么样了？",
            "这件事最后是怎么收尾的？",
        ),
        "specificity": (
            "能说得再具体一点吗？比如是什么时候、涉及哪些人、有多少？",
            "能补充一两个具体细节吗？比如时间、地点或者数字。",
            "关于这件事，您还记得哪些具体细节？",
        ),
        "situation": (
            "能先讲讲背景吗？这是什么时候、在哪里，当时是什么情况？",
            "当时是在什么情况下发生的？",
            "那时您在哪里工作，当时发生了什么？",
        ),
        "task": (
            "当时您负责什么？需要达成什么目标？",
            "在这件事里，您的职责是什么？",
            "当时您想要达到什么目的？",
        ),
        "first_person": (
            "您刚才讲了团队做的事，其中您自己具体做了哪些？",
            "这些事情里，哪些是您亲自做的？",
            "您本人在其中做了什么？",
        ),
    },
}
# For a question about a hypothetical situation, steps and their reason are what is asked for.
_SITUATIONAL: dict[str, dict[Gap, tuple[str, ...]]] = {
    "en": {
        "action": (
            "What would you actually do first, and then?",
            "Could you walk me through the steps you would take?",
            "What exactly would you say or do in that moment?",
        ),
        "result": (
            "Why that way? What would you expect to happen?",
            "What would you want that to achieve?",
            "How would you know it had worked?",
        ),
    },
    "zh": {
        "action": (
            "您具体会先做什么，然后呢？",
            "能请您一步一步说说您会怎么做吗？",
            "在那个时候，您具体会说什么、做什么？",
        ),
        "result": (
            "为什么这样做？您希望达到什么效果？",
            "您这样做是想达到什么目的？",
            "您怎么判断这样做有效？",
        ),
    },
}


_OCCASION = {
    "en": (
        "That's what you usually do. Can you pick one particular time and tell me what you "
        "did then?",
        "Could you think of one specific occasion? What did you do, step by step?",
        "When was the last time this happened? What did you do that time?",
    ),
    "zh": (
        "这是您平时的做法。能挑一次具体的经历，说说您当时是怎么做的吗？",
        "能讲一次具体的情况吗？当时您一步一步是怎么做的？",
        "最近一次遇到这种情况是什么时候？那次您具体做了什么？",
    ),
}


def _vague(analysis: StarAnalysis, story: bool = True) -> bool:
    """A short account that tells views and principles rather than steps, or (English, a
    `story` asked for) a short one with no occasion and hardly a detail. Spoken Chinese
    tells short concrete stories with few countable details ("我没点 转给IT了"): the second
    test is not for it."""
    if analysis.words < VAGUE_PLATITUDE_WORDS and (
        analysis.platitudes >= 2 or (analysis.platitudes >= 1 and analysis.details < 2)
    ):
        return True
    return (
        story
        and analysis.language == "en"
        and analysis.words < VAGUE_WORDS
        and analysis.details < 2
        and not analysis.situation
    )


def missing_gaps(analysis: StarAnalysis, kind: str = "behavioural") -> tuple[Gap, ...]:
    """Every gap the analysis shows for a question of `kind`, in PRIORITY order."""
    if kind == "situational":
        present: dict[Gap, bool] = {
            "relevance": analysis.relevant is not False,
            "hypothetical": True,
            "too_short": analysis.words >= TOO_SHORT_PLAN,
            "action": analysis.proposes_steps and not _vague(analysis, story=False),
            "result": analysis.gives_reason,
            "specificity": True,
            "situation": True,
            "task": True,
            "first_person": True,
        }
    else:
        present = {
            "relevance": analysis.relevant is not False,
            # "I always ..." tells no occasion: its steps are missing, not a real example
            "hypothetical": not analysis.hypothetical or analysis.habitual,
            "too_short": analysis.words >= TOO_SHORT_WORDS,
            "action": analysis.action and not _vague(analysis),
            "result": analysis.result,
            "specificity": analysis.specific,
            "situation": analysis.situation or analysis.task,
            "task": analysis.task or analysis.situation,
            "first_person": analysis.first_person,
        }
    return tuple(g for g in PRIORITY if not present[g])


def probe_text(
    gap: Gap, language: str, kind: str, seed: int, asked: int, habitual: bool = False
) -> str:
    """One phrasing of the probe for `gap`: rotated by the question (seed) and the number of
    probes already asked, so two probes in a row do not read the same. The steps of an
    answer about what usually happens are asked for on one real occasion."""
    if kind == "situational":
        variants = _SITUATIONAL[language].get(gap)
    elif gap == "action" and habitual:
        variants = _OCCASION[language]
    else:
        variants = None
    variants = variants or _PROBES[language][gap]
    return variants[(seed + asked) % len(variants)]


def decide_followup(
    analysis: StarAnalysis,
    language: str,
    followups_asked: int,
    max_followups: int = MAX_FOLLOWUPS,
    *,
    kind: str = "behavioural",
    question: str = "",
) -> FollowUp:
    """One probe for the most important blocking gap, or none when the answer is enough to
    score or `max_followups` are asked. `question` (the text asked) varies the wording."""
    if language not in _PROBES:
        raise InvalidInput(f"language {language!r} is not supported; use 'en' or 'zh'")
    if kind not in BLOCKING:
        raise InvalidInput(f"question kind {kind!r} takes no follow-ups; use {sorted(BLOCKING)}")
    if followups_asked < 0:
        raise InvalidInput(f"followups_asked must be 0 or more, got {followups_asked}")
    missing = missing_gaps(analysis, kind)
    blocking = [g for g in missing if g in BLOCKING[kind]]
    enough = not blocking
    needed = not enough and followups_asked < max_followups
    gap = blocking[0] if needed else None
    probe = None
    if gap is not None:
        seed = zlib.crc32(question.encode()) if question else 0
        probe = probe_text(gap, language, kind, seed, followups_asked, analysis.habitual)
    return FollowUp(needed=needed, gap=gap, probe=probe, missing=missing, enough_to_score=enough)
