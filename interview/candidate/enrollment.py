"""The enrollment photo: its consent, its checks (image format, one face) and storage."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from interview.backend.registry import Backend
from interview.candidate.session import consent_state
from interview.errors import Conflict, InvalidInput
from interview.integrity.identity import enroll
from interview.privacy.audit import audit
from interview.storage.tables import (
    EnrollmentPhoto,
    InterviewSession,
)

MAX_PHOTO_BYTES = 8 * 1024 * 1024  # an enrollment photo; a 1080p JPEG is well under 1 MB
MIN_PHOTO_SIDE = 64  # pixels; a face needs at least this much picture


def check_biometric_consent(s: Session, sess: InterviewSession) -> None:
    """Identity verification needs its own explicit consent, in a running interview."""
    if sess.status != "started":
        raise Conflict(f"this interview is {sess.status}; the photo can no longer change")
    if not consent_state(s, sess.id).get("biometric", False):
        raise Conflict(
            "consent to identity verification (biometric) was not given; "
            "tick it on the consent page, or continue without a photo"
        )


def sniff_image(data: bytes) -> tuple[str, int, int]:
    """(MIME type, width, height) of a JPEG or PNG, read from its bytes; InvalidInput else."""
    if not data:
        raise InvalidInput("the photo is empty (0 bytes); take the photo again")
    if data.startswith(b"\x89PNG\r\n\x1a\n") and data[12:16] == b"IHDR" and len(data) > 24:
        return "image/png", int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    if data.startswith(b"\xff\xd8\xff"):
        i = 2
        while i + 9 < len(data):
            if data[i] != 0xFF:
                break
            marker = data[i + 1]
            if marker in (0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD):
                height = int.from_bytes(data[i + 5 : i + 7], "big")
                return "image/jpeg", int.from_bytes(data[i + 7 : i + 9], "big"), height
            i += 2 + int.from_bytes(data[i + 2 : i + 4], "big")
        raise InvalidInput("the photo is a damaged JPEG (no image size found); take it again")
    raise InvalidInput(
        "the photo is not a JPEG or PNG image (recognised by its content, not its name)"
    )


def check_photo(data: bytes) -> str:
    """The MIME type of an enrollment photo big enough for a face; InvalidInput else."""
    media_type, width, height = sniff_image(data)
    if min(width, height) < MIN_PHOTO_SIDE:
        raise InvalidInput(
            f"the photo is {width}x{height} pixels; it needs at least {MIN_PHOTO_SIDE} on each side"
        )
    return media_type


def enroll_face(backend: Backend, data: bytes) -> dict[str, Any]:
    """The face descriptor of the photo (integrity.identity); InvalidInput (422) with a
    candidate-readable message for no face or several."""
    return enroll(backend, data).model_dump(mode="json")


def store_enrollment(
    s: Session,
    sess: InterviewSession,
    blob_key: str,
    media_type: str,
    descriptor: dict[str, object] | None,
    now: datetime,
) -> EnrollmentPhoto:
    """Keep the enrollment photo (already durable in the blob store); the latest one counts."""
    check_biometric_consent(s, sess)
    row = EnrollmentPhoto(
        session_id=sess.id,
        blob_key=blob_key,
        media_type=media_type,
        descriptor=descriptor,
        created_at=now,
    )
    s.add(row)
    s.flush()
    audit(
        s,
        sess.organization_id,
        f"candidate:{sess.id}",
        "identity.enroll",
        f"session:{sess.id}",
        now,
        checked=descriptor is not None,
    )
    return row


def latest_enrollment(s: Session, session_id: str) -> EnrollmentPhoto | None:
    return s.scalar(
        select(EnrollmentPhoto)
        .where(EnrollmentPhoto.session_id == session_id)
        .order_by(EnrollmentPhoto.created_at.desc())
        .limit(1)
    )
