"""Dates in resumes and spoken durations: month ranges such as "2019.03 - 至今" or
"Mar 2019 to present", and vague answers such as "a few months" or "两三年" as month ranges.

Pure: text, language and `now` in; no clock. Dates have month precision. Tenures count both
the first and the last month ("Jan 2020 - Aug 2020" is 8 months), which gives the candidate
the benefit of the doubt on every boundary."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from interview.errors import InvalidInput
from interview.resume.risks import month_index

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
RANGE = re.compile(rf"(?P<a>{_POINT})\s*(?:{_SEP}\s*(?P<b>{_POINT}|{_PRESENT})|(?P<c>至今|迄今))")
_P_YM = re.compile(rf"({_YEAR})\s*(?:[./\-]|年)\s*(\d{{1,2}})\s*月?{_DAY}")
_P_NAME = re.compile(rf"({_MONTH_NAME})\.?,?\s*({_YEAR})")
_P_MY = re.compile(rf"(\d{{1,2}})\s*[/.]\s*({_YEAR})")
_P_Y = re.compile(rf"({_YEAR})\s*年?")


@dataclass(frozen=True)
class MonthRange:
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


def find_range(line: str) -> MonthRange | None:
    """The first date range in a normalised (NFKC, lower-case) line."""
    for m in RANGE.finditer(line):
        a = _point(m["a"])
        if a is None:
            continue
        start, year_only = a
        end_text = m["b"] or m["c"]
        if re.fullmatch(_PRESENT, end_text.strip()):
            return MonthRange(start, None, year_only, m.span())
        b = _point(end_text)
        if b is None:
            continue
        end, end_year_only = b
        if end_year_only:
            end = date(end.year, 12, 1)  # the widest reading: the longest tenure
        return MonthRange(start, end, year_only or end_year_only, m.span())
    return None


def months_inclusive(start: date, end: date) -> int:
    """Months from start to end counting both ends: Jan-Aug is 8."""
    return month_index(end) - month_index(start) + 1


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
