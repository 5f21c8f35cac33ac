"""Reviewed scores, adverse impact, CSV escaping, the PDF and the candidate CSV: pure logic."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from pypdf import PdfReader

from interview.errors import InvalidInput
from interview.hiring.invitation_mail import decode_csv, invitation_message, parse_candidates
from interview.integrity.schemas import AiTextResult
from interview.integrity.summary import summarise
from interview.report.build import build_report
from interview.report.export import safe_cell, to_csv
from interview.report.fairness import adverse_impact
from interview.report.pdf import not_judged_reason, report_pdf
from interview.report.review import (
    DecisionEntry,
    OverrideEntry,
    ReviewSummary,
    apply_overrides,
    check_reason,
)
from interview.report.schemas import Report
from interview.scoring.fusion import Dimension, ScoringPolicy, Thresholds, level_to_percent
from tests.report.test_build import PROV, _model, _score

AT = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


def _report(name: str = "Ana Silva", **kw: object) -> Report:
    return build_report(
        session_id="s",
        candidate_name=name,
        language="en",
        model=_model(),
        scores=[_score("a", "teamwork", 4.0), _score("b", "integrity", 2.0)],
        asked=["a", "b"],
        provenance=PROV,
        **kw,  # type: ignore[arg-type]
    )


def test_an_override_moves_only_its_competency_and_keeps_the_other_modalities() -> None:
    report = _report(
        dimensions=[Dimension(name="delivery", value=5.0, evidence=("rate",))],
        policy=ScoringPolicy(content_weight=0.8, delivery_weight=0.2, delivery=True),
    )
    same = apply_overrides(report, {}, Thresholds())
    assert same.overall == report.overall and not same.changed
    reviewed = apply_overrides(report, {"integrity": 5}, Thresholds())
    content = level_to_percent(4.0) * 0.75 + level_to_percent(5.0) * 0.25
    assert reviewed.content_score == pytest.approx(content, abs=0.01)
    assert reviewed.overall == pytest.approx(0.8 * content + 0.2 * 100, abs=0.01)
    [integrity] = [c for c in reviewed.competencies if c.competency_id == "integrity"]
    assert (integrity.original_level, integrity.level, integrity.overridden) == (2, 5, True)
    assert reviewed.band == "advance" and reviewed.changed
    with pytest.raises(InvalidInput, match="telepathy"):
        apply_overrides(report, {"telepathy": 3}, Thresholds())
    with pytest.raises(InvalidInput, match="outside 1-5"):
        apply_overrides(report, {"teamwork": 7}, Thresholds())


def test_a_reason_must_say_something() -> None:
    with pytest.raises(InvalidInput, match="at least 10"):
        check_reason("  ok   fine ")
    assert check_reason("  the answer\n names the result ") == "the answer names the result"


def test_four_fifths_on_known_numbers() -> None:
    outcomes: list[tuple[str | None, bool]] = (
        [("A", i < 6) for i in range(10)]  # 60%
        + [("B", i < 3) for i in range(10)]  # 30%: ratio 0.5
        + [("C", i < 5) for i in range(10)]  # 50%: ratio 0.8333
        + [("D", True) for _ in range(4)]  # 4 candidates: suppressed
        + [(None, True), (None, False)]
    )
    result = adverse_impact(outcomes)
    by = {g.group: g for g in result.groups}
    assert result.reference_group == "A"
    assert (by["B"].rate, by["B"].impact_ratio, by["B"].below_four_fifths) == (0.3, 0.5, True)
    assert by["C"].impact_ratio == pytest.approx(0.8333, abs=1e-4)
    assert not by["C"].below_four_fifths
    assert by["D"].suppressed and by["D"].rate is None and by["D"].candidates is None
    assert result.warning and result.not_reported == 2
    assert [g.group for g in result.groups] == ["A", "C", "B", "D"]
    fair = adverse_impact([("A", i < 5) for i in range(10)] + [("B", i < 4) for i in range(10)])
    assert not fair.warning and fair.groups[1].impact_ratio == 0.8


def test_csv_cells_that_a_spreadsheet_would_evaluate_are_quoted_as_text() -> None:
    assert safe_cell('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    for bad in ("+1", "-2+3", "@SUM(A1)", "\tx"):
        assert safe_cell(bad).startswith("'")
    assert safe_cell("Ana") == "Ana" and safe_cell(72.456) == "72.46" and safe_cell(None) == ""
    text = to_csv(["name", "overall"], [["=1+1", 50.0], ["李雷, Jr.", None]])
    assert text.startswith('\ufeff"name","overall"\r\n')  # every cell quoted
    assert '"\'=1+1","50.00"' in text and '"李雷, Jr.",' in text


def test_the_pdf_holds_the_name_scores_evidence_and_chinese() -> None:
    report = _report(name="李雷 Lee")
    reviewed = apply_overrides(report, {"integrity": 4}, Thresholds())
    review = ReviewSummary(
        reviewer="Rita Reviewer",
        overrides=(
            OverrideEntry(
                competency_id="integrity",
                old_level=2,
                new_level=4,
                reason="the second answer shows honest reporting",
                reviewer="Rita Reviewer",
                at=AT,
            ),
        ),
        decision=DecisionEntry(decision="advance", reason="strong on teamwork", by="Ada", at=AT),
        reviewed=reviewed,
    )
    data = report_pdf(report, review, notes=["EU profile: video not scored"])
    assert data.startswith(b"%PDF")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    # pypdf reads the CJK font's code-to-CID encoding as two bytes per character.
    words = " ".join(text.replace("\x00", "").split())
    assert "李 雷 Lee" in words or "李雷 Lee" in words
    assert f"{report.overall:.1f}" in words and f"{reviewed.overall:.1f}" in words
    assert report.competencies[0].name in words
    assert "“q”" in words  # the evidence quote
    assert "honest reporting" in words and "EU profile" in words


def _judged(band: str, binoculars: float, score: float, tokens: int, words: float) -> AiTextResult:
    return AiTextResult(
        judged=True,
        reason=f"first {tokens} tokens scored by binoculars-qwen",
        words=words,
        score=score,
        threshold=0.8,
        binoculars=binoculars,
        statistic="binoculars",
        band=band,  # type: ignore[arg-type]
        tokens=tokens,
        model="binoculars-qwen",
    )


MACHINE_TEXT = {
    "a": _judged("strong", 0.72341, 0.912, 412, 305),
    "b": _judged("none", 0.98765, 0.21, 180, 140),
    "c": AiTextResult(judged=False, reason="too short: 31 words, need 50", words=31),
}
QUESTIONS = {
    "c": "Why this role?",
    "a": "Tell me about a time you finished a project under pressure.",
    "b": "请描述一次您处理客户投诉的经历。",
}


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (
            "en",
            [
                "Machine-written text check",
                "Why this role? Not judged: too short: 31 words, need 50 31 words",
                "pressure. Written like a language model: strong sign",
                "Binoculars 0.723 (lower: more machine-like)",
                "score 0.912, flag above 0.800 first 412 tokens, 305 words",
                "请描述一次您处理客户投诉的经历。",  # the CJK font comes in for an English PDF
                "Written like a language model: no sign Binoculars 0.988",
                "first 180 tokens, 140 words",
                "never a verdict: a strong sign means at most 1 in 100 human writers",
                "Scores are not shown to candidates.",
            ],
        ),
        (
            "zh",
            [
                "机器生成文本检查",
                "Why this role? 未评估（过短：31 词，需要 50 词）",
                "共 31 词",
                "写法像语言模型：迹象明显 Binoculars 值 0.723（越低越像机器所写）",
                "得分 0.912，超过 0.800 即提示 前 412 个词元，305 词",
                "写法像语言模型：无迹象 Binoculars 值 0.988",
                "前 180 个词元，140 词",
                "提请您人工复核的提示，绝非结论",
                "分数不会向候选人展示。",
            ],
        ),
    ],
)
def test_the_pdf_shows_each_answers_machine_text_check(lang: str, expected: list[str]) -> None:
    summary = summarise([], ["machine_text"], machine_text=MACHINE_TEXT)
    report = _report().model_copy(update={"integrity_summary": summary})
    data = report_pdf(report, lang=lang, questions=QUESTIONS)  # type: ignore[arg-type]
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    words = " ".join(text.replace("\x00", "").split())
    for part in expected:
        assert part in words, (part, words)
    # In the questions' order: the short answer first, as the interview asked it.
    assert words.index("Why this role?") < words.index("pressure.") < words.index("经历")
    assert "Written like a language model: some sign" not in words  # no answer is "some"


def test_why_an_answer_was_not_judged_reads_in_chinese_and_unknown_reasons_stay() -> None:
    from interview.integrity.session import SPOKEN_NOT_JUDGED

    uncalibrated = "no calibration for language 'fr' (calibrated on en): its rate is unknown"
    assert not_judged_reason("too short: 12.5 words, need 50", "zh") == "过短：12.5 词，需要 50 词"
    assert not_judged_reason(SPOKEN_NOT_JUDGED, "zh").startswith("口头回答：")
    assert not_judged_reason(uncalibrated, "zh") == "该语言未校准（其误报率未知）"
    assert not_judged_reason("too few scored tokens: 40, need 64", "zh") == (
        "可评分的词元过少：40 个，需要 64 个"
    )
    assert not_judged_reason("a reason nobody wrote yet", "zh") == "a reason nobody wrote yet"
    assert not_judged_reason(SPOKEN_NOT_JUDGED, "en") == SPOKEN_NOT_JUDGED


def test_candidates_csv_with_header_languages_and_every_problem_at_once() -> None:
    rows = parse_candidates(
        "姓名,邮箱,语言\n李雷,li@example.cn,中文\nAna Silva,,en\n\nBo,bo@x.io,\n", "en"
    )
    assert [(r.name, r.email, r.language, r.line) for r in rows] == [
        ("李雷", "li@example.cn", "zh", 2),
        ("Ana Silva", None, "en", 3),
        ("Bo", "bo@x.io", "en", 5),
    ]
    assert parse_candidates("Ana,ana@x.io", "zh")[0].language == "zh"  # no header: the default
    with pytest.raises(InvalidInput) as err:
        parse_candidates("name,email\n,a@b.co\nX,not-an-address\nY,y@z.io,fr", "en")
    msg = str(err.value)
    assert "line 2: the name is empty" in msg and "line 3: 'not-an-address'" in msg
    assert "line 4: 3 cells" in msg
    assert decode_csv("李雷".encode("gb18030")) == "李雷"


def test_invitation_email_in_the_interview_language() -> None:
    msg = invitation_message(
        sender="hr@acme.test",
        to="li@example.cn",
        candidate_name="李雷",
        role_title="餐厅服务员",
        organization="Acme",
        link="http://x/web/interview.html#tok",
        expires_at=AT,
        language="zh",
    )
    assert msg["Subject"] == "Acme · 餐厅服务员 面试邀请"
    assert "http://x/web/interview.html#tok" in msg.get_content()
    assert "2026-12-01" in msg.get_content()


LONG_ZH = (
    "那天店里人很多，我先给同事分好区域，自己负责处理退货和投诉，每隔十分钟巡视一次餐区，"
    "关门前每位顾客都得到了服务，那个月的投诉从六次降到了一次，经理还在周会上表扬了我们组。"
)
ASKED_ZH = {
    "hospitality:s1": "请讲一次您在客流高峰时照顾好每位顾客的经历。",
    "item:sjt_change": "顾客多付了钱就离开了，您会怎么做？",
}


def _zh_report() -> Report:
    """A Chinese report with every kind of evidence key, a chosen option and browser flags."""
    from interview.integrity.schemas import Flag
    from interview.scoring.choice import score_choice
    from interview.scoring.schemas import AnswerScore, Evidence

    def ev(supports: str, quote: str) -> Evidence:
        return Evidence(
            question_id="hospitality:s1",
            quote=quote,
            start_char=0,
            end_char=len(quote),
            supports=supports,
            similarity=0.9,
        )

    spoken = AnswerScore(
        question_id="hospitality:s1",
        competency_id="teamwork",
        level=4,
        value=4.0,
        confidence=0.8,
        anchor_similarity=(),
        matched_positive=(),
        matched_negative=(),
        evidence=(
            ev("star:action", LONG_ZH),
            ev("positive:clear_expression", "我先道歉，然后亲自去厨房确认。"),
            ev("kept", "他后来写了好评。"),
        ),
        note="too short to show behaviour (12 words kept, need 20); capped at 2: no example: "
        "nothing the candidate did is told",
    )
    from interview.questions.schemas import Question

    item = Question.model_validate(
        {
            "id": "item:sjt_change",
            "competency_id": "integrity",
            "kind": "sjt",
            "text": ASKED_ZH["item:sjt_change"],
            "choices": [
                {"id": "a", "text": "拿着找零追出去。", "points": 3},
                {"id": "b", "text": "留着。", "points": 0},
            ],
        }
    )
    flags = [
        Flag(
            kind="tab_switch",
            severity="medium",
            confidence=1.0,
            start_s=12.0,
            end_s=40.0,
            evidence={"absences": 2, "total_s": 31.0, "longest_s": 28.0},
            question_id="hospitality:s1",
            note="The interview page was left 2 time(s) for 31 s in all while this question "
            "was open.",
        ),
        Flag(
            kind="looking_away",
            severity="low",
            confidence=0.6,
            evidence={"ratio": 0.4},
            question_id="hospitality:s1",
            note="Gaze was off the screen for 40% of the face-visible time.",
        ),
    ]
    return build_report(
        session_id="s",
        candidate_name="李雷",
        language="zh",
        model=_model(),
        scores=[spoken, score_choice(item, "a")],
        asked=list(ASKED_ZH),
        provenance=PROV,
        integrity=summarise(flags, ["browser", "media"]),
        integrity_flags=flags,
    )


def _pdf_words(data: bytes) -> str:
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    return "".join(text.replace("\x00", "").split())  # Chinese: no spaces between words


def test_the_chinese_pdf_says_everything_in_chinese_and_names_no_internal_id() -> None:
    words = _pdf_words(report_pdf(_zh_report(), lang="zh", questions=ASKED_ZH))
    for raw in (
        "hospitality:s1",
        "item:sjt",
        "(kept)",
        "positive:",
        "choice:",
        "star:",
        "clear_expression",
        "[a]",
        "noflags",
        "aprompt",
        "low·",
        "medium·",
        "package",
        "library",
        "scored",
        "Integrity",
        "tabswitch",
        "tab_switch",
        "lookingaway",
        "面试语言:zh",
        "诚信（",
    ):
        assert raw not in words, (raw, words)
    for said in (
        "面试语言：中文",
        "（体现行动）",
        "（正面指标）",
        "（计入评分，未体现STAR要素）",
        "“拿着找零追出去。”（选项得分3/3）",
        "作答过程核查（供人工复核，不影响评分）",
        "中：请查看提示·1条中严重度提示；仅提示人工复核，绝不作为决定",
        "离开页面（中）·“请讲一次您在客流高峰时照顾好每位顾客的经历。”（12.0–40.0秒）：作答此题期间",
        "候选人离开面试页面2次，共31秒",
        "视线偏离（低）",
        "检查原文（英文）：Gazewasoff",  # a model check's note: its own words, marked
        "作答过程核查：离开页面（中）",  # the medium flag among the risks, said from the flag
        "软件版本：0·胜任力库：x·胜任力模型版本：v1·模型：embed:e5",
        LONG_ZH[:20],
        LONG_ZH[-20:],
    ):
        assert said in words, (said, words)


def test_the_english_pdf_names_the_language_and_the_evidence_in_words() -> None:
    text = "".join(
        p.extract_text()
        for p in PdfReader(
            io.BytesIO(report_pdf(_zh_report(), lang="en", questions=ASKED_ZH))
        ).pages
    )
    words = "".join(text.replace("\x00", "").split())  # pypdf spaces at random in mixed text
    for said in (
        "Interview language: Chinese",
        "(Shows the action)",
        "(Positive indicator)",
        "(Counted; no STAR element shown)",
        "(Option worth 3 of 3)",
        "Process checks (for human review; never change a score)",
        "Medium: look at the flags · 1 medium-severity flag(s); a prompt for human review",
        "left the page (medium)",
        "package 0 · library x",
    ):
        assert said.replace(" ", "") in words, (said, words)
    assert "hospitality:s1" not in words and "[a]" not in words and "(kept)" not in words


def test_a_long_chinese_bullet_starts_on_the_bullets_line() -> None:
    """No bullet alone on its line: the first line after a bullet holds the quote's start."""
    data = report_pdf(_zh_report(), lang="zh", questions=ASKED_ZH)
    lines = [
        "".join(line.replace("\x00", "").split())
        for p in PdfReader(io.BytesIO(data)).pages
        for line in p.extract_text().splitlines()
    ]
    assert "•" not in lines, lines
    assert any(line.startswith("•“" + LONG_ZH[:10]) for line in lines), lines
