"""The candidate's side: everything goes through the invite token; no scores ever."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, File, Form, Path, Query, Request, Response, UploadFile, status
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from starlette.concurrency import run_in_threadpool

from interview.api.deps import Ctx, SessionDep, now
from interview.api.schemas import (
    AnswerAck,
    CandidateInterviewOut,
    ChoiceOut,
    ChunkInfo,
    ChunkOut,
    CompleteOut,
    ConsentIn,
    EnrollmentOut,
    EventsIn,
    EventsOut,
    FinishIn,
    FollowUpOut,
    In,
    QuestionOut,
    RecordingStatusOut,
    ShownOut,
    TakeOut,
    TextAnswerIn,
)
from interview.candidate import uploads
from interview.candidate.answers import (
    TIMED_OUT,
    answerable,
    recordable_question,
    seconds_left,
    split_followup_id,
    submit_choice_answer,
    submit_media_answer,
    submit_text_answer,
    submit_timed_out,
)
from interview.candidate.enrollment import (
    MAX_PHOTO_BYTES,
    check_biometric_consent,
    check_photo,
    enroll_face,
    latest_enrollment,
    store_enrollment,
)
from interview.candidate.events import BrowserEvent, mark_shown, record_events
from interview.candidate.followups import (
    FollowUpContext,
    Outcome,
    followup_context,
    pending_followup,
    record_decision,
    record_followup,
)
from interview.candidate.live import Key, LiveSessions, chunk_offset, live_sessions
from interview.candidate.session import (
    NOTICE_VERSION,
    ask_for_review,
    complete,
    consent_state,
    plan_of,
    record_consent,
    review_request,
    session_by_token,
)
from interview.errors import (
    Conflict,
    InterviewError,
    InvalidInput,
    Overloaded,
    PayloadTooLarge,
)
from interview.perception.media import MEDIA_TYPES, probe_media, sniff_media
from interview.perception.schemas import Transcript
from interview.pipeline import EMBEDDER, followup_for, keep_live_transcript
from interview.questions.followup_schemas import FollowUp
from interview.storage import jobs
from interview.storage.blob_holds import holding
from interview.storage.tables import (
    Answer,
    InterviewSession,
    JobRole,
    Organization,
    Recording,
)

log = logging.getLogger(__name__)
QuestionPath = Annotated[str, Path(min_length=1, max_length=64)]

router = APIRouter(prefix="/interview/{token}", tags=["candidate"])


@router.get("")
def show_interview(token: str, ctx: Ctx, s: SessionDep) -> CandidateInterviewOut:
    sess = session_by_token(s, token, now())
    plan = plan_of(s, sess)
    role = s.get(JobRole, sess.role_id)
    org = s.get(Organization, sess.organization_id)
    pending = pending_followup(s, sess)
    answered = sorted(
        set(s.scalars(select(Answer.question_id).where(Answer.session_id == sess.id)).all())
    )
    consents = consent_state(s, sess.id)
    review = review_request(s, sess.id)
    open_modes = {m for q in plan.questions if not q.choices for m in q.answer_modes}
    return CandidateInterviewOut(
        status=sess.status,
        language=sess.language,
        role_title=role.title if role else "",
        organization=org.name if org else "",
        notice_version=NOTICE_VERSION,
        consent_given=consents.get("ai_assessment", False),
        recording_consent=consents.get("recording", False),
        biometric_consent=consents.get("biometric", False),
        enrolled=latest_enrollment(s, sess.id) is not None,
        answer_modes=[m for m in ("video", "audio", "text") if m in open_modes],
        max_answer_chars=ctx.settings.max_answer_chars,
        review_requested_at=review.created_at if review else None,
        questions=[
            QuestionOut(
                id=q.id,
                kind=q.kind,
                text=q.text,
                answer_modes=list(q.answer_modes),
                time_limit_s=q.time_limit_s,
                choices=[ChoiceOut(id=c.id, text=c.text) for c in q.choices],
                image_url=f"/web/items/{q.image}" if q.image else None,
            )
            for q in plan.questions
        ],
        answered=answered,
        pending_followup=FollowUpOut(id=pending[0], text=pending[1]) if pending else None,
    )


@router.post("/consent", status_code=status.HTTP_201_CREATED)
def give_consent(token: str, body: ConsentIn, s: SessionDep) -> dict[str, bool]:
    sess = session_by_token(s, token, now())
    kinds = {
        "recording": body.recording,
        "ai_assessment": body.ai_assessment,
        "biometric": body.biometric,
    }
    record_consent(s, sess, kinds, now())
    s.commit()
    return kinds


@router.post("/answers", status_code=status.HTTP_201_CREATED)
async def answer(token: str, body: TextAnswerIn, ctx: Ctx, s: SessionDep) -> AnswerAck:
    """Acknowledged only after the answer is committed to the database. Database steps run
    in the thread pool; waiting for the embedder holds none of its threads (see _next_followup)."""

    def store() -> tuple[InterviewSession, AnswerAck, bool]:
        sess = session_by_token(s, token, now())
        if body.timed_out:
            row = submit_timed_out(
                s,
                sess,
                body.question_id,
                body.choice_id,
                body.text,
                ctx.settings.max_answer_chars,
                now(),
            )
            s.commit()
            ack = AnswerAck(
                answer_id=row.id,
                question_id=row.question_id,
                attempt=row.attempt,
                timed_out=row.kind == TIMED_OUT,
            )
            return sess, ack, False
        if (body.text is None) == (body.choice_id is None):
            raise InvalidInput("send either 'text' (a typed answer) or 'choice_id' (an option)")
        if body.choice_id is not None:
            row = submit_choice_answer(s, sess, body.question_id, body.choice_id, now())
        else:
            text = body.text or ""
            row = submit_text_answer(
                s, sess, body.question_id, text, ctx.settings.max_answer_chars, now()
            )
        # Committing first means a slow follow-up never costs an answer.
        s.commit()
        ack = AnswerAck(answer_id=row.id, question_id=row.question_id, attempt=row.attempt)
        return sess, ack, body.choice_id is None

    sess, ack, typed = await run_in_threadpool(store)
    if not typed:
        return ack
    followup = None
    try:
        followup = await _next_followup(ctx, s, sess, body.question_id)
    except (InterviewError, OperationalError) as exc:
        # The answer is stored: an error now would make the page send it again, and it would
        # be stored twice. A busy model or a database gone away costs the probe, not the ack.
        await run_in_threadpool(s.rollback)
        log.warning("no follow-up decision for %s: %s", body.question_id, exc)
        await _no_decision(s, sess, body.question_id, _failed_outcome(exc), str(exc))
    return ack.model_copy(update={"followup": followup})


def _failed_outcome(exc: Exception) -> Outcome:
    """A decision that gave up waiting (the model's deadline passed) is late; else failed."""
    return "late" if isinstance(exc, Overloaded) else "failed"


async def _no_decision(
    s: SessionDep, sess: InterviewSession, question_id: str, outcome: Outcome, note: str
) -> None:
    """Keep why no probe was decided after an open question's answer, for the report. The
    answer is acknowledged whatever happens here."""

    def keep() -> None:
        try:
            if followup_context(s, sess, question_id) is None:
                return  # a question that takes no probes
            record_decision(s, sess, question_id, outcome, now(), note=note)
            s.commit()
        except (InterviewError, OperationalError) as exc:
            s.rollback()
            log.warning("follow-up decision for %s not kept: %s", question_id, exc)

    await run_in_threadpool(keep)


async def _next_followup(
    ctx: Ctx, s: SessionDep, sess: InterviewSession, question_id: str, spoken: str = ""
) -> FollowUpOut | None:
    """Ask one probe for the weakest gap of the answer so far (at most two per question).
    `spoken` is the transcript of a recorded answer just stored (its row has no text).
    The database steps run in the thread pool, one at a time (a Session is not thread-safe);
    the embedder is waited for in a thread of its own limiter, with no pooled connection held."""

    def read() -> FollowUpContext | None:
        found = followup_context(s, sess, question_id, spoken)
        s.commit()  # the reads are done: no pooled connection is held while the model works
        return found

    found = await run_in_threadpool(read)
    if found is None:
        return None

    def decide() -> FollowUp:
        embedder = ctx.backend.embedder(EMBEDDER)
        return followup_for(
            embedder,
            found.competency,
            found.question,
            found.answer,
            sess.language,
            found.asked,
            kind=found.kind,
        )

    decision = await ctx.inference.run(EMBEDDER, decide, deadline_s=ctx.settings.followup_wait_s)

    def record() -> FollowUpOut | None:
        out = None
        if decision.needed and decision.probe is not None and decision.gap is not None:
            fid, _ = record_followup(
                s, sess, found.question_id, decision.gap, decision.probe, now()
            )
            out = FollowUpOut(id=fid, text=decision.probe)
        outcome: Outcome = "asked" if out else "enough" if decision.enough_to_score else "limit"
        record_decision(
            s, sess, question_id, outcome, now(), gap=decision.gap, missing=decision.missing
        )
        s.commit()
        return out

    return await run_in_threadpool(record)


def _released_session(s: SessionDep, token: str) -> InterviewSession:
    """The token's session, with the transaction ended: no pooled connection is held while
    a request body arrives or a model works. Run it in the thread pool."""
    found = session_by_token(s, token, now())
    s.commit()
    return found


@router.post("/media", status_code=status.HTTP_201_CREATED)
async def media_answer(
    token: str,
    ctx: Ctx,
    s: SessionDep,
    question_id: Annotated[str, Form(min_length=1, max_length=64)],
    file: Annotated[UploadFile, File()],
) -> AnswerAck:
    """A whole recorded answer (audio or video). Checked by content before it is stored; the
    bytes are fsynced and the answer committed before the acknowledgement."""
    sess = await run_in_threadpool(_released_session, s, token)
    data = await file.read(ctx.settings.max_body_bytes + 1)
    if len(data) > ctx.settings.max_body_bytes:
        raise PayloadTooLarge(f"the recording is over {ctx.settings.max_body_bytes} bytes")
    container = sniff_media(data)
    _, has_video = await run_in_threadpool(probe_media, data)
    key = await run_in_threadpool(ctx.blobs.put, data)

    def store() -> AnswerAck:
        row = submit_media_answer(
            s, sess, question_id, key, MEDIA_TYPES[container], has_video, now()
        )
        s.commit()
        return AnswerAck(answer_id=row.id, question_id=row.question_id, attempt=row.attempt)

    return await run_in_threadpool(store)


# -- recorded answers in chunks ------------------------------------------------------------


async def _read_body(request: Request, limit: int, what: str) -> bytes:
    """The raw request body, refused with 413 past `limit` bytes (declared or streamed)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(f"{what} is {declared} bytes; the limit is {limit}")
    body = bytearray()
    async for part in request.stream():
        body += part
        if len(body) > limit:
            raise PayloadTooLarge(f"{what} is over {limit} bytes")
    return bytes(body)


@router.put("/recordings/{question_id}/chunks/{seq}", status_code=status.HTTP_201_CREATED)
async def put_chunk(
    token: str,
    question_id: QuestionPath,
    seq: Annotated[int, Path(ge=0, lt=uploads.MAX_CHUNKS)],
    request: Request,
    response: Response,
    ctx: Ctx,
    s: SessionDep,
    take: Annotated[int, Query(ge=1, le=uploads.MAX_TAKES)] = 1,
) -> ChunkOut:
    """One MediaRecorder blob (raw body). 201 once stored and committed; the same bytes again
    are 200 (a no-op); different bytes under a stored number are 409."""
    # Database work runs in the thread pool, and no connection is held while the body
    # arrives: under load, uploads holding the pool's connections while the event loop waited
    # for one stalled every request (bench/load.py).
    sess = await run_in_threadpool(_released_session, s, token)
    sid, language = sess.id, sess.language
    limit = min(uploads.MAX_CHUNK_BYTES, ctx.settings.max_body_bytes)
    data = await _read_body(request, limit, f"chunk {seq}")

    def store() -> tuple[uploads.StoredChunk, bool, int | None]:
        # Held from before the put until the commit: finishing another take of the same bytes
        # must not delete the blob this row is about to refer to (storage.blob_holds).
        with holding(ctx.blobs, uploads.sha256_hex(data)):
            chunk, created = uploads.store_chunk(
                s, ctx.blobs, sess, question_id, take, seq, data, now()
            )
            s.commit()  # durable before the 2xx: blob fsynced, row committed
        if not created:
            return chunk, created, None
        rec = uploads.find_take(s, sid, question_id, chunk.take)
        sizes = {c.seq: c.size for c in uploads.chunks_of(s, rec.id)}
        s.commit()
        return chunk, created, chunk_offset(sizes, chunk.seq)

    chunk, created, offset = await run_in_threadpool(store)
    if not created:
        response.status_code = status.HTTP_200_OK
    elif offset is not None:  # transcribed as it arrives: the follow-up is ready soon after
        live_sessions(ctx.backend).feed((sid, question_id, chunk.take), data, language, offset)
    return ChunkOut(question_id=question_id, take=chunk.take, seq=chunk.seq, size=chunk.size)


@router.get("/recordings/{question_id}")
def recording_status(token: str, question_id: QuestionPath, s: SessionDep) -> RecordingStatusOut:
    """The takes stored for a question and their chunks, so a reloaded page resumes."""
    sess = session_by_token(s, token, now())
    if plan_of(s, sess).question(split_followup_id(question_id)[0]) is None:
        raise InvalidInput(f"question {question_id!r} is not in this interview")
    out = []
    recs = uploads.takes(s, sess.id, question_id)
    for rec in recs:
        chunks = uploads.chunks_of(s, rec.id)
        out.append(
            TakeOut(
                take=rec.take,
                status=rec.status,
                chunk_count=rec.chunk_count,
                bytes=sum(c.size for c in chunks),
                chunks=[ChunkInfo(seq=c.seq, size=c.size) for c in chunks],
            )
        )
    latest = recs[-1].take if recs else 0
    answered = s.scalar(
        select(Answer.id).where(Answer.session_id == sess.id, Answer.question_id == question_id)
    )
    return RecordingStatusOut(
        question_id=question_id,
        takes=out,
        next_take=latest + 1 if latest < uploads.MAX_TAKES else None,
        answered=answered is not None,
    )


@router.post("/recordings/{question_id}/finish", status_code=status.HTTP_201_CREATED)
async def finish_recording(
    token: str,
    question_id: QuestionPath,
    body: FinishIn,
    response: Response,
    ctx: Ctx,
    s: SessionDep,
) -> AnswerAck:
    """Join the take's chunks, remux and check them, store the answer, then acknowledge it
    (with a follow-up probe when one is due). A second finish returns the same ack (200).
    The transcript and the follow-up are waited for in threads of the models' own limiters."""

    def store() -> tuple[AnswerAck, tuple[InterviewSession, int, bytes] | None]:
        sess = session_by_token(s, token, now())
        rec = uploads.find_take(s, sess.id, question_id, body.take)
        if rec.status == "finished":
            response.status_code = status.HTTP_200_OK
            return _finished_ack(s, sess, rec, body.chunks), None
        recordable_question(s, sess, question_id, now())
        # The live transcriber was fed the chunks as uploaded; the remuxed file always differs.
        data, container, uploaded = uploads.assemble(
            ctx.blobs, uploads.chunks_of(s, rec.id), body.chunks
        )
        sniff_media(data)
        _, has_video = probe_media(data)
        key = ctx.blobs.put(data)  # fsynced before the answer row refers to it
        if not uploads.claim_finish(s, rec, body.chunks, now()):
            s.rollback()  # another request finished this take first: answer as it did
            response.status_code = status.HTTP_200_OK
            again = uploads.find_take(s, sess.id, question_id, body.take)
            return _finished_ack(s, sess, again, 0), None
        row = submit_media_answer(
            s, sess, question_id, key, MEDIA_TYPES[container], has_video, now()
        )
        rec.answer_id = row.id
        s.commit()  # acknowledged from here on; the rest may fail without losing the answer
        uploads.release_chunk_blobs(s, ctx.blobs, rec)
        s.commit()  # no pooled connection is held while the recognizer works (or waits its turn)
        ack = AnswerAck(answer_id=row.id, question_id=row.question_id, attempt=row.attempt)
        return ack, (sess, rec.take, uploaded)

    ack, stored = await run_in_threadpool(store)
    if stored is None:
        return ack
    sess, take, uploaded = stored
    followup = None
    try:
        live = live_sessions(ctx.backend)
        heard = await ctx.inference.run(
            live.model_name,
            _finish_live,
            ctx,
            live,
            (sess.id, question_id, take),
            uploaded,
            sess.language,
            ack.answer_id,
            deadline_s=ctx.settings.followup_wait_s,
        )
        if heard.text.strip():
            followup = await _next_followup(ctx, s, sess, question_id, heard.text)
        else:  # nothing heard: a probe for "more" would blame the candidate for the device
            await _no_decision(s, sess, question_id, "no_words", heard.note or "")
    except InterviewError as exc:  # a busy or missing model costs the probe, not the answer
        log.warning("no follow-up decision for %s: %s", question_id, exc)
        await _no_decision(s, sess, question_id, _failed_outcome(exc), str(exc))
    return ack.model_copy(update={"followup": followup})


def _finish_live(
    ctx: Ctx, live: LiveSessions, key: Key, uploaded: bytes, language: str, answer_id: str
) -> Transcript:
    """The live transcript of a stored take (blocks). Whether it comes back in time for the
    follow-up or only after the request stopped waiting, it is kept on the answer and the
    answer's perception is queued then, so perception reuses it instead of transcribing the
    recording again while the live transcriber is still at it (on 2 cores the two slowed
    each other until every follow-up came too late). If it fails, perception is queued all
    the same and transcribes the recording itself."""
    heard = None
    try:
        heard = live.finish(key, uploaded, language)
        return heard
    finally:
        _queue_perception(ctx, answer_id, heard)


def _queue_perception(ctx: Ctx, answer_id: str, heard: Transcript | None) -> None:
    """Keep the live transcript on the stored answer and queue its perception, which runs
    while the candidate goes on; in its own database session (the request may be gone).
    Whatever fails here, the answer stays acknowledged: without the job, scoring perceives
    the recording after the interview ends."""
    try:
        with ctx.db.session() as s:
            row = s.get(Answer, answer_id)
            if row is None:
                return
            if heard is not None:
                keep_live_transcript(row, heard)
            if ctx.settings.perceive_on_store:
                payload = {"answer_id": answer_id, "session_id": row.session_id}
                jobs.enqueue(s, jobs.PERCEIVE_JOB, f"perceive:{answer_id}", payload, now())
    except (InterviewError, OperationalError) as exc:
        log.warning("perception of answer %s not queued: %s", answer_id, exc)
        return
    if ctx.worker is not None and ctx.settings.perceive_on_store:
        ctx.worker.wake()


def _finished_ack(s: SessionDep, sess: InterviewSession, rec: Recording, chunks: int) -> AnswerAck:
    """The ack of a take finished earlier, with the probe it raised if still unanswered."""
    if chunks and rec.chunk_count is not None and chunks != rec.chunk_count:
        raise Conflict(
            f"take {rec.take} of question {rec.question_id!r} was finished with "
            f"{rec.chunk_count} chunks, not {chunks}"
        )
    row = s.get(Answer, rec.answer_id) if rec.answer_id else None
    if row is None:
        raise Conflict(f"take {rec.take} of question {rec.question_id!r} has no stored answer")
    pending = pending_followup(s, sess)
    base = split_followup_id(rec.question_id)[0]
    followup = None
    if pending and split_followup_id(pending[0])[0] == base:
        followup = FollowUpOut(id=pending[0], text=pending[1])
    return AnswerAck(
        answer_id=row.id, question_id=row.question_id, attempt=row.attempt, followup=followup
    )


# -- what the page reports -------------------------------------------------------------------


@router.post("/questions/{question_id}/shown")
def question_shown(token: str, question_id: QuestionPath, s: SessionDep) -> ShownOut:
    """Record when a question was first shown (the first time is kept); timed items and the
    delay before answering are measured from this, on the server's clock."""
    sess = session_by_token(s, token, now())
    at = now()
    shown_at, _ = mark_shown(s, sess, question_id, at)
    left = seconds_left(s, sess, answerable(s, sess, question_id), at)
    s.commit()
    return ShownOut(
        question_id=question_id,
        shown_at=shown_at,
        seconds_left=None if left is None else round(max(0.0, left), 1),
    )


@router.post("/events", status_code=status.HTTP_201_CREATED)
def browser_events(token: str, body: EventsIn, s: SessionDep) -> EventsOut:
    """A batch of browser events (focus, tab visibility, paste and copy counts)."""
    sess = session_by_token(s, token, now())
    received = now()
    events = [
        BrowserEvent(
            kind=e.kind,
            question_id=e.question_id,
            client_ms=e.client_time,
            detail=e.detail,
            received_at=received,
        )
        for e in body.events
    ]
    stored = record_events(s, sess, events)
    s.commit()
    return EventsOut(stored=stored)


@router.post("/enrollment", status_code=status.HTTP_201_CREATED)
async def enrollment_photo(token: str, request: Request, ctx: Ctx, s: SessionDep) -> EnrollmentOut:
    """The enrollment photo (raw JPEG or PNG body), checked for one face; a bad photo is 422
    with a message the page shows, and is not kept."""

    def check() -> InterviewSession:
        found = session_by_token(s, token, now())
        check_biometric_consent(s, found)
        s.commit()  # no pooled connection is held while the photo arrives or is checked
        return found

    sess = await run_in_threadpool(check)
    data = await _read_body(request, MAX_PHOTO_BYTES, "the photo")
    media_type = check_photo(data)
    descriptor = await ctx.inference.run("identity", enroll_face, ctx.backend, data)
    key = await run_in_threadpool(ctx.blobs.put, data)

    def store() -> None:
        store_enrollment(s, sess, key, media_type, descriptor, now())
        s.commit()

    await run_in_threadpool(store)
    return EnrollmentOut(checked=descriptor is not None)


class ReviewRequestIn(In):
    reason: str = Field(default="", max_length=2000)


class ReviewRequestOut(BaseModel):
    requested: bool
    requested_at: datetime  # the first request's time: asking again keeps it


@router.post("/review-request", status_code=status.HTTP_201_CREATED)
def request_review(token: str, body: ReviewRequestIn, s: SessionDep) -> ReviewRequestOut:
    """The candidate asks for a person to review their interview; asking twice is harmless.
    Works after the interview is finished and scored, as long as the link has not expired."""
    sess = session_by_token(s, token, now())
    request = ask_for_review(s, sess, body.reason, now())
    s.commit()
    return ReviewRequestOut(requested=True, requested_at=request.created_at)


@router.post("/complete", status_code=status.HTTP_202_ACCEPTED)
def finish(token: str, ctx: Ctx, s: SessionDep) -> CompleteOut:
    sess = session_by_token(s, token, now())
    job_id = complete(s, sess, now())
    s.commit()
    if ctx.worker is not None:
        ctx.worker.wake()
    return CompleteOut(status=sess.status, job_id=job_id)
