"""Library, resume and follow-up tools through the API, with real files made in the test."""

from __future__ import annotations

import io
import zipfile

from tests.api.conftest import Api

RESUME_EN = [
    "Work experience",
    "2019.03 - 2019.11 ABC Logistics — Warehouse Supervisor",
    "2020.01 - 2020.08 XYZ Retail — Store Associate",
    "2021.06 - 2023.05 Fresh Mart — Shift Lead",
    "Led a team of 8 pickers and cut mis-picks by 30%",
]
RESUME_ZH = [
    "工作经历",
    "2018.03-2020.06 上海某某物流有限公司 仓库主管",
    "2021.03-2021.10 杭州某某超市 理货员",
    "技能：叉车、Excel",
]


def docx(lines: list[str]) -> bytes:
    """A minimal valid DOCX written by hand."""
    body = "".join(f"<w:p><w:r><w:t>{line}</w:t></w:r></w:p>" for line in lines)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.'
            'openxmlformats.org/package/2006/content-types"><Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/><Override '
            'PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.wordprocessingml.document.main+xml"/></Types>',
        )
        z.writestr(
            "_rels/.rels",
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
            'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" '
            'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'officeDocument" Target="word/document.xml"/></Relationships>',
        )
        z.writestr(
            "word/document.xml",
            '<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.'
            'openxmlformats.org/wordprocessingml/2006/main"><w:body>'
            + body
            + "</w:body></w:document>",
        )
    return buf.getvalue()


def test_library_endpoints(api: Api) -> None:
    hr = api.login("reviewer@acme.test")
    comps = api.client.get("/api/v1/library/competencies", headers=hr).json()
    roles = api.client.get("/api/v1/library/roles", headers=hr).json()
    assert len(comps) >= 40 and len(roles) >= 15
    assert api.client.get("/api/v1/library/roles").status_code == 401


def test_resume_parse_and_attach(api: Api) -> None:
    hr = api.login()
    r = api.client.post(
        "/api/v1/resumes/parse",
        headers=hr,
        data={"language": "zh"},
        files={"file": ("cv.docx", docx(RESUME_ZH), "application/octet-stream")},
    )
    assert r.status_code == 200, r.text
    facts = r.json()["facts"]
    assert [j["employer"] for j in facts["jobs"]][0].startswith("上海")
    assert any(q["kind"] == "resume" for q in r.json()["questions"])

    role = api.client.post(
        "/api/v1/roles",
        json={"title": "Warehouse picker", "max_questions": 1, "choice_items": 0},
        headers=hr,
    ).json()
    inv = api.client.post(
        f"/api/v1/roles/{role['id']}/invitations", json={"candidate_name": "Kai"}, headers=hr
    ).json()
    attach = api.client.post(
        f"/api/v1/sessions/{inv['session_id']}/resume",
        headers=hr,
        files={"file": ("cv.docx", docx(RESUME_EN), "application/zip")},
    )
    assert attach.status_code == 200, attach.text
    page = api.client.get(f"/api/v1/interview/{inv['token']}").json()
    resume_qs = [q for q in page["questions"] if q["kind"] == "resume"]
    assert resume_qs and any("ABC Logistics" in q["text"] for q in resume_qs)

    junk = api.client.post(
        "/api/v1/resumes/parse",
        headers=hr,
        files={"file": ("cv.pdf", b"%PDF-1.4 garbage", "application/pdf")},
    )
    assert junk.status_code == 422 and "PDF" in junk.json()["error"]["message"]
    empty = api.client.post(
        "/api/v1/resumes/parse", headers=hr, files={"file": ("cv.txt", b"", "text/plain")}
    )
    assert empty.status_code == 422 and "empty" in empty.json()["error"]["message"]


def test_followup_tool(api: Api) -> None:
    hr = api.login()
    r = api.client.post(
        "/api/v1/followups",
        headers=hr,
        json={
            "competency_id": "teamwork",
            "question": "Tell me about a time you helped a colleague.",
            "answer": "我们一起把事情做完了。",
            "language": "zh",
        },
    )
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["needed"] and out["probe"] and any("\u4e00" <= ch <= "\u9fff" for ch in out["probe"])
    bad = api.client.post(
        "/api/v1/followups", headers=hr, json={"competency_id": "mind_reading", "answer": "x"}
    )
    assert bad.status_code == 404 and "mind_reading" in bad.json()["error"]["message"]


def test_work_history_questions_come_first_and_are_not_scored(api: Api) -> None:
    hr = api.login()
    role = api.client.post(
        "/api/v1/roles",
        headers=hr,
        json={
            "title": "餐厅服务员",
            "language": "zh",
            "max_questions": 1,
            "choice_items": 0,
            "work_history": True,
        },
    ).json()
    assert [q["kind"] for q in role["questions"]][:3] == ["history"] * 3
    inv = api.client.post(
        f"/api/v1/roles/{role['id']}/invitations",
        json={"candidate_name": "小王", "language": "zh"},
        headers=hr,
    ).json()
    t = inv["token"]
    api.client.post(
        f"/api/v1/interview/{t}/consent", json={"recording": True, "ai_assessment": True}
    )
    for qid, text in (
        ("history:job", "在超市做收银员"),
        ("history:duration", "一年多"),
        ("history:reason", "想找离家近的工作"),
    ):
        r = api.client.post(
            f"/api/v1/interview/{t}/answers", json={"question_id": qid, "text": text}
        )
        assert r.status_code == 201 and r.json()["followup"] is None
    facts = api.client.get(f"/api/v1/sessions/{inv['session_id']}/history", headers=hr).json()
    assert facts["jobs"][0]["title"] == "在超市做收银员" and 12 <= facts["jobs"][0]["months"] <= 24
