"""all-MiniLM-L6-v2 for real on CPU through sentence-transformers, from its pip package."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from interview.backend.catalogue import get_entry
from interview.backend.engines.st_engine import SentenceTransformerEmbedder, prepare
from interview.errors import BackendUnavailable, InvalidInput

pytestmark = pytest.mark.slow

CAT, RUG, REVENUE = (
    "The cat sits on the mat",
    "A cat is sitting on a rug",
    "Quarterly revenue grew 8%",
)


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("models")


@pytest.fixture(scope="module")
def minilm(cache_dir: Path) -> SentenceTransformerEmbedder:
    return SentenceTransformerEmbedder(get_entry("minilm-l6-v2"), "cpu", cache_dir)


def test_similar_sentences_are_closer(minilm: SentenceTransformerEmbedder) -> None:
    cat, rug, revenue = minilm.embed_passages([CAT, RUG, REVENUE])
    assert float(cat @ rug) > float(cat @ revenue) + 0.3  # seen: 0.77 vs -0.04


def test_vectors_are_unit_float32_and_symmetric(minilm: SentenceTransformerEmbedder) -> None:
    passages = minilm.embed_passages([CAT, REVENUE])
    queries = minilm.embed_queries([CAT, REVENUE])
    assert passages.dtype == np.float32 and passages.shape == (2, 384) == (2, minilm.dimension)
    np.testing.assert_allclose(np.linalg.norm(passages, axis=1), 1.0, atol=1e-5)
    np.testing.assert_array_equal(passages, queries)  # no query/passage prefixes
    assert minilm.embed_queries([]).shape == (0, 384)


def test_a_text_embeds_the_same_alone_or_in_a_padded_batch(
    minilm: SentenceTransformerEmbedder,
) -> None:
    alone = minilm.embed_passages([CAT])[0]
    batch = minilm.embed_passages([RUG + " in the sunny kitchen of an old farmhouse", CAT])
    np.testing.assert_allclose(batch[1], alone, atol=1e-5)


def test_prepare_verifies_the_packaged_weights(tmp_path: Path) -> None:
    entry = get_entry("minilm-l6-v2")
    done = prepare(entry, tmp_path)
    assert done["sha256"] == entry.source.sha256
    assert (Path(done["folder"]) / "config.json").is_file()
    bad = entry.model_copy(update={"source": entry.source.model_copy(update={"sha256": "0" * 64})})
    with pytest.raises(BackendUnavailable, match="sha256"):
        prepare(bad, tmp_path)


def test_a_bare_string_is_refused(minilm: SentenceTransformerEmbedder) -> None:
    with pytest.raises(InvalidInput, match="list of strings"):
        minilm.embed_passages(CAT)


def test_embeds_through_the_backend_router(cache_dir: Path) -> None:
    from interview.backend.registry import Backend

    backend = Backend("auto", cache_dir=cache_dir)
    try:
        embedder = backend.embedder("minilm-l6-v2")
        vectors = embedder.embed_queries([CAT, RUG])
        assert vectors.shape == (2, 384) and embedder.dimension == 384
        assert float(vectors[0] @ vectors[1]) > 0.6
    finally:
        backend.close()
