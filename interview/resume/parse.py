"""Resume text -> ResumeFacts (jobs, education, skills); dates and spoken durations are read
in resume/dates.py.

Pure: text, language and `now` in, schemas out; no clock, files or models. Dates have month
precision. Tenures count both the first and the last month ("Jan 2020 - Aug 2020" is 8
months), which gives the candidate the benefit of the doubt on every boundary.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from interview.errors import InvalidInput
from interview.resume.dates import RANGE, MonthRange, find_range, months_inclusive
from interview.resume.risks import find_highlights, find_risks, is_fixed_term
from interview.resume.schemas import Education, Job, ResumeFacts

MAX_LINES = 5_000  # a resume, not a book; later lines are ignored
MAX_LINE_CHARS = 1_000  # longer lines are cut before any pattern runs on them
MAX_FIELD_CHARS = 120  # employer, title, school, degree, skill
MAX_SKILLS = 60
MAX_JOBS = 60  # a work history longer than this is not a resume; later entries are ignored

# --- sections -------------------------------------------------------------------------------

_HEADINGS = {
    "work": (
        "experience", "work experience", "professional experience", "employment",
        "employment history", "work history", "career history", "relevant experience",
        "internship", "internships", "internship experience", "work", "career",
        "工作经历", "工作经验", "职业经历", "工作履历", "任职经历", "实习经历", "工作背景",
    ),
    "education": (
        "education", "education background", "educational background", "academic background",
        "academics", "qualifications", "教育背景", "教育经历", "学历", "学历背景", "教育",
    ),
    "skills": (
        "skills", "technical skills", "core skills", "key skills", "core competencies",
        "competencies", "tools", "专业技能", "技能", "个人技能", "技能特长", "职业技能",
        "技能证书", "技能专长",
    ),
    "other": (
        "projects", "project experience", "certifications", "certificates", "licenses",
        "awards", "honors", "honours", "summary", "profile", "professional summary",
        "objective", "career objective", "about me", "languages", "interests", "hobbies",
        "references", "contact", "contact information", "publications", "volunteer",
        "volunteering", "volunteer experience", "activities", "personal information",
        "项目经历", "项目经验", "证书", "获奖情况", "荣誉", "获奖", "自我评价", "个人简介",
        "个人评价", "求职意向", "基本信息", "个人信息", "兴趣爱好", "联系方式", "校园经历",
        "社会实践", "语言能力", "个人优势",
    ),
}  # fmt: skip
_HEADING_KEYS = {key: section for section, keys in _HEADINGS.items() for key in keys}
_HEADING_STRIP = re.compile(
    r"^[\s#*=_\-–—■□●◆◇▶►【\[(（]*(?:[一二三四五六七八九十]+[、.]|\d+[.、)])?\s*"
)
_HEADING_TAIL = re.compile(r"[\s:：*=_\-–—】\])）]*$")


def _heading(norm: str) -> str | None:
    """The section a heading line opens, or None when the line is not a heading."""
    if len(norm) > 40 or find_range(norm):
        return None
    text = _HEADING_TAIL.sub("", _HEADING_STRIP.sub("", norm))
    if text in _HEADING_KEYS:
        return _HEADING_KEYS[text]
    for part in re.split(r"\s*(?:&|/|\band\b|与|及|和|、)\s*", text):
        if part in _HEADING_KEYS:
            return _HEADING_KEYS[part]
    return None


# --- names ----------------------------------------------------------------------------------

_CJK = re.compile(r"[\u3400-\u9fff]")
_BULLET = re.compile(r"^\s*(?:[-*•·●▪◦‣○■□➢►>✓✔◆◇]|\d{1,2}[.)、](?!\d)|[(（]\d{1,2}[)）])\s*")
_DURATION_NOTE = re.compile(
    r"[(（]\s*(?:共|约)?\s*\d+(?:\.\d+)?\s*(?:years?|yrs?|months?|mos?|年|个月|月)[^)）]{0,20}[)）]"
)
_PARENTHESES = re.compile(r"\s*[(（][^()（）]{0,60}[)）]")
_SPLIT = re.compile(r"\s+[-–—|/·•]\s+|\s*[|｜\t]\s*|\s{2,}|\s*[,，;；]\s*|\s*[·•]\s*")
_AT = re.compile(r"\s+(?:at|@)\s+")  # "Warehouse Supervisor at ABC Logistics"
_SUFFIXES = {"ltd", "inc", "llc", "llp", "plc", "co", "corp", "limited", "gmbh", "ag", "sa"}

_TITLE_EN = re.compile(
    r"\b(?:manager|supervisor|lead|leader|director|head|chief|officer|engineer|developer"
    r"|programmer|architect|analyst|scientist|designer|consultant|specialist|coordinator"
    r"|administrator|assistant|associate|clerk|cashier|server|waiter|waitress|bartender"
    r"|barista|cook|chef|picker|packer|driver|operator|technician|mechanic|nurse|caregiver"
    r"|teacher|tutor|accountant|auditor|representative|rep|agent|advisor|adviser|intern"
    r"|trainee|apprentice|worker|labou?rer|crew|attendant|receptionist|secretary|executive"
    r"|president|vp|founder|owner|staff|salesperson|merchandiser|stocker|handler|guard"
    r"|foreman|inspector|planner|buyer|recruiter|editor|writer|host|hostess|housekeeper"
    r"|cleaner|porter|courier|dispatcher|storekeeper|electrician|welder|fitter|assembler"
    r"|therapist|pharmacist|physician|counsel(?:l)?or|member|volunteer)s?\b"
)
_TITLE_ZH = re.compile(
    r"主管|经理|总监|主任|组长|班长|领班|店长|厂长|工程师|专员|助理|普工|实习生|顾问|代表|总裁"
    r"|董事|负责人|司机|护士|文员|会计|出纳|客服|销售|收银员|服务员|厨师|保安|保洁|技工|学徒"
    r"|店员|员工|[^\s]{1,6}员|[^\s]{1,6}师|仓管|库管"
)
_EMPLOYER_EN = re.compile(
    r"\b(?:inc|ltd|llc|llp|plc|co|corp|corporation|company|group|limited|gmbh|logistics"
    r"|retail|bank|hospital|clinic|restaurants?|cafe|café|hotels?|stores?|shops?|supermarkets?"
    r"|mart|markets?|foods?|technologies|technology|tech|solutions|services|systems|software"
    r"|labs|consulting|partners|holdings|industries|manufacturing|factory|agency|studios?"
    r"|airlines?|motors|pharma|pharmaceuticals|media|institute|centre|center|foundation"
    r"|express|trading|electronics|network|networks|enterprises?|bakery|kitchen|diner)\b\.?"
)
_EMPLOYER_ZH = re.compile(
    r"公司|有限|集团|银行|医院|诊所|餐厅|饭店|酒店|宾馆|超市|商场|工厂|厂|门店|分店|店|中心|物流"
    r"|科技|研究院|研究所|事务所|学校|商行|零售|快递|电商|实业|贸易|餐饮|便利"
)
_SCHOOL = re.compile(
    r"\b(?:university|college|institute|school|academy|polytechnic)\b|大学|学院|学校|中学|职校"
    r"|技校|职业技术"
)
_DEGREE = re.compile(
    r"\b(?:bachelor|master|ph\.?d|doctorate|mba|b\.?sc?|m\.?sc?|b\.?a|m\.?a|associate degree"
    r"|diploma|high school|ged|certificate)\b|本科|硕士|博士|大专|专科|高中|中专|职高|学士"
    r"|研究生|初中"
)


def _last_end(pattern: re.Pattern[str], text: str) -> int:
    return max((m.end() for m in pattern.finditer(text)), default=-1)


def _kind(fragment: str) -> str | None:
    """'title', 'employer' or None. Names are head-final: the keyword ending last decides."""
    text = fragment.lower()
    title = max(_last_end(_TITLE_EN, text), _last_end(_TITLE_ZH, text))
    employer = max(_last_end(_EMPLOYER_EN, text), _last_end(_EMPLOYER_ZH, text))
    if title < 0 and employer < 0:
        return None
    return "title" if title > employer else "employer"


def _fragments(text: str) -> list[str]:
    """Split a header line's remainder into name-sized pieces."""
    out: list[str] = []
    for piece in (p for part in _AT.split(text) for p in _SPLIT.split(part)):
        piece = piece.strip(" -–—|,，:：/·•()（）")
        if not piece:
            continue
        if piece.lower().rstrip(".") in _SUFFIXES and out:
            out[-1] = f"{out[-1]}, {piece}"  # "Acme Co., Ltd." was split at its comma
        elif _CJK.search(piece) and " " in piece:
            out.extend(p for p in piece.split() if p)
        else:
            out.append(piece)
    return out


