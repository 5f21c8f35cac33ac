"""The one place that chains the stages: role -> plan -> answers -> scores -> report."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

import interview
from interview.backend.protocols import Embedder, TextGenerator, Vectors
from interview.candidate.answers import answer_texts, peer_answers
from interview.candidate.enrollment import latest_enrollment
from interview.candidate.events import browser_evidence
from interview.candidate.followups import followup_decisions
from interview.candidate.results import assess_by_person, lock_session, write_scores
from interview.candidate.session import has_consent
from interview.competency.build import build_competency_model, competency_texts, template_texts
from interview.competency.library import load_library
from interview.competency.schemas import Competency, CompetencyModel
from interview.config import Settings
from interview.errors import NotFound
from interview.integrity.identity import Enrollment
from interview.integrity.recording import PerceivedAnswer, recorded_integrity
from interview.integrity.session import IntegrityTools, SessionEvidence, check_session
from interview.perception.schemas import Transcript
from interview.questions.followup import decide_followup, relevance_references
from interview.questions.followup_schemas import FollowUp
from interview.questions.history import history_questions
from interview.questions.plan import build_plan
from interview.questions.rephrase import accept, rephrase_prompt, rephrased
from interview.questions.resume_questions import resume_questions
from interview.questions.schemas import Question, QuestionPlan
from interview.report.build import build_report, followup_notes
from interview.report.schemas import Provenance, Report
from interview.resume.extract import extract_text
from interview.resume.parse import parse_resume
from interview.resume.schemas import ResumeFacts
from interview.scoring import content
from interview.scoring.choice import score_choice
from interview.scoring.dimensions import delivery, presence
from interview.scoring.fusion import Dimension, policy_from
from interview.scoring.judge import agreement, judge_prompt, parse_judgement
from interview.scoring.schemas import AnswerScore, JudgeAgreement
from interview.scoring.timing import attach_times
from interview.storage.blobs import BlobStore
from interview.storage.db import Database
from interview.storage.tables import (
    Answer,
    Candidate,
    CompetencyModelRow,
    InterviewSession,
    JobRole,
    QuestionPlanRow,
)
from interview.text.sentences import INSTRUCTION_PATTERNS
from interview.text.star import analyse_answer
from interview.worker import Commit

EMBEDDER = "e5-small-multilingual-torch"


def setup_role(
    embedder: Embedder,
    title: str,
    description: str,
    language: str,
    max_questions: int | None,
    choice_items: int | None = None,
    work_history: bool = False,
) -> tuple[CompetencyModel, QuestionPlan, float]:
    """Title/description -> competency model -> question plan. `max_questions` open questions
    (None: enough to cover the role) and `choice_items` multiple-choice items (None: 2 for
    frontline roles, 1 otherwise), all fitting the role's settings (questions/plan.py)."""
    library = load_library()
    query = embedder.embed_queries([f"{title}. {description}".strip()])[0]
    templates = embedder.embed_passages(template_texts(library))
    comps = embedder.embed_passages(competency_texts(library))
    model, similarity = build_competency_model(title, description, library, query, templates, comps)
    plan = build_plan(model, language, max_questions=max_questions, item_count=choice_items)
    if work_history:  # no resume: ask for a short one first
        plan = plan.model_copy(update={"questions": history_questions(language) + plan.questions})
    return model, plan, similarity


def rephrase_plan(
    generator: TextGenerator, plan: QuestionPlan, role_title: str, languages: tuple[str, ...]
) -> QuestionPlan:
    """Open questions reworded for the role by a generator; each kept only if it passes the
    guard in questions/rephrase.py. Languages the generator does not speak are left alone."""
    if plan.language not in languages:
        return plan
    open_qs = [q for q in plan.questions if q.kind in ("behavioural", "situational")]
    if not open_qs:
        return plan
    prompts = [rephrase_prompt(q.text, role_title, plan.language) for q in open_qs]
    outs = generator.generate(prompts, max_new_tokens=60, temperature=0.0, stop=("\n",))
    new = {
        q.id: rephrased(q, accept(q.text, g.text, plan.language))
        for q, g in zip(open_qs, outs, strict=True)
    }
    return plan.model_copy(update={"questions": tuple(new.get(q.id, q) for q in plan.questions)})


