"""Fuse answer scores into competency results and an overall 0-100 score. Pure."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from interview.competency.schemas import CompetencyModel
from interview.integrity.schemas import Flag
from interview.integrity.session import risk_text
from interview.integrity.summary import IntegritySummary
from interview.report.schemas import (
    CompetencyResult,
    Highlight,
    JudgeAgreement,
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
__all__ = ["build_report", "level_to_percent"]


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
        judge=judge,
        integrity=integrity.level if integrity else "not_assessed",
        integrity_summary=integrity,
        integrity_flags=tuple(integrity_flags),
        explanation=explain(contributions, len(results), coverage, language),
        provenance=provenance,
    )


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
    contributions: Sequence[Contribution], competencies: int, coverage: float, language: str
) -> str:
    """The explainability statement every report carries, from its own numbers."""
    zh = language == "zh"
    names = MODALITY["zh" if zh else "en"]
    parts = [
        f"{names.get(c.modality, c.modality)} {c.weight:.0%}" for c in contributions if c.weight
    ]
    if zh:
        return (
            f"本报告由AI辅助生成，供人工评估参考，不构成录用决定。总分由以下部分加权得出：{'、'.join(parts)}。"
            f"每项能力（共{competencies}项，占岗位权重的{coverage:.0%}）的1-5级评分，来自将候选人的回答与"
            "该能力的行为锚定等级示例逐一比较（多语言文本嵌入模型），每个评分都引用了回答中的原话作为证据。"
            "语音回答先由语音识别模型转写。不从面部或声音推断情绪或性格。诚信提示仅供审核人员查看，"
            "不影响任何分数。审核人员可以修改分数（须写明理由并记录在审计日志中），候选人可以要求人工复核。"
        )
    return (
        "This report was prepared with AI assistance for a person to review; it is not a hiring "
        f"decision. The overall score weights {', '.join(parts)}. Each competency's level "
        f"(1-5; {competencies} competencies, {coverage:.0%} of the role's weight) comes from "
        "what the answers show: how much the candidate told, the situation, task, action and "
        "result of a real example, and its concrete details, weighted as independent raters of "
        "real interviews weighted them; off-topic, hypothetical or reused answers are capped, "
        "and anything addressed to the scorer is set aside. Every score quotes the words it "
        "rests on. "
        "Spoken answers are transcribed by a speech recognizer first. No emotion or personality "
        "is inferred from faces or voices. Integrity flags are for the reviewer and do not change "
        "any score. Reviewers can change a score with a written reason, recorded in the audit "
        "trail, and the candidate can ask for a human review."
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
