"""What HR reads about a report that the stages write as keys or English: evidence kinds, flag
kinds and notes, the integrity level and why, risk kinds, the interview language, provenance.

The same words as the web report (web/hr-i18n.js: report.*, flag.*, sev.*, integrity.*,
flagnote.*, risk.*, prov.*), so a PDF and the page it was downloaded from agree. Pure.
"""

from __future__ import annotations

from typing import Literal

from interview.integrity.schemas import Flag
from interview.integrity.summary import IntegritySummary

Lang = Literal["en", "zh"]

LANGUAGES: dict[str, dict[Lang, str]] = {
    "zh": {"en": "Chinese", "zh": "中文"},
    "en": {"en": "English", "zh": "English"},  # as the web names it, in its own language
}
SUPPORTS: dict[str, dict[Lang, str]] = {
    "anchor": {"en": "Level {what} anchor", "zh": "等级 {what} 锚点"},
    "positive": {"en": "Positive indicator", "zh": "正面指标"},
    "negative": {"en": "Negative indicator", "zh": "负面指标"},
    "choice": {"en": "Option worth {what} of 3", "zh": "选项得分 {what}/3"},
    "star": {"en": "Shows the {what}", "zh": "体现{what}"},
    # The web's words without its brackets: the PDF prints a label in brackets.
    "kept": {"en": "Counted; no STAR element shown", "zh": "计入评分，未体现STAR要素"},
}
STAR: dict[str, dict[Lang, str]] = {
    "situation": {"en": "situation", "zh": "情境"},
    "task": {"en": "task", "zh": "任务"},
    "action": {"en": "action", "zh": "行动"},
    "result": {"en": "result", "zh": "结果"},
}
FLAGS: dict[str, dict[Lang, str]] = {
    "machine_text": {"en": "machine-written text", "zh": "疑似机器生成文本"},
    "read_aloud": {"en": "read aloud", "zh": "疑似照读"},
    "identity_mismatch": {"en": "different person", "zh": "疑似换人"},
    "extra_person": {"en": "another person in frame", "zh": "画面中有他人"},
    "no_face": {"en": "nobody in frame", "zh": "画面中无人"},
    "looking_away": {"en": "looking away", "zh": "视线偏离"},
    "tab_switch": {"en": "left the page", "zh": "离开页面"},
    "page_reload": {"en": "page reloaded", "zh": "页面重新加载"},
    "paste": {"en": "pasted text", "zh": "粘贴文本"},
    "near_duplicate": {"en": "near-duplicate answer", "zh": "与他人答案高度相似"},
    "generator_match": {"en": "close to a generated answer", "zh": "接近模型生成答案"},
    "still_image": {"en": "still image", "zh": "静止图像"},
    "reading_pattern": {"en": "reading pattern", "zh": "阅读式眼动"},
    "copy": {"en": "copied text", "zh": "复制文本"},
    "slow_start": {"en": "slow start", "zh": "开始作答较慢"},
    "second_voice": {"en": "another voice", "zh": "疑似有他人说话"},
}
SEVERITY: dict[str, dict[Lang, str]] = {
    "low": {"en": "low", "zh": "低"},
    "medium": {"en": "medium", "zh": "中"},
    "high": {"en": "high", "zh": "高"},
}
LEVELS: dict[str, dict[Lang, str]] = {
    "not_assessed": {"en": "Not assessed", "zh": "未评估"},
    "low": {"en": "Low: nothing stood out", "zh": "低：无异常"},
    "medium": {"en": "Medium: look at the flags", "zh": "中：请查看提示"},
    "high": {"en": "High: review before relying on the scores", "zh": "高：依赖评分前请先复核"},
}
# Why the summary has its level (IntegritySummary.rule), {n}: the count the rule counted.
RULES: dict[str, dict[Lang, str]] = {
    "nothing_checked": {
        "en": "nothing in this interview could be checked",
        "zh": "本次面试没有可核查的内容",
    },
    "high_flags": {"en": "{n} high-severity flag(s)", "zh": "{n} 条高严重度提示"},
    "medium_kinds": {
        "en": "medium flags of {n} kinds together",
        "zh": "{n} 类中严重度提示同时出现",
    },
    "medium_flags": {"en": "{n} medium-severity flag(s)", "zh": "{n} 条中严重度提示"},
    "low_flags_together": {
        "en": "{n} low-severity flags together",
        "zh": "{n} 条低严重度提示同时出现",
    },
    "low_flags": {"en": "{n} low-severity flag(s)", "zh": "{n} 条低严重度提示"},
    "no_flags": {"en": "no flags", "zh": "无提示"},
}
PROMPT: dict[Lang, str] = {
    "en": "a prompt for human review, never a decision",
    "zh": "仅提示人工复核，绝不作为决定",
}
# Flags the browser reports, said from their numbers (Flag.evidence); the notes of the
# model-based checks (face, gaze, voice, text) stay in the check's own English wording.
FLAG_NOTES: dict[str, dict[Lang, str]] = {
    "tab_switch": {
        "en": "The interview page was left {absences} time(s) for {total_s:.0f} s in all while "
        "this question was open. A notification or another window can explain it; look at the "
        "answer given afterwards.",
        "zh": "作答此题期间，候选人离开面试页面 {absences} 次，共 {total_s:.0f} 秒。通知弹窗或"
        "其他窗口都可能导致这种情况；请查看之后给出的回答。",
    },
    "paste": {
        "en": "{chars} characters were pasted into the answer. The candidate may have pasted "
        "their own notes; compare with the rest of the interview.",
        "zh": "回答中粘贴了 {chars} 个字符。候选人可能粘贴的是自己的笔记；请与面试其他部分对照。",
    },
    "copy": {
        "en": "Text was copied from the interview page (the question, most likely).",
        "zh": "从面试页面复制了文本（很可能是题目）。",
    },
    "slow_start": {
        "en": "The answer began {delay_s:.0f} s after the question was shown. Taking time to "
        "think is normal; it matters only beside other flags.",
        "zh": "题目显示 {delay_s:.0f} 秒后才开始作答。花时间思考很正常；只有与其他提示同时出现时"
        "才值得关注。",
    },
    "reload": {
        "en": "The page was reloaded; the candidate was away {away_s:.0f} s. A reload is not "
        "leaving the page for another window.",
        "zh": "页面被重新加载；候选人离开了 {away_s:.0f} 秒。重新加载并不是离开页面去看别的窗口。",
    },
    "reopened": {
        "en": "The interview page was closed and opened again; the candidate was away "
        "{away_s:.0f} s.",
        "zh": "面试页面被关闭后又重新打开；候选人离开了 {away_s:.0f} 秒。",
    },
}
CHECK_WORDING: dict[Lang, str] = {"en": "{note}", "zh": "检查原文（英文）：{note}"}
RISKS: dict[str, dict[Lang, str]] = {
    "negative_indicator": {"en": "negative indicator", "zh": "负面行为指标"},
    "resume": {"en": "resume", "zh": "简历"},
    "integrity": {"en": "process check", "zh": "作答过程核查"},
    "reused_answer": {"en": "reused answer", "zh": "重复回答"},
}
PROVENANCE: dict[str, dict[Lang, str]] = {
    "package": {"en": "package", "zh": "软件版本"},
    "library": {"en": "library", "zh": "胜任力库"},
    "model_version": {"en": "competency model", "zh": "胜任力模型版本"},
    "models": {"en": "models", "zh": "模型"},
    "settings": {"en": "settings", "zh": "设置哈希"},
    "scored_at": {"en": "scored", "zh": "评分时间"},
}


