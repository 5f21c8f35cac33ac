"""Catalogue models as Ray Serve deployments on a local Ray instance (correctness, not speed)."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest

from interview.backend.catalogue import get_entry
from interview.backend.ray_serve import RayServeModels, resources_for
from interview.errors import BackendUnavailable
from interview.pipeline import EMBEDDER


def test_resource_requests_follow_the_catalogue_and_the_cluster() -> None:
    e5 = get_entry("e5-small-multilingual")
    assert resources_for(e5, {"CPU": 2}) == {"num_cpus": 1.0}
    gpu_model = e5.model_copy(update={"devices": ("cuda", "cpu")})
    assert resources_for(gpu_model, {"CPU": 8, "GPU": 2})["num_gpus"] == 1.0
    assert "num_gpus" not in resources_for(gpu_model, {"CPU": 8})
    npu_model = e5.model_copy(update={"options": {"ray_resources": {"NPU": 1}}})
    assert resources_for(npu_model, {"CPU": 8, "NPU": 4})["resources"] == {"NPU": 1}
    with pytest.raises(BackendUnavailable, match="NPU"):
        resources_for(npu_model, {"CPU": 8})


@pytest.fixture(scope="module")
def ray_models(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RayServeModels]:
    models = RayServeModels(
        cache_dir=tmp_path_factory.mktemp("raycache"),
        num_cpus=2,
        object_store_memory=100 * 1024 * 1024,
    )
    yield models
    models.shutdown()


def test_embedding_deployment_matches_the_local_backend(
    ray_models: RayServeModels, embedder
) -> None:  # type: ignore[no-untyped-def]
    ray_models.deploy([EMBEDDER])  # the product's embedder (the fixture's model)
    texts = ["I rebuilt the stock count sheet.", "我重新整理了盘点表。"]
    remote = ray_models.call(EMBEDDER, "embed_queries", texts)
    assert np.allclose(remote, embedder.embed_queries(texts), atol=1e-5)
    assert ray_models.device(EMBEDDER) == "cpu"
    with pytest.raises(BackendUnavailable, match="not deployed"):
        ray_models.call("minilm-l6-v2", "embed_queries", texts)