def followup_for(
    embedder: Embedder,
    competency: Competency,
    question: str,
    answer: str,
    language: str,
    followups_asked: int,
    kind: str = "behavioural",
) -> FollowUp:
    """Judge STAR, specificity and relevance of an answer (with its follow-up replies) to a
    question of `kind` and decide on one probe. Relevance is the answer's best cosine (E5,
    symmetric) with the question and with the competency's own texts."""
    references = relevance_references(competency, language, question)
    vecs = embedder.embed_queries([answer or " ", *references])
    relevance = float(max(vecs[1:] @ vecs[0]))
    analysis = analyse_answer(answer, language, relevance=relevance)
    return decide_followup(analysis, language, followups_asked, kind=kind, question=question)


def resume_plan_questions(
    data: bytes, language: str, today: date
) -> tuple[ResumeFacts, tuple[Question, ...]]:
    """A resume file -> facts, risk points and the questions about them."""
    facts = parse_resume(extract_text(data), language, today)
    return facts, resume_questions(facts, language)


class AnswerScorer:
    """Embeds answers and rubric texts through the backend, then scores purely
    (scoring/content.py); the one scoring path of the server, the batch and the benchmarks."""

    def __init__(self, embedder: Embedder, model: content.ContentModel | None = None) -> None:
        self.embedder = embedder
        self.model = model or content.load_model()
        self._rubric: dict[tuple[Competency, str], Vectors] = {}
        self._topics: dict[tuple[Competency, str, str], content.Topic] = {}
        self._idf: dict[str, tuple[dict[str, float], float]] = {}
        self._centre: dict[str, Vectors] = {}

    def centre(self, language: str) -> Vectors:
        """The mean embedding of the library's example answers in a language: what any two
        answers share, subtracted before relevance and indicator similarities."""
        if language not in self._centre:
            texts = [
                a.example.get(language) for c in load_library().competencies for a in c.anchors
            ]
            mean = self.embedder.embed_queries(texts).mean(axis=0)
            self._centre[language] = mean / max(float(np.linalg.norm(mean)), 1e-12)
        return self._centre[language]

    def _indicators(self, competency: Competency, language: str) -> Vectors:
        # Keyed by the whole competency: a role's model may reword the library's indicators
        # (competency.edit.apply_rubric), and an edit must never meet the old embeddings.
        key = (competency, language)
        if key not in self._rubric:
            labels = content.indicator_texts(competency, language)
            self._rubric[key] = self.embedder.embed_queries([t for _, t in labels])
        return self._rubric[key]

    def _topic(self, competency: Competency, language: str, question: str) -> content.Topic:
        if language not in self._idf:
            self._idf[language] = content.library_idf(load_library().competencies, language)
        key = (competency, language, question)  # whole competency: see _indicators
        if key not in self._topics:
            self._topics[key] = content.topic(competency, language, question, self._idf[language])
        return self._topics[key]

    def score(
        self, question_id: str, question: str, text: str, competency: Competency, language: str
    ) -> AnswerScore:
        return self.score_many([(question_id, question, text, competency, language)])[0]

    def score_many(
        self, items: Sequence[tuple[str, str, str, Competency, str]]
    ) -> list[AnswerScore]:
        """Score one interview's (question id, question, answer, competency, language) items,
        in the order asked, with one embedding call for all their kept sentences. An answer
        given again to a later question counts once (content.reused_answers)."""
        if not items:
            return []
        texts: list[str] = []
        spans: list[tuple[int, int]] = []  # first row, kept sentences
        for _, question, text, _, language in items:
            said_in = content.detect_language(text) or language
            kept, _ = content.read_answer(text, said_in, question)
            spans.append((len(texts), len(kept)))
            texts += [s.text for s in kept]
        vecs = self.embedder.embed_queries(texts) if texts else np.zeros((0, 1), np.float32)
        reused = content.reused_answers([(qid, text) for qid, _, text, _, _ in items])
        out = []
        for (question_id, question, text, competency, language), (first, n) in zip(
            items, spans, strict=True
        ):
            result = content.score_answer(
                question_id,
                question,
                text,
                competency,
                language,
                self._topic(competency, language, question),
                vecs[first : first + n],
                self._indicators(competency, language),
                self.centre(language),
                self.model,
            )
            if question_id in reused:
                result = content.counted_once(result, reused[question_id])
            out.append(result)
        return out