def _pick(table: dict[str, dict[Lang, str]], key: str, lang: Lang) -> str:
    return table.get(key, {}).get(lang) or key.replace("_", " ")


def language_name(code: str, lang: Lang) -> str:
    """The interview language by name ("中文", "English"; "Chinese" in English)."""
    return LANGUAGES.get(code, {}).get(lang, code)


def supports_label(supports: str, lang: Lang) -> str:
    """What an evidence quote shows, from its key ("star:action", "choice:2", "kept"...);
    indicator keys name no standard id, an unknown key prints as written."""
    kind, _, what = supports.partition(":")
    if kind not in SUPPORTS:
        return supports
    if kind == "star":
        what = _pick(STAR, what, lang)
    return SUPPORTS[kind][lang].format(what=what.replace("_", " "))


def flag_name(kind: str, lang: Lang) -> str:
    """A flag kind as the web report names it."""
    return _pick(FLAGS, kind, lang)


def severity_name(severity: str, lang: Lang) -> str:
    return _pick(SEVERITY, severity, lang)


def risk_name(kind: str, lang: Lang) -> str:
    return _pick(RISKS, kind, lang)


def integrity_level(level: str, lang: Lang) -> str:
    return _pick(LEVELS, level, lang)


def integrity_reason(summary: IntegritySummary, lang: Lang) -> str:
    """Why the summary has its level, in `lang`; a summary stored before rules existed gives
    its English reason."""
    if summary.rule is None:
        return summary.reason
    why = RULES[summary.rule][lang].format(n=summary.rule_count)
    return f"{why}；{PROMPT[lang]}" if lang == "zh" else f"{why}; {PROMPT[lang]}"


def flag_note(flag: Flag, lang: Lang) -> str:
    """A flag's note in `lang`: the browser's flags from their numbers; the others' notes are
    the check's own English, marked as such in Chinese."""
    key: str = flag.kind
    if key == "page_reload":
        key = "reload" if flag.evidence.get("navigation", "reload") == "reload" else "reopened"
    template = FLAG_NOTES.get(key)
    if template is not None:
        try:
            return template[lang].format(**flag.evidence)
        except (KeyError, ValueError, TypeError):
            pass  # evidence without the numbers: the note as written
    if not flag.note:
        return ""
    return CHECK_WORDING[lang].format(note=flag.note)


def provenance_label(key: str, lang: Lang) -> str:
    return PROVENANCE[key][lang]
