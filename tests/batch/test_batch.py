"""`interview score`: folders of recorded interviews and JSONL, resumable, parallel, on Ray.

The end-to-end tests run the CLI as a user would, with the real models, on the example folder
`interview demo --export` writes (a few seconds of the shared clip with JFK's speech, an
espeak-ng answer, typed answers) plus two broken candidates.
"""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from interview.batch.engines import ProcessEngine, actor_options
from interview.batch.example import export_demo
from interview.batch.input import (
    BatchAnswer,
    Candidate,
    InputError,
    read_inputs,
    report_name,
    resolve_role,
    resume_key,
    resume_parts,
)
from interview.batch.output import Row, StoredAnswer, index_html, summary_csv
from interview.batch.run import peers_for
from interview.batch.score import Outcome, Task
from interview.config import Settings
from interview.errors import InvalidInput

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT.parent / "shared" / "data"
# Text checks load a 270M LM; the media tests leave them to the JSONL test. One thread
# count everywhere: CTranslate2's int8 kernels may decode a word differently with another.
ENV = {"INTERVIEW_LOG_LEVEL": "WARNING", "OMP_NUM_THREADS": "2"}
FAST = ("--no-text-checks", "--no-reference-answers")
GOOD = ("alex-kim", "jordan-lee", "li-na", "sam-park")


def cli(*args: str, timeout: float = 400) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "interview.cli", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **ENV},
        timeout=timeout,
        cwd=ROOT,
    )


