"""Exporting everything held about one candidate (a subject access request): their rows, the
audit events about them and the bytes of every file still stored, as one zip archive.

The archive is what we hold, complete, and nothing else: a file is listed only while its blob
is stored (a finished take's upload chunks are deleted once joined, their rows stay to
recognise a late resend), and each listed file is in the archive, next to candidate.json.
"""

from __future__ import annotations

import json
import re
import shutil
import zipfile
from datetime import datetime
from typing import Any, BinaryIO

from pydantic_core import to_jsonable_python
from sqlalchemy import inspect, or_, select
from sqlalchemy.orm import Session

from interview.privacy.erasure import candidate_in_org, session_ids
from interview.storage.blobs import BlobStore
from interview.storage.tables import (
    Answer,
    AuditEvent,
    Base,
    EnrollmentPhoto,
    Recording,
    RecordingChunk,
)

MANIFEST = "candidate.json"  # the rows, the audit events and the list of files, in the archive
COPY_BLOCK = 1024 * 1024  # bytes copied per step from a blob into the archive
# The media types stored (perception.media.MEDIA_TYPES, enrollment photos) -> file extension.
EXTENSIONS = {
    "video/webm": ".webm",
    "video/mp4": ".mp4",
    "audio/wav": ".wav",
    "audio/flac": ".flac",
    "audio/ogg": ".ogg",
    "audio/mpeg": ".mp3",
    "image/jpeg": ".jpg",
    "image/png": ".png",
}


def _row(obj: Any) -> dict[str, Any]:
    return {c.key: getattr(obj, c.key) for c in inspect(obj).mapper.column_attrs}


def _safe(part: str) -> str:
    """A file-name part made of letters, digits, '.', '_' and '-' (question ids hold ':' and
    '~', which some systems refuse in a file name)."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", part)


def _ext(media_type: str | None) -> str:
    return EXTENSIONS.get((media_type or "").split(";")[0].strip().lower(), ".bin")


def _size(blobs: BlobStore, key: str) -> int:
    with blobs.open(key) as f:
        return f.seek(0, 2)


def stored_files(s: Session, blobs: BlobStore, sessions: list[str]) -> list[dict[str, Any]]:
    """The blobs of these interviews that are still stored: key, size in bytes, media type,
    the rows that refer to it and its path in the archive (one file per blob, named after
    the first row that refers to it)."""
    refs: list[tuple[str, str, str | None, str]] = []  # key, row, media type, file name
    if sessions:
        answers = s.scalars(
            select(Answer)
            .where(Answer.session_id.in_(sessions))
            .order_by(Answer.created_at, Answer.id)
        )
        for a in answers:
            for i, key in enumerate(a.media or []):
                part = f"-{i + 1}" if len(a.media) > 1 else ""
                name = f"answers/{_safe(a.question_id)}-attempt{a.attempt}{part}"
                refs.append((key, f"answer:{a.id}", a.media_type, name))
        for p in s.scalars(select(EnrollmentPhoto).where(EnrollmentPhoto.session_id.in_(sessions))):
            refs.append((p.blob_key, f"enrollment:{p.id}", p.media_type, f"enrollment/{p.id}"))
        chunks = s.execute(
            select(RecordingChunk, Recording)
            .join(Recording, Recording.id == RecordingChunk.recording_id)
            .where(Recording.session_id.in_(sessions))
            .order_by(Recording.question_id, Recording.take, RecordingChunk.seq)
        )
        for c, r in chunks:
            name = f"chunks/{_safe(r.question_id)}-take{r.take}-{c.seq}"
            refs.append((c.blob_key, f"recording_chunk:{c.id}", None, name))
    files: dict[str, dict[str, Any]] = {}
    gone: set[str] = set()
    for key, row, media_type, name in refs:
        if key in gone:
            continue
        if key not in files:
            if not blobs.exists(key):
                gone.add(key)
                continue
            files[key] = {
                "key": key,
                "size": _size(blobs, key),
                "media_type": media_type,
                "rows": [],
                "file": f"files/{name}{_ext(media_type)}",
            }
        files[key]["rows"].append(row)
    return list(files.values())


def audit_rows(
    s: Session, org_id: str, candidate_id: str, sessions: list[str]
) -> list[dict[str, Any]]:
    """The audit events about the candidate: those whose subject is the candidate, one of
    their interviews or answers, and those the candidate did (actor candidate:<session>)."""
    answers = (
        list(s.scalars(select(Answer.id).where(Answer.session_id.in_(sessions))))
        if sessions
        else []
    )
    subjects = [
        f"candidate:{candidate_id}",
        *(f"session:{sid}" for sid in sessions),
        *(f"answer:{aid}" for aid in answers),
    ]
    actors = [f"candidate:{sid}" for sid in sessions]
    rows = s.scalars(
        select(AuditEvent)
        .where(
            AuditEvent.organization_id == org_id,
            or_(AuditEvent.subject.in_(subjects), AuditEvent.actor.in_(actors)),
        )
        .order_by(AuditEvent.created_at, AuditEvent.id)
    )
    return [_row(r) for r in rows]


def export_candidate(
    s: Session, blobs: BlobStore, org_id: str, candidate_id: str
) -> dict[str, Any]:
    """Everything held about one candidate: their rows table by table, the audit events about
    them, and the files still stored (listed; write_archive adds their bytes)."""
    cand = candidate_in_org(s, org_id, candidate_id)
    sessions = session_ids(s, candidate_id)
    out: dict[str, Any] = {"candidate": _row(cand), "tables": {}}
    for mapper in Base.registry.mappers:
        table = mapper.local_table
        name = str(getattr(table, "name", ""))
        cls = mapper.class_
        if "session_id" in table.c:
            rows = s.scalars(select(cls).where(table.c.session_id.in_(sessions))).all()
        elif name == "interview_session":
            rows = s.scalars(select(cls).where(table.c.id.in_(sessions))).all()
        elif name == "recording_chunk":
            rows = s.scalars(
                select(cls)
                .join(Recording, Recording.id == table.c.recording_id)
                .where(Recording.session_id.in_(sessions))
            ).all()
        else:
            continue
        if rows:
            out["tables"][name] = [_row(r) for r in rows]
    out["audit"] = audit_rows(s, org_id, candidate_id, sessions)
    out["files"] = stored_files(s, blobs, sessions)
    return out


def write_archive(export: dict[str, Any], blobs: BlobStore, out: BinaryIO, now: datetime) -> None:
    """A zip of the export: candidate.json, and each listed file's bytes under its path
    (stored as they are: recordings and photos are compressed already)."""
    stamp = now.timetuple()[:6]
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as z:
        manifest = zipfile.ZipInfo(MANIFEST, date_time=stamp)
        manifest.compress_type = zipfile.ZIP_DEFLATED
        text = json.dumps(to_jsonable_python(export), ensure_ascii=False, indent=2)
        z.writestr(manifest, text.encode("utf-8"))
        for f in export["files"]:
            info = zipfile.ZipInfo(f["file"], date_time=stamp)
            info.compress_type = zipfile.ZIP_STORED
            with blobs.open(f["key"]) as src, z.open(info, "w", force_zip64=True) as dst:
                shutil.copyfileobj(src, dst, COPY_BLOCK)
