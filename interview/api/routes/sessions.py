"""Interview sessions as HR sees them: the progress list and its CSV, reports (with review,
answers and media) as JSON and PDF, recorded media with Range, renewed links, jobs."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, Query, Request, Response
from fastapi.encoders import jsonable_encoder
from pydantic import Field
from sqlalchemy import select

from interview.accounts.credentials import sign_token
from interview.api.deps import (
    Credentials,
    Ctx,
    CurrentUser,
    SessionDep,
    Writer,
    now,
    user_for_token,
)
from interview.api.ranges import ranged_response
from interview.api.routes.auth import client_address
from interview.api.schemas import In, InvitationOut, JobOut, SessionOut
from interview.candidate.session import plan_of, score_again
from interview.errors import Conflict, NotFound, Unauthorized
from interview.hiring.dashboard import (
    EXPORT_HEADER,
    MAX_EXPORT,
    SessionQuery,
    Sort,
    export_rows,
    list_sessions,
    session_answers,
)
from interview.hiring.invitations import renew_invitation, session_for_org
from interview.hiring.review import (
    person_assesses,
    person_review,
    request_view,
    stored_report,
    summary,
    trail,
)
from interview.privacy.audit import audit
from interview.report.compliance import compliance, note_texts
from interview.report.export import to_csv
from interview.report.pdf import report_pdf
from interview.report.schemas import PersonAssessment
from interview.scoring.fusion import policy_from
from interview.storage import jobs
from interview.storage.tables import (
    Answer,
    AuditEvent,
    Candidate,
    InterviewSession,
    JobRole,
    Review,
    User,
)

router = APIRouter(tags=["sessions"])
MEDIA_LINK_HOURS = 1  # a signed media link in a report works this long (reload for more)


def _query(
    role_id: str | None = None,
    status: str | None = None,
    band: str | None = None,
    integrity: str | None = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    reviewer_id: str | None = None,
    review_request: str | None = None,
    # only these sessions: the list refreshing the progress of its unfinished rows
    ids: Annotated[list[str] | None, Query()] = None,
    sort: Sort = "-created",
) -> SessionQuery:
    return SessionQuery(
        role_id=role_id or None,
        status=status or None,
        band=band or None,
        integrity=integrity or None,
        search=q or None,
        reviewer_id=reviewer_id or None,
        review_request=review_request or None,
        ids=tuple(ids) if ids is not None else None,
        sort=sort,
    )


Filters = Annotated[SessionQuery, Depends(_query)]


def looked(
    s: SessionDep, user: User, request: Request, action: str, subject: str, **detail: object
) -> AuditEvent:
    """Audit that an HR user saw or took candidate data: who, what, when and from where
    (the peer address). Every role, read-only ones too: the GET's session commits it."""
    return audit(
        s,
        user.organization_id,
        f"user:{user.id}",
        action,
        subject,
        now(),
        ip=client_address(request),
        **detail,
    )


@router.get("/sessions")
def list_all(
    user: CurrentUser,
    s: SessionDep,
    response: Response,
    filters: Filters,
    limit: int = Query(default=50, ge=1, le=500),
    # Bounded like every integer parameter: SQLite overflows past 2**63 (a 500, not a 4xx).
    offset: int = Query(default=0, ge=0, le=1_000_000),
) -> list[SessionOut]:
    """One page of the progress list; X-Total-Count says how many match the filters."""
    rows, total = list_sessions(s, user.organization_id, filters, limit, offset, now())
    response.headers["X-Total-Count"] = str(total)
    return [SessionOut(**r.model_dump()) for r in rows]


@router.get("/sessions.csv")
def export_csv(user: CurrentUser, s: SessionDep, filters: Filters, request: Request) -> Response:
    """The filtered list (every page) as CSV, with formula-looking cells made text. Audited
    once with the row count, and once against each interview it lists (its trail shows it)."""
    rows, _ = list_sessions(s, user.organization_id, filters, MAX_EXPORT, 0, now())
    body = to_csv(EXPORT_HEADER, export_rows(rows))
    # The search text may be a candidate's name: the audit says a search was made, not what
    # (audit events outlive an erasure).
    shown = filters.model_dump(exclude={"search"})
    event = looked(
        s,
        user,
        request,
        "sessions.export",
        f"organization:{user.organization_id}",
        rows=len(rows),
        filters={**shown, "q": filters.search is not None},
    )
    for r in rows:
        looked(s, user, request, "session.in_export", f"session:{r.id}", export=event.id)
    stamp = now().strftime("%Y%m%d-%H%M")
    return Response(
        body.encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="candidates-{stamp}.csv"'},
    )


