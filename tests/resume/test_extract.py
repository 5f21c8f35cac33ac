"""Resume text extraction from real files written in the test: DOCX, PDF, text, hostile input."""

from __future__ import annotations

import contextlib
import random
import zipfile
from datetime import date
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from fpdf import FPDF

from interview.errors import InvalidInput, PayloadTooLarge
from interview.resume import extract
from interview.resume.extract import extract_file, extract_text, sniff_format
from interview.resume.parse import parse_resume

CJK_FONT = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
NOW = date(2024, 5, 15)

EN_LINES = [
    "Jane Doe",
    "Work Experience",
    "ABC Logistics — Warehouse Supervisor",
    "Jan 2020 - Aug 2020",
    "- Managed a team of 8 pickers",
    "XYZ Retail — Sales Associate",
    "Mar 2021 - Present",
]
ZH_LINES = [
    "张三",
    "工作经历",
    "2019.03 - 2021.06 上海某某物流有限公司 仓库主管",
    "- 带领12人团队，拣货差错率降低30%",
    "2021年9月-2022年3月 XYZ零售 店员",
]

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    "</Types>"
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="word/document.xml"/>'
    "</Relationships>"
)
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _paragraph(text: str) -> str:
    # Two runs per paragraph, as Word writes them, so run joining is exercised.
    half = len(text) // 2
    return (
        f'<w:p><w:r><w:t xml:space="preserve">{escape(text[:half])}</w:t></w:r>'
        f'<w:r><w:t xml:space="preserve">{escape(text[half:])}</w:t></w:r></w:p>'
    )


def _table(rows: list[list[str]]) -> str:
    cells = "".join(
        "<w:tr>" + "".join(f"<w:tc>{_paragraph(c)}</w:tc>" for c in row) + "</w:tr>" for row in rows
    )
    return f"<w:tbl>{cells}</w:tbl>"


def write_docx(path: Path, lines: list[str], *, table: list[list[str]] | None = None) -> Path:
    """A minimal valid OOXML word document: content types, package rels, document.xml."""
    body = "".join(_paragraph(line) for line in lines) + (_table(table) if table else "")
    document = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<w:document xmlns:w="{_W}"><w:body>{body}<w:sectPr/></w:body></w:document>'
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", _CONTENT_TYPES)
        z.writestr("_rels/.rels", _RELS)
        z.writestr("word/document.xml", document)
    return path


def write_pdf(path: Path, lines: list[str], *, pages: int = 1, cjk: bool = False) -> FPDF:
    pdf = FPDF()
    if cjk:
        pdf.add_font("body", "", str(CJK_FONT), collection_font_number=2)  # the SC face
    else:
        pdf.add_font("body", "", str(DEJAVU))  # core fonts cannot encode "—"
    for _ in range(pages):
        pdf.add_page()
        pdf.set_font("body", size=11)
        for line in lines:
            pdf.cell(text=line, new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))
    return pdf


needs_dejavu = pytest.mark.skipif(not DEJAVU.exists(), reason="DejaVuSans.ttf is not installed")


# --- happy paths ----------------------------------------------------------------------------


def test_english_docx_text_and_parse(tmp_path: Path) -> None:
    path = write_docx(tmp_path / "cv.docx", EN_LINES, table=[["Skills", "Excel, WMS"]])
    text = extract_file(path)
    assert text.splitlines() == [*EN_LINES, "Skills\tExcel, WMS"]
    facts = parse_resume(text, "en", NOW)
    assert [(j.employer, j.title) for j in facts.jobs] == [
        ("ABC Logistics", "Warehouse Supervisor"),
        ("XYZ Retail", "Sales Associate"),
    ]


def test_chinese_docx_text_and_parse(tmp_path: Path) -> None:
    path = write_docx(tmp_path / "简历.docx", ZH_LINES)
    text = extract_file(path)
    assert text.splitlines() == ZH_LINES
    facts = parse_resume(text, "zh", NOW)
    assert [(j.employer, j.title, j.months) for j in facts.jobs] == [
        ("上海某某物流有限公司", "仓库主管", 28),
        ("XYZ零售", "店员", 7),
    ]


