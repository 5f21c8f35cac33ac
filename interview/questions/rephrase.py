"""Rephrasing library questions for a role with a generator, behind a strict guard. Pure.

The product works without a generator; with one, questions read as if written for the role.
A rephrasing is used only when it passes every check, else the library wording stays.
"""

from __future__ import annotations

import re

from interview.questions.schemas import Question

# Topics an interview question must never raise (protected characteristics), both languages.
FORBIDDEN = re.compile(
    r"\b(age|old are you|married|marital|children|pregnan\w*|religio\w*|church|gender|"
    r"nationality|disabilit\w*|health|sexual|race|ethnic\w*|salary|score|rating)\b|"
    r"年龄|多大|结婚|婚姻|孩子|怀孕|宗教|信仰|性别|国籍|残疾|健康|民族|工资|分数|评分",
    re.IGNORECASE,
)
_WORD = re.compile(r"[A-Za-z]{5,}")


def rephrase_prompt(question: str, role_title: str, language: str) -> str:
    """Instructions first, the question last (so the prompt prefix is shared and cached)."""
    if language == "zh":
        return (
            "你是一名专业面试官。把下面的面试问题改写成适合该岗位的说法：意思不变，只问一件事，"
            "一句话，以问号结尾，不要加任何解释。\n"
            f"岗位：{role_title}\n问题：{question}\n改写："
        )
    return (
        "You are a professional interviewer. Rewrite the interview question below for the job. "
        "Keep its meaning, ask one thing, use one sentence ending with a question mark, and "
        "write nothing else.\n"
        f"Job: {role_title}\nQuestion: {question}\nRewritten question:"
    )


def accept(original: str, candidate: str, language: str) -> str | None:
    """The cleaned rephrasing when it is safe to ask, else None (keep the original)."""
    text = candidate.strip().strip('"“”「」').strip()
    text = re.sub(r"^(rewritten question|question|改写|问题)\s*[:：]\s*", "", text, flags=re.I)
    text = text.splitlines()[0].strip() if text else ""
    if not text or FORBIDDEN.search(text):
        return None
    if not (0.5 * len(original) <= len(text) <= 2.0 * len(original)):
        return None
    if language == "zh":
        if not text.endswith(("？", "?")) or not re.search(r"[\u4e00-\u9fff]", text):
            return None
        return text if re.search("[您你]", text) else None  # addressed to the candidate
    if not text.endswith("?") or re.search(r"[\u4e00-\u9fff]", text):
        return None
    if text.count("?") > 1:  # one question at a time
        return None
    if not re.search(r"\byour?\b", text, re.I) or re.search(r"\bI\b", text):
        return None  # must ask the candidate, not speak as them
    shared = {w.lower() for w in _WORD.findall(original)} & {w.lower() for w in _WORD.findall(text)}
    return text if shared else None  # must stay on the original's topic


def rephrased(question: Question, text: str | None) -> Question:
    return question if text is None else question.model_copy(update={"text": text})
