"""STAR analysis of one answer: its Situation, Task, Action and Result, how specific it is,
whose part it tells, and (given a cosine from the caller) whether it is on topic.

Pure and lexical: multilingual cue patterns per element, checked sentence by sentence
(a few microseconds each). Both the follow-up engine (questions/followup.py) and the
scorer (scoring/content.py) read answers through it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from interview.errors import InvalidInput
from interview.text.schemas import Cue, Element, StarAnalysis
from interview.text.sentences import MIN_WORDS, Sentence, split_sentences, word_count

# Best cosine (multilingual-e5-small, "query:" on both sides) between an answer and
# relevance_references(), per language: Chinese pairs sit higher. On the dev half of the
# blind labels (bench/data/followups_blind_dev.jsonl) on-topic answers start at 0.799 (en) and
# 0.863 (zh), and the two off-topic zh answers sit above that (0.876, 0.881): e5-small does not
# tell topics apart at this grain, so the threshold sits below every on-topic answer seen and
# catches only answers about something else entirely. Another embedder needs its own.
RELEVANCE_MIN = {"en": 0.79, "zh": 0.85}
MIN_DETAILS = 2  # concrete particulars (numbers, names, dates, quotes) for `specific`

_F = re.IGNORECASE

# --- English cues -------------------------------------------------------------------------

_IRREGULAR_PAST = (
    "went|took|told|made|gave|got|put|set|sent|spent|kept|left|brought|bought|caught|taught|"
    "found|saw|said|spoke|wrote|ran|came|began|chose|drove|fell|held|led|let|lost|met|paid|"
    "rang|sold|stood|threw|won|cut|split|shut|hit|quit|rebuilt|built|dealt|stuck|sat|hung|"
    "fed|fought|flew|froze|grew|laid|lent|rode|shook|swept|tore|undertook|overcame|did|"
    "didn't|read"
)
# Words ending in -d that are not a narrated step: states, modals, adjectives.
_NOT_ACTION = {
    "was", "were", "had", "would", "could", "should", "need", "needed", "wanted", "liked",
    "loved", "hated", "supposed", "interested", "tired", "worried", "stressed",
    "excited", "based", "bored", "seemed", "hoped", "expected", "allowed", "required",
    "scared", "annoyed", "surprised", "involved", "located", "and", "kind", "mind", "missed",
}  # fmt: skip
_EN_PAST_VERB = re.compile(rf"^(?:{_IRREGULAR_PAST}|[a-z]{{2,}}(?<!ee)d)$")
_EN_SUBJECT_VERB = re.compile(
    r"\b(when|while|which|that|what|who|before|after|since|if|I|we)?\s*\b(I|we)\s+"
    r"(?:(?:then|also|just|first|immediately|quickly|quietly|finally|still|actually|"
    r"personally|straight|even|both|all|mostly|never|only|kind of|sort of)\s+)*([a-z']+)",
    _F,
)
_SUBORDINATE = {"when", "while", "which", "that", "what", "who", "before", "after", "since", "if"}
_EN_VAGUE_ACTION = re.compile(
    r"\b(?:kept going|did (?:my best|what I could|everything|whatever))\b|"
    r"\b(?:worked|was working) (?:as|at|in|for|nights|there)\b",
    _F,
)
_EN_HYPOTHETICAL = re.compile(
    r"\b(?:I|we)(?:'d(?! (?:already|just|never|been|done|gone|had|seen|left|finished|made|"
    r"taken|told|asked|known|given|[a-z]+ed)\b)|'ll| would| will| am going to|'m going to|"
    r" might| should)\b"
    r"(?! have\b)|\bif (?:a|the|my|someone|they|he|she|it|that|this)\b|\bI'd rather\b",
    _F,
)
_EN_GENERIC = re.compile(
    r"\bI(?:'d| would) (?:say|consider|describe|call) myself|"
    r"\b(?:always|usually|generally|normally|typically|in general|I(?:'m| am) (?:a|an|very)|"
    r"I believe|I think (?:it's|that|staying)|I like to|I try to|I take|my strengths?)\b",
    _F,
)
_MONTHS = "january|february|march|april|may|june|july|august|september|october|november|december"
_DAYS = "monday|tuesday|wednesday|thursday|friday|saturday|sunday"
_EN_SITUATION = re.compile(
    rf"\b(?:last (?:year|month|week|summer|winter|spring|autumn|fall|christmas|night|{_MONTHS})|"
    r"(?:\w+|a few|a couple of) (?:years?|months?|weeks?|days?) ago|in (?:19|20)\d\d|"
    rf"one (?:day|time|evening|morning|night|afternoon|shift|weekend|{_DAYS})|once,|"
    rf"there was a time|back in|on (?:a|the) (?:{_DAYS})|in (?:{_MONTHS})|"
    r"that (?:week|day|morning|evening|night|shift|year|summer|winter)|this was (?:at|in|when)|"
    r"when I (?:worked|was|joined|started)|at (?:my|the) (?:last|previous|old|first|former) "
    r"(?:job|company|role|workplace)|in my (?:last|previous|old|first|former) "
    r"(?:job|role|company|month|week)|in my job as|where I (?:work|worked)|"
    r"I (?:worked|was working) (?:as|at|in)|(?:a|an|one) (?:customer|client|guest|colleague|"
    r"new \w+|woman|man)(?:'s)? (?:came|called|was|asked|arrived|got|kept|said))\b",
    _F,
)
_EN_TASK = re.compile(
    r"\b(?:I (?:had|needed|was expected|was asked|was supposed|was told|have) to|"
    r"(?:and|,) had to|we (?:had|needed) to|"
    r"my (?:job|role|task|responsibility|goal|aim|duty) (?:was|is|to)|"
    r"I(?:'m| am| was) (?:responsible|in charge|accountable)|it was (?:my job|up to me|on me)|"
    r"on me to|the (?:goal|aim|target|deadline|rule) was|my job to|I promised|"
    r"(?:needed|had) to be (?:done|ready|finished)|I was expected|"
    r"had (?:a|an|one|two|three|only|just) (?:\w+ )?(?:day|days|weekend|week|weeks|hour|"
    r"hours|minutes) to)\b",
    _F,
)
_EN_RESULT = re.compile(
    r"\b(?:as a result|in the end|eventually|ended up|turned out|resulted in|which meant|"
    r"since then|from then on|(?:in the|over the) \w+ (?:months?|weeks?|years?) since|"
    r"since[,.]|haven't had|have not had|never happened again|"
    r"thanked|praised|complimented|review|promoted|saved|saves|reduced|increased|"
    r"improved|doubled|halved|went (?:down|up)|dropped|no complaints?|"
    r"it worked|(?<!what )(?<!which )(?<!that )(?:was|were|got) "
    r"(?:finished|done|fixed|solved|resolved|sorted)|"
    # outcomes in everyday words, good or bad, and what was learned from them
    r"worked out|went (?:well|fine|smoothly)|paid off|didn't work|did not work|failed|"
    r"(?:was|were|seemed|looked) (?:happy|pleased|relieved|grateful|fine|calm(?:er)?)|"
    r"calmed down|came back|won|lost (?:the|a|that)|successful(?:ly)?|succeeded|"
    r"(?:said|says) thank(?:s| you)|avoided|helped (?:to )?(?:resolve|fix|solve)|"
    r"I (?:learned|learnt|realised|realized) (?:that|how|to|a lot)|the lesson|"
    r"got (?:an? [A-F]|the (?:job|contract|deal|order))|still (?:comes?|says?|calls?|uses?))\b|"
    r"\d+\s?%|\bfrom \d+ to \d+",
    _F,
)
# Weak outcome cues: they also describe deadlines, so they do not count in a task sentence.
_EN_RESULT_WEAK = re.compile(
    r"\b(?:on time|on schedule|within (?:a|an|half an|two|three) (?:week|day|hour|month)s?|"
    r"passed|came back)\b",
    _F,
)
# Someone else's reaction after the candidate's steps: "they kept the order".
_EN_REACTION = re.compile(
    r"(?:^|[,;]\s*(?:and|but|so)?\s*|\b(?:and|but)\s+)(?:then |later |after that |in the end )?"
    r"(?:he|she|they|the (?:\w+ )?(?:customer|client|guest|manager|supervisor|team|lead|"
    r"directors?|engineer)|[A-Z][a-z]+)\s+(?:\w+ly\s+)?([a-z']+)",
)
_EN_NUMBER_WORDS = (
    "two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|"
    "forty|fifty|hundred|thousand|half|dozen|twice|twenties|thirties|forties|fifties|"
    "sixties|seventies|eighties|nineties"
)
_EN_NUMBER = re.compile(rf"\d+(?:[.,:]\d+)*|\b(?:{_EN_NUMBER_WORDS})\b", _F)
_EN_QUOTE = re.compile(r"(?:^|\s)['\"“‘][^'\"”’]{2,60}['\"”’]")
_EN_NAME = re.compile(r"(?<=[a-z,;:] )[A-Z][a-zA-Z'-]+")
_EN_DATE = re.compile(
    r"\b(?:last|that|this) (?:year|month|week|summer|winter|spring|autumn|fall|night|morning|"
    r"evening|afternoon|day|shift|weekend)|\b\w+ (?:weeks?|months?|years?|days?) "
    r"(?:later|ago|after)\b",
    _F,
)
_EN_HEDGE = re.compile(
    r"\b(?:I think (?:it was|one time|there)|I guess|or maybe|something like (?:that|this)|"
    r"I (?:don't|can't) remember|like (?:\d|two|three|four|five|ten)|kind of|sort of)\b",
    _F,
)
_EN_REASON = re.compile(
    r"\b(?:because|so that|so (?:the|they|he|she|it|nobody|no one|we|I)|to make sure|to avoid|"
    r"that way|otherwise|in order to|since (?:the|they|it|he|she)|which (?:would|will|means)|"
    r"the (?:reason|point|goal) is|to (?:keep|stop|prevent|protect|show|let|help|get)|"
    r"better than|rather than|if I (?:don't|didn't)|or else)\b",
    _F,
)
# Said in the closing sentence of a story, these tell how it ended even without an outcome
# word: "Next week he can take four tables himself", "By quarter past eleven the queue...".
_EN_CLOSING = re.compile(
    r"\b(?:next (?:day|week|month|morning|shift|time|year)|the (?:next|following) (?:day|week|"
    r"month|morning|shift)|that (?:afternoon|evening|night|day)|by (?:about |around )?(?:\d|the "
    r"end|quarter|half|noon|midnight|closing|then|the time)|(?:first|second|third) (?:month|"
    r"week)|after that|afterwards|later|now (?:I|we|he|she|they|it)|these days|to this day|"
    r"from that day|ever since|we ended up|and (?:now|since))\b",
    _F,
)
# Someone else's next move, in any tense: "he come back next day", "Manager say thank you".
_EN_OTHER_SUBJECT = re.compile(
    r"(?:^|[,;]\s*|\b(?:and|so|then)\s+)(?:(?i:he|she|they|the (?:\w+ )?(?:customer|client|guest|"
    r"manager|boss|chef|doctor|patient|team|lead|teacher|owner)|(?:my |our )?(?:manager|boss|"
    r"chef|customer|doctor|patient|lead))|(?!(?:So|Ah|Um|Uh|Umm|Uhh|And|But|Not|Then|Well|Yeah|"
    r"Yes|Okay|OK|The|This|That|It|There|What|When|Which|Like|Just|Also|Basically|Actually)\b)"
    r"[A-Z][a-z]+)\s+(?!would|will|'d|was going)[a-z']+",
)
# A step proposed for a hypothetical situation: "I'd ring them", not "I'd understand why".
_EN_WOULD_STEP = re.compile(
    r"\b(?:I|we)(?:'d| would|'ll| will)\s+(?:\w+ly\s+)?(?:first\s+|then\s+|also\s+)?"
    r"(?!understand|think|feel|be\b|know|like|want|hope|imagine|guess|probably|consider|say\s+"
    r"(?:it|that)|stay|try|communicate|help|listen|make sure|remain|handle|deal|do my best)"
    r"[a-z]{2,}",
    _F,
)
_EN_PLATITUDE = re.compile(
    r"\b(?:communication is (?:key|important|everything)|team player|positive (?:person|attitude)|"
    r"(?:never|don't|do not) give up|on the same page|do(?:ing)? my best|(?:worked|work) hard|"
    r"hard[- ]working|fast learner|people person|at the end of the day|customer (?:is always "
    r"right|comes first)|stay(?:ed)? (?:calm|positive|professional)|felt (?:really )?(?:down|bad|"
    r"good)|(?:it was|it's) (?:a )?(?:really )?(?:hard|tough|good) (?:time|experience)|"
    r"learn(?:ed|t)? a lot|supported me|went well|sorted it out|fixed it|solved it)\b",
    _F,
)
_EN_UNKNOWN = re.compile(r"\b(?:I don't know|not sure|no idea)\b", _F)
# Transcripts may write the pronoun in lower case ("so first i told her"): "i" alone is it.
_EN_I = re.compile(r"\b(?:[Ii]|me|my|myself|[Ii]'m|[Ii]'ve|[Ii]'d|[Ii]'ll|mine)\b")
_EN_WE = re.compile(r"\b(?:we|us|our|ourselves|we're|we've|we'd)\b", _F)

# --- Chinese cues -------------------------------------------------------------------------

_ZH_I = re.compile(r"我(?!们)|本人")
_ZH_WE = re.compile(r"我们|咱们")
_ZH_HYPOTHETICAL = re.compile(
    r"(?:我|我们|本人)(?:就|也|还|都|肯定|一定|可能|应该|首先|先|一般|尽量|也许)*(?<!只)会(?!议|计|员|用|说)|"
    r"如果|假如|要是|万一|的话[，,]|我(?:不会|愿意|打算|争取)|争取"
)
_ZH_GENERIC = re.compile(
    r"一般|通常|平时|总是|习惯|每次|每回|向来|一直都|我这个人|我觉得.{0,6}(?:重要|要)|能力(?:比较|挺|很)"
)
# Perfective 了/过 after a verb; not 为了/除了/算了/好了/对了 or sentence-final 了吧.
_ZH_PERFECTIVE = re.compile(r"(?<![为除算对罢])了(?![吧吗])|[^不没]过(?![来去])")
_ZH_PAST = re.compile(r"了|过(?![来去])|当时|那时|那次|那天|有一次|去年|前年|上个月|上周|后来")
_ZH_ACTION = re.compile(
    r"(?:我|我们|本人)(?:自己|俩|当场|就|先|又|还|也|马上|立刻|赶紧|主动|直接|然后|接着|随后|"
    r"第一时间|一开始|专门|没有)*(?:把|跟|给|找|去|请|让|叫|帮|教|写|拿|问|打电话|通知|联系|"
    r"安排|检查|核对|整理|处理|解释|说明|提醒|告诉|记录|调|换|做|用|按|开始|发现|决定|办|试|"
    r"查|拒绝|申请|观察)"
)
# "我还是每站停稳": in a told story, a clause the candidate starts is a step, unless it tells a
# feeling, a view or a state ("我很委屈", "我觉得", "我是组长").
_ZH_TOLD_STEP = re.compile(
    r"(?:然后|就|又|还|先|再|于是|接着|最后)?(?:我|本人)(?:就|又|还|先|再|也|马上|直接|还是|赶紧)*"
    r"(?!们|觉得|认为|想|是|的|会|一般|平时|知道|很|挺|特别|有点|心里|也不|不|没|怕|喜欢|希望)"
    r"[\u4e00-\u9fff]{2}"
)
_ZH_THIRD_PARTY = re.compile(r"^(?:他|她|它|他们|她们|顾客|客户|对方)")
_ZH_SITUATION = re.compile(
    r"去年|前年|今年|上个月|上周|上半年|下半年|那年|那天|那次|有一次|有一天|一天(?:早上|晚上|下午)|"
    r"当时|刚(?:入职|转正|来|上班|工作)|之前在|以前在|我在.{1,16}(?:的时候|上班|工作|做|当)|"
    r"春节|双十一|国庆|\d+年|[一二三四五六七八九十]+月|冬天|夏天|春天|秋天"
)
_ZH_TASK = re.compile(
    r"负责|任务|职责|我的工作(?:是|要求)|需要我|我需要|我得|必须|目标|要求我|让我(?!们)|交给我|答应|"
    r"按规定|只剩|为了|要在|(?:这事|这件事|事情)得(?![到很])"
)
_ZH_RESULT = re.compile(
    r"结果|最终|终于|从那以后|从此|效果|之后.{0,8}(?:没|再)|后来还|"
    r"(?:提高|提升|降低|减少|增加|节省|下降|上升|缩短)(?:了|到)|[提降升涨减增]到|"
    r"从.{1,15}(?:提|降|升|涨|减|增|缩)(?:高|低|少|加|短)?到|"
    r"[一两三四五六七八九十半几\d]+(?:天|周|个月|年|个星期)(?:后|以后|之后)|"
    r"没(?:有)?(?:出|发生)(?:过|任何)?.{0,6}(?:问题|事故|差错|投诉|情况)|"
    r"解决了|没(?:有)?再|再也没|满意|表扬|感谢|好评|成功|同意了|"
    # outcomes in everyday words, good or bad, and what was learned from them
    r"失败|没成|搞定|好多了|效果|开心|高兴|笑了|谢谢|回头客|到现在|至今|一直(?:在|都|是)|"
    r"学到|教训|明白了|后来(?:他|她|他们|顾客|客人|对方|人家|店长|领导)"
)
_ZH_RESULT_WEAK = re.compile(r"最后(?!一[趟个次班辆天])|按时|顺利")
_ZH_NUMERAL = "零两三四五六七八九十百千万半几"
_ZH_NUMBER = re.compile(
    r"一个?(?:小时|分钟|星期|周|个月|年)|[一两三四五六七八九十几]+[百千万](?![一-龥])|"
    rf"\d+|百分之|千分之|[一{_ZH_NUMERAL}]*[{_ZH_NUMERAL}][一{_ZH_NUMERAL}]*"
    r"(?:个|位|次|天|小时|分钟|元|块|件|单|箱|桌|人|名|台|份|周|月|年|杯|张|片|度|层|楼|倍|趟|"
    r"辆|家|款|点|成|折|平米|匹|遍|封|段|期|拨|晚|种)"
)
_ZH_QUOTE = re.compile(r"[“「‘\"][^”」’\"]{2,40}[”」’\"]")
_ZH_NAME = re.compile(r"[小老][王李刘张陈杨赵黄周吴]|[A-Za-z]{2,}")
_ZH_DATE = re.compile(
    r"去年|前年|上个月|上周|上半年|双十一|春节|第二天|\d+年|[一二三四五六七八九十]+月"
)
_ZH_REASON = re.compile(
    r"因为|这样|以免|免得|省得|为了|不然|否则|所以|目的是|才能|才不会|防止|避免|保证|要是不|"
    r"比.{1,12}强|要让|得让|不能让"
)
# A step told as an instruction, in a plan for a hypothetical situation: "Ring the customer".
_EN_IMPERATIVE = re.compile(
    r"(?:^|[.;]\s+)(?:first,? |then,? )?(?:tell|ask|call|ring|text|check|explain|apologi[sz]e|"
    r"offer|go|write|report|stop|say|give|let|make|put|take|move|keep|find|talk|speak|email|"
    r"send|warn|record|note|escalate)\b",
    _F,
)
_ZH_CLOSING = re.compile(
    r"第二天|第二个?(?:礼拜|星期|周|月)|过了.{1,6}(?:天|礼拜|星期|周|月|年)|到最后|到晚上|当天|"
    r"之后|此后|从那|后来|现在|下一周|下个月|下一个月|第[一二三]个月|那天下午|那天晚上|一个都没|一次都没|都没再"
)
_ZH_OTHER_SUBJECT = re.compile(
    r"^(?:[\d一二三四五六七八九十两半]+点[半钟]?|第二天|当天|晚上|后来|到最后|最后|之后)?(?:他|她|他们|她们|顾客|客人|患者|病人|医生|店长|领导|经理|主管|大爷|大妈|阿姨|对方|人家|"
    r"客户|老板|老师|同事|家属|[小老][王李刘张陈杨赵黄周吴])"
)
_ZH_WOULD_STEP = re.compile(
    r"(?:我|我们|本人)(?:就|也|还|都|肯定|一定|首先|先|再|马上|立刻)*会"
    r"(?!觉得|理解|认为|想|很|比较|有|保持|尽量|沟通|努力|耐心|冷静|好好)"
    r"(?:先|马上|立刻|直接|主动)?[\u4e00-\u9fff]|(?:^|[，,。\s])(?:先|然后|再|马上)[\u4e00-\u9fff]"
)
_ZH_PLATITUDE = re.compile(
    r"沟通|换位思考|努力|提升自己|意识到|想通|心情|委屈|重要性|理解和支持|顺利推进|认真负责|积极|"
    r"态度|学会|成长|不放弃|团队合作|研究了一下|解决了|挺满意|很满意|比以前方便"
)
_ZH_HEDGE = re.compile(r"好像|记不清|不记得|也不知道|反正|什么的")
# "最后也不知道他买没买": an outcome the candidate does not know is not a result.
_ZH_UNKNOWN = re.compile(r"不知道|不清楚|不确定")


@dataclass
class _Found:
    """Cues found sentence by sentence; counts decide between story and hypothetical."""

    cues: list[tuple[Element, Sentence, str]] = field(default_factory=list)
    actions: int = 0  # sentences (en) or clauses (zh) that narrate a step
    hypotheticals: int = 0  # ... that say what would/will/usually happen instead
    i_actions: int = 0  # narrated steps with "I"/"我" in the sentence
    habits: int = 0  # ... of the hypotheticals, those that say what usually happens

    def add(self, element: Element, sentence: Sentence, cue: str) -> None:
        if not any(e == element and s == sentence for e, s, _ in self.cues):
            self.cues.append((element, sentence, cue))

    def has(self, element: Element) -> bool:
        return any(e == element for e, _, _ in self.cues)


def analyse_answer(
    text: str,
    language: str,
    relevance: float | None = None,
    *,
    relevance_min: float | None = None,
) -> StarAnalysis:
    """STAR elements, specificity, voice and (if given) relevance of one answer."""
    if language not in ("en", "zh"):
        raise InvalidInput(f"language {language!r} is not supported; use 'en' or 'zh'")
    threshold = RELEVANCE_MIN[language] if relevance_min is None else relevance_min
    sentences = _speech_sentences(split_sentences(text), language)
    words = word_count(text, language)
    if language == "zh":
        found = _zh_cues(sentences, text)
        i_count, we_count = len(_ZH_I.findall(text)), len(_ZH_WE.findall(text))
        numbers = len(_ZH_NUMBER.findall(text))
        details = numbers + len(_ZH_QUOTE.findall(text)) + len(_ZH_NAME.findall(text))
        details += len(_ZH_DATE.findall(text)) - len(_ZH_HEDGE.findall(text))
    else:
        found = _en_cues(sentences)
        i_count, we_count = len(_EN_I.findall(text)), len(_EN_WE.findall(text))
        numbers = len(_EN_NUMBER.findall(text))
        details = numbers + len(_EN_QUOTE.findall(text)) + len(_EN_NAME.findall(text))
        details += len(_EN_DATE.findall(text)) - len(_EN_HEDGE.findall(text))
    # A story told with a few "I would"s stays a story; mostly "would"/"usually" is not one.
    hypothetical = found.hypotheticals > found.actions
    # Under content.MIN_WORDS nothing can show behaviour (the scorer gives level 1 too).
    story = not hypothetical and words >= MIN_WORDS
    narrative = found.has("action") or found.has("situation")
    # A story told mostly as "we" with an "I" here and there leaves the candidate's own
    # part untold (students' team projects): "we" at least twice as often, four times or more.
    mostly_we = we_count >= 4 and we_count >= 2 * i_count
    first_person = (found.i_actions > 0 and not mostly_we) or (
        i_count > 0 and we_count <= i_count and not narrative
    )
    return StarAnalysis(
        language=language,  # type: ignore[arg-type]
        situation=story and found.has("situation"),
        task=story and found.has("task"),
        action=story and found.has("action"),
        result=story and found.has("result"),
        specific=story and narrative and details >= MIN_DETAILS,
        first_person=first_person,
        hypothetical=hypothetical,
        habitual=hypothetical and 2 * found.habits >= found.hypotheticals,
        # Chinese plans chain their steps without repeating the subject ("我会先给店里打电话
        # 问问晚班的能不能帮着做"): one counted step is enough there.
        proposes_steps=words >= MIN_WORDS
        and _plan_steps(text, language, found) >= (1 if language == "zh" else 2),
        # A reason is often a plain fact beside the steps ("客户最烦的是没音信"): a plan of
        # two sentences or more and twenty words gives one.
        gives_reason=bool((_ZH_REASON if language == "zh" else _EN_REASON).search(text))
        or found.has("result")
        or (words >= 20 and len(sentences) >= 2),
        has_numbers=numbers > 0,
        words=words,
        i_mentions=i_count,
        we_mentions=we_count,
        details=max(details, 0),
        platitudes=len((_ZH_PLATITUDE if language == "zh" else _EN_PLATITUDE).findall(text)),
        evidence=tuple(
            Cue(element=el, quote=s.text, start_char=s.start, end_char=s.end, cue=cue)
            for el, s, cue in sorted(found.cues, key=lambda c: c[1].start)
        ),
        relevance=None if relevance is None else round(float(relevance), 4),
        relevant=None if relevance is None else relevance >= threshold,
    )


_EN_CHAINED_STEP = re.compile(
    r"(?:,|\band|\bthen|\bfirst|\bafter that)\s+(?:I(?:'d| would| will|'ll)?\s+)?(?:also\s+)?"
    r"(?:tell|ask|call|ring|phone|text|check|explain|apologi[sz]e|offer|go|write|report|stop|say|"
    r"give|let|make|put|take|move|keep|find|talk|speak|email|send|warn|record|note|escalate|"
    r"show|book|fix|clean|count|recount|switch|lock|log)\b",
    _F,
)


def _plan_steps(text: str, language: str, found: _Found) -> int:
    """Concrete steps a plan proposes (or a story tells): "I'd ring them", "then ask",
    "我会先…然后…"; "I'd stay calm and try my best" proposes none."""
    if language == "zh":
        return len(_ZH_WOULD_STEP.findall(text)) + len(_ZH_ACTION.findall(text)) + found.actions
    return (
        len(_EN_WOULD_STEP.findall(text))
        + len(_EN_IMPERATIVE.findall(text))
        + len(_EN_CHAINED_STEP.findall(text))
        + len(_EN_PRESENT_STEP.findall(text))
        + found.actions
    )


# Where an unpunctuated transcript starts a new clause: a joining word before a subject.
_EN_SPEECH_BREAK = re.compile(
    r"\s(?=(?:so|and then|then|and|but|after that|in the end|anyway)\s+(?:i|we|he|she|they|it)\s"
    r"|(?:next|the next|the following) (?:day|week|month|morning|shift)\s|by the end\s)",
    re.IGNORECASE,
)
SPEECH_SENTENCE_WORDS = 40


def _speech_sentences(sentences: list[Sentence], language: str) -> list[Sentence]:
    """Long English "sentences" of a transcript with no punctuation, cut into the clauses a
    speaker's "so I", "and then we" start, so a story told aloud reads as its written twin.
    The cuts keep the spans in the answer."""
    if language != "en":
        return sentences
    out: list[Sentence] = []
    for s in sentences:
        if len(s.text.split()) < SPEECH_SENTENCE_WORDS or re.search(r"[,;]", s.text):
            out.append(s)
            continue
        cuts = [0, *(m.end() for m in _EN_SPEECH_BREAK.finditer(s.text)), len(s.text)]
        for a, b in zip(cuts[:-1], cuts[1:], strict=True):
            piece = s.text[a:b].strip()
            if piece:
                start = s.start + a + (len(s.text[a:b]) - len(s.text[a:b].lstrip()))
                out.append(Sentence(piece, start, start + len(piece)))
    return out


def _en_cues(sentences: list[Sentence]) -> _Found:
    found = _Found()
    first_action: int | None = None
    # A story set at a past occasion may be told in the present ("Last year ... I take the
    # table for him"), as second-language speakers often do.
    anchored = any(_EN_SITUATION.search(s.text) for s in sentences) or (
        sum(
            len(_EN_PRESENT_STEP.findall(s.text))
            for s in sentences
            if not (_EN_HYPOTHETICAL.search(s.text) or _EN_GENERIC.search(s.text))
        )
        >= 2
    )
    for i, s in enumerate(sentences):
        for element, pattern in (("situation", _EN_SITUATION), ("task", _EN_TASK)):
            m = pattern.search(s.text)
            if m:
                found.add(element, s, m.group(0))  # type: ignore[arg-type]
        action = _en_action(s.text) or (_en_present_step(s.text) if anchored else "")
        if action:
            found.add("action", s, action)
            found.actions += 1
            found.i_actions += bool(_EN_I.search(s.text))
            first_action = i if first_action is None else first_action
        else:
            generic = _EN_GENERIC.search(s.text)
            self_view = generic is not None and "myself" in generic.group(0)
            would = None if self_view else _EN_HYPOTHETICAL.search(s.text)
            m = would or generic
            if m:
                found.add("hypothetical", s, m.group(0))
                found.hypotheticals += 1
                found.habits += not would
        # Outcomes follow the steps: a cue before the first step is context, not a result.
        if first_action is None:
            continue
        m = _EN_RESULT.search(s.text)
        if not m and not _EN_TASK.search(s.text) and not _EN_UNKNOWN.search(s.text):
            m = _EN_RESULT_WEAK.search(s.text)
        result = m.group(0) if m else (_en_reaction(s.text) if i > first_action else "")
        if result:
            found.add("result", s, result)
    _closing_outcome(
        found, sentences, first_action, _EN_CLOSING, _EN_OTHER_SUBJECT, r"[,;]", _EN_HAPPENED
    )
    return found


_EN_HAPPENED = re.compile(
    r"\b(?:[a-z]{3,}ed|was|were|had|got|came|went|became|left|made|kept|gave|took|said|told|"
    r"now|still|never|since)\b|\d",
    _F,
)
_ZH_HAPPENED = re.compile(
    r"了|没|过(?![来去])|\d|[一二两三四五六七八九十百千万]+[个次天周月年人元块辆点]"
)
_OWN_STEP = re.compile(r"\s*(?:(?:and|then|so|but)\s+)?(?:[Ii]\b|我(?!们)|本人)")


def _closing_outcome(
    found: _Found,
    sentences: list[Sentence],
    first_action: int | None,
    closing: re.Pattern[str],
    other_subject: re.Pattern[str],
    clause_split: str,
    happened: re.Pattern[str],
) -> None:
    """A story's last clause, after its first step, telling what happened next (a time
    after, or someone else's move) is its outcome, in whatever words: "第二天她吃得干干净净"."""
    if first_action is None or found.has("result") or not sentences:
        return
    last = sentences[-1]
    clauses = [c.strip() for c in re.split(clause_split, last.text) if c.strip()]
    if len(sentences) - 1 == first_action and len(clauses) < 3:
        return  # one short sentence: its last clause is the step itself
    for clause in clauses[-3:]:
        if _OWN_STEP.match(clause):
            continue  # "I told my lead that afternoon": a step with its time, not an outcome
        m = closing.search(clause) or other_subject.search(clause)
        if m:
            found.add("result", last, m.group(0).strip(" ,;"))
            return
    # A story of several steps whose last sentence, after the steps, is not the candidate's
    # next step and says something happened: "The patient had the right dose at 22:30."
    if found.actions >= 2 and len(sentences) - 1 > first_action and not _OWN_STEP.match(last.text):
        m = happened.search(last.text)
        if m:
            found.add("result", last, m.group(0))


