"""The `interview` command. Data goes to stdout (JSON with --format json); logs to stderr."""

from __future__ import annotations

import json
import logging
import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from pydantic import ValidationError

from interview.config import Settings
from interview.errors import InterviewError, InvalidInput

app = typer.Typer(
    help="Open-source AI interviewer.", no_args_is_help=True, pretty_exceptions_enable=False
)
db_app = typer.Typer(help="Database migrations.", no_args_is_help=True)
models_app = typer.Typer(help="The model catalogue.", no_args_is_help=True)
roles_app = typer.Typer(help="Role templates and competency models.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(models_app, name="models")
integrity_app = typer.Typer(help="Integrity checks for a reviewer.", no_args_is_help=True)
app.add_typer(roles_app, name="roles")
app.add_typer(integrity_app, name="integrity")


class Format(StrEnum):
    text = "text"
    json = "json"


FormatOpt = Annotated[Format, typer.Option("--format", help="text for people, json for programs")]


def _settings() -> Settings:
    try:
        settings = Settings()
    except ValidationError as exc:
        typer.echo(f"error: bad INTERVIEW_ setting: {exc}", err=True)
        raise typer.Exit(2) from exc
    logging.basicConfig(
        level=settings.log_level,
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    return settings


def _emit(data: Any, fmt: Format, text: str) -> None:
    if fmt is Format.json:
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")
    else:
        typer.echo(text)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="default INTERVIEW_HOST")] = None,
    port: Annotated[int | None, typer.Option(help="default INTERVIEW_PORT")] = None,
) -> None:
    """Serve the web app and API."""
    import uvicorn

    from interview.api.app import create_app
    from interview.storage.secret_key import check_serving_key

    settings = _settings()
    bind = host or settings.host
    try:
        web = create_app(settings)
        check_serving_key(web.state.ctx.settings.secret_key, bind)
    except InterviewError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    proxies = settings.trusted_proxy_list
    uvicorn.run(
        web,
        host=bind,
        port=port or settings.port,
        log_level=settings.log_level.lower(),
        # Forwarded headers only from configured proxies; uvicorn would trust loopback.
        proxy_headers=bool(proxies),
        forwarded_allow_ips=proxies or None,
        ssl_certfile=settings.tls_certfile or None,
        ssl_keyfile=settings.tls_keyfile or None,
    )
    if getattr(web.state, "unfinished_jobs", None):
        # A job thread is inside a model's native code: letting the interpreter tear down
        # around it aborts the process. Its results are uncommitted, so nothing is lost:
        # the job runs again on the next start.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply migrations to the configured database."""
    from interview.storage.db import Database

    settings = _settings()
    db = Database(settings.resolved_database_url)
    db.upgrade()
    db.dispose()
    typer.echo("database is up to date", err=True)


@app.command()
def demo(
    fmt: FormatOpt = Format.text,
    export: Annotated[
        Path | None,
        typer.Option(help="write an example folder for 'interview score' here instead"),
    ] = None,
    samples: Annotated[
        Path | None,
        typer.Option(help="sample media for --export (default: the project's shared test data)"),
    ] = None,
) -> None:
    """Seed demo data; print the demo sign-in and a candidate invite link once. With
    --export DIR, write an example folder of recorded interviews instead (no database)."""
    if export is not None:
        from interview.batch.example import export_demo

        made = export_demo(export, samples)
        for note in made.notes:
            typer.echo(f"note: {note}", err=True)
        _emit(
            {"folder": str(made.folder), "candidates": made.candidates, "notes": made.notes},
            fmt,
            f"Example interviews in {made.folder}: {', '.join(made.candidates)}\n"
            f"Score them with: interview score {made.folder} --out {made.folder}-scores",
        )
        return
    from interview.backend.registry import Backend
    from interview.demo.seed import seed
    from interview.storage.db import Database

    settings = _settings()
    db = Database(settings.resolved_database_url)
    db.upgrade()
    db.dispose()
    login = seed(settings, Backend(settings.device_policy))
    base = f"http://{settings.host}:{settings.port}"
    data = {
        "hr_url": f"{base}/web/hr.html",
        "email": login.email,
        "password": login.password,
        "invite_link": f"{base}/web/interview.html#{login.invite_token}",
    }
    _emit(
        data,
        fmt,
        "\n".join(
            [
                "Demo data ready.",
                f"  HR dashboard:   {data['hr_url']}",
                f"  HR sign-in:     {login.email} / {login.password}   (demo only; shown once)",
                f"  Candidate link: {data['invite_link']}",
            ]
        ),
    )


