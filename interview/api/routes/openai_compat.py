"""OpenAI-compatible model endpoints, so one node can serve its models to others.

Off unless INTERVIEW_NODE_API_KEY is set; every call needs that key as a Bearer token.
"""

from __future__ import annotations

import hmac
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Form, Header, UploadFile
from pydantic import BaseModel, ConfigDict, Field

from interview.api.deps import Ctx
from interview.backend.catalogue import load_catalogue
from interview.errors import InvalidInput, NotFound, Unauthorized

MAX_AUDIO_BYTES = 50 * 1024 * 1024


def node_key(ctx: Ctx, authorization: Annotated[str | None, Header()] = None) -> None:
    key = ctx.settings.node_api_key
    if not key:
        raise NotFound(
            "model serving is off on this node; set INTERVIEW_NODE_API_KEY to share its models"
        )
    given = (authorization or "").removeprefix("Bearer ").strip()
    if not hmac.compare_digest(given.encode(), key.encode()):
        raise Unauthorized("model endpoints need 'Authorization: Bearer <node api key>'")


router = APIRouter(
    prefix="/v1", tags=["models (OpenAI-compatible)"], dependencies=[Depends(node_key)]
)


class Body(BaseModel):
    model_config = ConfigDict(extra="ignore")  # clients send fields we do not use
    model: str = Field(min_length=1, max_length=200)


class EmbeddingsIn(Body):
    input: str | list[str] = Field(min_length=1)
    input_type: Literal["query", "passage"] = "query"  # E5-style prefixes; an extension


class CompletionsIn(Body):
    prompt: str | list[str]
    max_tokens: int = Field(default=16, ge=0, le=4096)
    temperature: float = Field(default=0.0, ge=0, le=2)
    stop: str | list[str] | None = None
    interview_token_scores: bool = False  # extension: per-token log-prob statistics


class Message(BaseModel):
    role: Literal["system", "user", "assistant"]
    content: str


class ChatIn(Body):
    messages: list[Message] = Field(min_length=1)
    max_tokens: int = Field(default=256, ge=1, le=4096)
    temperature: float = Field(default=0.0, ge=0, le=2)
    stop: str | list[str] | None = None


def _stops(stop: str | list[str] | None) -> tuple[str, ...]:
    return (stop,) if isinstance(stop, str) else tuple(stop or ())


def _check(model: str, tasks: tuple[str, ...]) -> None:
    entries = load_catalogue()
    if model not in entries:
        raise NotFound(f"model {model!r} is not served here; GET /v1/models lists them")
    if entries[model].task not in tasks:
        raise InvalidInput(f"model {model!r} is a {entries[model].task} model, not {tasks[0]}")


@router.get("/models")
def list_models() -> dict[str, Any]:
    return {
        "object": "list",
        "data": [
            {"id": e.name, "object": "model", "owned_by": "interview", "task": e.task}
            for e in load_catalogue().values()
            if e.engine != "remote"
        ],
    }


# The model calls below wait in a thread of the model's own limiter, not the default pool's
# (interview.api.inference): other nodes' traffic never holds up the app's cheap requests.
@router.post("/embeddings")
async def embeddings(body: EmbeddingsIn, ctx: Ctx) -> dict[str, Any]:
    _check(body.model, ("embed",))
    texts = [body.input] if isinstance(body.input, str) else body.input
    emb = ctx.backend.embedder(body.model)
    embed = emb.embed_queries if body.input_type == "query" else emb.embed_passages
    vecs = await ctx.inference.run(body.model, embed, texts)
    return {
        "object": "list",
        "model": body.model,
        "data": [
            {"object": "embedding", "index": i, "embedding": v.tolist()} for i, v in enumerate(vecs)
        ],
        "usage": {"prompt_tokens": 0, "total_tokens": 0},
    }


@router.post("/completions")
async def completions(body: CompletionsIn, ctx: Ctx) -> dict[str, Any]:
    _check(body.model, ("generate", "ai_text"))
    prompts = [body.prompt] if isinstance(body.prompt, str) else body.prompt
    gen = ctx.backend.generator(body.model)
    if body.interview_token_scores:
        scores = await ctx.inference.run(body.model, gen.score, prompts)
        return {
            "object": "text_completion",
            "model": body.model,
            "choices": [
                {"index": i, "text": "", "finish_reason": "length", "token_scores": s.model_dump()}
                for i, s in enumerate(scores)
            ],
        }
    outs = await ctx.inference.run(
        body.model,
        lambda: gen.generate(
            prompts,
            max_new_tokens=body.max_tokens,
            temperature=body.temperature,
            stop=_stops(body.stop),
        ),
    )
    return {
        "object": "text_completion",
        "model": body.model,
        "choices": [
            {"index": i, "text": g.text, "finish_reason": g.finish_reason}
            for i, g in enumerate(outs)
        ],
        "usage": _usage(outs),
    }


@router.post("/chat/completions")
async def chat(body: ChatIn, ctx: Ctx) -> dict[str, Any]:
    _check(body.model, ("generate", "ai_text"))
    # Our engines take one user turn: fold the system message in front of it.
    system = "\n".join(m.content for m in body.messages if m.role == "system")
    user = [m.content for m in body.messages if m.role == "user"]
    if not user:
        raise InvalidInput("messages need at least one user message")
    prompt = f"{system}\n\n{user[-1]}" if system else user[-1]
    gen = ctx.backend.generator(body.model)
    outs = await ctx.inference.run(
        body.model,
        lambda: gen.generate(
            [prompt],
            max_new_tokens=body.max_tokens,
            temperature=body.temperature,
            stop=_stops(body.stop),
        ),
    )
    out = outs[0]
    return {
        "object": "chat.completion",
        "model": body.model,
        "choices": [
            {
                "index": 0,
                "finish_reason": out.finish_reason,
                "message": {"role": "assistant", "content": out.text},
            }
        ],
        "usage": _usage([out]),
    }


def _usage(outs: list[Any]) -> dict[str, Any]:
    prompt = sum(g.prompt_tokens for g in outs)
    completion = sum(g.completion_tokens for g in outs)
    cached = sum(g.cached_prefix_tokens for g in outs)
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
        "prompt_tokens_details": {"cached_tokens": cached},
    }


@router.post("/audio/transcriptions")
async def transcriptions(
    ctx: Ctx,
    file: Annotated[UploadFile, File()],
    model: Annotated[str, Form()],
    language: Annotated[str | None, Form()] = None,
    response_format: Annotated[str, Form()] = "json",
) -> dict[str, Any]:
    _check(model, ("asr",))
    data = await file.read(MAX_AUDIO_BYTES + 1)
    if len(data) > MAX_AUDIO_BYTES:
        raise InvalidInput(f"audio file is over {MAX_AUDIO_BYTES} bytes")
    from starlette.concurrency import run_in_threadpool

    from interview.perception.media import decode_audio

    audio = await run_in_threadpool(decode_audio, data)
    recognizer = ctx.backend.recognizer(model)
    result = await ctx.inference.run(model, recognizer.transcribe, audio, language)
    if response_format == "verbose_json":
        return {
            "text": result.text,
            "language": result.language,
            "duration": result.duration,
            "segments": [s.model_dump() for s in result.segments],
            "interview": result.model_dump(),
        }
    return {"text": result.text}