def test_format_is_sniffed_from_bytes_not_the_name(tmp_path: Path) -> None:
    docx = write_docx(tmp_path / "resume.pdf", EN_LINES)  # a DOCX named .pdf
    assert sniff_format(docx.read_bytes()) == "docx"
    assert "ABC Logistics" in extract_file(docx)


@needs_dejavu
def test_english_pdf(tmp_path: Path) -> None:
    path = tmp_path / "cv.pdf"
    write_pdf(path, EN_LINES)
    text = extract_file(path)
    assert text.splitlines() == EN_LINES
    facts = parse_resume(text, "en", NOW)
    assert [j.employer for j in facts.jobs] == ["ABC Logistics", "XYZ Retail"]
    assert facts.jobs[0].months == 8


@pytest.mark.skipif(not CJK_FONT.exists(), reason="fonts-noto-cjk is not installed")
def test_chinese_pdf_with_embedded_cjk_font(tmp_path: Path) -> None:
    path = tmp_path / "简历.pdf"
    write_pdf(path, ZH_LINES, cjk=True)
    text = extract_file(path)
    assert "\x00" not in text  # pypdf yields NULs between CJK glyphs of this font; cleaned
    assert text.splitlines() == ZH_LINES
    facts = parse_resume(text, "zh", NOW)
    assert facts.jobs[0].employer == "上海某某物流有限公司"


def test_plain_text_encodings() -> None:
    text = "\n".join(ZH_LINES)
    assert extract_text(text.encode("utf-8")) == text
    assert extract_text(text.encode("utf-8-sig")) == text
    assert extract_text(text.encode("gb18030")) == text
    assert extract_text(text.encode("utf-16")) == text
    assert extract_text(b"a\r\nb\r\n\r\n\r\n\r\nc") == "a\nb\n\nc"


@needs_dejavu
def test_owner_password_only_pdf_opens(tmp_path: Path) -> None:
    # Restrictions without a user password: readers open it without asking, so must we.
    pdf = FPDF()
    pdf.add_page()
    pdf.add_font("dejavu", "", str(DEJAVU))
    pdf.set_font("dejavu", size=11)
    for line in EN_LINES:
        pdf.cell(text=line, new_x="LMARGIN", new_y="NEXT")
    pdf.set_encryption(owner_password="owner")
    path = tmp_path / "restricted.pdf"
    pdf.output(str(path))
    assert "ABC Logistics" in extract_file(path)


# --- refusals -------------------------------------------------------------------------------


def _refused(data: bytes) -> str:
    with pytest.raises(InvalidInput) as info:
        extract_text(data)
    return str(info.value)


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.pdf"
    path.write_bytes(b"")
    with pytest.raises(InvalidInput, match="empty"):
        extract_file(path)
    assert "no text" in _refused(b"  \n\n\t ")


def test_random_bytes_are_an_unknown_format() -> None:
    data = random.Random(0).randbytes(4096)
    assert "unknown file format" in _refused(data)


def test_other_binary_formats_are_named() -> None:
    assert "image" in _refused(b"\x89PNG\r\n\x1a\n" + bytes(100))
    assert "image" in _refused(b"\xff\xd8\xff\xe0" + bytes(100))
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100)
    assert ".doc" in _refused(ole)
    locked = ole + "EncryptedPackage".encode("utf-16-le") + bytes(100)
    assert "password-protected" in _refused(locked)


def test_over_five_megabytes_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_bytes(b"a" * (5 * 1024 * 1024 + 1))
    with pytest.raises(PayloadTooLarge, match="5 MB"):
        extract_file(path)
    with pytest.raises(PayloadTooLarge):
        extract_text(path.read_bytes())


def test_password_protected_pdf(tmp_path: Path) -> None:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=11)
    pdf.cell(text="Jane Doe, Warehouse Supervisor at ABC Logistics since 2019")
    pdf.set_encryption(owner_password="owner", user_password="secret")
    path = tmp_path / "locked.pdf"
    pdf.output(str(path))
    with pytest.raises(InvalidInput, match="the PDF is password-protected; upload an unprotected"):
        extract_file(path)


