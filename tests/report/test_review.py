"""Reviewed scores, adverse impact, CSV escaping, the PDF and the candidate CSV: pure logic."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from pypdf import PdfReader

from interview.errors import InvalidInput
from interview.hiring.invitation_mail import decode_csv, invitation_message, parse_candidates
from interview.report.build import build_report
from interview.report.export import safe_cell, to_csv
from interview.report.fairness import adverse_impact
from interview.report.pdf import report_pdf
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
