"""Request and response shapes of the HR dashboard's review, user, persona, invitation and
self-report routes (the older shapes live in schemas.py)."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field, field_validator

from interview.api.schemas import In, Lang
from interview.text.clean import Email, Name

MAX_AVATAR_BYTES = 150_000  # an avatar picture, as a data: URL


class ReviewerIn(In):
    reviewer_id: str | None = Field(default=None, max_length=32)  # None: unassign


class OverrideIn(In):
    competency_id: str = Field(min_length=1, max_length=64)
    level: int = Field(ge=1, le=5)
    reason: str = Field(min_length=1, max_length=4000)


class DecisionIn(In):
    decision: Literal["advance", "reject", "hold"]
    reason: str = Field(min_length=1, max_length=4000)


class RequestAnswerIn(In):
    # What the person did about the candidate's request (at least 10 characters; audited).
    note: str = Field(min_length=1, max_length=4000)


class RequestAnswerOut(BaseModel):
    session_id: str
    status: Literal["open", "answered"]
    answered_at: datetime | None
    answered_via: str | None
    answer: str | None


class OverrideOut(BaseModel):
    id: str
    competency_id: str
    old_level: int
    new_level: int
    reason: str
    created_at: datetime


class ReviewOut(BaseModel):
    session_id: str
    status: str
    reviewer_id: str | None
    decision: str | None
    decision_reason: str | None
    decided_at: datetime | None


class UserCreate(In):
    email: Email = Field(min_length=3, max_length=320)
    name: Name = Field(min_length=1, max_length=200)
    role: Literal["admin", "recruiter", "reviewer", "hiring_manager"]
    # 12 to 128 characters, not common or trivial: interview.accounts.passwords says why not.
    password: str = Field(min_length=1, max_length=200)


class UserUpdate(In):
    name: Name | None = Field(default=None, min_length=1, max_length=200)
    role: Literal["admin", "recruiter", "reviewer", "hiring_manager"] | None = None
    active: bool | None = None


class UserListOut(BaseModel):
    id: str
    email: str
    name: Name  # shown cleaned, however it was stored
    role: str
    active: bool
    created_at: datetime


class PasswordReset(In):
    """An admin's reset of a user's password: the new one, or none to have one generated."""

    password: str | None = Field(default=None, min_length=1, max_length=200)


class PasswordResetOut(BaseModel):
    user: UserListOut
    password: str | None  # the generated password, shown this once; None when the admin chose it


class Persona(In):
    """The interviewer the candidate meets: a name, a face (initials or a small picture) and
    a greeting per language."""

    name: Name = Field(min_length=1, max_length=60)
    initials: Name | None = Field(default=None, min_length=1, max_length=3)
    avatar: str | None = Field(default=None, max_length=MAX_AVATAR_BYTES * 4 // 3 + 40)
    greeting: dict[Lang, str] = Field(default_factory=dict)

    @field_validator("greeting")
    @classmethod
    def _short_greetings(cls, value: dict[str, str]) -> dict[str, str]:
        for lang, text in value.items():
            if len(text) > 500:
                raise ValueError(f"the {lang} greeting is {len(text)} characters; at most 500")
        return {k: v.strip() for k, v in value.items() if v.strip()}

    @field_validator("avatar")
    @classmethod
    def _image_data_url(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        head, _, data = value.partition(",")
        if head not in (
            "data:image/png;base64",
            "data:image/jpeg;base64",
            "data:image/webp;base64",
        ):
            raise ValueError("the avatar must be a PNG, JPEG or WebP picture (a data: URL)")
        try:
            raw = base64.b64decode(data, validate=True)
        except (binascii.Error, ValueError):
            raise ValueError("the avatar picture is not valid base64") from None
        if len(raw) > MAX_AVATAR_BYTES:
            raise ValueError(f"the avatar is {len(raw)} bytes; at most {MAX_AVATAR_BYTES}")
        return value


def persona_from(value: object) -> Persona | None:
    """A stored persona, or None. Older demo data kept the greeting as one string: it is
    read as the English greeting."""
    if not isinstance(value, dict) or not value.get("name"):
        return None
    data = dict(value)
    if isinstance(data.get("greeting"), str):
        data["greeting"] = {"en": data["greeting"]}
    return Persona.model_validate(data)


class PersonaOut(BaseModel):
    """The persona a candidate meets (the role's, else the organization's), greeting in the
    interview's language."""

    name: Name
    initials: Name
    avatar: str | None = None
    greeting: str


class OrganizationOut(BaseModel):
    id: str
    name: str
    persona: Persona | None = None
    mail_configured: bool
    # The groups candidates may choose from in the voluntary self-report (empty: not asked).
    self_report_groups: list[str] = []


class PlanPreviewOut(BaseModel):
    competencies: list[dict[str, object]]
    questions: list[dict[str, object]]
    workplaces: list[str]  # where the job is done: what the questions were chosen to fit
    coverage: float  # share of the role's weight that a question or item asks about
    uncovered: list[dict[str, object]]  # {id, name, weight} of competencies not asked about


MAX_GROUPS = 20


class SelfReportGroupsIn(In):
    """The groups offered in the voluntary self-report, in the order candidates see them.
    Names are the organization's own (e.g. age bands or the categories its law uses)."""

    groups: list[str] = Field(default_factory=list, max_length=MAX_GROUPS)

    @field_validator("groups")
    @classmethod
    def _clean(cls, value: list[str]) -> list[str]:
        out: list[str] = []
        for g in value:
            name = " ".join(g.split())
            if not 1 <= len(name) <= 60:
                raise ValueError(f"group {g!r} must be 1-60 characters")
            if name in out:
                raise ValueError(f"group {name!r} is listed twice")
            out.append(name)
        return out


def self_report_groups(settings: dict[str, object] | None) -> list[str]:
    value = (settings or {}).get("self_report_groups")
    return [str(g) for g in value] if isinstance(value, list) else []


class SelfReportIn(In):
    """A group the candidate chooses to report, or None to withdraw it ("prefer not to say")."""

    group: str | None = Field(default=None, min_length=1, max_length=60)


class SelfReportOut(BaseModel):
    stored: bool


class SelfReportOptionsOut(BaseModel):
    """What the candidate may choose from, and what they chose (theirs to see and change)."""

    groups: list[str]
    chosen: str | None = None
