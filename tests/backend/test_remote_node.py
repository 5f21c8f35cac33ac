"""A second node on loopback serves its models over the OpenAI protocol; the remote engine
routes through it and gets what the local model gives."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import numpy as np
import pytest

from interview.backend.catalogue import ModelEntry, Remote, Source, get_entry
from interview.backend.registry import Backend
from interview.errors import BackendUnavailable
from tests.server import Server

KEY = "node-key-for-tests"


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    server = Server(
        tmp_path_factory.mktemp("node") / "var",
        INTERVIEW_NODE_API_KEY=KEY,
        INTERVIEW_JOB_WORKERS="0",
    )
    subprocess_db_upgrade(server)
    server.start()
    yield server
    server.stop()


def subprocess_db_upgrade(server: Server) -> None:
    import subprocess
    import sys

    subprocess.run(
        [sys.executable, "-m", "interview.cli", "db", "upgrade"],
        env=server.env,
        check=True,
        capture_output=True,
        timeout=120,
    )


def remote_entry(node: Server, name: str, model: str, task: str = "embed") -> ModelEntry:
    return ModelEntry(
        name=name,
        task=task,
        engine="remote",
        license="MIT",
        dimension=384,  # type: ignore[arg-type]
        source=Source(package="none", file=""),
        max_batch=16,
        max_wait_ms=5,
        remote=Remote(base_url=f"{node.base}/v1", model=model, timeout_s=30),
    )


def test_model_endpoints_need_the_node_key(node: Server) -> None:
    assert httpx.get(f"{node.base}/v1/models").status_code == 401
    bad = httpx.get(f"{node.base}/v1/models", headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401
    ok = httpx.get(f"{node.base}/v1/models", headers={"Authorization": f"Bearer {KEY}"})
    assert "e5-small-multilingual" in {m["id"] for m in ok.json()["data"]}


def test_remote_embeddings_match_local(node: Server, tmp_path: Path) -> None:
    entry = remote_entry(node, "e5-remote", "e5-small-multilingual")
    local = get_entry("e5-small-multilingual")
    backend = Backend(
        "auto",
        cache_dir=tmp_path,
        catalogue={"e5-remote": entry, "e5-small-multilingual": local},
        remote_api_key=KEY,
    )
    texts = ["I called the customer back the next day.", "我第二天给顾客回了电话。"]
    remote = backend.embedder("e5-remote").embed_queries(texts)
    here = backend.embedder("e5-small-multilingual").embed_queries(texts)
    assert remote.shape == (2, 384)
    assert np.allclose(remote, here, atol=1e-5)
    assert np.allclose(
        backend.embedder("e5-remote").embed_passages(texts),
        backend.embedder("e5-small-multilingual").embed_passages(texts),
        atol=1e-5,
    )
    assert backend.queue("e5-remote").device.startswith("remote:127.0.0.1")


def test_remote_errors_are_clear(node: Server, tmp_path: Path) -> None:
    wrong_key = Backend(
        "auto",
        cache_dir=tmp_path,
        remote_api_key="wrong",
        catalogue={"r": remote_entry(node, "r", "e5-small-multilingual")},
    )
    with pytest.raises(BackendUnavailable, match="answered 401"):
        wrong_key.embedder("r").embed_queries(["x"])
    unknown = Backend(
        "auto",
        cache_dir=tmp_path,
        remote_api_key=KEY,
        catalogue={"r": remote_entry(node, "r", "no-such-model")},
    )
    with pytest.raises(BackendUnavailable, match="404"):
        unknown.embedder("r").embed_queries(["x"])


def test_serving_is_off_without_a_key(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from interview.api.app import create_app
    from interview.config import Settings

    app = create_app(Settings(data_dir=tmp_path, job_workers=0))
    with TestClient(app, client=("127.0.0.1", 50000)) as client:  # /metrics: loopback only
        r = client.get("/v1/models")
        assert r.status_code == 404 and "INTERVIEW_NODE_API_KEY" in r.json()["error"]["message"]
        metrics = client.get("/metrics")
        assert metrics.status_code == 200 and b"interview_model_request_seconds" in metrics.content
