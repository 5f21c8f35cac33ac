"""Resume parsing, risk rules at their boundaries, highlights and spoken durations."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from interview.errors import InvalidInput
from interview.resume.dates import normalise_duration
from interview.resume.parse import parse_resume
from interview.resume.risks import find_risks, title_level
from interview.resume.schemas import Job

NOW = date(2024, 5, 15)

EN_RESUME = """\
Jane Doe
jane.doe@example.com | +1 555 0100

Summary
Warehouse professional with six years in logistics and retail.

Work Experience
ABC Logistics — Warehouse Supervisor
Jan 2020 - Aug 2020
- Managed a team of 8 pickers across two shifts
- Cut picking errors by 30% in six months

XYZ Retail, Shanghai   Mar 2021 – Dec 2021
Sales Associate
• Served 120 customers a day

Picker at DEF Foods | Jun 2022 - Present

Line Cook @ Joe's Diner (Summer internship) 2017.06-2017.08

Education
Shanghai University, B.Sc. Logistics, 2012 - 2016

Skills
Excel, WMS; forklift licence, SAP
"""

ZH_RESUME = """\
张三  138-0000-0000
【工作经历】
2016年7月-2018年12月 北京某某餐饮有限公司 服务员
2019.03 - 2021.06 上海某某物流有限公司 仓库主管
- 带领12人团队，拣货差错率降低30%
- 日均处理订单800单
2021/9–2022/3  XYZ零售  店员
2022.04-至今 某某超市 理货员
教育背景
2012.09-2016.06 上海海事大学 物流管理 本科
专业技能
熟练使用Excel、WMS系统；持有叉车证
"""


def _jobs(text: str, language: str) -> list[tuple[str, str, date | None, date | None, int | None]]:
    facts = parse_resume(text, language, NOW)
    return [(j.employer, j.title, j.start, j.end, j.months) for j in facts.jobs]


def test_english_resume_jobs_education_skills() -> None:
    facts = parse_resume(EN_RESUME, "en", NOW)
    assert _jobs(EN_RESUME, "en") == [
        ("Joe's Diner", "Line Cook", date(2017, 6, 1), date(2017, 8, 1), 3),
        ("ABC Logistics", "Warehouse Supervisor", date(2020, 1, 1), date(2020, 8, 1), 8),
        ("XYZ Retail", "Sales Associate", date(2021, 3, 1), date(2021, 12, 1), 10),
        ("DEF Foods", "Picker", date(2022, 6, 1), None, 24),
    ]
    assert [j.fixed_term for j in facts.jobs] == [True, False, False, False]
    assert facts.jobs[1].raw == "ABC Logistics — Warehouse Supervisor\nJan 2020 - Aug 2020"
    assert [(e.school, e.degree) for e in facts.education] == [
        ("Shanghai University", "B.Sc. Logistics")
    ]
    assert facts.skills == ("Excel", "WMS", "forklift licence", "SAP")
    assert facts.language == "en" and facts.text_chars == len(EN_RESUME)


def test_english_resume_risks() -> None:
    facts = parse_resume(EN_RESUME, "en", NOW)
    assert [(r.kind, r.months, [j.employer for j in r.jobs]) for r in facts.risks] == [
        # Joe's Diner ended Aug 2017, ABC started Jan 2020: Sep 2017..Dec 2019 = 28 months.
        ("gap", 28, ["Joe's Diner", "ABC Logistics"]),
        # Dec 2021 -> Jun 2022: Jan..May = 5 months, not a gap; Aug 2020 -> Mar 2021: 6, not.
        ("short_tenure", 8, ["ABC Logistics", "XYZ Retail"]),
        ("short_tenure", 10, ["XYZ Retail", "DEF Foods"]),
        ("title_drop", None, ["ABC Logistics", "XYZ Retail"]),
    ]
    gap = facts.risks[0]
    assert gap.evidence == (
        "Line Cook @ Joe's Diner (Summer internship) 2017.06-2017.08",
        "ABC Logistics — Warehouse Supervisor",
        "Jan 2020 - Aug 2020",
    )
    assert gap.start == date(2017, 8, 1) and gap.end == date(2020, 1, 1)
    assert facts.risks[1].description == "8 months at ABC Logistics (Jan 2020 to Aug 2020)"


def test_english_resume_highlights() -> None:
    facts = parse_resume(EN_RESUME, "en", NOW)
    got = [(h.kind, h.text, h.employer, h.team_size) for h in facts.highlights]
    assert got == [
        ("team_management", "Managed a team of 8 pickers across two shifts", "ABC Logistics", 8),
        ("quantified_result", "Cut picking errors by 30% in six months", "ABC Logistics", None),
        ("quantified_result", "Served 120 customers a day", "XYZ Retail", None),
        ("claimed_skill", "Excel", None, None),
        ("claimed_skill", "WMS", None, None),
        ("claimed_skill", "forklift licence", None, None),
        ("claimed_skill", "SAP", None, None),
    ]
    assert facts.highlights[0].evidence == ("- Managed a team of 8 pickers across two shifts",)
    assert facts.highlights[-1].evidence == ("Excel, WMS; forklift licence, SAP",)


def test_chinese_resume() -> None:
    facts = parse_resume(ZH_RESUME, "zh", NOW)
    assert _jobs(ZH_RESUME, "zh") == [
        ("北京某某餐饮有限公司", "服务员", date(2016, 7, 1), date(2018, 12, 1), 30),
        ("上海某某物流有限公司", "仓库主管", date(2019, 3, 1), date(2021, 6, 1), 28),
        ("XYZ零售", "店员", date(2021, 9, 1), date(2022, 3, 1), 7),
        ("某某超市", "理货员", date(2022, 4, 1), None, 26),
    ]
    assert [(e.school, e.degree, e.start, e.end) for e in facts.education] == [
        ("上海海事大学", "物流管理 本科", date(2012, 9, 1), date(2016, 6, 1))
    ]
    assert facts.skills == ("Excel", "WMS系统", "叉车证")
    assert [(r.kind, r.months, [j.employer for j in r.jobs]) for r in facts.risks] == [
        ("short_tenure", 7, ["XYZ零售", "某某超市"]),
        ("title_drop", None, ["上海某某物流有限公司", "XYZ零售"]),
    ]
    assert [(h.kind, h.employer, h.team_size) for h in facts.highlights[:3]] == [
        ("team_management", "上海某某物流有限公司", 12),
        ("quantified_result", "上海某某物流有限公司", None),
        ("quantified_result", "上海某某物流有限公司", None),
    ]
    assert facts.highlights[2].text == "日均处理订单800单"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # title line, employer line, then the dates alone
        (
            "EXPERIENCE\nWarehouse Supervisor\nABC Logistics, Shanghai\nMar 2019 – Present\n"
            "• Led the night shift\n\nSales Associate\nXYZ Retail\nJun 2017 - Feb 2019\n",
            [("XYZ Retail", "Sales Associate", 21), ("ABC Logistics", "Warehouse Supervisor", 63)],
        ),
        # dates alone, names on the next line; "至今" without a separator
        (
            "工作经历\n2019年3月-2021年6月\n上海某某物流有限公司 | 仓库主管\n负责仓库日常管理\n"
            "2021.07至今\n某某超市 店长\n",
            [("上海某某物流有限公司", "仓库主管", 28), ("某某超市", "店长", 35)],
        ),
        # names and dates on one line, pipes and full-width separators
        (
            "【工作经历】\n上海某某物流有限公司 | 仓库主管 | 2019.03-2021.06\n"
            "某某科技有限公司｜运营专员｜2021.08～2022.01\n",
            [("上海某某物流有限公司", "仓库主管", 28), ("某某科技有限公司", "运营专员", 6)],
        ),
        # "Title, Employer", MM/YYYY, and a company suffix split at its comma
        (
            "Experience\nPicker, DEF Foods, 03/2018 - 12/2019\n"
            "Acme Co., Ltd. - Store Manager  Jan 2020 - Feb 2021\n",
            [("DEF Foods", "Picker", 22), ("Acme Co., Ltd.", "Store Manager", 14)],
        ),
        # day precision is read and dropped; 年月日 too
        (
            "Experience\n2019-03-15 - 2021-06-30 Acme Stores — Cashier\n"
            "2021年7月1日-至今 某某超市 理货员\n",
            [("Acme Stores", "Cashier", 28), ("某某超市", "理货员", 35)],
        ),
        # year-only dates: kept, but too vague for a tenure
        ("Work History\nAcme Stores — Cashier  2015 - 2018\n", [("Acme Stores", "Cashier", None)]),
    ],
)
def test_layouts(text: str, expected: list[tuple[str, str, int | None]]) -> None:
    facts = parse_resume(text, "en", NOW)
    assert [(j.employer, j.title, j.months) for j in facts.jobs] == expected


def test_achievement_bullet_with_years_is_not_a_job() -> None:
    text = "Experience\nA Corp — Clerk  Jan 2019 - Jun 2021\n- Employee of the month 2019-2020\n"
    assert [j.employer for j in parse_resume(text, "en", NOW).jobs] == ["A Corp"]


def test_no_headings_school_goes_to_education() -> None:
    text = "John Smith\nState University, BA English 2011-2015\nAcme Stores — Cashier 2015 - 2018\n"
    facts = parse_resume(text, "en", NOW)
    assert [j.employer for j in facts.jobs] == ["Acme Stores"]
    assert [e.school for e in facts.education] == ["State University"]


def test_no_work_history_and_bad_language() -> None:
    facts = parse_resume("Hello, I would like a job.", "en", NOW)
    assert facts.jobs == () and facts.risks == () and facts.highlights == ()
    with pytest.raises(InvalidInput, match="'fr'"):
        parse_resume("x", "fr", NOW)


_SNIPPETS = st.sampled_from(
    [
        "Work Experience", "工作经历", "教育背景", "Skills", "2019.03 - 2021.06", "2019/3–至今",
        "Mar 2019 – Present", "2019年3月-2021年6月", "ABC Logistics — Warehouse Supervisor",
        "上海某某物流有限公司 仓库主管", "- Managed a team of 8", "带领12人团队", "30%", "2019",
        "Excel、WMS；叉车证", "(8 months)", "（", "@", " at ", "\t", "  ", "-", "•", "至今",
    ]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(_SNIPPETS, st.text(max_size=30)), max_size=40))
def test_parse_never_crashes_on_arbitrary_text(pieces: list[str]) -> None:
    text = "\n".join(pieces)
    for language in ("zh", "en"):
        facts = parse_resume(text, language, NOW)
        assert facts.text_chars == len(text)
        assert all(j.months is None or j.months >= 1 for j in facts.jobs)
        span = normalise_duration(text, language, NOW)
        assert span is None or 0 <= span[0] <= span[1] <= 600


# --- risk rules at their boundaries ---------------------------------------------------------


def _job(
    employer: str, start: tuple[int, int], end: tuple[int, int] | None, title: str = "Clerk"
) -> Job:
    s = date(start[0], start[1], 1)
    e = date(end[0], end[1], 1) if end else None
    last = e or date(NOW.year, NOW.month, 1)
    months = (last.year - s.year) * 12 + last.month - s.month + 1
    return Job(employer=employer, title=title, start=s, end=e, months=months, raw=employer)


def _kinds(jobs: list[Job]) -> list[str]:
    return [r.kind for r in find_risks(jobs, NOW)]


def test_gap_of_exactly_six_months_is_not_a_gap_seven_is() -> None:
    first = _job("A", (2018, 1), (2019, 12))
    assert _kinds([first, _job("B", (2020, 7), None)]) == []  # Jan..Jun 2020: 6 months
    risks = find_risks([first, _job("B", (2020, 8), None)], NOW)  # Jan..Jul: 7 months
    assert [(r.kind, r.months) for r in risks] == [("gap", 7)]
    assert risks[0].description == "7 months between jobs: A ended Dec 2019, B started Aug 2020"


def test_overlapping_jobs_leave_no_gap() -> None:
    jobs = [
        _job("A", (2015, 1), (2022, 12)),
        _job("B", (2016, 1), (2017, 1)),
        _job("C", (2023, 1), None),
    ]
    assert "gap" not in _kinds(jobs)


def test_short_tenure_boundary_and_current_job() -> None:
    assert _kinds([_job("A", (2019, 3), (2020, 2))]) == []  # Mar..Feb: 12 months
    assert _kinds([_job("A", (2019, 3), (2020, 1))]) == ["short_tenure"]  # 11 months
    assert _kinds([_job("A", (2024, 1), None)]) == []  # still there, 5 months in


def test_fixed_term_jobs_are_not_short_tenures() -> None:
    intern = _job("A", (2019, 6), (2019, 8), title="Summer Intern").model_copy(
        update={"fixed_term": True}
    )
    assert _kinds([intern]) == []


def test_job_hopping_window_is_24_calendar_months() -> None:
    inside = [_job("A", (2019, 1), (2020, 5)), _job("B", (2020, 6), (2020, 11)),
              _job("C", (2020, 12), None)]  # fmt: skip
    risks = find_risks(inside, NOW)
    hop = [r for r in risks if r.kind == "job_hopping"]
    assert (
        len(hop) == 1
        and hop[0].months == 24
        and [j.employer for j in hop[0].jobs] == ["A", "B", "C"]
    )
    outside = [_job("A", (2019, 1), (2020, 5)), _job("B", (2020, 6), (2020, 12)),
               _job("C", (2021, 1), None)]  # fmt: skip
    assert "job_hopping" not in _kinds(outside)


def test_job_hopping_counts_employers_not_positions() -> None:
    jobs = [_job("A", (2019, 1), (2019, 12)), _job("A", (2020, 1), (2020, 6)),
            _job("B", (2020, 7), None)]  # fmt: skip
    assert "job_hopping" not in _kinds(jobs)


def test_title_drop() -> None:
    jobs = [_job("A", (2015, 1), (2019, 12), "Warehouse Supervisor"),
            _job("B", (2020, 1), None, "Sales Associate")]  # fmt: skip
    assert _kinds(jobs) == ["title_drop"]
    jobs = [_job("A", (2015, 1), (2019, 12), "Warehouse Supervisor"),
            _job("B", (2020, 1), None, "Assistant Manager")]  # fmt: skip
    assert _kinds(jobs) == []


@pytest.mark.parametrize(
    ("title", "level"),
    [
        ("Sales Associate", 0),
        ("Assistant Manager", 2),
        ("Store Manager", 3),
        ("Warehouse Supervisor", 2),
        ("Staff Engineer", 1),
        ("Associate Professor", 1),
        ("Director of Operations", 4),
        ("仓库主管", 2),
        ("店长助理", 0),
        ("销售经理", 3),
        ("行政专员", 0),
        ("普工", 0),
        ("Picker", None),
    ],
)
def test_title_level(title: str, level: int | None) -> None:
    assert title_level(title) == level


def test_team_size_patterns() -> None:
    text = (
        "Experience\nAcme Stores — Store Manager  Jan 2018 - Present\n"
        "- Led a 15-person team through a store refit\n"
        "- Supervised twelve cashiers on weekends\n"
    )
    sizes = [
        h.team_size for h in parse_resume(text, "en", NOW).highlights if h.kind == "team_management"
    ]
    assert sizes == [15, 12]


# --- spoken durations -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a few months", (2, 5)),
        ("about two years", (18, 30)),
        ("half a year", (6, 6)),
        ("since last summer", (9, 11)),  # June-August 2023, asked in May 2024
        ("two years", (24, 24)),
        ("about 6 months", (4, 8)),
        ("less than a year", (0, 11)),
        ("over two years", (24, 35)),
        ("nearly two years", (18, 24)),
        ("a couple of years", (24, 36)),
        ("several months", (3, 8)),
        ("two or three years", (24, 36)),
        ("2-3 years", (24, 36)),
        ("a year and a half", (18, 18)),
        ("two years and three months", (27, 27)),
        ("since 2019", (53, 64)),
        ("since March", (2, 2)),
        ("since last year", (5, 16)),
        ("two weeks", (0, 1)),
        ("I worked there for about 3 years i think", (27, 45)),
        ("两三年", (24, 36)),
        ("半年", (6, 6)),
        ("去年", (5, 16)),
        ("去年夏天", (9, 11)),
        ("三个多月", (3, 4)),
        ("一年多", (12, 23)),
        ("不到一年", (0, 11)),
        ("一年半", (18, 18)),
        ("两年半", (30, 30)),
        ("半年多", (6, 11)),
        ("大概半年", (4, 8)),
        ("三个月左右", (2, 4)),
        ("几个月", (2, 5)),
        ("好几年", (36, 96)),
        ("三到五年", (36, 60)),
        ("一年三个月", (15, 15)),
        ("从2019年3月开始", (62, 62)),
        ("3月份开始", (2, 2)),  # 3月 is March, not three months
        ("过完年", (2, 4)),  # after Spring Festival: started January-March
        ("今年", (0, 4)),
        ("我在那里干了两年多吧", (24, 35)),
        ("十多年", (120, 131)),
    ],
)
def test_normalise_duration(text: str, expected: tuple[int, int]) -> None:
    assert (
        normalise_duration(
            text, "zh" if any("\u4e00" <= c <= "\u9fff" for c in text) else "en", NOW
        )
        == expected
    )


@pytest.mark.parametrize("text", ["", "hello", "forever", "I don't remember", "不记得了"])
def test_normalise_duration_unknown(text: str) -> None:
    assert normalise_duration(text, "en", NOW) is None


def test_normalise_duration_language() -> None:
    with pytest.raises(InvalidInput):
        normalise_duration("two years", "de", NOW)