def reports(out: Path) -> dict[str, dict[str, Any]]:
    """Report files by candidate, without the time they were scored."""
    found = {}
    for path in sorted((out / "reports").glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        data["provenance"].pop("scored_at")
        found[path.stem] = data
    return found


def summary(out: Path) -> dict[str, dict[str, str]]:
    with (out / "summary.csv").open(encoding="utf-8") as f:
        return {row["candidate_id"]: row for row in csv.DictReader(f)}


# -- inputs, keys and outputs (no models) --------------------------------------------------------


def _manifest(folder: Path, **fields: Any) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    base = {
        "role": "retail_associate",
        "language": "en",
        "answers": [{"question": "Q?", "text": "A."}],
    }
    (folder / "manifest.yaml").write_text(yaml.safe_dump({**base, **fields}), encoding="utf-8")
    return folder


def test_manifest_problems_name_the_file_and_the_field(tmp_path: Path) -> None:
    _manifest(tmp_path / "a-ok")
    _manifest(tmp_path / "b-nolang", language=None)
    _manifest(tmp_path / "c-missing", answers=[{"question": "Q?", "file": "gone.mp4"}])
    _manifest(tmp_path / "d-both", answers=[{"question": "Q?", "file": "x.txt", "text": "t"}])
    _manifest(tmp_path / "e-comp", answers=[{"question": "Q?", "text": "t", "competency": "magic"}])
    _manifest(tmp_path / "f-escape", answers=[{"question": "Q?", "file": "../a-ok/manifest.yaml"}])
    (tmp_path / "g-none").mkdir()
    _manifest(tmp_path / "h-dup", candidate_id="a-ok")
    (
        _manifest(tmp_path / "i-docx", answers=[{"question": "Q?", "file": "a.docx"}]) / "a.docx"
    ).write_bytes(b"x")
    _manifest(tmp_path / "j-role", role="../nowhere.yaml")
    (tmp_path / "_ignored").mkdir()
    items = read_inputs(tmp_path)
    assert isinstance(items[0], Candidate) and items[0].candidate_id == "a-ok"
    errors = {e.source: e.message for e in items[1:] if isinstance(e, InputError)}
    assert len(errors) == len(items) - 1 == 9
    assert errors["b-nolang"].startswith("b-nolang/manifest.yaml: language")
    assert "answers.0.file: gone.mp4 does not exist" in errors["c-missing"]
    assert "exactly one of 'file'" in errors["d-both"]
    assert "answers.0.competency: 'magic'" in errors["e-comp"]
    assert "outside the candidate's folder" in errors["f-escape"]
    assert "no manifest" in errors["g-none"]
    assert "also used by a-ok/manifest.yaml" in errors["h-dup/manifest.yaml"]
    assert "neither a text file" in errors["i-docx"]
    assert "role: role file ../nowhere.yaml does not exist" in errors["j-role"]
    with pytest.raises(InvalidInput, match="no candidate folders"):
        read_inputs(tmp_path / "g-none")


def test_resume_key_follows_inputs_role_and_models(tmp_path: Path) -> None:
    folder = _manifest(tmp_path / "c1")
    (c,) = read_inputs(tmp_path)
    assert isinstance(c, Candidate)
    role = resolve_role(c.role)
    on, off = Settings(), Settings(integrity_text_checks=False, integrity_reference_answers=False)
    key = resume_key(resume_parts(c, role, off))
    assert key == resume_key(resume_parts(c, role, off))
    assert key != resume_key(resume_parts(c, role, on))  # another model's output in the report
    assert key != resume_key(resume_parts(c, resolve_role("Barista"), off))
    _manifest(folder, answers=[{"question": "Q?", "text": "A different answer."}])
    (changed,) = read_inputs(tmp_path)
    assert isinstance(changed, Candidate)
    assert key != resume_key(resume_parts(changed, role, off))


def test_role_yaml_gives_title_description_and_policy(tmp_path: Path) -> None:
    path = tmp_path / "role.yaml"
    path.write_text("title: Barista\ndescription: Coffee.\nscoring: {profile: eu}\n", "utf-8")
    spec = resolve_role("role.yaml", tmp_path)
    assert (spec.title, spec.description, spec.policy.presence) == ("Barista", "Coffee.", False)
    path.write_text("scoring: {profile: eu}\n", "utf-8")
    with pytest.raises(InvalidInput, match="needs a 'title'"):
        resolve_role(str(path))
    assert resolve_role("retail_associate").title == "Retail sales associate"


def test_report_names_are_safe_and_distinct() -> None:
    assert report_name("c-001") == "c-001.json"
    odd = [report_name(x) for x in ("../etc/passwd", "a b", "a_b", "李娜")]
    assert len(set(odd)) == 4 and all("/" not in n and n.endswith(".json") for n in odd)


def test_summary_quotes_formulas_and_the_index_escapes_text() -> None:
    rows = [
        Row("x/manifest.yaml", "failed", "=HYPERLINK(1)", error="<script>alert(1)</script>"),
        Row("y", "failed", "ok", error="bad"),
    ]
    assert "'=HYPERLINK(1)" in summary_csv(rows)
    page = index_html(rows, "Batch <1>")
    assert "<script>" not in page and "&lt;script&gt;" in page and "Batch &lt;1&gt;" in page
    assert "2 failed" in page


def test_peers_are_the_other_candidates_answers() -> None:
    group = [
        ("a", (StoredAnswer(1, "Q", "mine"),)),
        ("b", (StoredAnswer(1, "Q", "theirs"), StoredAnswer(2, "Q", " "))),
    ]
    peers = peers_for("a", group)
    assert [(p.session_id, p.question_id, p.text) for p in peers] == [("b", "q1", "theirs")]


def test_a_dead_worker_is_retried_once_then_reported() -> None:
    """Workers killed (as a decoder crash or the OOM killer would) do not hang the batch: the
    lost task runs once more in a new pool, and is reported failed when that dies too."""
    candidate = Candidate(
        candidate_id="c1",
        name="c1",
        role="retail_associate",
        language="en",
        answers=(BatchAnswer(question="Q?", text="I helped a customer."),),
        source="test",
    )
    task = Task("score", candidate, datetime.now(UTC), role=resolve_role("retail_associate"))
    engine = ProcessEngine(Settings(integrity_text_checks=False), 1)
    results: list[Outcome] = []
    runner = threading.Thread(target=lambda: results.extend(engine.map([task])))
    runner.start()
    killed: set[int] = set()
    deadline = time.monotonic() + 120
    while runner.is_alive() and time.monotonic() < deadline:
        for pid in list(getattr(engine._pool, "_processes", None) or {}):
            if pid not in killed:
                os.kill(pid, signal.SIGKILL)
                killed.add(pid)
        time.sleep(0.02)
    runner.join(timeout=60)
    engine.close()
    assert len(killed) == 2  # the first pool's worker, then the retry's
    assert len(results) == 1 and results[0].report is None
    assert results[0].error is not None and "died twice" in results[0].error


def test_ray_actors_share_the_cluster() -> None:
    assert actor_options({"CPU": 2.0}, 4) == {"num_cpus": 0.5}
    assert actor_options({"CPU": 16.0, "GPU": 1.0}, 2) == {"num_cpus": 1.0, "num_gpus": 0.5}
    assert actor_options({"CPU": 16.0, "GPU": 4.0}, 2)["num_gpus"] == 1.0


# -- end to end, real models ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example folder plus a corrupt recording and a manifest without its language."""
    root = tmp_path_factory.mktemp("batch") / "interviews"
    r = cli("demo", "--export", str(root), "--format", "json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["candidates"] == ["jordan-lee", "sam-park", "li-na", "alex-kim"]
    corrupt = _manifest(root / "zz-corrupt", answers=[{"question": "Q?", "file": "q1.mp4"}])
    (corrupt / "q1.mp4").write_bytes((root / "jordan-lee" / "q1.mp4").read_bytes()[:3000])
    _manifest(root / "zz-nolang", language=None)
    return root


@dataclass
class Resumed:
    out: Path
    first: dict[str, int]  # report files after the kill -> mtime (ns)
    rerun: subprocess.CompletedProcess[str]


@pytest.fixture(scope="module")
def resumed(folder: Path) -> Resumed:
    """A run killed (SIGKILL) as soon as its first report is written, then run again."""
    out = folder.parent / "scores"
    log = (folder.parent / "first.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "interview.cli", "score", str(folder), "--out", str(out), *FAST],
        stdout=subprocess.DEVNULL,
        stderr=log,
        env={**os.environ, **ENV},
        cwd=ROOT,
    )
    deadline = time.monotonic() + 300
    while not list((out / "reports").glob("*.json")):
        assert proc.poll() is None, (folder.parent / "first.log").read_text()
        assert time.monotonic() < deadline, "no report within 300 s"
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    log.close()
    first = {p.stem: p.stat().st_mtime_ns for p in (out / "reports").glob("*.json")}
    rerun = cli("score", str(folder), "--out", str(out), *FAST)
    return Resumed(out, first, rerun)


def test_a_killed_run_resumes_where_it_stopped(resumed: Resumed) -> None:
    assert 0 < len(resumed.first) < len(GOOD), "the kill came after every report was written"
    assert resumed.rerun.returncode == 1, resumed.rerun.stderr  # two bad candidates
    err = resumed.rerun.stderr
    after = {p.stem: p.stat().st_mtime_ns for p in (resumed.out / "reports").glob("*.json")}
    assert sorted(after) == sorted(GOOD)
    rows = summary(resumed.out)
    for cid in GOOD:
        if cid in resumed.first:  # untouched, and said so
            assert after[cid] == resumed.first[cid]
            assert f"skipped {cid}" in err and rows[cid]["status"] == "skipped"
        else:
            assert f"scored {cid}" in err and rows[cid]["status"] == "scored"
    assert "perceived" not in err  # transcripts came from the first run's cache
    assert "4 scored" not in err and "2 failed" in err


def test_recorded_answers_are_perceived_and_scored_like_the_dashboard(resumed: Resumed) -> None:
    found = reports(resumed.out)
    jordan, sam = found["jordan-lee"], found["sam-park"]
    heard = jordan["batch"]["answers"][0]
    assert heard["spoken"] and heard["file"] == "q1.mp4" and "ask not" in heard["text"].lower()
    assert {d["name"] for d in jordan["dimensions"]} == {"delivery", "presence"}  # shown
    assert {c["modality"] for c in jordan["contributions"]} == {"content"}  # scored: content
    assert {d["name"] for d in sam["dimensions"]} == {"delivery"}  # audio only
    assert (
        sam["batch"]["answers"][0]["spoken"]
        and "customer" in sam["batch"]["answers"][0]["text"].lower()
    )
    # The photo was enrolled and the clip's face is the same person: no identity flag.
    assert jordan["provenance"]["models"]["face_embed"] == "face-dlib"
    assert not [f for f in jordan["integrity_flags"] if f["kind"] == "identity_mismatch"]
    assert {"media", "duplicates"} <= set(jordan["integrity_summary"]["checks"])
    # Sam's typed answer is Jordan's with two words changed: both flagged, each naming the other.
    for me, other in (("jordan-lee", "sam-park"), ("sam-park", "jordan-lee")):
        dup = [f for f in found[me]["integrity_flags"] if f["kind"] == "near_duplicate"]
        assert dup and dup[0]["evidence"]["other_session_id"] == other
        assert found[me]["integrity"] in ("medium", "high")
    assert found["alex-kim"]["integrity"] == "low"  # same answer text, but another role
    assert found["li-na"]["language"] == "zh" and found["li-na"]["competencies"]
    assert found["alex-kim"]["role_title"] == "Store supervisor"
    for rep in found.values():
        assert all(e["quote"] for c in rep["competencies"] for e in c["evidence"])
        assert rep["batch"]["key"] and rep["provenance"]["settings_hash"]


def test_bad_files_are_in_the_summary_and_the_index(resumed: Resumed) -> None:
    rows = summary(resumed.out)
    assert rows["zz-corrupt"]["status"] == "failed" and "q1.mp4" in rows["zz-corrupt"]["error"]
    assert rows["zz-nolang"]["status"] == "failed"
    assert "zz-nolang/manifest.yaml: language" in rows["zz-nolang"]["error"]
    assert rows["jordan-lee"]["band"] and rows["jordan-lee"]["level:customer_orientation"]
    assert float(rows["jordan-lee"]["overall"]) == reports(resumed.out)["jordan-lee"]["overall"]
    page = (resumed.out / "index.html").read_text(encoding="utf-8")
    assert 'href="reports/jordan-lee.json"' in page and "zz-corrupt" in page


def test_two_workers_give_the_same_reports(folder: Path, resumed: Resumed) -> None:
    out = folder.parent / "scores-jobs2"
    r = cli("score", str(folder), "--out", str(out), "--jobs", "2", *FAST)
    assert r.returncode == 1, r.stderr
    assert reports(out) == reports(resumed.out)
    assert summary(out)["zz-corrupt"]["error"] == summary(resumed.out)["zz-corrupt"]["error"]


def test_ray_engine_gives_the_same_reports(folder: Path, resumed: Resumed) -> None:
    out = folder.parent / "scores-ray"
    r = cli("score", str(folder), "--out", str(out), "--engine", "ray", *FAST)
    assert r.returncode == 1, r.stderr
    assert reports(out) == reports(resumed.out)


def test_text_interviews_with_the_machine_text_check(tmp_path: Path) -> None:
    pairs = json.loads((DATA / "text" / "xsum_gpt-4.json").read_text(encoding="utf-8"))
    long_answer = pairs["original"][0]
    lines = [
        {
            "candidate_id": f"t-{n}",
            "role": "retail_associate",
            "language": "en",
            "answers": [
                {"question": "Tell me about a time you helped a customer.", "answer": long_answer},
                {
                    "question": "What would you do if a colleague took money?",
                    "answer": "Tell my manager.",
                },
            ],
        }
        for n in (1, 2)
    ]
    path = tmp_path / "interviews.jsonl"
    path.write_text("\n".join(json.dumps(x) for x in lines) + "\n[]\n", encoding="utf-8")
    out = tmp_path / "out"
    r = cli(
        "score",
        str(path),
        "--out",
        str(out),
        "--text-checks",
        "--no-reference-answers",
        "--format",
        "json",
    )
    assert r.returncode == 1, r.stderr  # line 3 is not an interview
    printed = json.loads(r.stdout)
    assert [p["status"] for p in printed] == ["scored", "scored", "failed"]
    assert printed[2]["error"].startswith("line 3:")
    found = reports(out)
    assert sorted(found) == ["t-1", "t-2"]
    for me, other in (("t-1", "t-2"), ("t-2", "t-1")):
        rep = found[me]
        assert {"machine_text", "duplicates"} <= set(rep["integrity_summary"]["checks"])
        assert rep["provenance"]["models"]["ai_text"]
        dup = [f for f in rep["integrity_flags"] if f["kind"] == "near_duplicate"]
        assert dup and dup[0]["evidence"]["other_session_id"] == other
    assert printed[0]["overall"] == found["t-1"]["overall"]


def test_bad_usage_exits_2(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "file").write_text("x", encoding="utf-8")
    for args in (
        ("score", str(tmp_path / "missing")),
        ("score", str(tmp_path / "empty")),
        ("score", str(tmp_path / "empty"), "--out", str(tmp_path / "file")),
        ("score", str(tmp_path / "empty"), "--address", "127.0.0.1:6379"),
        ("score", str(tmp_path / "empty"), "--jobs", "0"),
        ("score", str(tmp_path / "empty"), "--engine", "spark"),
    ):
        r = cli(*args, timeout=60)
        assert r.returncode == 2, (args, r.stderr)
    assert "no candidate folders" in cli("score", str(tmp_path / "empty"), timeout=60).stderr


def test_export_refuses_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    (tmp_path / "x").write_text("x", encoding="utf-8")
    with pytest.raises(InvalidInput, match="not empty"):
        export_demo(tmp_path)


def test_names_and_answers_read_from_files_are_cleaned_like_the_api(tmp_path: Path) -> None:
    """The batch route cleans text as the API does (text/clean.py): no controls or invisible
    characters in names or answers; answers keep their lines."""
    folder = tmp_path / "c-1"
    folder.mkdir()
    (folder / "a.txt").write_text("typed\u202e\x07 answer\n", encoding="utf-8")
    _manifest(
        folder,
        name="\u202eAna\x00\n Silva\u200b",
        answers=[
            {"question": "Q\u2066?", "text": "line one\r\n\u200fline two\x00\x1b"},
            {"question": "Q2", "file": "a.txt"},
        ],
    )
    (tmp_path / "in.jsonl").write_text(
        json.dumps(
            {
                "candidate_id": "j\u200b-1",
                "role": "retail_associate",
                "answers": [{"question": "Q", "answer": "a\u2067b\x00"}],
            }
        )
        + "\n",
        encoding="utf-8",
    )
    (found,) = read_inputs(tmp_path)
    assert isinstance(found, Candidate)
    assert found.name == "Ana Silva"
    assert [(a.question, a.text) for a in found.answers] == [
        ("Q?", "line one\nline two"),
        ("Q2", "typed answer\n"),
    ]
    (line,) = read_inputs(tmp_path / "in.jsonl")
    assert isinstance(line, Candidate)
    assert (line.name, line.answers[0].text) == ("j-1", "ab")
