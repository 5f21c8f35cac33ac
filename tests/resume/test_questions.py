"""Resume questions: by name, in the candidate's language, neutral, risks first, at most four."""

from __future__ import annotations

import re
from datetime import date

import pytest

from interview.competency.library import load_library
from interview.errors import InvalidInput
from interview.questions.resume_questions import COMPETENCY, resume_questions
from interview.resume.parse import parse_resume
from interview.resume.schemas import ResumeFacts
from tests.resume.test_parse import EN_RESUME, NOW, ZH_RESUME

HOPPER = """\
Work History
A Corp — Clerk  Jan 2019 - Jun 2019
B Inc — Clerk  Jul 2019 - Jan 2020
C Ltd — Clerk  Feb 2020 - Dec 2020
D Foods — Clerk  Sep 2021 - Present
"""

# Words that accuse or presume a cause; none may appear in a resume question.
BANNED_EN = re.compile(
    r"\bfail|\bfired\b|let go|dismiss|terminat|unemploy|lazy|job[- ]hop|excuse|justify"
    r"|why did you (?:quit|leave)|problem with|gap in your|explain (?:why|your)|red flag",
    re.IGNORECASE,
)
BANNED_ZH = re.compile(r"开除|辞退|被炒|失败|为什么被|跳槽|解释一下为什么|空窗|无业|失业|问题")


def _facts(text: str, language: str) -> ResumeFacts:
    return parse_resume(text, language, NOW)


def _cjk_share(text: str) -> float:
    letters = [c for c in text if c.isalpha()]
    return sum("\u4e00" <= c <= "\u9fff" for c in letters) / max(len(letters), 1)


def test_english_questions_name_the_jobs() -> None:
    questions = resume_questions(_facts(EN_RESUME, "en"), "en")
    assert [q.id for q in questions] == [
        "resume:gap:0",
        "resume:short_tenure:0",
        "resume:short_tenure:1",
        "resume:team_management:0",
    ]
    assert questions[0].text == (
        "Between leaving Joe's Diner in August 2017 and joining ABC Logistics in January 2020 "
        "there are about 28 months. Would you tell me about that time? Share only what you "
        "are comfortable sharing."
    )
    assert questions[1].text == (
        "You were at ABC Logistics for eight months before moving to XYZ Retail; "
        "what led to that move?"
    )
    assert "XYZ Retail for ten months" in questions[2].text
    assert questions[3].text.startswith(
        "You led a team of 8 at ABC Logistics; tell me about a decision"
    )
    assert all(q.kind == "resume" for q in questions)


def test_chinese_questions_are_chinese_and_name_the_jobs() -> None:
    questions = resume_questions(_facts(ZH_RESUME, "zh"), "zh")
    assert len(questions) == 4
    assert questions[0].id == "resume:short_tenure:0"
    assert questions[0].text == (
        "您在XYZ零售工作了七个月后去了某某超市，当时是什么情况促成了这次变动？"
    )
    assert questions[1].id == "resume:title_drop:0"
    assert "上海某某物流有限公司担任仓库主管" in questions[1].text
    assert "XYZ零售担任店员" in questions[1].text
    assert questions[2].text.startswith("您在上海某某物流有限公司带领过12人的团队")
    # The team line also holds "降低30%": the result question quotes the other line.
    assert "日均处理订单800单" in questions[3].text
    for q in questions:
        assert _cjk_share(q.text) > 0.6, q.text


def test_questions_follow_the_requested_language_not_the_resume() -> None:
    zh = resume_questions(_facts(EN_RESUME, "en"), "zh")
    assert (
        zh[1].text
        == "您在ABC Logistics工作了八个月后去了XYZ Retail，当时是什么情况促成了这次变动？"
    )
    assert all("您" in q.text for q in zh)
    en = resume_questions(_facts(ZH_RESUME, "zh"), "en")
    assert en[0].text.startswith("You were at XYZ零售 for seven months before moving to 某某超市")


def test_job_hopping_question_names_every_employer() -> None:
    facts = _facts(HOPPER, "en")
    assert [r.kind for r in facts.risks][:2] == ["job_hopping", "gap"]
    questions = resume_questions(facts, "en")
    assert questions[0].id == "resume:job_hopping:0"
    assert questions[0].text.startswith(
        "You joined A Corp, B Inc and C Ltd within fourteen months."
    )
    # The short tenures at A, B and C are moves the hopping and gap questions already ask
    # about (A->B, B->C, C->D): two questions, not five about the same three years.
    assert [q.id for q in questions] == ["resume:job_hopping:0", "resume:gap:0"]
    assert "C Ltd in December 2020" in questions[1].text
    zh = resume_questions(facts, "zh")
    assert zh[0].text.startswith("您在十四个月内先后加入了A Corp、B Inc和C Ltd。")
    assert "您只需分享自己愿意分享的内容" in zh[1].text


@pytest.mark.parametrize("text", [EN_RESUME, ZH_RESUME, HOPPER])
@pytest.mark.parametrize("language", ["en", "zh"])
def test_wording_is_neutral_and_bounded(text: str, language: str) -> None:
    questions = resume_questions(_facts(text, "en"), language)
    assert 1 <= len(questions) <= 4
    known = {c.id for c in load_library().competencies}
    for q in questions:
        assert q.competency_id in known
        assert re.fullmatch(r"resume:[a-z_]+:\d+", q.id)
        banned = BANNED_ZH if language == "zh" else BANNED_EN
        assert not banned.search(q.text), q.text
    assert len({q.id for q in questions}) == len(questions)


def test_every_mapped_competency_is_in_the_library() -> None:
    known = {c.id for c in load_library().competencies}
    assert set(COMPETENCY.values()) <= known


def test_risks_come_first_and_a_claim_keeps_a_slot() -> None:
    questions = resume_questions(_facts(HOPPER + "Skills\nExcel\n", "en"), "en", max_questions=3)
    assert [q.id for q in questions] == [
        "resume:job_hopping:0",
        "resume:gap:0",
        "resume:claimed_skill:0",
    ]
    assert questions[2].text.startswith("You list Excel as a skill.")
    only = resume_questions(_facts(HOPPER, "en"), "en", max_questions=1)
    assert [q.id for q in only] == ["resume:job_hopping:0"]


def test_nothing_to_ask() -> None:
    facts = _facts("Work Experience\nAcme Stores — Cashier  Jan 2015 - Present\n", "en")
    assert facts.risks == () and facts.highlights == ()
    assert resume_questions(facts, "en") == ()


def test_deterministic_and_validated() -> None:
    facts = _facts(ZH_RESUME, "zh")
    assert resume_questions(facts, "zh") == resume_questions(facts, "zh")
    with pytest.raises(InvalidInput, match="'fr'"):
        resume_questions(facts, "fr")
    with pytest.raises(InvalidInput, match="at least 1"):
        resume_questions(facts, "en", max_questions=0)


def test_long_names_are_clipped() -> None:
    name = "Very " * 40 + "Long Logistics"
    text = (
        f"Experience\n{name} — Picker  Jan 2020 - Mar 2020\nB Foods — Picker  Apr 2020 - Present\n"
    )
    question = resume_questions(_facts(text, "en"), "en")[0]
    assert "…" in question.text and len(question.text) < 200
    assert date(2020, 1, 1) == _facts(text, "en").jobs[0].start
