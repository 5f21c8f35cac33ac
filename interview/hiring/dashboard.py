"""What the HR dashboard reads: the progress list (filters, sort, search, pages, and how far
each interview has got: recordings perceived, scoring, report ready), a role's
candidates side by side, the outcomes behind the fairness report, and a session's answers
with their media and timed words. Queries only; nothing here writes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Select, String, case, func, literal, or_, select
from sqlalchemy.orm import Session, aliased

from interview.candidate.answers import FOLLOWUP_SEP, split_followup_id
from interview.candidate.followups import followup_prompts
from interview.candidate.session import plan_of
from interview.competency.schemas import CompetencyModel
from interview.errors import InvalidInput
from interview.hiring.review import latest_levels
from interview.hiring.roles import latest_model_and_plan
from interview.report.fairness import Basis
from interview.report.review import Reviewed, apply_overrides
from interview.report.schemas import Report as ReportBody
from interview.scoring.fusion import Thresholds, policy_from
from interview.storage import jobs
from interview.storage.tables import (
    Answer,
    Candidate,
    InterviewSession,
    Job,
    JobRole,
    Report,
    Review,
    ReviewOverride,
    ReviewRequest,
    SelfReport,
    User,
)

STATUSES = ("invited", "started", "completed", "scored", "manual", "reviewed")
BANDS = ("advance", "review", "not_now", "insufficient")
LEVELS = ("not_assessed", "low", "medium", "high")
REVIEW_REQUESTS = ("any", "open", "answered")  # the candidate asked for a human review
Sort = Literal[
    "created", "-created", "name", "-name", "overall", "-overall", "status", "integrity",
    "-integrity",
]  # fmt: skip
MAX_EXPORT = 10_000  # rows in one CSV export
MAX_IDS = 100  # sessions asked for by id in one list request (the page's unfinished rows)


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class SessionQuery(Frozen):
    """Filters of the progress list; None means any."""

    role_id: str | None = None
    status: str | None = None
    band: str | None = None
    integrity: str | None = None
    search: str | None = Field(default=None, max_length=200)  # in name or e-mail
    reviewer_id: str | None = None  # sessions assigned to this reviewer
    review_request: str | None = None  # any, open or answered: the candidate asked for a review
    ids: tuple[str, ...] | None = None  # only these sessions (the list refreshing its rows)
    sort: Sort = "-created"

    def checked(self) -> SessionQuery:
        if self.ids is not None and len(self.ids) > MAX_IDS:
            raise InvalidInput(
                f"{len(self.ids)} session ids asked for; ask for at most {MAX_IDS} at a time"
            )
        for name, value, known in (
            ("status", self.status, STATUSES),
            ("band", self.band, BANDS),
            ("integrity", self.integrity, LEVELS),
            ("review_request", self.review_request, REVIEW_REQUESTS),
        ):
            if value is not None and value not in known:
                raise InvalidInput(f"{name} {value!r} is unknown; use one of {', '.join(known)}")
        return self


ProgressState = Literal["invited", "answering", "processing", "scoring", "failed", "ready"]


class Progress(Frozen):
    """How far an interview has got, from the invitation to its report."""

    # invited: not started; answering: the candidate is answering; processing: finished,
    # recordings still being perceived; scoring: the score job is queued or running;
    # failed: the score job gave up; ready: the report (or the person's assessment) exists
    state: ProgressState
    recordings: int = 0  # recorded answers (the latest take of each question)
    processed: int = 0  # of them, how many are perceived (transcript, speech, video) already
    retrying: bool = False  # scoring failed at least once and will be tried again
    final: bool  # nothing changes here until the candidate or a person acts


class SessionRow(Frozen):
    id: str
    candidate_id: str
    candidate_name: str
    email: str | None
    role_id: str
    role_title: str
    status: str
    language: str
    created_at: datetime
    expires_at: datetime | None
    expired: bool
    overall: float | None
    band: str | None
    integrity: str | None
    reviewer_id: str | None
    reviewer_name: str | None
    decision: str | None
    overridden: bool  # a reviewer changed at least one competency level
    # After those changes (None when nothing was changed): the number the report leads with
    reviewed_overall: float | None = None
    reviewed_band: str | None = None
    review_request: str | None  # open or answered: the candidate asked for a human review
    progress: Progress


def _band() -> Any:
    return Report.body["band"].as_string()


def _integrity() -> Any:
    return Report.body["integrity"].as_string()


def _select(org_id: str, q: SessionQuery) -> Select[Any]:
    reviewer = aliased(User)
    stmt = (
        select(InterviewSession, Candidate, JobRole, Report.overall, _band(), _integrity())
        .add_columns(Review.reviewer_id, reviewer.name, Review.decision)
        .add_columns(ReviewRequest.id, ReviewRequest.answered_at, Report.session_id)
        .join(Candidate, Candidate.id == InterviewSession.candidate_id)
        .join(JobRole, JobRole.id == InterviewSession.role_id)
        .outerjoin(Report, Report.session_id == InterviewSession.id)
        .outerjoin(Review, Review.session_id == InterviewSession.id)
        .outerjoin(reviewer, reviewer.id == Review.reviewer_id)
        .outerjoin(ReviewRequest, ReviewRequest.session_id == InterviewSession.id)
        .where(InterviewSession.organization_id == org_id)
    )
    if q.ids is not None:
        stmt = stmt.where(InterviewSession.id.in_(q.ids))
    if q.role_id:
        stmt = stmt.where(InterviewSession.role_id == q.role_id)
    if q.status:
        stmt = stmt.where(InterviewSession.status == q.status)
    if q.band:
        stmt = stmt.where(_band() == q.band)
    if q.integrity:
        stmt = stmt.where(_integrity() == q.integrity)
    if q.reviewer_id:
        stmt = stmt.where(Review.reviewer_id == q.reviewer_id)
    if q.review_request:
        stmt = stmt.where(ReviewRequest.id.is_not(None))
        if q.review_request == "open":
            stmt = stmt.where(ReviewRequest.answered_at.is_(None))
        elif q.review_request == "answered":
            stmt = stmt.where(ReviewRequest.answered_at.is_not(None))
    if q.search and q.search.strip():
        term = q.search.strip().lower()
        stmt = stmt.where(
            or_(
                func.lower(Candidate.name).contains(term, autoescape=True),
                func.lower(func.coalesce(Candidate.email, "")).contains(term, autoescape=True),
            )
        )
    return stmt


def _order(stmt: Select[Any], sort: Sort) -> Select[Any]:
    level = case({name: i for i, name in enumerate(LEVELS)}, value=_integrity(), else_=-1)
    status = case({name: i for i, name in enumerate(STATUSES)}, value=InterviewSession.status)
    keys: dict[str, Any] = {
        "created": InterviewSession.created_at,
        "name": func.lower(Candidate.name),
        "overall": Report.overall,
        "status": status,
        "integrity": level,
    }
    key = keys[sort.lstrip("-")]
    ordered = key.desc() if sort.startswith("-") else key.asc()
    # Unscored sessions sort after scored ones either way; then newest first, then id.
    return stmt.order_by(
        ordered.nulls_last(), InterviewSession.created_at.desc(), InterviewSession.id
    )


def _reviewed(s: Session, roles: dict[str, JobRole]) -> dict[str, tuple[float, str]]:
    """Overall and band after review of the sessions (id -> role) a reviewer changed, in two
    queries for the whole page, so the list shows the number the report leads with."""
    if not roles:
        return {}
    levels: dict[str, dict[str, int]] = {}
    for o in s.scalars(
        select(ReviewOverride)
        .where(ReviewOverride.session_id.in_(list(roles)))
        .order_by(ReviewOverride.created_at, ReviewOverride.id)
    ):
        levels.setdefault(o.session_id, {})[o.competency_id] = o.new_level
    if not levels:
        return {}
    bodies = s.execute(
        select(Report.session_id, Report.body).where(Report.session_id.in_(list(levels)))
    ).all()
    out: dict[str, tuple[float, str]] = {}
    for session_id, body in bodies:
        thresholds = policy_from(roles[session_id].settings).thresholds
        after = apply_overrides(ReportBody.model_validate(body), levels[session_id], thresholds)
        out[session_id] = (after.overall, after.band)
    return out


def list_sessions(
    s: Session, org_id: str, q: SessionQuery, limit: int, offset: int, now: datetime
) -> tuple[list[SessionRow], int]:
    """One page of the progress list and the number of sessions matching the filters."""
    stmt = _select(org_id, q.checked())
    total = s.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    rows = s.execute(_order(stmt, q.sort).limit(limit).offset(offset)).all()
    ids = [r[0].id for r in rows]
    reviewed = _reviewed(s, {r[0].id: r[2] for r in rows})
    recordings = _recordings(s, ids)
    scoring = _score_jobs(s, ids)
    out = []
    for row in rows:
        sess, cand, role, overall, band, integrity, reviewer_id, reviewer_name, decision = row[:9]
        request_id, answered_at, reported = row[9:]
        expired = sess.status == "invited" and sess.expires_at is not None and sess.expires_at < now
        out.append(
            SessionRow(
                id=sess.id,
                candidate_id=cand.id,
                candidate_name=cand.name,
                email=cand.email,
                role_id=role.id,
                role_title=role.title,
                status=sess.status,
                language=sess.language,
                created_at=sess.created_at,
                expires_at=sess.expires_at,
                expired=expired,
                overall=overall,
                band=band,
                integrity=integrity,
                reviewer_id=reviewer_id,
                reviewer_name=reviewer_name,
                decision=decision,
                overridden=sess.id in reviewed,
                reviewed_overall=reviewed[sess.id][0] if sess.id in reviewed else None,
                reviewed_band=reviewed[sess.id][1] if sess.id in reviewed else None,
                review_request=(
                    None if request_id is None else "answered" if answered_at else "open"
                ),
                progress=progress_of(
                    sess.status,
                    reported is not None,
                    recordings.get(sess.id, []),
                    scoring.get(sess.id),
                ),
            )
        )
    return out, int(total)


# -- how far each interview has got ------------------------------------------------------

# (question id, attempt, perceived, status of its perception job or None) of a recorded answer
Recording = tuple[str, int, bool, str | None]
# (status, attempts) of a session's score job
ScoreJob = tuple[str, int]
REPORTED = ("scored", "manual", "reviewed")  # statuses that come with a report or assessment


def _recordings(s: Session, ids: list[str]) -> dict[str, list[Recording]]:
    """The recorded answers of these sessions with their perception jobs, in one query. The
    database says whether each is perceived: the perceptions themselves are not read."""
    if not ids:
        return {}
    perceive_key = literal("perceive:", String) + Answer.id
    found = s.execute(
        select(
            Answer.session_id,
            Answer.question_id,
            Answer.attempt,
            # pipeline.is_perceived: the stored perception has a "transcript" (a kept live
            # transcript alone has only "live")
            Answer.transcript["transcript"].as_string().is_not(None),
            Job.status,
        )
        .outerjoin(Job, Job.key == perceive_key)
        .where(Answer.session_id.in_(ids), Answer.media[0].as_string().is_not(None))
    ).all()
    out: dict[str, list[Recording]] = {}
    for session_id, question_id, attempt, perceived, status in found:
        out.setdefault(session_id, []).append((question_id, attempt, bool(perceived), status))
    return out


def _score_jobs(s: Session, ids: list[str]) -> dict[str, ScoreJob]:
    """Each session's score job (the one complete() queues), in one query."""
    if not ids:
        return {}
    keys = {jobs.score_key(i): i for i in ids}
    found = s.execute(
        select(Job.key, Job.status, Job.attempts).where(Job.key.in_(list(keys)))
    ).all()
    return {keys[key]: (status, attempts) for key, status, attempts in found}


