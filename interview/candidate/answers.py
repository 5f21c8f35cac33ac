"""A candidate's answers: which question may be answered, storing typed, chosen and
recorded answers, and reading them back (with their follow-up replies) for scoring."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from interview.candidate.session import consent_state, has_consent, normalise_text, plan_of
from interview.errors import Conflict, InvalidInput, NotFound
from interview.integrity.similarity import PeerAnswer
from interview.questions.schemas import Question
from interview.storage.tables import (
    Answer,
    FollowUpPrompt,
    InterviewSession,
    QuestionShown,
)

FOLLOWUP_SEP = "~f"  # a follow-up's answer is stored under "<question id>~f<n>"
TIME_GRACE_S = 10.0  # a timed item's answer sent at its limit may arrive this much later
TIMED_OUT = "timeout"  # Answer.kind of a timed item whose time ran out with nothing chosen


def split_followup_id(question_id: str) -> tuple[str, int]:
    """('<base question>', n) for a follow-up id, (question_id, 0) otherwise."""
    base, sep, n = question_id.rpartition(FOLLOWUP_SEP)
    if sep and n.isdigit():
        return base, int(n)
    return question_id, 0


def answer_texts(s: Session, session_id: str) -> dict[str, str]:
    """Per question: its latest answer followed by the answers to its follow-ups, in order."""
    rows = s.scalars(
        select(Answer).where(Answer.session_id == session_id).order_by(Answer.attempt)
    ).all()
    latest: dict[str, Answer] = {a.question_id: a for a in rows}
    out: dict[str, list[tuple[int, str]]] = {}
    for qid, a in latest.items():
        base, n = split_followup_id(qid)
        out.setdefault(base, []).append((n, a.text or ""))
    return {base: "\n".join(text for _, text in sorted(parts)) for base, parts in out.items()}


def answerable(s: Session, sess: InterviewSession, question_id: str) -> Question:
    """The question (or follow-up) `question_id` of a running, consented interview."""
    if sess.status not in ("started",):
        if sess.status == "invited":
            raise Conflict("give consent before answering: POST .../consent first")
        raise Conflict(f"this interview is {sess.status}; answers can no longer change")
    if not has_consent(s, sess.id):
        raise Conflict("consent to AI-assisted assessment was not given; answers are not accepted")
    plan = plan_of(s, sess)
    base, n = split_followup_id(question_id)
    if n:
        prompt = s.scalar(
            select(FollowUpPrompt).where(
                FollowUpPrompt.session_id == sess.id,
                FollowUpPrompt.question_id == base,
                FollowUpPrompt.n == n,
            )
        )
        asked = plan.question(base)
        if prompt is None or asked is None:
            raise NotFound(f"follow-up {question_id!r} was not asked in this interview")
        return Question(
            id=question_id, competency_id=asked.competency_id, kind="followup", text=prompt.text
        )
    question = plan.question(question_id)
    if question is None:
        known = ", ".join(q.id for q in plan.questions)
        raise NotFound(f"question {question_id!r} is not in this interview; known: {known}")
    return question


def is_timed(question: Question) -> bool:
    """Timed items (multiple choice) run a countdown from when they are shown; written and
    recorded answers are not timed that way (a recording's length is its own limit)."""
    return bool(question.choices)


def seconds_left(
    s: Session, sess: InterviewSession, question: Question, now: datetime
) -> float | None:
    """Seconds left on a timed item's countdown (negative once past it), on the server's
    clock from when the item was first shown; None when untimed or not shown yet."""
    if not is_timed(question):
        return None
    shown = s.scalar(
        select(QuestionShown.shown_at).where(
            QuestionShown.session_id == sess.id, QuestionShown.question_id == question.id
        )
    )
    if shown is None:
        return None
    at = now.replace(tzinfo=now.tzinfo or UTC)
    elapsed = (at - shown.replace(tzinfo=shown.tzinfo or UTC)).total_seconds()
    return question.time_limit_s - elapsed


def time_is_up(s: Session, sess: InterviewSession, question: Question, now: datetime) -> bool:
    """Whether a timed item's limit, with TIME_GRACE_S for the network, has passed."""
    left = seconds_left(s, sess, question, now)
    return left is not None and left < -TIME_GRACE_S


def _refuse_if_time_is_up(
    s: Session, sess: InterviewSession, question: Question, now: datetime
) -> None:
    if time_is_up(s, sess, question, now):
        raise Conflict(
            f"the time for item {question.id} ran out: it allows {question.time_limit_s} s "
            f"from when it was shown (with {TIME_GRACE_S:.0f} s for the network), so answers "
            "to it are no longer accepted; go on to the next question"
        )
    if _timed_out(s, sess, question.id):
        raise Conflict(
            f"the time for item {question.id} ran out and that was recorded; "
            "go on to the next question"
        )


def _timed_out(s: Session, sess: InterviewSession, question_id: str) -> bool:
    return (
        s.scalar(
            select(Answer.id).where(
                Answer.session_id == sess.id,
                Answer.question_id == question_id,
                Answer.kind == TIMED_OUT,
            )
        )
        is not None
    )


def _store_answer(
    s: Session, sess: InterviewSession, question_id: str, kind: str, text: str, now: datetime
) -> Answer:
    attempt = (
        s.scalar(
            select(func.max(Answer.attempt)).where(
                Answer.session_id == sess.id, Answer.question_id == question_id
            )
        )
        or 0
    ) + 1
    answer = Answer(
        session_id=sess.id,
        question_id=question_id,
        attempt=attempt,
        kind=kind,
        text=text,
        created_at=now,
    )
    s.add(answer)
    s.flush()
    return answer


def submit_text_answer(
    s: Session, sess: InterviewSession, question_id: str, text: str, max_chars: int, now: datetime
) -> Answer:
    """Store a typed answer; the caller's commit acknowledges it."""
    question = answerable(s, sess, question_id)
    _refuse_if_time_is_up(s, sess, question, now)
    if "text" not in question.answer_modes:
        raise InvalidInput(
            f"question {question_id} takes {list(question.answer_modes)} answers, not text"
        )
    text = normalise_text(text).strip()
    if not text:
        raise InvalidInput("answer text is empty")
    if len(text) > max_chars:
        raise InvalidInput(
            f"your answer is {len(text):,} characters long and the limit is {max_chars:,}: "
            f"shorten it by {len(text) - max_chars:,} characters and submit again"
        )
    return _store_answer(s, sess, question_id, "text", text, now)


def submit_media_answer(
    s: Session,
    sess: InterviewSession,
    question_id: str,
    blob_key: str,
    media_type: str,
    has_video: bool,
    now: datetime,
) -> Answer:
    """Store a recorded answer whose bytes are already durable in the blob store."""
    question = answerable(s, sess, question_id)
    _refuse_if_time_is_up(s, sess, question, now)
    kind = "video" if has_video else "audio"
    if kind not in question.answer_modes and "text" not in question.answer_modes:
        raise InvalidInput(f"question {question_id} takes {list(question.answer_modes)} answers")
    if question.choices:
        raise InvalidInput(f"question {question_id} is multiple choice; send 'choice_id'")
    answer = _store_answer(s, sess, question_id, kind, "", now)
    answer.text = None
    answer.media = [blob_key]
    answer.media_type = media_type
    s.flush()
    return answer


def recordable_question(
    s: Session, sess: InterviewSession, question_id: str, now: datetime | None = None
) -> Question:
    """The question a recording (or a chunk of one) may be uploaded for, else a clear error;
    with `now`, a timed item's chunks are refused once its time is up."""
    question = answerable(s, sess, question_id)
    if now is not None:
        _refuse_if_time_is_up(s, sess, question, now)
    if not consent_state(s, sess.id).get("recording", False):
        raise Conflict("consent to recording was not given; answer in writing instead")
    if question.choices:
        raise InvalidInput(f"question {question_id} is multiple choice; send 'choice_id'")
    if not {"audio", "video"} & set(question.answer_modes):
        raise InvalidInput(
            f"question {question_id} takes {list(question.answer_modes)} answers, not recordings"
        )
    return question


def submit_choice_answer(
    s: Session, sess: InterviewSession, question_id: str, choice_id: str, now: datetime
) -> Answer:
    """Store the option picked for a multiple-choice item."""
    question = answerable(s, sess, question_id)
    _refuse_if_time_is_up(s, sess, question, now)
    if not question.choices:
        raise InvalidInput(f"question {question_id} is not multiple choice; send 'text'")
    if choice_id not in {c.id for c in question.choices}:
        options = ", ".join(c.id for c in question.choices)
        raise InvalidInput(
            f"choice {choice_id!r} is not an option of {question_id}; options: {options}"
        )
    return _store_answer(s, sess, question_id, "choice", choice_id, now)


def submit_timed_out(
    s: Session,
    sess: InterviewSession,
    question_id: str,
    choice_id: str | None,
    text: str | None,
    max_chars: int,
    now: datetime,
) -> Answer:
    """What the page had when a timed item's countdown ran out, sent at the limit: the option
    picked (or the text typed) is stored as the answer; nothing, or a send that arrives past
    the limit and its grace, is stored as "no answer, time ran out" (kind "timeout"), unless
    an answer given in time is already stored (it stands)."""
    question = answerable(s, sess, question_id)
    if not is_timed(question):
        raise InvalidInput(
            f"question {question_id} is not timed; send the answer without 'timed_out'"
        )
    earlier = s.scalar(
        select(Answer)
        .where(Answer.session_id == sess.id, Answer.question_id == question_id)
        .order_by(Answer.attempt.desc())
        .limit(1)
    )
    if earlier is not None and (earlier.kind == TIMED_OUT or time_is_up(s, sess, question, now)):
        return earlier  # a retry of the same send, or late: what was stored in time stands
    if not time_is_up(s, sess, question, now):
        if choice_id is not None:
            return submit_choice_answer(s, sess, question_id, choice_id, now)
        if text is not None and text.strip() and "text" in question.answer_modes:
            return submit_text_answer(s, sess, question_id, text, max_chars, now)
    return _store_answer(s, sess, question_id, TIMED_OUT, "", now)


MAX_PEERS = 2000  # answers of other candidates compared for near-duplicates (newest first)


def peer_answers(s: Session, sess: InterviewSession) -> list[PeerAnswer]:
    """Other candidates' answers for the same role in the same organization: typed text, or
    the transcript of a recording once perceived."""
    rows = s.execute(
        select(Answer.session_id, Answer.question_id, Answer.text, Answer.transcript)
        .join(InterviewSession, InterviewSession.id == Answer.session_id)
        .where(
            InterviewSession.role_id == sess.role_id,
            InterviewSession.organization_id == sess.organization_id,
            InterviewSession.id != sess.id,
            Answer.kind != "choice",
        )
        .order_by(Answer.created_at.desc())
        .limit(MAX_PEERS)
    ).all()
    peers = []
    for session_id, question_id, text, transcript in rows:
        said = (transcript or {}).get("transcript", {}).get("text", "") if transcript else ""
        body = text or said
        if body and body.strip():
            peers.append(PeerAnswer(session_id, question_id, body))
    return peers
