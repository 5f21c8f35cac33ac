"""The worker side of `interview score`: perceive and score one candidate with loaded models.

The same code path as the server's scoring job, without the database: recordings go through
integrity.recording.perceive (transcript, speech and video features, identity and reading
flags), answers through pipeline.AnswerScorer, the integrity pass through
integrity.session.check_session, and build_report makes the report the dashboard shows.

A CandidateScorer holds the models (one per worker process or Ray actor); `run_task` is the
one function every engine calls, and it never raises: a bad file becomes the outcome's error.
Two stages, so near-duplicates can be checked against every other candidate of the role:
"perceive" turns a candidate's recordings into transcripts; "score" takes the transcripts
and the other candidates' answers (peers) and returns the report.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Literal

import numpy as np

import interview
from interview.backend.protocols import Vectors
from interview.backend.registry import Backend
from interview.batch.input import Candidate, RoleSpec
from interview.competency.build import build_competency_model, competency_texts, template_texts
from interview.competency.library import load_library
from interview.competency.schemas import Competency, CompetencyModel
from interview.config import Settings
from interview.errors import InterviewError, InvalidInput
from interview.integrity.identity import Enrollment, enroll
from interview.integrity.recording import PerceivedAnswer, perceive, recorded_integrity
from interview.integrity.session import SessionEvidence, check_session, integrity_tools
from interview.integrity.similarity import PeerAnswer
from interview.perception.media import probe_media
from interview.pipeline import EMBEDDER, AnswerScorer, measured_dimensions, settings_hash
from interview.report.build import build_report
from interview.report.schemas import Provenance, Report
from interview.scoring.schemas import AnswerScore
from interview.scoring.timing import attach_times

log = logging.getLogger(__name__)
Stage = Literal["perceive", "score"]


@dataclass(frozen=True)
class Task:
    """One candidate's work for one stage; picklable, so any engine can carry it."""

    stage: Stage
    candidate: Candidate
    now: datetime
    role: RoleSpec | None = None  # score stage
    models: dict[str, str] = field(default_factory=dict)  # provenance: task -> model name
    perceived: Mapping[int, PerceivedAnswer] = field(default_factory=dict)  # answer number ->
    peers: tuple[PeerAnswer, ...] = ()  # other candidates' answers for the same role
    media: Mapping[str, bytes] | None = None  # file bytes by path (Ray); None: read the files


@dataclass(frozen=True)
class Outcome:
    candidate_id: str
    stage: Stage
    perceived: dict[int, PerceivedAnswer] | None = None
    report: Report | None = None
    error: str | None = None
    seconds: float = 0.0  # wall time of the task in the worker


def question_id(n: int, competency_id: str) -> str:
    """Answer n (1-based) for a competency: the id the report uses."""
    return f"q{n}:{competency_id}"


