"""Running a batch: which candidates need work, on which engine, and what is written.

The driver (this module, in the CLI's process) reads the inputs, skips candidates whose
report already carries the same resume key, and hands the rest to an engine in two stages:
perceive (recordings -> transcripts, cached on disk by file hash) and score (with every
other candidate of the same role as near-duplicate peers, so the result does not depend on
the order or the number of workers). Only the driver writes files.

The engines (this process, worker processes, Ray actors) are in batch/engines.py.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import interview
from interview.batch.engines import EngineName, make_engine
from interview.batch.input import (
    Candidate,
    InputError,
    RoleSpec,
    read_inputs,
    report_name,
    resolve_role,
    resume_key,
    resume_parts,
)
from interview.batch.output import (
    REPORTS,
    Row,
    StoredAnswer,
    atomic_write,
    load_report,
    report_document,
    write_report,
    write_summary,
)
from interview.batch.score import Task
from interview.config import Settings
from interview.errors import InvalidInput
from interview.integrity.recording import ASR_MODEL, PerceivedAnswer
from interview.integrity.similarity import PeerAnswer

log = logging.getLogger(__name__)
MAX_PEERS = 2000  # other candidates' answers compared for near-duplicates (as the server)
CACHE = ".cache/perceived"


class Reporter(Protocol):
    """Progress for a person: a stage with its total, then one line per finished item."""

    def stage(self, name: str, total: int) -> None: ...

    def advance(self, name: str, line: str) -> None: ...

    def note(self, line: str) -> None: ...


class SilentReporter:
    def stage(self, name: str, total: int) -> None:
        pass

    def advance(self, name: str, line: str) -> None:
        log.info(line)

    def note(self, line: str) -> None:
        log.info(line)


class RichReporter:
    """A progress bar per stage on stderr (counts, elapsed, ETA), log lines above it."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self._progress = Progress(
            TextColumn("{task.description:>8}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=Console(stderr=True),
        )
        self._tasks: dict[str, Any] = {}

    def __enter__(self) -> RichReporter:
        self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._progress.stop()

    def stage(self, name: str, total: int) -> None:
        self._tasks[name] = self._progress.add_task(name, total=total)

    def advance(self, name: str, line: str) -> None:
        self.note(line)
        self._progress.advance(self._tasks[name])

    def note(self, line: str) -> None:
        self._progress.console.print(line, markup=False, highlight=False)


# -- the driver --------------------------------------------------------------------------------


@dataclass
class _Pending:
    index: int
    candidate: Candidate
    role: RoleSpec
    parts: dict[str, Any]
    key: str
    perceived: dict[int, PerceivedAnswer] = field(default_factory=dict)


@dataclass(frozen=True)
class BatchResult:
    rows: list[Row]
    seconds: float  # wall time of the run
    media_seconds: float  # recorded media scored in this run (skipped candidates not counted)

    @property
    def failed(self) -> int:
        return sum(r.status == "failed" for r in self.rows)


def _cache_path(out: Path, candidate: Candidate, n: int) -> Path:
    answer = candidate.answers[n - 1]
    key = [
        answer.sha256,
        candidate.language,
        candidate.photo_sha256,
        ASR_MODEL,
        interview.__version__,
    ]
    name = hashlib.sha256(json.dumps(key).encode()).hexdigest()[:40]
    return out / CACHE / f"{name}.json"


