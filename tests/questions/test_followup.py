import pytest

from interview.competency.library import load_library
from interview.competency.schemas import Competency
from interview.errors import InvalidInput
from interview.questions.followup import PRIORITY, decide_followup, relevance_references
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
    follow = decide_followup(analysis, language, followups_asked=0)
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
    follow = decide_followup(analysis, language, followups_asked=0)
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
    follow = decide_followup(analysis, language, followups_asked=0)
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
    follow = decide_followup(analysis, language, followups_asked=0)
    assert (follow.needed, follow.gap, follow.probe) == (True, "first_person", probe)


def test_no_more_than_two_follow_ups(stress: Competency) -> None:
    analysis = analyse_answer(NO_RESULT_EN, "en")
    second = decide_followup(analysis, "en", followups_asked=1)
    assert (second.needed, second.gap) == (True, "result")
    assert second.probe == "What happened as a result of what you did?"  # not a repeat
    third = decide_followup(analysis, "en", followups_asked=2)
    assert (third.needed, third.gap, third.probe) == (False, None, None)
    assert third.enough_to_score is False  # max reached: score what there is
    assert third.missing == ("result",)
    assert decide_followup(analysis, "en", 1, max_followups=1).needed is False


def test_enough_to_score_stops_before_the_maximum(stress: Competency) -> None:
    follow = decide_followup(analyse_answer(STAR_EN, "en"), "en", followups_asked=1)
    assert (follow.needed, follow.enough_to_score) == (False, True)


@pytest.mark.parametrize(
    ("language", "text", "probe"),
    [
        (
            "en",
            STAR_EN,
            "Let's stay with the question I asked. Could you tell me about an example that "
            "fits it? What happened, and what did you do?",
        ),
        (
            "zh",
            STAR_ZH,
            "我们再回到刚才的问题。您能讲一个切合这个问题的例子吗？当时发生了什么，您做了什么？",
        ),
    ],
)
def test_off_topic_answer_gets_the_relevance_probe(
    language: str, text: str, probe: str, stress: Competency
) -> None:
    analysis = analyse_answer(text, language, relevance=0.2)
    assert (analysis.relevance, analysis.relevant) == (0.2, False)
    follow = decide_followup(analysis, language, followups_asked=0)
    assert (follow.gap, follow.probe) == ("relevance", probe)
    assert stress.name.get(language).lower() not in probe.lower()  # never names what is measured
    assert follow.missing == ("relevance",)
    on_topic = analyse_answer(text, language, relevance=RELEVANCE_MIN[language])
    assert on_topic.relevant is True
    assert decide_followup(on_topic, language, followups_asked=0).needed is False
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
    follow = decide_followup(analysis, language, followups_asked=0)
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
    zh = decide_followup(analyse_answer(NO_RESULT_ZH, "zh"), "zh", 0)
    en = decide_followup(analyse_answer(NO_RESULT_EN, "en"), "en", 0)
    assert zh.probe is not None and en.probe is not None
    assert any("\u4e00" <= ch <= "\u9fff" for ch in zh.probe)
    assert en.probe.isascii()


def test_relevance_references_start_with_the_question(stress: Competency) -> None:
    refs = relevance_references(stress, "en", " Tell me about a time. ")
    assert refs[0] == "Tell me about a time." and refs[1].startswith("Stress tolerance: ")
    assert relevance_references(stress, "zh")[0].startswith("抗压能力: ")


def test_bad_inputs_are_named(stress: Competency) -> None:
    with pytest.raises(InvalidInput, match="'fr'"):
        analyse_answer("Bonjour", "fr")
    with pytest.raises(InvalidInput, match="'fr'"):
        decide_followup(analyse_answer(STAR_EN, "en"), "fr", 0)
    with pytest.raises(InvalidInput, match="-1"):
        decide_followup(analyse_answer(STAR_EN, "en"), "en", -1)


# --- Answers in styles the first rules did not see (the blind labels found them) -----------

PLAIN_OUTCOME_EN = (
    "Last year at the café a new waiter, Kevin, was very slow and tables 6 and 9 were waiting "
    "for him. I took table 9 for him and after the shift I went through the menu with him for "
    "twenty minutes. Next week he took four tables on his own."
)
PLAIN_OUTCOME_ZH = (
    "去年我们饭店来了个新服务员小刘，刚来那阵儿特别慢，六号桌九号桌都在等他。"
    "我先把九号桌接了过来，下了班拉着他把菜单过了一遍，练了二十来分钟。第二个礼拜他自己就能看四张桌了。"
)
PRESENT_TENSE_EN = (
    "Last year in the restaurant, new waiter Kevin, he very slow, table 6 and table 9 all "
    "waiting. I see he not know the new menu. So I take the table 9 for him and after shift I "
    "show him the menu. Next week he can take four tables himself, no problem."
)
HABIT_EN = (
    "I always keep an eye on the door. If someone looks lost I go over and ask what they need, "
    "and I usually hold the door for people with pushchairs. I think small things matter."
)
HABIT_ZH = (
    "我做事习惯提前准备。每次有活动，我都会提前一周列好清单，前一天再核对一遍，"
    "这样活动当天基本不会出问题。"
)
PLAN_EN = (
    "I would call the customer before five, say I am still tied up and give a new time, and "
    "keep it, so they are not left waiting by the phone."
)
PLAN_ZH = "我会先给客户打个电话，说明我这边还在处理急事，约一个新的时间，这样客户就不用一直干等。"
PLAN_NO_REASON_EN = (
    "I would call the customer and tell them I am busy right now and then call back later."
)