@models_app.command("list")
def models_list(fmt: FormatOpt = Format.text) -> None:
    """Every catalogue entry and the device it would run on here."""
    from interview.backend.catalogue import load_catalogue
    from interview.backend.devices import place

    settings = _settings()
    rows = []
    for entry in load_catalogue().values():
        try:
            placement = place(entry.name, entry.devices, settings.device_policy)
            device, reason = placement.device, placement.reason
        except InterviewError as exc:
            device, reason = None, str(exc)
        rows.append({**entry.model_dump(mode="json"), "device": device, "placement": reason})
    _emit(
        rows,
        fmt,
        "\n".join(f"{r['name']:28} {r['task']:8} {r['engine']:10} {r['device']}" for r in rows),
    )


@models_app.command("pull")
def models_pull(
    names: Annotated[list[str] | None, typer.Argument(help="catalogue names; default all")] = None,
    fmt: FormatOpt = Format.text,
) -> None:
    """Prepare weights (join split files, convert formats) and verify their checksums."""
    import importlib

    from interview.backend.catalogue import load_catalogue
    from interview.backend.registry import ENGINES

    settings = _settings()
    entries = load_catalogue()
    unknown = [n for n in names or [] if n not in entries]
    if unknown:
        raise InterviewError(f"unknown models {unknown}; known: {sorted(entries)}")
    rows = []
    failed = False
    for name in names or sorted(entries):
        entry = entries[name]
        row: dict[str, Any] = {"name": name, "engine": entry.engine}
        if entry.engine == "remote":
            row["status"] = "remote (nothing to prepare)"
        else:
            try:
                module = importlib.import_module(ENGINES[entry.engine].split(":")[0])
                prepare = getattr(module, "prepare", None)
                row.update(prepare(entry, settings.model_cache_dir) if prepare else {})
                row["status"] = "ok"
            except (InterviewError, ImportError) as exc:
                row["status"], failed = f"error: {exc}", True
        rows.append(row)
    _emit(rows, fmt, "\n".join(f"{r['name']:28} {r['status']}" for r in rows))
    if failed:
        raise typer.Exit(1)


@roles_app.command("list")
def roles_list(fmt: FormatOpt = Format.text) -> None:
    """Role templates in the competency library."""
    from interview.competency.library import load_library

    lib = load_library()
    rows: list[dict[str, Any]] = [
        {
            "id": r.id,
            "title": r.title.model_dump(),
            "frontline": r.frontline,
            "competencies": r.weights,
        }
        for r in lib.roles
    ]
    _emit(
        rows, fmt, "\n".join(f"{r['id']:26} {r['title']['en']} / {r['title']['zh']}" for r in rows)
    )


def _model_and_plan(
    title: str, description: str, language: str, questions: int | None, items: int | None = None
) -> Any:
    from interview.backend.registry import Backend
    from interview.pipeline import EMBEDDER, setup_role

    settings = _settings()
    backend = Backend(settings.device_policy, cache_dir=settings.model_cache_dir)
    return setup_role(backend.embedder(EMBEDDER), title, description, language, questions, items)


@roles_app.command("create")
def roles_create(
    title: Annotated[str, typer.Argument(help="job title, zh or en")],
    description: Annotated[str, typer.Option(help="job description text")] = "",
    description_file: Annotated[
        Path | None, typer.Option(help="read the description from a file")
    ] = None,
    language: Annotated[str, typer.Option(help="en or zh")] = "en",
    fmt: FormatOpt = Format.text,
) -> None:
    """Build a competency model from a title or job description (printed, not stored)."""
    if description_file is not None:
        description = description_file.read_text(encoding="utf-8")
    model, _, similarity = _model_and_plan(title, description, language, None)
    data = {"model": model.model_dump(mode="json"), "template_similarity": round(similarity, 4)}
    _emit(
        data,
        fmt,
        "\n".join(
            [f"{model.role_title} (template: {model.template_id}, similarity {similarity:.3f})"]
            + [f"  workplaces: {', '.join(model.settings) or 'any'}"]
            + [f"  {i.weight:5.2f}  {i.competency.name.get(language)}" for i in model.items]
        ),
    )


