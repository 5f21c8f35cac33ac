"""What a report should say about the role's compliance profile and switched-off modalities.
Pure: from the scoring policy and the report's contributions."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from interview.report.schemas import Report
from interview.scoring.fusion import ScoringPolicy

NOTES: dict[str, dict[Literal["en", "zh"], str]] = {
    "eu_profile": {
        "en": "EU profile: on-camera behaviour is not scored (presence weight 0). Identity "
        "checks run only with the candidate's biometric consent; no emotion is inferred.",
        "zh": "欧盟合规配置：不对镜头前表现评分（在场权重为 0）。"
        "仅在候选人同意生物特征核验时进行身份核验；不推断任何情绪。",
    },
    "presence_off": {
        "en": "On-camera behaviour is shown to the reviewer but not scored for this role "
        "(the default).",
        "zh": "该岗位不对镜头前表现评分（默认），仅供审核人员参考。",
    },
    "delivery_off": {
        "en": "Delivery (how it was said) is shown to the reviewer but not scored for this "
        "role (the default): only what was said counts.",
        "zh": "该岗位不对表达方式评分（默认），仅供审核人员参考：只有回答内容计分。",
    },
}


class Compliance(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    profile: Literal["default", "eu"]
    video_scored: bool  # presence is among the report's contributions
    delivery_scored: bool
    notes: tuple[str, ...]  # keys of NOTES, in order


def compliance(policy: ScoringPolicy, report: Report) -> Compliance:
    modalities = {c.modality for c in report.contributions}
    notes = []
    if policy.profile == "eu":
        notes.append("eu_profile")
    elif not policy.presence or policy.presence_weight == 0:
        notes.append("presence_off")
    if not policy.delivery or policy.delivery_weight == 0:
        notes.append("delivery_off")
    return Compliance(
        profile=policy.profile,
        video_scored="presence" in modalities,
        delivery_scored="delivery" in modalities,
        notes=tuple(notes),
    )


def note_texts(c: Compliance, lang: Literal["en", "zh"]) -> list[str]:
    return [NOTES[n][lang] for n in c.notes]