@pytest.mark.parametrize(
    ("text", "language"),
    [(PLAIN_OUTCOME_EN, "en"), (PLAIN_OUTCOME_ZH, "zh"), (PRESENT_TENSE_EN, "en")],
)
def test_outcome_told_in_plain_words_needs_no_probe(text: str, language: str) -> None:
    analysis = analyse_answer(text, language)
    assert analysis.action and analysis.result, analysis.evidence
    follow = decide_followup(analysis, language, 0)
    assert follow.needed is False, follow


@pytest.mark.parametrize(
    ("text", "language", "word"), [(HABIT_EN, "en", "time"), (HABIT_ZH, "zh", "一次")]
)
def test_a_habit_is_asked_for_one_real_occasion(text: str, language: str, word: str) -> None:
    analysis = analyse_answer(text, language)
    assert analysis.hypothetical and analysis.habitual
    follow = decide_followup(analysis, language, 0)
    assert follow.gap == "action" and follow.probe is not None
    assert word in follow.probe, follow.probe


@pytest.mark.parametrize(("text", "language"), [(PLAN_EN, "en"), (PLAN_ZH, "zh")])
def test_a_plan_answers_a_what_would_you_do_question(text: str, language: str) -> None:
    analysis = analyse_answer(text, language)
    assert analysis.hypothetical
    situational = decide_followup(analysis, language, 0, kind="situational")
    assert situational.needed is False, situational
    # The same words answer "Tell me about a time..." with no real occasion: probed.
    behavioural = decide_followup(analysis, language, 0, kind="behavioural")
    assert behavioural.gap == "hypothetical"


def test_a_plan_without_a_reason_is_asked_why() -> None:
    follow = decide_followup(analyse_answer(PLAN_NO_REASON_EN, "en"), "en", 0, kind="situational")
    assert follow.gap == "result" and follow.probe is not None
    assert "would" in follow.probe.lower() or "why" in follow.probe.lower(), follow.probe
    with pytest.raises(InvalidInput, match="'sjt'"):
        decide_followup(analyse_answer(PLAN_EN, "en"), "en", 0, kind="sjt")


def test_probes_never_name_what_is_measured_and_say_nin_in_chinese() -> None:
    from interview.questions import followup

    names = {
        n.lower()
        for c in load_library().competencies
        for n in (c.name.en, c.name.zh, c.id.replace("_", " "))
    }
    tables = [
        followup._PROBES,
        followup._SITUATIONAL,
        {k: {"action": v} for k, v in followup._OCCASION.items()},
    ]
    for table in tables:
        for language, probes in table.items():
            for variants in probes.values():
                assert len(set(variants)) >= 3  # the wording varies
                for text in variants:
                    assert not [n for n in names if n in text.lower()], text
                    if language == "zh":
                        assert "你" not in text, text  # 您 throughout


def test_wording_varies_across_questions_and_probes() -> None:
    analysis = analyse_answer(NO_RESULT_EN, "en")
    questions = [f"Tell me about a time number {i}." for i in range(12)]
    firsts = {decide_followup(analysis, "en", 0, question=q).probe for q in questions}
    assert len(firsts) >= 2
    for q in questions:
        first = decide_followup(analysis, "en", 0, question=q).probe
        second = decide_followup(analysis, "en", 1, question=q).probe
        assert first != second


@pytest.mark.parametrize(
    ("text", "language"),
    [(STAR_EN, "en"), (NO_RESULT_EN, "en"), (WE_ONLY_EN, "en"), (PLAIN_OUTCOME_EN, "en")],
)
def test_a_transcript_without_punctuation_gets_the_same_decision(text: str, language: str) -> None:
    """Whisper may give a spoken answer in lower case with no marks: judged as the written."""
    from bench.followups import spoken_form

    spoken = spoken_form(text, language)
    written = decide_followup(analyse_answer(text, language), language, 0)
    heard = decide_followup(analyse_answer(spoken, language), language, 0)
    assert (heard.needed, heard.gap) == (written.needed, written.gap), (written, heard)