def measured_dimensions(heard: Iterable[PerceivedAnswer]) -> list[Dimension]:
    """Delivery and presence over the recorded answers, where there was speech or video."""
    answers = list(heard)
    found = (
        delivery([p.speech for p in answers if p.speech is not None]),
        presence([p.video for p in answers if p.video is not None]),
    )
    return [d for d in found if d is not None]


def settings_hash(settings: Settings) -> str:
    relevant = {
        "device_policy": settings.device_policy,
        "embedder": EMBEDDER,
        "content_model": content.load_model().version,
        "relevance_min": content.RELEVANCE_MIN,
        "match": content.INDICATOR_MATCH,
        "min_words": content.MIN_WORDS,
        "short_words": content.SHORT_WORDS,
        "read_words": content.MAX_READ_WORDS,
        "instructions": [p.pattern for p in INSTRUCTION_PATTERNS],
    }
    return hashlib.sha256(json.dumps(relevant, sort_keys=True).encode()).hexdigest()[:16]


# media, language, with video, the candidate's enrolled face (None: identity not checked),
# the live transcriber's transcript of the recording (None: transcribe it)
Perceiver = Callable[[bytes, str, bool, Enrollment | None, Transcript | None], PerceivedAnswer]


def is_perceived(stored: dict[str, Any] | None) -> bool:
    """Whether an answer row's `transcript` column holds a whole perception (PerceivedAnswer),
    not only the live transcript kept when the recording was stored."""
    return bool(stored) and "transcript" in (stored or {})


def live_transcript(stored: dict[str, Any] | None) -> Transcript | None:
    """The live transcriber's transcript kept on the answer row, if any."""
    live = (stored or {}).get("live")
    return Transcript.model_validate(live) if live else None


def keep_live_transcript(row: Answer, heard: Transcript) -> None:
    """Keep what the live transcriber heard on the answer, for its perception to reuse."""
    if heard.status == "ok" and not is_perceived(row.transcript):
        row.transcript = {"live": heard.model_dump(mode="json")}


def _enrollment(s: Session, session_id: str) -> Enrollment | None:
    photo = latest_enrollment(s, session_id)
    return Enrollment.model_validate(photo.descriptor) if photo and photo.descriptor else None


Judge = tuple[str, Callable[[list[str]], list[str]]]  # (model name, prompts -> replies)


