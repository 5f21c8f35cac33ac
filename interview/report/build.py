"""Fuse answer scores into competency results and an overall 0-100 score. Pure."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from interview.competency.schemas import CompetencyModel
from interview.integrity.schemas import Flag
from interview.integrity.session import risk_text
from interview.integrity.summary import IntegritySummary
from interview.report.schemas import (
    CompetencyResult,
    FollowUpNote,
    Highlight,
    JudgeAgreement,
    PersonAssessment,
    Provenance,
    Report,
    Risk,
)
from interview.scoring.fusion import (
    Contribution,
    Dimension,
    ScoringPolicy,
    band,
    fuse,
    level_to_percent,
)
from interview.scoring.schemas import AnswerScore

MIN_COVERAGE = 0.5  # share of competency weight that must be answered before a band is given
MAX_HIGHLIGHTS = 5
__all__ = ["build_report", "level_to_percent", "person_assessment"]


def build_report(
    *,
    session_id: str,
    candidate_name: str,
    language: str,
    model: CompetencyModel,
    scores: Sequence[AnswerScore],
    asked: Sequence[str],
    provenance: Provenance,
    policy: ScoringPolicy | None = None,
    dimensions: Sequence[Dimension] = (),
    resume_risks: Sequence[str] = (),
    integrity: IntegritySummary | None = None,
    integrity_flags: Sequence[Flag] = (),
    judge: JudgeAgreement | None = None,
    followups: Sequence[FollowUpNote] = (),
) -> Report:
    """Competencies without any answer are left out and their weight renormalised away;
    when less than MIN_COVERAGE of the weight was answered the band is 'insufficient'."""
    by_comp: dict[str, list[AnswerScore]] = defaultdict(list)
    for s in scores:
        by_comp[s.competency_id].append(s)
    results = []
    for item in model.items:
        answers = by_comp.get(item.competency.id)
        if not answers:
            continue
        # Confidence-weighted mean over this competency's answers.
        weights = [max(a.confidence, 1e-3) for a in answers]
        value = sum(a.value * w for a, w in zip(answers, weights, strict=True)) / sum(weights)
        results.append(
            CompetencyResult(
                competency_id=item.competency.id,
                name=item.competency.name.get(language),
                weight=item.weight,
                level=int(min(5, max(1, round(value)))),
                value=round(value, 4),
                confidence=round(sum(weights) / len(weights), 4),
                matched_positive=tuple(
                    dict.fromkeys(p for a in answers for p in a.matched_positive)
                ),
                matched_negative=tuple(
                    dict.fromkeys(n for a in answers for n in a.matched_negative)
                ),
                evidence=tuple(e for a in answers for e in a.evidence),
                answers=tuple(answers),
            )
        )
    answered = {s.question_id for s in scores}
    unanswered = tuple(q for q in asked if q not in answered)
    assessed = {r.competency_id for r in results}
    not_assessed = tuple(
        i.competency.name.get(language)
        for i in sorted(model.items, key=lambda i: -i.weight)
        if i.competency.id not in assessed
    )
    policy = policy or ScoringPolicy()
    coverage = sum(r.weight for r in results)
    content = (
        sum(level_to_percent(r.value) * r.weight for r in results) / coverage if results else None
    )
    overall, contributions = fuse(content, dimensions, policy)
    highlights = _highlights(results)
    risks = [
        Risk(
            kind="negative_indicator",
            text=n,
            competency_id=r.competency_id,
            quote=next((e.quote for e in r.evidence if e.supports.startswith("negative:")), ""),
        )
        for r in results
        for n in r.matched_negative
    ]
    risks += [
        Risk(
            kind="reused_answer",
            text=REUSED[language if language in REUSED else "en"].format(
                question=s.question_id, first=s.reused_from
            ),
            competency_id=s.competency_id,
        )
        for s in scores
        if s.reused_from
    ]
    risks += [Risk(kind="resume", text=text) for text in resume_risks]
    risks += [
        Risk(kind="integrity", text=risk_text(f))
        for f in integrity_flags
        if f.severity != "low"  # low flags stay in the flag list, not among the risks
    ]
    return Report(
        session_id=session_id,
        candidate_name=candidate_name,
        role_title=model.role_title,
        language=language,
        overall=overall,
        content_score=round(content or 0.0, 2),
        coverage=round(coverage, 4),
        band=band(overall, coverage, MIN_COVERAGE, policy.thresholds),
        contributions=contributions,
        # Shown to the reviewer whether or not they are scored (contributions say which are);
        # the EU profile leaves video out altogether.
        dimensions=tuple(
            d for d in dimensions if not (d.name == "presence" and policy.profile == "eu")
        ),
        competencies=tuple(results),
        highlights=highlights,
        risks=tuple(risks),
        unanswered=unanswered,
        not_assessed=not_assessed,
        followups=tuple(followups),
        judge=judge,
        integrity=integrity.level if integrity else "not_assessed",
        integrity_summary=integrity,
        integrity_flags=tuple(integrity_flags),
        explanation=explain(contributions, len(results), coverage, language, not_assessed),
        provenance=provenance,
    )


FOLLOWUP_TEXT = {
    "en": {
        "asked": "Follow-up asked about the {gaps}; no answer to it was given.",
        "enough": "No further follow-up: the answer could be scored as it was.",
        "limit": "No further follow-up: the most allowed for one question were asked.",
        "late": "No follow-up: the decision was not ready in time, and the interview moved on.",
        "failed": "No follow-up: the decision failed (a model was unavailable).",
        "no_words": "No follow-up: nothing was heard in the recording.",
        "probed": "Follow-up asked about the {gaps}. ",
    },
    "zh": {
        "asked": "已就{gaps}追问，候选人未作答。",
        "enough": "未再追问：回答已足够评分。",
        "limit": "未再追问：该题的追问次数已达上限。",
        "late": "未追问：追问判断未能及时完成，面试继续进行。",
        "failed": "未追问：追问判断失败（模型不可用）。",
        "no_words": "未追问：录音中没有听到内容。",
        "probed": "已就{gaps}追问。",
    },
}
GAP_NAMES = {
    "en": {
        "relevance": "question itself", "hypothetical": "a real occasion",
        "too_short": "more detail", "action": "steps taken", "result": "outcome",
        "specificity": "concrete details", "situation": "context", "task": "goal",
        "first_person": "candidate's own part",
    },
    "zh": {
        "relevance": "题目本身", "hypothetical": "真实经历", "too_short": "更多内容",
        "action": "具体做法", "result": "结果", "specificity": "具体细节", "situation": "背景",
        "task": "目标", "first_person": "本人所做的部分",
    },
}  # fmt: skip


def followup_notes(
    decisions: Sequence[tuple[str, str, str | None]], language: str
) -> tuple[FollowUpNote, ...]:
    """(question id, outcome, gap) decisions in time order -> one note per question."""
    lang = language if language in FOLLOWUP_TEXT else "en"
    asked: dict[str, list[str]] = {}
    last: dict[str, str] = {}
    for qid, outcome, gap in decisions:
        asked.setdefault(qid, [])
        if outcome == "asked" and gap:
            asked[qid].append(gap)
        last[qid] = outcome
    notes = []
    for qid, gaps in asked.items():
        names = ("、" if lang == "zh" else ", ").join(GAP_NAMES[lang].get(g, g) for g in gaps)
        outcome = last[qid]
        if outcome == "asked":
            text = FOLLOWUP_TEXT[lang]["asked"].format(gaps=names)
        else:
            text = FOLLOWUP_TEXT[lang][outcome]
            if gaps:
                text = FOLLOWUP_TEXT[lang]["probed"].format(gaps=names) + text
        notes.append(FollowUpNote(question_id=qid, asked=tuple(gaps), outcome=outcome, text=text))
    return tuple(notes)


REUSED = {
    "en": "The answer to {question} repeats the answer to {first}; it counted once.",
    "zh": "问题 {question} 的回答与问题 {first} 的回答相同，只计一次。",
}

MODALITY = {
    "en": {
        "content": "what was said",
        "delivery": "speech delivery",
        "presence": "on-camera presence",
    },
    "zh": {"content": "回答内容", "delivery": "语言表达", "presence": "镜头前表现"},
}


def explain(
    contributions: Sequence[Contribution],
    competencies: int,
    coverage: float,
    language: str,
    not_assessed: Sequence[str] = (),
) -> str:
    """The explainability statement every report carries, from its own numbers."""
    zh = language == "zh"
    names = MODALITY["zh" if zh else "en"]
    parts = [
        f"{names.get(c.modality, c.modality)} {c.weight:.0%}" for c in contributions if c.weight
    ]
    if zh:
        gap = (
            f"未评估：{'、'.join(not_assessed)}（占岗位权重的{1 - coverage:.0%}），"
            "推荐意见仅依据已评估的能力。"
            if not_assessed
            else ""
        )
        return (
            f"本报告由AI辅助生成，供人工评估参考，不构成录用决定。总分由以下部分加权得出：{'、'.join(parts)}。"
            f"每项能力（共{competencies}项，占岗位权重的{coverage:.0%}）的1-5级评分，依据回答本身："
            "候选人讲了多少实质内容，真实事例的情境、任务、行动和结果，以及具体细节，"
            "各部分的权重参照独立评分者对真实面试的评分确定；离题、假设性或重复的回答有上限，"
            f"写给评分系统的话不计入。每个评分都引用了回答中的原话作为依据。{gap}"
            "语音回答先由语音识别模型转写。不从面部或声音推断情绪或性格。诚信提示仅供审核人员查看，"
            "不影响任何分数。审核人员可以修改分数（须写明理由并记录在审计日志中），候选人可以要求人工复核。"
        )
    gap = (
        f"Not assessed: {', '.join(not_assessed)} ({1 - coverage:.0%} of the role's weight); "
        "the recommendation rests on the competencies that were. "
        if not_assessed
        else ""
    )
    return (
        "This report was prepared with AI assistance for a person to review; it is not a hiring "
        f"decision. The overall score weights {', '.join(parts)}. Each competency's level "
        f"(1-5; {competencies} competencies, {coverage:.0%} of the role's weight) comes from "
        "what the answers show: how much the candidate told, the situation, task, action and "
        "result of a real example, and its concrete details, weighted as independent raters of "
        "real interviews weighted them; off-topic, hypothetical or reused answers are capped, "
        "and anything addressed to the scorer is set aside. Every score quotes the words it "
        f"rests on. {gap}"
        "Spoken answers are transcribed by a speech recognizer first. No emotion or personality "
        "is inferred from faces or voices. Integrity flags are for the reviewer and do not change "
        "any score. Reviewers can change a score with a written reason, recorded in the audit "
        "trail, and the candidate can ask for a human review."
    )


def person_assessment(language: str, withdrawn_at: datetime | None) -> PersonAssessment:
    """The note a report shows instead of AI scores when the candidate withdrew consent to
    AI-assisted assessment (at `withdrawn_at`) or never gave it (None)."""
    day = withdrawn_at.date().isoformat() if withdrawn_at else ""
    if language == "zh":
        why = f"候选人已于{day}撤回对AI辅助评估的同意。" if day else "候选人未同意AI辅助评估。"
        text = why + "必须由人工根据回答评估该候选人：没有AI评分，也没有推荐结论。"
    else:
        why = (
            f"The candidate withdrew consent to AI-assisted assessment on {day}. "
            if day
            else "The candidate did not consent to AI-assisted assessment. "
        )
        text = why + (
            "A person must assess this candidate from the answers: there are no AI scores and "
            "no recommendation."
        )
    return PersonAssessment(
        reason="consent_withdrawn" if withdrawn_at else "consent_not_given",
        at=withdrawn_at,
        text=text,
    )


def _highlights(results: Sequence[CompetencyResult]) -> tuple[Highlight, ...]:
    """The strongest evidence: positive indicators first, then answers at level 4 or 5."""
    out: list[tuple[float, Highlight]] = []
    for r in results:
        for e in r.evidence:
            if e.supports.startswith("positive:") or (
                e.supports.startswith(("star:", "anchor:", "choice:")) and r.level >= 4
            ):
                text = (
                    next(iter(r.matched_positive), r.name)
                    if e.supports.startswith("positive:")
                    else r.name
                )
                out.append(
                    (
                        r.value + e.similarity,
                        Highlight(
                            competency_id=r.competency_id,
                            text=text,
                            quote=e.quote,
                            question_id=e.question_id,
                        ),
                    )
                )
    out.sort(key=lambda p: -p[0])
    seen: set[str] = set()
    chosen = []
    for _, h in out:
        if h.quote not in seen:
            seen.add(h.quote)
            chosen.append(h)
    return tuple(chosen[:MAX_HIGHLIGHTS])
