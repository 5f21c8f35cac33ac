"""create_app(settings): the FastAPI application, its routers and its job worker."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles

import interview
from interview.api import errors
from interview.api.deps import AppContext
from interview.api.limits import BodyLimit, CleanUrl
from interview.api.redact import install_log_redaction
from interview.api.routes import (
    auth,
    candidate,
    health,
    insights,
    openai_compat,
    privacy,
    review,
    roles,
    self_report,
    sessions,
    tools,
    users,
)
from interview.api.security import SecurityHeaders
from interview.backend.registry import Backend
from interview.config import Settings
from interview.integrity.identity import Enrollment
from interview.integrity.recording import PerceivedAnswer, perceive
from interview.integrity.session import integrity_tools
from interview.perception.schemas import Transcript
from interview.pipeline import (
    EMBEDDER,
    AnswerScorer,
    perceive_job_handler,
    score_job_handler,
)
from interview.privacy.retention import RetentionTimer
from interview.storage import jobs
from interview.storage.blobs import FileBlobStore
from interview.storage.db import Database
from interview.storage.secret_key import signing_key
from interview.worker import Worker

log = logging.getLogger(__name__)
API_PREFIX = "/api/v1"
WEB_DIR = Path(__file__).resolve().parents[2] / "web"


def create_app(settings: Settings, backend: Backend | None = None) -> FastAPI:
    """Build the app; the job worker starts with the app and stops with it."""
    # From here on settings.secret_key is the key in use (storage/secret_key.py).
    settings = settings.model_copy(
        update={"secret_key": signing_key(settings.secret_key, settings.data_dir)}
    )
    db = Database(settings.resolved_database_url)
    ctx = AppContext(
        settings=settings,
        db=db,
        backend=backend or Backend(settings.device_policy),
        blobs=FileBlobStore(settings.blob_dir),
    )

    install_log_redaction()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        install_log_redaction()  # again: the server may have configured logging since
        if settings.job_workers:
            ctx.scorer = AnswerScorer(ctx.backend.embedder(EMBEDDER))

            def perceiver(
                data: bytes,
                language: str,
                video: bool,
                enrollment: Enrollment | None,
                heard: Transcript | None,
            ) -> PerceivedAnswer:
                return perceive(
                    ctx.backend,
                    data,
                    language,
                    with_video=video,
                    enrollment=enrollment,
                    heard=heard,
                )

            judge = None
            if settings.judge_model:
                generator = ctx.backend.generator(settings.judge_model)

                def ask(prompts: list[str]) -> list[str]:
                    return [g.text for g in generator.generate(prompts, max_new_tokens=60)]

                judge = (settings.judge_model, ask)
            handler = score_job_handler(
                db,
                ctx.scorer,
                settings,
                perceiver,
                ctx.blobs,
                judge,
                integrity_tools(ctx.backend, settings),
            )
            ctx.worker = Worker(
                db,
                {
                    jobs.SCORE_JOB: handler,
                    jobs.PERCEIVE_JOB: perceive_job_handler(db, perceiver, ctx.blobs),
                },
                threads=settings.job_workers,
                lease_s=settings.job_lease_seconds,
                poll_s=settings.job_poll_seconds,
                start_delay_s=settings.job_start_delay_seconds,
            )
            ctx.worker.start()
        retention = None
        if settings.retention_check_seconds:
            retention = RetentionTimer(db, ctx.blobs, settings.retention_check_seconds)
            retention.start()
        yield
        if retention is not None:
            retention.stop()
        if ctx.worker is not None:
            app.state.unfinished_jobs = ctx.worker.stop()
        if not getattr(app.state, "unfinished_jobs", None):
            db.dispose()  # a job thread still running keeps its connection

    app = FastAPI(
        title="interview",
        version=interview.__version__,
        lifespan=lifespan,
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url="/docs",
    )
    app.state.ctx = ctx
    errors.install(app)
    app.include_router(health.router)
    api = APIRouter(prefix=API_PREFIX)
    for module in (
        auth,
        roles,
        insights,
        sessions,
        review,
        users,
        candidate,
        self_report,
        privacy,
        tools,
    ):
        api.include_router(module.router)
    app.include_router(api)
    app.include_router(openai_compat.router)
    if WEB_DIR.is_dir():
        app.mount("/web", StaticFiles(directory=WEB_DIR, html=True), name="web")

        @app.get("/", include_in_schema=False)
        def index() -> RedirectResponse:
            return RedirectResponse("/web/")

    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(CleanUrl)
    app.add_middleware(SecurityHeaders)  # last added runs first: it sees every response
    return app
