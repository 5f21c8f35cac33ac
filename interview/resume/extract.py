"""Resume text from an upload: PDF (pypdf), DOCX (the zip's word/document.xml) or plain text.

Uploads are hostile until proven otherwise: the format is sniffed from the bytes (never the
file name), sizes are checked before anything is decompressed, and every failure becomes an
InvalidInput that names the problem and the fix.
"""

from __future__ import annotations

import io
import logging
import re
import unicodedata
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal
from xml.etree import ElementTree

from interview.errors import InvalidInput, PayloadTooLarge

MAX_BYTES = 5 * 1024 * 1024  # upload size limit
MAX_PAGES = 10  # a resume, not a book
# Unpacked drawing instructions (content streams and form XObjects) of a PDF. A text-heavy
# resume page holds ~10-100 KB; text extraction costs ~4 s per MB on a 2-core machine, and a
# 17 KB PDF can unpack to 8 MB of instructions (a "PDF bomb"), so both are capped.
MAX_PDF_PAGE_CONTENT = 1024 * 1024
MAX_PDF_CONTENT = 3 * 1024 * 1024
MAX_DOCX_UNCOMPRESSED = 20 * 1024 * 1024  # sum of the zip members' declared sizes
MAX_DOCX_RATIO = 100  # uncompressed:compressed; real DOCX members are ~3-20
MAX_DOCX_MEMBERS = 2_000
MIN_TEXT_CHARS = 20  # fewer non-blank characters than this: no usable text layer
MAX_CONTROL_FRACTION = 0.01  # control bytes in a "text" file; random bytes have ~12%

Format = Literal["pdf", "docx", "text"]

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_log = logging.getLogger(__name__)


def sniff_format(data: bytes) -> Format:
    """The upload's format from its magic bytes; InvalidInput for formats we cannot read."""
    if not data:
        raise InvalidInput("the resume file is empty; upload a PDF, DOCX or text file")
    head = data[:1024]
    if b"%PDF-" in head:
        return "pdf"
    if data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
        return "docx"  # confirmed (word/document.xml present) when opened
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        if "EncryptedPackage".encode("utf-16-le") in data:
            # Word saves a password-protected DOCX as an OLE container around the package.
            raise InvalidInput("the DOCX is password-protected; upload an unprotected copy")
        raise InvalidInput(
            "this is an old Word .doc (or other OLE) file, which is not supported; "
            "save it as DOCX or PDF and upload that"
        )
    if data.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"RIFF", b"II*\x00", b"MM\x00*")):
        raise InvalidInput("this is an image, not a document; upload a text PDF or DOCX")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "text"  # UTF-16 with a byte-order mark
    sample = data[:65536]
    controls = sum(1 for b in sample if b < 0x20 and b not in b"\t\n\r\f\v" or b == 0x7F)
    if controls > MAX_CONTROL_FRACTION * len(sample):
        raise InvalidInput(
            "unknown file format: not a PDF, DOCX or text file; upload a PDF, DOCX or text file"
        )
    return "text"


def extract_text(data: bytes) -> str:
    """The text of a resume upload, one line per line; InvalidInput for anything unusable."""
    if len(data) > MAX_BYTES:
        raise PayloadTooLarge(
            f"the resume file is {len(data) / 1_048_576:.1f} MB; the limit is "
            f"{MAX_BYTES // 1_048_576} MB"
        )
    fmt = sniff_format(data)
    if fmt == "pdf":
        text = _pdf_text(data)
    elif fmt == "docx":
        text = _docx_text(data)
    else:
        text = _plain_text(data)
    text = _clean(text)
    if not text.strip():
        raise InvalidInput("the resume file contains no text; upload a PDF, DOCX or text file")
    return text


def extract_file(path: Path) -> str:
    """extract_text of a file on disk; the size is checked before the file is read."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise InvalidInput(f"cannot read the resume file {path}: {exc.strerror}") from exc
    if size > MAX_BYTES:
        raise PayloadTooLarge(
            f"the resume file is {size / 1_048_576:.1f} MB; the limit is "
            f"{MAX_BYTES // 1_048_576} MB"
        )
    return extract_text(path.read_bytes())


def _clean(text: str) -> str:
    """Drop control characters (PDF extraction leaves NULs), trailing spaces and blank runs."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ")
    text = _CONTROL.sub("", text)
    lines = [line.rstrip() for line in text.split("\n")]
    out: list[str] = []
    for line in lines:
        if not line.strip() and out and not out[-1].strip():
            continue  # at most one blank line in a row
        out.append(line)
    return "\n".join(out).strip("\n")