def _en_action(sentence: str) -> str:
    """The "I/we + past verb" words of a narrated step in a main clause, or ""."""
    if _EN_VAGUE_ACTION.search(sentence) and len(sentence.split()) < 12:
        return ""
    for m in _EN_SUBJECT_VERB.finditer(sentence):
        if (m.group(1) or "").lower() in _SUBORDINATE:
            continue
        verb = m.group(3).lower()
        after = sentence[m.end() :]
        if verb in ("worked", "was working") and re.match(r"\s+(?:as|at|in|for|nights)", after):
            continue
        if verb == "used" and after.startswith(" to "):
            continue
        if _EN_PAST_VERB.match(verb) and verb not in _NOT_ACTION:
            return m.group(0).strip()
        if verb == "had" and re.match(r"\s+(?:him|her|them|a word)\b", after):
            return m.group(0).strip()
    return ""


_EN_PRESENT_STEP = re.compile(
    r"\b(?:I|we)\s+(?:then |also |just |first |quickly )?(?!would|will|can|could|should|must|"
    r"might|may|think|thought|am|was|were|have|has|had|always|usually|often|sometimes|normally|"
    r"never|don't|do|did|"
    r"like|love|want|need|feel|know|guess|mean|believe|hope|try|tried)([a-z]{3,})\b",
)


