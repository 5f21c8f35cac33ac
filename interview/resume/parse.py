"""Resume text -> ResumeFacts (jobs, education, skills), and spoken durations -> month ranges.

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
from interview.resume.risks import find_highlights, find_risks, is_fixed_term, month_index
from interview.resume.schemas import Education, Job, ResumeFacts

MAX_LINES = 5_000  # a resume, not a book; later lines are ignored
MAX_LINE_CHARS = 1_000  # longer lines are cut before any pattern runs on them
MAX_FIELD_CHARS = 120  # employer, title, school, degree, skill
MAX_SKILLS = 60
MAX_JOBS = 60  # a work history longer than this is not a resume; later entries are ignored

# --- dates ----------------------------------------------------------------------------------

_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
_MONTH_NAME = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_YEAR = r"(?:19[5-9]\d|20\d\d)"
_DAY = r"(?:[./\-]\d{1,2}(?!\d)\s*日?|\s*\d{1,2}\s*日)?"  # dropped: month precision
_POINT = (
    rf"(?:(?<![\d.]){_YEAR}\s*(?:[./\-]|年)\s*\d{{1,2}}(?![\d])\s*月?{_DAY}"  # 2019.03, 2019年3月
    rf"|(?<![a-z]){_MONTH_NAME}\.?,?\s*{_YEAR}(?!\d)"  # Mar 2019, March, 2019
    rf"|(?<![\d./])(?:0?[1-9]|1[0-2])\s*[/.]\s*{_YEAR}(?!\d)"  # 03/2019
    rf"|(?<![\d.]){_YEAR}(?![\d.])\s*年?)"  # 2019
)
_PRESENT = r"(?:present|current|now|today|date|至今|迄今|现在|目前|今)"
_SEP = r"(?:-|–|—|−|‐|~|〜|至|到|to|until|till)"
_RANGE = re.compile(rf"(?P<a>{_POINT})\s*(?:{_SEP}\s*(?P<b>{_POINT}|{_PRESENT})|(?P<c>至今|迄今))")
_P_YM = re.compile(rf"({_YEAR})\s*(?:[./\-]|年)\s*(\d{{1,2}})\s*月?{_DAY}")
_P_NAME = re.compile(rf"({_MONTH_NAME})\.?,?\s*({_YEAR})")
_P_MY = re.compile(rf"(\d{{1,2}})\s*[/.]\s*({_YEAR})")
_P_Y = re.compile(rf"({_YEAR})\s*年?")


@dataclass(frozen=True)
class _Range:
    start: date
    end: date | None  # None: present
    year_only: bool  # a side gave only a year: tenure too vague to judge
    span: tuple[int, int]  # where in the (normalised) line it was found


def _point(text: str) -> tuple[date, bool] | None:
    """A date point -> (first day of its month, year_only)."""
    text = text.strip()
    if m := _P_YM.fullmatch(text):
        year, month = int(m[1]), int(m[2])
    elif m := _P_NAME.fullmatch(text):
        year, month = int(m[2]), _MONTHS[m[1][:3]]
    elif m := _P_MY.fullmatch(text):
        year, month = int(m[2]), int(m[1])
    elif m := _P_Y.fullmatch(text):
        return date(int(m[1]), 1, 1), True
    else:
        return None
    if not 1 <= month <= 12:
        return None
    return date(year, month, 1), False


def find_range(line: str) -> _Range | None:
    """The first date range in a normalised (NFKC, lower-case) line."""
    for m in _RANGE.finditer(line):
        a = _point(m["a"])
        if a is None:
            continue
        start, year_only = a
        end_text = m["b"] or m["c"]
        if re.fullmatch(_PRESENT, end_text.strip()):
            return _Range(start, None, year_only, m.span())
        b = _point(end_text)
        if b is None:
            continue
        end, end_year_only = b
        if end_year_only:
            end = date(end.year, 12, 1)  # the widest reading: the longest tenure
        return _Range(start, end, year_only or end_year_only, m.span())
    return None


def months_inclusive(start: date, end: date) -> int:
    """Months from start to end counting both ends: Jan-Aug is 8."""
    return month_index(end) - month_index(start) + 1


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
    rng: _Range | None = None


def _lines(text: str) -> list[_Line]:
    out: list[_Line] = []
    section = "unknown"
    for raw in text.splitlines()[:MAX_LINES]:
        raw = raw.strip()[:MAX_LINE_CHARS]
        norm = unicodedata.normalize("NFKC", raw).lower()
        bullet = bool(_BULLET.match(norm)) and not _RANGE.match(norm)
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


def _job(lines: list[_Line], head: _Header, rng: _Range, now: date) -> Job:
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
    pending: _Range | None = None
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


# --- spoken durations -----------------------------------------------------------------------
#
# Vague answers from candidates without a resume ("about two years", "两三年", "since last
# summer") become a (low, high) range of whole months, so a later rule can ask "is this surely
# under a year?" (high < 12) or "surely over six months?" (low > 6). The table:
#   exact "N unit"            (N, N)             "two years" -> (24, 24)
#   "about/大概/左右 N"       (0.75N, 1.25N)     "about two years" -> (18, 30)
#   "almost/将近 N"           (0.75N, N)
#   "less than/不到 N"        (0, N - 1)         "不到一年" -> (0, 11)
#   "over/N多/一年多"         years (N, N + 11), months (N, N + 1): "三个多月" -> (3, 4)
#   ranges "两三年", "2-3 years", "two or three years"            -> (24, 36)
#   "a couple of" (2, 3) units; "a few/几" (2, 5) units; "several/好几" (3, 8) units
#   "半年" 6; "一年半" 18; "半年多" (6, 11); "half a month" (0, 1)
#   anchors: months from the earliest to the latest reading of the start until now:
#   "since last summer" (June-August of last year), "去年" (any month of last year),
#   "since 2019", "since March", "过完年" (January-March), "this year" (January-now).

_EN_NUMBERS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
    "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40,
}  # fmt: skip
_ZH_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
              "六": 6, "七": 7, "八": 8, "九": 9}  # fmt: skip
_NUM_EN = (
    r"(?<![a-z\d.])(?:\d+(?:\.\d+)?|"
    + "|".join(sorted(_EN_NUMBERS, key=len, reverse=True))
    + r")(?![a-z])"
)
_NUM_ZH = r"(?:\d+(?:\.\d+)?|[零〇一二两三四五六七八九十]+)"
_NUM = rf"(?:{_NUM_EN}|{_NUM_ZH})"
# A bare 月 is a month name ("3月" is March); a count of months is 个月.
_UNIT = r"(?:years?|yrs?|months?|mos?|weeks?|days?|个月|个星期|星期|周|天|年)"
_SEASONS = {"spring": (3, 5), "summer": (6, 8), "autumn": (9, 11), "fall": (9, 11),
            "winter": (12, 14), "春天": (3, 5), "春季": (3, 5), "夏天": (6, 8), "夏季": (6, 8),
            "秋天": (9, 11), "秋季": (9, 11), "冬天": (12, 14), "冬季": (12, 14)}  # fmt: skip
_QUALIFIERS = (
    ("approx", r"about|around|roughly|approximately|approx\.?|maybe|probably|like|some"
               r"|大概|大约|约|差不多|估计|可能"),
    ("almost", r"almost|nearly|close to|just under|not quite|将近|快|接近|近"),
    ("under", r"less than|under|not even|barely|还不到|不到|不满|不足|没到"),
    ("over", r"more than|over|a bit over|a little over|just over|at least|upwards of"
             r"|超过|至少"),
)  # fmt: skip
_QUALIFIER = "|".join(p for _, p in _QUALIFIERS)
_TAILS = {"多": "over", "以上": "over", "plus": "over", "+": "over", "or more": "over",
          "左右": "approx", "上下": "approx", "or so": "approx", "ish": "approx"}  # fmt: skip
# Halves are rewritten to plain numbers first, so qualifiers apply to them too.
_HALVES = (
    (re.compile(rf"({_NUM_ZH})\s*年半"), lambda m: f"{_fmt((_num(m[1]) or 0) * 12 + 6)}个月"),
    (re.compile(rf"({_NUM_ZH})\s*个半月"), lambda m: f"{_fmt((_num(m[1]) or 0) + 0.5)}个月"),
    (
        re.compile(rf"({_NUM_EN}) and a half (years?|months?)"),
        lambda m: f"{_fmt((_num(m[1]) or 0) + 0.5)} {m[2]}",
    ),
    (re.compile(r"\b(?:a|one) (year|month) and a half"), lambda m: f"1.5 {m[1]}s"),
    (re.compile(r"\bhalf (?:a |an )?year|半年"), lambda m: "6 months"),
    (re.compile(r"\bhalf (?:a |an )?month|半个月"), lambda m: "0.5 months"),
)


def _fmt(value: float) -> str:
    return str(int(value)) if value == int(value) else str(value)


def _num(token: str) -> float | None:
    token = token.strip()
    if re.fullmatch(r"\d+(?:\.\d+)?", token):
        return float(token)
    if token in _EN_NUMBERS:
        return float(_EN_NUMBERS[token])
    if token and all(ch in _ZH_DIGITS or ch == "十" for ch in token):
        if "十" not in token:
            return float(int("".join(str(_ZH_DIGITS[ch]) for ch in token)))
        tens, _, ones = token.partition("十")
        if len(tens) > 1 or len(ones) > 1:
            return None
        return float((_ZH_DIGITS[tens] if tens else 1) * 10 + (_ZH_DIGITS[ones] if ones else 0))
    return None


def _unit_months(unit: str) -> float:
    if unit.startswith(("y", "年")):
        return 12.0
    if unit.startswith(("w", "周", "星期", "个星期")):
        return 12 / 52
    if unit.startswith(("d", "天")):
        return 12 / 365
    return 1.0


def _month(year: int, month: int) -> date:
    """First day of a month; months past 12 or below 1 roll into the next or previous year."""
    year, month0 = divmod(year * 12 + month - 1, 12)
    return date(year, month0 + 1, 1)


def _since(earliest: date, latest: date, now: date) -> tuple[int, int] | None:
    """Months from a start (somewhere between earliest and latest) until now."""
    if earliest > now:
        return None
    n = month_index(now)
    latest = min(latest, date(now.year, now.month, 1))
    return max(0, n - month_index(latest)), max(0, n - month_index(earliest))


def _latest(month: int, now: date, *, year: int | None = None) -> date:
    """The month in the given year, else its most recent occurrence up to now."""
    if year is not None:
        return date(year, month, 1)
    return date(now.year if month <= now.month else now.year - 1, month, 1)


def _anchor(t: str, now: date) -> tuple[int, int] | None:
    """'since last summer', '去年', 'since March 2022', '从3月开始', '过完年' -> months since."""
    y = now.year
    month_zh = r"(\d{1,2}|十[一二]?|[一二三四五六七八九])"
    if m := re.search(rf"({_YEAR})\s*(?:年|[./\-])\s*{month_zh}\s*月?", t):
        month = _num(m[2])
        if month is not None and 1 <= month <= 12:
            return _since(date(int(m[1]), int(month), 1), date(int(m[1]), int(month), 1), now)
    if m := re.search(rf"({_MONTH_NAME})\.?,? ({_YEAR})", t):
        start = date(int(m[2]), _MONTHS[m[1][:3]], 1)
        return _since(start, start, now)
    if m := re.search(rf"去年\s*{month_zh}\s*月", t):
        month = _num(m[1])
        if month is not None and 1 <= month <= 12:
            start = date(y - 1, int(month), 1)
            return _since(start, start, now)
    for name, (m0, m1) in _SEASONS.items():
        if re.search(rf"(?:last|去年)\s*{name}", t):
            return _since(_month(y - 1, m0), _month(y - 1, m1), now)
        if re.search(rf"(?:since|from|this|今年)\s*(?:the\s*)?{name}", t):
            year = y if _month(y, m0) <= now else y - 1
            return _since(_month(year, m0), _month(year, m1), now)
    if "前年" in t or "year before last" in t:
        return _since(date(y - 2, 1, 1), date(y - 2, 12, 1), now)
    if re.search(r"去年|last year", t):
        return _since(date(y - 1, 1, 1), date(y - 1, 12, 1), now)
    if re.search(r"上个月|last month", t):
        start = _month(y, now.month - 1)
        return _since(start, start, now)
    if re.search(r"过完年|春节后|年后|(?:chinese|lunar) new year", t):
        year = y if now.month >= 2 else y - 1
        return _since(date(year, 1, 1), date(year, 3, 1), now)
    if re.search(r"今年|this year|since january", t):
        return _since(date(y, 1, 1), date(y, now.month, 1), now)
    if m := re.search(rf"(?<!\d)({_YEAR})(?!\d)", t):
        return _since(date(int(m[1]), 1, 1), date(int(m[1]), 12, 1), now)
    if m := re.search(rf"(?:since|from) ({_MONTH_NAME})\b", t):
        start = _latest(_MONTHS[m[1][:3]], now)
        return _since(start, start, now)
    if m := re.search(rf"{month_zh}\s*月份?\s*(?:开始|起|到现在|以来|至今)", t):
        month = _num(m[1])
        if month is not None and 1 <= month <= 12:
            start = _latest(int(month), now)
            return _since(start, start, now)
    return None


def _span(months: float, unit: float, qualifier: str) -> tuple[int, int]:
    def up(x: float) -> int:
        return int(-(-x // 1))

    if qualifier == "approx":
        return int(months * 0.75), up(months * 1.25)
    if qualifier == "almost":
        return int(months * 0.75), round(months)
    if qualifier == "under":
        return 0, max(0, up(months) - 1)
    if qualifier == "over":
        return round(months), round(months) + (11 if unit == 12 else 1)
    return int(months), up(months)


def _scaled(low: float, high: float, unit: float) -> tuple[int, int]:
    return int(low * unit), int(-(-high * unit // 1))


def normalise_duration(text: str, language: str, now: date) -> tuple[int, int] | None:
    """A spoken duration ('about two years', '两三年', 'since last summer') -> month range."""
    if language not in ("zh", "en"):
        raise InvalidInput(f"language {language!r} is not supported; use 'en' or 'zh'")
    t = re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text).lower()).strip()[:200]
    if not t:
        return None
    result = _duration(t, now)
    if result is None or not 0 <= result[0] <= result[1] <= 600:
        return None
    return result


def _duration(t: str, now: date) -> tuple[int, int] | None:
    # A calendar year means a start date ("since 2019", "2019年3月到现在"), not a count.
    if re.search(rf"(?<!\d){_YEAR}(?!\d)", t):
        return _anchor(t, now)
    if "半年多" in t:
        return 6, 11
    for pattern, rewrite in _HALVES:
        t = pattern.sub(rewrite, t)

    # Compound exact forms: "一年三个月", "two years and three months".
    if m := re.search(rf"({_NUM_ZH})\s*年\s*(?:零)?\s*({_NUM_ZH})\s*个?月", t):
        years, months = _num(m[1]), _num(m[2])
        if years is not None and months is not None:
            total = round(years * 12 + months)
            return total, total
    if m := re.search(rf"({_NUM_EN}) years?,? and ({_NUM_EN}) months?", t):
        years, months = _num(m[1]), _num(m[2])
        if years is not None and months is not None:
            total = round(years * 12 + months)
            return total, total

    # Ranges: "两三年", "三四个月", "2-3 years", "two or three years", "三到五年".
    if m := re.search(
        r"([一二两三四五六七八九])([二三四五六七八九十])\s*(个月|个星期|年|周|天)", t
    ):
        a, b = _num(m[1]), _num(m[2])
        if a is not None and b is not None and b == a + 1:
            return _scaled(a, b, _unit_months(m[3]))
    if m := re.search(rf"({_NUM})\s*(?:-|–|~|to|or|到|至)\s*({_NUM})\s*(?:个)?\s*({_UNIT})", t):
        a, b = _num(m[1]), _num(m[2])
        if a is not None and b is not None and a < b:
            return _scaled(a, b, _unit_months(m[3]))

    # Vague counts: "a couple of years", "a few months", "几个月", "several years".
    if m := re.search(r"\b(?:a )?couple(?: of)? (years?|months?|weeks?)", t):
        return _scaled(2, 3, _unit_months(m[1]))
    if m := re.search(r"\b(a few|few|several) (years?|months?|weeks?)", t):
        low, high = (3, 8) if m[1] == "several" else (2, 5)
        return _scaled(low, high, _unit_months(m[2]))
    if m := re.search(r"(好几|几)\s*(个月|年|个星期|周)", t):
        low, high = (3, 8) if m[1] == "好几" else (2, 5)
        return _scaled(low, high, _unit_months(m[2]))

    # "一年多", "三个多月", "十多年": more than N, less than N + 1.
    if m := re.search(rf"({_NUM_ZH})\s*(?:个)?多\s*(个月|月|年)|({_NUM_ZH})\s*(年)多", t):
        n = _num(m[1] or m[3])
        unit = _unit_months(m[2] or m[4])
        if n is not None:
            return _span(n * unit, unit, "over")

    # A number and a unit, with an optional qualifier before or after.
    if m := re.search(
        rf"(?:(?P<q>{_QUALIFIER})\s*)?(?P<n>{_NUM})\s*(?:个)?\s*(?P<unit>{_UNIT})"
        rf"(?P<tail>\s*(?:左右|上下|多|以上|plus|\+|or so|or more|ish))?",
        t,
    ):
        n = _num(m["n"])
        if n is not None:
            unit = _unit_months(m["unit"])
            return _span(n * unit, unit, _qualifier(m["q"] or "", m["tail"] or ""))

    # Relative anchors without a year: "since last summer", "去年", "since March".
    return _anchor(t, now)


def _qualifier(prefix: str, tail: str) -> str:
    if tail.strip() in _TAILS:
        return _TAILS[tail.strip()]
    for name, pattern in _QUALIFIERS:
        if prefix and re.fullmatch(pattern, prefix):
            return name
    return "exact"