def _plain_text(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise InvalidInput(f"could not read the text file as UTF-16: {exc.reason}") from exc
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _looks_like_text(text):
            return text
    raise InvalidInput(
        "could not read the text file: it is neither UTF-8 nor GB18030 text; "
        "save it as UTF-8 or upload a PDF or DOCX"
    )


def _looks_like_text(text: str) -> bool:
    """GB18030 decodes almost anything; refuse results full of unassigned/private characters."""
    sample = text[:20000]
    if not sample:
        return False
    odd = sum(1 for ch in sample if unicodedata.category(ch) in ("Co", "Cn", "Cs", "Cc"))
    odd -= sum(1 for ch in sample if ch in "\t\n\r\f\v")
    return odd <= MAX_CONTROL_FRACTION * len(sample)


# --- PDF ------------------------------------------------------------------------------------


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader  # imported here: only uploads need it
    from pypdf.errors import DependencyError, FileNotDecryptedError

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            # An owner-password-only PDF opens with the empty user password; that is fine.
            try:
                opened = bool(reader.decrypt(""))
            except (DependencyError, NotImplementedError):
                opened = False
            if not opened:
                raise InvalidInput("the PDF is password-protected; upload an unprotected copy")
        pages = len(reader.pages)
        if pages > MAX_PAGES:
            raise InvalidInput(
                f"the PDF has {pages} pages; a resume may have at most {MAX_PAGES}; "
                "upload a shorter version"
            )
        if pages == 0:
            raise InvalidInput("the PDF has no pages; upload a text PDF or DOCX")
        _check_pdf_content(reader.pages)
        texts = [page.extract_text() or "" for page in reader.pages]
    except InvalidInput:
        raise
    except FileNotDecryptedError as exc:
        raise InvalidInput("the PDF is password-protected; upload an unprotected copy") from exc
    except RecursionError as exc:
        raise InvalidInput("could not read the PDF: its structure is nested too deeply") from exc
    except Exception as exc:  # hostile input: pypdf raises many kinds; none may escape as a 500
        _log.info("unreadable PDF upload: %s: %s", type(exc).__name__, exc)
        raise InvalidInput(
            f"could not read the PDF: {_short(exc)}; upload a text PDF or DOCX"
        ) from exc
    text = "\n".join(texts)
    if len(re.sub(r"\s", "", _CONTROL.sub("", text))) < MIN_TEXT_CHARS:
        raise InvalidInput("the PDF has no text layer (a scan?); upload a text PDF or DOCX")
    return text


def _check_pdf_content(pages: Sequence[Any]) -> None:
    """Refuse a PDF whose pages unpack to more drawing instructions than a resume has, before
    the (slow) text extraction parses them; pypdf itself stops each stream at 75 MB."""
    total = 0
    for number, page in enumerate(pages, 1):
        size = _page_content_bytes(page)
        total += size
        if size > MAX_PDF_PAGE_CONTENT or total > MAX_PDF_CONTENT:
            limit = MAX_PDF_PAGE_CONTENT if size > MAX_PDF_PAGE_CONTENT else MAX_PDF_CONTENT
            what = f"page {number} of the PDF" if limit == MAX_PDF_PAGE_CONTENT else "the PDF"
            raise InvalidInput(
                f"{what} unpacks to more than {limit // 1_048_576} MB of drawing instructions; "
                "it may be a PDF bomb; upload an ordinary PDF or a DOCX"
            )


def _page_content_bytes(page: Any) -> int:
    """Unpacked bytes of a page's content streams and of the form XObjects it draws."""
    contents = page.get_contents()
    size = len(contents.get_data()) if contents is not None else 0
    resources = page.get("/Resources")
    xobjects = resources.get_object().get("/XObject") if resources is not None else None
    for ref in xobjects.get_object().values() if xobjects is not None else ():
        obj = ref.get_object()
        if obj.get("/Subtype") == "/Form":
            size += len(obj.get_data())
    return size


def _short(exc: BaseException) -> str:
    message = str(exc).strip() or type(exc).__name__
    return message if len(message) <= 160 else message[:157] + "..."


# --- DOCX -----------------------------------------------------------------------------------


def _docx_text(data: bytes) -> str:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except Exception as exc:  # BadZipFile, NotImplementedError("zip file version 8.7"), ...
        raise InvalidInput(f"could not read the DOCX: {_short(exc)}; upload a PDF or DOCX") from exc
    with archive:
        members = archive.infolist()
        if len(members) > MAX_DOCX_MEMBERS:
            raise InvalidInput(
                f"could not read the DOCX: it holds {len(members)} files (limit "
                f"{MAX_DOCX_MEMBERS}); upload a PDF or a plain DOCX"
            )
        names = {m.filename for m in members}
        if "word/document.xml" not in names:
            raise InvalidInput(
                "this is a ZIP archive but not a Word document (no word/document.xml); "
                "upload a PDF or DOCX"
            )
        _check_zip_sizes(members)
        info = archive.getinfo("word/document.xml")
        if info.flag_bits & 0x1:
            raise InvalidInput("the DOCX is password-protected; upload an unprotected copy")
        try:
            # Read at most the declared size (+1 to notice a lie); zipfile also stops there.
            with archive.open(info) as member:
                xml = member.read(MAX_DOCX_UNCOMPRESSED + 1)
        except Exception as exc:  # BadZipFile (CRC), zlib.error, unsupported compression, ...
            raise InvalidInput(f"could not read the DOCX: {_short(exc)}") from exc
    if len(xml) > MAX_DOCX_UNCOMPRESSED:
        raise InvalidInput("the DOCX is too large when unpacked; upload a smaller file or a PDF")
    return _document_xml_text(xml)


def _check_zip_sizes(members: list[zipfile.ZipInfo]) -> None:
    """Refuse zip bombs from the central directory, before decompressing a byte."""
    total = sum(m.file_size for m in members)
    packed = sum(m.compress_size for m in members)
    if total > MAX_DOCX_UNCOMPRESSED:
        raise InvalidInput(
            f"the DOCX unpacks to {total / 1_048_576:.0f} MB (limit "
            f"{MAX_DOCX_UNCOMPRESSED // 1_048_576} MB); it may be a zip bomb; "
            "upload an ordinary DOCX or a PDF"
        )
    for m in members:
        # Tiny members may compress oddly; only a sizeable member can be a bomb.
        if m.file_size > 65536 and m.file_size > MAX_DOCX_RATIO * max(m.compress_size, 1):
            raise InvalidInput(
                f"the DOCX member {m.filename!r} unpacks {m.file_size // max(m.compress_size, 1)}"
                f":1 (limit {MAX_DOCX_RATIO}:1); it may be a zip bomb; upload an ordinary DOCX"
            )
    if total > 65536 and total > MAX_DOCX_RATIO * max(packed, 1):
        raise InvalidInput(
            f"the DOCX unpacks {total // max(packed, 1)}:1 (limit {MAX_DOCX_RATIO}:1); "
            "it may be a zip bomb; upload an ordinary DOCX"
        )


def _document_xml_text(xml: bytes) -> str:
    # Word never writes a DTD; one here can only be an entity-expansion attack.
    if b"<!DOCTYPE" in xml or b"<!ENTITY" in xml:
        raise InvalidInput("could not read the DOCX: its document.xml declares a DTD")
    try:
        root = ElementTree.fromstring(xml)
    except ElementTree.ParseError as exc:
        raise InvalidInput(f"could not read the DOCX: malformed XML ({exc})") from exc
    body = root.find(f"{_W}body")
    if body is None:
        raise InvalidInput("could not read the DOCX: word/document.xml has no body")
    lines: list[str] = []
    for block in body:
        _block_lines(block, lines)
    return "\n".join(lines)


def _block_lines(element: ElementTree.Element, lines: list[str]) -> None:
    """Paragraphs become lines; a table row becomes one line with its cells tab-separated."""
    if element.tag == f"{_W}p":
        lines.append(_inline_text(element))
    elif element.tag == f"{_W}tbl":
        for row in element.iter(f"{_W}tr"):
            cells = []
            for cell in row.findall(f"{_W}tc"):
                parts = [_inline_text(p) for p in cell.iter(f"{_W}p")]
                cells.append(" ".join(p.strip() for p in parts if p.strip()))
            lines.append("\t".join(c for c in cells if c))
    elif element.tag == f"{_W}sdt":
        content = element.find(f"{_W}sdtContent")
        for child in content if content is not None else ():
            _block_lines(child, lines)


def _inline_text(paragraph: ElementTree.Element) -> str:
    out: list[str] = []

    def walk(el: ElementTree.Element) -> None:
        for child in el:
            tag = child.tag
            if tag == _MC_FALLBACK or tag in (f"{_W}delText", f"{_W}instrText"):
                continue  # duplicate of the mc:Choice; deleted text; field codes
            if tag == f"{_W}t":
                out.append(child.text or "")
            elif tag == f"{_W}tab":
                out.append("\t")
            elif tag in (f"{_W}br", f"{_W}cr"):
                out.append("\n")
            elif tag == f"{_W}p":
                out.append("\n")  # a paragraph in a text box inside this paragraph
                walk(child)
            else:
                walk(child)

    walk(paragraph)
    return "".join(out)
