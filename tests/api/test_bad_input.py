"""Bad input gets a 4xx whose message names the problem; never a 500."""

from __future__ import annotations

import subprocess
import unicodedata
import zipfile
import zlib
from collections.abc import AsyncIterator
from pathlib import Path

import anyio
import httpx
import pytest
from fpdf import FPDF
from sqlalchemy import func, select

from interview.storage.tables import Answer
from tests.api.conftest import Api
from tests.conftest import SHARED
from tests.resume.test_extract import EN_LINES, needs_dejavu, write_docx, write_pdf

JFK = SHARED / "data" / "audio" / "jfk.flac"


@pytest.fixture
def hr(api: Api) -> dict[str, str]:
    return api.login()


def test_missing_and_wrong_fields_are_named(api: Api, hr: dict[str, str]) -> None:
    r = api.client.post("/api/v1/roles", json={}, headers=hr)
    assert r.status_code == 422 and "title" in r.json()["error"]["message"]
    r = api.client.post("/api/v1/roles", json={"title": "X", "max_questions": "many"}, headers=hr)
    assert r.status_code == 422 and "max_questions" in r.json()["error"]["message"]
    r = api.client.post("/api/v1/roles", json={"title": "X", "language": "fr"}, headers=hr)
    assert r.status_code == 422 and "language" in r.json()["error"]["message"]
    r = api.client.post("/api/v1/roles", json={"title": "X", "surprise": 1}, headers=hr)
    assert r.status_code == 422 and "surprise" in r.json()["error"]["message"]
    r = api.client.post(
        "/api/v1/roles", content=b"{not json", headers={**hr, "content-type": "application/json"}
    )
    assert r.status_code == 422


def test_unknown_ids_are_404_with_the_id(api: Api, hr: dict[str, str]) -> None:
    for path in ("/api/v1/roles/nope", "/api/v1/sessions/nope/report", "/api/v1/jobs/nope"):
        r = api.client.get(path, headers=hr)
        assert r.status_code == 404 and "'nope'" in r.json()["error"]["message"], path
    r = api.client.get("/api/v1/interview/not-a-token")
    assert r.status_code == 404 and "link is not valid" in r.json()["error"]["message"]


def test_unknown_question_is_named(api: Api, hr: dict[str, str]) -> None:
    role = api.client.post(
        "/api/v1/roles", json={"title": "Nurse", "max_questions": 1}, headers=hr
    ).json()
    token = api.client.post(
        f"/api/v1/roles/{role['id']}/invitations", json={"candidate_name": "B"}, headers=hr
    ).json()["token"]
    api.client.post(
        f"/api/v1/interview/{token}/consent", json={"recording": True, "ai_assessment": True}
    )
    r = api.client.post(
        f"/api/v1/interview/{token}/answers", json={"question_id": "made_up:b9", "text": "hello"}
    )
    assert r.status_code == 404 and "made_up:b9" in r.json()["error"]["message"]
    long = "word " * 5000
    r = api.client.post(
        f"/api/v1/interview/{token}/answers",
        json={"question_id": role["questions"][0]["id"], "text": long},
    )
    assert r.status_code == 422 and "limit" in r.json()["error"]["message"]


def test_oversized_bodies_are_refused(api: Api, hr: dict[str, str]) -> None:
    big = b'{"title": "' + b"x" * (5 * 1024 * 1024) + b'"}'
    r = api.client.post(
        "/api/v1/roles", content=big, headers={**hr, "content-type": "application/json"}
    )
    assert r.status_code == 413 and "limit" in r.json()["error"]["message"]

    def chunks():  # type: ignore[no-untyped-def]
        for _ in range(5 * 1024):
            yield b"x" * 1024

    r = api.client.post(
        "/api/v1/roles", content=chunks(), headers={**hr, "content-type": "application/json"}
    )
    assert r.status_code == 413


def test_auth_errors(api: Api) -> None:
    assert api.client.get("/api/v1/roles").status_code == 401
    r = api.client.get("/api/v1/roles", headers={"Authorization": "Bearer forged.token"})
    assert r.status_code == 401 and "sign in again" in r.json()["error"]["message"]
    r = api.client.post("/api/v1/auth/login", json={"email": "admin@acme.test", "password": "no"})
    assert r.status_code == 401


def test_health_ready_and_docs(api: Api) -> None:
    assert api.client.get("/health").json() == {"status": "ok"}
    ready = api.client.get("/ready")
    assert ready.status_code == 200, ready.text
    assert ready.json()["checks"]["database"] == "ok"
    assert api.client.get("/docs").status_code == 200
    spec = api.client.get("/api/v1/openapi.json").json()
    assert "/api/v1/roles" in spec["paths"]


