"""Request and response shapes of the HTTP API (input, storage and output never blur)."""

from __future__ import annotations

import unicodedata
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from interview.candidate.events import EventKind
from interview.candidate.uploads import MAX_CHUNKS, MAX_TAKES
from interview.competency.edit import (
    MAX_ANCHOR_CHARS,
    MAX_INDICATOR_CHARS,
    MAX_INDICATORS,
    MIN_INDICATORS,
)
from interview.competency.schemas import Setting
from interview.hiring.dashboard import Progress
from interview.scoring.fusion import ScoringPolicy
from interview.text.clean import Email, Name, clean_text

Lang = Literal["en", "zh"]


def _clean_any(value: Any) -> Any:
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list):
        return [_clean_any(v) for v in value]
    if isinstance(value, dict):
        return {_clean_any(k): _clean_any(v) for k, v in value.items()}
    return value


class In(BaseModel):
    """Base of request bodies: unknown fields refused, every string cleaned by clean_text
    (text/clean.py, before the length limits are checked) and stripped of surrounding
    whitespace; Name fields are one line, Email fields checked for look-alikes."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="before")
    @classmethod
    def _clean_strings(cls, value: Any, info: ValidationInfo) -> Any:
        if info.field_name and "password" in info.field_name:
            # A password is a secret, not text to show: taken as typed (NFC only, as NIST
            # SP 800-63B 5.1.1.2 asks), so no character of one ever silently drops out.
            return unicodedata.normalize("NFC", value) if isinstance(value, str) else value
        return _clean_any(value)


class LoginIn(In):
    email: str = Field(min_length=3, max_length=320)
    password: str = Field(min_length=1, max_length=200)


class PasswordChange(In):
    """A signed-in user's new password, with the current one to prove it is them. The policy
    (length, common and trivial passwords) is interview.accounts.passwords, with its messages."""

    current_password: str = Field(min_length=1, max_length=200)
    new_password: str = Field(min_length=1, max_length=200)


class TokenOut(BaseModel):
    token: str
    expires_at: datetime
    user: UserOut


class UserOut(BaseModel):
    id: str
    email: str
    name: Name  # shown cleaned, however it was stored
    role: str
    organization_id: str


class RoleCreate(In):
    title: Name = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=20_000)
    language: Lang = "en"
    # Open questions; default: enough to cover every weighted competency the items do not
    # (5 to 8). Fewer leaves competencies unasked: the plan and the report say which.
    max_questions: int | None = Field(default=None, ge=1, le=20)
    # Multiple-choice (SJT / picture) items after the open questions; default 2 for
    # frontline roles, 1 otherwise.
    choice_items: int | None = Field(default=None, ge=0, le=5)
    # Ask for a short work history first (frontline candidates often have no resume).
    work_history: bool = False
    # Modality switches and weights, recommendation thresholds, compliance profile.
    scoring: ScoringPolicy = ScoringPolicy()


AnchorText = Annotated[str, Field(min_length=1, max_length=MAX_ANCHOR_CHARS)]
IndicatorText = Annotated[str, Field(min_length=1, max_length=MAX_INDICATOR_CHARS)]
Indicators = Annotated[
    list[IndicatorText], Field(min_length=MIN_INDICATORS, max_length=MAX_INDICATORS)
]


class RubricIn(In):
    """HR's wording of one competency, in one language: what each level 1..5 looks like and
    each standard's positive and negative indicators (standard id -> texts; a standard left
    out keeps its wording)."""

    language: Lang
    anchors: list[AnchorText] = Field(min_length=5, max_length=5)
    positive: dict[str, Indicators] = Field(default={}, max_length=4)
    negative: dict[str, Indicators] = Field(default={}, max_length=4)


class CompetencyWeights(In):
    weights: dict[str, float] = Field(min_length=1, max_length=12)
    max_questions: int | None = Field(default=None, ge=1, le=20)
    # Where the job is done, when HR corrects what was read from the description (None: keep).
    workplaces: list[Setting] | None = Field(default=None, min_length=1, max_length=4)
    # Competency id -> HR's anchors and indicators (competencies left out keep theirs).
    rubrics: dict[str, RubricIn] | None = Field(default=None, max_length=12)


class ModelVersionOut(BaseModel):
    version: int
    created_at: datetime
    weights: dict[str, float]


class RoleOut(BaseModel):
    id: str
    version: int | None = None
    settings: dict[str, Any] = {}
    title: str
    description: str
    language: str
    created_at: datetime
    template_id: str | None = None
    competencies: list[dict[str, Any]] = []
    questions: list[dict[str, Any]] = []
    # The plan's fit and coverage (see PlanPreviewOut): where the job is done, the share of
    # the role's weight asked about, and the competencies no question asks about.
    workplaces: list[str] = []
    coverage: float | None = None
    uncovered: list[dict[str, Any]] = []


class InvitationCreate(In):
    candidate_name: Name = Field(min_length=1, max_length=200)
    email: Email | None = Field(default=None, max_length=320)
    language: Lang = "en"
    expires_days: int = Field(default=14, ge=1, le=90)  # the link works this many days
    send_email: bool = False  # through the configured SMTP server, when there is an e-mail


class InvitationOut(BaseModel):
    session_id: str
    candidate_id: str
    token: str
    link: str
    expires_at: datetime
    candidate_name: Name = ""
    # None: no e-mail asked for; "sent"; "not_configured"; "failed: <why>".
    email_status: str | None = None


class SessionOut(BaseModel):
    id: str
    candidate_id: str
    candidate_name: Name  # shown cleaned, however it was stored
    role_id: str
    role_title: Name
    status: str
    language: str
    created_at: datetime
    overall: float | None = None
    # How much a reviewer should look (not_assessed, low, medium, high); never part of overall.
    integrity: str | None = None
    email: str | None = None
    expires_at: datetime | None = None
    expired: bool = False  # invited, and the link has expired
    band: str | None = None  # the report's recommendation band
    reviewer_id: str | None = None
    reviewer_name: Name | None = None
    decision: str | None = None  # advance, reject, hold: the final decision
    overridden: bool = False  # a reviewer changed a competency level
    # After those changes (None when nothing was changed): what the report leads with
    reviewed_overall: float | None = None
    reviewed_band: str | None = None
    review_request: str | None = None  # open or answered: the candidate asked for a human review
    progress: Progress  # invited, answering, processing, scoring, failed or ready


class ChoiceOut(BaseModel):
    """An option as the candidate sees it: no scoring key."""

    id: str
    text: str


class QuestionOut(BaseModel):
    id: str
    kind: str
    text: str
    answer_modes: list[str]
    time_limit_s: int
    choices: list[ChoiceOut] = []
    image_url: str | None = None


class CandidateInterviewOut(BaseModel):
    """What a candidate sees: questions and progress, never a score."""

    status: str
    language: str
    role_title: str
    organization: str
    notice_version: str
    consent_given: bool
    questions: list[QuestionOut]
    answered: list[str]
    pending_followup: FollowUpOut | None = None
    # Consent kinds as last given, so the page knows whether it may record and take a photo.
    recording_consent: bool = False
    biometric_consent: bool = False
    enrolled: bool = False
    # How open questions may be answered ("video", "audio", "text"): the page offers a
    # typed answer when "text" is among them, e.g. when a camera or microphone is missing.
    answer_modes: list[str] = []
    # The longest typed answer the server stores (characters), so the page counts and stops
    # at the same number instead of letting Submit fail.
    max_answer_chars: int
    # When the candidate asked for a human review (none: not asked), so a reopened link says
    # the request was sent instead of offering it again.
    review_requested_at: datetime | None = None


class ConsentIn(In):
    recording: bool
    ai_assessment: bool
    # Identity verification with an enrollment photo; optional and asked separately.
    biometric: bool = False


class TextAnswerIn(In):
    """A typed answer (`text`) or a multiple-choice answer (`choice_id`)."""

    question_id: str = Field(min_length=1, max_length=64)
    text: str | None = Field(default=None, min_length=1, max_length=100_000)
    choice_id: str | None = Field(default=None, min_length=1, max_length=16)
    # Sent by the page when a timed item's countdown ran out: what it had (a choice, text or
    # nothing) is stored; nothing, or a send past the limit, is kept as "time ran out".
    timed_out: bool = False


class FollowUpOut(BaseModel):
    """A probe the candidate answers next, under its own question id."""

    id: str
    text: str


class AnswerAck(BaseModel):
    answer_id: str
    question_id: str
    attempt: int
    stored: bool = True
    followup: FollowUpOut | None = None
    timed_out: bool = False  # stored as "no answer, time ran out"


class ChunkOut(BaseModel):
    """A chunk is stored durably; the same bytes sent again give the same answer."""

    question_id: str
    take: int
    seq: int
    size: int
    stored: bool = True


class ChunkInfo(BaseModel):
    seq: int
    size: int


class TakeOut(BaseModel):
    take: int
    status: str  # open, finished
    chunk_count: int | None = None  # set when finished
    bytes: int
    chunks: list[ChunkInfo]


class RecordingStatusOut(BaseModel):
    """What the server holds of a question's recordings, so a reloaded page can resume."""

    question_id: str
    takes: list[TakeOut]
    next_take: int | None  # the take number a retake would use; None when none are left
    answered: bool


