"""Chunked, resumable uploads of recorded answers: store chunks durably, join and remux them.

A browser's MediaRecorder hands out a recording as a run of blobs (one every few seconds);
they are byte ranges of one stream, so only the first decodes alone and the joined bytes form
a valid file whose duration is unknown until it is remuxed. The page uploads each blob as a
numbered chunk as soon as it exists, so an answer survives a closed tab or a lost connection;
a chunk is stored (blob fsynced, row committed by the caller) before it is acknowledged.
Resending a stored chunk is a no-op, a different body under the same number is a conflict.
A take is finished with the number of chunks it should have: the chunks are joined in order,
remuxed into a container with a duration and cues, and checked before they become an answer.
"""

from __future__ import annotations

import hashlib
import io
import logging
from dataclasses import dataclass
from datetime import datetime
from functools import partial

import av
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from interview.candidate.answers import recordable_question
from interview.errors import Conflict, InvalidInput, NotFound, PayloadTooLarge
from interview.perception.media import sniff_media
from interview.storage.blob_holds import delete_unless_needed
from interview.storage.blobs import BlobStore, FileBlobStore
from interview.storage.tables import InterviewSession, Recording, RecordingChunk

log = logging.getLogger(__name__)

MAX_CHUNK_BYTES = 16 * 1024 * 1024  # one MediaRecorder blob; ~3 s of 720p is under 2 MB
MAX_RECORDING_BYTES = 512 * 1024 * 1024  # one take, all chunks together (30 min at 2 Mbit/s)
MAX_CHUNKS = 2000  # per take: 30 minutes in 1 s slices, with room to spare
MAX_TAKES = 5  # recordings per question: the first and up to four retakes
# Containers MediaRecorder writes whose joined chunks are remuxed -> PyAV's muxer name.
REMUX_FORMATS = {"webm": "webm", "mp4": "mp4", "ogg": "ogg"}


@dataclass(frozen=True)
class StoredChunk:
    """A chunk as stored: its take, number, size in bytes and sha256."""

    take: int
    seq: int
    size: int
    sha256: str


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def missing_seqs(stored: set[int], count: int) -> list[int]:
    """The chunk numbers 0..count-1 not stored yet, in order."""
    return [n for n in range(count) if n not in stored]


def describe_seqs(seqs: list[int], limit: int = 20) -> str:
    """'3, 5, 7' (or the first `limit` and how many more), for error messages."""
    shown = ", ".join(str(n) for n in seqs[:limit])
    return shown + (f" and {len(seqs) - limit} more" if len(seqs) > limit else "")


def takes(s: Session, session_id: str, question_id: str) -> list[Recording]:
    """The takes of one question, first to last."""
    return list(
        s.scalars(
            select(Recording)
            .where(Recording.session_id == session_id, Recording.question_id == question_id)
            .order_by(Recording.take)
        ).all()
    )


def chunks_of(s: Session, recording_id: str) -> list[RecordingChunk]:
    """A take's stored chunks in order."""
    return list(
        s.scalars(
            select(RecordingChunk)
            .where(RecordingChunk.recording_id == recording_id)
            .order_by(RecordingChunk.seq)
        ).all()
    )


def find_take(s: Session, session_id: str, question_id: str, take: int) -> Recording:
    rec = s.scalar(
        select(Recording).where(
            Recording.session_id == session_id,
            Recording.question_id == question_id,
            Recording.take == take,
        )
    )
    if rec is None:
        raise NotFound(
            f"no chunks of take {take} of question {question_id!r} were uploaded; "
            "PUT .../chunks/0 first"
        )
    return rec


def _existing(s: Session, rec: Recording | None, seq: int) -> RecordingChunk | None:
    if rec is None:
        return None
    return s.scalar(
        select(RecordingChunk).where(
            RecordingChunk.recording_id == rec.id, RecordingChunk.seq == seq
        )
    )


def _same_or_conflict(
    chunk: RecordingChunk, digest: str, size: int, question_id: str, take: int
) -> StoredChunk:
    if chunk.blob_key != digest:
        raise Conflict(
            f"chunk {chunk.seq} of question {question_id!r} (take {take}) is already stored "
            f"with different content ({chunk.size} bytes, sha256 {chunk.blob_key[:12]}...; "
            f"this one is {size} bytes, sha256 {digest[:12]}...); a chunk cannot change: "
            "start a retake with the next take number"
        )
    return StoredChunk(take, chunk.seq, chunk.size, chunk.blob_key)


