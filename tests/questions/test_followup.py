import pytest

from interview.competency.library import load_library
from interview.competency.schemas import Competency
from interview.errors import InvalidInput
from interview.questions.followup import PRIORITY, decide_followup, relevance_reference
from interview.text.star import RELEVANCE_MIN, analyse_answer

STAR_EN = (
    "Last March, at the Northgate store where I work, our card reader failed on a Saturday "
    "morning with about thirty people queuing. I was the shift supervisor, so it was my job "
    "to keep the queue moving. I opened the backup till, asked a colleague to tell each "
    "customer that only cash and phone payments worked, and called the helpdesk myself. "
    "As a result the queue was down to five people within 20 minutes and nobody left "
    "without paying."
)
STAR_ZH = (
    "去年国庆节那天，我在商场的服装店当班，下午两点收银系统突然断网，排队的顾客有二十多人。"
    "我是当班组长，负责让收银尽快恢复。我先让同事用手机收款，自己给门店IT打电话，"
    "同时跟排队的顾客解释情况。最后十五分钟后网络恢复了，当天没有一个顾客投诉。"
)
HYPOTHETICAL_EN = (
    "I would stay calm and listen to the customer first. Then I'd apologise and try to find "
    "a solution, and if they kept shouting I would ask my manager to step in."
)
HYPOTHETICAL_ZH = (
    "我会先冷静下来，耐心听顾客把话说完。然后我会道歉，再想办法帮他解决问题，"
    "实在不行我会请店长来处理。"
)
NO_RESULT_EN = (
    "Two months ago at the bakery, a customer ordered a birthday cake and we spelled the "
    "name wrong. I had to fix it before her party at 4 pm. I apologised, scraped off the "
    "icing myself and rewrote the name, and asked my colleague to check it before boxing it."
)
NO_RESULT_ZH = (
    "上个月在面包店，有位顾客订的生日蛋糕上名字写错了，下午四点就要用。"
    "我先跟她道了歉，然后自己把奶油刮掉重新写了名字，还请同事帮我核对了一遍。"
)
WE_ONLY_EN = (
    "Last winter our warehouse fell three days behind on orders. We split the team into two "
    "shifts, we moved the packing tables next to the loading bay, and we worked through the "
    "weekend. In the end we cleared the backlog by Tuesday."
)
WE_ONLY_ZH = (
    "去年冬天我们仓库的订单积压了三天。我们把人分成两个班，我们把打包台搬到了装卸区旁边，"
    "周末也加了班。最后周二之前我们把积压的订单全部发完了。"
)


@pytest.fixture(scope="module")
def stress() -> Competency:
    return load_library().competency("stress_tolerance")


@pytest.mark.parametrize(("text", "language"), [(STAR_EN, "en"), (STAR_ZH, "zh")])
def test_full_star_answer_needs_no_follow_up(text: str, language: str, stress: Competency) -> None:
    analysis = analyse_answer(text, language)
    assert (analysis.situation, analysis.task, analysis.action, analysis.result) == (
        True,
        True,
        True,
        True,
    )
    assert analysis.specific and analysis.first_person and analysis.has_numbers
    assert not analysis.hypothetical
    follow = decide_followup(analysis, stress, language, followups_asked=0)
    assert follow.needed is False
    assert follow.enough_to_score is True
    assert (follow.gap, follow.probe, follow.missing) == (None, None, ())


@pytest.mark.parametrize("text", [STAR_EN, STAR_ZH, NO_RESULT_ZH])
def test_evidence_spans_quote_the_answer(text: str) -> None:
    language = "zh" if text in (STAR_ZH, NO_RESULT_ZH) else "en"
    analysis = analyse_answer(text, language)
    assert analysis.evidence
    for cue in analysis.evidence:
        assert text[cue.start_char : cue.end_char] == cue.quote
        assert cue.cue in cue.quote
    assert analysis.evidence_for("result") == tuple(
        c for c in analysis.evidence if c.element == "result"
    )


def test_english_star_evidence_names_the_cues() -> None:
    analysis = analyse_answer(STAR_EN, "en")
    assert [c.cue for c in analysis.evidence_for("result")] == ["As a result"]
    assert [c.cue for c in analysis.evidence_for("task")] == ["it was my job"]
    assert analysis.evidence_for("action")[0].cue == "I opened"


@pytest.mark.parametrize(
    ("text", "language", "probe"),
    [
        (
            HYPOTHETICAL_EN,
            "en",
            "That's how you would approach it. Can you tell me about a time it actually "
            "happened? What did you do?",
        ),
        (HYPOTHETICAL_ZH, "zh", "这是您的思路。您真实遇到过类似的情况吗？当时您具体是怎么做的？"),
    ],
)
def test_i_would_gets_the_hypothetical_probe(
    text: str, language: str, probe: str, stress: Competency
) -> None:
    analysis = analyse_answer(text, language)
    assert analysis.hypothetical is True
    assert not (analysis.action or analysis.result or analysis.specific)
    follow = decide_followup(analysis, stress, language, followups_asked=0)
    assert (follow.needed, follow.gap, follow.probe) == (True, "hypothetical", probe)
    assert follow.enough_to_score is False


