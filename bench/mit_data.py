"""The rated MIT mock interviews (../shared/data/ratings) as question/answer pairs.

Each interviewer turn that asks one of the standard questions opens a pair; every
interviewee turn until the next standard question joins its answer (a probe such as
"can you be more specific?" continues the same answer). Small talk before the first
standard question is left out. Each standard question is mapped to the competency of the
library that it asks about, so the product scores it against that competency's rubric.
Development and evaluation data only: nothing here ships in the product.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "ratings"
DEV = DATA / "mit_interviews_dev.jsonl"
RATINGS = ("overall", "recommend_hiring", "structured_answers")

# (pattern on the interviewer's words, competency asked about), first match wins.
QUESTIONS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\bleader", re.I), "leadership"),
    (re.compile(r"\bteam\b|team player", re.I), "teamwork"),
    (re.compile(r"weakness|change one thing", re.I), "self_awareness"),
    (re.compile(r"hire you|get the job|should (?:we )?hire", re.I), "achievement_drive"),
    (re.compile(r"about yourself|your background", re.I), "communication"),
)


@dataclass(frozen=True)
class Pair:
    question: str
    answer: str
    competency: str


@dataclass(frozen=True)
class Interview:
    id: str
    participant: int
    pairs: tuple[Pair, ...]
    ratings: dict[str, float]


def competency_of(question: str) -> str | None:
    """The competency a standard question asks about, or None for anything else."""
    for pattern, competency in QUESTIONS:
        if pattern.search(question):
            return competency
    return None


def load(path: Path = DEV) -> list[Interview]:
    """Every interview of the file as question/answer pairs with its ratings."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        pairs: list[list[str]] = []
        for turn in row["turns"]:
            text = " ".join(turn["text"].split())
            if turn["speaker"] == "interviewer":
                comp = competency_of(text)
                if comp is not None:
                    pairs.append([text, "", comp])
            elif pairs and text:
                pairs[-1][1] = f"{pairs[-1][1]} {text}".strip()
        out.append(
            Interview(
                id=row["id"],
                participant=int(row["participant"]),
                pairs=tuple(Pair(q, a, c) for q, a, c in pairs if a),
                ratings={k: float(row["ratings"][k]) for k in RATINGS},
            )
        )
    return out