class FinishIn(In):
    chunks: int = Field(ge=1, le=MAX_CHUNKS, description="how many chunks the take has")
    take: int = Field(default=1, ge=1, le=MAX_TAKES)


DetailValue = int | float | bool | str


class EventIn(In):
    """A browser event as the page saw it. `detail` holds small counts (e.g. how many
    characters were pasted), never the text itself."""

    kind: EventKind
    question_id: str | None = Field(default=None, min_length=1, max_length=64)
    client_time: int = Field(ge=0, le=4_102_444_800_000, description="ms since the epoch")
    detail: dict[str, DetailValue] = Field(default_factory=dict, max_length=8)

    @model_validator(mode="after")
    def _small_detail(self) -> EventIn:
        for key, value in self.detail.items():
            if not (1 <= len(key) <= 32 and key.replace("_", "").isalnum() and key.isascii()):
                raise ValueError(f"detail key {key!r} must be 1-32 letters, digits or '_'")
            if isinstance(value, str):
                if self.kind in ("paste", "copy"):
                    raise ValueError(
                        f"detail.{key}: {self.kind} events carry counts only, never text"
                    )
                if len(value) > 40:
                    raise ValueError(f"detail.{key} is {len(value)} characters; at most 40")
        return self


class EventsIn(In):
    events: list[EventIn] = Field(min_length=1, max_length=100)


class EventsOut(BaseModel):
    stored: int


class EnrollmentOut(BaseModel):
    """The photo is stored; `checked` says whether the face check ran on it."""

    stored: bool = True
    checked: bool


class ShownOut(BaseModel):
    question_id: str
    shown_at: datetime  # the first time, on the server's clock
    # A timed item: seconds its countdown has left from shown_at (a reload resumes it there).
    seconds_left: float | None = None


class CompleteOut(BaseModel):
    status: str
    job_id: str


class JobOut(BaseModel):
    id: str
    kind: str
    status: str
    attempts: int
    error: str | None
    result: dict[str, Any] | None


TokenOut.model_rebuild()
