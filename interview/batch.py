"""Scoring recorded text interviews offline (`interview score FILE.jsonl`).

One JSON object per line: {"candidate_id", "role", "language", "answers": [{"question",
"answer"}]}. The role is a library role id, a job title, or a role YAML file. Each answer is
scored for the competency its question belongs to: a library question's own competency, else
the role's competency whose questions and definition are closest to it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

import numpy as np
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

import interview
from interview.backend.protocols import Embedder
from interview.competency.library import load_library
from interview.competency.schemas import CompetencyModel
from interview.config import Settings
from interview.errors import InvalidInput
from interview.pipeline import EMBEDDER, AnswerScorer, settings_hash, setup_role
from interview.report.build import build_report
from interview.report.schemas import Provenance, Report

MAX_LINE_CHARS = 1_000_000


class TextAnswer(BaseModel):
    model_config = ConfigDict(extra="forbid")
    question: str = Field(min_length=1, max_length=2000)
    answer: str = Field(max_length=20_000)


class TextInterview(BaseModel):
    model_config = ConfigDict(extra="forbid")
    candidate_id: str = Field(min_length=1, max_length=200)
    role: str = Field(min_length=1, max_length=500)
    language: Literal["en", "zh"] = "en"
    answers: list[TextAnswer] = Field(min_length=1, max_length=50)


def read_jsonl(path: Path) -> Iterator[tuple[int, TextInterview | InvalidInput]]:
    """(line number, interview or the error that names what is wrong with that line)."""
    with path.open(encoding="utf-8") as f:
        for n, line in enumerate(f, start=1):
            if not line.strip():
                continue
            if len(line) > MAX_LINE_CHARS:
                yield n, InvalidInput(f"line {n}: over {MAX_LINE_CHARS} characters")
                continue
            try:
                yield n, TextInterview.model_validate(json.loads(line))
            except json.JSONDecodeError as exc:
                yield n, InvalidInput(f"line {n}: not JSON ({exc.msg} at column {exc.colno})")
            except ValidationError as exc:
                problems = "; ".join(
                    f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
                )
                yield n, InvalidInput(f"line {n}: {problems}")


def role_spec(role: str) -> tuple[str, str]:
    """(title, description) from a library role id, a role YAML file or a free title."""
    templates = {r.id: r for r in load_library().roles}
    if role in templates:
        return templates[role].title.en, templates[role].description.en
    path = Path(role)
    if path.suffix in (".yaml", ".yml"):
        if not path.is_file():
            raise InvalidInput(f"role file {path} does not exist")
        spec = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if not isinstance(spec, dict) or not spec.get("title"):
            raise InvalidInput(f"role file {path} needs a 'title' (and may give 'description')")
        return str(spec["title"]), str(spec.get("description", ""))
    return role, ""


class TextInterviewScorer:
    """Scores text interviews with models loaded once; role models are cached by role."""

    def __init__(self, embedder: Embedder, settings: Settings) -> None:
        self.embedder = embedder
        self.settings = settings
        self.scorer = AnswerScorer(embedder)
        self._roles: dict[tuple[str, str], CompetencyModel] = {}
        library = load_library()
        self._by_text = {
            t.get(lang).strip(): c.id
            for c in library.competencies
            for t in c.behavioural_questions + c.situational_questions
            for lang in ("en", "zh")
        }

    def model_for(self, role: str, language: str) -> CompetencyModel:
        key = (role, language)
        if key not in self._roles:
            title, description = role_spec(role)
            model, _, _ = setup_role(self.embedder, title, description, language, 5, 0)
            self._roles[key] = model
        return self._roles[key]

    def competency_for(self, question: str, model: CompetencyModel, language: str) -> str:
        ids = [i.competency.id for i in model.items]
        known = self._by_text.get(question.strip())
        if known in ids:
            return known  # type: ignore[return-value]
        refs = [
            f"{i.competency.name.get(language)}: {i.competency.definition.get(language)} "
            + " ".join(q.get(language) for q in i.competency.behavioural_questions)
            for i in model.items
        ]
        vecs = self.embedder.embed_queries([question, *refs])
        return ids[int(np.argmax(vecs[1:] @ vecs[0]))]

    def score(self, record: TextInterview, now: datetime) -> Report:
        model = self.model_for(record.role, record.language)
        comps = {i.competency.id: i.competency for i in model.items}
        scores = []
        asked = []
        for n, qa in enumerate(record.answers, start=1):
            cid = self.competency_for(qa.question, model, record.language)
            qid = f"q{n}:{cid}"
            asked.append(qid)
            if qa.answer.strip():
                scores.append(self.scorer.score(qid, qa.answer, comps[cid], record.language))
        provenance = Provenance(
            package_version=interview.__version__,
            library_version=model.library_version,
            competency_model_version=model.version,
            models={"embed": EMBEDDER},
            settings_hash=settings_hash(self.settings),
            scored_at=now,
        )
        return build_report(
            session_id=record.candidate_id,
            candidate_name=record.candidate_id,
            language=record.language,
            model=model,
            scores=scores,
            asked=asked,
            provenance=provenance,
        )


def summary_row(report: Report) -> dict[str, Any]:
    return {
        "candidate_id": report.session_id,
        "overall": report.overall,
        "band": report.band,
        "coverage": report.coverage,
        **{f"level:{c.competency_id}": c.level for c in report.competencies},
    }
