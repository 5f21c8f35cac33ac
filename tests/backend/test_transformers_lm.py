"""SmolLM2-135M-Instruct and Gemma 3 270M for real on CPU: generate, prefix reuse, score.

Each model is converted from its packaged GGUF once per test process (SmolLM2 ~20 s,
Gemma ~55 s on 2 cores) into a temporary cache, then shared by every test here.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from interview.backend.catalogue import get_entry
from interview.backend.engines.transformers_lm import (
    MARKER,
    PREFIX_SLOTS,
    TransformersGenerator,
    prepare,
)
from interview.backend.schemas import TokenScores
from interview.errors import BackendUnavailable, InvalidInput

pytestmark = pytest.mark.slow

QUESTION = "What is the capital of France? Answer in one word."
# A rubric long enough (~320 tokens) that re-reading it dominates a short completion.
RUBRIC = (
    "You are scoring one answer from a structured job interview. The competency is "
    "'stress tolerance': staying effective when deadlines, conflict or uncertainty press. "
    + " ".join(
        f"Level {level}: the candidate {how} names a concrete situation under pressure, the "
        "task they owned, the actions they personally took (not the team), and a measurable "
        f"result; {extra}."
        for level, how, extra in [
            (1, "barely", "no evidence of reflection, blames others, no result given"),
            (2, "partly", "a vague situation, actions described as 'we', little detail"),
            (3, "clearly", "a specific situation and actions, some result, brief reflection"),
            (4, "vividly", "specific actions with reasons, a measured result, lessons named"),
            (5, "convincingly", "all of level 4, plus changed habits shown in later events"),
        ]
    )
    + " Positive indicators: stays calm, prioritises, asks for help early, communicates "
    "trade-offs. Negative indicators: freezes, hides problems, works around the process, "
    "shifts blame. Quote the answer as evidence. Reply with the level number first."
    + " Candidate answer follows."
)
ANSWERS = (
    "\n\nAnswer: Our vendor changed the API twice before launch, so I flew out, sat with "
    "their team for a week, and we shipped on time.\n\nLevel:",
    "\n\nAnswer: I usually just work harder when things get busy.\n\nLevel:",
)


def perplexity(s: TokenScores) -> float:
    return math.exp(-sum(s.logprob) / len(s.logprob))


def discrepancy(s: TokenScores) -> float:
    """Fast-DetectGPT's analytic sampling discrepancy (higher: more machine-like)."""
    return (sum(s.logprob) - sum(s.expected_logprob)) / math.sqrt(sum(s.variance))


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("models")


@pytest.fixture(scope="module")
def smol(cache_dir: Path) -> TransformersGenerator:
    return TransformersGenerator(get_entry("smollm2-135m-instruct"), "cpu", cache_dir)


@pytest.fixture(scope="module")
def gemma(cache_dir: Path) -> TransformersGenerator:
    return TransformersGenerator(get_entry("gemma3-270m"), "cpu", cache_dir)


def test_first_load_converts_and_verifies_then_reuses(
    smol: TransformersGenerator, cache_dir: Path
) -> None:
    entry = get_entry("smollm2-135m-instruct")
    assert smol.prepared["converted"] is True
    assert smol.prepared["sha256"] == entry.source.sha256
    folder = cache_dir / entry.name
    assert (folder / MARKER).is_file() and (folder / "model.safetensors").is_file()
    again = prepare(entry, cache_dir)
    assert again["converted"] is False and again["folder"] == str(folder)


def test_wrong_checksum_refuses_to_convert(tmp_path: Path) -> None:
    entry = get_entry("smollm2-135m-instruct")
    bad = entry.model_copy(update={"source": entry.source.model_copy(update={"sha256": "0" * 64})})
    with pytest.raises(BackendUnavailable, match="sha256"):
        prepare(bad, tmp_path)
    assert not (tmp_path / entry.name).exists()


def test_answers_a_factual_question(smol: TransformersGenerator) -> None:
    (out,) = smol.generate([QUESTION], max_new_tokens=16)
    assert "Paris" in out.text
    assert out.finish_reason == "stop" and 0 < out.completion_tokens < 16
    assert out.prompt_tokens > len(QUESTION.split())  # the chat template wraps the question


def test_greedy_is_deterministic_cold_or_cached(smol: TransformersGenerator) -> None:
    smol.clear_prefix_cache()
    first, second = smol.generate([QUESTION, QUESTION], max_new_tokens=12)
    assert first.cached_prefix_tokens == 0
    assert second.cached_prefix_tokens == second.prompt_tokens - 1  # all but the last token
    assert first.text == second.text


def test_stop_string_cuts_the_text(smol: TransformersGenerator) -> None:
    (full,) = smol.generate([QUESTION], max_new_tokens=16)
    (cut,) = smol.generate([QUESTION], max_new_tokens=16, stop=["Paris"])
    assert "Paris" not in cut.text
    assert full.text.startswith(cut.text) and len(cut.text) < len(full.text)
    assert cut.finish_reason == "stop"