def progress_of(
    status: str, reported: bool, recordings: list[Recording], score: ScoreJob | None
) -> Progress:
    """An interview's progress from its status, whether its report exists, its recorded
    answers (every take) and its score job."""
    latest: dict[str, Recording] = {}
    for r in sorted(recordings, key=lambda r: r[1]):  # a retake replaces the take before
        latest[r[0]] = r
    n = len(latest)
    k = sum(1 for r in latest.values() if r[2])
    counts = {"recordings": n, "processed": k}
    if reported or status in REPORTED:
        return Progress(state="ready", final=True, **counts)
    if status == "invited":
        return Progress(state="invited", final=True)
    if status == "started":
        return Progress(state="answering", final=False, **counts)
    job_status, attempts = score or ("queued", 0)
    if job_status == "failed":
        return Progress(state="failed", final=True, **counts)
    # The worker takes the oldest job first: the perceptions queued while the candidate
    # answered run before the score job, which reads what they stored.
    perceiving = any(r[3] in jobs.LIVE for r in recordings)
    retrying = job_status == "queued" and attempts > 0
    state: ProgressState = (
        "processing" if job_status == "queued" and perceiving and not retrying else "scoring"
    )
    return Progress(state=state, final=False, retrying=retrying, **counts)


EXPORT_HEADER = (
    "candidate", "email", "role", "status", "language", "invited_at", "expires_at",
    "overall", "band", "overall_after_review", "band_after_review", "integrity", "reviewer",
    "decision", "review_request", "session_id",
)  # fmt: skip