def test_control_characters_in_urls_are_refused(api: Api, hr: dict[str, str]) -> None:
    """A percent-encoded NUL in an id or a search reached PostgreSQL (which cannot compare
    text holding one) as a 500; now it is a 422 that says what is wrong."""
    for path in (
        "/api/v1/roles/%00",
        "/api/v1/sessions/abc%00/report",
        "/api/v1/jobs/%00",
        "/api/v1/sessions?q=%00",
        "/api/v1/sessions?role_id=a%00b",
        "/api/v1/users?role=%1b",
        "/api/v1/interview/tok%00en",
    ):
        r = api.client.get(path, headers=hr)
        assert r.status_code == 422, (path, r.text)
        assert "control character" in r.json()["error"]["message"], path
    # Ordinary non-ASCII text in a search is fine.
    assert api.client.get("/api/v1/sessions?q=%E6%9D%8E", headers=hr).status_code == 200


def test_text_input_is_normalised_to_nfc(api: Api, hr: dict[str, str]) -> None:
    decomposed = unicodedata.normalize("NFD", "Zoë Ångström")
    assert decomposed != "Zoë Ångström"
    r = api.client.post(
        "/api/v1/users",
        headers=hr,
        json={
            "email": "zoe@acme.test",
            "name": decomposed + "\u0000",
            "role": "reviewer",
            "password": unicodedata.normalize("NFD", "pässwörd with umlauts"),
        },
    )
    assert r.status_code == 201, r.text
    assert r.json()["name"] == "Zoë Ångström"  # composed, the NUL gone
    users = api.client.get("/api/v1/users", headers=hr).json()
    assert "Zoë Ångström" in [u["name"] for u in users]
    # The password was normalised the same way: typed composed, it still signs in.
    login = {"email": "zoe@acme.test", "password": "pässwörd with umlauts"}
    assert api.client.post("/api/v1/auth/login", json=login).status_code == 200
    lone = (
        b'{"email": "x@acme.test", "name": "A\\ud800", "role": "reviewer", '
        b'"password": "long enough pw"}'
    )
    r = api.client.post(
        "/api/v1/users", content=lone, headers={**hr, "content-type": "application/json"}
    )
    assert r.status_code == 422 and "name" in r.json()["error"]["message"]
    assert "surrogate" in r.json()["error"]["message"]


def _pdf_bomb() -> bytes:
    """One page whose 17 KB of deflated content unpacks to 8 MB of drawing instructions."""
    raw = b"BT /F1 12 Tf 72 712 Td (Jane Doe) Tj ET\n" + b" 0 0 m 1 1 l S\n" * 560_000
    stream = zlib.compress(raw, 9)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out, offsets = b"%PDF-1.4\n", []
    for i, obj in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 5\n0000000000 65535 f \n" + b"".join(b"%010d 00000 n \n" % o for o in offsets)
    return out + b"trailer\n<< /Size 5 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % xref


@needs_dejavu
def test_resume_uploads_name_the_problem(api: Api, hr: dict[str, str], tmp_path: Path) -> None:
    write_pdf(tmp_path / "book.pdf", ["Chapter one"], pages=11)
    locked = FPDF()
    locked.add_page()
    locked.set_font("helvetica", size=11)
    locked.cell(text="Jane Doe, Warehouse Supervisor at ABC Logistics since 2019")
    locked.set_encryption(owner_password="owner", user_password="secret")
    locked.output(str(tmp_path / "locked.pdf"))
    bomb = write_docx(tmp_path / "bomb.docx", EN_LINES)
    with zipfile.ZipFile(bomb, "a", zipfile.ZIP_DEFLATED) as z:
        z.writestr("word/media/padding.xml", b"\0" * (30 * 1024 * 1024))
    write_docx(tmp_path / "ratio.docx", ["Warehouse Supervisor"] * 100_000)
    cases = {
        "11 pages": (tmp_path / "book.pdf").read_bytes(),
        "password-protected": (tmp_path / "locked.pdf").read_bytes(),
        "zip bomb": bomb.read_bytes(),
        "100:1": (tmp_path / "ratio.docx").read_bytes(),
        "PDF bomb": _pdf_bomb(),
        "empty": b"",
        "unknown file format": b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 8,
    }
    for why, data in cases.items():
        r = api.client.post(
            "/api/v1/resumes/parse",
            headers=hr,
            files={"file": ("resume.pdf", data, "application/pdf")},
        )
        assert r.status_code == 422, (why, r.text)
        assert why in r.json()["error"]["message"], (why, r.json())
    big = b"%PDF-1.4\n" + b"x" * (api.settings.max_body_bytes + 1)
    r = api.client.post(
        "/api/v1/resumes/parse", headers=hr, files={"file": ("cv.pdf", big, "application/pdf")}
    )
    assert r.status_code == 413


