"""The face engines, for real on CPU: Haar, BlazeFace, dlib HOG, face mesh, dlib descriptors."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

from interview.backend.catalogue import ModelEntry, get_entry
from interview.backend.engines import dlib_engine, mediapipe_engine, opencv_haar
from interview.backend.engines.dlib_engine import DlibFaceDetector, DlibFaceEmbedder
from interview.backend.engines.mediapipe_engine import MediaPipeFaceDetector, MediaPipeFaceMesh
from interview.backend.engines.opencv_haar import HaarFaceDetector
from interview.backend.registry import Backend
from interview.backend.schemas import FaceBox
from interview.backend.weights import verify_file
from interview.errors import BackendUnavailable, InvalidInput

pytestmark = pytest.mark.slow

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
VIDEO = DATA / "video" / "one_person_center.mp4"
ONE_SECOND = (24, 48)  # frame indices ~1 s apart in the 24 fps clip
ROTATE = {90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_COUNTERCLOCKWISE}
# Eye corners in the MediaPipe mesh (outer, inner) for the subject's right and left eye.
RIGHT_EYE, LEFT_EYE = (33, 133), (263, 362)
DETECTORS = ("face-blazeface", "face-dlib-hog", "face-haar")
PREPARE = {
    "opencv-haar": opencv_haar.prepare,
    "mediapipe": mediapipe_engine.prepare,
    "dlib": dlib_engine.prepare,
}


def _upright_frames(path: Path, indices: tuple[int, ...]) -> dict[int, np.ndarray]:
    """Frames of a phone clip, turned upright by its rotation tag (stored 848x480, tag 90)."""
    cap = cv2.VideoCapture(str(path))
    cap.set(cv2.CAP_PROP_ORIENTATION_AUTO, 1)
    rotation = int(cap.get(cv2.CAP_PROP_ORIENTATION_META))
    frames = {}
    for i in range(max(indices) + 1):
        ok, frame = cap.read()
        assert ok, f"{path} ended before frame {i}"
        if i in indices:
            frames[i] = frame
    cap.release()
    if rotation in ROTATE and frames[indices[0]].shape[1] > frames[indices[0]].shape[0]:
        # This OpenCV build ignored the tag: the clip is portrait when upright.
        frames = {i: cv2.rotate(f, ROTATE[rotation]) for i, f in frames.items()}
    return frames


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("models")


@pytest.fixture(scope="module")
def backend(cache_dir: Path) -> Iterator[Backend]:
    yield Backend("auto", cache_dir=cache_dir)


@pytest.fixture(scope="module")
def detectors(cache_dir: Path) -> dict[str, Any]:
    """Each detector once; blazeface and HOG go through the engines' load() kind dispatch."""
    return {
        "face-haar": HaarFaceDetector(get_entry("face-haar"), "cpu", cache_dir),
        "face-blazeface": mediapipe_engine.load(get_entry("face-blazeface"), "cpu", cache_dir),
        "face-dlib-hog": dlib_engine.load(get_entry("face-dlib-hog"), "cpu", cache_dir),
    }


@pytest.fixture(scope="module")
def mesh(backend: Backend) -> MediaPipeFaceMesh:
    """The face mesh, loaded the way product code loads it: through the registry."""
    model = backend.load("face-mesh")
    assert isinstance(model, MediaPipeFaceMesh)
    return model


@pytest.fixture(scope="module")
def embedder(backend: Backend) -> DlibFaceEmbedder:
    """The descriptor model through the registry: load() gives the embedder for kind embedder."""
    model = backend.load("face-dlib")
    assert type(model) is DlibFaceEmbedder
    return model


def _read_image(name: str) -> np.ndarray:
    image = cv2.imread(str(DATA / "images" / name))
    assert image is not None, f"cannot read {name}"
    return image


@pytest.fixture(scope="module")
def selfie() -> np.ndarray:
    return _read_image("four_people_selfie.jpg")


@pytest.fixture(scope="module")
def standing() -> np.ndarray:
    return _read_image("three_people_standing.jpg")


@pytest.fixture(scope="module")
def frames() -> dict[int, np.ndarray]:
    return _upright_frames(VIDEO, ONE_SECOND)


def _centre_in(box: FaceBox, other: FaceBox) -> bool:
    cx, cy = box.x + box.width / 2, box.y + box.height / 2
    return other.x <= cx <= other.x + other.width and other.y <= cy <= other.y + other.height


def _inside(box: FaceBox, image: np.ndarray) -> bool:
    height, width = image.shape[:2]
    return (
        box.width > 0
        and box.height > 0
        and box.x >= 0
        and box.y >= 0
        and box.x + box.width <= width
        and box.y + box.height <= height
    )


def test_kind_dispatch_gives_the_detector_classes(detectors: dict[str, Any]) -> None:
    assert type(detectors["face-blazeface"]) is MediaPipeFaceDetector
    assert type(detectors["face-dlib-hog"]) is DlibFaceDetector