@app.command()
def plan(
    role: Annotated[
        str, typer.Option("--role", help="a library role id, a job title, or a role YAML")
    ],
    language: Annotated[str, typer.Option(help="en or zh")] = "en",
    questions: Annotated[
        int | None,
        typer.Option(help="open questions (default: enough to cover the role's competencies)"),
    ] = None,
    items: Annotated[
        int | None, typer.Option(help="multiple-choice items (default by role)")
    ] = None,
    resume: Annotated[Path | None, typer.Option(help="a PDF, DOCX or text resume")] = None,
    fmt: FormatOpt = Format.text,
) -> None:
    """Print the question plan for a role, with resume questions when a resume is given."""
    from datetime import UTC, datetime

    from interview.batch.input import role_spec
    from interview.pipeline import resume_plan_questions

    title, description = role_spec(role)
    _, qplan, _ = _model_and_plan(title, description, language, questions, items)
    facts = None
    if resume is not None:
        if not resume.is_file():
            raise InterviewError(f"resume file {resume} does not exist")
        facts, extra = resume_plan_questions(
            resume.read_bytes(), language, datetime.now(UTC).date()
        )
        qplan = qplan.model_copy(update={"questions": qplan.questions + extra})
    data: dict[str, Any] = qplan.model_dump(mode="json")
    if facts is not None:
        data["resume"] = facts.model_dump(mode="json")
    lines = [f"{q.id:32} [{q.kind}] {q.text}" for q in qplan.questions]
    lines.append(f"workplaces: {', '.join(qplan.settings) or 'any'}")
    lines.append(
        f"not asked: {', '.join(qplan.uncovered)} (covers {qplan.coverage:.0%} of the weight)"
        if qplan.uncovered
        else "every weighted competency is asked about"
    )
    _emit(data, fmt, "\n".join(lines))


@app.command()
def followup(
    competency: Annotated[str, typer.Option(help="competency id from the library")],
    question: Annotated[str, typer.Option(help="the question that was asked")],
    answer: Annotated[str, typer.Option(help="the candidate's answer so far")],
    language: Annotated[str, typer.Option(help="en or zh")] = "en",
    asked: Annotated[int, typer.Option(help="follow-ups already asked for this question")] = 0,
    kind: Annotated[
        str,
        typer.Option(
            help="behavioural (a past occasion), situational (what would you do) or resume"
        ),
    ] = "behavioural",
    fmt: FormatOpt = Format.text,
) -> None:
    """Judge an answer (STAR, specificity, relevance) and print the probe to ask, if any."""
    from interview.backend.registry import Backend
    from interview.competency.library import load_library
    from interview.pipeline import EMBEDDER, followup_for

    settings = _settings()
    try:
        comp = load_library().competency(competency)
    except KeyError:
        raise InterviewError(f"competency {competency!r} is not in the library") from None
    embedder = Backend(settings.device_policy, cache_dir=settings.model_cache_dir).embedder(
        EMBEDDER
    )
    decision = followup_for(embedder, comp, question, answer, language, asked, kind=kind)
    _emit(
        decision.model_dump(mode="json"),
        fmt,
        decision.probe
        or f"no follow-up needed (missing: {', '.join(decision.missing) or 'nothing'})",
    )


class Engine(StrEnum):
    local = "local"
    ray = "ray"


@app.command()
def score(
    path: Annotated[
        Path, typer.Argument(help="a folder of recorded interviews, or a JSONL of text ones")
    ],
    out: Annotated[
        Path | None,
        typer.Option(help="write a report JSON per candidate, summary.csv and index.html here"),
    ] = None,
    jobs: Annotated[
        int, typer.Option(min=1, help="worker processes (Ray: actors), models loaded once each")
    ] = 1,
    engine: Annotated[Engine, typer.Option(help="local processes, or Ray actors")] = Engine.local,
    address: Annotated[
        str | None, typer.Option(help="Ray cluster address (default: start a local Ray)")
    ] = None,
    text_checks: Annotated[
        bool | None,
        typer.Option(
            "--text-checks/--no-text-checks",
            help="machine-written-text check (default: INTERVIEW_INTEGRITY_TEXT_CHECKS)",
        ),
    ] = None,
    reference_answers: Annotated[
        bool | None,
        typer.Option(
            "--reference-answers/--no-reference-answers",
            help="compare answers with LM-written ones "
            "(default: INTERVIEW_INTEGRITY_REFERENCE_ANSWERS)",
        ),
    ] = None,
    fmt: FormatOpt = Format.text,
) -> None:
    """Score interviews: one report per candidate (the dashboard's report, integrity flags
    included). A re-run with the same --out skips candidates already scored with the same
    rubric, settings, models and files.

    Exit code 0 when every candidate scored, 1 when some failed (each failure is in the
    summary), 2 on bad usage."""
    from interview.batch.run import RichReporter, run_batch

    def usage(message: str) -> NoReturn:
        typer.echo(f"error: {message}", err=True)
        raise typer.Exit(2)

    if not path.exists():
        usage(f"{path} does not exist: give a folder of interviews or a JSONL file")
    if out is not None and out.exists() and not out.is_dir():
        usage(f"--out {out} is a file; name a folder")
    if address is not None and engine is not Engine.ray:
        usage("--address is for --engine ray")
    settings = _settings()
    switches = {
        "integrity_text_checks": text_checks,
        "integrity_reference_answers": reference_answers,
    }
    settings = settings.model_copy(update={k: v for k, v in switches.items() if v is not None})
    try:
        with RichReporter() as reporter:
            result = run_batch(
                path,
                settings,
                out,
                jobs=jobs,
                engine=engine.value,  # type: ignore[arg-type]
                address=address,
                reporter=reporter,
            )
    except InvalidInput as exc:
        usage(str(exc))
    rows = result.rows
    if fmt is Format.json:
        data = [
            {"candidate_id": r.candidate_id, "status": r.status, **r.report.model_dump(mode="json")}
            if r.report is not None
            else {
                "candidate_id": r.candidate_id,
                "source": r.source,
                "status": r.status,
                "error": r.error,
            }
            for r in rows
        ]
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    else:
        for r in rows:
            if r.report is not None:
                rep = r.report
                typer.echo(
                    f"{r.candidate_id:24} {rep.overall:6.1f}  {rep.band:12} "
                    f"integrity {rep.integrity:12} {r.status}"
                )
            else:
                typer.echo(f"{r.candidate_id or r.source:24} FAILED  {r.error}")
    counts = {s: sum(r.status == s for r in rows) for s in ("scored", "skipped", "failed")}
    where = f"; reports in {out}" if out is not None else ""
    typer.echo(
        f"{counts['scored']} scored, {counts['skipped']} skipped (unchanged), "
        f"{counts['failed']} failed in {result.seconds:.0f} s{where}",
        err=True,
    )
    if result.failed:
        raise typer.Exit(1)


