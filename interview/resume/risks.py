"""Work history -> risk points to ask about; resume lines -> highlights to verify. Pure.

A risk point is a pattern worth an open question (a gap can be caregiving, illness, study or
a move), never a verdict. The rules lean towards the candidate at every boundary: tenures count
both end months, gaps count only the whole months between jobs, and year-only dates never make
a short tenure or a job-hopping pattern.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from datetime import date

from interview.resume.schemas import Highlight, Job, RiskPoint

HOPPING_EMPLOYERS = 3  # this many different employers ...
HOPPING_WINDOW_MONTHS = 24  # ... starting within this many calendar months
GAP_MONTHS = 6  # a gap of more whole months than this between jobs
SHORT_TENURE_MONTHS = 12  # a finished job held for fewer months than this
MAX_TEAM_HIGHLIGHTS = 5
MAX_RESULT_HIGHLIGHTS = 8
MAX_SKILL_HIGHLIGHTS = 8
MAX_HIGHLIGHT_CHARS = 200

_FIXED_TERM = re.compile(
    r"\b(?:intern|internship|trainee|co-?op|contract|contractor|temporary|temp|seasonal"
    r"|part[- ]time|freelance|freelancer|fixed[- ]term|summer job|casual)\b"
    r"|实习|兼职|临时|季节|短期|合同工|外包|寒假|暑假|暑期",
    re.IGNORECASE,
)


def month_index(d: date) -> int:
    """Months since year 0: differences of these are whole calendar months."""
    return d.year * 12 + d.month - 1


def is_fixed_term(text: str) -> bool:
    """Whether a job's lines say it was an internship, contract, seasonal, temp or part-time."""
    return bool(_FIXED_TERM.search(unicodedata.normalize("NFKC", text)))


def _ym(d: date | None) -> str:
    return "present" if d is None else d.strftime("%b %Y")


def _name(job: Job) -> str:
    return job.employer or job.title or f"the job from {_ym(job.start)}"


def _evidence(jobs: Sequence[Job]) -> tuple[str, ...]:
    return tuple(line for job in jobs for line in job.raw.splitlines() if line.strip())


# --- risks ----------------------------------------------------------------------------------


def find_risks(jobs: Sequence[Job], now: date) -> tuple[RiskPoint, ...]:
    """Job hopping, gaps, short tenures and title drops in a work history, oldest first."""
    dated = sorted(
        (j for j in jobs if j.start is not None and j.start <= now and (j.end or now) >= j.start),
        key=lambda j: (j.start, j.end or date.max),
    )
    return (
        *_job_hopping(dated),
        *_gaps(dated),
        *_short_tenures(dated),
        *_title_drops(dated),
    )


def _employer_key(job: Job) -> str:
    return re.sub(r"\W+", "", unicodedata.normalize("NFKC", job.employer).lower())


def _job_hopping(jobs: Sequence[Job]) -> list[RiskPoint]:
    """Clusters of HOPPING_EMPLOYERS+ employers whose start months span <= the window."""
    counted = [j for j in jobs if j.months is not None and not j.fixed_term and j.employer]
    spans: list[tuple[int, int]] = []
    for i, first in enumerate(counted):
        assert first.start is not None
        last = i
        for k in range(i, len(counted)):
            start = counted[k].start
            assert start is not None
            if month_index(start) - month_index(first.start) >= HOPPING_WINDOW_MONTHS:
                break  # sorted by start: every later job is outside the window too
            last = k
        employers = {_employer_key(j) for j in counted[i : last + 1]}
        if len(employers) >= HOPPING_EMPLOYERS:
            if spans and i <= spans[-1][1]:
                spans[-1] = (spans[-1][0], max(spans[-1][1], last))
            else:
                spans.append((i, last))
    out = []
    for i, last in spans:
        group = counted[i : last + 1]
        names: list[str] = []
        for job in group:
            if job.employer not in names:
                names.append(job.employer)
        start, end = group[0].start, group[-1].start
        assert start is not None and end is not None
        within = month_index(end) - month_index(start) + 1
        out.append(
            RiskPoint(
                kind="job_hopping",
                description=(
                    f"{len(names)} employers started within {within} months "
                    f"({_ym(start)} to {_ym(end)}): {', '.join(names)}"
                ),
                evidence=_evidence(group),
                start=start,
                end=end,
                months=within,
                jobs=tuple(group),
            )
        )
    return out


