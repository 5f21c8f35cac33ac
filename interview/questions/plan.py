"""Build a question plan from a competency model: questions that fit the role, covering its
competencies by weight.

- Only questions and items written for the role's settings (or for any workplace) are drawn:
  a barista is not asked about a hotel lobby (competency.settings).
- Every weighted competency gets an open question or a multiple-choice item while the
  plan's size allows: items go to competencies that open questions would not reach; what
  still is not asked is listed in `uncovered`, with the share of weight that is covered, so
  the preview and the report can say so.
- Which question of a pool, and which of several fitting items, rotates with the seed (by
  default one per role title), so roles do not all get the first of each.
"""

from __future__ import annotations

import random
import zlib
from collections.abc import Sequence

from interview.competency.library import load_library
from interview.competency.schemas import (
    Competency,
    CompetencyModel,
    Library,
    Prompt,
    WeightedCompetency,
)
from interview.competency.settings import role_settings
from interview.errors import InvalidInput, NotFound
from interview.questions.items import Item, load_items
from interview.questions.schemas import Question, QuestionPlan

DEFAULT_QUESTIONS = 5  # open questions when the role does not need more to be covered
MAX_DEFAULT_QUESTIONS = 8  # open questions at most, unless HR asks for more
FRONTLINE_ITEMS = 2  # multiple-choice items by default: frontline roles
OTHER_ITEMS = 1  # other roles

_KINDS = (("behavioural", "b"), ("situational", "s"))


def default_item_count(model: CompetencyModel, library: Library) -> int:
    roles = {r.id: r for r in library.roles}
    frontline = bool(model.template_id and roles[model.template_id].frontline)
    return FRONTLINE_ITEMS if frontline else OTHER_ITEMS


def fitting_items(settings: tuple[str, ...], bank: Sequence[Item] = ()) -> dict[str, list[Item]]:
    """Competency id -> the bank's items written for one of `settings`, in bank order."""
    out: dict[str, list[Item]] = {}
    for item in bank or load_items().items:
        if item.settings and set(item.settings) & set(settings):
            out.setdefault(item.competency_id, []).append(item)
    return out


def _prompts(comp: Competency, kind: str) -> tuple[Prompt, ...]:
    return comp.behavioural_questions if kind == "behavioural" else comp.situational_questions


def _pool(item: WeightedCompetency, kind: str, settings: tuple[str, ...]) -> list[int]:
    return [i for i, p in enumerate(_prompts(item.competency, kind)) if p.fits(settings)]


def _open_question(
    item: WeightedCompetency,
    prefer: int,
    settings: tuple[str, ...],
    language: str,
    rng: random.Random,
    used: set[str],
) -> Question | None:
    """A question of the preferred kind (0 behavioural, 1 situational) that fits the
    settings and is not in the plan yet; the other kind when none is left."""
    comp = item.competency
    for kind, letter in (_KINDS[prefer], _KINDS[1 - prefer]):
        pool = [i for i in _pool(item, kind, settings) if f"{comp.id}:{letter}{i}" not in used]
        if not pool:
            continue
        index = pool[rng.randrange(len(pool))]
        return Question(
            id=f"{comp.id}:{letter}{index}",
            competency_id=comp.id,
            kind=kind,  # type: ignore[arg-type]
            text=_prompts(comp, kind)[index].get(language),
        )
    return None


def _item_competencies(
    ranked: list[WeightedCompetency],
    with_items: set[str],
    count: int,
    open_slots: int,
    rng: random.Random,
) -> list[str]:
    """Which competencies items measure, drawn by the seed so that roles rotate across the
    bank: any with a fitting item when the open questions can cover the rest; else first
    those the open questions would not reach (the heavy ones keep their open questions)."""
    ids = [i.competency.id for i in ranked]
    if len(ids) <= open_slots + count:
        first: list[str] = []
    else:
        first = [cid for cid in ids[open_slots:] if cid in with_items]
        rng.shuffle(first)
        first = first[:count]
    rest = [cid for cid in ids if cid in with_items and cid not in first]
    rng.shuffle(rest)
    return first + rest[: max(0, count - len(first))]