def score_session(
    db: Database,
    scorer: AnswerScorer,
    settings: Settings,
    session_id: str,
    now: datetime,
    perceiver: Perceiver | None = None,
    blobs: BlobStore | None = None,
    judge: Judge | None = None,
    integrity: IntegrityTools | None = None,
) -> tuple[Report, list[AnswerScore], dict[str, PerceivedAnswer]]:
    """Read a session's answers and score them (no writes). Recorded answers are perceived
    (transcript, speech, video) unless an earlier run stored their perception; the third
    item holds fresh perceptions by answer id, for the caller to store."""
    with db.session() as s:
        sess = s.get(InterviewSession, session_id)
        if sess is None:
            raise NotFound(f"interview session {session_id!r} not found")
        plan_row = s.get(QuestionPlanRow, sess.plan_id)
        assert plan_row is not None
        model_row = s.get(CompetencyModelRow, plan_row.competency_model_id)
        assert model_row is not None
        candidate = s.get(Candidate, sess.candidate_id)
        assert candidate is not None
        texts = answer_texts(s, session_id)
        decisions = [(d.question_id, d.outcome, d.gap) for d in followup_decisions(s, session_id)]
        recorded = {
            a.question_id: (a.id, a.kind, list(a.media), a.transcript)
            for a in s.scalars(
                select(Answer).where(Answer.session_id == session_id).order_by(Answer.attempt)
            )
            if a.media
        }
        language = sess.language
        candidate_name = candidate.name
        model = CompetencyModel.model_validate(model_row.spec)
        plan = QuestionPlan.model_validate(plan_row.spec)
        role = s.get(JobRole, sess.role_id)
        policy = policy_from(role.settings if role else None)
        peers = peer_answers(s, sess)
        ended = sess.completed_at.timestamp() if sess.completed_at else None
        events, shown = browser_evidence(s, session_id)
        enrollment = _enrollment(s, session_id)
    comps = {i.competency.id: i.competency for i in model.items}
    library = load_library()
    scores: list[AnswerScore] = []
    fresh: dict[str, PerceivedAnswer] = {}
    heard: dict[str, PerceivedAnswer] = {}
    for qid, (answer_id, kind, keys, stored) in recorded.items():
        if is_perceived(stored):
            heard[qid] = PerceivedAnswer.model_validate(stored)
        elif perceiver is not None and blobs is not None:
            with blobs.open(keys[0]) as f:
                heard[qid] = fresh[answer_id] = perceiver(
                    f.read(), language, kind == "video", enrollment, live_transcript(stored)
                )
    spoken_texts: dict[str, str] = {}
    slots: list[AnswerScore | int] = []  # a score, or the index of an answer in `todo`
    todo: list[tuple[str, str, str, Competency, str]] = []
    for q in plan.questions:
        if q.id in heard and heard[q.id].transcript.text.strip():
            spoken_texts[q.id] = heard[q.id].transcript.text
            comp = comps.get(q.competency_id) or library.competency(q.competency_id)
            slots.append(len(todo))
            todo.append((q.id, q.text, heard[q.id].transcript.text, comp, language))
            continue
        text = texts.get(q.id, "")
        if not text.strip():
            continue
        if q.kind == "history":  # facts for the resume, not evidence of a competency
            continue
        if q.kind in ("sjt", "picture"):
            slots.append(score_choice(q, text))
            continue
        comp = comps.get(q.competency_id) or library.competency(q.competency_id)
        slots.append(len(todo))
        todo.append((q.id, q.text, text, comp, language))
    content_scores = scorer.score_many(todo)  # one embedding batch for the interview
    for slot in slots:
        if isinstance(slot, int):
            result = content_scores[slot]
            if result.question_id in spoken_texts:  # scored from its transcript
                result = attach_times(result, heard[result.question_id].transcript)
            slot = result
        scores.append(slot)
    provenance = Provenance(
        package_version=interview.__version__,
        library_version=model.library_version,
        competency_model_version=model_row.version,
        models={"embed": EMBEDDER, "content_model": scorer.model.version},
        settings_hash=settings_hash(settings),
        scored_at=now,
    )
    written = {
        q.id: texts[q.id]
        for q in plan.questions
        if q.kind not in ("sjt", "picture", "history") and texts.get(q.id, "").strip()
    }
    said = {qid: t for qid, t in spoken_texts.items() if t.strip()}
    media_flags, media_checked = recorded_integrity(heard)
    checked = check_session(
        SessionEvidence(
            language=language,
            questions={q.id: q.text for q in plan.questions},
            written={q: t for q, t in written.items() if q not in said},
            spoken=said,
            media_flags=media_flags,
            media_checked=media_checked,
            events=events,
            shown=shown,
            ended=ended,
            peers=peers,
        ),
        integrity,
    )
    report = build_report(
        session_id=session_id,
        candidate_name=candidate_name,
        language=language,
        model=model,
        scores=scores,
        asked=[q.id for q in plan.questions if q.kind != "history"],
        provenance=provenance,
        policy=policy,
        resume_risks=resume_risks(plan),
        dimensions=measured_dimensions(heard.values()),
        integrity=checked.summary,
        integrity_flags=checked.flags,
        followups=followup_notes(decisions, language),
    )
    return report, scores, fresh