def _gaps(jobs: Sequence[Job]) -> list[RiskPoint]:
    """Whole months with no job between one job's end and the next one's start."""
    out = []
    covered: Job | None = None  # the job reaching furthest so far
    for job in jobs:
        assert job.start is not None
        if covered is not None and covered.end is not None:
            months = month_index(job.start) - month_index(covered.end) - 1
            if months > GAP_MONTHS:
                out.append(
                    RiskPoint(
                        kind="gap",
                        description=(
                            f"{months} months between jobs: {_name(covered)} ended "
                            f"{_ym(covered.end)}, {_name(job)} started {_ym(job.start)}"
                        ),
                        evidence=_evidence((covered, job)),
                        start=covered.end,
                        end=job.start,
                        months=months,
                        jobs=(covered, job),
                    )
                )
        if covered is None or (
            covered.end is not None and (job.end is None or job.end > covered.end)
        ):
            covered = job
    return out


def _short_tenures(jobs: Sequence[Job]) -> list[RiskPoint]:
    """Finished jobs held under SHORT_TENURE_MONTHS; a current job is still running."""
    out = []
    for n, job in enumerate(jobs):
        if job.end is None or job.months is None or job.fixed_term:
            continue
        if job.months >= SHORT_TENURE_MONTHS:
            continue
        later = jobs[n + 1 :]  # sorted by start: the job taken after this one, if any
        involved = (job, later[0]) if later else (job,)
        out.append(
            RiskPoint(
                kind="short_tenure",
                description=(
                    f"{job.months} months at {_name(job)} ({_ym(job.start)} to {_ym(job.end)})"
                ),
                evidence=_evidence((job,)),
                start=job.start,
                end=job.end,
                months=job.months,
                jobs=involved,
            )
        )
    return out


# Seniority of a title, read from its head word (the keyword that ends last): titles are
# head-final in both languages ("Assistant Manager" is a manager, "店长助理" an assistant).
_LEVELS: tuple[tuple[int, re.Pattern[str]], ...] = (
    (
        4,
        re.compile(
            r"\b(?:director|vp|vice president|chief \w+ officer|ceo|coo|cfo|cto|president"
            r"|general manager|head of \w+)\b|总监|总经理|副总|总裁|厂长"
        ),
    ),
    (3, re.compile(r"\bmanagers?\b|经理|店长|主任")),
    (
        2,
        re.compile(
            r"\b(?:supervisor|team lead|team leader|shift lead|shift leader|lead|foreman"
            r"|forewoman|head)\b|主管|组长|班长|领班|负责人"
        ),
    ),
    (
        1,
        re.compile(
            r"\b(?:engineer|developer|scientist|professor|nurse|analyst|designer|architect"
            r"|consultant|accountant|attorney|lawyer|partner|researcher|teacher|physician"
            r"|senior associate)\b|工程师|设计师|分析师|会计|护士|教师|老师|医生|律师|顾问"
        ),
    ),
    (
        0,
        re.compile(
            r"\b(?:associate|assistant|staff|clerk|trainee|intern|crew member|crew|helper"
            r"|junior|entry[- ]level)\b|专员|助理|普工|店员|实习生|学徒|杂工"
        ),
    ),
)