def test_length_limit_is_reported(smol: TransformersGenerator) -> None:
    (out,) = smol.generate(["Write a long poem about the sea."], max_new_tokens=3)
    assert out.finish_reason == "length" and out.completion_tokens == 3 and out.text


def test_warm_prefix_gives_the_cold_result(smol: TransformersGenerator) -> None:
    prompt = RUBRIC + ANSWERS[0]
    smol.clear_prefix_cache()
    (cold,) = smol.generate([prompt], max_new_tokens=8)
    smol.clear_prefix_cache()
    n = smol.warm_prefix(RUBRIC)
    assert n > 300
    (warm,) = smol.generate([prompt], max_new_tokens=8)
    assert cold.cached_prefix_tokens == 0
    assert warm.cached_prefix_tokens == n
    assert warm.text == cold.text and warm.prompt_tokens == cold.prompt_tokens
    # A second answer to the same rubric reuses it too, without warm_prefix.
    (other,) = smol.generate([RUBRIC + ANSWERS[1]], max_new_tokens=4)
    assert other.cached_prefix_tokens >= n


def test_prefix_cache_is_bounded(smol: TransformersGenerator) -> None:
    smol.clear_prefix_cache()
    for i in range(PREFIX_SLOTS + 3):
        smol.warm_prefix(f"Rubric number {i}: rate the answer.")
    assert smol.cached_prefixes == PREFIX_SLOTS


def test_bad_arguments_are_refused(smol: TransformersGenerator) -> None:
    with pytest.raises(InvalidInput, match="list of prompt strings"):
        smol.generate(QUESTION)  # a bare string, not a list
    with pytest.raises(InvalidInput, match="max_new_tokens"):
        smol.generate([QUESTION], max_new_tokens=0)
    with pytest.raises(InvalidInput, match="temperature"):
        smol.generate([QUESTION], temperature=-1.0)
    with pytest.raises(InvalidInput, match="context"):
        smol.generate(["word " * 9000], max_new_tokens=1)


def test_score_statistics(smol: TransformersGenerator) -> None:
    text = "The interview started late because the candidate's camera did not work."
    (s,) = smol.score([text])
    assert s.tokens == len(smol.tokenizer(text).input_ids)
    assert len(s.logprob) == len(s.expected_logprob) == len(s.variance) == s.tokens - 1
    assert all(lp < 0 for lp in s.logprob)
    assert all(e <= 0 for e in s.expected_logprob)
    assert all(v >= 0 for v in s.variance) and max(s.variance) > 0
    (empty,) = smol.score([""])
    assert empty.tokens <= 1 and empty.logprob == ()


def test_gemma_perplexity_separates_predictable_from_human_text(
    gemma: TransformersGenerator,
) -> None:
    human = "Honestly, I dunno, my last boss kinda just let us wing it and somehow we shipped."
    repeated = "The cat sat on the mat. The cat sat on the mat. The cat sat on the mat."
    random_words = "Purple elephants negotiate quietly beneath turbulent spreadsheets of marmalade."
    h, r, w = gemma.score([human, repeated, random_words])
    assert h.tokens == len(gemma.tokenizer(human).input_ids)  # includes Gemma's <bos>
    assert len(h.logprob) == h.tokens - 1
    # Seen: ~190 vs ~6 vs ~4000; the margins leave room for other CPUs' rounding.
    assert perplexity(r) * 5 < perplexity(h) < perplexity(w) / 3
    assert discrepancy(r) > discrepancy(h) + 1.0


def test_gemma_reuses_a_prefix_longer_than_its_sliding_window(
    gemma: TransformersGenerator,
) -> None:
    long_rubric = RUBRIC + " Repeat of the rubric: " + RUBRIC  # ~630 tokens; the window is 512
    prompt = long_rubric + ANSWERS[0]
    gemma.clear_prefix_cache()
    (cold,) = gemma.generate([prompt], max_new_tokens=4)
    gemma.clear_prefix_cache()
    n = gemma.warm_prefix(long_rubric)
    assert n > gemma.model.config.sliding_window
    (warm,) = gemma.generate([prompt], max_new_tokens=4)
    assert cold.text.strip() and warm.text == cold.text
    assert warm.cached_prefix_tokens == n and cold.cached_prefix_tokens == 0


def test_loads_through_the_backend_registry(smol: TransformersGenerator, cache_dir: Path) -> None:
    from interview.backend.registry import Backend

    backend = Backend("auto", cache_dir=cache_dir)
    try:
        model = backend.load("smollm2-135m-instruct")
        assert isinstance(model, TransformersGenerator)
        assert model.prepared["converted"] is False  # the module fixture converted it already
        (out,) = backend.generator("smollm2-135m-instruct").generate([QUESTION], max_new_tokens=16)
        assert "Paris" in out.text
    finally:
        backend.close()