def shown_score(value: float | None) -> str | None:
    """A score as every HR page shows it (one decimal), so the CSV says the same number."""
    return None if value is None else f"{value:.1f}"


def export_rows(rows: list[SessionRow]) -> list[tuple[object, ...]]:
    return [
        (
            r.candidate_name,
            r.email,
            r.role_title,
            "expired" if r.expired else r.status,
            r.language,
            r.created_at.isoformat(timespec="seconds"),
            r.expires_at.isoformat(timespec="seconds") if r.expires_at else None,
            shown_score(r.overall),
            r.band,
            shown_score(r.reviewed_overall if r.overridden else r.overall),
            r.reviewed_band if r.overridden else r.band,
            r.integrity,
            r.reviewer_name,
            r.decision,
            r.review_request,
            r.id,
        )
        for r in rows
    ]


# -- one role's candidates side by side ---------------------------------------------------


class CompareRow(Frozen):
    session_id: str
    candidate_name: str
    status: str
    overall: float
    band: str
    reviewed_overall: float
    reviewed_band: str
    integrity: str
    decision: str | None
    levels: dict[str, int]  # competency id -> level after review
    overridden: tuple[str, ...]  # competencies a reviewer changed


class Comparison(Frozen):
    role_id: str
    role_title: str
    competencies: tuple[tuple[str, str], ...]  # (id, name) of the role's latest model
    rows: tuple[CompareRow, ...]  # highest reviewed overall first