def _cached(out: Path | None, candidate: Candidate) -> dict[int, PerceivedAnswer] | None:
    """Every recording's stored perception, or None when one is missing."""
    if out is None:
        return None
    found = {}
    for n, a in enumerate(candidate.answers, start=1):
        if a.media is None:
            continue
        try:
            path = _cache_path(out, candidate, n)
            found[n] = PerceivedAnswer.model_validate_json(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
    return found


def _store_perceived(
    out: Path | None, candidate: Candidate, perceived: dict[int, PerceivedAnswer]
) -> None:
    if out is None:
        return
    for n, p in perceived.items():
        atomic_write(_cache_path(out, candidate, n), p.model_dump_json())


def answers_as_scored(
    candidate: Candidate, perceived: dict[int, PerceivedAnswer]
) -> tuple[StoredAnswer, ...]:
    out = []
    for n, a in enumerate(candidate.answers, start=1):
        if n in perceived:
            out.append(StoredAnswer(n, a.question, perceived[n].transcript.text, a.file, True))
        else:
            out.append(StoredAnswer(n, a.question, a.text or "", a.file, False))
    return tuple(out)


def peers_for(
    candidate_id: str, group: Sequence[tuple[str, Sequence[StoredAnswer]]]
) -> tuple[PeerAnswer, ...]:
    """Other candidates' answers in the same role and language, at most MAX_PEERS."""
    peers = [
        PeerAnswer(other, f"q{a.n}", a.text)
        for other, answers in group
        if other != candidate_id
        for a in answers
        if a.text.strip()
    ]
    return tuple(peers[:MAX_PEERS])


def _media_seconds(perceived: dict[int, PerceivedAnswer]) -> float:
    return sum(p.transcript.duration_s for p in perceived.values())


def run_batch(
    path: Path,
    settings: Settings,
    out: Path | None = None,
    *,
    jobs: int = 1,
    engine: EngineName = "local",
    address: str | None = None,
    reporter: Reporter | None = None,
) -> BatchResult:
    """Score every candidate under `path`; reports and the summary go to `out` when given.
    InvalidInput only when nothing can be read at all; a bad candidate is a failed row."""
    start = time.perf_counter()
    say = reporter or SilentReporter()
    inputs = read_inputs(path, skip=[out] if out else [])
    rows: dict[int, Row] = {}
    pending: list[_Pending] = []
    scored_texts: dict[str, tuple[str, Sequence[StoredAnswer]]] = {}  # id -> (group, answers)
    for i, item in enumerate(inputs):
        if isinstance(item, InputError):
            rows[i] = Row(item.source, "failed", item.candidate_id, error=item.message)
            say.note(f"failed {item.candidate_id or item.source}: {item.message}")
            continue
        try:
            role = resolve_role(item.role)
        except InvalidInput as exc:
            rows[i] = Row(
                item.source,
                "failed",
                item.candidate_id,
                item.role,
                error=f"{item.source}: role: {exc}",
            )
            say.note(f"failed {item.candidate_id}: {rows[i].error}")
            continue
        parts = resume_parts(item, role, settings)
        key = resume_key(parts)
        name = report_name(item.candidate_id)
        stored = load_report(out / REPORTS / name) if out else None
        if stored is not None and stored.key == key:
            rows[i] = Row(
                item.source,
                "skipped",
                item.candidate_id,
                item.role,
                stored.report,
                file=f"{REPORTS}/{name}",
            )
            scored_texts[item.candidate_id] = (
                f"{role.fingerprint}:{item.language}",
                stored.answers,
            )
            say.note(
                f"skipped {item.candidate_id}: already scored with the same rubric, "
                "settings and models"
            )
            continue
        pending.append(_Pending(i, item, role, parts, key))

    by_id = {p.candidate.candidate_id: p for p in pending}
    to_perceive = []
    for p in pending:
        cached = _cached(out, p.candidate) if p.candidate.has_media else {}
        if cached is None:
            to_perceive.append(p)
        else:
            p.perceived = cached
    media_seconds = 0.0
    failed: set[str] = set()
    work = make_engine(settings, engine, min(jobs, len(pending)), address) if pending else None
    try:
        if work is not None and to_perceive:
            say.stage("perceive", len(to_perceive))
            tasks = [Task("perceive", p.candidate, datetime.now(UTC)) for p in to_perceive]
            for outcome in work.map(tasks):
                p = by_id[outcome.candidate_id]
                if outcome.error is not None or outcome.perceived is None:
                    failed.add(outcome.candidate_id)
                    rows[p.index] = _failed(p, outcome.error or "no result")
                    say.advance("perceive", f"failed {outcome.candidate_id}: {outcome.error}")
                    continue
                p.perceived = outcome.perceived
                _store_perceived(out, p.candidate, outcome.perceived)
                seconds = _media_seconds(outcome.perceived)
                media_seconds += seconds
                say.advance(
                    "perceive",
                    f"perceived {outcome.candidate_id}: {seconds:.0f} s of media "
                    f"in {outcome.seconds:.0f} s",
                )
        ready = [p for p in pending if p.candidate.candidate_id not in failed]
        groups: dict[str, list[tuple[str, Sequence[StoredAnswer]]]] = {}
        for cid, (group, answers) in scored_texts.items():
            groups.setdefault(group, []).append((cid, answers))
        answers_of = {}
        for p in ready:
            answers_of[p.candidate.candidate_id] = answers_as_scored(p.candidate, p.perceived)
            groups.setdefault(_group(p), []).append(
                (p.candidate.candidate_id, answers_of[p.candidate.candidate_id])
            )
        if work is not None and ready:
            say.stage("score", len(ready))
            tasks = [
                Task(
                    "score",
                    p.candidate,
                    datetime.now(UTC),
                    role=p.role,
                    models=p.parts["models"],
                    perceived=p.perceived,
                    peers=peers_for(p.candidate.candidate_id, groups[_group(p)]),
                )
                for p in ready
            ]
            for outcome in work.map(tasks):
                p = by_id[outcome.candidate_id]
                if outcome.error is not None or outcome.report is None:
                    rows[p.index] = _failed(p, outcome.error or "no result")
                    say.advance("score", f"failed {outcome.candidate_id}: {outcome.error}")
                    continue
                report = outcome.report
                name = report_name(p.candidate.candidate_id)
                if out is not None:
                    document = report_document(
                        report,
                        p.key,
                        p.parts,
                        p.candidate.source,
                        answers_of[p.candidate.candidate_id],
                    )
                    write_report(out / REPORTS / name, document)
                rows[p.index] = Row(
                    p.candidate.source,
                    "scored",
                    p.candidate.candidate_id,
                    p.candidate.role,
                    report,
                    file=f"{REPORTS}/{name}" if out is not None else "",
                )
                say.advance(
                    "score",
                    f"scored {p.candidate.candidate_id}: {report.overall:.1f} ({report.band}), "
                    f"integrity {report.integrity}",
                )
    finally:
        if work is not None:
            work.close()
    ordered = [rows[i] for i in sorted(rows)]
    if out is not None:
        write_summary(out, ordered, f"Interview scores: {path.name}")
    return BatchResult(ordered, round(time.perf_counter() - start, 3), round(media_seconds, 3))


def _group(p: _Pending) -> str:
    return f"{p.role.fingerprint}:{p.candidate.language}"


def _failed(p: _Pending, error: str) -> Row:
    return Row(
        p.candidate.source, "failed", p.candidate.candidate_id, p.candidate.role, error=error
    )
