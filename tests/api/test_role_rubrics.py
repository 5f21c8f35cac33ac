"""HR's wording of a role's anchors and indicators: shown on the role, saved as a new model
version through PUT /roles/{id}/competencies (audited, earlier invites keep theirs), refused
with the field named when it is incomplete or too long, and read by the scorer of every
interview invited after the edit."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from interview.pipeline import AnswerScorer, score_session
from interview.storage.tables import AuditEvent
from tests.api.conftest import Api

API = "/api/v1"
ANSWER = (
    "A regular customer came back furious because the jacket we altered was too short. "
    "I listened without interrupting, checked the order slip and found our tailor had used "
    "the wrong measurement. I apologised, offered a free re-alteration by Friday and a 20% "
    "voucher, and called her on Thursday to confirm. She picked it up happy and has since "
    "referred two friends to the store."
)
# Said almost word for word in ANSWER; nothing in the library reads like it.
NEW_INDICATOR = "Apologises and offers a free re-alteration by Friday and a 20% voucher"


def _role(api: Api, hr: dict[str, str]) -> dict[str, Any]:
    r = api.client.post(
        f"{API}/roles",
        json={"title": "Retail sales associate", "max_questions": 2, "choice_items": 0},
        headers=hr,
    )
    assert r.status_code == 201, r.text
    return r.json()


def _body(role: dict[str, Any], cid: str, **rubric: Any) -> dict[str, Any]:
    comp = next(c for c in role["competencies"] if c["id"] == cid)
    std = comp["standards"][0]
    base = {
        "language": "en",
        "anchors": [a["description"] for a in comp["anchors"]],
        "positive": {std["id"]: [NEW_INDICATOR, *std["positive"][1:]]},
    }
    open_questions = [q for q in role["questions"] if q["kind"] in ("behavioural", "situational")]
    return {  # as the role page sends it: the saved weights and number of open questions
        "weights": {c["id"]: c["weight"] for c in role["competencies"]},
        "max_questions": len(open_questions),
        "rubrics": {cid: {**base, **rubric}},
    }


def test_anchors_and_indicators_are_shown_edited_as_a_new_version_and_audited(api: Api) -> None:
    hr = api.login()
    role = _role(api, hr)
    comp = role["competencies"][0]
    assert [a["level"] for a in comp["anchors"]] == [1, 2, 3, 4, 5]
    assert all(a["description"] for a in comp["anchors"])
    assert comp["standards"] and all(len(s["positive"]) >= 2 for s in comp["standards"])
    assert comp["edited"] is False

    body = _body(role, comp["id"])
    body["rubrics"][comp["id"]]["anchors"][2] = "Solves the problem and says what was done."
    r = api.client.put(f"{API}/roles/{role['id']}/competencies", json=body, headers=hr)
    assert r.status_code == 200, r.text
    v2 = r.json()
    assert v2["version"] == role["version"] + 1
    edited = next(c for c in v2["competencies"] if c["id"] == comp["id"])
    assert edited["edited"] is True
    assert edited["anchors"][2]["description"] == "Solves the problem and says what was done."
    assert edited["standards"][0]["positive"][0] == NEW_INDICATOR
    # Only the wording changed: the same questions (no multiple-choice items added).
    assert [q["id"] for q in v2["questions"]] == [q["id"] for q in role["questions"]]
    others = [c for c in v2["competencies"] if c["id"] != comp["id"]]
    assert not any(c["edited"] for c in others)

    # A later weights-only edit keeps HR's wording instead of the library's.
    weights = {c["id"]: c["weight"] for c in v2["competencies"]}
    v3 = api.client.put(
        f"{API}/roles/{role['id']}/competencies", json={"weights": weights}, headers=hr
    ).json()
    kept = next(c for c in v3["competencies"] if c["id"] == comp["id"])
    assert kept["edited"] is True and kept["standards"][0]["positive"][0] == NEW_INDICATOR

    versions = api.client.get(f"{API}/roles/{role['id']}/versions", headers=hr).json()
    assert [v["version"] for v in versions] == [1, 2, 3]
    with api.db.session() as s:
        events = s.scalars(
            select(AuditEvent)
            .where(AuditEvent.action == "role.model_version")
            .where(AuditEvent.subject == f"role:{role['id']}")
        ).all()
        details = sorted((e.detail["version"], e.detail.get("reworded")) for e in events)
    assert details == [(1, None), (2, [comp["id"]]), (3, None)]

    # A reviewer reads the wording but may not change it.
    reviewer = api.login("reviewer@acme.test")
    shown = api.client.get(f"{API}/roles/{role['id']}", headers=reviewer).json()
    assert shown["competencies"] == v3["competencies"]
    refused = api.client.put(f"{API}/roles/{role['id']}/competencies", json=body, headers=reviewer)
    assert refused.status_code == 403


def test_incomplete_or_oversized_wording_is_refused_naming_the_field(api: Api) -> None:
    hr = api.login()
    role = _role(api, hr)
    cid = role["competencies"][0]["id"]
    std = role["competencies"][0]["standards"][0]["id"]
    anchors = [a["description"] for a in role["competencies"][0]["anchors"]]
    url = f"{API}/roles/{role['id']}/competencies"
    cases = [
        (dict(anchors=[*anchors[:2], "   ", *anchors[3:]]), f"rubrics.{cid}.anchors.2"),
        (dict(anchors=anchors[:4]), f"rubrics.{cid}.anchors"),
        (dict(positive={std: ["x" * 301, "fine"]}), f"rubrics.{cid}.positive.{std}.0"),
        (dict(positive={std: ["only one"]}), f"rubrics.{cid}.positive.{std}"),
        (dict(negative={std: ["a"] * 9}), f"rubrics.{cid}.negative.{std}"),
        (dict(positive={"no_such_standard": ["a", "b"]}), "no_such_standard"),
    ]
    for change, named in cases:
        r = api.client.put(url, json=_body(role, cid, **change), headers=hr)
        assert r.status_code == 422, (change, r.text)
        assert named in r.json()["error"]["message"], (named, r.text)
    stray = _body(role, cid)
    stray["weights"].pop(cid)
    r = api.client.put(url, json=stray, headers=hr)
    assert r.status_code == 422 and cid in r.json()["error"]["message"], r.text
    # Nothing was saved by any refused edit.
    versions = api.client.get(f"{API}/roles/{role['id']}/versions", headers=hr).json()
    assert [v["version"] for v in versions] == [1]


def _answered(api: Api, hr: dict[str, str], role_id: str) -> tuple[str, str]:
    """Invite, consent and answer the first question in writing: (session, question id)."""
    inv = api.client.post(
        f"{API}/roles/{role_id}/invitations", json={"candidate_name": "Ana Silva"}, headers=hr
    ).json()
    token = inv["token"]
    page = api.client.get(f"{API}/interview/{token}").json()
    consent = {"recording": True, "ai_assessment": True}
    assert api.client.post(f"{API}/interview/{token}/consent", json=consent).status_code == 201
    q = page["questions"][0]
    ack = api.client.post(
        f"{API}/interview/{token}/answers", json={"question_id": q["id"], "text": ANSWER}
    )
    assert ack.status_code == 201, ack.text
    return inv["session_id"], q["id"]


def test_an_edited_indicator_changes_what_the_scorer_matches(api: Api, embedder) -> None:  # type: ignore[no-untyped-def]
    hr = api.login()
    role = _role(api, hr)
    before, qid = _answered(api, hr, role["id"])
    cid = next(q["competency_id"] for q in role["questions"] if q["id"] == qid)
    r = api.client.put(f"{API}/roles/{role['id']}/competencies", json=_body(role, cid), headers=hr)
    assert r.status_code == 200, r.text
    after, qid_after = _answered(api, hr, role["id"])
    assert qid_after == qid

    # One scorer for both, as in the server: its caches must not hand the edited
    # competency the library's indicators (or the other way round).
    scorer = AnswerScorer(embedder)
    now = datetime.now(UTC)
    matched = {}
    for session_id in (before, after, before):
        _, scores, _ = score_session(api.db, scorer, api.settings, session_id, now)
        (score,) = [x for x in scores if x.question_id == qid]
        assert score.level >= 3, score  # positive indicators are shown from level 3
        matched.setdefault(session_id, set()).add(score.matched_positive)
    (old,), (new,) = matched[before], matched[after]
    assert NEW_INDICATOR in new, new
    assert NEW_INDICATOR not in old, old
