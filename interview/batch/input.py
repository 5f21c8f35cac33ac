"""What `interview score PATH` reads: text interviews (JSONL) or a folder of recorded ones.

PATH is either a JSONL file, one text interview per line ({"candidate_id", "role",
"language", "answers": [{"question", "answer"}]}), or a folder with one sub-folder per
candidate holding a manifest (manifest.yaml, manifest.yml or manifest.json) and one file per
answer: a recording (video or audio) or a .txt file. Both become the same `Candidate`
objects, checked here once, so the workers that score them never meet a malformed input: every
problem is an `InputError` naming the file (and line or field) and what to fix.

The role is a library role id, a job title, or a role YAML file (title, description and an
optional `scoring` policy such as {profile: eu}). The resume key of a candidate changes when
its inputs, the rubric (library and role), the scoring settings or the models change.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

import interview
from interview.competency.library import load_library
from interview.competency.schemas import CompetencyModel
from interview.config import Settings
from interview.errors import InvalidInput
from interview.integrity.ai_text import load_calibration
from interview.integrity.identity import DETECTOR, MESH
from interview.integrity.identity import EMBEDDER as FACE_EMBEDDER
from interview.integrity.recording import ASR_MODEL, VOICE_MODEL
from interview.integrity.session import REFERENCE_MODEL
from interview.pipeline import EMBEDDER, settings_hash
from interview.scoring.fusion import ScoringPolicy
from interview.text.clean import Name, Text, clean_name, clean_text

MAX_LINE_CHARS = 1_000_000
MAX_ANSWER_CHARS = 20_000
MANIFEST_NAMES = ("manifest.yaml", "manifest.yml", "manifest.json")
TEXT_SUFFIXES = (".txt",)
MEDIA_SUFFIXES = (".mp4", ".webm", ".mov", ".mkv", ".m4a", ".mp3", ".wav", ".flac", ".ogg")
COMPETENCY_MODEL_VERSION = CompetencyModel.model_fields["version"].default  # batch-built models
KEY_VERSION = 1  # bump when what the key covers changes


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


# -- the two input formats ---------------------------------------------------------------------


class TextAnswer(BaseModel):
    model_config = ConfigDict(extra="forbid")
    question: Text = Field(min_length=1, max_length=2000)
    answer: Text = Field(max_length=MAX_ANSWER_CHARS)


class TextInterview(BaseModel):
    """One line of a JSONL file."""

    model_config = ConfigDict(extra="forbid")
    candidate_id: str = Field(min_length=1, max_length=200)
    role: str = Field(min_length=1, max_length=500)
    language: Literal["en", "zh"] = "en"
    answers: list[TextAnswer] = Field(min_length=1, max_length=50)

    @field_validator("candidate_id")
    @classmethod
    def _shown_as_name(cls, value: str) -> str:
        clean_name(value)  # it is the name shown: a lone surrogate is refused here, by line
        return value


class ManifestAnswer(BaseModel):
    """One answer in a candidate's manifest: the question and either a file or inline text."""

    model_config = ConfigDict(extra="forbid")
    question: Text = Field(min_length=1, max_length=2000)
    file: str | None = Field(default=None, min_length=1, max_length=500)
    text: Text | None = Field(default=None, max_length=MAX_ANSWER_CHARS)
    competency: str | None = None  # a library competency id; default: matched to the question

    @model_validator(mode="after")
    def _one_source(self) -> ManifestAnswer:
        if (self.file is None) == (self.text is None):
            raise ValueError("give exactly one of 'file' (a recording or .txt) and 'text'")
        return self


class Manifest(BaseModel):
    """A candidate folder's manifest (YAML or JSON)."""

    model_config = ConfigDict(extra="forbid")
    candidate_id: str | None = Field(default=None, min_length=1, max_length=200)  # folder name
    name: Name | None = Field(default=None, min_length=1, max_length=200)  # shown in the report
    role: str = Field(min_length=1, max_length=500)
    language: Literal["en", "zh"]
    photo: str | None = None  # reference photo: identity is checked against its face
    answers: list[ManifestAnswer] = Field(min_length=1, max_length=50)