def title_level(title: str) -> int | None:
    """0 junior, 1 individual contributor, 2 supervisor, 3 manager, 4 director; None unknown."""
    text = unicodedata.normalize("NFKC", title).lower()
    best: tuple[int, int] | None = None  # (end of keyword, level)
    for level, pattern in _LEVELS:
        for m in pattern.finditer(text):
            if best is None or m.end() > best[0] or (m.end() == best[0] and level > best[1]):
                best = (m.end(), level)
    if best is None:
        return None
    level = best[1]
    if level >= 2 and _LEVELS[-1][1].search(text[: best[0]]):
        level -= 1  # "Assistant Manager", "Associate Director": a step below the head word
    return level


def _title_drops(jobs: Sequence[Job]) -> list[RiskPoint]:
    """A later title at junior level after an earlier supervisor-or-above title."""
    out = []
    for n, later in enumerate(jobs):
        if title_level(later.title) != 0 or later.fixed_term:
            continue
        earlier = [
            j for j in jobs[:n] if (title_level(j.title) or 0) >= 2 and j.start != later.start
        ]
        if not earlier:
            continue
        before = earlier[-1]
        out.append(
            RiskPoint(
                kind="title_drop",
                description=(
                    f"{before.title} at {_name(before)} ({_ym(before.start)}), later "
                    f"{later.title} at {_name(later)} ({_ym(later.start)})"
                ),
                evidence=_evidence((before, later)),
                start=before.start,
                end=later.start,
                jobs=(before, later),
            )
        )
    return out


# --- highlights -----------------------------------------------------------------------------

_EN_COUNT = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
             "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20,
             "thirty": 30, "fifty": 50, "dozen": 12, "a dozen": 12}  # fmt: skip
_ZH_COUNT = {"两": 2, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
             "十": 10}  # fmt: skip
_N_EN = r"(\d{1,4}|" + "|".join(sorted(_EN_COUNT, key=len, reverse=True)) + r")"
_N_ZH = r"(\d{1,4}|[一二两三四五六七八九十百]{1,4})"
_TEAM = (
    re.compile(
        r"\b(?:managed|managing|manage|led|lead|leading|supervised|supervising|supervise"
        r"|oversaw|overseeing|headed|ran|coached|directed)\s+(?:a\s+|an\s+|the\s+)?"
        r"(?:\w+\s+){0,2}?(?:team|crew|staff|group|department|shift)\s+of\s+(?:about\s+|over\s+)?"
        + _N_EN
    ),
    re.compile(
        r"\b(?:managed|managing|led|leading|supervised|supervising|oversaw|headed|coached"
        r"|directed)\s+(?:a\s+)?(?:team\s+of\s+)?" + _N_EN + r"[\s-]+(?:\w+\s+){0,2}?"
        r"(?:people|persons|staff|employees|workers|reports|direct reports|members|associates"
        r"|engineers|pickers|drivers|servers|nurses|agents|cashiers|operators|technicians)\b"
    ),
    re.compile(r"\b" + _N_EN + r"[- ](?:person|people|member|strong)\s+(?:team|crew)\b"),
    re.compile(
        r"(?:带领|管理|领导|负责管理|带)\s*(?:了)?\s*(?:一支)?\s*"
        + _N_ZH
        + r"\s*(?:多)?\s*(?:人|名)(?:的)?\s*(?:团队|小组|员工|下属|班组)?"
    ),
    re.compile(
        r"(?:团队规模|下属|管理团队)\s*(?:为|有|共)?\s*" + _N_ZH + r"\s*(?:多)?\s*(?:人|名)"
    ),
)
_TEAM_VAGUE = re.compile(
    r"\b(?:managed|led|supervised|oversaw|headed)\s+(?:a\s+|the\s+)?(?:\w+\s+)?(?:team|crew)\b"
    r"|带领团队|管理团队|带团队"
)
_QUANT = re.compile(
    r"\d[\d,.]*\s*(?:%|percent\b|万|亿|倍|k\b|x\b)|[¥$€£]\s*\d|\d[\d,.]*\s*(?:元|美元|rmb\b|usd\b)"
    r"|百分之|翻倍|翻番|\b(?:doubled|tripled)\b"
)
_RESULT_VERB = re.compile(
    r"\b(?:increased|increasing|reduced|reducing|cut|grew|growing|improved|improving|saved"
    r"|raised|boosted|decreased|lowered|achieved|generated|delivered|exceeded|handled|processed"
    r"|served|shipped|picked|packed|trained|hired|recruited|onboarded|opened|launched|closed"
    r"|sold|resolved|completed|built|won|shortened|sped up)\b"
    r"|提升|提高|降低|减少|增长|增加|节省|节约|完成|实现|处理|培训|招聘|达成|缩短|创造|销售|接待"
    r"|服务|拣货|拣选|打包|配送|解决|获得|超额|开发|上线|带来"
)
_COUNT = re.compile(r"(?<![\d.])(\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?![\d.])")
_BULLET = re.compile(r"^\s*(?:[-*•·●▪◦‣○■□➢►>✓✔◆◇]|\d{1,2}[.)、](?!\d))\s*")