def reviewed_of(s: Session, session_id: str, body: dict[str, Any], t: Thresholds) -> Reviewed:
    return apply_overrides(ReportBody.model_validate(body), latest_levels(s, session_id), t)


def compare_role(s: Session, role: JobRole, thresholds: Thresholds) -> Comparison:
    """Scored candidates of one role, each with its levels after review."""
    model_row, _ = latest_model_and_plan(s, role.id)
    model = CompetencyModel.model_validate(model_row.spec)
    comps = tuple((i.competency.id, i.competency.name.get(role.language)) for i in model.items)
    rows = []
    found = s.execute(
        select(InterviewSession, Candidate.name, Report.body, Review.decision)
        .join(Candidate, Candidate.id == InterviewSession.candidate_id)
        .join(Report, Report.session_id == InterviewSession.id)
        .outerjoin(Review, Review.session_id == InterviewSession.id)
        .where(InterviewSession.role_id == role.id)
    ).all()
    for sess, name, body, decision in found:
        reviewed = reviewed_of(s, sess.id, body, thresholds)
        rows.append(
            CompareRow(
                session_id=sess.id,
                candidate_name=name,
                status=sess.status,
                overall=float(body.get("overall", 0.0)),
                band=str(body.get("band", "")),
                reviewed_overall=reviewed.overall,
                reviewed_band=reviewed.band,
                integrity=str(body.get("integrity", "not_assessed")),
                decision=decision,
                levels={c.competency_id: c.level for c in reviewed.competencies},
                overridden=tuple(c.competency_id for c in reviewed.competencies if c.overridden),
            )
        )
    rows.sort(key=lambda r: (-r.reviewed_overall, r.candidate_name))
    return Comparison(role_id=role.id, role_title=role.title, competencies=comps, rows=tuple(rows))