def store_chunk(
    s: Session,
    blobs: BlobStore,
    sess: InterviewSession,
    question_id: str,
    take: int,
    seq: int,
    data: bytes,
    now: datetime,
) -> tuple[StoredChunk, bool]:
    """Store one chunk durably (blob fsynced, row flushed: the caller commits before it
    acknowledges). Returns the chunk and whether it is new; the same bytes again are a no-op,
    different bytes under a stored number are a Conflict."""
    if not 0 <= seq < MAX_CHUNKS:
        raise InvalidInput(f"chunk number {seq} is out of range; use 0 to {MAX_CHUNKS - 1}")
    if not 1 <= take <= MAX_TAKES:
        raise InvalidInput(f"take {take} is out of range; use 1 to {MAX_TAKES}")
    if not data:
        raise InvalidInput(f"chunk {seq} is empty (0 bytes); send the recorder's blob")
    if len(data) > MAX_CHUNK_BYTES:
        raise PayloadTooLarge(f"chunk {seq} is {len(data)} bytes; the limit is {MAX_CHUNK_BYTES}")
    recordable_question(s, sess, question_id, now)
    digest = sha256_hex(data)
    all_takes = takes(s, sess.id, question_id)
    rec = next((r for r in all_takes if r.take == take), None)
    existing = _existing(s, rec, seq)
    if existing is not None:
        return _same_or_conflict(existing, digest, len(data), question_id, take), False
    if rec is None:
        latest = all_takes[-1].take if all_takes else 0
        if take != latest + 1:
            raise Conflict(
                f"take {take} of question {question_id!r} cannot start: the next take is "
                f"{latest + 1}"
            )
    elif rec.status == "finished":
        raise Conflict(
            f"take {take} of question {question_id!r} is finished; record a retake as take "
            f"{take + 1}"
        )
    if seq == 0:
        sniff_media(data)  # the first blob carries the container header; later ones do not
    stored = sum(c.size for c in chunks_of(s, rec.id)) if rec is not None else 0
    if stored + len(data) > MAX_RECORDING_BYTES:
        raise PayloadTooLarge(
            f"take {take} of question {question_id!r} would be {stored + len(data)} bytes; "
            f"a recording may be at most {MAX_RECORDING_BYTES}"
        )
    key = blobs.put(data)  # fsynced before it returns
    assert key == digest
    try:
        if rec is None:
            rec = Recording(session_id=sess.id, question_id=question_id, take=take, created_at=now)
            s.add(rec)
            s.flush()
        s.add(
            RecordingChunk(
                recording_id=rec.id, seq=seq, blob_key=key, size=len(data), created_at=now
            )
        )
        s.flush()
    except IntegrityError:
        # The same chunk (or take) arrived twice at once: the first one stored decides.
        s.rollback()
        rec = find_take(s, sess.id, question_id, take)
        existing = _existing(s, rec, seq)
        if existing is None:
            raise
        return _same_or_conflict(existing, digest, len(data), question_id, take), False
    return StoredChunk(take, seq, len(data), key), True


def join_chunks(blobs: BlobStore, chunks: list[RecordingChunk]) -> bytes:
    """The chunks' bytes in order, each checked against its stored sha256."""
    out = bytearray()
    for c in chunks:
        with blobs.open(c.blob_key) as f:
            data = f.read()
        if sha256_hex(data) != c.blob_key:
            raise Conflict(f"stored chunk {c.seq} is damaged (sha256 mismatch); record again")
        out += data
    return bytes(out)