@pytest.mark.parametrize(
    ("name", "module", "offered"),
    [
        ("face-mesh", mediapipe_engine, "['mesh', 'detector']"),
        ("face-dlib", dlib_engine, "['embedder', 'detector']"),
    ],
)
def test_unknown_kind_is_rejected(name: str, module: Any, offered: str, cache_dir: Path) -> None:
    bad = get_entry(name).model_copy(update={"options": {"kind": "expression"}})
    with pytest.raises(InvalidInput, match=f"'expression'.*offers {re.escape(offered)}"):
        module.load(bad, "cpu", cache_dir)


def test_a_missing_kind_gives_the_default_class(cache_dir: Path) -> None:
    entry = get_entry("face-dlib")
    options = {k: v for k, v in entry.options.items() if k != "kind"}
    model = dlib_engine.load(entry.model_copy(update={"options": options}), "cpu", cache_dir)
    assert type(model) is DlibFaceEmbedder


def test_unknown_option_is_rejected(cache_dir: Path) -> None:
    bad = get_entry("face-haar").model_copy(update={"options": {"scale": 1.1}})
    with pytest.raises(InvalidInput, match="unknown options \\['scale'\\]"):
        HaarFaceDetector(bad, "cpu", cache_dir)


@pytest.mark.parametrize(
    "name", ["face-haar", "face-blazeface", "face-mesh", "face-dlib", "face-dlib-hog"]
)
def test_prepare_verifies_the_catalogue_checksums(name: str, cache_dir: Path) -> None:
    entry = get_entry(name)
    found = PREPARE[entry.engine](entry, cache_dir)
    assert found["sha256"] == entry.source.sha256
    if entry.source.file:
        assert found["file"].is_file()
        assert all(len(digest) == 64 for digest in found["files"].values())


def test_prepare_refuses_a_wrong_checksum(cache_dir: Path) -> None:
    entry = get_entry("face-haar")
    wrong: ModelEntry = entry.model_copy(
        update={"source": entry.source.model_copy(update={"sha256": "0" * 64})}
    )
    with pytest.raises(BackendUnavailable, match="reinstall opencv-contrib-python"):
        opencv_haar.prepare(wrong, cache_dir)


def test_verify_file_refuses_a_wrong_or_missing_file(tmp_path: Path) -> None:
    entry = get_entry("face-dlib")
    path = tmp_path / "landmarks.dat"
    path.write_bytes(b"not a model")
    digest = verify_file(entry, path, None)  # None: any digest is accepted
    assert len(digest) == 64
    assert verify_file(entry, path, digest) == digest
    with pytest.raises(BackendUnavailable, match=f"{digest}.*expects {'0' * 64}.*reinstall"):
        verify_file(entry, path, "0" * 64)
    with pytest.raises(BackendUnavailable, match="sha256 missing.*face-recognition-models"):
        verify_file(entry, tmp_path / "absent.dat", None)


@pytest.mark.parametrize(
    ("name", "module", "options"),
    [
        ("face-dlib", dlib_engine, {"landmarks_sha256": "0" * 64}),
        ("face-mesh", mediapipe_engine, {"extra_files": {"modules/absent.tflite": None}}),
    ],
)
def test_prepare_refuses_a_wrong_extra_file(
    name: str, module: Any, options: dict[str, Any], cache_dir: Path
) -> None:
    entry = get_entry(name)
    bad = entry.model_copy(update={"options": {**entry.options, **options}})
    with pytest.raises(BackendUnavailable, match="the catalogue expects.*reinstall"):
        module.prepare(bad, cache_dir)


@pytest.mark.parametrize("name", DETECTORS)
def test_four_faces_in_the_selfie(name: str, detectors: dict[str, Any], selfie: np.ndarray) -> None:
    boxes = detectors[name].detect(selfie)
    assert all(_inside(b, selfie) for b in boxes)
    if name == "face-haar":
        assert 3 <= len(boxes) <= 5  # misses tilted faces, may hit clothing: 4 seen
    else:
        assert len(boxes) == 4
        assert all(0.5 <= b.score <= 1.0 for b in boxes)


@pytest.mark.parametrize("name", ["face-dlib-hog", "face-haar"])
def test_detectors_agree_with_blazeface_on_where_faces_are(
    name: str, detectors: dict[str, Any], selfie: np.ndarray
) -> None:
    reference = detectors["face-blazeface"].detect(selfie)
    boxes = detectors[name].detect(selfie)
    matched = [r for r in reference if any(_centre_in(r, b) for b in boxes)]
    assert len(matched) >= (4 if name == "face-dlib-hog" else 3)


@pytest.mark.parametrize("name", DETECTORS)
def test_three_faces_in_the_full_length_photo(
    name: str, detectors: dict[str, Any], standing: np.ndarray
) -> None:
    boxes = detectors[name].detect(standing)
    if name == "face-haar":
        assert 3 <= len(boxes) <= 5  # 3 faces and one hit on clothing seen
    else:
        assert len(boxes) == 3