def build_plan(
    model: CompetencyModel,
    language: str,
    *,
    max_questions: int | None = None,
    item_count: int | None = None,
    seed: int | None = None,
    items: Sequence[Item] | None = None,
    extra: Sequence[Question] = (),
    library: Library | None = None,
) -> QuestionPlan:
    """Open questions (heaviest competencies first, behavioural and situational alternating),
    then multiple-choice items, then `extra` questions (e.g. from the resume).

    `max_questions` open questions (default: enough to cover the competencies items do not,
    from DEFAULT_QUESTIONS to MAX_DEFAULT_QUESTIONS); `item_count` items (default 2 for
    frontline roles, else 1), or exactly `items` when given."""
    if language not in ("en", "zh"):
        raise InvalidInput(f"language {language!r} is not supported; use 'en' or 'zh'")
    if max_questions is not None and max_questions < 1:
        raise InvalidInput(f"max_questions must be at least 1, got {max_questions}")
    if item_count is not None and item_count < 0:
        raise InvalidInput(f"item_count must be 0 or more, got {item_count}")
    library = library or load_library()
    settings = role_settings(model, library)
    rng = random.Random(zlib.crc32(model.role_title.encode()) if seed is None else seed)
    ranked = sorted(model.items, key=lambda i: (-i.weight, i.competency.id))
    bank = fitting_items(settings)

    if items is None:
        count = default_item_count(model, library) if item_count is None else item_count
        reachable = sum(1 for i in ranked if i.competency.id in bank)
        if max_questions is None:
            need = len(ranked) - min(count, reachable)
            max_questions = min(max(need, DEFAULT_QUESTIONS), MAX_DEFAULT_QUESTIONS)
        item_comps = _item_competencies(ranked, set(bank), count, max_questions, rng)
        items = [bank[cid][rng.randrange(len(bank[cid]))] for cid in item_comps]
    elif max_questions is None:
        max_questions = DEFAULT_QUESTIONS
    by_item = {i.competency_id for i in items}

    questions: list[Question] = []
    used: set[str] = set()
    # First round: every competency items do not measure, heaviest first; then second
    # questions for the heaviest, while open slots are left.
    order = [i for i in ranked if i.competency.id not in by_item] + ranked
    for n, item in enumerate(order):
        if len(questions) >= max_questions or n >= 2 * len(ranked):
            break
        q = _open_question(item, len(questions) % 2, settings, language, rng, used)
        if q is not None:
            questions.append(q)
            used.add(q.id)
    # Asked heaviest competency first, whichever round chose the question.
    weight = {i.competency.id: i.weight for i in ranked}
    questions.sort(key=lambda q: -weight[q.competency_id])
    asked = {q.competency_id for q in questions} | by_item
    uncovered = tuple(i.competency.id for i in ranked if i.competency.id not in asked)
    coverage = sum(i.weight for i in ranked if i.competency.id in asked)
    questions.extend(item.question(language) for item in items)
    questions.extend(extra)
    return QuestionPlan(
        language=language,  # type: ignore[arg-type]
        questions=tuple(questions),
        settings=settings,
        uncovered=uncovered,
        coverage=round(min(coverage, 1.0), 4),
    )


def translate_plan(
    plan: QuestionPlan, language: str, library: Library | None = None
) -> QuestionPlan:
    """The same plan in another language: the same questions and items, question by question
    (resume and history questions are left out: the caller adds them in that language)."""
    if language not in ("en", "zh"):
        raise InvalidInput(f"language {language!r} is not supported; use 'en' or 'zh'")
    library = library or load_library()
    bank = {f"item:{i.id}": i for i in load_items().items}
    out: list[Question] = []
    for q in plan.questions:
        if q.id in bank:
            out.append(bank[q.id].question(language))
        elif q.kind in ("behavioural", "situational"):
            comp = library.competency(q.competency_id)
            prompts = _prompts(comp, q.kind)
            index = int(q.id.rsplit(":", 1)[1][1:])
            if index >= len(prompts):
                raise NotFound(f"question {q.id!r} is not in this library version")
            out.append(q.model_copy(update={"text": prompts[index].get(language)}))
    if not out:
        raise InvalidInput("the plan has no library questions to translate")
    return plan.model_copy(update={"language": language, "questions": tuple(out)})