def remux(data: bytes, container: str) -> bytes:
    """Rewrite joined recorder chunks into a container with a duration and an index (PyAV's
    `ffmpeg -i in -c copy out`); the packets are copied, not re-encoded. A packet whose
    decoding time steps back (browsers write some) is moved forward as ffmpeg does, and a
    recording cut off mid-packet (the page closed while recording) keeps what came before."""
    fmt = REMUX_FORMATS.get(container)
    if fmt is None:
        return data
    out = io.BytesIO()
    muxed = 0
    try:
        with av.open(io.BytesIO(data), mode="r") as src:
            streams = [st for st in src.streams if st.type in ("audio", "video")]
            if not streams:
                raise InvalidInput("the recording has neither sound nor picture; record again")
            with av.open(out, mode="w", format=fmt) as dst:
                mapped = {st.index: dst.add_stream_from_template(st) for st in streams}
                last: dict[int, int] = {}
                packets = src.demux(streams)
                while True:
                    try:
                        packet = next(packets)
                    except StopIteration:
                        break
                    except (av.FFmpegError, EOFError, OSError) as exc:
                        if not muxed:
                            raise
                        log.warning("recording ends early after %d packets: %s", muxed, exc)
                        break
                    if packet.dts is None or packet.size == 0:
                        continue  # the demuxer's end-of-stream marker
                    index = packet.stream.index
                    prev = last.get(index)
                    if prev is not None and packet.dts <= prev:
                        packet.dts = prev + 1
                        if packet.pts is not None and packet.pts < packet.dts:
                            packet.pts = packet.dts
                    last[index] = packet.dts
                    packet.stream = mapped[index]
                    dst.mux(packet)
                    muxed += 1
    except (av.FFmpegError, EOFError, OSError) as exc:
        raise InvalidInput(
            f"the joined recording could not be read ({exc}); record the answer again"
        ) from exc
    if not muxed:
        raise InvalidInput("the recording holds no sound or picture; record the answer again")
    return out.getvalue()


def assemble(
    blobs: BlobStore, chunks: list[RecordingChunk], count: int
) -> tuple[bytes, str, bytes]:
    """Join chunks 0..count-1 and remux them; (remuxed bytes, container, the joined bytes as
    uploaded: what the live transcriber was fed). Conflict names the chunks that are missing
    (or beyond `count`)."""
    stored = {c.seq for c in chunks}
    missing = missing_seqs(stored, count)
    if missing:
        raise Conflict(
            f"chunks {describe_seqs(missing)} are missing (expected {count} chunks, "
            f"0 to {count - 1}); upload them, then finish again"
        )
    extra = sorted(n for n in stored if n >= count)
    if extra:
        raise Conflict(
            f"chunks {describe_seqs(extra)} are beyond the {count} chunks announced; "
            "finish with the right count"
        )
    joined = join_chunks(blobs, sorted(chunks, key=lambda c: c.seq))
    container = sniff_media(joined)
    return remux(joined, container), container, joined


def claim_finish(s: Session, rec: Recording, count: int, now: datetime) -> bool:
    """Mark the take finished unless another request already did (atomic on SQLite and
    PostgreSQL alike); True when this request won and must store the answer."""
    result = s.execute(
        update(Recording)
        .where(Recording.id == rec.id, Recording.status == "open")
        .values(status="finished", chunk_count=count, finished_at=now)
        .execution_options(synchronize_session=False)
    )
    won = bool(getattr(result, "rowcount", 0) == 1)
    s.refresh(rec)
    return won


def release_chunk_blobs(s: Session, blobs: FileBlobStore, rec: Recording) -> int:
    """Delete a finished take's chunk blobs (the joined answer holds the bytes now); rows stay
    so a late resend is still recognised. Call it after the commit. A key another open take
    uses is kept, and so is one whose chunk is being stored at this moment: the same bytes
    sent for another take, put but not yet committed (see interview.storage.blob_holds).
    The number deleted."""
    keys = sorted({c.blob_key for c in chunks_of(s, rec.id)})
    s.connection()  # a pooled connection now: none is waited for while a key is locked
    return sum(delete_unless_needed(blobs, key, partial(_in_open_take, s, key)) for key in keys)


def _in_open_take(s: Session, key: str) -> bool:
    """Whether a committed chunk of an open take refers to `key` (a statement of its own:
    it sees what was committed up to now)."""
    found = s.scalar(
        select(RecordingChunk.id)
        .join(Recording, Recording.id == RecordingChunk.recording_id)
        .where(Recording.status == "open", RecordingChunk.blob_key == key)
        .limit(1)
    )
    return found is not None