# -- what the workers get ----------------------------------------------------------------------


class BatchAnswer(Frozen):
    question: str
    text: str | None = None  # typed answer (inline, a JSONL answer, or a .txt file's text)
    media: str | None = None  # absolute path of the recording
    file: str | None = None  # the file as the manifest names it
    sha256: str = ""  # of the recording
    competency: str | None = None


class Candidate(Frozen):
    candidate_id: str
    name: str
    role: str  # as given; a role YAML as an absolute path
    language: Literal["en", "zh"]
    answers: tuple[BatchAnswer, ...]
    photo: str | None = None  # absolute path
    photo_sha256: str = ""
    source: str  # "interviews.jsonl line 3" or "c-001/manifest.yaml"

    @property
    def has_media(self) -> bool:
        return any(a.media for a in self.answers)


@dataclass(frozen=True)
class InputError:
    """An input that cannot be scored: where it is, and what is wrong with it."""

    source: str
    message: str
    candidate_id: str | None = None


@dataclass(frozen=True)
class RoleSpec:
    title: str
    description: str
    policy: ScoringPolicy
    fingerprint: str  # changes when the role's text or policy does


# -- roles -------------------------------------------------------------------------------------


def _role_file(role: str, base: Path | None) -> Path | None:
    if Path(role).suffix not in (".yaml", ".yml"):
        return None
    path = Path(role)
    if not path.is_absolute() and base is not None and (base / path).is_file():
        return (base / path).resolve()
    return path


def role_spec(role: str) -> tuple[str, str]:
    """(title, description) from a library role id, a role YAML file or a free title."""
    spec = resolve_role(role)
    return spec.title, spec.description


def resolve_role(role: str, base: Path | None = None) -> RoleSpec:
    """A library role id, a role YAML (relative paths from `base` first), or a job title."""
    templates = {r.id: r for r in load_library().roles}
    if role in templates:
        t = templates[role]
        return RoleSpec(t.title.en, t.description.en, ScoringPolicy(), _digest(["id", role]))
    path = _role_file(role, base)
    if path is None:
        return RoleSpec(role, "", ScoringPolicy(), _digest(["title", role]))
    if not path.is_file():
        raise InvalidInput(f"role file {path} does not exist")
    try:
        spec = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"role file {path} is not readable YAML: {exc}") from None
    if not isinstance(spec, dict) or not spec.get("title"):
        raise InvalidInput(f"role file {path} needs a 'title' (and may give 'description')")
    try:
        policy = ScoringPolicy.model_validate(spec.get("scoring") or {})
    except ValidationError as exc:
        raise InvalidInput(f"role file {path}: 'scoring' is invalid: {_problems(exc)}") from None
    title, description = str(spec["title"]), str(spec.get("description", ""))
    fingerprint = _digest(["file", title, description, policy.model_dump(mode="json")])
    return RoleSpec(title, description, policy, fingerprint)


# -- reading inputs ----------------------------------------------------------------------------


def _problems(exc: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in e['loc']) or '(top level)'}: {e['msg']}" for e in exc.errors()
    )


def _digest(parts: Any) -> str:
    return hashlib.sha256(
        json.dumps(parts, sort_keys=True, ensure_ascii=False).encode()
    ).hexdigest()


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def read_jsonl(path: Path) -> Iterator[tuple[int, TextInterview | InvalidInput]]:
    """(line number, interview or the error that names what is wrong with that line)."""
    with path.open(encoding="utf-8") as f:
        for n, line in enumerate(f, start=1):
            if not line.strip():
                continue
            if len(line) > MAX_LINE_CHARS:
                yield n, InvalidInput(f"line {n}: over {MAX_LINE_CHARS} characters")
                continue
            try:
                yield n, TextInterview.model_validate(json.loads(line))
            except json.JSONDecodeError as exc:
                yield n, InvalidInput(f"line {n}: not JSON ({exc.msg} at column {exc.colno})")
            except ValidationError as exc:
                yield n, InvalidInput(f"line {n}: {_problems(exc)}")


