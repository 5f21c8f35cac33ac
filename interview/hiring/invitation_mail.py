"""Invitations in bulk and by e-mail: a CSV of candidates read and checked, the e-mail
text composed. Pure; hiring/mail.py sends, hiring/invitations.invite() stores."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from typing import Literal

from pydantic import BaseModel, ConfigDict

from interview.errors import InvalidInput
from interview.text.clean import clean_name, email_problem

MAX_ROWS = 500  # candidates per CSV upload
# Header names accepted for each column (lower-cased), English and Chinese.
COLUMNS = {
    "name": ("name", "candidate", "candidate_name", "full name", "姓名", "名字"),
    "email": ("email", "e-mail", "mail", "邮箱", "电子邮件", "邮件"),
    "language": ("language", "lang", "语言"),
}


class CandidateRow(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    line: int  # 1-based line in the file, for messages
    name: str
    email: str | None
    language: Literal["en", "zh"]


def decode_csv(data: bytes) -> str:
    """UTF-8 (with or without BOM), else GB18030 (Excel's default for Chinese)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise InvalidInput(
            "the CSV is neither UTF-8 nor GB18030 text; save it as UTF-8 CSV"
        ) from None


def _language(value: str, default: str) -> str:
    v = value.strip().lower()
    if not v:
        return default
    if v in ("en", "english", "英文", "英语"):
        return "en"
    if v in ("zh", "chinese", "中文", "汉语", "zh-cn"):
        return "zh"
    return v


def parse_candidates(text: str, default_language: Literal["en", "zh"]) -> list[CandidateRow]:
    """Rows of name, email (optional), language (optional: en or zh), with or without a
    header row. Every cell is cleaned as a name (text/clean.py: one line, no control or
    invisible characters), as a JSON body's would be. Every problem is reported at once, by
    line, so the file is fixed in one go."""
    reader = csv.reader(io.StringIO(text.strip("\ufeff")))
    rows = [(i, [clean_name(c) for c in r]) for i, r in enumerate(reader, start=1)]
    rows = [(i, r) for i, r in rows if any(r)]
    if not rows:
        raise InvalidInput("the CSV has no candidates: one per line, name,email,language")
    order = ["name", "email", "language"]
    first = [c.lower() for c in rows[0][1]]
    if any(c in names for c in first for names in COLUMNS.values()):
        unknown = [c for c in first if c and not any(c in n for n in COLUMNS.values())]
        if unknown:
            raise InvalidInput(f"unknown CSV columns {unknown}; use name, email, language")
        order = [next(k for k, n in COLUMNS.items() if c in n) if c else "" for c in first]
        if "name" not in order:
            raise InvalidInput("the CSV header has no 'name' column")
        rows = rows[1:]
    if len(rows) > MAX_ROWS:
        raise InvalidInput(f"the CSV has {len(rows)} candidates; at most {MAX_ROWS} per upload")
    out: list[CandidateRow] = []
    problems: list[str] = []
    for line, cells in rows:
        if len(cells) > len(order):
            problems.append(f"line {line}: {len(cells)} cells; expected at most {len(order)}")
            continue
        values = dict(zip(order, cells, strict=False))
        name, email = values.get("name", ""), values.get("email", "") or None
        lang = _language(values.get("language", ""), default_language)
        wrong = []
        if not name:
            wrong.append("the name is empty")
        elif len(name) > 200:
            wrong.append("the name is over 200 characters")
        if email is not None and (problem := email_problem(email)):
            wrong.append(problem)
        if lang not in ("en", "zh"):
            wrong.append(f"language {lang!r} is not en or zh")
        if wrong:
            problems += [f"line {line}: {w}" for w in wrong]
        else:
            out.append(CandidateRow(line=line, name=name, email=email, language=lang))  # type: ignore[arg-type]
    if problems:
        shown = "; ".join(problems[:20])
        more = f" (and {len(problems) - 20} more)" if len(problems) > 20 else ""
        raise InvalidInput(f"the CSV has problems, nothing was invited: {shown}{more}")
    return out


SUBJECT = {
    "en": "Your interview for {role} at {org}",
    "zh": "{org} · {role} 面试邀请",
}
BODY = {
    "en": (
        "Dear {name},\n\n"
        "{org} invites you to an online interview for the role of {role}. You can take it "
        "on a phone or a computer, whenever suits you before {expires}.\n\n"
        "Open your personal link:\n{link}\n\n"
        "Before it starts you will read how your answers are used and give (or refuse) your "
        "consent. An AI assists the assessment; a person reviews it and makes any decision. "
        "You can ask for a human review at any time.\n\n"
        "Please do not share this link: it is yours alone.\n"
    ),
    "zh": (
        "{name}，您好：\n\n"
        "{org} 邀请您参加“{role}”岗位的在线面试。请在 {expires} 之前用手机或电脑完成。\n\n"
        "您的专属链接：\n{link}\n\n"
        "开始前您会看到答案如何被使用，并可选择是否同意。AI 辅助评估，最终由人工审核并作出决定；"
        "您可以随时要求人工复核。\n\n"
        "请勿转发此链接，它仅供您本人使用。\n"
    ),
}


def invitation_message(
    *,
    sender: str,
    to: str,
    candidate_name: str,
    role_title: str,
    organization: str,
    link: str,
    expires_at: datetime,
    language: Literal["en", "zh"],
) -> EmailMessage:
    """The invitation e-mail in the interview's language (plain text)."""
    fields = {
        "name": candidate_name,
        "role": role_title,
        "org": organization,
        "link": link,
        "expires": expires_at.strftime("%Y-%m-%d %H:%M UTC"),
    }
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = formataddr((candidate_name, to))
    msg["Subject"] = SUBJECT[language].format(**fields)
    msg["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    msg.set_content(BODY[language].format(**fields))
    return msg