def _judge(
    judge: Judge | None,
    scores: list[AnswerScore],
    plan: QuestionPlan,
    texts: dict[str, str],
    comps: dict[str, Competency],
    language: str,
) -> JudgeAgreement | None:
    """The optional LLM judge's levels for the open answers, compared with ours."""
    if judge is None:
        return None
    name, ask = judge
    open_scores = [
        s
        for s in scores
        if s.question_id in texts
        and s.competency_id in comps
        and not any(e.supports.startswith("choice:") for e in s.evidence)
    ]
    questions = {q.id: q.text for q in plan.questions}
    prompts = [
        judge_prompt(
            comps[s.competency_id], language, questions.get(s.question_id, ""), texts[s.question_id]
        )
        for s in open_scores
        if s.question_id in texts
    ]
    replies = ask(prompts) if prompts else []
    levels = {}
    for s, reply in zip(open_scores, replies, strict=False):
        parsed = parse_judgement(reply, texts[s.question_id])
        if parsed is not None:
            levels[s.question_id] = parsed[0]
    return agreement(name, open_scores, levels)


RESUME_RISK_KINDS = ("job_hopping", "gap", "short_tenure", "title_drop")


def resume_risks(plan: QuestionPlan) -> list[str]:
    """Resume risk points as the plan asked about them (ids "resume:<kind>:<n>")."""
    out = []
    for q in plan.questions:
        parts = q.id.split(":")
        if q.kind == "resume" and len(parts) >= 2 and parts[1] in RESUME_RISK_KINDS:
            out.append(f"{parts[1].replace('_', ' ')}: {q.text}")
    return out


def perceive_job_handler(db: Database, perceiver: Perceiver, blobs: BlobStore) -> Any:
    """The 'perceive_answer' job: one recorded answer perceived (transcript, speech, video,
    identity and media flags) as soon as it is stored, while the candidate answers the next
    question, so that scoring after the last answer only reads what is stored. It perceives
    nothing without consent to AI assessment, and keeps nothing once that is withdrawn or the
    answer is erased; a job that never ran leaves the work to scoring, which does it then."""

    def handle(payload: dict[str, Any]) -> Commit:
        answer_id = payload["answer_id"]
        with db.session() as s:
            row = s.get(Answer, answer_id)
            if row is None or not row.media or is_perceived(row.transcript):
                return lambda s: {"skipped": "erased or already perceived"}
            if not has_consent(s, row.session_id):
                return lambda s: {"skipped": "no consent to AI assessment"}
            sess = s.get(InterviewSession, row.session_id)
            assert sess is not None
            key, video, language = row.media[0], row.kind == "video", sess.language
            live, session_id = live_transcript(row.transcript), row.session_id
            enrollment = _enrollment(s, session_id)
        with blobs.open(key) as f:
            perceived = perceiver(f.read(), language, video, enrollment, live)

        def commit(s: Session) -> dict[str, Any]:
            row = s.get(Answer, answer_id)
            if row is None or not row.media or not has_consent(s, session_id):
                return {"skipped": "erased or consent withdrawn while perceiving"}
            if not is_perceived(row.transcript):
                row.transcript = perceived.model_dump(mode="json")
            return {"perceived": answer_id, "transcript": perceived.transcript.status}

        return commit

    return handle


def score_job_handler(
    db: Database,
    scorer: AnswerScorer,
    settings: Settings,
    perceiver: Perceiver | None = None,
    blobs: BlobStore | None = None,
    judge: Judge | None = None,
    integrity: IntegrityTools | None = None,
) -> Any:
    """The 'score_session' job: compute outside the transaction, write inside it. Consent to
    AI assessment is checked when the job runs and again, with the session row locked, when
    it writes: a candidate may withdraw it after finishing, while the job waits or works."""

    def handle(payload: dict[str, Any]) -> Commit:
        now = datetime.now(UTC)
        session_id = payload["session_id"]
        with db.session() as s:
            declined = s.get(InterviewSession, session_id) is not None and not has_consent(
                s, session_id
            )
        if declined:  # no model sees the answers; a person assesses them
            return lambda s: assess_by_person(s, session_id, "system", now)
        report, _, perceived = score_session(
            db, scorer, settings, session_id, now, perceiver, blobs, judge, integrity
        )

        def commit(s: Session) -> dict[str, Any]:
            lock_session(s, session_id)
            if not has_consent(s, session_id):  # withdrawn while the models worked
                return assess_by_person(s, session_id, "system", now)
            write_scores(s, report, payload.get("job_id"), now, perceived)
            return {"overall": report.overall, "competencies": len(report.competencies)}

        return commit

    return handle