def _from_jsonl(path: Path) -> Iterator[Candidate | InputError]:
    for n, record in read_jsonl(path):
        source = f"{path.name} line {n}"
        if isinstance(record, InvalidInput):
            yield InputError(source, str(record))
            continue
        role_file = _role_file(record.role, path.parent)
        yield Candidate(
            candidate_id=record.candidate_id,
            name=clean_name(record.candidate_id),
            role=str(role_file) if role_file else record.role,
            language=record.language,
            answers=tuple(BatchAnswer(question=a.question, text=a.answer) for a in record.answers),
            source=source,
        )


def _load_manifest(path: Path) -> Manifest:
    try:
        raw = path.read_text(encoding="utf-8")
        data = json.loads(raw) if path.suffix == ".json" else yaml.safe_load(raw)
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"cannot read it: {exc}") from None
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"not JSON ({exc.msg} at line {exc.lineno})") from None
    except yaml.YAMLError as exc:
        raise InvalidInput(f"not YAML ({str(exc).splitlines()[0]})") from None
    if not isinstance(data, dict):
        raise InvalidInput("must be a mapping with role, language and answers")
    try:
        return Manifest.model_validate(data)
    except ValidationError as exc:
        raise InvalidInput(_problems(exc)) from None


def _answer_file(folder: Path, name: str, field: str) -> Path:
    path = (folder / name).resolve()
    if not path.is_relative_to(folder.resolve()):
        raise InvalidInput(f"{field}: {name} is outside the candidate's folder")
    if not path.is_file():
        raise InvalidInput(f"{field}: {name} does not exist")
    if path.stat().st_size == 0:
        raise InvalidInput(f"{field}: {name} is empty (0 bytes)")
    return path


def _answer(folder: Path, n: int, a: ManifestAnswer) -> BatchAnswer:
    field = f"answers.{n}"
    if a.competency is not None:
        try:
            load_library().competency(a.competency)
        except KeyError:
            raise InvalidInput(
                f"{field}.competency: {a.competency!r} is not a library competency id"
            ) from None
    if a.file is None:
        return BatchAnswer(question=a.question, text=a.text, competency=a.competency)
    path = _answer_file(folder, a.file, f"{field}.file")
    suffix = path.suffix.lower()
    if suffix in TEXT_SUFFIXES:
        try:
            text = clean_text(path.read_text(encoding="utf-8"))
        except UnicodeDecodeError:
            raise InvalidInput(f"{field}.file: {a.file} is not UTF-8 text") from None
        if len(text) > MAX_ANSWER_CHARS:
            raise InvalidInput(f"{field}.file: {a.file} is over {MAX_ANSWER_CHARS} characters")
        return BatchAnswer(question=a.question, text=text, file=a.file, competency=a.competency)
    if suffix not in MEDIA_SUFFIXES:
        raise InvalidInput(
            f"{field}.file: {a.file} is neither a text file (.txt) nor a recording "
            f"({', '.join(MEDIA_SUFFIXES)})"
        )
    return BatchAnswer(
        question=a.question,
        media=str(path),
        file=a.file,
        sha256=file_sha256(path),
        competency=a.competency,
    )


def read_candidate_folder(folder: Path, root: Path) -> Candidate:
    """One candidate's folder; InvalidInput names the manifest and the field at fault."""
    found = [folder / n for n in MANIFEST_NAMES if (folder / n).is_file()]
    rel = folder.relative_to(root)
    if not found:
        raise InvalidInput(f"{rel}: no manifest ({', '.join(MANIFEST_NAMES)})")
    if len(found) > 1:
        raise InvalidInput(f"{rel}: more than one manifest ({', '.join(p.name for p in found)})")
    where = str(found[0].relative_to(root))
    try:
        manifest = _load_manifest(found[0])
        answers = tuple(_answer(folder, n, a) for n, a in enumerate(manifest.answers))
        photo = _answer_file(folder, manifest.photo, "photo") if manifest.photo else None
        role_file = _role_file(manifest.role, folder)
        if role_file is not None and not role_file.is_file():
            raise InvalidInput(f"role: role file {manifest.role} does not exist")
    except InvalidInput as exc:
        raise InvalidInput(f"{where}: {exc}") from None
    return Candidate(
        candidate_id=manifest.candidate_id or folder.name,
        name=manifest.name or manifest.candidate_id or folder.name,
        role=str(role_file) if role_file else manifest.role,
        language=manifest.language,
        answers=answers,
        photo=str(photo) if photo else None,
        photo_sha256=file_sha256(photo) if photo else "",
        source=where,
    )