@pytest.fixture(scope="module")
def webm(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    out = tmp_path_factory.mktemp("bad-media") / "a.webm"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-i", str(JFK), "-t", "3", "-ac", "1",
         "-c:a", "libopus", "-b:a", "32k", "-f", "webm", str(out)],
        check=True,
        timeout=120,
    )  # fmt: skip
    return out.read_bytes()


def _blob_files(api: Api) -> int:
    return sum(1 for p in api.settings.blob_dir.rglob("*") if p.is_file())


def test_bad_recordings_are_refused_before_they_are_stored(
    api: Api, hr: dict[str, str], webm: bytes
) -> None:
    role = api.client.post(
        "/api/v1/roles", json={"title": "Nurse", "max_questions": 1}, headers=hr
    ).json()
    t = api.client.post(
        f"/api/v1/roles/{role['id']}/invitations", json={"candidate_name": "B"}, headers=hr
    ).json()["token"]
    consent = {"recording": True, "ai_assessment": True}
    assert api.client.post(f"/api/v1/interview/{t}/consent", json=consent).status_code == 201
    qid = role["questions"][0]["id"]
    header_end = webm.index(b"\x1f\x43\xb6\x75")  # the first Cluster: no sound before it
    cases = {
        "empty": b"",
        "not a recording": b"\x7fELF\x02\x01\x01\x00" + bytes(4096),  # a program, renamed
        "could not be read": webm[:header_end],  # truncated before any sound
        "": b"\x1a\x45\xdf\xa3" + bytes(range(256)) * 64,  # WebM magic, then garbage
    }
    before = _blob_files(api)
    for why, data in cases.items():
        r = api.client.post(
            f"/api/v1/interview/{t}/media",
            data={"question_id": qid},
            files={"file": ("answer.webm", data, "video/webm")},
        )
        assert r.status_code == 422, (why, r.text)
        assert why in r.json()["error"]["message"], (why, r.json())
    assert _blob_files(api) == before  # checked before anything was written
    with api.db.session() as s:
        assert s.scalar(select(func.count()).select_from(Answer)) == 0
    ok = api.client.post(
        f"/api/v1/interview/{t}/media",
        data={"question_id": qid},
        files={"file": ("answer.webm", webm, "video/webm")},
    )
    assert ok.status_code == 201, ok.text


def test_a_2_gb_body_is_refused_before_it_is_all_sent(api: Api) -> None:
    """A body streamed without a length is cut off at the limit (not read to the end); a
    declared length over the limit is refused before a byte is read."""
    app = api.client.app
    limit = api.settings.max_body_bytes
    two_gb, piece = 2 * 1024**3, b"{" * (1024 * 1024)

    async def post(declared: bool) -> tuple[httpx.Response, int]:
        sent = 0

        async def body() -> AsyncIterator[bytes]:
            nonlocal sent
            while sent < two_gb:
                sent += len(piece)
                yield piece

        headers = {"content-type": "application/json"}
        if declared:
            headers["content-length"] = str(two_gb)
        transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            r = await c.post("/api/v1/roles", content=body(), headers=headers)
        return r, sent

    for declared in (False, True):
        r, sent = anyio.run(post, declared)
        assert r.status_code == 413, r.text
        assert "limit" in r.json()["error"]["message"]
        assert sent <= (0 if declared else limit + len(piece)), (declared, sent)


def test_a_body_that_is_not_utf8_is_named(api: Api, hr: dict[str, str]) -> None:
    r = api.client.post(
        "/api/v1/roles",
        content=b'{"title": "caf\xe9"}',  # Latin-1, not UTF-8
        headers={**hr, "content-type": "application/json"},
    )
    assert r.status_code == 400
    assert "UTF-8" in r.json()["error"]["message"]


def test_every_integer_parameter_is_bounded(api: Api, hr: dict[str, str]) -> None:
    """A huge number in a query or path is a 422 naming the parameter, never a 500 (SQLite
    raised OverflowError for offset=2**70). Every integer parameter the API declares has a
    maximum, so a new one without is caught here."""
    r = api.client.get("/api/v1/sessions?offset=1180591620717411303424", headers=hr)
    assert r.status_code == 422 and "offset" in r.text, r.text
    spec = api.client.get("/api/v1/openapi.json").json()
    unbounded = [
        f"{method.upper()} {path} {p['name']}"
        for path, ops in spec["paths"].items()
        for method, op in ops.items()
        for p in op.get("parameters", [])
        if p.get("schema", {}).get("type") == "integer"
        and "maximum" not in p["schema"]
        and "exclusiveMaximum" not in p["schema"]
    ]
    assert not unbounded, unbounded