def test_image_only_pdf_has_no_text_layer(tmp_path: Path) -> None:
    pdf = FPDF()
    pdf.add_page()
    pdf.rect(20, 20, 120, 60, style="F")  # what a scan looks like to a text extractor
    path = tmp_path / "scan.pdf"
    pdf.output(str(path))
    with pytest.raises(InvalidInput, match=r"no text layer \(a scan\?\)"):
        extract_file(path)


@needs_dejavu
def test_more_than_ten_pages(tmp_path: Path) -> None:
    path = tmp_path / "book.pdf"
    write_pdf(path, ["Chapter"], pages=11)
    with pytest.raises(InvalidInput, match="11 pages.*at most 10"):
        extract_file(path)
    write_pdf(path, EN_LINES, pages=10)
    assert extract_file(path).count("ABC Logistics") == 10


@needs_dejavu
def test_malformed_pdfs(tmp_path: Path) -> None:
    path = tmp_path / "cv.pdf"
    write_pdf(path, EN_LINES)
    data = path.read_bytes()
    assert _refused(data[: len(data) // 2]).startswith("could not read the PDF: ")
    assert _refused(b"%PDF-1.7\n" + b"garbage " * 50).startswith("could not read the PDF: ")


@needs_dejavu
def test_mangled_pdf_and_docx_never_crash(tmp_path: Path) -> None:
    pdf_path = tmp_path / "cv.pdf"
    write_pdf(pdf_path, EN_LINES)
    docx_path = write_docx(tmp_path / "cv.docx", EN_LINES)
    rng = random.Random(7)
    for original in (pdf_path.read_bytes(), docx_path.read_bytes()):
        for _ in range(150):
            data = bytearray(original)
            for _ in range(rng.randint(1, 30)):
                data[rng.randrange(len(data))] = rng.randrange(256)
            with contextlib.suppress(InvalidInput):  # the only acceptable failure
                assert isinstance(extract_text(bytes(data)), str)


def test_docx_zip_bomb_is_refused_before_decompressing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "bomb.docx"
    write_docx(path, EN_LINES)
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as z:
        z.writestr("word/media/padding.xml", b"\0" * (30 * 1024 * 1024))  # ~30 KB packed
    assert path.stat().st_size < 100_000

    def no_decompression(*args: object, **kwargs: object) -> None:
        raise AssertionError("a member was opened")

    monkeypatch.setattr(zipfile.ZipFile, "open", no_decompression)
    with pytest.raises(InvalidInput, match="zip bomb"):
        extract_file(path)


def test_docx_compression_ratio_bomb_under_the_size_limit(tmp_path: Path) -> None:
    # 10 MB of one paragraph repeated: under 20 MB unpacked, but ~1000:1.
    path = tmp_path / "ratio.docx"
    write_docx(path, ["Warehouse Supervisor"] * 100_000)
    info = zipfile.ZipFile(path).getinfo("word/document.xml")
    assert info.file_size < extract.MAX_DOCX_UNCOMPRESSED
    assert info.file_size > 100 * info.compress_size
    with pytest.raises(InvalidInput, match="100:1"):
        extract_file(path)


def test_zip_that_is_not_a_docx(tmp_path: Path) -> None:
    path = tmp_path / "cv.docx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("notes.txt", "hello")
    with pytest.raises(InvalidInput, match="not a Word document"):
        extract_file(path)


def test_docx_with_entity_declarations_is_refused(tmp_path: Path) -> None:
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        f'<w:document xmlns:w="{_W}"><w:body><w:p><w:r><w:t>&b;</w:t></w:r></w:p>'
        "</w:body></w:document>"
    )
    path = tmp_path / "laughs.docx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("word/document.xml", laughs)
    with pytest.raises(InvalidInput, match="DTD"):
        extract_file(path)


def test_malformed_docx_xml(tmp_path: Path) -> None:
    path = tmp_path / "broken.docx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("word/document.xml", "<w:document><w:body><w:p>")
    with pytest.raises(InvalidInput, match="could not read the DOCX: malformed XML"):
        extract_file(path)
