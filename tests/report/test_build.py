from datetime import UTC, datetime

import pytest

from interview.competency.library import load_library
from interview.competency.schemas import CompetencyModel, WeightedCompetency
from interview.report.build import build_report, level_to_percent
from interview.report.schemas import Provenance
from interview.scoring.schemas import AnswerScore, Evidence

PROV = Provenance(
    package_version="0",
    library_version="x",
    competency_model_version=1,
    models={"embed": "e5"},
    settings_hash="h",
    scored_at=datetime(2026, 1, 1, tzinfo=UTC),
)


def _model() -> CompetencyModel:
    lib = load_library()
    return CompetencyModel(
        role_title="T",
        template_id=None,
        library_version=lib.version,
        items=(
            WeightedCompetency(competency=lib.competency("teamwork"), weight=0.75),
            WeightedCompetency(competency=lib.competency("integrity"), weight=0.25),
        ),
    )


def _score(qid: str, cid: str, value: float, conf: float = 1.0) -> AnswerScore:
    ev = Evidence(
        question_id=qid, quote="q", start_char=0, end_char=1, supports="anchor:3", similarity=0.9
    )
    return AnswerScore(
        question_id=qid,
        competency_id=cid,
        level=round(value),
        value=value,
        confidence=conf,
        anchor_similarity=(0.1,) * 5,
        matched_positive=(),
        matched_negative=(),
        evidence=(ev,),
    )


def test_overall_is_the_weighted_mean_on_0_to_100() -> None:
    report = build_report(
        session_id="s",
        candidate_name="c",
        language="en",
        model=_model(),
        scores=[_score("a", "teamwork", 5.0), _score("b", "integrity", 1.0)],
        asked=["a", "b", "c"],
        provenance=PROV,
    )
    assert report.overall == pytest.approx(75.0)  # text only: content is the whole score
    assert report.band == "advance"
    assert [c.modality for c in report.contributions] == ["content"]
    assert report.unanswered == ("c",)
    assert [r.competency_id for r in report.competencies] == ["teamwork", "integrity"]
    assert all(r.evidence for r in report.competencies)
    assert level_to_percent(3.0) == 50.0


def test_unanswered_competencies_are_renormalised_and_empty_is_insufficient() -> None:
    only = build_report(
        session_id="s",
        candidate_name="c",
        language="en",
        model=_model(),
        scores=[_score("b", "integrity", 3.0)],
        asked=["a", "b"],
        provenance=PROV,
    )
    assert only.overall == pytest.approx(50.0)
    assert only.coverage == pytest.approx(0.25) and only.band == "insufficient"
    empty = build_report(
        session_id="s",
        candidate_name="c",
        language="en",
        model=_model(),
        scores=[],
        asked=["a"],
        provenance=PROV,
    )
    assert (empty.overall, empty.band, empty.competencies) == (0.0, "insufficient", ())


def test_confidence_weights_answers_within_a_competency() -> None:
    report = build_report(
        session_id="s",
        candidate_name="c",
        language="en",
        model=_model(),
        scores=[_score("a", "teamwork", 5.0, 0.9), _score("b", "teamwork", 1.0, 0.1)],
        asked=["a", "b"],
        provenance=PROV,
    )
    assert report.competencies[0].value == pytest.approx(4.6)


def test_modalities_are_fused_with_their_weights_and_switches() -> None:
    from interview.scoring.fusion import Dimension, ScoringPolicy, Thresholds

    scores = [_score("a", "teamwork", 5.0), _score("b", "integrity", 5.0)]
    dims = [
        Dimension(name="delivery", value=3.0, evidence=("rate 140 wpm",)),
        Dimension(name="presence", value=1.0, evidence=("face seen 20% of the time",)),
    ]
    both = build_report(
        session_id="s",
        candidate_name="c",
        language="en",
        model=_model(),
        scores=scores,
        asked=["a", "b"],
        provenance=PROV,
        dimensions=dims,
        policy=ScoringPolicy(content_weight=0.8, delivery_weight=0.1, delivery=True, presence=True),
    )
    # 0.8 * 100 + 0.1 * 50 + 0.1 * 0 (presence turned on by the role)
    assert both.overall == pytest.approx(85.0)
    assert {c.modality: c.points for c in both.contributions} == {
        "content": 80.0,
        "delivery": 5.0,
        "presence": 0.0,
    }
    eu = build_report(
        session_id="s",
        candidate_name="c",
        language="en",
        model=_model(),
        scores=scores,
        asked=["a", "b"],
        provenance=PROV,
        dimensions=dims,
        policy=ScoringPolicy(
            profile="eu", content_weight=0.8, delivery_weight=0.1, delivery=True, presence=True
        ),
    )
    # Presence is off in the EU profile whatever the role says: 8/9 content + 1/9 delivery.
    assert eu.overall == pytest.approx(100 * 8 / 9 + 50 / 9, abs=0.01)
    assert [d.name for d in eu.dimensions] == ["delivery"]
    strict = build_report(
        session_id="s",
        candidate_name="c",
        language="en",
        model=_model(),
        scores=[_score("a", "teamwork", 3.5), _score("b", "integrity", 3.5)],
        asked=["a", "b"],
        provenance=PROV,
        policy=ScoringPolicy(thresholds=Thresholds(advance=90, review=60)),
    )
    assert strict.overall == pytest.approx(62.5) and strict.band == "review"