def _media_secret(secret: str, answer_id: str) -> str:
    """Media links are signed with a key of their own answer: useless anywhere else."""
    return f"{secret}:media:{answer_id}"


def _answers(ctx: Ctx, s: SessionDep, user: User, sess: InterviewSession) -> list[Any]:
    """The session's answers, each recording with a signed media link."""
    expires = now() + timedelta(hours=MEDIA_LINK_HOURS)
    answers = []
    for a in session_answers(s, sess):
        item = a.model_dump(mode="json")
        if a.media_type:
            key = _media_secret(ctx.settings.secret_key, a.answer_id)
            access = sign_token(key, user.id, expires, user.token_generation)
            item["media_url"] = (
                f"/api/v1/sessions/{sess.id}/answers/{a.answer_id}/media?access={access}"
            )
        answers.append(item)
    return answers


def _person_view(
    ctx: Ctx, s: SessionDep, user: User, sess: InterviewSession, note: PersonAssessment
) -> dict[str, Any]:
    """An interview without consent to AI assessment: the note that a person must assess
    it, the answers, the decision and the audit trail; no AI score or recommendation."""
    cand = s.get(Candidate, sess.candidate_id)
    role = s.get(JobRole, sess.role_id)
    row = s.scalar(select(Review).where(Review.session_id == sess.id))
    return {
        "session_id": sess.id,
        "candidate_name": cand.name if cand else "",
        "role_title": role.title if role else "",
        "language": sess.language,
        "status": sess.status,
        "assessed_by": "person",
        "assessment": note.model_dump(mode="json"),
        "overall": None,
        "band": None,
        "competencies": [],
        "reviewer_id": row.reviewer_id if row else None,
        "review": person_review(s, sess),
        "review_request": jsonable_encoder(request_view(s, sess)),
        "answers": _answers(ctx, s, user, sess),
        "trail": jsonable_encoder(trail(s, sess)),
    }


def report_view(
    ctx: Ctx,
    s: SessionDep,
    user: User,
    session_id: str,
    request: Request,
    action: str,
    **detail: object,
) -> dict[str, Any]:
    """The stored report (machine values unchanged) with the review, the answers and their
    signed media links, the compliance notes and the audit trail (this look included: it
    is audited as `action`)."""
    sess = session_for_org(s, user.organization_id, session_id)
    note = person_assesses(s, sess)
    if note is not None:  # no consent to AI assessment: no AI score is shown
        looked(s, user, request, action, f"session:{sess.id}", **detail)
        return _person_view(ctx, s, user, sess, note)
    report = stored_report(s, sess)
    looked(s, user, request, action, f"session:{sess.id}", **detail)
    role = s.get(JobRole, sess.role_id)
    policy = policy_from(role.settings if role else None)
    review = summary(s, sess, report, policy.thresholds)
    row = s.scalar(select(Review).where(Review.session_id == sess.id))
    answers = _answers(ctx, s, user, sess)
    comp = compliance(policy, report)
    asked = {q.id: q.text for q in plan_of(s, sess).questions}
    return {
        **report.model_dump(mode="json"),
        # the words of each unanswered question, so HR never reads a question id
        "unanswered_text": {q: asked[q] for q in report.unanswered if q in asked},
        "status": sess.status,
        "assessed_by": "ai",
        "reviewer_id": row.reviewer_id if row else None,
        "review": review.model_dump(mode="json"),
        "review_request": jsonable_encoder(request_view(s, sess)),
        "answers": answers,
        "compliance": {**comp.model_dump(mode="json"), "texts": note_texts(comp, "en")},
        "trail": jsonable_encoder(trail(s, sess)),
    }


@router.get("/sessions/{session_id}/report")
def get_report(
    session_id: str, user: CurrentUser, ctx: Ctx, s: SessionDep, request: Request
) -> dict[str, Any]:
    """The report as the HR page shows it; every view is audited (the page refetches it
    after each review change, and each of those is a view too)."""
    return report_view(ctx, s, user, session_id, request, "report.view")


@router.get("/sessions/{session_id}/report.json")
def download_json(
    session_id: str, user: CurrentUser, ctx: Ctx, s: SessionDep, request: Request
) -> Response:
    view = report_view(ctx, s, user, session_id, request, "report.download", format="json")
    for a in view["answers"]:
        a.pop("media_url", None)  # signed links do not belong in a file that travels
    return Response(
        json.dumps(view, ensure_ascii=False, indent=2).encode("utf-8"),
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="report-{session_id}.json"'},
    )