def _from_folder(root: Path, skip: Sequence[Path]) -> Iterator[Candidate | InputError]:
    skipped = {p.resolve() for p in skip}
    folders = sorted(
        p
        for p in root.iterdir()
        if p.is_dir() and not p.name.startswith((".", "_")) and p.resolve() not in skipped
    )
    for folder in folders:
        try:
            yield read_candidate_folder(folder, root)
        except InvalidInput as exc:
            yield InputError(str(folder.relative_to(root)), str(exc), folder.name)


def read_inputs(path: Path, skip: Sequence[Path] = ()) -> list[Candidate | InputError]:
    """Every candidate of a JSONL file or a folder, in order; duplicate ids are errors.
    Sub-folders in `skip` (the output folder) and those named .* or _* are not candidates."""
    if path.is_dir():
        items = list(_from_folder(path, skip))
        if not items:
            raise InvalidInput(f"{path} has no candidate folders (one sub-folder per candidate)")
    elif path.is_file():
        items = list(_from_jsonl(path))
    else:
        raise InvalidInput(f"{path} does not exist")
    seen: dict[str, str] = {}
    out: list[Candidate | InputError] = []
    for item in items:
        if isinstance(item, Candidate):
            if item.candidate_id in seen:
                item = InputError(
                    item.source,
                    f"{item.source}: candidate_id {item.candidate_id!r} is also used by "
                    f"{seen[item.candidate_id]}; ids must be unique",
                    item.candidate_id,
                )
            else:
                seen[item.candidate_id] = item.source
        out.append(item)
    return out


# -- resuming ----------------------------------------------------------------------------------


def models_for(candidate: Candidate, settings: Settings) -> dict[str, str]:
    """Catalogue models whose output goes into this candidate's report (task -> name)."""
    models = {"embed": EMBEDDER}
    if candidate.has_media:
        models |= {"asr": ASR_MODEL, "face_detect": DETECTOR, "face_landmarks": MESH}
        models["voice_embed"] = VOICE_MODEL
    if candidate.photo:
        models["face_embed"] = FACE_EMBEDDER
    if settings.integrity_text_checks or settings.integrity_reference_answers:
        if settings.integrity_text_checks:
            models["ai_text"] = load_calibration().model
        if settings.integrity_reference_answers:
            models["reference_answers"] = REFERENCE_MODEL
    return models


def input_hash(candidate: Candidate) -> str:
    """The candidate's inputs: questions, typed texts, and the bytes of every file."""
    # Paths are left out (a moved folder is the same input); file names and bytes are in.
    exclude: Any = {"source": True, "role": True, "photo": True, "answers": {"__all__": {"media"}}}
    return _digest(candidate.model_dump(mode="json", exclude=exclude))


def resume_parts(candidate: Candidate, role: RoleSpec, settings: Settings) -> dict[str, Any]:
    """What the resume key covers; stored beside the key in each report file."""
    return {
        "key_version": KEY_VERSION,
        "package_version": interview.__version__,
        "library_version": load_library().version,
        "competency_model_version": COMPETENCY_MODEL_VERSION,
        "role": role.fingerprint,
        "settings_hash": settings_hash(settings),
        "models": models_for(candidate, settings),
        "inputs": input_hash(candidate),
    }


def resume_key(parts: dict[str, Any]) -> str:
    return _digest(parts)[:32]


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def report_name(candidate_id: str) -> str:
    """A file name for a candidate's report: the id when it is safe, else a slug and a hash."""
    slug = _UNSAFE.sub("_", candidate_id).strip("._")[:80]
    if slug == candidate_id:
        return f"{slug}.json"
    return f"{slug or 'candidate'}-{hashlib.sha256(candidate_id.encode()).hexdigest()[:8]}.json"