def test_highlights_and_risks_cite_quotes() -> None:
    good = _score("a", "teamwork", 5.0)
    report = build_report(
        session_id="s",
        candidate_name="c",
        language="en",
        model=_model(),
        scores=[good],
        asked=["a"],
        provenance=PROV,
        resume_risks=["left ABC after 8 months"],
    )
    assert report.highlights and report.highlights[0].quote == "q"
    assert [r.kind for r in report.risks] == ["resume"]


def test_bad_thresholds_are_refused() -> None:
    from interview.scoring.fusion import Thresholds

    with pytest.raises(ValueError, match="above advance"):
        Thresholds(advance=40, review=60)


def test_every_report_explains_itself_from_its_own_numbers() -> None:
    from interview.scoring.fusion import Dimension, ScoringPolicy

    scores = [_score("a", "teamwork", 4.0), _score("b", "integrity", 3.0)]
    dims = [Dimension(name="presence", value=3.0, evidence=("face seen",))]
    common = dict(
        session_id="s",
        candidate_name="c",
        model=_model(),
        scores=scores,
        asked=["a", "b"],
        provenance=PROV,
        dimensions=dims,
    )
    on = ScoringPolicy(presence=True)  # a role that turns presence scoring on
    en = build_report(language="en", policy=on, **common)  # type: ignore[arg-type]
    weights = {c.modality: c.weight for c in en.contributions}
    assert f"what was said {weights['content']:.0%}" in en.explanation
    assert f"on-camera presence {weights['presence']:.0%}" in en.explanation
    assert "not a hiring decision" in en.explanation and "human review" in en.explanation
    eu = build_report(language="en", policy=ScoringPolicy(profile="eu"), **common)  # type: ignore[arg-type]
    assert "presence" not in eu.explanation.split("No emotion")[0]  # switched off: not weighted
    zh = build_report(language="zh", **common)  # type: ignore[arg-type]
    assert "回答内容" in zh.explanation and "人工复核" in zh.explanation


def test_a_strong_answer_s_star_evidence_is_a_highlight() -> None:
    star = Evidence(
        question_id="a",
        quote="I split the floor",
        start_char=0,
        end_char=17,
        supports="star:action",
        similarity=0.0,
    )
    good = _score("a", "teamwork", 4.6).model_copy(update={"evidence": (star,)})
    weak = _score("b", "integrity", 2.0).model_copy(update={"evidence": (star,)})
    report = build_report(
        session_id="s",
        candidate_name="c",
        language="en",
        model=_model(),
        scores=[good, weak],
        asked=["a", "b"],
        provenance=PROV,
    )
    assert [(h.competency_id, h.quote) for h in report.highlights] == [
        ("teamwork", "I split the floor")
    ]


@pytest.mark.parametrize(
    ("language", "word"), [("en", "Not assessed: Integrity"), ("zh", "未评估：诚信")]
)
def test_what_was_not_assessed_is_named_beside_the_band(language: str, word: str) -> None:
    report = build_report(
        session_id="s",
        candidate_name="c",
        language=language,
        model=_model(),
        scores=[_score("a", "teamwork", 4.0)],
        asked=["a"],
        provenance=PROV,
    )
    assert report.not_assessed == (load_library().competency("integrity").name.get(language),)
    assert report.band != "insufficient"  # 75% of the weight answered
    assert word in report.explanation and "25%" in report.explanation


def test_follow_up_notes_say_what_was_asked_and_why_it_stopped() -> None:
    from interview.report.build import followup_notes

    notes = followup_notes(
        [
            ("q1", "asked", "result"),
            ("q1", "enough", None),
            ("q2", "late", None),
            ("q3", "asked", "action"),
            ("q3", "asked", "result"),
            ("q3", "limit", "result"),
            ("q4", "no_words", None),
        ],
        "en",
    )
    by = {n.question_id: n for n in notes}
    assert by["q1"].asked == ("result",) and by["q1"].outcome == "enough"
    assert "outcome" in by["q1"].text and "could be scored" in by["q1"].text
    assert by["q2"].asked == () and "not ready in time" in by["q2"].text
    assert by["q3"].asked == ("action", "result") and "most allowed" in by["q3"].text
    assert "nothing was heard" in by["q4"].text
    zh = followup_notes([("q2", "failed", None)], "zh")
    assert "未追问" in zh[0].text