@pytest.mark.parametrize("name", DETECTORS)
def test_the_person_in_the_video(
    name: str, detectors: dict[str, Any], frames: dict[int, np.ndarray]
) -> None:
    frame = frames[ONE_SECOND[0]]
    assert frame.shape[:2] == (848, 480)  # upright portrait
    boxes = detectors[name].detect(frame)
    assert len(boxes) == 1
    centre = boxes[0].x + boxes[0].width / 2
    assert frame.shape[1] / 3 < centre < frame.shape[1] * 2 / 3  # "one person, centre"


@pytest.mark.parametrize("name", DETECTORS)
def test_a_blank_image_has_no_faces(name: str, detectors: dict[str, Any]) -> None:
    assert detectors[name].detect(np.zeros((480, 640, 3), np.uint8)) == []


BAD_IMAGES = {
    "gray": np.zeros((48, 64), np.uint8),
    "float": np.zeros((48, 64, 3), np.float32),
    "bgra": np.zeros((48, 64, 4), np.uint8),
    "empty": np.zeros((0, 64, 3), np.uint8),
    "list": [[0, 0, 0]],
}


@pytest.mark.parametrize("bad", list(BAD_IMAGES))
def test_bad_images_are_invalid_input(
    bad: str, detectors: dict[str, Any], mesh: MediaPipeFaceMesh, embedder: DlibFaceEmbedder
) -> None:
    image: Any = BAD_IMAGES[bad]
    for detector in detectors.values():
        with pytest.raises(InvalidInput, match="H x W x 3 uint8 BGR"):
            detector.detect(image)
    with pytest.raises(InvalidInput):
        mesh.landmarks(image)
    with pytest.raises(InvalidInput):
        embedder.embed(image, [FaceBox(x=0, y=0, width=10, height=10)])


def test_mesh_loaded_through_the_registry(backend: Backend, mesh: MediaPipeFaceMesh) -> None:
    assert "face-mesh" in backend.loaded()
    assert backend.load("face-mesh") is mesh  # once per process


@pytest.mark.parametrize("index", ONE_SECOND)
def test_mesh_irises_look_at_the_camera(
    index: int, mesh: MediaPipeFaceMesh, frames: dict[int, np.ndarray]
) -> None:
    frame = frames[index]
    height, width = frame.shape[:2]
    (face,) = mesh.landmarks(frame)
    assert len(face.landmarks) == 478
    assert _inside(face.box, frame)
    for iris, (outer, inner) in ((face.right_iris, RIGHT_EYE), (face.left_iris, LEFT_EYE)):
        x, y = iris[0] * width, iris[1] * height  # pixels
        assert face.box.x <= x <= face.box.x + face.box.width
        assert face.box.y <= y <= face.box.y + face.box.height
        corner_a, corner_b = face.landmarks[outer][0], face.landmarks[inner][0]
        offset = (iris[0] - (corner_a + corner_b) / 2) / abs(corner_a - corner_b)
        assert abs(offset) < 0.15  # of the eye's width; ~0.06 seen, looking away is > 0.2
    assert face.right_iris[0] < face.left_iris[0]  # the subject's right eye is image-left


def test_mesh_counts_the_selfie_and_sees_nothing_in_a_blank(
    mesh: MediaPipeFaceMesh, selfie: np.ndarray
) -> None:
    assert len(mesh.landmarks(selfie)) == 4
    assert mesh.landmarks(np.zeros((480, 640, 3), np.uint8)) == []


def test_same_person_one_second_apart_is_close(
    detectors: dict[str, Any], embedder: DlibFaceEmbedder, frames: dict[int, np.ndarray]
) -> None:
    hog = detectors["face-dlib-hog"]
    first, second = (embedder.embed(frames[i], hog.detect(frames[i])) for i in ONE_SECOND)
    assert first.shape == second.shape == (1, 128)
    assert first.dtype == np.float32
    assert float(np.linalg.norm(first[0] - second[0])) < 0.4  # ~0.04 seen


def test_different_people_are_far_apart(
    detectors: dict[str, Any],
    embedder: DlibFaceEmbedder,
    selfie: np.ndarray,
    frames: dict[int, np.ndarray],
) -> None:
    boxes = detectors["face-blazeface"].detect(selfie)  # another engine's boxes work too
    people = embedder.embed(selfie, boxes)
    assert people.shape == (4, 128)
    distances = [
        float(np.linalg.norm(people[i] - people[j])) for i, j in itertools.combinations(range(4), 2)
    ]
    assert min(distances) > 0.5  # 0.63..0.81 seen
    frame = frames[ONE_SECOND[0]]
    candidate = embedder.embed(frame, detectors["face-blazeface"].detect(frame))
    assert float(np.linalg.norm(people - candidate, axis=1).min()) > 0.5
    alone = embedder.embed(selfie, boxes[2:3])  # rows follow the boxes' order
    np.testing.assert_allclose(alone[0], people[2], atol=1e-4)


def test_no_boxes_give_no_descriptors(embedder: DlibFaceEmbedder, selfie: np.ndarray) -> None:
    assert embedder.embed(selfie, []).shape == (0, 128)