class CandidateScorer:
    """Models loaded once; role models, rubric and question matches cached across candidates."""

    def __init__(self, backend: Backend, settings: Settings) -> None:
        self.backend = backend
        self.settings = settings
        self.embedder = backend.embedder(EMBEDDER)
        self.scorer = AnswerScorer(self.embedder)
        self.tools = integrity_tools(backend, settings)
        self._library: tuple[Vectors, Vectors] | None = None
        self._roles: dict[str, CompetencyModel] = {}
        self._refs: dict[tuple[str, str], Vectors] = {}
        self._matched: dict[tuple[str, str, str], str] = {}
        library = load_library()
        self._by_text = {
            t.get(lang).strip(): c.id
            for c in library.competencies
            for t in c.behavioural_questions + c.situational_questions
            for lang in ("en", "zh")
        }

    def role_model(self, role: RoleSpec) -> CompetencyModel:
        """pipeline.setup_role's competency model, with the library embedded once per worker
        (setup_role embeds it on every call: seconds per role on a CPU)."""
        if role.fingerprint not in self._roles:
            library = load_library()
            if self._library is None:
                self._library = (
                    self.embedder.embed_passages(template_texts(library)),
                    self.embedder.embed_passages(competency_texts(library)),
                )
            query = self.embedder.embed_queries([f"{role.title}. {role.description}".strip()])[0]
            model, _ = build_competency_model(
                role.title, role.description, library, query, *self._library
            )
            self._roles[role.fingerprint] = model
        return self._roles[role.fingerprint]

    def competency_for(self, question: str, model: CompetencyModel, language: str) -> str:
        """A library question's own competency, else the role's closest competency (e5)."""
        ids = [i.competency.id for i in model.items]
        known = self._by_text.get(question.strip())
        if known is not None and known in ids:
            return known
        key = (model.role_title, language, question.strip())
        if key not in self._matched:
            refs_key = (model.role_title, language)
            if refs_key not in self._refs:
                self._refs[refs_key] = self.embedder.embed_queries(
                    [_competency_text(i.competency, language) for i in model.items]
                )
            vec = self.embedder.embed_queries([question])[0]
            self._matched[key] = ids[int(np.argmax(self._refs[refs_key] @ vec))]
        return self._matched[key]

    def perceive(
        self, candidate: Candidate, media: Mapping[str, bytes] | None = None
    ) -> dict[int, PerceivedAnswer]:
        """Every recording of the candidate, by answer number; InvalidInput names a bad file."""
        enrollment: Enrollment | None = None
        if candidate.photo:
            name = Path(candidate.photo).name
            try:
                enrollment = enroll(self.backend, _read(candidate.photo, media))
            except InvalidInput as exc:
                raise InvalidInput(f"photo {name}: {exc}") from None
        out: dict[int, PerceivedAnswer] = {}
        for n, answer in enumerate(candidate.answers, start=1):
            if answer.media is None:
                continue
            data = _read(answer.media, media)
            try:
                _, has_video = probe_media(data)
            except InvalidInput as exc:
                raise InvalidInput(f"answer {n} ({answer.file}): {exc}") from None
            out[n] = perceive(
                self.backend,
                data,
                candidate.language,
                with_video=has_video,
                enrollment=enrollment,
            )
        return out

    def score(
        self,
        candidate: Candidate,
        role: RoleSpec,
        perceived: Mapping[int, PerceivedAnswer],
        peers: Sequence[PeerAnswer],
        models: dict[str, str],
        now: datetime,
    ) -> Report:
        """The report for one candidate, as score_session builds it for the dashboard."""
        language = candidate.language
        model = self.role_model(role)
        comps = {i.competency.id: i.competency for i in model.items}
        library = load_library()
        scores: list[AnswerScore] = []
        asked: list[str] = []
        questions: dict[str, str] = {}
        written: dict[str, str] = {}
        spoken: dict[str, str] = {}
        heard: dict[str, PerceivedAnswer] = {}
        todo: list[tuple[str, str, str, Competency, str]] = []
        for n, answer in enumerate(candidate.answers, start=1):
            cid = answer.competency or self.competency_for(answer.question, model, language)
            qid = question_id(n, cid)
            asked.append(qid)
            questions[qid] = answer.question
            comp = comps.get(cid) or library.competency(cid)
            if n in perceived:
                heard[qid] = perceived[n]
                said = perceived[n].transcript.text
                if said.strip():
                    spoken[qid] = said
                    todo.append((qid, answer.question, said, comp, language))
            elif answer.text and answer.text.strip():
                written[qid] = answer.text
                todo.append((qid, answer.question, answer.text, comp, language))
        for result in self.scorer.score_many(todo):  # one embedding batch per candidate
            said_in = heard.get(result.question_id)
            scores.append(attach_times(result, said_in.transcript) if said_in else result)
        media_flags, media_checked = recorded_integrity(heard)
        checked = check_session(
            SessionEvidence(
                language=language,
                questions=questions,
                written=written,
                spoken=spoken,
                media_flags=media_flags,
                media_checked=media_checked,
                peers=list(peers),
            ),
            self.tools,
        )
        provenance = Provenance(
            package_version=interview.__version__,
            library_version=model.library_version,
            competency_model_version=model.version,
            models={**models, "content_model": self.scorer.model.version},
            settings_hash=settings_hash(self.settings),
            scored_at=now,
        )
        return build_report(
            session_id=candidate.candidate_id,
            candidate_name=candidate.name,
            language=language,
            model=model,
            scores=scores,
            asked=asked,
            provenance=provenance,
            policy=role.policy,
            dimensions=measured_dimensions(heard.values()),
            integrity=checked.summary,
            integrity_flags=checked.flags,
        )


def _competency_text(competency: Competency, language: str) -> str:
    """What a free question is matched against: name, definition and library questions."""
    questions = " ".join(q.get(language) for q in competency.behavioural_questions)
    return f"{competency.name.get(language)}: {competency.definition.get(language)} {questions}"


def _read(path: str, media: Mapping[str, bytes] | None) -> bytes:
    if media is not None and path in media:
        return media[path]
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise InvalidInput(f"cannot read {Path(path).name}: {exc.strerror}") from None


def run_task(scorer: CandidateScorer, task: Task) -> Outcome:
    """One stage of one candidate; errors become the outcome's message, never an exception."""
    start = time.perf_counter()
    cid = task.candidate.candidate_id
    try:
        if task.stage == "perceive":
            perceived = scorer.perceive(task.candidate, task.media)
            return Outcome(cid, "perceive", perceived=perceived, seconds=_since(start))
        assert task.role is not None, "a score task carries the resolved role"
        report = scorer.score(
            task.candidate, task.role, task.perceived, task.peers, task.models, task.now
        )
        return Outcome(cid, "score", report=report, seconds=_since(start))
    except InterviewError as exc:
        return Outcome(cid, task.stage, error=str(exc), seconds=_since(start))
    except Exception as exc:  # one candidate's crash must not stop the batch
        log.exception("candidate %s failed in %s", cid, task.stage)
        return Outcome(cid, task.stage, error=f"internal error: {type(exc).__name__}: {exc}"[:500])


def _since(start: float) -> float:
    return round(time.perf_counter() - start, 3)