@integrity_app.command("ai-text")
def integrity_ai_text(
    path: Annotated[Path, typer.Argument(help='JSONL: {"id", "text", "language"?} per line')],
    fmt: FormatOpt = Format.text,
) -> None:
    """Machine-written text check: one line out per line in, {"id", "score", "flag"}.

    score is null when the text was not judged (too short, an uncalibrated language);
    "reason" says why. A flag asks a reviewer to read the text; it is not a verdict."""
    from interview.backend.registry import Backend
    from interview.integrity.ai_text import flag_for, judge_text, load_calibration

    if not path.is_file():
        typer.echo(f"error: {path} is not a file", err=True)
        raise typer.Exit(2)
    settings = _settings()
    calibration = load_calibration()
    lm = Backend(settings.device_policy, cache_dir=settings.model_cache_dir).generator(
        calibration.model
    )
    failed = 0
    for n, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not raw.strip():
            continue
        try:
            line = json.loads(raw)
            if not isinstance(line, dict) or not isinstance(line.get("text"), str):
                raise ValueError('need an object with a string "text"')
        except ValueError as exc:
            failed += 1
            typer.echo(f"error: line {n}: {exc}", err=True)
            continue
        text, language = line["text"], str(line.get("language", "en"))
        scores = lm.score if calibration.statistic == "fast_detect_gpt" else lm.pair_scores
        result = judge_text(text, language, scores([text])[0], calibration)
        flag = flag_for(result, None)
        out = {
            "id": line.get("id", n),
            "score": result.score,
            "flag": flag is not None,
            "threshold": result.threshold,
            "band": result.band,
            "statistic": result.statistic or None,
            "binoculars": result.binoculars,
            "tokens": result.tokens,
            "reason": result.reason,
        }
        if fmt is Format.json:
            sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
        else:
            shown = "not judged" if result.score is None else f"{result.score:.3f}"
            typer.echo(f"{out['id']}\t{shown}\t{'FLAG' if flag else ''}\t{result.reason}")
    if failed:
        raise typer.Exit(1)


@integrity_app.command("check")
def integrity_check(
    media: Annotated[Path, typer.Argument(help="one recorded answer: video or audio")],
    reference: Annotated[
        Path | None, typer.Option("--reference", help="an enrollment photo of the candidate")
    ] = None,
    language: Annotated[str, typer.Option(help="the answer's language: en or zh")] = "en",
    fmt: FormatOpt = Format.text,
) -> None:
    """Integrity flags for one recorded answer: identity (with --reference), other people,
    no face, still image, looking away, reading sweeps, reading aloud."""
    from interview.backend.registry import Backend
    from interview.integrity.media import check_recording

    for p in (media, reference):
        if p is not None and not p.is_file():
            typer.echo(f"error: {p} is not a file", err=True)
            raise typer.Exit(2)
    settings = _settings()
    backend = Backend(settings.device_policy, cache_dir=settings.model_cache_dir)
    result = check_recording(
        backend, media.read_bytes(), language, reference.read_bytes() if reference else None
    )
    data = result.model_dump(mode="json")
    lines = [f"{f.severity:6} {f.kind:18} {f.note}" for f in result.flags] or ["no flags"]
    _emit(data, fmt, "\n".join(lines))


def main() -> None:
    """Entry point: domain errors become one clear line and exit code 1 (2 for bad usage)."""
    try:
        app()
    except InterviewError as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