def _en_present_step(sentence: str) -> str:
    """ "I take/I call/I show" of a story told in the present, or ""."""
    if _EN_HYPOTHETICAL.search(sentence) or _EN_GENERIC.search(sentence):
        return ""
    for m in _EN_PRESENT_STEP.finditer(sentence):
        before = sentence[: m.start()].split()
        if before and before[-1].lower().strip(",") in _SUBORDINATE | {"where", "because"}:
            continue  # "the store where I work": a clause about the scene, not a step
        if m.group(1).lower() in ("work", "live", "study", "remember"):
            continue
        return m.group(0)
    return ""


def _en_reaction(sentence: str) -> str:
    for m in _EN_REACTION.finditer(sentence):
        verb = m.group(1).lower()
        if verb == "used" and sentence[m.end() :].startswith(" to "):
            continue
        if (_EN_PAST_VERB.match(verb) and verb not in _NOT_ACTION) or verb in ("weren't", "wasn't"):
            return m.group(0).strip(" ,;")
    return ""


def _zh_cues(sentences: list[Sentence], text: str) -> _Found:
    found = _Found()
    # A told story (a time anchor, or several perfective verbs) lends its past to clauses
    # without their own aspect marker: "我先把八个人分成两拨".
    story = bool(_ZH_SITUATION.search(text)) or len(_ZH_PERFECTIVE.findall(text)) >= 2
    first_action: int | None = None
    for i, s in enumerate(sentences):
        for element, pattern in (("situation", _ZH_SITUATION), ("task", _ZH_TASK)):
            m = pattern.search(s.text)
            if m:
                found.add(element, s, m.group(0))  # type: ignore[arg-type]
        has_subject = bool(_ZH_I.search(s.text) or _ZH_WE.search(s.text))
        for clause in re.split(r"[，,；;：:]", s.text):
            hyp = _ZH_HYPOTHETICAL.search(clause)
            if hyp:
                found.add("hypothetical", s, hyp.group(0))
                found.hypotheticals += 1
                found.habits += bool(_ZH_GENERIC.search(s.text))
                continue
            m = _ZH_ACTION.search(clause)
            cue = m.group(0) if m and (story or _ZH_PAST.search(clause)) else ""
            if not cue and has_subject and not _ZH_THIRD_PARTY.match(clause):
                p = _ZH_PERFECTIVE.search(clause)
                cue = clause[max(0, p.start() - 3) : p.end()] if p else ""
            if not cue and story:
                m = _ZH_TOLD_STEP.match(clause.strip())
                cue = m.group(0) if m else ""
            if cue:
                found.add("action", s, cue)
                found.actions += 1
                found.i_actions += bool(_ZH_I.search(s.text))
                first_action = i if first_action is None else first_action
            elif _ZH_GENERIC.search(clause):
                found.add("hypothetical", s, _ZH_GENERIC.search(clause).group(0))  # type: ignore[union-attr]
                found.hypotheticals += 1
                found.habits += 1
        if first_action is None:
            continue
        m = _ZH_RESULT.search(s.text)
        if not m and not _ZH_TASK.search(s.text) and not _ZH_UNKNOWN.search(s.text):
            m = _ZH_RESULT_WEAK.search(s.text)
        if m:
            found.add("result", s, m.group(0))
    _closing_outcome(
        found, sentences, first_action, _ZH_CLOSING, _ZH_OTHER_SUBJECT, r"[，,；;\s]+", _ZH_HAPPENED
    )
    return found