def _clip(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip(" -–—|,，:：;；/·•")
    return text[:MAX_FIELD_CHARS]


# --- lines ----------------------------------------------------------------------------------


@dataclass
class _Line:
    raw: str  # original text, stripped
    norm: str  # NFKC, lower case, bullet removed
    bullet: bool
    section: str  # "unknown", "work", "education", "skills", "other"
    heading: bool = False
    rng: MonthRange | None = None


def _lines(text: str) -> list[_Line]:
    out: list[_Line] = []
    section = "unknown"
    for raw in text.splitlines()[:MAX_LINES]:
        raw = raw.strip()[:MAX_LINE_CHARS]
        norm = unicodedata.normalize("NFKC", raw).lower()
        bullet = bool(_BULLET.match(norm)) and not RANGE.match(norm)
        norm = _BULLET.sub("", norm) if bullet else norm
        norm = re.sub(r"[ \u3000]+", " ", norm).strip()
        opened = _heading(norm) if norm else None
        if opened:
            section = opened
            out.append(_Line(raw, norm, bullet, section, heading=True))
            continue
        out.append(_Line(raw, norm, bullet, section, rng=find_range(norm) if norm else None))
    return out


def _header_like(line: _Line) -> bool:
    if not line.norm or line.heading or line.bullet or line.rng:
        return False
    if line.norm.endswith((".", "。", "；", ";", "!", "！")):
        return False
    if _CJK.search(line.norm):
        return len(line.norm) <= 40
    return len(line.norm) <= 80 and len(line.norm.split()) <= 10


@dataclass
class _Header:
    employer: str = ""
    title: str = ""
    used: list[int] = field(default_factory=list)
    leftovers: list[str] = field(default_factory=list)

    def take(self, fragments: list[str], *, positional: bool) -> bool:
        took = False
        for frag in fragments:
            kind = _kind(frag)
            if kind == "employer" and not self.employer:
                self.employer, took = frag, True
            elif kind == "title" and not self.title:
                self.title, took = frag, True
            elif kind is None and positional:
                self.leftovers.append(frag)
        return took

    @property
    def complete(self) -> bool:
        return bool(self.employer and self.title)


def _original_rest(line: _Line) -> str:
    """The line's text without its date range, in the original script (NFKC only)."""
    norm = _BULLET.sub("", unicodedata.normalize("NFKC", line.raw)) if line.bullet else None
    text = norm if norm is not None else unicodedata.normalize("NFKC", line.raw)
    text = re.sub(r"[ \u3000]+", " ", text).strip()
    assert line.rng is not None
    a, b = line.rng.span
    if text.lower() == line.norm:  # lower() kept the length: cut the same span
        rest = text[:a] + "  " + text[b:]
    else:
        rest = line.norm[:a] + "  " + line.norm[b:]
    # "(8 months)", "(Summer internship)": notes, not names (raw keeps them for fixed_term).
    return _PARENTHESES.sub("  ", _DURATION_NOTE.sub(" ", rest))


def _neighbour(lines: list[_Line], i: int, step: int, used: set[int]) -> int | None:
    j = i + step
    if 0 <= j < len(lines) and j not in used and _header_like(lines[j]):
        return j
    return None


def _header(lines: list[_Line], i: int, used: set[int]) -> _Header:
    """Employer and title of the job whose date range is on line i."""
    head = _Header(used=[i])
    same = _fragments(_original_rest(lines[i]))
    if same:
        head.take(same, positional=True)
        order: tuple[int, ...] = (1, -1)  # the rest on the next line (or the one above)
    else:
        # The date alone on its line: the names are above it or below it; take the side whose
        # adjacent line reads like names (ties go to the line above).
        best: tuple[int, int, int] | None = None  # (score, step, line)
        for step in (-1, 1):
            j = _neighbour(lines, i, step, used)
            if j is not None:
                score = sum(_kind(f) is not None for f in _fragments(lines[j].raw))
                if best is None or score > best[0]:
                    best = (score, step, j)
        order = ()
        if best is not None:
            _, step, j = best
            head.take(_fragments(lines[j].raw), positional=True)
            head.used.append(j)
            order = (step,)
    for step in order:
        at = min(head.used) if step < 0 else max(head.used)
        for _ in range(2):
            if head.complete:
                break
            j = _neighbour(lines, at, step, used)
            if j is None or not head.take(_fragments(lines[j].raw), positional=False):
                break
            head.used.append(j)
            at = j
    if not head.employer and head.leftovers:
        head.employer = head.leftovers.pop(0)
    if not head.title and head.leftovers:
        head.title = head.leftovers.pop(0)
    return head


def _job(lines: list[_Line], head: _Header, rng: MonthRange, now: date) -> Job:
    employer, title = head.employer, head.title
    raw_lines = [lines[j].raw for j in sorted(head.used)]
    months: int | None = None
    if not rng.year_only and rng.start <= now:
        end = min(rng.end or now, now)
        if end >= rng.start:
            months = months_inclusive(rng.start, end)
    return Job(
        employer=_clip(employer),
        title=_clip(title),
        start=rng.start,
        end=rng.end,
        months=months,
        raw="\n".join(raw_lines),
        fixed_term=is_fixed_term(" ".join(raw_lines) + " " + title),
    )


# --- education and skills -------------------------------------------------------------------


def _looks_like_education(line: _Line, kinds: list[str | None]) -> bool:
    if _DEGREE.search(line.norm):
        return True
    return bool(_SCHOOL.search(line.norm)) and "title" not in kinds


def _education(lines: list[_Line]) -> list[Education]:
    out: list[Education] = []
    pending: MonthRange | None = None
    for line in lines:
        if not line.norm or line.heading:
            continue
        rest = _original_rest(line) if line.rng else unicodedata.normalize("NFKC", line.raw)
        frags = _fragments(rest)
        school = next((f for f in frags if _SCHOOL.search(f.lower())), "")
        degree = _degree(frags, school)
        rng = line.rng or pending
        if school:
            out.append(
                Education(
                    school=_clip(school),
                    degree=_clip(degree),
                    start=rng.start if rng else None,
                    end=rng.end if rng else None,
                )
            )
            pending = None
        elif out and degree and not out[-1].degree:
            out[-1] = out[-1].model_copy(update={"degree": _clip(degree)})
        elif out and line.rng and out[-1].start is None:
            out[-1] = out[-1].model_copy(update={"start": line.rng.start, "end": line.rng.end})
        elif line.rng:
            pending = line.rng
    return out


def _degree(frags: list[str], school: str) -> str:
    """The degree fragments; in Chinese also the major beside them ("物流管理 本科")."""
    picked: list[int] = [
        n for n, f in enumerate(frags) if f != school and _DEGREE.search(f.lower())
    ]
    if not picked:
        return ""
    if _CJK.search(frags[picked[0]]):
        for n in (picked[0] - 1, picked[-1] + 1):
            if 0 <= n < len(frags) and frags[n] != school and not re.search(r"\d", frags[n]):
                picked.append(n)
    return " ".join(frags[n] for n in sorted(set(picked)))


_SKILL_SPLIT = re.compile(r"\s*[,，、;；|｜•·]\s*|\s{2,}|\t")
_SKILL_PREFIX = re.compile(
    r"^(?:熟练使用|熟练掌握|熟练|熟悉|精通|掌握|了解|能够|会使用|会|持有|具备"
    r"|proficient (?:in|with)|familiar with|experienced (?:in|with)|knowledge of|skilled in"
    r"|expert in|fluent in)\s*",
    re.IGNORECASE,
)


def _skills(lines: list[_Line]) -> list[tuple[str, str]]:
    """(skill, the line it came from) in resume order, deduplicated."""
    seen: set[str] = set()
    out: list[tuple[str, str]] = []
    for line in lines:
        if not line.norm or line.heading:
            continue
        text = _BULLET.sub("", unicodedata.normalize("NFKC", line.raw)).strip()
        if ":" in text[:30] or "：" in text[:30]:
            text = re.split(r"[:：]", text, maxsplit=1)[1]  # "Software: Excel, WMS"
        for item in _SKILL_SPLIT.split(text):
            item = _SKILL_PREFIX.sub("", item.strip(" .。")).strip()
            if not item or len(item) > 40 or (not _CJK.search(item) and len(item.split()) > 5):
                continue
            key = item.lower()
            if key not in seen:
                seen.add(key)
                out.append((item, line.raw))
    return out[:MAX_SKILLS]


# --- the resume -----------------------------------------------------------------------------


def parse_resume(text: str, language: str, now: date) -> ResumeFacts:
    """Work history, education, skills, highlights and risk points of a resume's text."""
    if language not in ("zh", "en"):
        raise InvalidInput(f"language {language!r} is not supported; use 'en' or 'zh'")
    lines = _lines(text)
    used: set[int] = set()
    found: list[tuple[int, Job]] = []  # (first line index, job)
    education_lines = [ln for ln in lines if ln.section == "education"]
    for i, line in enumerate(lines):
        if len(found) >= MAX_JOBS:
            break
        if line.rng is None or line.section not in ("work", "unknown") or i in used:
            continue
        kinds = [_kind(f) for f in _fragments(_original_rest(line))]
        if line.section == "unknown" and _looks_like_education(line, kinds):
            education_lines.append(line)  # no headings: a school with dates is education
            continue
        if line.bullet and not any(kinds):
            continue  # "- Employee of the month 2019-2020" is an achievement, not a job
        head = _header(lines, i, used)
        used.update(head.used)
        found.append((min(head.used), _job(lines, head, line.rng, now)))
    jobs = sorted((job for _, job in found), key=lambda j: j.start or date.max)

    # Each content line belongs to the job whose header precedes it (for "at ABC" wording).
    owners: list[tuple[str, str | None]] = []
    starts = sorted(found, key=lambda f: f[0])
    first_lines = [at for at, _ in starts]
    for i, line in enumerate(lines):
        if line.heading or not line.norm or i in used or line.rng:
            continue
        if line.section not in ("work", "unknown", "other"):
            continue
        owner = None
        k = bisect.bisect_right(first_lines, i)
        if line.section == "work" and k:
            owner = starts[k - 1][1].employer
        owners.append((line.raw, owner or None))

    skills = _skills([ln for ln in lines if ln.section == "skills"])
    return ResumeFacts(
        language=language,  # type: ignore[arg-type]
        jobs=tuple(jobs),
        education=tuple(_education(education_lines)),
        skills=tuple(s for s, _ in skills),
        highlights=find_highlights(owners, skills),
        risks=find_risks(jobs, now),
        text_chars=len(text),
    )
