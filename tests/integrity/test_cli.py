"""`interview integrity ai-text` and `interview integrity check`, run as a user would."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.test_cli import run

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
CLIP = DATA / "video" / "one_person_center.mp4"
JFK = DATA / "audio" / "jfk.flac"


def test_ai_text_judges_long_texts_skips_short_ones_and_names_bad_lines(tmp_path: Path) -> None:
    pairs = json.loads((DATA / "text" / "xsum_gpt-3.5-turbo.json").read_text(encoding="utf-8"))
    lines = [
        json.dumps({"id": "machine", "text": pairs["sampled"][0]}),
        json.dumps({"id": "human", "text": pairs["original"][0]}),
        json.dumps({"id": "short", "text": "I enjoy helping customers every day."}),
        "[1, 2]",
    ]
    path = tmp_path / "texts.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    r = run("integrity", "ai-text", str(path), "--format", "json")
    assert r.returncode == 1, r.stderr  # one line was bad
    assert "line 4" in r.stderr and '"text"' in r.stderr
    out = [json.loads(line) for line in r.stdout.splitlines()]
    assert [o["id"] for o in out] == ["machine", "human", "short"]
    by_id = {o["id"]: o for o in out}
    for judged in ("machine", "human"):
        assert 0 <= by_id[judged]["score"] <= 1 and isinstance(by_id[judged]["flag"], bool)
    # The machine text reads as more machine-like than the human article it was made from.
    assert by_id["machine"]["score"] > by_id["human"]["score"]
    assert by_id["short"]["score"] is None and by_id["short"]["flag"] is False
    assert "too short" in by_id["short"]["reason"]
    assert run("integrity", "ai-text", str(tmp_path / "missing.jsonl")).returncode == 2


@pytest.fixture(scope="module")
def answer(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A 6 s video answer (the shared clip's picture with JFK's speech) and a still of it."""
    out = tmp_path_factory.mktemp("cli")
    video, still = out / "answer.mp4", out / "me.jpg"
    common = ["ffmpeg", "-v", "error", "-y"]
    subprocess.run(
        [*common, "-i", str(CLIP), "-i", str(JFK), "-map", "0:v", "-map", "1:a", "-t", "6"]
        + ["-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", str(video)],
        check=True,
    )
    subprocess.run([*common, "-ss", "1", "-i", str(CLIP), "-frames:v", "1", str(still)], check=True)
    return video, still


def test_check_a_recording_against_the_candidates_own_photo(answer: tuple[Path, Path]) -> None:
    video, still = answer
    r = run("integrity", "check", str(video), "--reference", str(still), "--format", "json")
    assert r.returncode == 0, r.stderr
    result = json.loads(r.stdout)
    assert result["has_video"] and result["enrolled"]
    assert result["identity"]["frames"] >= 8
    assert result["identity"]["distance_median"] < result["identity"]["distance_threshold"]
    assert not [f for f in result["flags"] if f["kind"] in ("identity_mismatch", "still_image")]
    assert result["summary"]["checks"] == ["media"]
    assert "ask not" in result["transcript"]["text"].lower()


def test_check_refuses_a_group_photo_as_reference(answer: tuple[Path, Path]) -> None:
    video, _ = answer
    group = DATA / "images" / "four_people_selfie.jpg"
    r = run("integrity", "check", str(video), "--reference", str(group))
    assert r.returncode == 1 and "faces" in r.stderr, r.stderr
    assert run("integrity", "check", str(video.with_suffix(".nope"))).returncode == 2
