"""The CLI: JSON on stdout, logs on stderr, clear errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "interview.cli", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=300,
    )


def test_help_lists_the_commands() -> None:
    out = run("--help").stdout
    for cmd in ("serve", "db", "demo", "models", "roles", "plan"):
        assert cmd in out


def test_models_list_json_names_the_device() -> None:
    r = run("models", "list", "--format", "json")
    assert r.returncode == 0, r.stderr
    rows = json.loads(r.stdout)
    e5 = next(x for x in rows if x["name"] == "e5-small-multilingual")
    assert e5["device"] == "cpu" and e5["task"] == "embed"


def test_roles_and_plan_json() -> None:
    roles = json.loads(run("roles", "list", "--format", "json").stdout)
    assert {"restaurant_server", "software_engineer"} <= {r["id"] for r in roles}
    r = run(
        "plan",
        "--role",
        "restaurant_server",
        "--language",
        "zh",
        "--questions",
        "3",
        "--format",
        "json",
    )
    assert r.returncode == 0, r.stderr
    plan = json.loads(r.stdout)
    kinds = [q["kind"] for q in plan["questions"]]
    assert plan["language"] == "zh" and len(kinds) == 5  # 3 open + 2 items (frontline role)
    assert {"sjt", "picture"} & set(kinds) and all(q["time_limit_s"] for q in plan["questions"])


def test_plan_with_a_resume_asks_about_it_by_name(tmp_path: Path) -> None:
    resume = tmp_path / "cv.txt"
    resume.write_text(
        "Work experience\n"
        "2019.03 - 2019.11 ABC Logistics — Warehouse Supervisor\n"
        "2020.01 - 2020.08 XYZ Retail — Store Associate\n"
        "2021.06 - 2023.05 Fresh Mart — Shift Lead\n"
        "Skills: forklift, Excel\n",
        encoding="utf-8",
    )
    r = run(
        "plan",
        "--role",
        "warehouse_picker",
        "--resume",
        str(resume),
        "--items",
        "0",
        "--format",
        "json",
    )
    assert r.returncode == 0, r.stderr
    plan = json.loads(r.stdout)
    resume_qs = [q for q in plan["questions"] if q["kind"] == "resume"]
    assert resume_qs and any("ABC Logistics" in q["text"] for q in resume_qs)
    assert len(plan["resume"]["jobs"]) == 3
    missing = run("plan", "--role", "nurse", "--resume", str(tmp_path / "none.pdf"))
    assert missing.returncode == 1 and "does not exist" in missing.stderr


def test_followup_cli_asks_for_the_missing_result() -> None:
    r = run(
        "followup",
        "--competency",
        "customer_orientation",
        "--question",
        "Tell me about a time you helped an unhappy customer.",
        "--answer",
        "Last month at the shop a customer was upset about a late order. I was responsible "
        "for the counter, so I checked the system, called the warehouse and offered a "
        "discount.",
        "--format",
        "json",
    )
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["needed"] and out["gap"] == "result" and out["probe"]
    done = run(
        "followup",
        "--competency",
        "customer_orientation",
        "--question",
        "Q",
        "--answer",
        "fine",
        "--asked",
        "2",
        "--format",
        "json",
    )
    assert json.loads(done.stdout)["needed"] is False


def test_bad_settings_and_pins_fail_clearly() -> None:
    r = run("models", "list", env={"INTERVIEW_DEVICE_POLICY": "tpu9"})
    assert r.returncode == 2 and "INTERVIEW_DEVICE_POLICY='tpu9'" in r.stderr


def test_demo_seeds_and_prints_a_sign_in(tmp_path: Path) -> None:
    env = {"INTERVIEW_DATA_DIR": str(tmp_path / "var")}
    r = run("demo", "--format", "json", env=env)
    assert r.returncode == 0, r.stderr
    first = json.loads(r.stdout)
    assert first["email"] == "admin@demo.example" and len(first["password"]) >= 12
    assert "#" in first["invite_link"]
    assert first["password"] not in r.stderr  # secrets never reach the log
    again = json.loads(run("demo", "--format", "json", env=env).stdout)
    assert again["password"] != first["password"]  # re-running resets, never duplicates

    from fastapi.testclient import TestClient

    from interview.api.app import create_app
    from interview.config import Settings

    app = create_app(Settings(data_dir=tmp_path / "var", job_workers=0))
    with TestClient(app) as client:
        login = client.post(
            "/api/v1/auth/login", json={"email": again["email"], "password": again["password"]}
        )
        assert login.status_code == 200
        hr = {"Authorization": f"Bearer {login.json()['token']}"}
        sessions = client.get("/api/v1/sessions", headers=hr).json()
        scored = [s for s in sessions if s["status"] == "scored"]
        assert len(scored) == 2 and len(client.get("/api/v1/roles", headers=hr).json()) == 2
        by_name = {s["candidate_name"]: s["overall"] for s in scored}
        assert by_name["Jordan Lee"] > by_name["Sam Park"]


def test_score_jsonl_reports_every_candidate_and_names_bad_lines(tmp_path: Path) -> None:
    good = {
        "candidate_id": "c-001",
        "role": "retail_associate",
        "language": "en",
        "answers": [
            {
                "question": "Tell me about a time you helped a customer who was upset.",
                "answer": "Last December at our store a customer was angry because his order was "
                "late. I listened, checked the system, found the parcel at the depot "
                "and drove it over myself after my shift. He thanked us and came back "
                "the next week to buy a second jacket.",
            },
            {
                "question": "What would you do if you saw a colleague take money from the till?",
                "answer": "I don't know.",
            },
        ],
    }
    zh = {
        "candidate_id": "c-002",
        "role": "餐厅服务员",
        "language": "zh",
        "answers": [
            {
                "question": "请讲一次您处理顾客投诉的经历。",
                "answer": "去年夏天一位客人说菜太咸，我先道歉，马上请厨房重做，并送了一份甜品。"
                "客人最后很满意，还在点评网站上表扬了我们。",
            }
        ],
    }
    path = tmp_path / "interviews.jsonl"
    path.write_text(
        "\n".join(
            [
                json.dumps(good),
                "{not json",
                json.dumps({"role": "x"}),
                json.dumps(zh, ensure_ascii=False),
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    r = run("score", str(path), "--format", "json")
    assert r.returncode == 1, r.stderr  # some lines failed
    out = json.loads(r.stdout)
    assert [o.get("candidate_id") for o in out if "error" not in o] == ["c-001", "c-002"]
    errors = [o["error"] for o in out if "error" in o]
    assert any("line 2: not JSON" in e for e in errors)
    assert any("line 3" in e and "candidate_id" in e for e in errors)
    first = out[0]
    assert 0 <= first["overall"] <= 100 and first["competencies"]
    assert all(e["quote"] for c in first["competencies"] for e in c["evidence"])
    assert run("score", str(tmp_path / "missing.jsonl")).returncode == 2