@pytest.mark.parametrize(
    ("text", "language", "probe"),
    [
        (NO_RESULT_EN, "en", "How did it turn out in the end?"),
        (NO_RESULT_ZH, "zh", "最后结果怎么样？"),
    ],
)
def test_answer_without_result_gets_the_result_probe(
    text: str, language: str, probe: str, stress: Competency
) -> None:
    analysis = analyse_answer(text, language)
    assert analysis.action and analysis.situation and not analysis.result
    follow = decide_followup(analysis, stress, language, followups_asked=0)
    assert (follow.needed, follow.gap, follow.probe) == (True, "result", probe)
    assert follow.missing[0] == "result"


@pytest.mark.parametrize(
    ("text", "language", "probe"),
    [
        (WE_ONLY_EN, "en", "You've told me what the team did. What was your own part in it?"),
        (WE_ONLY_ZH, "zh", "您刚才讲了团队做的事，其中您自己具体做了哪些？"),
    ],
)
def test_we_only_answer_gets_the_first_person_probe(
    text: str, language: str, probe: str, stress: Competency
) -> None:
    analysis = analyse_answer(text, language)
    assert analysis.action and analysis.result and not analysis.first_person
    assert analysis.i_mentions == 0 and analysis.we_mentions >= 3
    follow = decide_followup(analysis, stress, language, followups_asked=0)
    assert (follow.needed, follow.gap, follow.probe) == (True, "first_person", probe)


def test_no_more_than_two_follow_ups(stress: Competency) -> None:
    analysis = analyse_answer(NO_RESULT_EN, "en")
    second = decide_followup(analysis, stress, "en", followups_asked=1)
    assert (second.needed, second.gap) == (True, "result")
    assert second.probe == "What happened as a result of what you did?"  # not a repeat
    third = decide_followup(analysis, stress, "en", followups_asked=2)
    assert (third.needed, third.gap, third.probe) == (False, None, None)
    assert third.enough_to_score is False  # max reached: score what there is
    assert third.missing == ("result",)
    assert decide_followup(analysis, stress, "en", 1, max_followups=1).needed is False


def test_enough_to_score_stops_before_the_maximum(stress: Competency) -> None:
    follow = decide_followup(analyse_answer(STAR_EN, "en"), stress, "en", followups_asked=1)
    assert (follow.needed, follow.enough_to_score) == (False, True)


@pytest.mark.parametrize(
    ("language", "text", "probe"),
    [
        (
            "en",
            STAR_EN,
            "Let's come back to stress tolerance. Could you tell me about a time at work "
            "that shows it?",
        ),
        ("zh", STAR_ZH, "我们回到“抗压能力”这个话题。能讲一个您工作中体现这一点的具体经历吗？"),
    ],
)
def test_off_topic_answer_gets_the_relevance_probe(
    language: str, text: str, probe: str, stress: Competency
) -> None:
    analysis = analyse_answer(text, language, relevance=0.2)
    assert (analysis.relevance, analysis.relevant) == (0.2, False)
    follow = decide_followup(analysis, stress, language, followups_asked=0)
    assert (follow.gap, follow.probe) == ("relevance", probe)
    assert follow.missing == ("relevance",)
    on_topic = analyse_answer(text, language, relevance=RELEVANCE_MIN[language])
    assert on_topic.relevant is True
    assert decide_followup(on_topic, stress, language, followups_asked=0).needed is False
    assert analyse_answer(text, language).relevant is None


@pytest.mark.parametrize(
    ("text", "language", "probe"),
    [
        ("I fixed the problem quickly.", "en", "Could you tell me more? Pick one specific "
         "time and walk me through it."),
        ("我把问题解决了。", "zh", "能多讲一些吗？挑一次具体的经历，从头说说。"),
    ],
)  # fmt: skip
def test_five_word_answer_is_too_short(
    text: str, language: str, probe: str, stress: Competency
) -> None:
    analysis = analyse_answer(text, language)
    assert analysis.words == (5 if language == "en" else 4)  # Chinese: 8 characters / 2
    assert not (analysis.action or analysis.result or analysis.hypothetical)
    follow = decide_followup(analysis, stress, language, followups_asked=0)
    assert (follow.gap, follow.probe) == ("too_short", probe)


def test_probes_are_in_the_answers_language_and_never_mention_scores(
    stress: Competency,
) -> None:
    from interview.questions import followup

    for language, probes in followup._PROBES.items():
        assert set(probes) == set(PRIORITY)
        for variants in probes.values():
            for text in variants:
                has_cjk = any("\u4e00" <= ch <= "\u9fff" for ch in text)
                assert has_cjk == (language == "zh"), text
                assert not any(w in text.lower() for w in ("score", "rating", "分数", "评分"))
    zh = decide_followup(analyse_answer(NO_RESULT_ZH, "zh"), stress, "zh", 0)
    en = decide_followup(analyse_answer(NO_RESULT_EN, "en"), stress, "en", 0)
    assert zh.probe is not None and en.probe is not None
    assert any("\u4e00" <= ch <= "\u9fff" for ch in zh.probe)
    assert en.probe.isascii()


def test_relevance_reference_prefers_the_question(stress: Competency) -> None:
    assert relevance_reference(stress, "en", " Tell me about a time. ") == "Tell me about a time."
    assert relevance_reference(stress, "zh").startswith("抗压能力: ")


def test_bad_inputs_are_named(stress: Competency) -> None:
    with pytest.raises(InvalidInput, match="'fr'"):
        analyse_answer("Bonjour", "fr")
    with pytest.raises(InvalidInput, match="'fr'"):
        decide_followup(analyse_answer(STAR_EN, "en"), stress, "fr", 0)
    with pytest.raises(InvalidInput, match="-1"):
        decide_followup(analyse_answer(STAR_EN, "en"), stress, "en", -1)
