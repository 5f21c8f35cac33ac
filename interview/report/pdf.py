"""A candidate report as PDF, written in Python with fpdf2 (no browser, no network).

Text uses DejaVu Sans for Latin script and falls back to Noto Sans CJK (Debian package
fonts-noto-cjk) for Chinese, both embedded as subsets, so the file reads the same on any
viewer. Without those fonts Latin text still prints in Helvetica and other characters
become '?', and the first page says so.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from interview.integrity.schemas import AiTextResult, Flag
from interview.report.review import ReviewSummary
from interview.report.schemas import Report
from interview.report.wording import (
    flag_name,
    flag_note,
    integrity_level,
    integrity_reason,
    language_name,
    provenance_label,
    risk_name,
    severity_name,
    supports_label,
)

Lang = Literal["en", "zh"]
LATIN_FONTS = (
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/dejavu/DejaVuSans.ttf"),
)
CJK_FONTS = (
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc"),
)
# fontTools logs every glyph subset at INFO; a report download is not worth a log page.
logging.getLogger("fontTools").setLevel(logging.WARNING)
FONT_PT = 10
LINE_MM = 5.2
BULLET_MM = 3.5  # the bullet's column: wrapped lines start under the text, not the bullet
QUESTION_CHARS = 40  # a question named in a line: its first words
_CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]")
_LATIN = re.compile(r"[A-Za-z]")

LABELS: dict[str, dict[Lang, str]] = {
    "title": {"en": "Interview report", "zh": "面试报告"},
    "role": {"en": "Role", "zh": "岗位"},
    "language": {"en": "Interview language", "zh": "面试语言"},
    "overall": {"en": "Overall", "zh": "综合得分"},
    "band": {"en": "Recommendation", "zh": "建议"},
    "after_review": {"en": "After human review", "zh": "人工复核后"},
    "decision": {"en": "Final decision", "zh": "最终决定"},
    "coverage": {"en": "Answered weight", "zh": "已回答权重"},
    "not_assessed": {"en": "Not assessed", "zh": "未评估"},
    "notice": {
        "en": "AI-assisted assessment: a person reviews it and makes any decision.",
        "zh": "AI 辅助评估：由人工审核并作出任何决定。",
    },
    "competencies": {"en": "Competencies", "zh": "胜任力"},
    "level": {"en": "Level", "zh": "等级"},
    "weight": {"en": "Weight", "zh": "权重"},
    "confidence": {"en": "Confidence", "zh": "置信度"},
    "evidence": {"en": "Evidence", "zh": "证据"},
    "highlights": {"en": "Highlights", "zh": "亮点"},
    "risks": {"en": "Risks to review", "zh": "待核查风险"},
    # Not "integrity": the competency of that name is scored; this is how answers were given.
    "integrity": {
        "en": "Process checks (for human review; never change a score)",
        "zh": "作答过程核查（供人工复核，不影响评分）",
    },
    "review": {"en": "Review trail", "zh": "复核记录"},
    "provenance": {"en": "Provenance", "zh": "来源"},
    "none": {"en": "None", "zh": "无"},
    "reviewer": {"en": "Reviewer", "zh": "复核人"},
    "reason": {"en": "Reason", "zh": "理由"},
    "fonts": {
        "en": "Fonts for this script are not installed on the server; some characters are '?'.",
        "zh": "服务器缺少字体，部分字符显示为 '?'。",
    },
}
# The machine-written-text check of each answer, as the web report shows it.
MACHINE_TEXT: dict[str, dict[Lang, str]] = {
    "title": {"en": "Machine-written text check", "zh": "机器生成文本检查"},
    "question": {"en": "Question", "zh": "问题"},
    "result": {"en": "Result", "zh": "结果"},
    "evidence": {"en": "Evidence", "zh": "依据"},
    "strong": {
        "en": "Written like a language model: strong sign",
        "zh": "写法像语言模型：迹象明显",
    },
    "some": {"en": "Written like a language model: some sign", "zh": "写法像语言模型：有一些迹象"},
    "none": {"en": "Written like a language model: no sign", "zh": "写法像语言模型：无迹象"},
    "not_judged": {"en": "Not judged: {reason}", "zh": "未评估（{reason}）"},
    "measure": {
        "en": "{name} {value} (lower: more machine-like)",
        "zh": "{name} 值 {value}（越低越像机器所写）",
    },
    "score": {
        "en": "score {score}, flag above {threshold}",
        "zh": "得分 {score}，超过 {threshold} 即提示",
    },
    "length": {
        "en": "first {tokens} tokens, {words} words",
        "zh": "前 {tokens} 个词元，{words} 词",
    },
    "words": {"en": "{words} words", "zh": "共 {words} 词"},
    "note": {
        "en": "A prompt for human review, never a verdict: a strong sign means at most 1 in 100 "
        "human writers of each kind in the calibration data (native and second-language) score "
        "this way. Scores are not shown to candidates.",
        "zh": "这只是提请您人工复核的提示，绝非结论：“迹象明显”表示在校准数据中，每一类人类写作者"
        "（母语者和第二语言写作者）中至多百分之一会得到这样的分数。分数不会向候选人展示。",
    },
}
# The integrity checks write why an answer was not judged in English; the known reasons in
# Chinese ({0}, {1}: the numbers matched), others print as written.
NOT_JUDGED_ZH: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^too short: ([\d.]+) words, need ([\d.]+)"), "过短：{0} 词，需要 {1} 词"),
    (
        re.compile(r"^too few scored tokens: (\d+), need (\d+)"),
        "可评分的词元过少：{0} 个，需要 {1} 个",
    ),
    (re.compile(r"^no calibration for language"), "该语言未校准（其误报率未知）"),
    (
        re.compile(r"^spoken answer"),
        "口头回答：该检查按书面文本校准，在语音转写文本上的误报率尚未测量，因此不评估转写文本",
    ),
)
MEASURES = {"binoculars": "Binoculars", "fast_detect_gpt": "Fast-DetectGPT"}
BANDS: dict[str, dict[Lang, str]] = {
    "advance": {"en": "Advance", "zh": "推进"},
    "review": {"en": "Review", "zh": "复核"},
    "not_now": {"en": "Not now", "zh": "暂不推进"},
    "insufficient": {"en": "Insufficient evidence", "zh": "证据不足"},
    "reject": {"en": "Reject", "zh": "不录用"},
    "hold": {"en": "Hold", "zh": "待定"},
}


@lru_cache(maxsize=1)
def _fonts() -> tuple[Path | None, tuple[Path, int] | None]:
    """(Latin TTF, (CJK collection, index of its Simplified Chinese face)) where present."""
    latin = next((p for p in LATIN_FONTS if p.is_file()), None)
    cjk = None
    path = next((p for p in CJK_FONTS if p.is_file()), None)
    if path is not None:
        from fontTools.ttLib import TTCollection

        faces = TTCollection(str(path), lazy=True).fonts
        names = [str(f["name"].getDebugName(1) or "") for f in faces]
        index = next((i for i, n in enumerate(names) if n.endswith(" SC")), 0)
        cjk = (path, index)
    return latin, cjk


def _t(key: str, lang: Lang) -> str:
    return LABELS[key][lang]


def _colon(lang: Lang) -> str:
    return "：" if lang == "zh" else ": "


def _l(key: str, lang: Lang) -> str:
    """A label and its colon, as each language writes it."""
    return _t(key, lang) + _colon(lang)


def _band(name: str, lang: Lang) -> str:
    return BANDS.get(name, {}).get(lang, name)


def _mt(key: str, lang: Lang, **values: object) -> str:
    return MACHINE_TEXT[key][lang].format(**values)


def not_judged_reason(reason: str, lang: Lang) -> str:
    """Why an answer was not judged, in `lang` (unknown reasons stay in English)."""
    if lang == "zh":
        for pattern, text in NOT_JUDGED_ZH:
            if m := pattern.match(reason):
                return text.format(*m.groups())
    return reason


def machine_text_rows(
    results: Mapping[str, AiTextResult], questions: Mapping[str, str], lang: Lang
) -> list[tuple[str, str, str]]:
    """(question, result, evidence) per answer, in the questions' order: the band and what it
    means, or why it was not judged; the measure, the threshold and the length judged."""
    order = {q: i for i, q in enumerate(questions)}
    rows = []
    for qid in sorted(results, key=lambda q: (order.get(q, len(order)), q)):
        x = results[qid]
        words = f"{x.words:.1f}".removesuffix(".0")
        if not x.judged or x.band is None:
            result = _mt("not_judged", lang, reason=not_judged_reason(x.reason, lang))
            evidence = _mt("words", lang, words=words)
        else:
            result = _mt(x.band, lang)
            measure = x.fast_detect_gpt if x.statistic == "fast_detect_gpt" else x.binoculars
            name = MEASURES.get(x.statistic, x.statistic)
            lines = (
                [] if measure is None else [_mt("measure", lang, name=name, value=_fixed(measure))]
            )
            lines.append(_mt("score", lang, score=_fixed(x.score), threshold=_fixed(x.threshold)))
            lines.append(_mt("length", lang, tokens=x.tokens, words=words))
            evidence = "\n".join(lines)
        rows.append((questions.get(qid) or qid, result, evidence))
    return rows


def _fixed(x: float | None) -> str:
    return "—" if x is None else f"{x:.3f}"


class _Doc:
    """fpdf2 with the few moves a report needs: headings, paragraphs, bullets."""

    def __init__(self, lang: Lang, cjk_text: bool) -> None:
        from fpdf import FPDF

        self.lang = lang
        pdf = FPDF(format="A4")
        pdf.set_margins(15, 15, 15)
        pdf.set_auto_page_break(True, margin=15)
        latin, cjk = _fonts()
        if not cjk_text and latin is not None:
            cjk = None  # reading a CJK collection costs about a second: only when needed
        self.unicode = latin is not None or cjk is not None
        if cjk is not None:
            pdf.add_font("cjk", "", str(cjk[0]), collection_font_number=cjk[1])
            cjk_bold = cjk[0].with_name(cjk[0].name.replace("Regular", "Bold"))
            pdf.add_font(
                "cjk",
                "B",
                str(cjk_bold if cjk_bold.is_file() else cjk[0]),
                collection_font_number=cjk[1],
            )
        if latin is not None:
            pdf.add_font("body", "", str(latin))
            bold = latin.with_name("DejaVuSans-Bold.ttf")
            pdf.add_font("body", "B", str(bold if bold.is_file() else latin))
            if cjk is not None:
                pdf.set_fallback_fonts(["cjk"])
            self.family = "body"
        elif cjk is not None:
            self.family = "cjk"
        else:
            self.family = "helvetica"
        pdf.set_title(_t("title", lang))
        pdf.set_creator("interview")
        pdf.add_page()
        self.pdf = pdf
        self.font()

    def font(self, size: float = FONT_PT, bold: bool = False) -> None:
        self.pdf.set_font(self.family, "B" if bold else "", size)

    def text(self, s: str) -> str:
        if self.unicode:
            return s
        return s.encode("latin-1", "replace").decode("latin-1")

    def line(self, s: str, size: float = FONT_PT, bold: bool = False, indent: float = 0) -> None:
        """A paragraph, ragged right: justifying spreads Chinese (no spaces) into gaps."""
        self.font(size, bold)
        self.pdf.set_x(self.pdf.l_margin + indent)
        self.pdf.multi_cell(
            0,
            LINE_MM * size / FONT_PT,
            self.text(s),
            align="L",
            new_x="LMARGIN",
            new_y="NEXT",
            wrapmode=_wrapmode(s),
        )

    def heading(self, s: str) -> None:
        self.pdf.ln(2)
        self.line(s, size=12.5, bold=True)
        y = self.pdf.get_y()
        self.pdf.set_draw_color(200, 200, 200)
        self.pdf.line(self.pdf.l_margin, y, self.pdf.w - self.pdf.r_margin, y)
        self.pdf.ln(1.5)

    def bullets(self, items: Sequence[str], indent: float = 3) -> None:
        if not items:
            self.line(_t("none", self.lang), indent=indent)
        for item in items:
            # The bullet in its own cell and the text wrapped beside it: a long Chinese run
            # never leaves the bullet alone on its line.
            self.font()
            self.pdf.set_x(self.pdf.l_margin + indent)
            self.pdf.cell(BULLET_MM, LINE_MM, "•")
            self.pdf.multi_cell(
                0,
                LINE_MM,
                self.text(item),
                align="L",
                new_x="LMARGIN",
                new_y="NEXT",
                wrapmode=_wrapmode(item),
            )

    def table(
        self, head: Sequence[str], rows: Sequence[Sequence[str]], widths: Sequence[int]
    ) -> None:
        self.font(8.5)
        with self.pdf.table(
            col_widths=tuple(widths), text_align="LEFT", line_height=4.4, padding=1.2
        ) as table:
            for cells in (head, *rows):
                row = table.row()
                for cell in cells:
                    row.cell(self.text(cell))
        self.pdf.ln(1)
        self.font()

    def output(self) -> bytes:
        return bytes(self.pdf.output())


def _wrapmode(s: str) -> Any:
    """Break mostly-Chinese text between any two characters (it has no spaces to break at),
    other text between words."""
    from fpdf.enums import WrapMode

    return WrapMode.CHAR if len(_CJK.findall(s)) > len(_LATIN.findall(s)) else WrapMode.WORD


def _paren(s: str, lang: Lang) -> str:
    return f"（{s}）" if lang == "zh" else f" ({s})"


def _question(qid: str | None, questions: Mapping[str, str]) -> str:
    """A question as HR knows it: its first words, never its internal id."""
    if not qid:
        return ""
    text = " ".join((questions.get(qid) or "").split())
    if not text:
        return ""
    return text if len(text) <= QUESTION_CHARS else text[: QUESTION_CHARS - 1].rstrip() + "…"


def _flag_line(f: Flag, questions: Mapping[str, str], lang: Lang) -> str:
    """A flag: its kind and severity as the web names them, the question, when, the note."""
    asked = _question(f.question_id, questions)
    where = f" · “{asked}”" if asked else ""
    sev = severity_name(f.severity, lang)
    head = (
        f"{flag_name(f.kind, lang)}（{sev}）"
        if lang == "zh"
        else f"{flag_name(f.kind, lang)} ({sev})"
    )
    note = flag_note(f, lang)
    return f"{head}{where}{_span(f.start_s, f.end_s, lang)}" + (_colon(lang) + note if note else "")


def _span(start: float | None, end: float | None, lang: Lang = "en") -> str:
    if start is None:
        return ""
    at = f"{start:.1f}–{end:.1f}" if end is not None and end > start else f"{start:.1f}"
    return f"（{at} 秒）" if lang == "zh" else f" [{at} s]"


def report_pdf(
    report: Report,
    review: ReviewSummary | None = None,
    notes: Sequence[str] = (),
    lang: Lang | None = None,
    questions: Mapping[str, str] | None = None,
) -> bytes:
    """The report as PDF bytes; labels in `lang` (default: the interview's language);
    `questions` (question id -> its text, in plan order) names the answers."""
    lang = lang or ("zh" if report.language == "zh" else "en")
    questions = questions or {}
    every = [*notes, *questions.values()]
    cjk_text = lang == "zh" or _has_cjk(report.model_dump_json(), review, every)
    doc = _Doc(lang, cjk_text)
    doc.line(_t("title", lang), size=17, bold=True)
    if not doc.unicode or (_fonts()[1] is None and cjk_text):
        doc.line(_t("fonts", lang), size=8)
    doc.line(report.candidate_name, size=14, bold=True)
    doc.line(
        f"{_l('role', lang)}{report.role_title} · "
        f"{_l('language', lang)}{language_name(report.language, lang)}"
    )
    doc.pdf.ln(2)
    doc.line(
        f"{_l('overall', lang)}{report.overall:.1f} / 100 · "
        f"{_l('band', lang)}{_band(report.band, lang)} · "
        f"{_l('coverage', lang)}{report.coverage * 100:.0f}%",
        size=12,
        bold=True,
    )
    if report.not_assessed:  # the band rests on the other competencies only
        sep = "、" if lang == "zh" else ", "
        doc.line(f"{_l('not_assessed', lang)}{sep.join(report.not_assessed)}")
    reviewed = review.reviewed if review else None
    if reviewed is not None and reviewed.changed:
        doc.line(
            f"{_l('after_review', lang)}{reviewed.overall:.1f} / 100 · "
            f"{_l('band', lang)}{_band(reviewed.band, lang)}",
            size=12,
            bold=True,
        )
    if review is not None and review.decision is not None:
        d = review.decision
        doc.line(
            f"{_l('decision', lang)}{_band(d.decision, lang)} ({d.by}, "
            f"{d.at:%Y-%m-%d}) · {_l('reason', lang)}{d.reason}",
            bold=True,
        )
    doc.line(_t("notice", lang), size=8.5)
    for note in notes:
        doc.line(note, size=8.5)

    doc.heading(_t("competencies", lang))
    after = {c.competency_id: c for c in reviewed.competencies} if reviewed else {}
    for c in report.competencies:
        level = f"{_t('level', lang)} {c.level}/5"
        changed = after.get(c.competency_id)
        if changed is not None and changed.overridden:
            level += f" → {changed.level}/5 ({_t('after_review', lang)})"
        doc.line(
            f"{c.name} · {level} · {_t('weight', lang)} {c.weight * 100:.0f}% · "
            f"{_t('confidence', lang)} {c.confidence * 100:.0f}%",
            bold=True,
        )
        quotes = [
            f"“{e.quote}”{_span(e.start_s, e.end_s, lang)}"
            + _paren(supports_label(e.supports, lang), lang)
            for e in c.evidence
        ]
        doc.line(_l("evidence", lang).rstrip(), size=9, indent=3)
        doc.bullets(quotes[:8], indent=5)
        doc.pdf.ln(1)

    doc.heading(_t("highlights", lang))
    doc.bullets([f"{h.text}{_colon(lang)}“{h.quote}”" for h in report.highlights])
    doc.heading(_t("risks", lang))
    # A flag's risk line is written in English with its question's id: said from the flag.
    risks = [
        f"{risk_name(r.kind, lang)}{_colon(lang)}{r.text}"
        for r in report.risks
        if r.kind != "integrity"
    ]
    risks += [
        f"{risk_name('integrity', lang)}{_colon(lang)}{_flag_line(f, questions, lang)}"
        for f in report.integrity_flags
        if f.severity != "low"
    ]
    doc.bullets(risks)

    doc.heading(_t("integrity", lang))
    summary = report.integrity_summary
    doc.line(
        integrity_level(report.integrity, lang)
        + (f" · {integrity_reason(summary, lang)}" if summary else "")
    )
    doc.bullets([_flag_line(f, questions, lang) for f in report.integrity_flags])
    if summary is not None and summary.machine_text:
        doc.pdf.ln(1.5)
        doc.line(_mt("title", lang), bold=True)
        head = [_mt("question", lang), _mt("result", lang), _mt("evidence", lang)]
        doc.table(head, machine_text_rows(summary.machine_text, questions, lang), (5, 5, 6))
        doc.line(_mt("note", lang), size=8.5)

    if review is not None:
        names = {c.competency_id: c.name for c in report.competencies}
        doc.heading(_t("review", lang))
        if review.reviewer:
            doc.line(f"{_l('reviewer', lang)}{review.reviewer}")
        doc.bullets(
            [
                f"{o.at:%Y-%m-%d %H:%M} · {o.reviewer} · "
                f"{names.get(o.competency_id, o.competency_id)}{_colon(lang)}"
                f"{o.old_level} → {o.new_level} · {_l('reason', lang)}{o.reason}"
                for o in review.overrides
            ]
        )

    doc.heading(_t("provenance", lang))
    p = report.provenance
    sep = "：" if lang == "zh" else " "
    facts = [
        ("package", p.package_version),
        ("library", p.library_version),
        ("model_version", f"v{p.competency_model_version}"),
        ("models", _models(p.models)),
        ("settings", p.settings_hash[:16]),
        ("scored_at", f"{p.scored_at:%Y-%m-%d %H:%M} UTC"),
    ]
    doc.line(" · ".join(f"{provenance_label(k, lang)}{sep}{v}" for k, v in facts), size=8.5)
    return doc.output()


def _models(models: dict[str, Any]) -> str:
    return ", ".join(f"{k}: {v}" for k, v in models.items()) or "-"


def _has_cjk(text: str, review: ReviewSummary | None, notes: Sequence[str]) -> bool:
    """Whether anything printed may need the CJK font (ideographs, kana, hangul, CJK
    punctuation and full-width forms all sit at U+2E80 and above)."""
    every = text + (review.model_dump_json() if review else "") + "".join(notes)
    return any(ord(ch) >= 0x2E80 for ch in every)