# -- fairness: outcomes by self-reported group -------------------------------------------


def fairness_outcomes(s: Session, role: JobRole, basis: Basis) -> list[tuple[str | None, bool]]:
    """(self-reported group or None, selected) for each assessed candidate of the role.

    recommendation: every scored interview, selected when its band was "advance";
    decision: interviews with a final decision, selected when a person advanced them."""
    found = s.execute(
        select(_band(), Review.decision, SelfReport.group_label)
        .select_from(InterviewSession)
        .join(Report, Report.session_id == InterviewSession.id)
        .outerjoin(Review, Review.session_id == InterviewSession.id)
        .outerjoin(SelfReport, SelfReport.session_id == InterviewSession.id)
        .where(InterviewSession.role_id == role.id)
    ).all()
    if basis == "decision":
        return [(g, d == "advance") for _, d, g in found if d is not None]
    return [(g, b == "advance") for b, _, g in found]


# -- a session's answers, for the player and the transcript ------------------------------


class AnswerView(Frozen):
    answer_id: str
    question_id: str
    question_text: str
    kind: str  # text, audio, video, choice
    text: str  # typed text, the transcript of a recording, or the option picked
    media_type: str | None = None
    duration_s: float | None = None
    words: tuple[tuple[str, float, float], ...] = ()  # (word, start s, end s) of a recording


def session_answers(s: Session, sess: InterviewSession) -> list[AnswerView]:
    """The latest attempt of each question (follow-ups after their question), in plan order."""
    plan = plan_of(s, sess)
    texts = {q.id: q.text for q in plan.questions}
    probes = {f"{p.question_id}{FOLLOWUP_SEP}{p.n}": p.text for p in followup_prompts(s, sess.id)}
    order = {q.id: i for i, q in enumerate(plan.questions)}
    latest: dict[str, Answer] = {}
    for a in s.scalars(select(Answer).where(Answer.session_id == sess.id).order_by(Answer.attempt)):
        latest[a.question_id] = a
    out = []
    for qid, a in latest.items():
        base, n = split_followup_id(qid)
        perceived = a.transcript or {}
        transcript = perceived.get("transcript") or {}
        words = tuple(
            (str(w["word"]), float(w["start"]), float(w["end"]))
            for w in transcript.get("words", [])
        )
        question = probes.get(qid, "") if n else texts.get(qid, "")
        out.append(
            (
                (order.get(base, len(order)), n),
                AnswerView(
                    answer_id=a.id,
                    question_id=qid,
                    question_text=question,
                    kind=a.kind,
                    text=(a.text or "") if not a.media else str(transcript.get("text", "")),
                    media_type=a.media_type if a.media else None,
                    duration_s=transcript.get("duration_s") if a.media else None,
                    words=words,
                ),
            )
        )
    return [v for _, v in sorted(out, key=lambda p: p[0])]