@router.get("/sessions/{session_id}/report.pdf")
def download_pdf(
    session_id: str,
    user: CurrentUser,
    s: SessionDep,
    request: Request,
    lang: Literal["en", "zh"] | None = None,
) -> Response:
    sess = session_for_org(s, user.organization_id, session_id)
    note = person_assesses(s, sess)
    if note is not None:
        raise Conflict(f"{note.text} There is no AI report to download.")
    report = stored_report(s, sess)
    role = s.get(JobRole, sess.role_id)
    policy = policy_from(role.settings if role else None)
    review = summary(s, sess, report, policy.thresholds)
    shown = lang or ("zh" if report.language == "zh" else "en")
    notes = note_texts(compliance(policy, report), shown)
    questions = {a.question_id: a.question_text for a in session_answers(s, sess)}
    data = report_pdf(report, review, notes, shown, questions)
    looked(s, user, request, "report.download", f"session:{sess.id}", format="pdf", lang=shown)
    return Response(
        data,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="report-{session_id}.pdf"'},
    )


@router.get("/sessions/{session_id}/answers/{answer_id}/media")
def answer_media(
    session_id: str,
    answer_id: str,
    ctx: Ctx,
    s: SessionDep,
    creds: Credentials,
    request: Request,
    access: Annotated[str | None, Query(max_length=400)] = None,
    range_header: Annotated[str | None, Header(alias="Range")] = None,
) -> Response:
    """The recording of one answer, to HR users of the interview's organization: sign in
    with a bearer token, or use the signed link a report gives (a <video> sends no header).
    Range requests get 206 so the player can seek. Audited as media.open on each response
    that starts at byte 0: a download, or a player loading the recording (the report page's
    player preloads it, so opening it there counts even before play is pressed); the ranges
    a seek or a buffering player asks for later are not audited again."""
    at = now()
    via = "token" if creds is not None else "link"
    if creds is not None:
        user = user_for_token(s, ctx.settings.secret_key, creds.credentials, at)
    elif access:
        # Signed with a key of this answer alone: it opens no other answer and no other route.
        key = _media_secret(ctx.settings.secret_key, answer_id)
        user = user_for_token(s, key, access, at, timedelta(hours=MEDIA_LINK_HOURS))
    else:
        raise Unauthorized("sign in first, or open the media link from the report")
    sess = session_for_org(s, user.organization_id, session_id)
    answer = s.get(Answer, answer_id)
    if answer is None or answer.session_id != sess.id or not answer.media:
        raise NotFound(f"answer {answer_id!r} has no recording in this interview")
    f = ctx.blobs.open(answer.media[0])
    response = ranged_response(f, answer.media_type or "application/octet-stream", range_header)
    if response.status_code == 200 or response.headers.get("content-range", "").startswith(
        "bytes 0-"
    ):
        looked(
            s,
            user,
            request,
            "media.open",
            f"session:{sess.id}",
            answer_id=answer.id,
            question_id=answer.question_id,
            via=via,
        )
    return response


class RenewIn(In):
    expires_days: int = Field(default=14, ge=1, le=90)


@router.post("/sessions/{session_id}/invitation")
def renew(
    session_id: str, body: RenewIn, user: Writer, s: SessionDep, request: Request
) -> InvitationOut:
    """A fresh link for an invitation not yet started (the old link stops working)."""
    sess = session_for_org(s, user.organization_id, session_id)
    inv = renew_invitation(s, sess, f"user:{user.id}", now(), body.expires_days)
    cand = s.get(Candidate, sess.candidate_id)
    return InvitationOut(
        session_id=inv.session_id,
        candidate_id=inv.candidate_id,
        token=inv.token,
        link=str(request.base_url).rstrip("/") + f"/web/interview.html#{inv.token}",
        expires_at=inv.expires_at,
        candidate_name=cand.name if cand else "",
    )


@router.post("/sessions/{session_id}/scoring", status_code=202)
def score_again_route(session_id: str, ctx: Ctx, user: Writer, s: SessionDep) -> JobOut:
    """Score a finished interview again after its scoring job gave up."""
    sess = session_for_org(s, user.organization_id, session_id)
    job_id = score_again(s, sess, f"user:{user.id}", now())
    s.commit()
    if ctx.worker is not None:
        ctx.worker.wake()
    return JobOut.model_validate(jobs.get(s, job_id), from_attributes=True)


@router.get("/jobs/{job_id}")
def get_job(job_id: str, user: CurrentUser, s: SessionDep) -> JobOut:
    job = jobs.get(s, job_id)
    try:
        # Only an interview's jobs are HR's to read, and only their own organization's.
        session_for_org(s, user.organization_id, str(job.payload["session_id"]))
    except (KeyError, NotFound):  # say no more than "not found" (not the interview's id)
        raise NotFound(f"job {job_id!r} not found") from None
    return JobOut.model_validate(job, from_attributes=True)
