import hashlib
import io
from pathlib import Path

import pytest

from interview.errors import InvalidInput, NotFound
from interview.storage.blobs import FileBlobStore


def test_put_is_content_addressed_and_idempotent(tmp_path: Path) -> None:
    store = FileBlobStore(tmp_path)
    data = b"webm chunk" * 1000
    key = store.put(data)
    assert key == hashlib.sha256(data).hexdigest()
    assert store.put(io.BytesIO(data)) == key  # same bytes, same key, streamed
    with store.open(key) as f:
        assert f.read() == data
    assert list((tmp_path / "tmp").iterdir()) == []  # no temporary files left behind


def test_missing_and_bad_keys(tmp_path: Path) -> None:
    store = FileBlobStore(tmp_path)
    with pytest.raises(NotFound):
        store.open("0" * 64)
    with pytest.raises(InvalidInput, match="not a sha256"):
        store.open("../../etc/passwd")
    key = store.put(b"x")
    store.delete(key)
    assert not store.exists(key)