def _count(token: str) -> int | None:
    if token.isdigit():
        return int(token)
    if token in _EN_COUNT:
        return _EN_COUNT[token]
    if all(ch in _ZH_COUNT or ch in "一百" for ch in token):
        digits = {**_ZH_COUNT, "一": 1}
        if token == "十":
            return 10
        if token.startswith("十"):
            return 10 + digits.get(token[1:], 0)
        if "十" in token:
            tens, _, ones = token.partition("十")
            return digits.get(tens, 0) * 10 + (digits.get(ones, 0) if ones else 0)
        if len(token) == 1:
            return digits.get(token)
    return None


def _team_size(text: str) -> tuple[bool, int | None]:
    for pattern in _TEAM:
        if m := pattern.search(text):
            size = _count(m[1])
            if size is not None and 2 <= size <= 100_000:
                return True, size
    return bool(_TEAM_VAGUE.search(text)), None


def _counts_near_verb(text: str) -> bool:
    """A count (not a year) shortly after a result verb: 'picked 1,200 orders a shift'."""
    for verb in _RESULT_VERB.finditer(text):
        window = text[verb.end() : verb.end() + (15 if verb[0][0] > "\u3000" else 40)]
        for m in _COUNT.finditer(window):
            value = int(m[1].replace(",", ""))
            if 1950 <= value <= 2100 and len(m[1]) == 4:
                continue  # a year
            if value >= 2:
                return True
    return False


def _clean(line: str) -> str:
    text = _BULLET.sub("", line).strip()
    return text[:MAX_HIGHLIGHT_CHARS]


def find_highlights(
    lines: Sequence[tuple[str, str | None]], skills: Sequence[tuple[str, str]]
) -> tuple[Highlight, ...]:
    """Team management and quantified claims from (line, employer) pairs; listed skills."""
    teams: list[Highlight] = []
    results: list[Highlight] = []
    for raw, employer in lines:
        text = unicodedata.normalize("NFKC", raw).lower()
        is_team, size = _team_size(text)
        if is_team and len(teams) < MAX_TEAM_HIGHLIGHTS:
            teams.append(
                Highlight(
                    kind="team_management",
                    text=_clean(raw),
                    evidence=(raw,),
                    employer=employer,
                    team_size=size,
                )
            )
        quantified = bool(_QUANT.search(text)) or (not is_team and _counts_near_verb(text))
        if quantified and len(results) < MAX_RESULT_HIGHLIGHTS:
            results.append(
                Highlight(
                    kind="quantified_result", text=_clean(raw), evidence=(raw,), employer=employer
                )
            )
    claimed = [
        Highlight(kind="claimed_skill", text=skill, evidence=(line,))
        for skill, line in skills[:MAX_SKILL_HIGHLIGHTS]
    ]
    return (*teams, *results, *claimed)
