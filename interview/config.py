"""Settings: the only reader of the environment (prefix INTERVIEW_)."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

METRICS_TOKEN_MIN = 32  # characters of INTERVIEW_METRICS_TOKEN; shorter ones can be guessed


def is_loopback_address(host: str) -> bool:
    """Whether `host` is an address of this machine: 127.0.0.0/8, ::1, or 127.x mapped into
    IPv6 (a dual-stack socket's ::ffff:127.0.0.1). A name is not an address: False."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_loopback


def _listed(value: str) -> list[str]:
    """The non-empty items of a comma-separated setting."""
    return [part.strip() for part in value.split(",") if part.strip()]


class Settings(BaseSettings):
    """Run-time settings, read once in the CLI or create_app() and passed down."""

    model_config = SettingsConfigDict(env_prefix="INTERVIEW_", frozen=True, extra="ignore")

    # Where blobs, the SQLite database and prepared model folders live.
    data_dir: Path = Path("var")
    # SQLAlchemy URL; empty means a SQLite file inside data_dir.
    database_url: str = ""
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    # "auto" picks the best present device per model, "strict" refuses a silent
    # fall-back to CPU, or a comma-separated list such as "cuda:0,cpu" pins devices.
    device_policy: str = "auto"
    # Signs HR sign-in tokens and media links. Empty: a random key is made on first start and
    # kept in <data_dir>/secret_key (mode 0600). Serving on a non-loopback host needs 32+
    # bytes; servers sharing a database but not a data directory must share this value.
    secret_key: str = ""
    # Proxies whose X-Forwarded-For / X-Forwarded-Proto headers are believed (comma-separated
    # addresses or networks, e.g. "10.0.0.5,10.1.0.0/16"). Empty: none, from anywhere, not
    # even loopback: otherwise anyone can rotate the header past the sign-in limit and write
    # a false address into the audit log.
    trusted_proxies: str = ""
    # Serve HTTPS directly (PEM files); HSTS is sent on HTTPS requests (TLS here, or
    # X-Forwarded-Proto: https from a trusted proxy).
    tls_certfile: str = ""
    tls_keyfile: str = ""
    # Largest accepted request body in bytes (uploads included).
    max_body_bytes: int = Field(default=64 * 1024 * 1024, ge=1024)
    # Longest accepted text answer in characters.
    max_answer_chars: int = Field(default=20_000, ge=100)
    # Background job workers inside the server process (0 disables the worker).
    job_workers: int = Field(default=1, ge=0, le=32)
    # Perceive each recorded answer as a job when it is stored (transcript reused from the
    # live transcriber), so the report is ready soon after the last answer; off: scoring
    # perceives every recording after the interview ends.
    perceive_on_store: bool = True
    # Seconds a claimed job stays leased; the worker renews it while running.
    job_lease_seconds: float = Field(default=30.0, gt=0)
    # Seconds between polls of the job table when it is empty.
    job_poll_seconds: float = Field(default=0.5, gt=0)
    # Fault injection for tests: seconds a worker pauses after claiming a job.
    job_start_delay_seconds: float = Field(default=0.0, ge=0)
    # Bearer key for the OpenAI-compatible model endpoints under /v1 (serving this node's
    # models to other nodes); empty switches those endpoints off.
    node_api_key: str = ""
    # Bearer key this node sends to remote engines (vLLM, SGLang, another node), if any.
    remote_api_key: str = ""
    # Loaded models may use at most this much memory (catalogue estimates, MB); least
    # recently used idle models are unloaded to make room. 0: no limit.
    models_memory_cap_mb: int = Field(default=0, ge=0)
    # Seconds a model request may wait in its queue before it is dropped.
    request_timeout_s: float = Field(default=120.0, gt=0)
    # Threads per model for requests waiting for it (a follow-up decision, a transcript),
    # apart from the thread pool that runs every other endpoint: cheap requests never queue
    # behind a model. Beyond this many, a request waits for a thread without holding one.
    inference_threads: int = Field(default=8, ge=1, le=256)
    # Seconds a candidate's stored answer waits for each step of its follow-up decision (the
    # recording's transcript, then the embedder), waiting in line included; past it the answer
    # is acknowledged without a follow-up (under load: bench/load.py's finishes waited 70 s).
    followup_wait_s: float = Field(default=8.0, gt=0)
    # Catalogue name of a generator that rewords library questions for each role (e.g.
    # "smollm2-135m-instruct", or a remote entry); empty keeps the library wording.
    question_generator: str = ""
    # Catalogue name of an LLM judge (a capable generator, usually a remote engine) whose
    # level for each answer is recorded beside the anchored score; empty: no judge.
    judge_model: str = ""
    # Seconds between retention runs (recordings past each organization's retention_days,
    # orphaned blobs); 0 switches the timer off.
    retention_check_seconds: float = Field(default=3600.0, ge=0)
    # Integrity: the machine-written-text check on typed answers long enough to judge (the
    # calibrated Qwen pair, interview.integrity.ai_text).
    integrity_text_checks: bool = True
    # Comparing answers with one a small base model (gemma3-270m) writes for each question.
    # Off by default: it writes 120 tokens a new question after the interview ends, and a
    # 270M base model's answers rarely resemble a capable assistant's; switch it on where a
    # GPU serves it.
    integrity_reference_answers: bool = False
    # Invitation e-mails through an SMTP server; an empty host sends none (HR copies the
    # links by hand). security: "starttls" (usually port 587), "ssl" (465) or "none" (a
    # local relay). The password is only ever sent to the server, never logged.
    smtp_host: str = ""
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_from: str = ""
    smtp_security: Literal["starttls", "ssl", "none"] = "starttls"
    smtp_timeout_s: float = Field(default=10.0, gt=0)
    # Who may read /metrics (model names, request counts, queue depths): "off" (404),
    # "loopback" (only clients on 127.0.0.0/8 or ::1 that did not come through a proxy), or
    # "token" (clients sending 'Authorization: Bearer <metrics_token>', 32+ characters).
    metrics_access: Literal["off", "loopback", "token"] = "loopback"
    metrics_token: str = ""
    # Models that must be loadable before /ready answers 200 (catalogue names).
    ready_models: tuple[str, ...] = ("e5-small-multilingual-torch",)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    @field_validator("device_policy")
    @classmethod
    def _check_policy(cls, value: str) -> str:
        if value in ("auto", "strict"):
            return value
        devices = [d.strip() for d in value.split(",") if d.strip()]
        kinds = ("cpu", "cuda", "rocm", "mps", "xpu", "npu")
        bad = [d for d in devices if d.split(":")[0] not in kinds]
        if not devices or bad:
            raise ValueError(
                f"INTERVIEW_DEVICE_POLICY={value!r}: use 'auto', 'strict' or a list of "
                f"devices such as 'cuda:0,cpu' (kinds: {', '.join(kinds)})"
            )
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _check_proxies(cls, value: str) -> str:
        for part in _listed(value):
            try:
                ipaddress.ip_network(part, strict=False)
            except ValueError as exc:
                raise ValueError(
                    f"INTERVIEW_TRUSTED_PROXIES: {part!r} is not an address or network; use a "
                    "comma-separated list such as '10.0.0.5,10.1.0.0/16' (or leave it empty)"
                ) from exc
        return value

    @model_validator(mode="after")
    def _check_tls(self) -> Settings:
        if bool(self.tls_certfile) != bool(self.tls_keyfile):
            raise ValueError(
                "INTERVIEW_TLS_CERTFILE and INTERVIEW_TLS_KEYFILE go together: set both "
                "(PEM files) to serve HTTPS, or neither"
            )
        return self

    @model_validator(mode="after")
    def _check_metrics_access(self) -> Settings:
        if self.metrics_access == "token" and len(self.metrics_token) < METRICS_TOKEN_MIN:
            raise ValueError(
                "INTERVIEW_METRICS_ACCESS=token needs INTERVIEW_METRICS_TOKEN of at least "
                f"{METRICS_TOKEN_MIN} characters (it has {len(self.metrics_token)}); e.g. "
                "python -c 'import secrets; print(secrets.token_urlsafe(32))'"
            )
        if self.metrics_access != "token" and self.metrics_token:
            raise ValueError(
                f"INTERVIEW_METRICS_TOKEN is set but INTERVIEW_METRICS_ACCESS="
                f"{self.metrics_access!r} ignores it: set INTERVIEW_METRICS_ACCESS=token, "
                "or unset the token"
            )
        return self

    @property
    def trusted_proxy_list(self) -> list[str]:
        """INTERVIEW_TRUSTED_PROXIES as a list (empty: no proxy is believed)."""
        return _listed(self.trusted_proxies)

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'interview.db').resolve()}"

    @property
    def blob_dir(self) -> Path:
        return self.data_dir / "blobs"

    @property
    def model_cache_dir(self) -> Path:
        return self.data_dir / "models"

    @property
    def reference_cache_dir(self) -> Path:
        return self.data_dir / "cache" / "references"
